"""Output safety: the folders a build may replace, names that could leave the output, disk faults, kills.

Builds here run on a copy of the fixture site inside a git repository of its own (tmp/proj), so a
build into the wrong folder can only ever harm the copy; each test compares the whole copy before
and after. Kills and pauses are injected into forked build processes by the tests alone: the
builder has no test switch.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import forked
from conftest import FIXTURE, TEMPLATES, edit, in_ci, read_tree
from site_builder.cli import main

FAST = ["--no-search", "--no-cache"]


def snapshot(root: Path, times: bool = True) -> dict:
    """Every entry under root: a file's mode and bytes, a folder's mode (and times), a link's target."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [".", *dirs, *files] if folder == str(root) else [*dirs, *files]:
            path = os.path.normpath(os.path.join(folder, name))
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("folder", st.st_mode, st.st_mtime_ns if times else 0)
            else:
                found[rel] = ("file", st.st_mode, Path(path).read_bytes())
    return found


def err_lines(capsys) -> list[str]:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return captured.err.splitlines()


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A git repository with the fixture content, its own templates, a README and a built output/, made once."""
    proj = tmp_path_factory.mktemp("built") / "proj"
    shutil.copytree(FIXTURE, proj / "content")
    shutil.copytree(TEMPLATES, proj / "templates")
    (proj / "README.md").write_text("The project's own file.\n")
    subprocess.run(["git", "init", "-q", str(proj)], check=True)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(proj)
        assert main(["build", *FAST]) == 0
    return proj


@pytest.fixture
def project(built_project, tmp_path, monkeypatch) -> Path:
    """tmp/proj: a copy of built_project, byte for byte and mode for mode (a build takes longer than a copy)."""
    proj = tmp_path / "proj"
    shutil.copytree(built_project, proj, symlinks=True)
    monkeypatch.chdir(proj)
    return proj


# --out: refused folders -------------------------------------------------------------------------

REFUSED = {
    ".": "holds the content folder",
    "..": "holds the content folder",
    "content": "is the content folder",
    "content/plans": "is inside the content folder",
    "templates": "is the templates folder",
    "templates/assets/site": "is inside the templates folder",
    ".git": ".git",
    ".git/site": ".git",
    "/": "holds the content folder",
    "root-link": "holds the content folder",
    "docs": "did not write",
    "README.md": "not a folder",
    ".cache": "holds the cache folder",
}


@pytest.mark.parametrize("out", sorted(REFUSED))
def test_out_refuses_the_project_its_folders_and_foreign_folders(project, out, capsys):
    (project / "docs").mkdir()
    (project / "docs/guide.md").write_text("Someone's notes.\n")
    (project / "root-link").symlink_to(project)
    capsys.readouterr()
    before = snapshot(project.parent)
    assert main(["build", "--out", out, *FAST]) == 2
    lines = err_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"site-builder: cannot build into '{out}': ") and REFUSED[out] in lines[0], lines
    assert snapshot(project.parent) == before


@pytest.mark.parametrize("folder, shown", [("/", "/"), ("content", "content/"), ("content/", "content/")])
def test_a_refusal_names_the_folder_kept_with_one_slash(folder, shown):
    """`--cache /` was refused as "inside the cache folder //": a kept folder is named with one slash after it."""
    from site_builder.outdir import check_place
    from site_builder.problems import UsageError

    with pytest.raises(UsageError) as refused:
        check_place(Path(folder) / "site", {"the cache folder": Path(folder)}, "build into", "--out")
    assert f"it is inside the cache folder {shown};" in str(refused.value), str(refused.value)


@pytest.mark.parametrize("out", [".", ".."])
def test_out_dot_from_the_project_root_exits_2_and_changes_nothing(project, out):
    """The acceptance case, as a user runs it: the real command, its terminal output."""
    before = snapshot(project.parent)
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--out", out, *FAST],
                          cwd=project, capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and f"'{out}'" in done.stderr, done.stderr
    assert snapshot(project.parent) == before


@pytest.mark.parametrize("out", ["output", "new/site", "empty"])
def test_out_may_be_the_builders_own_a_new_or_an_empty_folder(project, out):
    (project / "empty").mkdir()
    built = read_tree(project / "output")
    assert main(["build", "--out", out, *FAST]) == 0
    assert read_tree(project / out) == built
    assert ".site-builder" in built and b"site-builder" in built[".site-builder"]
    assert sorted(p.name for p in project.iterdir()) == sorted(
        {".git", "README.md", "content", "templates", "output", "empty", out.split("/")[0]})


def test_the_marker_is_a_dotfile_and_not_one_of_the_sites_files(project):
    """Netlify leaves dotfiles out of a deploy; the sitemap and the link checks never see the marker."""
    from site_builder.build import SiteBuilder

    files = SiteBuilder(project / "content", project / "templates").build().files
    assert ".site-builder" not in files
    assert set(read_tree(project / "output")) == set(files) | {".site-builder"}


# Names that could leave the output tree -------------------------------------------------------

BAD_NAMES = [
    "../escape.html", "a/../../escape.html", "..", "/tmp/escape.html", "a//b.html", "./a.html", "a/./b.html",
    "a\\..\\b.html", "a\0b.html", "", "a/", "x" * 252 + ".html", "é" * 128 + "/index.html",
    ".site-builder", ".site-builder/index.html",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_write_tree_refuses_a_name_that_could_leave_the_tree(tmp_path, name):
    from site_builder.outdir import UnsafeName
    from site_builder.write import write_tree

    out = tmp_path / "site" / "output"
    write_tree({"index.html": b"old"}, out)
    before = snapshot(tmp_path)
    with pytest.raises(UnsafeName) as info:
        write_tree({"index.html": b"new", name: b"PAYLOAD"}, out)
    assert "\n" not in str(info.value) and "refused" in str(info.value)
    assert snapshot(tmp_path) == before
    assert not any(b"PAYLOAD" in data for data in read_tree(tmp_path).values())


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_preview_sync_refuses_the_same_names_written_or_removed(tmp_path, name):
    from site_builder.outdir import UnsafeName
    from site_builder.write import sync_tree, write_tree

    folder = tmp_path / "site" / ".serve"
    write_tree({"index.html": b"old"}, folder)
    (tmp_path / "escape.html").write_text("a file beside the preview folder")
    before = snapshot(tmp_path)
    with pytest.raises(UnsafeName):
        sync_tree({"index.html": b"new", name: b"PAYLOAD"}, {"index.html", name}, set(), folder)
    with pytest.raises(UnsafeName):
        sync_tree({}, set(), {name or "/", "../escape.html"}, folder)
    assert snapshot(tmp_path) == before


def test_the_longest_name_a_file_system_takes_is_written(tmp_path):
    from site_builder.write import write_tree

    names = {"x" * 250 + ".html": b"a", "é" * 127 + "/index.html": b"b"}  # 255 and 254 bytes
    write_tree(names, tmp_path / "output")
    assert read_tree(tmp_path / "output") == {**names, ".site-builder": read_tree(tmp_path / "output")[".site-builder"]}


def test_a_name_that_is_both_a_file_and_a_folder_is_refused_before_writing(tmp_path):
    from site_builder.outdir import UnsafeName
    from site_builder.write import write_tree

    with pytest.raises(UnsafeName, match="both a file and a folder"):
        write_tree({"robots.txt": b"x", "robots.txt/index.html": b"y"}, tmp_path / "output")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("names", [("a", "a/b/index.html"), ("a", "a/b/c/index.html"), ("x/a", "x/a/b/c/d.html")])
def test_a_page_written_under_a_file_as_it_comes_is_refused_and_nothing_is_left(tmp_path, names):
    """new_tree.write, which makes each page's folder as the page comes (its parent's parents only where
    missing), meets a name taken by a file: the same refusal, and the fresh folder removed."""
    from site_builder.outdir import UnsafeName
    from site_builder.write import new_tree

    first, second = names
    with pytest.raises(UnsafeName, match="both a file and a folder"):
        with new_tree(tmp_path / "output") as tree:
            tree.add(first, b"x")
            tree.add(second, b"y")
    assert list(tmp_path.iterdir()) == []


HOSTILE_CONTENT = {
    "a page file named ...md": ("pages/...md", None),
    "a page named index.html.md": ("pages/index.html.md", None),
    "a page named robots.txt.md": ("pages/robots.txt.md", None),
    "a page named 404.html.md": ("pages/404.html.md", None),
    "a strategy named ...yaml": ("strategies/...yaml", None),
    "a title with no Latin letters": ("plans/2021-22.yaml", "- title: Ωμέγα Ж\n"),
    "a 300-character title": ("plans/2021-22.yaml", "- title: " + "Keep safe " * 30 + "\n"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CONTENT))
def test_content_never_makes_the_build_write_outside_its_output(project, case, capsys):
    """Whatever layer refuses it (content checks, or the output's last line of defence): exit 1, nothing written."""
    name, title = HOSTILE_CONTENT[case]
    content = project / "content"
    if title is not None:
        edit(content / name, "- title: Keep Safe relaunch\n", title)
    elif name.startswith("pages/"):
        shutil.copy(content / "pages/accessibility.md", content / name)
        edit(content / name, "title: Accessibility statement", "title: Another page")
    else:
        text = (content / "strategies/2016-19.yaml").read_text().replace('"2016-19"', '".."')
        (content / name).write_text(text)
    capsys.readouterr()
    before = snapshot(project.parent)
    code = main(["build", *FAST])
    lines = err_lines(capsys)
    if code == 0:  # accepted (a long title gets a shortened id): then only output/ changed, inside itself
        after = snapshot(project.parent)
        outside = lambda tree: {k: v for k, v in tree.items()  # noqa: E731
                                if not k.startswith(("proj/output", "proj/.output")) and k != "proj"}
        assert outside(after) == outside(before)
        assert all(os.path.realpath(project / "output" / rel).startswith(str(project / "output") + os.sep)
                   for rel in read_tree(project / "output"))
        return
    assert code == 1 and lines and lines[-1].endswith("output/ is unchanged."), (code, lines)
    assert snapshot(project.parent) == before


def test_a_site_builder_folder_where_the_build_runs_is_not_run_by_its_helper(project, monkeypatch):
    """Where there is no fork, the checking helper is a new Python, `python -P -m site_builder.privacy`:
    without -P, Python would look for the module in the folder the build runs in first, and run any
    site_builder/ found there."""
    from site_builder import processes

    started = []
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(OSError(errno.EAGAIN, "no fork")))
    monkeypatch.setattr(processes.subprocess, "Popen", lambda args, **kw: started.append(args) or Popen(args, **kw))
    planted = project / "site_builder"
    planted.mkdir()
    (planted / "__init__.py").write_text("open('PLANTED-RAN', 'w').close()\n")
    (planted / "privacy.py").write_text("open('PLANTED-RAN', 'w').close()\n")
    _change_content(project)
    assert main(["build", *FAST]) == 0
    assert [args[1:4] for args in started] == [["-P", "-m", "site_builder.privacy"]]
    assert not (project / "PLANTED-RAN").exists()
    assert b"Keep Safe again" in (project / "output/plans/2021-22/index.html").read_bytes()


