"""Write built files to disk: whole trees atomically, or only what changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from .outdir import MARKER, MARKER_TEXT, check_names, check_own, locked, output_file, remove_leftovers, swap, \
    temporary_prefix


def write_tree(files: Mapping[str, bytes], out_dir: Path,
               finish: Callable[[Path], None] | None = None) -> None:
    """Write every file into a fresh folder beside out_dir, then swap it in, in one step.

    A failure before the swap (in writing, or in `finish`, which may add files such as a
    search index) leaves the existing out_dir exactly as it was. Builds into the same folder
    take turns; each clears what killed ones left beside it.
    """
    check_names(files)  # before anything is made, so an unsafe name changes nothing
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with locked(out):
        check_own(out, str(out_dir))
        remove_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(out), dir=out.parent))
        try:
            (tmp / MARKER).write_bytes(MARKER_TEXT)
            write_files(files, sorted(files), tmp)
            if finish is not None:
                finish(tmp)
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
            old = swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_files(files: Mapping[str, bytes], names: list[str], root: Path, suffix: str = "") -> None:
    """Write the named files under root, each as its name and suffix, making their folders first."""
    base = str(root)
    for folder in sorted({os.path.dirname(rel) for rel in names} - {""}):
        os.makedirs(output_file(base, folder), exist_ok=True)
    for rel in names:
        fd = os.open(output_file(base, rel) + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
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
    base = str(out_dir)
    targets = {rel: output_file(base, rel) for rel in sorted(changed | removed)}  # all checked first
    for rel in sorted(changed):
        write_files(files, [rel], out_dir, suffix=".partial")
        os.replace(targets[rel] + ".partial", targets[rel])
    for rel in sorted(removed):
        Path(targets[rel]).unlink(missing_ok=True)
