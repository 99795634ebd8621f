"""Shared fixtures: the fixture sites, the real content, and builds of each made once per run.

Two kinds of test live here (see the markers in pyproject.toml):

- builder behaviour, on fixture sites in tests/fixtures/ whose titles, lines and counts a
  test may name: `site` (small; also the golden files) and `rich` (enough for the browser
  features: long lists, programmes across years, words to search for);
- what must hold of the real content, marked `content`: it reads CONTENT, which the
  SITE_CONTENT environment variable may point elsewhere, and must pass for any valid
  content, so it derives every count and name from the loaded content.

Every test in tests/browser/ is also marked `browser`, and every test SLOW names is marked `slow`,
by the hook below: `make test-fast` (-m "not browser and not slow") is the edit-test loop, and
`make test` runs everything.
"""

from __future__ import annotations

import gc
import os
import shutil
import textwrap
from contextlib import contextmanager
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
RICH = ROOT / "tests" / "fixtures" / "rich"
TEMPLATES = ROOT / "templates"
CONTENT = Path(os.environ.get("SITE_CONTENT") or ROOT / "content").resolve()

# The tests `make test-fast` leaves out, by module or by test, with why: each takes a second or more
# here (whole builds through the command line, processes, servers, timers, stress loops). One table,
# so the edit-test loop is decided in one place; a test may also say @pytest.mark.slow itself.
SLOW = {
    "tests/test_diskcache.py": "each test builds through the command line with a disk cache, twice or more",
    "tests/test_addresses.py": "builds of the fixture and real sites through the command line",
    "tests/test_editor_stories.py": "copies the real content six times and reruns the content tests on it",
    "tests/test_preview_saves.py": "eighty saves to a running preview (two hundred in CI)",
    "tests/test_preview_hostile.py": "running previews; three hundred rebuilds under tracemalloc",
    "tests/test_rebuild_equals_fresh.py": "a rebuild after every edit of every field",
    "tests/test_serve.py": "starts the preview as a process",
    "tests/test_watch.py": "waits for file-system events",
    "tests/test_incremental.py": "two builds per edit, one edit per case",
    "tests/test_redteam_findings.py": "builds through the command line, the preview as a process",
    "tests/test_hostile_content.py::test_an_unexpected_file_is_a_warning": "a build per kind of file",
    "tests/test_output_safety.py::test_out_refuses_the_project_its_folders_and_foreign_folders": "copies the project",
    "tests/test_output_safety.py::test_content_never_makes_the_build_write_outside_its_output": "a build per case",
    "tests/test_output_safety.py::test_a_read_only_folder_around_the_output": "builds in a process",
    "tests/test_output_safety.py::test_a_second_build_waits_while_the_first_swaps": "builds in processes",
    "tests/test_output_safety.py::test_builds_started_together_all_succeed_and_leave_a_whole_tree": "processes",
    "tests/test_output_safety.py::test_where_the_system_cannot_exchange_two_folders_the_swap_still_works": "builds",
    "tests/test_fmt.py::test_the_web_editors_serializer_reads_and_writes_every_content_file_as_fmt_does": "Node",
    "tests/test_fmt.py::test_the_web_editors_serializer_writes_awkward_values_as_fmt_does": "runs Node",
    "tests/test_fmt.py::test_the_web_editor_refuses_a_file_not_in_the_shared_form": "runs Node",
    "tests/test_output_safety.py::test_leftovers_of_killed_builds_are_removed_by_the_next_build": "builds",
    "tests/test_cli.py::test_the_command_says_everything_and_exits_with_mains_code_though_it_leaves_at_once":
        "builds through the command line in a process",
}

def in_ci() -> bool:
    """Whether this run is CI's (CI set, as GitHub Actions sets it, to anything but empty, 0 or false).

    CI runs the checks whose every case costs minutes (axe on every page, the editor stories'
    every state); other runs check a sample that misses no template or edit (each says how).
    """
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# Fixtures that hand a test the real content: a test that uses one must be marked `content`.
REAL_CONTENT_FIXTURES = {"built_site", "site_url", "content_build"}