Popen = subprocess.Popen


# Disk faults ----------------------------------------------------------------------------------


def _change_content(project: Path) -> None:
    edit(project / "content/plans/2021-22.yaml", "- title: Keep Safe relaunch\n", "- title: Keep Safe again\n")


def _assert_one_line_and_untouched(project: Path, before: dict, lines: list[str], reason: str) -> None:
    assert len(lines) == 1, lines
    assert lines[0].startswith("site-builder: the site was not built: cannot write output/") and reason in lines[0]
    assert lines[0].endswith("output/ is unchanged."), lines
    assert snapshot(project, times=False) == before  # the lock and temporary folder came and went


def _fault(monkeypatch, source: str) -> None:
    """Run source, which replaces an os function with a faulty one, in this process (and so in its forked
    copies, which write the pages they make)."""
    namespace: dict = {}
    real = {name: getattr(os, name) for name in ("write", "open", "mkdir")}
    exec(source, namespace)
    for name, function in real.items():  # what the source replaced, undone by monkeypatch after the test
        if getattr(os, name) is not function:
            replaced = getattr(os, name)
            setattr(os, name, function)
            monkeypatch.setattr(os, name, replaced)


def test_disk_full_while_writing_a_file(project, monkeypatch, capsys):
    _change_content(project)
    before = snapshot(project, times=False)
    # A file the build writes, a few files in.
    _fault(monkeypatch, """
import errno, os
_real_write, _calls = os.write, []
def _write(fd, data):
    if os.path.exists(f"/proc/self/fd/{fd}") and "/.output.new-" in os.readlink(f"/proc/self/fd/{fd}"):
        _calls.append(fd)
        if len(_calls) >= 10:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _real_write(fd, data)
os.write = _write
""")
    assert main(["build", *FAST]) == 1
    monkeypatch.undo()
    _assert_one_line_and_untouched(project, before, err_lines(capsys), "No space left on device")


