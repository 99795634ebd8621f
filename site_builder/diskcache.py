"""Keep slow results that depend only on their input between runs, in .cache/site-builder/.

Rendered Markdown (keyed by its text) and personal-data findings (keyed by a file's sha256
and the allow-lists) are stored in one pickle; compiled templates in Jinja's own bytecode
cache, which checks each template's source. The store is keyed by the code that made it,
so a changed renderer or checker starts afresh. A missing, stale or damaged cache is
ignored: it can make a build quicker, never different.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import jinja2

from . import markdown, privacy, problems

RESULTS = "results.pickle"


def _code_version() -> str:
    """A digest of the code whose results are stored, and of the versions it runs on."""
    import markdown_it

    digest = hashlib.sha256(f"{sys.version}|{markdown_it.__version__}".encode())
    for module in (markdown, privacy, privacy.readable, problems):  # the stored objects are made by these
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


class DiskCache:
    """The cache folder, or None for no cache."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self._loaded: tuple[int, int] | None = None  # entries read, per store

    def load(self) -> None:
        """Offer the stored results to the Markdown renderer and the personal-data check."""
        if self.folder is None:
            return
        try:
            with open(self.folder / RESULTS, "rb") as file:
                stored = pickle.load(file)
            if stored.get("version") != _code_version():
                return
            md, found = stored["markdown"], stored["privacy"]
        except Exception:  # noqa: BLE001 - any unreadable cache is no cache
            return
        markdown._stored.update(md)
        privacy._stored.update(found)
        self._loaded = (len(md), len(found))

    def save(self) -> None:
        """Store the results this run used (dropping the rest), unless that is what was read."""
        if self.folder is None:
            return
        unchanged = (self._loaded == (len(markdown._cache), len(privacy._used))
                     and not markdown._stored and not privacy._stored)
        if unchanged:  # every stored entry was used and nothing new was made
            return
        data = pickle.dumps({"version": _code_version(), "markdown": dict(markdown._cache),
                             "privacy": dict(privacy._used)}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=RESULTS + ".", dir=self.folder)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(tmp, self.folder / RESULTS)
        except OSError:
            pass  # a read-only checkout still builds, only without the head start
        self._loaded = (len(markdown._cache), len(privacy._used))

    def templates(self) -> jinja2.BytecodeCache | None:
        """Jinja's bytecode cache in the folder, or None."""
        if self.folder is None:
            return None
        folder = self.folder / "templates"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return _TolerantBytecodeCache(str(folder))


class _TolerantBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache (which already ignores damaged entries), where one that cannot be
    written only means compiling again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
