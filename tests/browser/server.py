"""Serve a built site on 127.0.0.1 as Netlify would: clean URLs, _redirects, 404.html, netlify.toml's headers.

Run by hand to look at a build with the production headers:
    .venv/bin/python tests/browser/server.py output
"""

from __future__ import annotations

import mimetypes
import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.headers import HeaderRule, headers_for, load_header_rules

TYPES = {".yml": "text/yaml; charset=UTF-8", ".html": "text/html; charset=UTF-8", ".css": "text/css; charset=UTF-8", ".svg": "image/svg+xml",
         ".xml": "application/xml", ".txt": "text/plain; charset=UTF-8", ".json": "application/json",
         ".csv": "text/csv; charset=UTF-8", ".js": "text/javascript; charset=UTF-8", ".wasm": "application/wasm",
         ".png": "image/png", ".ico": "image/x-icon"}


@dataclass(frozen=True)
class RedirectRule:
    """One line of a _redirects file: `from to [status][!]`."""

    source: str
    to: str
    status: int = 301
    force: bool = False  # `!`: applies even where a file exists at `source`


def load_redirects(folder: Path) -> list[RedirectRule]:
    """Read a published folder's _redirects as Netlify does: `from to [status][!]` a line, `#` comments.

    Only what this site writes is understood (exact paths; 3xx, 200 and 404 to a path, 3xx to a
    URL): anything else raises ValueError rather than be served differently from Netlify.
    """
    path = Path(folder) / "_redirects"
    if not path.is_file():
        return []
    rules = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split()
        match = re.fullmatch(r"(\d{3})(!?)", parts[2]) if len(parts) == 3 else None
        if len(parts) not in (2, 3) or (len(parts) == 3 and not match):
            raise ValueError(f"_redirects line {number}: expected `from to [status]`, found {line!r}")
        source, to = parts[:2]
        status = int(match.group(1)) if match else 301
        if not source.startswith("/") or re.search(r"\*|/:", source) or (status < 300 and not to.startswith("/")):
            raise ValueError(f"_redirects line {number}: {line!r} needs features this test server lacks")
        rules.append(RedirectRule(unquote(source), to, status, bool(match and match.group(2))))
    return rules


def match_redirect(path: str, rules: list[RedirectRule]) -> RedirectRule | None:
    """The first rule for a path. Netlify normalises the trailing slash: /old and /old/ match alike."""
    key = path.rstrip("/") or "/"
    return next((rule for rule in rules if (rule.source.rstrip("/") or "/") == key), None)


def resolve(folder: Path, path: str, redirects: list[RedirectRule] = ()) -> tuple[HTTPStatus, Path | None, str | None]:
    """Map a URL path to (status, file to send, redirect location) as Netlify does.

    A file at the path wins over a redirect rule, unless the rule is forced with `!`; the
    rules of _redirects come before a 404 (netlify.toml has none). _redirects is not served.
    """
    if "\0" in path or not path.startswith("/"):
        return HTTPStatus.BAD_REQUEST, None, None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return HTTPStatus.NOT_FOUND, folder / "404.html", None
    rule = match_redirect(path, redirects)
    if rule is not None and rule.force:
        return apply_redirect(folder, rule)
    target = folder.joinpath(*parts)
    if target.is_dir():
        if not path.endswith("/"):
            return HTTPStatus.MOVED_PERMANENTLY, None, path + "/"
        target = target / "index.html"
    if target.is_file() and parts != ["_redirects"]:  # Netlify reads _redirects and never serves it
        return HTTPStatus.OK, target, None
    if rule is not None:
        return apply_redirect(folder, rule)
    return HTTPStatus.NOT_FOUND, folder / "404.html", None


def apply_redirect(folder: Path, rule: RedirectRule) -> tuple[HTTPStatus, Path | None, str | None]:
    """A redirect sends its Location; a 200 or 404 rule serves the file at `to` with that status."""
    if 300 <= rule.status < 400:
        return HTTPStatus(rule.status), None, rule.to
    status, file, _ = resolve(folder, rule.to)
    return (HTTPStatus(rule.status) if status == HTTPStatus.OK else status), file, None


def make_handler(folder: Path, rules: list[HeaderRule],
                 redirects: list[RedirectRule] | None = None) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one folder, its _redirects and one set of header rules."""
    folder = folder.resolve()
    redirects = load_redirects(folder) if redirects is None else redirects

    class Handler(BaseHTTPRequestHandler):
        server_version = "netlify-like"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.respond(send_body=True)

        def do_HEAD(self) -> None:
            self.respond(send_body=False)

        def respond(self, send_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            status, file, location = resolve(folder, path, redirects)
            body = file.read_bytes() if file is not None and file.is_file() else b""
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            if file is not None:
                self.send_header("Content-Type", TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
                                 or "application/octet-stream")
            for name, value in headers_for(path, rules).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
            pass  # a test run would print a line per request

    return Handler


@contextmanager
def serve(folder: Path, rules: list[HeaderRule] | None = None):
    """Serve a folder on 127.0.0.1 at a free port; yield its base URL, stop on exit."""
    rules = load_header_rules() if rules is None else rules
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Path(folder), rules))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {folder}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    """Serve a folder until interrupted."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "output")
    if not (folder / "index.html").is_file():
        print(f"{folder}/index.html not found: build the site first (make build)", file=sys.stderr)
        return 2
    with serve(folder) as url:
        print(f"Serving {folder}/ at {url}/ with its _redirects and the headers of netlify.toml. Ctrl-C stops.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
