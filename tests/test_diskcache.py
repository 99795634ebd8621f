"""The cache kept between runs (.cache/site-builder/): quicker builds, never different ones.

Each build here is its own process, as `make build` is, so what one run stores another reads and
nothing one run keeps in memory reaches the next: forked from a process that has imported the
builder and run nothing (tests/forked.py), which spares each build Python's start. The test of a
change to the builder's own files runs the real command, on a copy of the package.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

import forked
from conftest import FIXTURE, TEMPLATES, edit, read_tree

SITE_BUILDER = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "site-builder"
TEXT = "Safe places in town. See [the plans](/plans/).\n"  # a description in the fixture's 2020-21 plan
PAGE = "plans/2020-21/initiatives/keep-safe/index.html"


def build(content: Path, out: Path, *options: str, env: dict | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess:
    return forked.run(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out),
                       "--no-search", *options], env={**os.environ, **(env or {})}, timeout=timeout)


def stored(cache: Path) -> dict:
    """The results file's JSON, if this machine's key signed it."""
    from site_builder import diskcache

    payload = diskcache.read_signed(cache / diskcache.RESULTS, diskcache.RESULTS)
    assert payload is not None, f"no results signed by this machine in {cache}"
    return json.loads(payload)


def store(cache: Path, value) -> None:
    """Write results this machine's key signs, as if this machine's builder had made them."""
    from site_builder import diskcache

    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    diskcache.write_signed(cache / diskcache.RESULTS, diskcache.RESULTS, data)


def rendered(results: dict, text: str) -> list:
    """The stored rendering of a Markdown text: [source, heading level, html, text, findings]."""
    [entry] = [e for e in results["markdown"] if e[:2] == [text, 3]]
    return entry


@pytest.fixture
def content(tmp_path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "content")
    return tmp_path / "content"


def test_a_build_from_the_cache_equals_one_without(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "cold", "--cache", str(cache)).returncode == 0
    assert stored(cache)["markdown"] and stored(cache)["privacy"]
    assert any(p.is_file() for p in cache.glob("templates*/*")), "compiled templates are kept"
    assert build(content, tmp_path / "warm", "--cache", str(cache)).returncode == 0
    assert build(content, tmp_path / "none", "--no-cache").returncode == 0
    assert read_tree(tmp_path / "warm") == read_tree(tmp_path / "cold") == read_tree(tmp_path / "none")


def test_stored_markdown_is_used_only_by_the_code_that_stored_it(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    results = stored(cache)
    html = rendered(results, TEXT)[2]
    # Plant a different rendering of the same text: a build that shows it read the cache.
    rendered(results, TEXT)[2:4] = ["<p>PLANTED</p>", "x"]
    store(cache, results)
    assert build(content, tmp_path / "second", "--cache", str(cache)).returncode == 0
    assert b"PLANTED" in (tmp_path / "second" / PAGE).read_bytes()

    # Stored by other code (another renderer, another markdown-it): ignored, and replaced.
    results["version"] = "another version of the code"
    store(cache, results)
    assert build(content, tmp_path / "third", "--cache", str(cache)).returncode == 0
    assert b"PLANTED" not in (tmp_path / "third" / PAGE).read_bytes()
    assert read_tree(tmp_path / "third") == read_tree(tmp_path / "first")
    assert rendered(stored(cache), TEXT)[2] == html


def test_a_damaged_cache_is_ignored_and_replaced(content, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    from site_builder.diskcache import RESULTS

    (cache / RESULTS).write_bytes(b"not a cache at all")
    result = build(content, tmp_path / "out", "--cache", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert rendered(stored(cache), TEXT)


def test_damaged_compiled_templates_are_compiled_again(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    entries = sorted(cache.glob("templates*/*"))
    assert entries
    for entry in entries:  # cut short, as a full disk or a killed process might leave them
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    result = build(content, tmp_path / "second", "--cache", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")


def test_compiled_templates_of_other_code_are_removed_with_a_stopped_writes_leftover(content, tmp_path):
    """Another version's compiled templates are of no use again, even beside the temporary file of a
    write that was stopped; a folder so named that holds anything else is not the cache's, and stays."""
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    [ours] = cache.glob("templates-*")
    old, other = cache / "templates-0000000000000000", cache / "templates-1111111111111111"
    shutil.copytree(ours, old)
    next(old.iterdir()).with_suffix(".cache.abcd1234").write_bytes(b"site-builder sig")  # cut short
    shutil.copytree(ours, other)
    (other / "notes.txt").write_text("mine\n")
    assert build(content, tmp_path / "second", "--cache", str(cache)).returncode == 0
    assert not old.exists() and (other / "notes.txt").read_text() == "mine\n"


