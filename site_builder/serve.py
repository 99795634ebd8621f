"""Preview the site while editing: rebuild on save, reload the browser, show errors in it.

The preview builds into its own folder (.serve/), never the published output/, and serves it
with the published site's headers (netlify.toml). Each page gets, as it is served, a tag that
loads livereload's client from the preview's own address: the site's policy allows no inline
script. Nothing of livereload is written to the folder.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import signal
import socket
import subprocess
import sys
import threading
import time
from argparse import ArgumentTypeError
from pathlib import Path
from typing import Callable

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado.escape import json_encode
from tornado.ioloop import IOLoop
from tornado.web import Application, HTTPError, RequestHandler
from tornado.websocket import WebSocketClosedError

from . import processes
from .build import SiteBuilder
from .errorpage import STYLE, STYLESHEET, error_page
from .headers import NETLIFY_TOML, headers_for, load_header_rules
from .hosts import host_allowed, host_name, origin_allowed, port_number
from .contentfiles import REMOVED
from .load import NO_FRONT_MATTER
from .problems import ContentError, Problem, UsageError
from .quiet import one_line, quiet_terminal
from .report import print_problems
from .outdir import MARKER, MARKER_TEXT, check_own
from .watch import ChangeWatcher
from .write import sync_tree, write_tree
from .yamlfile import EMPTY_FILE


# How long a failed build waits for more of a save before it is reported. Editors save in
# steps (truncate, then write; sometimes as two opens): a build in between reads an empty or
# half-written file, and its errors are not the user's. A successful build never waits.
GRACE = 0.2
# Failures that are almost always a save caught midway wait longer: a user rarely means them,
# and on a busy machine the editor's second step can come late.
MID_SAVE_GRACE = 1.0
MID_SAVE = (EMPTY_FILE, NO_FRONT_MATTER, REMOVED)


class Preview:
    """Keeps a folder up to date with the content, and remembers the latest errors."""

    def __init__(self, content: Path, templates: Path, folder: Path, base_url: str | None = None, out=None,
                 bytecode_cache=None, schemas: Path | None = None):
        # A preview shows draft plans, marked as drafts.
        self.builder = SiteBuilder(content, templates, base_url, bytecode_cache, preview=True)
        self.schemas = schemas  # where to keep the editor's schemas current, if anywhere
        self._schema_names: dict | None = None
        self.content, self.templates, self.folder = Path(content), Path(templates), Path(folder)
        self.problems: list[Problem] = []
        self.out = out or sys.stdout
        self.search = True  # keep a search index in the preview folder, made in the background
        self._indexer: threading.Thread | None = None  # the thread that has the index made, while one does
        self._index_again = False  # a save came since the index being made was begun
        self._index_pages: set[str] | None = set()  # the pages changed since then (None: every page)
        self._index_lock = threading.Lock()
        self._index_process: subprocess.Popen | None = None  # searchindex.follow, kept from save to save
        self._failure: list[Problem] | str | None = None  # the last build's, until reported
        self._reported: list[Problem] | str | None = None  # the failure last reported, until a build succeeds
        self._folder_current = False  # does the folder hold the builder's last files?
        self.ok = False  # did the last build succeed?

    def rebuild(self, report_failure: bool = True) -> bool:
        """Build; write only the files that changed; return whether the build succeeded.

        A failure is reported at once, or, with report_failure=False, kept until
        report_failure() is called: rebuild_when_settled() decides.
        """
        started = time.perf_counter()
        try:
            result = self.builder.build()
        except ContentError as exc:
            return self._failed(exc.problems, report_failure)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the preview says so in one line and runs on
            return self._failed(f"the site could not be rebuilt ({one_line(exc)})", report_failure)
        every_file = not self._folder_current
        try:
            if self._folder_current:
                sync_tree(result.files, result.changed, result.removed, self.folder)
            else:  # the first build, or the one after a failed write: every file, afresh
                write_tree(result.files, self.folder)
        except Exception as exc:  # noqa: BLE001 - a full disk, a folder removed, permissions
            self._folder_current = False
            return self._failed(f"the preview folder {self.folder}/ could not be written ({one_line(exc)})",
                                report_failure)
        self._folder_current = True
        self.ok = True
        self.problems = []
        self._failure = self._reported = None
        ms = (time.perf_counter() - started) * 1000
        self._say(f"{time.strftime('%H:%M:%S')} Rebuilt in {ms:.0f} ms: {result.rendered} page(s) "
                  f"re-rendered, {len(result.changed)} file(s) written, {len(result.removed)} removed.")
        self._update_schemas(result.site)
        pages = {path for path in result.changed | result.removed if path.endswith(".html")}
        if self.search and pages:
            self._reindex(None if every_file else pages)
        return True

    def _update_schemas(self, site) -> None:
        """Write the editor's schemas again when an agency, topic or programme name changed."""
        from .schema import reference_names, write_schemas

        names = reference_names(site)
        if self.schemas is None or names == self._schema_names:
            return
        try:
            write_schemas(site, self.schemas, guide=None)
        except OSError as exc:  # a read-only checkout: the editor only misses the newest names
            self._say(f"The editor's schemas in {self.schemas}/ could not be written ({one_line(exc)}).")
        self._schema_names = names

    def rebuild_when_settled(self, more_changes: Callable[[float], bool]) -> bool:
        """Rebuild after a save; return whether the browser should reload.

        more_changes(seconds) says whether another change comes within that time. A failed
        build is reported only when none does: otherwise the save was still going on, and
        the build that follows it is the one to report.
        """
        started = time.perf_counter()
        if self.rebuild(report_failure=False):
            return True
        # A machine slow to build is as slow to run the editor: the wait grows with the build.
        grace = (MID_SAVE_GRACE if self._mid_save() else GRACE) + (time.perf_counter() - started)
        if more_changes(grace):
            return False
        return self.report_failure()

    def _mid_save(self) -> bool:
        """Does the failure look like a file caught between an editor's steps, or a passing hitch?"""
        failure = self._failure
        return isinstance(failure, str) or any(p.message in MID_SAVE for p in failure or ())

    def report_failure(self) -> bool:
        """Report the last build's failure; return whether the browser's page changed."""
        failure, self._failure = self._failure, None
        if failure is None or failure == self._reported:  # already said, and already shown
            return False
        self._reported = failure
        stamp = time.strftime("%H:%M:%S")
        if isinstance(failure, str):  # not the content's fault: the browser keeps the last build
            self._say(f"{stamp} {failure[0].upper()}{failure[1:]}. The browser shows the last build; "
                      "save again to retry.")
            return False
        self.problems = failure
        self._say(f"{stamp} The site has {len(failure)} error(s); "
                  "the browser shows them. Fix the file and save: the page comes back.")
        print_problems(failure, stream=self.out)
        self.out.flush()
        return True

    def _failed(self, failure: list[Problem] | str, report: bool) -> bool:
        self._failure = failure
        self.ok = False
        if report:
            self.report_failure()
        return False

    def _reindex(self, pages: set[str] | None) -> None:
        """Have the search index updated for these pages (None: every page), after the reload, off the
        rebuild's critical path."""
        with self._index_lock:  # a save while the last index is being made is indexed after it, never lost
            self._index_again = True
            self._index_pages = None if pages is None or self._index_pages is None else self._index_pages | pages
            if self._indexer is None:
                self._indexer = threading.Thread(target=self._index_loop, name="search-index", daemon=True)
                self._indexer.start()

    def _index_loop(self) -> None:
        """Have the index made again while saves come, by a process of its own (the server's thread stays free)."""
        while True:
            with self._index_lock:
                if not self._index_again:
                    self._indexer = None
                    return
                self._index_again = False
                pages, self._index_pages = self._index_pages, set()
            why = self._indexed(pages)
            if why:
                self._say(f"The search index could not be updated ({one_line(why)}).")

    def _indexed(self, pages: set[str] | None) -> str:
        """Give the indexing process (searchindex.follow) the pages that changed (None: every page) and wait
        till it has written the index; '' then, else why not. One that ended is started again, reading every page."""
        if self._index_process is None or self._index_process.poll() is not None:
            self.close()
            self._index_process = subprocess.Popen(processes.command("searchindex", str(self.folder)),
                                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE)
            pages = None
        process = self._index_process
        try:
            process.stdin.write(json.dumps(None if pages is None else sorted(pages)).encode() + b"\n")
            process.stdin.flush()
            said = process.stdout.readline().decode("utf-8", "replace").strip()
        except (OSError, ValueError):  # it ended, or close() closed its pipes (the preview is stopping)
            said = ""
        if said == "ok":
            return ""
        if said.startswith("error: "):  # it goes on, and reads every page next time
            return said.removeprefix("error: ")
        if self._index_process is not process:  # close() stopped it: the preview is stopping
            return ""
        process.kill()
        process.wait()
        last = process.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:]
        self.close()
        return last[0] if last else f"exit code {process.returncode}"

    def close(self) -> None:
        """Stop the indexing process, if one runs."""
        if self._index_process is not None:
            processes.stop(self._index_process)
            self._index_process = None

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