def test_the_copy_that_makes_pages_killed_mid_build(project, monkeypatch, capsys, forks, tmp_path):
    """The forked copy that makes half the pages dies mid-file (out of memory, a stray kill): the builder
    makes what it left, and the tree is whole: the files of a build in which nothing died."""
    _change_content(project)
    assert main(["build", *FAST]) == 0
    whole = read_tree(project / "output")
    builder = os.getpid()
    # The builder makes the first run of pages (four) before the copy is made; then it waits for the copy to
    # begin (at most 10 s), so that on a busy machine it does not make every page before the copy makes one.
    _fault(monkeypatch, f"""
import os, signal, time
_real_write, _writes, _own = os.write, [], []
def _write(fd, data):
    if os.path.exists(f"/proc/self/fd/{{fd}}") and "/.output.new-" in os.readlink(f"/proc/self/fd/{{fd}}"):
        if os.getpid() == {builder}:
            _own.append(fd)
            waited = time.monotonic()
            while len(_own) > 4 and not os.path.exists({str(tmp_path / "begun")!r}) and time.monotonic() < waited + 10:
                time.sleep(0.005)
        else:
            open({str(tmp_path / "begun")!r}, "w").close()
            _writes.append(fd)
            if len(_writes) >= 3:  # a few files in, before a word of them is sent
                _real_write(fd, data[:len(data) // 2])
                open({str(tmp_path / "killed")!r}, "w").close()
                os.kill(os.getpid(), signal.SIGKILL)
    return _real_write(fd, data)
os.write = _write
""")
    assert main(["build", *FAST]) == 0
    monkeypatch.undo()
    assert forks and (tmp_path / "killed").exists()  # the copy that made pages was made, and died
    assert read_tree(project / "output") == whole


