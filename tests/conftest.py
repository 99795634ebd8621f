"""Shared helpers: a copy of the fixture content tree that a test may edit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
TEMPLATES = ROOT / "templates"
CONTENT = ROOT / "content"


@pytest.fixture
def site_dir(tmp_path, monkeypatch) -> Path:
    """A fresh copy of the fixture content at ./content, with the cwd set so messages say content/..."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test run through the command line, with a cache of its own."""
    from site_builder.cli import main

    folder = tmp_path_factory.mktemp("site")
    code = main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(folder / "output"),
                 "--cache", str(folder / "cache")])
    assert code == 0, f"site-builder build exited {code}: see the messages above"
    return folder / "output"


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


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file's text; fail if it is not there once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def touch_later(path: Path) -> None:
    """Move a file's mtime forward so that a rebuild sees it as changed."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
