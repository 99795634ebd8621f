"""Write built files to disk: whole trees atomically, or only what changed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping

from . import processes
from .outdir import MARKER, MARKER_TEXT, check_names, check_own, locked, output_file, remove_leftovers, swap, \
    temporary_prefix


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
    held from the first file to the swap); each clears what killed ones left beside it.
    """

    def __init__(self, out_dir: Path, index: bool = False):
        self.out_dir = Path(out_dir)
        self.index = index  # the writing process also makes the search index of the pages it writes
        self._out = self.out_dir.resolve()
        self._lock = locked(self._out)
        self._tmp: Path | None = None
        self._writer: TreeWriter | None = None

    def __enter__(self) -> "new_tree":
        return self

    def _begin(self) -> Path:
        """Take the lock, clear what killed builds left, make the fresh folder and start its writer."""
        if self._tmp is None:
            self._out.parent.mkdir(parents=True, exist_ok=True)
            self._lock.__enter__()
            try:
                check_own(self._out, str(self.out_dir))
                remove_leftovers(self._out)
                self._tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(self._out), dir=self._out.parent))
                (self._tmp / MARKER).write_bytes(MARKER_TEXT)
                self._writer = TreeWriter(self._tmp, self.index)
            except BaseException:
                self._give_up()
                raise
        return self._tmp

    def add(self, rel: str, data: bytes, read: bytes = b"") -> None:
        """Write one file (an unsafe name is refused here, before anything is made of it); `read`: its
        reading for the search index, made already (see `reader`)."""
        if self._writer is None:
            self._begin()
        self._writer.add(rel, data, read)

    @property
    def reader(self) -> Callable[[str, bytes], bytes] | None:
        """What reads a page for the search index (searchindex.reading), where the tree has one: the
        process that rendered a page may read it, not to leave all the reading to the writing process."""
        if not self.index:
            return None
        from .searchindex import reading

        return reading

    def add_all(self, files: Mapping[str, bytes]) -> None:
        """Write every file not given already, in the order of their names."""
        given = self._writer.names if self._writer is not None else set()
        for rel in sorted(files.keys() - given):
            self.add(rel, files[rel])

    def __exit__(self, kind, exc, traceback) -> None:
        if kind is not None:
            if self._tmp is not None:
                self._give_up()
            return
        tmp = self._begin()  # made now if the tree is empty
        try:
            self._writer.close()
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
            old = swap(tmp, self._out)
        except BaseException:
            self._give_up()
            raise
        self._lock.__exit__(None, None, None)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _give_up(self) -> None:
        """Stop writing, remove the fresh folder, and let the next build in."""
        if self._writer is not None:
            self._writer.stop()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._lock.__exit__(None, None, None)


class TreeWriter:
    """Writes files into a folder, in the order given, by a process of its own.

    Making a file or a folder costs the kernel far more than its bytes do (0.03 to 1 ms each
    on this project's machine, depending on the disk's writeback). Given to a second process through a pipe,
    that work runs on the second core beside the rendering. (A thread would not do: it needs
    Python's lock between every two calls, and the rendering holds it.) With `index`, that
    process also reads each page into the search index (searchindex.py) and writes the index
    after the last file.
    """

    def __init__(self, folder: Path, index: bool = False):
        self.folder = folder
        self.names: set[str] = set()  # every name given, each written once
        self._folders: set[str] = {""}
        self._process = processes.start("write", str(os.getpid()), *(("--index", str(folder)) if index else ()))
        self._pipe = self._process.stdin.fileno()

    def add(self, rel: str, data: bytes, read: bytes = b"") -> None:
        """Write one file (an unsafe name is refused here, before anything is made of it); `read`: the
        search index's reading of it (searchindex.reading), made already, else made by the writing process."""
        path = os.fsencode(output_file(str(self.folder), rel))
        folder = os.path.dirname(rel)
        new = folder not in self._folders
        self._folders.add(folder)
        self.names.add(rel)
        head = struct.pack(_HEAD, new, len(path), len(data), len(read)) + path
        if len(data) < _CHUNK:
            self._send(head + data + read)
        else:  # a big file (the open data, 132 MB at 100,000 initiatives) goes as it is, not copied
            self._send(head)
            self._send(data)
            self._send(read)

    def close(self) -> None:
        """Wait for every write; raise the first failure (a name both file and folder as UnsafeName)."""
        self._send(struct.pack(_HEAD, 0, 0, 0, 0))
        self._process.stdin.close()
        if self._process.wait() != 0:
            self._failed()

    def stop(self) -> None:
        """Stop writing at once (the folder is about to be removed)."""
        processes.stop(self._process)

    def _send(self, data: bytes) -> None:
        try:
            processes.write_all(self._pipe, data)
        except BrokenPipeError:  # the writer stopped: it says why
            self._process.wait()
            self._failed()

    def _failed(self):
        said = self._process.stderr.read().decode("utf-8", "replace")
        check_names(self.names)  # a name both a file and a folder is the likeliest cause
        try:
            number, reason, filename = json.loads(said)
        except ValueError:
            code = self._process.returncode
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            said = " ".join(said.split())[-300:]
            raise OSError(f"the writing process stopped ({how}{': ' + said if said else ''})") from None
        raise OSError(number, reason, filename)


