"""Defects found by the red team on the merged fix of issue #10, each a test that fails until fixed.

Each runs the command line in its own process on a copy of the fixture site, as a user would: forked
from one that has imported the builder and run nothing (tests/forked.py), which spares each Python's start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import forked
from conftest import FIXTURE, TEMPLATES

SITE_BUILDER = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "site-builder"
PLAN = "plans/2021-22.yaml"


def run(cwd: Path, *args: str, key_home: Path) -> subprocess.CompletedProcess:
    """site-builder in cwd, with a cache key of its own (never the user's ~/.cache)."""
    return forked.run(list(args), cwd=cwd, env={**os.environ, "XDG_CACHE_HOME": str(key_home)}, timeout=120)


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder as a clone has it: content/ and templates/ side by side."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    return root


# ---- the cache folder: the builder deletes folders it did not make ---------------------------

@pytest.mark.parametrize("command", [["check"], ["build", "--no-search", "--out", "{tmp}/elsewhere"]])
def test_cache_given_as_the_project_leaves_templates_alone(project, tmp_path, command):
    """`--cache .` is a slip of the keyboard: it must never delete the project's templates/."""
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    result = run(project, *args, "--cache", ".", key_home=tmp_path / "key")
    assert "Traceback" not in result.stderr
    assert (project / "templates" / "base.html").is_file(), (
        f"`{' '.join(args)} --cache .` deleted templates/: {result.stdout}{result.stderr}")


def test_a_planted_cache_link_does_not_delete_templates(project, tmp_path):
    """A link at .cache/site-builder (committed to a branch, say) to the project: `make check` must not
    delete templates/ (DiskCache.templates() removes every 'templates*' folder in the cache folder)."""
    (project / ".cache").mkdir()
    (project / ".cache" / "site-builder").symlink_to("..", target_is_directory=True)
    result = run(project, "check", key_home=tmp_path / "key")
    assert "Traceback" not in result.stderr
    assert (project / "templates" / "base.html").is_file(), f"templates/ deleted: {result.stdout}{result.stderr}"


def test_a_cache_folder_of_other_files_keeps_them(project, tmp_path):
    """--cache pointed at a folder of the user's own: their 'templates-old' folder must survive."""
    mine = tmp_path / "mine"
    (mine / "templates-old").mkdir(parents=True)
    (mine / "templates-old" / "base.html").write_text("my work\n")
    run(project, "check", "--cache", str(mine), key_home=tmp_path / "key")
    assert (mine / "templates-old" / "base.html").read_text() == "my work\n"


@pytest.mark.parametrize("tagged", [False, True], ids=["untagged", "tagged by another tool"])
@pytest.mark.parametrize("name", ["templates", "templates-0123456789abcdef"])
def test_a_cache_folder_holding_a_templates_folder_of_the_users_keeps_it(project, tmp_path, name, tagged):
    """--cache pointed at a folder holding the user's own 'templates' (meaning --templates ../theme/templates
    and typing --cache ../theme), or another tool's cache, tagged CACHEDIR.TAG as the standard says: the
    builder removes only compiled templates it wrote and signed, never the user's files."""
    theirs = tmp_path / "theme"
    (theirs / name).mkdir(parents=True)
    (theirs / name / "page.html").write_text("precious\n")
    if tagged:
        (theirs / "CACHEDIR.TAG").write_bytes(b"Signature: 8a477f597d28d172789f06886806bc55\n# another tool's cache\n")
    for command in (["check"], ["build", "--no-search", "--out", str(tmp_path / "out")]):
        result = run(project, *command, "--cache", str(theirs), key_home=tmp_path / "key")
        assert "Traceback" not in result.stderr
        assert (theirs / name / "page.html").read_text() == "precious\n", (
            f"`{' '.join(command)} --cache` removed {name}/: {result.stdout}{result.stderr}")


# ---- addresses from titles ---------------------------------------------------------------------

def test_a_cyrillic_title_asks_for_an_id_not_a_lookalike_address(project, tmp_path):
    """A title with no Latin letter (here Russian) must ask for an `id:`, as one in Greek does, and as
    the content guide says; today the Cyrillic letters that look Latin make the address 'poaa-pecyoc'."""
    plan = project / "content" / PLAN
    plan.write_text(plan.read_text().replace("  - title: Keep Safe relaunch", "  - title: Профилактика преступности"))
    result = run(project, "build", "--no-search", "--out", str(tmp_path / "out"), key_home=tmp_path / "key")
    initiatives = tmp_path / "out" / "plans" / "2021-22" / "initiatives"
    made = sorted(p.name for p in initiatives.iterdir()) if initiatives.is_dir() else []
    assert "poaa-pecyoc" not in made, "a Russian title became the address /initiatives/poaa-pecyoc/"
    assert result.returncode == 1 and "id:" in result.stderr, result.stdout + result.stderr


# ---- the personal-data gate --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Jаne Exаmple leads it.",  # Cyrillic а (U+0430) in both words
                                  "Jane Ехample leads it."])  # Cyrillic Е, х