# Longer addresses are refused (414) rather than looked up: no page of the site has one.
MAX_PATH = 2000


def _odd(path: str) -> bool:
    """Is a requested path (after the first /, decoded) one no page of the site can have?

    Control characters (a NUL reaches the file system as an error), backslashes (a browser
    reads them as slashes), empty, '.' and '..' segments.
    """
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in path):
        return True
    segments = path.split("/")
    return any(s in ("", ".", "..") for s in segments[:-1]) or segments[-1] in (".", "..")


class _Preview(RequestHandler):
    """Answers only requests that name the preview's own address (hosts.py: DNS rebinding), and
    with netlify.toml's headers for the path, as the published site does."""

    def set_default_headers(self) -> None:
        for name, value in headers_for(self.request.path, self.settings["production_headers"]).items():
            self.set_header(name, value)

    def prepare(self) -> None:
        if not host_allowed(self.request.headers.get("Host"), self.settings["host"], self.settings["port"]):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("403: this preview answers only at its own address, such as "
                        f"http://127.0.0.1:{self.settings['port']}/\n")


class _Pages(_Preview):
    """Serves the preview folder; shows the error page while the site is broken."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, path: str) -> None:
        if len(path) > MAX_PATH:
            raise HTTPError(414)
        if _odd(path):  # before the path is joined to the folder: it must not leave it
            raise HTTPError(400)
        if self.preview.problems and _is_page(path):
            self.set_status(500)
            return self._send(error_page(self.preview.problems), "error.html")
        if self.preview.problems and path == STYLESHEET:
            return self._send(STYLE.encode(), STYLESHEET)
        # Read the file once and send exactly those bytes: a rebuild may replace it meanwhile.
        file = self.preview.folder / path
        try:
            if file.is_dir():
                if not self.request.path.endswith("/"):
                    return self.redirect(self.request.path + "/", permanent=True)
                file /= "index.html"
            body = file.read_bytes()
        except (OSError, ValueError):  # none; removed by a rebuild just now; a name too long
            raise HTTPError(404) from None
        self._send(body, file.name)

    head = get

    def _send(self, body: bytes, name: str) -> None:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = body.replace(b"</head>", self.settings["live_script"] + b"</head>", 1)
        self.set_header("Content-Type", kind)
        self.finish(body)

    def write_error(self, status_code: int, **kwargs) -> None:
        try:
            not_found = (self.preview.folder / "404.html").read_bytes() if status_code == 404 else None
        except OSError:  # not built yet, or being replaced
            not_found = None
        if not_found is None:
            return super().write_error(status_code, **kwargs)
        self._send(not_found, "404.html")


class _LiveReload(_Preview, LiveReloadHandler):
    """Livereload's websocket, for the preview's own pages only (livereload allows any Origin)."""

    def check_origin(self, origin: str) -> bool:
        return origin_allowed(origin, self.settings["host"], self.settings["port"])


class _LiveReloadScript(_Preview, LiveReloadJSHandler):
    """Livereload's client, served as a file: the production policy allows no inline script."""