@pytest.hookimpl(tryfirst=True)  # before -m selects: the browser mark must be there to select by
def pytest_collection_modifyitems(config, items):
    """Mark tests in tests/browser/ `browser` and those SLOW names `slow`; refuse real content unmarked."""
    wrong = []
    for item in items:
        if Path(str(item.path)).is_relative_to(ROOT / "tests" / "browser"):
            item.add_marker(pytest.mark.browser)
        module = Path(str(item.path)).relative_to(ROOT).as_posix()
        if {module, f"{module}::{getattr(item, 'originalname', item.name)}"} & set(SLOW):
            item.add_marker(pytest.mark.slow)
        uses = REAL_CONTENT_FIXTURES & set(getattr(item, "fixturenames", ()))
        if uses and item.get_closest_marker("content") is None:
            wrong.append(f"{item.nodeid} uses {', '.join(sorted(uses))}")
    if wrong:
        raise pytest.UsageError("tests that read the real content must be marked content, so that "
                                "-m content selects them:\n  " + "\n  ".join(wrong))


def gc_state() -> tuple[bool, int, tuple[int, ...]]:
    """Whether the garbage collector is enabled, how many objects are frozen, and how often it collects."""
    return gc.isenabled(), gc.get_freeze_count(), gc.get_threshold()


GC_AT_START = gc_state()  # as the run began: what every test must leave


@contextmanager
def gc_left_as(state: tuple[bool, int, tuple[int, ...]]):
    """Fail if the block leaves the garbage collector otherwise than state (enabled, frozen, thresholds);
    restore it first."""
    yield
    now = gc_state()
    (gc.enable if state[0] else gc.disable)()
    if now[1] > state[1]:
        gc.unfreeze()  # the frozen go back to the oldest generation, where they would have been
    gc.set_threshold(*state[2])
    assert now == state, (
        f"the garbage collector was left {'enabled' if now[0] else 'disabled'} with {now[1]} objects frozen, "
        f"collecting at {now[2]}, not {'enabled' if state[0] else 'disabled'} with {state[1]} at {state[2]}, "
        "by this test or a fixture it set up (restored now, so the tests after it run as they would alone)")


@pytest.fixture(autouse=True)
def _gc_as_at_start():
    """Every test, and every fixture it sets up, leaves the garbage collector as the run began."""
    with gc_left_as(GC_AT_START):
        yield


