"""Write built files to disk: whole trees atomically, or only what changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Mapping


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
    made: set[Path] = set()
    for rel in sorted(files):
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(files[rel])


def sync_tree(files: Mapping[str, bytes], changed: set[str], removed: set[str], out_dir: Path) -> None:
    """Bring a folder up to date by writing changed files and deleting removed ones."""
    out_dir = Path(out_dir)
    for rel in sorted(changed):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(files[rel])
        os.replace(tmp, path)  # a browser never reads a half-written page
    for rel in sorted(removed):
        try:
            (out_dir / rel).unlink()
        except FileNotFoundError:
            pass