def make_app(preview: Preview, host: str, port: int) -> Application:
    """The preview's web application: its pages and livereload, for requests to its own address."""
    return Application([(r"/livereload", _LiveReload), (r"/livereload.js", _LiveReloadScript),
                        (r"/(.*)", _Pages, {"preview": preview})], host=host, port=port,
                       production_headers=load_header_rules() if NETLIFY_TOML.is_file() else [],
                       live_script=f'<script src="/livereload.js?port={port}"></script>'.encode())


def reload_browsers() -> None:
    """Tell every open page to reload (on the event loop); a page closed meanwhile is dropped quietly.

    Livereload's own reload_waiters leaves each message's future unawaited: when a tab closes
    while its message is on the way, asyncio prints "Task exception was never retrieved" and
    a traceback. Here each outcome is collected.
    """
    message = json_encode({"command": "reload", "path": "*", "liveCSS": False, "liveImg": True})
    for waiter in list(LiveReloadHandler.waiters):
        try:
            sent = waiter.write_message(message)
        except WebSocketClosedError:
            LiveReloadHandler.waiters.discard(waiter)
        else:
            sent.add_done_callback(_collect)


def _collect(future) -> None:
    """Take a sent message's outcome, so that a closed connection is not reported as a crash."""
    if not future.cancelled():
        future.exception()


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name