def test_a_cache_that_cannot_be_made_is_done_without(content, tmp_path):
    (tmp_path / "file").write_text("a file where the cache folder's parent should be")
    result = build(content, tmp_path / "out", "--cache", str(tmp_path / "file" / "cache"))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "out" / PAGE).is_file()


def test_templates_compile_when_their_cache_cannot_be_written(tmp_path):
    from site_builder.diskcache import DiskCache
    from site_builder.render import Renderer

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "answer.html").write_text("{{ 6 * 7 }}")
    cache = DiskCache(tmp_path / "cache")
    bytecode = cache.templates()
    shutil.rmtree(tmp_path / "cache")  # gone after it was set up: every write fails
    template = Renderer(tmp_path / "templates", bytecode).env.get_template("answer.html")
    assert template.render() == "42"  # compiled, though not stored
    assert not (tmp_path / "cache").exists()


def test_the_cache_keeps_only_what_the_last_run_used(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    edit(content / "plans" / "2020-21.yaml", "Safe places in town.", "Safer places in town.")
    assert build(content, tmp_path / "second", "--cache", str(cache)).returncode == 0
    texts = {source for source, *_ in stored(cache)["markdown"]}
    assert TEXT not in texts and TEXT.replace("Safe ", "Safer ") in texts


def test_personal_data_is_refused_on_every_run_not_only_the_first(content, tmp_path):
    # The personal-data findings are cached too: a cached finding must still stop the build.
    cache = tmp_path / "cache"
    edit(content / "plans" / "2020-21.yaml", "Safe places in town.", "Write to jo.bloggs@example.com.")
    first = build(content, tmp_path / "out", "--cache", str(cache))
    assert stored(cache)["privacy"]
    second = build(content, tmp_path / "out", "--cache", str(cache))
    assert first.returncode == second.returncode == 1
    assert "jo.bloggs@example.com' may be personal data" in second.stderr
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    assert not (tmp_path / "out").exists()


def test_no_cache_neither_reads_nor_writes_it(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "out", "--cache", str(cache), "--no-cache").returncode == 0
    assert not cache.exists()


# ---------------------------------------------------------------------------------------------
# A cache that cannot run code: whatever is planted in it, a build ignores it (issue 10).

class Planted:
    """Unpickled, creates a file: proof that the cache ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def plant_everywhere(cache: Path, payload: bytes) -> list[Path]:
    """Replace every file the cache holds with payload; also put it where older versions kept results."""
    files = [p for p in cache.rglob("*") if p.is_file()] + [cache / "results.pickle"]
    for path in files:
        path.write_bytes(payload)
    return files


def test_a_pickle_planted_in_the_cache_never_runs(content, tmp_path):
    cache, marker = tmp_path / "cache", tmp_path / "RAN"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    # Jinja's bytecode files start with a magic and then a pickled checksum: plant both forms.
    import jinja2.bccache

    payload = pickle.dumps(Planted(marker), protocol=2)
    planted = plant_everywhere(cache, payload)
    for path in planted:
        if path.parent != cache:  # a compiled template: Jinja's header, then the pickle
            path.write_bytes(jinja2.bccache.bc_magic + payload)
    result = build(content, tmp_path / "second", "--cache", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert not marker.exists(), "a file in the cache ran as code"
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")


def test_a_cache_signed_on_another_machine_is_not_believed(content, tmp_path, monkeypatch):
    """A cache made elsewhere (committed to a branch, say) is ignored: it could wave personal data through."""
    from site_builder import diskcache

    cache = tmp_path / "cache"
    elsewhere = {"XDG_CACHE_HOME": str(tmp_path / "elsewhere")}  # where the other machine keeps its key
    edit(content / "plans" / "2020-21.yaml", "Safe places in town.", "Write to jo.bloggs@example.com.")
    assert build(content, tmp_path / "out", "--cache", str(cache), env=elsewhere).returncode == 1
    # On the other machine, rewrite its cache to say that the file holds no personal data.
    monkeypatch.setenv("XDG_CACHE_HOME", elsewhere["XDG_CACHE_HOME"])
    results = stored(cache)
    assert results["privacy"], "the findings were stored"
    for entry in results["privacy"]:
        entry[-1] = []
    store(cache, results)
    assert build(content, tmp_path / "out", "--cache", str(cache), env=elsewhere).returncode == 0, \
        "the machine whose key signed the cache believes it (so the forgery is a real one)"
    # This machine has its own key: the forged cache is not read, and the address is refused.
    monkeypatch.undo()
    shutil.rmtree(tmp_path / "out")
    result = build(content, tmp_path / "out", "--cache", str(cache))
    assert result.returncode == 1 and "jo.bloggs@example.com' may be personal data" in result.stderr
    assert not (tmp_path / "out").exists()


def _damage(kind: str, cache: Path) -> None:
    from site_builder import diskcache

    path = cache / diskcache.RESULTS
    good = stored(cache)
    version = good["version"]
    [entry] = [e for e in good["markdown"] if e[0] == TEXT]
    if kind == "garbage":
        path.write_bytes(os.urandom(4096))
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "huge":  # sparse: larger than any real cache, without filling the disk
        with open(path, "r+b") as file:
            file.truncate(diskcache.MAX_RESULTS + 1)
    elif kind == "fifo":  # reading it would wait for ever
        path.unlink()
        os.mkfifo(path)
    elif kind == "device":
        path.unlink()
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.unlink()
        path.mkdir()
    elif kind == "not-json":
        store(cache, b"\xff{not json")
    elif kind == "deep":
        store(cache, b"[" * 200_000 + b"]" * 200_000)
    elif kind == "not-an-object":
        store(cache, [])
    elif kind == "markdown-not-a-list":
        store(cache, {**good, "markdown": "x"})
    elif kind == "html-not-text":
        store(cache, {**good, "markdown": [[TEXT, 3, 5, "x", []]]})
    elif kind == "heading-a-bool":
        store(cache, {**good, "markdown": [[TEXT, True, "<p>PLANTED</p>", "x", []]]})
    elif kind == "finding-line-text":
        store(cache, {**good, "markdown": [[TEXT, 3, "<p>PLANTED</p>", "x", [["1", "m", "e", "h"]]]]})
    elif kind == "entry-too-long":
        store(cache, {**good, "markdown": [entry + ["extra"]]})
    elif kind == "problem-line-text":
        store(cache, {**good, "privacy": [["00" * 32, "f", "k", [["f", "1", 1, "", "m", "", "", "error"]]]]})
    elif kind == "digest-not-hex":
        store(cache, {**good, "privacy": [["zz", "f", "k", []]]})
    elif kind == "other-version":
        store(cache, {**good, "version": ("1" if version[0] == "0" else "0") + version[1:],  # never the real one
                               "markdown": [[TEXT, 3, "<p>PLANTED</p>", "x", []]]})
    else:
        raise AssertionError(kind)


DAMAGE = ["garbage", "truncated", "empty", "huge", "fifo", "device", "folder", "not-json", "deep",
          "not-an-object", "markdown-not-a-list", "html-not-text", "heading-a-bool", "finding-line-text",
          "entry-too-long", "problem-line-text", "digest-not-hex", "other-version"]


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> Path:
    """The fixture built once with a new cache: each damage case damages a copy of its cache."""
    root = tmp_path_factory.mktemp("first")
    shutil.copytree(FIXTURE, root / "content")
    assert build(root / "content", root / "first", "--cache", str(root / "cache")).returncode == 0
    return root


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_or_hostile_results_file_is_ignored(first_build, tmp_path, kind):
    cache = tmp_path / "cache"
    shutil.copytree(first_build / "cache", cache, symlinks=True)
    _damage(kind, cache)
    result = build(first_build / "content", tmp_path / "second", "--cache", str(cache), timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr and result.stderr == "", result.stderr
    assert read_tree(tmp_path / "second") == read_tree(first_build / "first")
    assert b"PLANTED" not in (tmp_path / "second" / PAGE).read_bytes()


def test_a_compiled_template_signed_elsewhere_is_not_loaded(content, tmp_path, monkeypatch):
    """Compiled templates are code: one this machine did not sign is compiled afresh, never loaded."""
    import marshal

    import jinja2.bccache

    from site_builder import diskcache
    from site_builder.render import Renderer

    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    entries = sorted(cache.glob("templates*/*"))
    assert entries
    # Code for base.html that adds PLANTED, under the checksum of the real base.html: Jinja
    # itself would take it for the compiled real template.
    env = Renderer(TEMPLATES).env
    source, filename, _ = env.loader.get_source(env, "base.html")
    code = env.compile(source.replace("</body>", "PLANTED</body>"), "base.html", filename)
    checksum = jinja2.BytecodeCache().get_source_checksum(source)
    payload = jinja2.bccache.bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)

    def plant() -> None:
        for entry in entries:  # whichever holds base.html: the others fail Jinja's checksum
            diskcache.write_signed(entry, "template " + entry.stem, payload)

    plant()  # signed by this machine: loaded, which shows that the planted code is well made
    assert build(content, tmp_path / "ours", "--cache", str(cache)).returncode == 0
    assert b"PLANTED" in (tmp_path / "ours" / "index.html").read_bytes()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    plant()  # signed by another machine's key
    monkeypatch.undo()
    result = build(content, tmp_path / "second", "--cache", str(cache))
    assert result.returncode == 0, result.stderr
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")


# ---------------------------------------------------------------------------------------------
# The cache's version covers all the code that made what it holds.

def test_every_file_of_the_package_is_in_the_code_version(tmp_path):
    from site_builder import diskcache

    package = tmp_path / "site_builder"
    shutil.copytree(diskcache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    files = diskcache.code_files(package)
    names = {p.relative_to(package).as_posix() for p in files}
    assert {"diskcache.py", "markdown.py", "privacy.py", "problems.py", "registry.py", "render.py"} <= names
    assert names == {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    base = diskcache.code_version(package)
    assert diskcache.code_version(package) == base
    for path in files:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert diskcache.code_version(package) != base, f"a change to {path.name} keeps the cache"
        path.write_bytes(original)
    (package / "new_module.py").write_text("")
    assert diskcache.code_version(package) != base, "a new module keeps the cache"


def test_the_code_version_covers_the_libraries(monkeypatch):
    from importlib import metadata

    from site_builder import diskcache

    base = diskcache.code_version(diskcache.PACKAGE)
    real = metadata.version
    for library in ("markdown-it-py", "mdurl", "jinja2", "markupsafe", "pyyaml"):
        monkeypatch.setattr(metadata, "version",
                            lambda name, library=library: "0.0.0" if name.lower() == library else real(name))
        assert diskcache.code_version(diskcache.PACKAGE) != base, library
    monkeypatch.setattr(metadata, "version", real)
    monkeypatch.setattr(diskcache.sys, "version", "3.0.0 (another python)")
    assert diskcache.code_version(diskcache.PACKAGE) != base


def results_file(cache: Path) -> tuple:
    """The results file's name, bytes and modification time: whether a build wrote it again."""
    [path] = [p for p in cache.iterdir() if p.is_file() and p.name != "CACHEDIR.TAG"]
    return path.name, path.read_bytes(), path.stat().st_mtime_ns


def test_a_change_to_any_module_of_the_builder_starts_the_cache_afresh(content, tmp_path):
    """privacy.fingerprint uses registry.normalise: a change there must not reuse the stored findings."""
    package = tmp_path / "code" / "site_builder"
    shutil.copytree(Path(__file__).resolve().parent.parent / "site_builder", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    python = SITE_BUILDER.parent / "python"
    cache = tmp_path / "cache"

    def run() -> None:
        result = subprocess.run([str(python), "-m", "site_builder", "build", "--content", str(content),
                                 "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"), "--no-search",
                                 "--cache", str(cache)], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr

    where = subprocess.run([str(python), "-c", "import site_builder; print(site_builder.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path).stdout.strip()
    assert Path(where).parent == package, "the copy of the package is the one that runs"
    run()
    first = results_file(cache)
    run()
    assert results_file(cache) == first, "the same code reuses the cache as it is"
    with open(package / "registry.py", "a", encoding="utf-8") as file:
        file.write("\n# changed\n")
    run()
    assert results_file(cache) != first, "a change to registry.py reused the stored results"


# ---------------------------------------------------------------------------------------------
# The caches in memory are bounded: a long preview renders and checks every saved version of a text.

def test_rendered_markdown_kept_in_memory_is_bounded(monkeypatch):
    from site_builder import markdown
    from site_builder.reuse import Memo

    monkeypatch.setattr(markdown, "memo", Memo(keep=5))
    first, _ = markdown.render("kept *because* it is used again")
    for n in range(50):
        markdown.render(f"text number {n}")
        assert markdown.render("kept *because* it is used again")[0] is first, "the most used text was dropped"
    assert len(markdown.memo.used) == 5
    assert ("text number 49", 3) in markdown.memo.used and ("text number 0", 3) not in markdown.memo.used


def test_personal_data_findings_kept_in_memory_are_bounded(monkeypatch, site_dir):
    from site_builder import privacy
    from site_builder.load import load_site

    from site_builder.reuse import Memo

    config = load_site(site_dir).config
    monkeypatch.setattr(privacy, "memo", Memo(keep=5))
    for n in range(50):
        privacy.check_sources([type("Source", (), {"text": f"version {n} of a page", "rel": "pages/a.md", "nodes": None})],
                              config)
    assert len(privacy.memo.used) == 5


@pytest.mark.parametrize("damage", ["short", "folder", "fifo"])
def test_a_damaged_key_is_made_again_or_done_without(content, tmp_path, monkeypatch, damage):
    from site_builder import diskcache

    home = tmp_path / "home"
    key = home / "site-builder" / "key"
    key.parent.mkdir(parents=True)
    if damage == "short":
        key.write_bytes(b"short")
    elif damage == "folder":
        key.mkdir()
    else:
        os.mkfifo(key)
    cache = tmp_path / "cache"
    result = build(content, tmp_path / "out", "--cache", str(cache), env={"XDG_CACHE_HOME": str(home)}, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (tmp_path / "out" / PAGE).is_file()
    if damage == "short":  # a file that is not a key is replaced: the next run has its cache
        monkeypatch.setenv("XDG_CACHE_HOME", str(home))
        assert len(key.read_bytes()) == diskcache.KEY_BYTES
        assert rendered(stored(cache), TEXT)


def test_the_hosts_secret_key_carries_the_cache_to_a_fresh_machine_and_no_other_key_reads_it(
        content, tmp_path, monkeypatch):
    """Every Netlify build runs on a fresh machine: with the host's secret (SITE_BUILDER_CACHE_KEY, production
    only) it reads the last production build's cache; a build without it, or with another, does not."""
    secret, other = "ab" * 32, "cd" * 32
    cache = tmp_path / "cache"
    machine = lambda name, key: {"XDG_CACHE_HOME": str(tmp_path / name), "SITE_BUILDER_CACHE_KEY": key}  # noqa: E731
    edit(content / "plans" / "2020-21.yaml", "Safe places in town.", "Write to jo.bloggs@example.com.")
    assert build(content, tmp_path / "out", "--cache", str(cache), env=machine("first", secret)).returncode == 1
    # Forge the stored findings to say the file holds no personal data, signed with the secret.
    monkeypatch.setenv("SITE_BUILDER_CACHE_KEY", secret)
    results = stored(cache)
    for entry in results["privacy"]:
        entry[-1] = []
    store(cache, results)
    assert build(content, tmp_path / "out", "--cache", str(cache), env=machine("second", secret)).returncode == 0, \
        "a fresh machine with the secret reads the cache (so it was the cache that passed the file)"
    shutil.rmtree(tmp_path / "out")
    for env in (machine("third", other), machine("fourth", "not hex"), {"XDG_CACHE_HOME": str(tmp_path / "fifth")}):
        result = build(content, tmp_path / "out", "--cache", str(cache), env=env)
        assert result.returncode == 1 and "jo.bloggs@example.com' may be personal data" in result.stderr, env
