"""The preview's rebuild when something unexpected happens: one plain line, and the next save recovers.

Each test drives site_builder.serve.Preview in this process on a copy of the fixture site; an
exception escaping rebuild() would be a traceback in the preview's terminal, and fails the test.
tests/test_preview_saves.py checks the same promises on a real `site-builder serve` process.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import queue
import shutil
import threading
import time

import pytest
from livereload.handlers import LiveReloadHandler
from tornado.websocket import WebSocketClosedError

from conftest import TEMPLATES, edit, touch_later
from site_builder import load, serve
from site_builder.load import ContentLoader
from site_builder.problems import ContentError
from site_builder.serve import Preview, reload_browsers
from site_builder.watch import ChangeWatcher

TITLE = "- title: Keep Safe relaunch\n"
PLAN_PAGE = "plans/2021-22/index.html"


class Terminal(io.StringIO):
    """What the preview printed, line by line."""

    def lines(self) -> list[str]:
        return self.getvalue().splitlines()


@pytest.fixture
def preview(site_dir, tmp_path):
    """A Preview of the fixture copy that has built once, printing into a Terminal."""
    built = Preview(site_dir, TEMPLATES, tmp_path / ".serve", out=Terminal())
    built.search = False
    assert built.rebuild(), built.out.getvalue()
    return built


def new_lines(preview: Preview, before: int) -> list[str]:
    return preview.out.lines()[before:]


def test_a_failed_write_to_the_preview_folder_is_one_line_and_the_next_save_rewrites_it(preview, site_dir,
                                                                                          monkeypatch):
    edit(site_dir / "plans/2021-22.yaml", TITLE, "- title: Keep Safe relaunched\n")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(preview.folder / PLAN_PAGE))

    monkeypatch.setattr(serve, "sync_tree", disk_full)
    before = len(preview.out.lines())
    assert preview.rebuild() is False
    said = new_lines(preview, before)
    assert len(said) == 1 and "No space left on device" in said[0] and "save again" in said[0], said
    assert preview.problems == [], "not the content's fault: the browser keeps the last build"
    monkeypatch.undo()

    # The next save touches another file only; the plan page the failed write missed is written too.
    edit(site_dir / "pages/accessibility.md", "This site is for testing.", "This site is for tests.")
    assert preview.rebuild(), preview.out.getvalue()
    assert "Keep Safe relaunched" in (preview.folder / PLAN_PAGE).read_text(encoding="utf-8")
    assert "This site is for tests." in (preview.folder / "accessibility/index.html").read_text(encoding="utf-8")


def test_an_unexpected_error_in_a_build_is_one_line(preview, monkeypatch):
    def broken_build():
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr(preview.builder, "build", broken_build)
    before = len(preview.out.lines())
    assert preview.rebuild() is False
    said = new_lines(preview, before)
    assert len(said) == 1 and "RuntimeError: something unforeseen" in said[0], said
    monkeypatch.undo()
    assert preview.rebuild()


def test_a_file_removed_between_listing_and_reading_is_a_plain_problem(site_dir, monkeypatch):
    loader = ContentLoader(site_dir)
    loader.load()
    plan = site_dir / "plans/2020-21.yaml"
    read = load.read_bytes

    def removed_meanwhile(path):
        if path == plan:
            path.unlink()
        return read(path)

    monkeypatch.setattr(load, "read_bytes", removed_meanwhile)
    with pytest.raises(ContentError) as caught:
        loader.load()
    [problem] = caught.value.problems
    assert str(problem.pos) == "content/plans/2020-21.yaml:1:1"
    assert problem.message == "the file cannot be read: it was removed while the site was being built"


def test_a_link_to_nowhere_is_a_plain_problem(site_dir):
    (site_dir / "plans/2022-23.yaml").symlink_to("2019-20.yaml")
    with pytest.raises(ContentError) as caught:
        ContentLoader(site_dir).load()
    [problem] = caught.value.problems
    assert str(problem.pos) == "content/plans/2022-23.yaml:1:1"
    assert problem.message == "the file cannot be read: it is a link to 2019-20.yaml, which does not exist"
    assert problem.hint


def test_a_folder_named_like_a_content_file_is_a_plain_problem(site_dir):
    (site_dir / "plans/2022-23.yaml").mkdir()
    with pytest.raises(ContentError) as caught:
        ContentLoader(site_dir).load()
    assert [p.message for p in caught.value.problems] == ["the file cannot be read: it is a folder"]


def test_folders_removed_under_the_preview(site_dir, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    preview = Preview(site_dir, templates, tmp_path / ".serve", out=Terminal())
    preview.search = False
    assert preview.rebuild()
    for folder in (site_dir / "pages", templates / "assets", site_dir / "plans", templates):
        shutil.rmtree(folder)
        preview.rebuild()  # succeeds or reports errors; must not raise
    assert preview.problems, "without templates the site cannot be built"
    assert "Traceback" not in preview.out.getvalue()


# ---------------------------------------------------------------------------------------------
# A failed build waits for the rest of the save before it is reported.

def test_a_failed_build_is_not_reported_while_the_save_goes_on(preview, site_dir):
    plan = site_dir / "plans/2021-22.yaml"
    text = plan.read_text(encoding="utf-8")
    before = len(preview.out.lines())
    plan.write_text("")  # truncated: an editor about to write
    asked = []
    assert preview.rebuild_when_settled(lambda seconds: asked.append(seconds) or True) is False
    assert len(asked) == 1 and asked[0] >= serve.MID_SAVE_GRACE, "an empty file is waited on longest"
    assert new_lines(preview, before) == [] and preview.problems == []

    plan.write_text(text.replace(TITLE, "- title: Keep Safe relaunched\n"))  # the rest of the save
    assert preview.rebuild_when_settled(lambda seconds: pytest.fail("a successful build waited")) is True
    assert [line for line in new_lines(preview, before) if "error" in line] == []
    assert "Keep Safe relaunched" in (preview.folder / PLAN_PAGE).read_text(encoding="utf-8")


def test_a_failed_build_is_reported_once_the_save_has_settled(preview, site_dir):
    plan = site_dir / "plans/2021-22.yaml"
    edit(plan, "    lead: EP\n", "    lead: EP\n    leed: EP\n")
    asked = []
    assert preview.rebuild_when_settled(lambda seconds: asked.append(seconds) or False) is True, \
        "the browser must show the error page"
    assert len(asked) == 1 and asked[0] >= serve.GRACE
    assert [p.field for p in preview.problems] == ["initiatives[0].leed"]
    assert "unknown field 'leed'" in preview.out.getvalue()


def test_the_watcher_says_whether_more_changes_come(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("a: 1\n")
    answers: queue.Queue[bool] = queue.Queue()
    calls = []

    def save(text):
        """One event per save, however busy the machine: written beside the file, then renamed over it."""
        beside = tmp_path / "plan.yaml.tmp"  # not a content file: the watcher ignores it
        beside.write_text(text)
        os.replace(beside, plan)

    def on_change(paths):
        calls.append(paths)
        if len(calls) == 1:  # the rest of the save comes while this asks
            threading.Timer(0.05, lambda: save("a: 3\n")).start()
            answers.put(watcher.changes_within(10))
        else:  # nothing more comes
            answers.put(watcher.changes_within(0.3))

    watcher = ChangeWatcher([tmp_path], on_change)
    watcher.start()
    try:
        save("a: 2\n")
        assert answers.get(timeout=10) is True
        assert answers.get(timeout=10) is False
    finally:
        watcher.stop()


def test_a_change_that_cannot_be_handled_leaves_the_watcher_watching(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text("a: 1\n")
    calls: queue.Queue[int] = queue.Queue()

    def on_change(paths):
        calls.put(1)
        if calls.qsize() == 1:
            raise OSError(2, "No such file or directory", str(plan))

    watcher = ChangeWatcher([tmp_path], on_change)
    watcher.start()
    try:
        plan.write_text("a: 2\n")
        calls.get(timeout=10)
        time.sleep(0.1)
        plan.write_text("a: 3\n")
        calls.get(timeout=10)
    finally:
        watcher.stop()
    err = capsys.readouterr().err
    assert "No such file or directory" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------------
# Telling browsers to reload when some have gone.

def test_reloading_tabs_that_have_closed_says_nothing(monkeypatch):
    async def gone_on_the_way():
        raise WebSocketClosedError()

    class ClosedTab:
        def write_message(self, message):
            raise WebSocketClosedError()

    class ClosingTab:
        def write_message(self, message):
            return asyncio.ensure_future(gone_on_the_way())

    class OpenTab:
        def __init__(self):
            self.messages = []

        def write_message(self, message):
            self.messages.append(message)
            future = asyncio.get_running_loop().create_future()
            future.set_result(None)
            return future

    closed, closing, open_tab = ClosedTab(), ClosingTab(), OpenTab()
    monkeypatch.setattr(LiveReloadHandler, "waiters", {closed, closing, open_tab})
    reported = []

    async def send():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: reported.append(context))
        reload_browsers()
        await asyncio.sleep(0.05)
        gc.collect()  # an unretrieved task exception is reported when the task is collected
        await asyncio.sleep(0)

    # In a thread of its own: Playwright's sync API may hold this thread's event loop.
    thread = threading.Thread(target=asyncio.run, args=(send(),))
    thread.start()
    thread.join(10)
    gc.collect()
    assert reported == []
    assert closed not in LiveReloadHandler.waiters
    assert len(open_tab.messages) == 1 and '"command": "reload"' in open_tab.messages[0]