def watch(preview: Preview, folders, reload: Callable[[], None]) -> ChangeWatcher:
    """A watcher (not yet started) that rebuilds the preview after each save, and calls reload()
    when the browsers should reload."""
    reload_owed = False

    def changed(paths: set[str]) -> None:
        nonlocal reload_owed
        reload_owed |= preview.rebuild_when_settled(watcher.changes_within)
        watcher.any_name = not preview.ok  # a file that broke the build may go under any name
        # With more changes already waiting, the next build follows at once: reload after it.
        if reload_owed and not watcher.changes_within(0):
            reload_owed = False
            reload()

    watcher = ChangeWatcher(folders, changed)
    watcher.any_name = not preview.ok
    return watcher


def serve(content: Path, templates: Path, host: str = "127.0.0.1", port: int = 8000,
          folder: Path = Path(".serve"), cache=None, schemas: Path | None = None) -> int:
    """Build, serve and rebuild on change until interrupted."""
    try:  # as the command line checks them, for a caller that did not
        port, host = port_number(str(port)), host_name(str(host))
    except ArgumentTypeError as exc:
        raise UsageError(str(exc)) from None
    base_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    loop = IOLoop.current()
    quiet_terminal(loop.asyncio_loop)
    preview = Preview(content, templates, folder, base_url, bytecode_cache=cache.templates() if cache else None,
                      schemas=schemas)
    # The first build replaces the folder whole, as a build does output/: only if it is the builder's.
    check_own(folder.resolve(), str(folder))
    if not preview.rebuild():
        folder.mkdir(parents=True, exist_ok=True)  # serve the error page until it is fixed
        (folder / MARKER).write_bytes(MARKER_TEXT)
    if cache is not None:
        cache.save()  # the first build's results; later edits are not worth a write each

    try:
        make_app(preview, host, port).listen(port, address=host)
    except OSError as exc:
        # A name that does not resolve or an address this machine lacks is the host's fault, not the port's.
        wrong_host = isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL
        hint = "check --host (127.0.0.1 is this computer)" if wrong_host else "try another --port"
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); {hint}") from None

    watcher = watch(preview, [content, templates], lambda: loop.add_callback(reload_browsers))
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
        preview.close()
    print("\nStopped.", flush=True)
    return 0


def _stop_on_signals(loop: IOLoop) -> None:
    """Stop the server cleanly on Ctrl+C (SIGINT) or SIGTERM.

    Python's own Ctrl+C raises KeyboardInterrupt wherever the main thread happens to be,
    and inside a weakref callback or __del__ it is printed and dropped: the server then
    ran on (one Ctrl+C in about twenty in tests). The event loop's handler runs between
    callbacks instead, where nothing can swallow it.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.asyncio_loop.add_signal_handler(signum, loop.stop)

