"""The search index is byte-identical wherever the site is built.

Pagefind numbers the pages in the order it reads them, and reading a folder gives its files in
an order that depends on the file system (ext4 hashes names, tmpfs keeps them newest first):
the same site built on two machines gave different index and filter files. The builder hands
Pagefind the pages in sorted order instead. This test builds the rich fixture site, search
index included, into folders on two different file systems and compares them byte for byte.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import RICH, ROOT, TEMPLATES, read_tree
from site_builder import search
from site_builder.build import SiteBuilder
from site_builder.cli import main
from site_builder.search import index_folder
from site_builder.write import write_tree

# Places to build in, tmpfs first: two of them must be on different file systems. CI's Debian
# container has /dev/shm (tmpfs) beside its disk.
CANDIDATES = [Path("/dev/shm"), Path(tempfile.gettempdir()), ROOT.parent, Path.home()]


def _file_system(path: Path) -> tuple[int, str]:
    """The device a folder is on, and the type of its file system (from /proc/mounts)."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                point = fields[1].replace("\\040", " ")
                if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) > len(best):
                    best, kind = point, fields[2]
    except OSError:
        pass
    return path.stat().st_dev, kind


def two_file_systems() -> tuple[Path, Path]:
    """Two writable folders on different file systems (of different types where possible), or fail."""
    usable = []
    for place in CANDIDATES:
        try:
            if place.is_dir() and os.access(place, os.W_OK):
                usable.append((place, *_file_system(place.resolve())))
        except OSError:
            continue
    for first, device, kind in usable:
        for second, other_device, other_kind in usable:
            if device != other_device and kind != other_kind:
                return first, second
    for first, device, _ in usable:
        for second, other_device, _ in usable:
            if device != other_device:
                return first, second
    pytest.fail("this test needs two writable folders on different file systems (such as /dev/shm, a tmpfs, "
                f"and the disk); found only: {[(str(p), k) for p, _, k in usable]}")


def test_the_site_is_byte_identical_built_on_two_file_systems(tmp_path):
    first, second = two_file_systems()
    trees = []
    for place in (first, second):
        folder = Path(tempfile.mkdtemp(prefix="site-builder-test-", dir=place))
        try:
            out = folder / "output"
            assert main(["build", "--content", str(RICH), "--templates", str(TEMPLATES), "--out", str(out),
                         "--no-cache"]) == 0
            assert any((out / "pagefind" / "filter").iterdir()), "the search index has filters to compare"
            trees.append(read_tree(out))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    a, b = trees
    differ = sorted(set(a) ^ set(b)) + sorted(name for name in set(a) & set(b) if a[name] != b[name])
    assert differ == [], f"built in {first} and in {second}, these differ: {differ[:10]}"


def _build_in_steps(out: Path, content: Path = RICH) -> None:
    """Build a site without overlap: render every page, write the tree, then index the folder."""
    result = SiteBuilder(content, TEMPLATES).build()
    write_tree(result.files, out)
    index_folder(out)


def test_the_build_gives_the_files_of_a_build_without_overlap(tmp_path):
    """`build` writes each page (in a second process) and gives it to Pagefind (in a third) as it is
    rendered; made in steps, one after another, the same content gives the same files, byte for byte."""
    overlapped, in_steps = tmp_path / "overlapped", tmp_path / "in-steps"
    assert main(["build", "--content", str(RICH), "--templates", str(TEMPLATES), "--out", str(overlapped),
                 "--no-cache"]) == 0
    _build_in_steps(in_steps)
    a, b = read_tree(overlapped), read_tree(in_steps)
    assert any(name.startswith("pagefind/") for name in a), "the build made a search index"
    differ = sorted(set(a) ^ set(b)) + sorted(name for name in set(a) & set(b) if a[name] != b[name])
    assert differ == [], f"these differ: {differ[:10]}"


# Text that looks like the mark or the element, typed into a title (shown in <title>, <h1>, lists) and
# into a priority's summary: the cut must not be misled by it.
LOOKALIKES = ' data-pagefind-body <main> </main> data-pagefind-body="x"'


@pytest.mark.parametrize("lookalike", [False, True], ids=["rich fixture", "mark typed into the content"])
def test_pagefind_given_only_the_marked_part_of_each_page_makes_the_index_of_whole_pages(tmp_path, monkeypatch,
                                                                                       lookalike):
    """The builder sends Pagefind each page from its data-pagefind-body element on, and no unmarked page:
    the index is the one Pagefind makes of every whole page."""
    content = RICH
    if lookalike:
        content = tmp_path / "content"
        shutil.copytree(RICH, content)
        plan = content / "plans" / "2021-22.yaml"
        text = plan.read_text(encoding="utf-8")
        title = "- title: Keep Safe\n"
        assert title in text
        plan.write_text(text.replace(title, f"- title: 'Keep Safe{LOOKALIKES}'\n", 1), encoding="utf-8")
    parts, whole = tmp_path / "parts", tmp_path / "whole"
    _build_in_steps(parts, content)
    if lookalike:  # the typed mark reached pages, raw, before and after the real one
        pages = [path.read_bytes() for path in parts.rglob("*.html")]
        assert any(html.count(search.MARK) > 1 for html in pages)
        assert any(search.MARK in html and search.MARK + b">" not in html for html in pages)  # unmarked page
    monkeypatch.setattr(search, "MARK", b"<html")  # every page is sent, whole:
    monkeypatch.setattr(search, "for_index", lambda html: search.readable(html.decode("utf-8")))
    _build_in_steps(whole, content)
    a, b = read_tree(parts), read_tree(whole)
    assert len([name for name in a if name.startswith("pagefind/fragment/")]) > 20
    differ = sorted(set(a) ^ set(b)) + sorted(name for name in set(a) & set(b) if a[name] != b[name])
    assert differ == [], f"these differ: {differ[:10]}"


def test_a_build_that_fails_leaves_no_pagefind_running(site_dir, tmp_path):
    """The index starts before the content is known to be good: a failed build stops it."""
    (site_dir / "site.yaml").write_text("name: [broken\n", encoding="utf-8")
    before = _pagefind_processes()
    assert main(["build", "--content", str(site_dir), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"),
                 "--no-cache"]) != 0
    assert _pagefind_processes() <= before


def _pagefind_processes() -> set[str]:
    """The pids of this process's child processes that run Pagefind."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and b"pagefind" in cmdline:
            found.add(status.parent.name)
    return found