def test_a_blocked_name_in_lookalike_letters_is_caught(project, tmp_path, text):
    """A reader sees 'Jane Example': letters from another alphabet that look Latin (a PDF copy makes
    them, as registry.py says) must not carry a blocked name past the check."""
    (project / "content" / "pages" / "p.md").write_text(f"---\ntitle: A page\ndescription: d\n---\n{text}\n")
    result = run(project, "build", "--no-search", "--out", str(tmp_path / "out"), key_home=tmp_path / "key")
    assert result.returncode == 1, f"built with a blocked name: {result.stdout}"
    assert "content/pages/p.md:5:" in result.stderr and "must not be published" in result.stderr, result.stderr


# ---- --base-url --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://example.org:99999", "https://example.org:0", "https://example.org:65536"])
def test_base_url_with_an_impossible_port_is_a_usage_error(project, tmp_path, url):
    """No browser opens https://example.org:99999/: it is no absolute http(s) address (exit 2)."""
    result = run(project, "build", "--no-search", "--out", str(tmp_path / "out"), "--base-url", url,
                 key_home=tmp_path / "key")
    assert result.returncode == 2, f"{url} accepted: {result.stdout}"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_base_url_in_site_yaml_with_an_impossible_port_is_an_error(project, tmp_path):
    site = project / "content" / "site.yaml"
    site.write_text(site.read_text().replace("base_url: https://example.test", "base_url: https://example.test:99999"))
    result = run(project, "build", "--no-search", "--out", str(tmp_path / "out"), key_home=tmp_path / "key")
    assert result.returncode == 1, f"accepted: {result.stdout}"
    assert "content/site.yaml:4:" in result.stderr and "base_url" in result.stderr, result.stderr


# ---- serve --host ------------------------------------------------------------------------------

def test_serve_on_an_unknown_host_name_blames_the_host_not_the_port(project, tmp_path):
    """`serve --host no-such-host.invalid` says it cannot listen there; its hint must be about --host
    (today: 'try another --port', which cannot help)."""
    result = run(project, "serve", "--host", "no-such-host.invalid", "--port", "1", key_home=tmp_path / "key")
    assert result.returncode == 2, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "--host" in last, last


# ---- serve: the preview folder -----------------------------------------------------------------

def _serve_once(cwd: Path, key_home: Path) -> str:
    """Start `serve` on a free loopback port, wait for its first build, stop it; return what it said."""
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([str(SITE_BUILDER), "serve", "--port", str(port)], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "XDG_CACHE_HOME": str(key_home)})
    said = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            said.append(line)
            if "Previewing at" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
        said.append(process.stdout.read())
    return "".join(said)


def test_serve_keeps_files_it_did_not_write_in_the_preview_folder(project, tmp_path):
    """`serve` starts by deleting .serve/ whole (serve.py: shutil.rmtree), whatever it holds; the
    output folder is protected by the .site-builder marker, the preview folder must be too."""
    (project / ".serve").mkdir()
    (project / ".serve" / "notes.txt").write_text("my notes\n")
    said = _serve_once(project, tmp_path / "key")
    assert "Traceback" not in said
    assert (project / ".serve" / "notes.txt").is_file(), f"serve deleted .serve/notes.txt: {said}"