_HEAD = "<BIII"  # a new folder (0 or 1), the path's length, the data's length, the index's reading's length
_CHUNK = 1 << 20  # a file this big or bigger is sent and written a piece at a time (never a page)


def _serve(read: Callable[[int], bytes], parent: int, indexed: str | None = None) -> int:
    """The writing process: write each file its parent sends, until the end mark; 1 on a failure.

    With `indexed` (the folder), each file is also given to the search index, which is written
    into the folder at the end mark. A parent that stops first (killed, or giving up) is
    removing the folder: writing ends at once.
    """
    from . import searchindex

    index = searchindex.Index() if indexed else None
    skip = len(os.fsencode(indexed or "")) + 1  # a path's start: the folder and its slash
    size = struct.calcsize(_HEAD)
    while len(head := read(size)) == size and os.getppid() == parent:
        new, path_size, data_size, read_size = struct.unpack(_HEAD, head)
        try:
            if not path_size:
                if index is not None:
                    index.write(Path(indexed))
                return 0
            path = read(path_size)
            if new:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            if data_size < _CHUNK or (index is not None and path.endswith(b".html")):
                data = read(data_size)
                reading = read(read_size) if read_size else b""
                if len(data) < data_size or len(reading) < read_size:
                    break
                _write(path, (data,))
                if index is not None:
                    index.add_reading(reading or searchindex.reading(os.fsdecode(path[skip:]), data))
            else:  # a big file is copied a piece at a time, never held whole
                _write(path, _from_pipe(read, data_size))
                if read_size and len(read(read_size)) < read_size:
                    break
        except EOFError:  # the parent stopped mid-file: it is removing the folder
            break
        except OSError as exc:
            sys.stderr.write(json.dumps([exc.errno, exc.strerror, os.fsdecode(exc.filename or b"")]))
            return 1
    return 1


def _write(path: str | bytes, pieces: Iterable[bytes]) -> None:
    """Write the pieces, one after another (each as it comes), into a new file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for piece in pieces:
            processes.write_all(fd, piece)
    finally:
        os.close(fd)


def _from_pipe(read: Callable[[int], bytes], size: int):
    """`size` bytes from the pipe, _CHUNK at a time; EOFError if the pipe ends first."""
    while size:
        piece = read(min(size, _CHUNK))
        if not piece:
            raise EOFError
        size -= len(piece)
        yield piece


def write_files(files: Mapping[str, bytes], names: list[str], root: Path, suffix: str = "") -> None:
    """Write the named files under root, each as its name and suffix, making their folders first."""
    base = str(root)
    for folder in sorted({os.path.dirname(rel) for rel in names} - {""}):
        os.makedirs(output_file(base, folder), exist_ok=True)
    for rel in names:
        _write(output_file(base, rel) + suffix, (files[rel],))


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


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops this process
    sys.exit(_serve(sys.stdin.buffer.read, int(sys.argv[1]), sys.argv[3] if sys.argv[2:3] == ["--index"] else None))