@pytest.fixture
def site_dir(tmp_path, monkeypatch) -> Path:
    """A fresh copy of the fixture content at ./content, with the cwd set so messages say content/..."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


@pytest.fixture
def rich_dir(tmp_path) -> Path:
    """A fresh copy of the rich fixture content that a test may edit."""
    shutil.copytree(RICH, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def forks(monkeypatch):
    """Fork as the build command does, though threads of earlier tests may still run in this process
    (processes.fork would refuse, and make_in_two make every page alone); the process ids of the copies made."""
    from site_builder import processes

    monkeypatch.setattr(processes.threading, "active_count", lambda: 1)
    made, fork = [], os.fork

    def counted():
        pid = fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return made


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory: builders given it compile each template once per process.

    Jinja keys each entry by the template's name and file and checks it against the source's
    checksum, so a template changed on disk is compiled afresh.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="module")
def templates_compiled_once():
    """Builds through the command line with --no-cache, in this process, compile each template once a module.

    For modules that build in this process again and again and test neither the disk cache nor
    --no-cache: such a build still reads no cache on disk and writes none, and loads every
    template from its file; it only skips compiling the same text again (about 0.2 s a build).
    """
    from site_builder import diskcache

    compiled = CompiledTemplates()
    on_disk = diskcache.DiskCache.templates
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(diskcache.DiskCache, "templates",
                            lambda self: compiled if self.folder is None else on_disk(self))
        yield compiled


def build_with_cli(content: Path, folder: Path) -> Path:
    """Build a content folder through the command line into folder/output, with a cache of its own."""
    from site_builder.cli import main

    code = main(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(folder / "output"),
                 "--cache", str(folder / "cache")])
    assert code == 0, f"site-builder build --content {content} exited {code}: see the messages above"
    return folder / "output"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test run through the command line."""
    return build_with_cli(CONTENT, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def built_rich(tmp_path_factory) -> Path:
    """The rich fixture site, built once per test run through the command line, search index included."""
    return build_with_cli(RICH, tmp_path_factory.mktemp("rich"))


@pytest.fixture(scope="session")
def content_build():
    """The real site built in memory once per run: its model (.site) and its files (.files)."""
    from site_builder.build import SiteBuilder

    return SiteBuilder(CONTENT, TEMPLATES).build()


@pytest.fixture(scope="session")
def many_plans(tmp_path_factory):
    """The fixture site grown to N plans (tests/manyplans.py), built once per N per run: many_plans(10) -> output."""
    from manyplans import make_site
    from site_builder.cli import main

    built: dict[int, Path] = {}

    def build(count: int) -> Path:
        if count not in built:
            folder = tmp_path_factory.mktemp(f"plans{count}")
            make_site(folder / "content", count)
            code = main(["build", "--content", str(folder / "content"), "--templates", str(TEMPLATES),
                         "--out", str(folder / "output"), "--no-cache"])
            assert code == 0, f"building the fixture with {count} plans exited {code}: see the messages above"
            built[count] = folder / "output"
        return built[count]

    return build


def fresh(name: str, taken: set[str]) -> str:
    """A name nobody has used yet (its id not in `taken`): a test that adds to the real content must work
    whatever the content already holds, such as an editor's own "Street Safe Walks"."""
    from site_builder.registry import slugify

    number, found = 1, name
    while slugify(found) in taken:
        number += 1
        found = f"{name} {number}"
    return found


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file's text; fail if it is not there once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def write(content: Path, name: str, text: str) -> None:
    """Replace one content file with the text a test shows, dedented: its first line is line 1.

    A test that expects a message at a line and column writes the file inline, so the position can
    be counted in the test and no line added to a shared fixture moves it.
    """
    (content / name).write_text(textwrap.dedent(text), encoding="utf-8")


# The 2020-21 plan of the fixture site cut to one priority: write_plan adds the rows a test shows.
PLAN_HEAD = """\
period: "2020-21"
title: Annual Partnership Plan 2020-21
document: Example Plan 2020-21
priorities:
  - number: 1
    title: Tackling county lines
    short_title: County lines
    initiatives:
"""


def write_plan(content: Path, rows: str) -> None:
    """Write plans/2020-21.yaml as PLAN_HEAD (8 lines) and then the rows, indented under `initiatives:`.

    The rows' first line is line 9 of the file, and their columns are as the file has them.
    """
    write(content, "plans/2020-21.yaml", PLAN_HEAD + textwrap.indent(textwrap.dedent(rows), "      "))


def write_plan_2021(content: Path, rows: str, pfcc_plan: str = "") -> None:
    """Write plans/2021-22.yaml as the fixture's head cut to one priority (8 lines; 9 with a pfcc_plan line), then
    the rows, indented under the plan's own `initiatives:`: the first row is line 9 (10), at column 3."""
    head = ('period: "2021-22"\ntitle: Annual Partnership Plan 2021-22\ndocument: Example Plan 2021-22\n'
            + (f'pfcc_plan: "{pfcc_plan}"\n' if pfcc_plan else "")
            + "priorities:\n  - number: 1\n    title: Tackling anti-social behaviour\n"
              "    short_title: Anti-social behaviour\ninitiatives:\n")
    write(content, "plans/2021-22.yaml", head + textwrap.indent(textwrap.dedent(rows), "  "))


def touch_later(path: Path) -> None:
    """Move a file's mtime forward so that a rebuild sees it as changed."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
