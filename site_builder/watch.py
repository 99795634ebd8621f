"""Notice saved edits to content and templates, once per save, within milliseconds.

The folders are watched through whatever happens to them: one deleted and made again (a
`git checkout`, a restore from a backup) is watched again within a second.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer

from .quiet import one_line, say

WATCHED_SUFFIXES = frozenset({".yaml", ".yml", ".md", ".html", ".css", ".js", ".svg", ".json", ".png",
                              ".ico", ".woff2"})
# Only events that change a file: the builder's own reads must not trigger a rebuild. Asked
# of the operating system, since otherwise inotify also reports every file and folder the
# rebuild opens, and handling those takes the rebuild thread's time.
CHANGE_EVENT_TYPES = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                      DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
# Events that change which names a folder holds (rather than what a file says).
NAME_EVENTS = frozenset({"created", "deleted", "moved"})
RECHECK = 1.0  # seconds between looks at whether a watched folder was replaced
# How long to wait for more after a file is closed from writing, a save's last step when it writes the
# file in place: only for another file saved with it (a 'save all'), not for more of this one.
CLOSED_SETTLE = 0.001


def is_relevant(path: str, folder: bool = False) -> bool:
    """Is this a file the site is built from (not an editor's swap or backup file), or a folder?"""
    name = Path(path).name
    if name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    return folder or Path(name).suffix.lower() in WATCHED_SUFFIXES


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at this path now (device and inode), or None if none is."""
    try:
        info = os.stat(folder)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if os.path.isdir(folder) else None


class ChangeWatcher(FileSystemEventHandler):
    """Calls on_change with the changed paths after a save has settled, one call at a time."""

    def __init__(self, folders: Iterable[Path], on_change: Callable[[set[str]], None], settle: float = 0.003):
        self.folders = [Path(f) for f in folders]
        self.on_change = on_change
        self.settle = settle  # editors save in several steps; wait this long for the last one
        self._quiet = settle  # how long no event must come: less after a file is closed (CLOSED_SETTLE)
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._wake = threading.Condition()
        self._stopped = False
        # While set (the last build failed), a file appearing or going under any name is a change:
        # it may be what broke the build, such as an editor's lock file.
        self.any_name = False
        self._observer = Observer()
        self._watches: dict[Path, tuple[tuple[int, int] | None, object | None]] = {}  # folder: (identity, watch)
        self._unwatchable: set[Path] = set()  # folders that could not be watched, said once
        self._worker = threading.Thread(target=self._run, name="rebuild", daemon=True)

    def start(self) -> None:
        """Start watching in background threads."""
        self._watch_again(started=False)
        self._observer.start()
        self._worker.start()

    def _watch_again(self, started: bool = True) -> None:
        """Watch each folder that appeared, was replaced or lost its watch; report it as a change.

        Called without self._wake held: the observer holds its own lock while it hands us an event.
        """
        alive = {emitter.watch for emitter in self._observer.emitters if not started or emitter.is_alive()}
        for folder in self.folders:
            identity = _identity(folder)
            known, watch = self._watches.get(folder, (None, None))
            if identity == known and (watch is None or watch in alive):
                continue
            if watch is not None:
                try:
                    self._observer.unschedule(watch)
                except (KeyError, OSError):
                    pass
            watch = None
            if identity is not None:
                try:
                    watch = self._observer.schedule(self, str(folder), recursive=True,
                                                    event_filter=CHANGE_EVENT_TYPES)
                except OSError as exc:  # gone again, or no watches left: try again later
                    if folder not in self._unwatchable:
                        say(f"{folder}/ cannot be watched ({one_line(exc)}); trying again every second.")
                    self._unwatchable.add(folder)
                    identity = None
                else:
                    self._unwatchable.discard(folder)
            self._watches[folder] = (identity, watch)
            if started:
                self._note({str(folder)})

    def stop(self) -> None:
        """Stop watching."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._observer.stop()
        self._observer.join()

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note a change to a relevant file (called on the observer's thread)."""
        any_name = self.any_name and event.event_type in NAME_EVENTS
        paths = [p for p in (event.src_path, getattr(event, "dest_path", ""))
                 if p and (any_name or is_relevant(str(p), event.is_directory))]
        if paths:
            self._note((str(p) for p in paths), closed=event.event_type == "closed")

    def _note(self, paths: Iterable[str], closed: bool = False) -> None:
        with self._wake:
            self._pending.update(paths)
            self._last_event = time.perf_counter()
            self._quiet = min(CLOSED_SETTLE, self.settle) if closed else self.settle
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
            self._watch_again()
            with self._wake:
                if not self._pending and not self._stopped:
                    self._wake.wait(RECHECK)
                if self._stopped:
                    return
                if not self._pending:
                    continue
                # Wait until no event has come for `settle` seconds (less after a file closed from writing).
                while (delay := self._last_event + self._quiet - time.perf_counter()) > 0:
                    self._wake.wait(delay)
                changed, self._pending = self._pending, set()
            try:
                self.on_change(changed)
            except Exception as exc:  # noqa: BLE001 - the next save must still be noticed
                say(f"A change could not be handled ({one_line(exc)}); save again to retry.")
