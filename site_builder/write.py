"""Write built files to disk: whole trees atomically, or only what changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from .parallel import PARALLEL_FROM, can_fork


def write_tree(files: Mapping[str, bytes], out_dir: Path,
               finish: Callable[[Path], None] | None = None) -> None:
    """Write every file into a fresh folder beside out_dir, then swap it in.

    A failure before the swap (in writing, or in `finish`, which may add files such as a
    search index) leaves the existing out_dir exactly as it was.
    """
    out_dir = Path(out_dir).absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        _write_all(files, tmp)
        if finish is not None:
            finish(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "tree")
    os.rename(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_all(files: Mapping[str, bytes], root: Path) -> None:
    names = sorted(files)
    for folder in sorted({os.path.dirname(rel) for rel in names}):
        os.makedirs(root / folder, exist_ok=True)
    if len(names) < PARALLEL_FROM or not can_fork():
        _write_files(files, names, root)
        return
    # Two processes write alternate files: the child sees the same bytes without copying.
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            _write_files(files, names[1::2], root)
        except BaseException:  # noqa: BLE001 - the parent reports a missing file as failure
            status = 1
        os._exit(status)
    _write_files(files, names[0::2], root)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise OSError(f"writing files into {root} failed in the second process")


def _write_files(files: Mapping[str, bytes], names: list[str], root: Path, suffix: str = "") -> None:
    base = str(root)
    for rel in names:
        fd = os.open(f"{base}/{rel}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            data = memoryview(files[rel])
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)


def sync_tree(files: Mapping[str, bytes], changed: set[str], removed: set[str], out_dir: Path) -> None:
    """Bring a folder up to date by writing changed files and deleting removed ones.

    For the preview, which serves the folder while it is brought up to date: each file is
    written beside itself and renamed over the old one, so a request never reads half a file.
    """
    out_dir = Path(out_dir)
    names = sorted(changed)
    for folder in sorted({os.path.dirname(rel) for rel in names}):
        os.makedirs(out_dir / folder, exist_ok=True)
    base = str(out_dir)
    for rel in names:
        target = f"{base}/{rel}"
        _write_files(files, [rel], out_dir, suffix=".partial")
        os.replace(target + ".partial", target)
    for rel in sorted(removed):
        try:
            (out_dir / rel).unlink()
        except FileNotFoundError:
            pass
