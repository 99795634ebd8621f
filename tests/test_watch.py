"""The preview's file watcher: every way an editor saves is noticed, reading a file is not."""

from __future__ import annotations

import os
import queue
import time

import pytest

from site_builder.watch import ChangeWatcher

NOTICE_TIMEOUT = 5  # generous: the time a change takes to be noticed is the benchmark's business
QUIET = 0.3  # how long to listen for a change that should not come


@pytest.fixture
def watched(tmp_path):
    """A watched folder holding plans/2021-22.yaml, and a queue of the change sets reported."""
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "2021-22.yaml").write_text("title: a\n")
    reported: queue.Queue[set[str]] = queue.Queue()
    watcher = ChangeWatcher([tmp_path], reported.put)
    watcher.start()
    yield tmp_path, reported
    watcher.stop()


def next_change(reported: queue.Queue) -> set[str]:
    try:
        return reported.get(timeout=NOTICE_TIMEOUT)
    except queue.Empty:
        pytest.fail(f"no change reported within {NOTICE_TIMEOUT} s")


def quiet(reported: queue.Queue, seconds: float = QUIET):
    try:
        return reported.get(timeout=seconds)
    except queue.Empty:
        return None


def test_a_save_in_place_is_noticed(watched):
    folder, reported = watched
    plan = folder / "plans" / "2021-22.yaml"
    plan.write_text("title: b\n")
    assert next_change(reported) == {str(plan)}
    # (Whether one save makes exactly one report depends on the machine's load: a second
    # report only costs a second rebuild, so it is not asserted here.)


def test_a_save_through_a_temporary_file_is_noticed(watched):
    # As vim, VS Code and many editors save: write a hidden file beside it, then rename it over.
    folder, reported = watched
    plan = folder / "plans" / "2021-22.yaml"
    temporary = folder / "plans" / ".2021-22.yaml.swp"
    temporary.write_text("title: c\n")
    os.replace(temporary, plan)
    assert str(plan) in next_change(reported)


def test_new_and_deleted_files_are_noticed(watched):
    folder, reported = watched
    new = folder / "plans" / "2022-23.yaml"
    new.write_text("title: d\n")
    assert str(new) in next_change(reported)
    quiet(reported)
    new.unlink()
    assert str(new) in next_change(reported)


def test_reading_files_and_listing_folders_is_not_a_change(watched):
    # The rebuild reads every content file and lists every folder: that must not start another.
    folder, reported = watched
    for _ in range(3):
        for path in folder.rglob("*"):
            if path.is_file():
                path.read_bytes()
        os.listdir(folder / "plans")
        time.sleep(0.01)
    assert quiet(reported) is None


def test_editor_backup_files_are_not_changes(watched):
    folder, reported = watched
    (folder / "plans" / "2021-22.yaml~").write_text("title: old\n")
    (folder / "plans" / "#2021-22.yaml#").write_text("title: old\n")
    assert quiet(reported) is None


# ---------------------------------------------------------------------------------------------
# Folders replaced under the watcher, and names that matter only while the site is broken.

def test_a_watched_folder_deleted_and_made_again_is_watched_again(tmp_path):
    content = tmp_path / "content"
    (content / "plans").mkdir(parents=True)
    reported: queue.Queue[set[str]] = queue.Queue()
    watcher = ChangeWatcher([content], reported.put)
    watcher.start()
    try:
        os.rename(content, tmp_path / "old")  # as a checkout or a restore may replace it
        (content / "plans").mkdir(parents=True)
        next_change(reported)  # the folder itself has changed
        while quiet(reported) is not None:
            pass
        plan = content / "plans" / "2021-22.yaml"
        plan.write_text("title: new\n")
        deadline = time.monotonic() + NOTICE_TIMEOUT
        seen: set[str] = set()
        while str(plan) not in seen and time.monotonic() < deadline:
            seen |= next_change(reported)
        assert str(plan) in seen
    finally:
        watcher.stop()


def test_a_folder_that_appears_after_the_start_is_watched(tmp_path):
    templates = tmp_path / "templates"
    reported: queue.Queue[set[str]] = queue.Queue()
    watcher = ChangeWatcher([templates], reported.put)
    watcher.start()
    try:
        assert quiet(reported) is None
        templates.mkdir()
        assert str(templates) in next_change(reported)
        (templates / "base.html").write_text("<p>")
        seen: set[str] = set()
        deadline = time.monotonic() + NOTICE_TIMEOUT
        while str(templates / "base.html") not in seen and time.monotonic() < deadline:
            seen |= next_change(reported)
        assert str(templates / "base.html") in seen
    finally:
        watcher.stop()


def test_a_folder_moved_away_is_a_change(watched):
    folder, reported = watched
    os.rename(folder / "plans", folder / "plans-old")
    assert str(folder / "plans") in next_change(reported)


def test_any_name_appearing_or_going_is_a_change_while_the_site_is_broken(tmp_path):
    reported: queue.Queue[set[str]] = queue.Queue()
    watcher = ChangeWatcher([tmp_path], reported.put)
    watcher.start()
    try:
        lock = tmp_path / ".#2021-22.yaml"
        lock.symlink_to("editor@machine.1:2")
        assert quiet(reported) is None, "an editor's lock is not a change while the site builds"
        watcher.any_name = True  # the last build failed: the lock may be why
        lock.unlink()
        assert str(lock) in next_change(reported)
        (tmp_path / ".notes.swp").write_text("x")
        assert str(tmp_path / ".notes.swp") in next_change(reported)
        quiet(reported)
        (tmp_path / ".notes.swp").write_text("y")  # what a file says still does not matter
        assert quiet(reported) is None
    finally:
        watcher.stop()


def test_a_save_is_handed_on_when_its_file_is_closed_and_a_write_still_open_waits_to_settle(tmp_path):
    """A save's last step, the file closed after writing, ends the wait for more of it; a file still open
    for writing may be written again, and is handed on only once no event has come for `settle`."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("a: 1\n")
    reported: queue.Queue[float] = queue.Queue()
    watcher = ChangeWatcher([tmp_path], lambda paths: reported.put(time.perf_counter()), settle=4.0)
    watcher.start()
    try:
        started = time.perf_counter()
        plan.write_text("a: 2\n")  # written and closed
        assert reported.get(timeout=NOTICE_TIMEOUT) - started < 2.0  # not the four seconds' settle
        with open(plan, "a") as still_open:
            still_open.write("b: 1\n")
            still_open.flush()
            assert quiet(reported, 1.5) is None  # still open: it may be written again
        reported.get(timeout=NOTICE_TIMEOUT)  # and when closed, handed on
    finally:
        watcher.stop()
