"""Write built files to disk: whole trees atomically, or only what changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

from . import processes, searchindex
from .outdir import MARKER, MARKER_TEXT, check_names, check_own, locked, output_file, remove_leftovers, remove_tree, \
    swap, temporary_prefix


def write_tree(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Write every file into a fresh folder beside out_dir, then swap it in, in one step.

    A failure before the swap leaves the existing out_dir exactly as it was.
    """
    check_names(files)  # before anything is made, so an unsafe name changes nothing
    with new_tree(out_dir) as tree:
        tree.add_all(files)


class new_tree:  # noqa: N801 (used as a context manager, like open)
    """A fresh folder beside out_dir to write files into as they are made, swapped in at the end, in one step.

        with new_tree(out) as tree:
            tree.add("index.html", html)

    Nothing is made until the first file comes, so a build that fails on its content first
    touches nothing at all. An exception inside the block removes the fresh folder and leaves
    out_dir exactly as it was. Builds into the same folder take turns (a lock file beside it,
    held from the first file to the swap); each clears what killed ones left beside it. With
    `index`, the files' words go into the search index (searchindex.py), written into the
    folder before the swap.
    """

    def __init__(self, out_dir: Path, index: bool = False):
        self.out_dir = Path(out_dir)
        self._out = self.out_dir.resolve()
        self._lock = locked(self._out)
        self._tmp: Path | None = None
        self._index = searchindex.Index() if index else None
        self._maker = os.getpid()  # the process that makes the folder, takes the lock and swaps
        self._folders: set[str] = {""}  # folders made, by this process
        self.names: set[str] = set()  # every name taken, each written once

    def __enter__(self) -> "new_tree":
        return self

    def _begin(self) -> str:
        """Take the lock, clear what killed builds left, and make the fresh folder."""
        if self._tmp is None:
            if os.getpid() != self._maker:
                raise RuntimeError("a forked copy wrote into a tree before the tree was begun")
            self._out.parent.mkdir(parents=True, exist_ok=True)
            self._lock.__enter__()
            try:
                check_own(self._out, str(self.out_dir))
                remove_leftovers(self._out)
                self._tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(self._out), dir=self._out.parent))
                (self._tmp / MARKER).write_bytes(MARKER_TEXT)
            except BaseException:
                self._give_up()
                raise
        return str(self._tmp)

    def write(self, rel: str, data: bytes) -> bytes:
        """Write one file (an unsafe name is refused here, before anything is made of it), in this process
        or a forked copy of it; return its search index reading (searchindex.reading) for take(), or b""."""
        path = output_file(self._begin(), rel)
        folder = rel.rpartition("/")[0]
        try:
            if folder not in self._folders:
                _make_folder(os.path.dirname(path))
                self._folders.add(folder)
            _write(path, data)
        except OSError:
            check_names(self.names | {rel})  # a name both a file and a folder is the likeliest cause
            raise
        return searchindex.reading(rel, data) if self._index is not None else b""

    def take(self, rel: str, reading: bytes) -> None:
        """Count a file as written (by write(), in this process or a forked copy) and index its reading."""
        self.names.add(rel)
        if self._index is not None:
            self._index.add_reading(reading)

    def add(self, rel: str, data: bytes) -> None:
        """Write one file and index it."""
        self.take(rel, self.write(rel, data))

    def add_all(self, files: Mapping[str, bytes]) -> None:
        """Write every file not written already, in the order of their names."""
        for rel in sorted(files.keys() - self.names):
            self.add(rel, files[rel])

    def __exit__(self, kind, exc, traceback) -> None:
        if kind is not None:
            if self._tmp is not None:
                self._give_up()
            return
        tmp = Path(self._begin())  # made now if the tree is empty
        try:
            if self._index is not None:
                index, self._index = self._index, None
                index.write(tmp)
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
            old = swap(tmp, self._out)
        except BaseException:
            self._give_up()
            raise
        self._lock.__exit__(None, None, None)
        if old is not None:
            remove_tree(old)

    def _give_up(self) -> None:
        """Remove the fresh folder, and let the next build in."""
        if self._tmp is not None:
            remove_tree(self._tmp)
        self._lock.__exit__(None, None, None)


def _make_folder(path: str) -> None:
    """Make a folder, and its parents where they are missing: most pages' parent folder is there already,
    which os.makedirs would look up first, a second call into the file system for each page."""
    try:
        os.mkdir(path)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def _write(path: str, data: bytes) -> None:
    """Write the bytes into a new file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        processes.write_all(fd, data)
    finally:
        os.close(fd)


def write_files(files: Mapping[str, bytes], names: list[str], root: Path, suffix: str = "") -> None:
    """Write the named files under root, each as its name and suffix, making their folders first."""
    base = str(root)
    for folder in sorted({os.path.dirname(rel) for rel in names} - {""}):
        os.makedirs(output_file(base, folder), exist_ok=True)
    for rel in names:
        _write(output_file(base, rel) + suffix, files[rel])


def sync_tree(files: Mapping[str, bytes], changed: set[str], removed: set[str], out_dir: Path) -> None:
    """Bring a folder up to date by writing changed files and deleting removed ones.

    For the preview, which serves the folder while it is brought up to date: each file is
    written beside itself and renamed over the old one, so a request never reads half a file.
    """
    base = str(out_dir)
    targets = {rel: output_file(base, rel) for rel in sorted(changed | removed)}  # all checked first
    for rel in sorted(changed):
        write_files(files, [rel], out_dir, suffix=".partial")
        os.replace(targets[rel] + ".partial", targets[rel])
    for rel in sorted(removed):
        Path(targets[rel]).unlink(missing_ok=True)
