"""The cache kept between runs (.cache/site-builder/): quicker builds, never different ones.

Each build here is its own process, as `make build` is, so what one run stores another reads.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURE, TEMPLATES, edit, read_tree

SITE_BUILDER = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "site-builder"
TEXT = "Safe places in town. See [the plans](/plans/).\n"  # a description in the fixture's 2020-21 plan
PAGE = "plans/2020-21/initiatives/keep-safe/index.html"


def build(content: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SITE_BUILDER), "build", "--content", str(content), "--templates", str(TEMPLATES),
                           "--out", str(out), "--no-search", *options], capture_output=True, text=True)


def stored(cache: Path) -> dict:
    with open(cache / "results.pickle", "rb") as file:
        return pickle.load(file)


@pytest.fixture
def content(tmp_path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "content")
    return tmp_path / "content"


def test_a_build_from_the_cache_equals_one_without(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "cold", "--cache", str(cache)).returncode == 0
    assert (cache / "results.pickle").is_file() and any((cache / "templates").iterdir())
    assert build(content, tmp_path / "warm", "--cache", str(cache)).returncode == 0
    assert build(content, tmp_path / "none", "--no-cache").returncode == 0
    assert read_tree(tmp_path / "warm") == read_tree(tmp_path / "cold") == read_tree(tmp_path / "none")


def test_stored_markdown_is_used_only_by_the_code_that_stored_it(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    results = stored(cache)
    rendered, findings = results["markdown"][(TEXT, 3)]
    # Plant a different rendering of the same text: a build that shows it read the cache.
    results["markdown"][(TEXT, 3)] = (type(rendered)(TEXT, type(rendered.html)("<p>PLANTED</p>"), "x"), findings)
    (cache / "results.pickle").write_bytes(pickle.dumps(results))
    assert build(content, tmp_path / "second", "--cache", str(cache)).returncode == 0
    assert b"PLANTED" in (tmp_path / "second" / PAGE).read_bytes()

    # Stored by other code (another renderer, another markdown-it): ignored, and replaced.
    results["version"] = "another version of the code"
    (cache / "results.pickle").write_bytes(pickle.dumps(results))
    assert build(content, tmp_path / "third", "--cache", str(cache)).returncode == 0
    assert b"PLANTED" not in (tmp_path / "third" / PAGE).read_bytes()
    assert read_tree(tmp_path / "third") == read_tree(tmp_path / "first")
    assert stored(cache)["markdown"][(TEXT, 3)][0].html == rendered.html


def test_a_damaged_cache_is_ignored_and_replaced(content, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "results.pickle").write_bytes(b"not a pickle at all")
    result = build(content, tmp_path / "out", "--cache", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (TEXT, 3) in stored(cache)["markdown"]


def test_damaged_compiled_templates_are_compiled_again(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "first", "--cache", str(cache)).returncode == 0
    entries = sorted((cache / "templates").iterdir())
    assert entries
    for entry in entries:  # cut short, as a full disk or a killed process might leave them
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    result = build(content, tmp_path / "second", "--cache", str(cache))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")


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
    texts = {source for source, _ in stored(cache)["markdown"]}
    assert TEXT not in texts and TEXT.replace("Safe ", "Safer ") in texts


def test_personal_data_is_refused_on_every_run_not_only_the_first(content, tmp_path):
    # The personal-data findings are cached too: a cached finding must still stop the build.
    cache = tmp_path / "cache"
    edit(content / "plans" / "2020-21.yaml", "Safe places in town.", "Write to jo.bloggs@example.com.")
    first = build(content, tmp_path / "out", "--cache", str(cache))
    assert (cache / "results.pickle").is_file()
    second = build(content, tmp_path / "out", "--cache", str(cache))
    assert first.returncode == second.returncode == 1
    assert "jo.bloggs@example.com' may be personal data" in second.stderr
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    assert not (tmp_path / "out").exists()


def test_no_cache_neither_reads_nor_writes_it(content, tmp_path):
    cache = tmp_path / "cache"
    assert build(content, tmp_path / "out", "--cache", str(cache), "--no-cache").returncode == 0
    assert not cache.exists()
