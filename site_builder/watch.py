"""Notice saved edits to content and templates, once per save, within milliseconds."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                             FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from .quiet import one_line, say

WATCHED_SUFFIXES = frozenset({".yaml", ".yml", ".md", ".html", ".css", ".js", ".svg", ".json", ".png",
                              ".ico", ".woff2"})
# Only events that change a file: the builder's own reads must not trigger a rebuild. Asked
# of the operating system, since otherwise inotify also reports every file and folder the
# rebuild opens, and handling those takes the rebuild thread's time.
CHANGE_EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent]


def is_relevant(path: str) -> bool:
    """Is this a file the site is built from (not an editor's swap or backup file)?"""
    name = Path(path).name
    if name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    return Path(name).suffix.lower() in WATCHED_SUFFIXES


class ChangeWatcher(FileSystemEventHandler):
    """Calls on_change with the changed paths after a save has settled, one call at a time."""

    def __init__(self, folders: Iterable[Path], on_change: Callable[[set[str]], None], settle: float = 0.003):
        self.folders = [Path(f) for f in folders]
        self.on_change = on_change
        self.settle = settle  # editors save in several steps; wait this long for the last one
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._wake = threading.Condition()
        self._stopped = False
        self._observer = Observer()
        self._worker = threading.Thread(target=self._run, name="rebuild", daemon=True)

    def start(self) -> None:
        """Start watching in background threads."""
        for folder in self.folders:
            if folder.is_dir():
                self._observer.schedule(self, str(folder), recursive=True, event_filter=CHANGE_EVENT_TYPES)
        self._observer.start()
        self._worker.start()

    def stop(self) -> None:
        """Stop watching."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._observer.stop()
        self._observer.join()

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note a change to a relevant file (called on the observer's thread)."""
        paths = [p for p in (event.src_path, getattr(event, "dest_path", "")) if p and is_relevant(str(p))]
        if not paths:
            return
        with self._wake:
            self._pending.update(str(p) for p in paths)
            self._last_event = time.perf_counter()
            self._wake.notify()

    def changes_within(self, seconds: float) -> bool:
        """Whether a change not yet handed to on_change is waiting, or comes within `seconds`.

        Called from on_change: a failed build asks it whether the save is still going on.
        """
        deadline = time.perf_counter() + seconds
        with self._wake:
            while not self._pending and not self._stopped:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return False
                self._wake.wait(remaining)
            return bool(self._pending)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                # Wait until no event has come for `settle` seconds.
                while (delay := self._last_event + self.settle - time.perf_counter()) > 0:
                    self._wake.wait(delay)
                changed, self._pending = self._pending, set()
            try:
                self.on_change(changed)
            except Exception as exc:  # noqa: BLE001 - the next save must still be noticed
                say(f"A change could not be handled ({one_line(exc)}); save again to retry.")