@pytest.mark.parametrize("where, error", [
    (".output.new-", errno.ENOSPC),  # creating a file in the new tree
    (".output.lock", errno.EROFS),  # the lock file beside output/, on a read-only file system
    (".output.lock", errno.EACCES),
])
def test_a_file_that_cannot_be_created(project, monkeypatch, capsys, where, error):
    _change_content(project)
    before = snapshot(project, times=False)
    _fault(monkeypatch, f"""
import os
_real_open = os.open
def _open(path, flags, *args, **kwargs):
    if {where!r} in os.fsdecode(path) and flags & os.O_CREAT:
        raise OSError({error}, os.strerror({error}), os.fsdecode(path))
    return _real_open(path, flags, *args, **kwargs)
os.open = _open
""")
    assert main(["build", *FAST]) == 1
    monkeypatch.undo()
    _assert_one_line_and_untouched(project, before, err_lines(capsys), os.strerror(error))


def test_a_temporary_folder_that_cannot_be_made(project, monkeypatch, capsys):
    _change_content(project)
    before = snapshot(project, times=False)
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):
        if ".output.new-" in os.fspath(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    assert main(["build", *FAST]) == 1
    monkeypatch.undo()
    _assert_one_line_and_untouched(project, before, err_lines(capsys), "No space left on device")


def _obey_file_modes() -> None:
    """Drop root's power to write where file modes forbid it (for the program this process runs next).

    Root keeps uid 0 but loses CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set,
    so the program it runs next checks permissions as an ordinary owner would.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_read_only_folder_around_the_output(tmp_path):
    """A real permission check, no monkeypatching: the folder around output/ is made read-only.

    Root ignores file modes, so when the tests run as root the build runs without the
    capabilities that let it (see _obey_file_modes); the same check then stops it as any user.
    """
    shutil.copytree(FIXTURE, tmp_path / "content")
    argv = [sys.executable, "-m", "site_builder", "build", "--templates", str(TEMPLATES), "--out", "site/output", *FAST]
    assert subprocess.run(argv, cwd=tmp_path, capture_output=True).returncode == 0
    _change_content(tmp_path)
    os.chmod(tmp_path / "site", 0o555)
    try:
        before = snapshot(tmp_path)
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                              preexec_fn=_obey_file_modes if os.geteuid() == 0 else None)
        assert snapshot(tmp_path) == before
    finally:
        os.chmod(tmp_path / "site", 0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Permission denied" in lines[0] and "site/output/" in lines[0], lines


# Kills and concurrent builds ------------------------------------------------------------------

_FORKS = forked.FORKS  # which loads this module too, before it forks


def _child_build(argv: list[str], fault: tuple | None) -> None:
    """Run `site-builder build` in this forked process, quietly; exit with its code.

    fault = (action, k, flag): SIGKILL this process just before or just after the k-th call that
    moves a tree (os.rename, os.replace, the builder's exchange), or pause after it until the
    file flag exists (having made flag.paused).
    """
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    if fault is not None:
        _inject(*fault)
    os._exit(main(argv))


def _inject(action: str, at: int, flag: str | None) -> None:
    if action == "slow-writes":  # each file takes a little longer: a kill lands in the writing and swap
        real_write = os.write

        def slow(fd, data):
            time.sleep(0.002)
            return real_write(fd, data)
        os.write = slow
        return
    calls = 0

    def wrap(real):
        def moved(*args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == at and action == "kill-before":
                os.kill(os.getpid(), signal.SIGKILL)
            result = real(*args, **kwargs)
            if calls == at and action == "kill-after":
                os.kill(os.getpid(), signal.SIGKILL)
            if calls == at and action == "pause-after":
                Path(flag + ".paused").touch()
                deadline = time.monotonic() + 120
                while not os.path.exists(flag) and time.monotonic() < deadline:
                    time.sleep(0.01)
            return result
        return moved

    os.rename, os.replace = wrap(os.rename), wrap(os.replace)
    try:
        from site_builder import outdir
    except ImportError:  # the builder before it had an atomic exchange
        return
    outdir.exchange = wrap(outdir.exchange)


def _start(argv, fault=None):
    process = _FORKS.Process(target=_child_build, args=(argv, fault))
    process.start()
    return process


class Trees:
    """Two contents, A and B, whose builds differ in files and bytes; out starts as A's build."""

    def __init__(self, tmp_path: Path, cache: bool = False):
        self.root = tmp_path
        self.out = tmp_path / "output"
        # A disk cache (as `make build` uses) skips compiling templates and Markdown again: a build
        # reaches its writing sooner, so each kill costs less. Only for builds one at a time.
        flags = ["--no-search", "--cache", str(tmp_path / "cache")] if cache else FAST
        shutil.copytree(FIXTURE, tmp_path / "a")
        shutil.copytree(FIXTURE, tmp_path / "b")
        _change_content_at(tmp_path / "b")
        shutil.copy(tmp_path / "b/pages/accessibility.md", tmp_path / "b/pages/more.md")
        edit(tmp_path / "b/pages/more.md", "title: Accessibility statement", "title: More")
        self.argv = {name: ["build", "--content", str(tmp_path / name), "--templates", str(TEMPLATES),
                            "--out", str(self.out), *flags] for name in "ab"}
        assert main(self.argv["b"]) == 0
        self.tree = {"b": read_tree(self.out)}
        assert main(self.argv["a"]) == 0
        self.tree["a"] = read_tree(self.out)
        assert set(self.tree["a"]) != set(self.tree["b"])

    def state(self) -> str:
        """Which complete tree output/ holds; fail if it is missing, partial or mixed."""
        assert self.out.is_dir(), "output/ is missing"
        tree = read_tree(self.out)
        for name, expected in self.tree.items():
            if tree == expected:
                return name
        extra, missing = set(tree) - set(self.tree["a"]), set(self.tree["a"]) - set(tree)
        raise AssertionError(f"output/ is neither tree: {len(tree)} files, not in A: {sorted(extra)[:5]}, "
                             f"missing from A: {sorted(missing)[:5]}")

    def make(self, name: str) -> None:
        if self.state() != name:
            assert main(self.argv[name]) == 0
            assert self.state() == name

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.name.startswith("."))


def _change_content_at(content: Path) -> None:
    edit(content / "plans/2021-22.yaml", "- title: Keep Safe relaunch\n", "- title: Keep Safe again\n")


SLOW = ("slow-writes", 0, None)
KILLS = 50 if in_ci() else 25  # kills at random moments; CI tries more of them


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_a_whole_old_or_new_tree(tmp_path, capsys):
    trees = Trees(tmp_path, cache=True)

    # Exactly before and after each step that moves a tree, in a build from A to B.
    killed = 0
    for at in range(1, 10):
        for action in ("kill-before", "kill-after"):
            trees.make("a")
            process = _start(trees.argv["b"], (action, at, None))
            process.join(120)
            assert process.exitcode in (0, -signal.SIGKILL)
            killed += process.exitcode == -signal.SIGKILL
            trees.state()
        if process.exitcode == 0:  # this build moved fewer than `at` trees: every move was covered
            break
    else:
        raise AssertionError("a build moved trees more than 9 times")
    assert killed >= 2

    # At random moments: half spread over a whole build, half over its writing and swap, which
    # starts when the temporary tree appears beside output/. Each build goes to the other tree.
    rng = random.Random(10)
    whole, writing = [], []
    for name in "ba":  # how long a build takes here and now
        started = time.monotonic()
        process = _start(trees.argv[name], SLOW)
        seen = _wait_for_new_tree(trees, process)
        process.join(120)
        assert process.exitcode == 0
        whole.append(time.monotonic() - started)
        writing.append(time.monotonic() - seen)
    kills, in_swap = 0, 0
    for attempt in range(400):  # on a busy machine more builds finish before their kill: keep going
        if kills >= KILLS and in_swap >= 3:
            break
        target = "a" if trees.state() == "b" else "b"
        earlier = frozenset(trees.leftovers())
        process = _start(trees.argv[target], SLOW)
        if attempt % 2 and kills < KILLS:
            time.sleep(rng.uniform(0, min(whole)))
        else:
            _wait_for_new_tree(trees, process, earlier)
            # To the build's exit (the old tree's removal too); every other time at once, so that
            # on a busy machine, where the writing's length measured above is no guide, some
            # kills still land while the new tree is being written.
            time.sleep(rng.uniform(0, min(writing)) if attempt % 4 else 0)
        process.kill()
        process.join(120)
        if process.exitcode == -signal.SIGKILL:
            kills += 1
            # Left behind mid-swap: the new tree (being written, or not yet exchanged) or the old one
            # (exchanged, not yet removed).
            left = set(trees.leftovers()) - earlier
            in_swap += any(name.startswith((".output.new-", ".output.old-")) for name in left)
        trees.state()
    assert kills >= KILLS
    assert in_swap >= 3, "no kill landed while the new tree was being written or swapped in"

    # The next build clears what the killed ones left.
    target = "a" if trees.state() == "b" else "b"
    assert main(trees.argv[target]) == 0
    assert trees.state() == target
    assert trees.leftovers() == []
    capsys.readouterr()


def _wait_for_new_tree(trees: Trees, process, earlier: frozenset[str] = frozenset()) -> float:
    """Wait until the build makes its temporary tree (or ends); return when.

    A tree left by a killed build before it (earlier) is not this build's: waiting for any tree
    returned at once, and the kill landed before the build began.
    """
    while process.is_alive():
        if any(name.startswith(".output.new-") and name not in earlier for name in os.listdir(trees.root)):
            break
        time.sleep(0.0002)
    return time.monotonic()


def test_a_second_build_waits_while_the_first_swaps(tmp_path, capsys):
    """The first build is paused just after its first move of a tree: the second must not move any."""
    trees = Trees(tmp_path)
    flag = str(tmp_path / "go")
    first = _start(trees.argv["b"], ("pause-after", 1, flag))
    deadline = time.monotonic() + 120
    while not os.path.exists(flag + ".paused"):
        assert first.is_alive() and time.monotonic() < deadline
        time.sleep(0.01)
    second = _start(trees.argv["a"])
    second.join(3)  # long enough for a whole build here; with the lock, it waits however long
    waited = second.is_alive()
    Path(flag).touch()
    first.join(120)
    second.join(120)
    assert (first.exitcode, second.exitcode) == (0, 0)
    assert waited, "the second build finished while the first was between the steps of its swap"
    assert trees.state() == "a"
    assert trees.leftovers() == []
    capsys.readouterr()


def test_builds_started_together_all_succeed_and_leave_a_whole_tree(tmp_path, capsys):
    trees = Trees(tmp_path)
    for _ in range(2):
        processes = [_start(trees.argv[name]) for name in "ab"]
        for process in processes:
            process.join(120)
        assert [p.exitcode for p in processes] == [0, 0]
        trees.state()
        assert trees.leftovers() == []
    capsys.readouterr()


def test_where_the_system_cannot_exchange_two_folders_the_swap_still_works(tmp_path, monkeypatch):
    """Other systems (or file systems without RENAME_EXCHANGE) fall back to two renames under the lock."""
    from site_builder import outdir

    trees = Trees(tmp_path)
    monkeypatch.setattr(outdir, "exchange", lambda new, out: False)
    assert main(trees.argv["b"]) == 0
    assert trees.state() == "b"
    assert trees.leftovers() == []


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(tmp_path):
    from site_builder.outdir import MARKER, MARKER_TEXT

    trees = Trees(tmp_path)
    (tmp_path / ".output.new-abc123xy/plans").mkdir(parents=True)  # a killed build's tree, as mkdtemp names it
    (tmp_path / ".output.new-abc123xy" / MARKER).write_bytes(MARKER_TEXT)
    (tmp_path / ".output.new-abc123xy/plans/index.html").write_text("half")
    (tmp_path / ".output.new-killed00").mkdir()  # killed before its marker was written: empty
    (tmp_path / ".output.old-4242/tree").mkdir(parents=True)  # the old tree, put aside by a swap
    (tmp_path / ".output.old-4242" / MARKER).write_bytes(MARKER_TEXT)
    (tmp_path / ".output.lock").touch()
    (tmp_path / ".other").mkdir()  # not the builder's: kept
    assert main(trees.argv["b"]) == 0
    assert trees.leftovers() == [".other"]


def test_a_tree_is_removed_marker_last(tmp_path, monkeypatch):
    """A build killed while it removes the tree it replaced leaves a tree the next build knows for its own:
    the marker goes last (a tree of files without it is the user's, and kept)."""
    from site_builder import outdir

    tree = tmp_path / ".output.new-abcd1234"
    for name in ("a", "b", "c"):
        (tree / name).mkdir(parents=True)
        (tree / name / "index.html").write_text("x")
        (tree / f"{name}.html").write_text("x")
    (tree / outdir.MARKER).write_bytes(outdir.MARKER_TEXT)
    removed = []
    unlink = os.unlink
    monkeypatch.setattr(outdir.os, "unlink", lambda path, *a, **k: (removed.append(os.fsdecode(path)), unlink(path, *a, **k)))
    outdir.remove_tree(tree)
    assert not tree.exists()
    assert len(removed) == 7 and Path(removed[-1]).name == outdir.MARKER, removed


def test_folders_and_files_beside_the_output_that_the_builder_did_not_make_are_kept(tmp_path, capsys):
    """Named like a build's leftovers, but the user's: a backup of the output, a folder of theirs, their
    own .lock file. The builder removes only trees that hold its marker, and never a lock file it did not
    write (a build then stops, naming it, until it is moved)."""
    trees = Trees(tmp_path)
    for name in (".output.old-backup", ".output.new-mine", ".output.old-4242"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "precious.txt").write_text("keep\n")
    shutil.copytree(trees.out, tmp_path / ".output.old-copy")  # a copy of the output, marker and all
    (tmp_path / ".output.old-copy" / "precious.txt").write_text("keep\n")
    assert main(trees.argv["b"]) == 0
    for name in (".output.old-backup", ".output.new-mine", ".output.old-4242", ".output.old-copy"):
        assert (tmp_path / name / "precious.txt").read_text() == "keep\n", name
    (tmp_path / ".output.lock").write_text("my notes\n")
    assert main(trees.argv["a"]) == 2
    assert ".output.lock" in capsys.readouterr().err
    assert (tmp_path / ".output.lock").read_text() == "my notes\n"
    assert trees.state() == "b"
