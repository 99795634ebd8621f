"""Preview the site while editing: rebuild on save, reload the browser, show errors in it.

The preview builds into its own folder (.serve/), never the published output/, and the
live-reload script is added to pages as they are served, never written to a file.
"""

from __future__ import annotations

import gc
import logging
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado.ioloop import IOLoop
from tornado.web import HTTPError

from .build import SiteBuilder
from .cli import print_problems
from .errorpage import error_page
from .problems import ContentError, Problem, UsageError
from .watch import ChangeWatcher
from .write import sync_tree, write_tree


class Preview:
    """Keeps a folder up to date with the content, and remembers the latest errors."""

    def __init__(self, content: Path, templates: Path, folder: Path, base_url: str | None = None, out=None,
                 bytecode_cache=None):
        self.builder = SiteBuilder(content, templates, base_url, bytecode_cache)
        self.content, self.templates, self.folder = Path(content), Path(templates), Path(folder)
        self.problems: list[Problem] = []
        self.out = out or sys.stdout
        self.builds = 0
        self.search = True  # keep a search index in the preview folder, made in the background
        self._indexer: threading.Thread | None = None
        self._index_again = threading.Event()

    def rebuild(self) -> bool:
        """Build; write only the files that changed; return whether the build succeeded."""
        started = time.perf_counter()
        gc.disable()  # what a build makes lives until the next build: nothing to collect
        try:
            result = self.builder.build()
        except ContentError as exc:
            self.problems = exc.problems
            self._say(f"{time.strftime('%H:%M:%S')} The site has {len(exc.problems)} error(s); "
                      "the browser shows them. Fix the file and save: the page comes back.")
            print_problems(exc.problems, stream=self.out)
            return False
        finally:
            gc.enable()
        if self.builds == 0:
            write_tree(result.files, self.folder)
        else:
            sync_tree(result.files, result.changed, result.removed, self.folder)
        self.builds += 1
        self.problems = []
        # Keep the collector from walking the long-lived objects again on every rebuild.
        gc.freeze()
        ms = (time.perf_counter() - started) * 1000
        self._say(f"{time.strftime('%H:%M:%S')} Rebuilt in {ms:.0f} ms: {result.rendered} page(s) "
                  f"re-rendered, {len(result.changed)} file(s) written, {len(result.removed)} removed.")
        if self.search and any(path.endswith(".html") for path in result.changed | result.removed):
            self._reindex()
        return True

    def _reindex(self) -> None:
        """Update the search index after the reload, off the rebuild's critical path."""
        self._index_again.set()
        if self._indexer is None or not self._indexer.is_alive():
            self._indexer = threading.Thread(target=self._index_loop, name="search-index", daemon=True)
            self._indexer.start()

    def _index_loop(self) -> None:
        from .search import index_folder

        while self._index_again.is_set():
            self._index_again.clear()
            try:
                index_folder(self.folder)
            except ContentError as exc:
                self._say("The search index could not be updated: " + "; ".join(p.message for p in exc.problems))
            except (OSError, ValueError) as exc:
                self._say(f"The search index could not be updated: {exc}")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


class _NoWatcher(Watcher):
    """Livereload's own polling is not used: ChangeWatcher tells us about changes."""

    def watch(self, *args, **kwargs):
        pass

    def start(self, callback):
        return True

    def examine(self):
        return None, None


def _handler_for(preview: Preview):
    class PreviewHandler(StaticFileHandler):
        """Serves the preview folder; shows the error page while the site is broken."""

        def set_extra_headers(self, path):
            self.set_header("Cache-Control", "no-store")

        async def get(self, path, include_body=True):
            if preview.problems and _is_page(path):
                self.set_status(500)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(error_page(preview.problems))
                return
            # Read the file once and send exactly those bytes. Tornado's own get() takes the
            # Content-Length from a stat and reads the file later: a rebuild in between makes
            # the two disagree, and tornado then drops the connection without a response.
            self.path = self.parse_url_path(path)
            absolute = self.get_absolute_path(self.root, self.path)
            self.absolute_path = self.validate_absolute_path(self.root, absolute)
            if self.absolute_path is None:  # a redirect to the folder's trailing slash was sent
                return
            try:
                with open(self.absolute_path, "rb") as file:
                    body = file.read()
            except (FileNotFoundError, IsADirectoryError):  # removed by a rebuild just now
                raise HTTPError(404) from None
            self.set_header("Content-Type", self.get_content_type())
            self.set_extra_headers(self.path)
            if include_body:
                self.finish(body)
            else:
                self.set_header("Content-Length", len(body))
                self.finish()

        def write_error(self, status_code, **kwargs):
            not_found = preview.folder / "404.html"
            if status_code == 404 and not_found.is_file():
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(not_found.read_bytes())
            else:
                super().write_error(status_code, **kwargs)

    return PreviewHandler


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name


def serve(content: Path, templates: Path, host: str = "127.0.0.1", port: int = 8000,
          folder: Path = Path(".serve"), cache=None) -> int:
    """Build, serve and rebuild on change until interrupted."""
    base_url = f"http://{host}:{port}"
    preview = Preview(content, templates, folder, base_url, bytecode_cache=cache.templates() if cache else None)
    shutil.rmtree(folder, ignore_errors=True)
    if not preview.rebuild():
        folder.mkdir(parents=True, exist_ok=True)  # serve the error page until it is fixed
    if cache is not None:
        cache.save()  # the first build's results; later edits are not worth a write each

    server = Server(watcher=_NoWatcher())
    server.SFH = _handler_for(preview)
    server.root = str(folder)
    server.default_filename = "index.html"
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    try:
        server.application(port, host, liveport=None, debug=False, live_css=False)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); try another --port") from None

    loop = IOLoop.current()

    def changed(paths: set[str]) -> None:
        preview.rebuild()
        loop.add_callback(LiveReloadHandler.reload_waiters, "*")

    watcher = ChangeWatcher([content, templates], changed)
    watcher.start()
    print(f"Previewing at {base_url}/ (press Ctrl+C to stop). Edit files in {content}/ and save: "
          "the page reloads by itself.", flush=True)
    _stop_on_signals(loop)
    try:
        loop.start()
    except KeyboardInterrupt:  # where the event loop cannot take signals (Windows)
        pass
    finally:
        watcher.stop()
    print("\nStopped.", flush=True)
    return 0


def _stop_on_signals(loop: IOLoop) -> None:
    """Stop the server cleanly on Ctrl+C (SIGINT) or SIGTERM.

    Python's own Ctrl+C raises KeyboardInterrupt wherever the main thread happens to be,
    and inside a weakref callback or __del__ it is printed and dropped: the server then
    ran on (one Ctrl+C in about twenty in tests). The event loop's handler runs between
    callbacks instead, where nothing can swallow it.
    """
    if sys.platform == "win32":  # asyncio takes no signals there: KeyboardInterrupt remains
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.asyncio_loop.add_signal_handler(signum, loop.stop)

