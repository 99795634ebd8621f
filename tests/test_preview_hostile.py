"""The preview under odd requests, other sites' pages, bad options and a file system that changes under it.

Each test runs the real `site-builder serve` on a copy of the fixture site (as
tests/test_preview_saves.py does), except the memory test, which drives Preview in this
process. The preview must answer odd paths with 4xx and never 5xx, answer only to its own
address (a page on another site that points its own name at 127.0.0.1, DNS rebinding, must
not read it), refuse a bad --port or --host at once, and keep rebuilding whatever the file
system went through, without a Python traceback in its terminal.
"""

from __future__ import annotations

import base64
import gc
import io
import os
import shutil
import socket
import subprocess
import tracemalloc

import pytest

import forked
from conftest import FIXTURE, TEMPLATES, in_ci, touch_later
from test_preview_saves import PLAN, PLAN_PAGE, assert_no_traceback, fixture_preview, printed

TITLE = "- title: Keep Safe relaunch\n"


def raw_request(port: int, request: bytes) -> bytes:
    """Send bytes as they are; return the whole answer (b"" if the server closed without one)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request)
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):  # closed before reading all we sent
            pass
    return answer


def status(port: int, path: str, host: str | None = None, headers: dict | None = None) -> int:
    """The status of GET path (written as it is, not encoded again), with the Host header given."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host if host is not None else f'127.0.0.1:{port}'}",
             "Connection: close", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    answer = raw_request(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    assert answer.startswith(b"HTTP/1.1 "), f"GET {path[:60]}: no answer but {answer[:80]!r}"
    return int(answer[9:12])


def port_of(preview) -> int:
    return int(preview.url.rsplit(":", 1)[1])


ODD_PATHS = [
    "/%00", "/x%00.css", "/assets/%00.css", "/robots.txt%00", "/index.html%00.css", "/plans/%00/",
    "/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.%2e/.%2e/etc/passwd", "/plans/../../etc/passwd",
    "/%ff%fe", "/%c0%af", "/%e2%82", "/plans/%ed%a0%80/",
    "//double", "//etc/passwd", "///", "/plans//2021-22/",
    "/a\\b", "/..\\..\\etc\\passwd", "/%5c..%5c..%5cetc%5cpasswd", "/plans\\2021-22\\",
    "/%0d%0aSet-Cookie:%20x=1", "/%01%02%7f", "/plans/%09/",
    "/" + "a" * 300, "/" + "a" * 300 + ".css", "/" + "a" * 300 + "/", "/" + "ab/" * 3000,
    "/" + "a" * 20_000,
]


def test_odd_paths_answer_4xx_and_the_terminal_stays_plain(tmp_path):
    with fixture_preview(tmp_path) as preview:
        port = port_of(preview)
        answers = {path: status(port, path) for path in ODD_PATHS}
        wrong = {path[:60]: code for path, code in answers.items() if not 400 <= code < 500}
        assert wrong == {}, f"odd paths answered with other than 4xx: {wrong}\n" + preview.terminal()
        # Longer than tornado's limit for a request's head (64 KB): the connection is closed unanswered.
        assert raw_request(port, f"GET /{'a' * 70_000} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()) == b""
        assert status(port, "/") == 200 and status(port, PLAN_PAGE) == 200
        assert preview.process.poll() is None, preview.terminal()
        assert_no_traceback(preview)
        said = preview.stderr.read_text(encoding="utf-8", errors="replace")
        assert said == "", "a refused request is not the editor's business:\n" + said


def test_odd_paths_answer_4xx_while_the_site_has_errors(tmp_path):
    """The error page is for pages; an odd path is not a page, broken site or not."""
    with fixture_preview(tmp_path) as preview:
        port = port_of(preview)
        plan = preview.content / PLAN
        plan.write_text(plan.read_text(encoding="utf-8").replace("    lead: EP\n", "    lead: EP\n    leed: x\n", 1))
        preview.wait_for("the error page", lambda: status(port, PLAN_PAGE) == 500)
        for path in ("/%00", "/..%2f..%2fetc/passwd", "//double", "/a\\b", "/%ff"):
            assert 400 <= status(port, path) < 500, path
        assert_no_traceback(preview)


# ---------------------------------------------------------------------------------------------
# Only the preview's own address: DNS rebinding.

def upgrade(port: int, host: str, origin: str | None = None) -> int:
    """The status of a websocket handshake on /livereload, as livereload.js makes it."""
    key = base64.b64encode(os.urandom(16)).decode()
    headers = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
               "Sec-WebSocket-Version": "13", **({"Origin": origin} if origin else {})}
    lines = [f"GET /livereload HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    answer = raw_request(port, ("\r\n".join(lines) + "\r\n\r\n").encode())
    return int(answer[9:12])


def test_only_requests_to_the_previews_own_address_are_answered(tmp_path):
    with fixture_preview(tmp_path) as preview:
        port = port_of(preview)
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
            assert status(port, PLAN_PAGE, host) == 200, host
            assert upgrade(port, host) == 101, host
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}",
                     f"localhost.evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", f"10.0.0.1:{port}",
                     f"[::2]:{port}", "", f"localhost:{port}:{port}", f"127.0.0.1:{port}@evil.example"):
            # Refused: 403, or 400 from tornado itself for a header that is not a host at all.
            refused = (403,) if host.count(":") < 2 and "@" not in host else (400, 403)
            for path in ("/", PLAN_PAGE, "/livereload.js", "/nowhere/", "/%00"):
                assert status(port, path, host) in refused, (host, path)
            assert upgrade(port, host) in refused, host
        # A page on another site may open a websocket to 127.0.0.1 itself: its Origin gives it away.
        assert upgrade(port, f"127.0.0.1:{port}", origin="http://evil.example") == 403
        assert upgrade(port, f"127.0.0.1:{port}", origin=f"http://127.0.0.1:{port}") == 101
        answer = raw_request(port, b"GET / HTTP/1.0\r\n\r\n")  # no Host header at all
        assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
        assert preview.process.poll() is None, preview.terminal()
        assert_no_traceback(preview)


# ---------------------------------------------------------------------------------------------
# Options.

def run_serve(tmp_path, *options: str) -> subprocess.CompletedProcess:
    """`site-builder serve` in a process of its own (forked: tests/forked.py), in tmp_path."""
    shutil.copytree(FIXTURE, tmp_path / "content", dirs_exist_ok=True)
    return forked.run(["serve", "--content", str(tmp_path / "content"), "--templates", str(TEMPLATES), "--no-cache",
                       *options], cwd=tmp_path, timeout=60)


@pytest.mark.parametrize("options", [
    ("--port", "99999"), ("--port", "65536"), ("--port", "0"), ("--port", "-1"), ("--port", "80a"),
    ("--port", ""), ("--port", "8000.5"),
    ("--host", "evil host"), ("--host", "127.0.0.1:8000"), ("--host", ""), ("--host", "http://127.0.0.1"),
    ("--host", "127.0.0.1\nX"), ("--host", "a" * 300), ("--host", "-leading.example"), ("--host", "under_score"),
])
def test_a_bad_port_or_host_is_a_usage_error(tmp_path, options):
    result = run_serve(tmp_path, *options)
    assert result.returncode == 2, result.stderr
    assert options[0] in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / ".serve").exists(), "nothing is built for a command that cannot run"


def test_serve_refuses_a_bad_port_given_to_it_directly(tmp_path):
    from site_builder.problems import UsageError
    from site_builder.serve import serve

    with pytest.raises(UsageError, match="65535"):
        serve(tmp_path / "content", TEMPLATES, "127.0.0.1", 99999, folder=tmp_path / ".serve")
    assert not (tmp_path / ".serve").exists()


# ---------------------------------------------------------------------------------------------
# A file system that changes under the preview: it keeps rebuilding.

def test_an_editor_lock_that_breaks_a_build_is_rebuilt_past_when_it_goes(tmp_path):
    """Emacs keeps a dangling link `.#file` while a file has unsaved changes, and removes it after saving."""
    with fixture_preview(tmp_path) as preview:
        plan = preview.content / PLAN
        lock = plan.with_name(".#" + plan.name)
        lock.symlink_to("editor@machine.12345:1700000000")
        plan.write_text(plan.read_text(encoding="utf-8").replace(TITLE, "- title: Keep Safe saved\n", 1))
        # The build after the save may read the lock (and fail on it) or pass it by: either way
        # the preview settles before the editor removes the lock.
        preview.wait_for("the save handled", lambda: (r := preview.get(PLAN_PAGE)).status == 500 and
                         lock.name in r.text or r.status == 200 and "Keep Safe saved" in r.text, timeout=15)
        lock.unlink()  # the save is over
        preview.wait_for("the saved title once the lock is gone",
                         lambda: (r := preview.get(PLAN_PAGE)).status == 200 and "Keep Safe saved" in r.text,
                         timeout=15)
        assert_no_traceback(preview)


def test_a_dangling_link_that_appears_and_goes(tmp_path):
    with fixture_preview(tmp_path) as preview:
        plan = preview.content / PLAN
        link = plan.with_name("2030-31.yaml")
        link.symlink_to("nowhere.yaml")
        preview.wait_for("the error page naming the link",
                         lambda: (r := preview.get(PLAN_PAGE)).status == 500 and "2030-31.yaml" in r.text,
                         timeout=15)
        link.unlink()
        preview.wait_for("the site back", lambda: preview.get(PLAN_PAGE).status == 200, timeout=15)
        plan.write_text(plan.read_text(encoding="utf-8").replace(TITLE, "- title: Keep Safe after\n", 1))
        preview.wait_for("the next save shown", lambda: "Keep Safe after" in preview.get(PLAN_PAGE).text, timeout=15)
        assert_no_traceback(preview)


@pytest.mark.parametrize("folder", ["content", "content/plans"])
def test_a_folder_deleted_and_made_again_is_watched_again(tmp_path, folder):
    """As `git checkout` of another branch, or a restore from a backup, may do."""
    with fixture_preview(tmp_path) as preview:
        replaced = tmp_path / folder
        shutil.move(replaced, tmp_path / "old")
        shutil.copytree(tmp_path / "old", replaced)
        shutil.rmtree(tmp_path / "old")
        plan = preview.content / PLAN
        for n in range(2):  # the first save after, and the one after that
            text = plan.read_text(encoding="utf-8")
            title = f"- title: Keep Safe restored {n}\n"
            plan.write_text(text.replace(TITLE if n == 0 else f"- title: Keep Safe restored {n - 1}\n", title, 1))
            preview.wait_for(f"save {n} in the new folder shown",
                             lambda: f"Keep Safe restored {n}" in preview.get(PLAN_PAGE).text, timeout=15)
        assert_no_traceback(preview)


# ---------------------------------------------------------------------------------------------
# Memory: the same two texts saved again and again.

class Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


REBUILDS = 300 if in_ci() else 150  # CI measures over more saves
GROWTH_LIMIT = 300_000  # bytes over all the rebuilds: 16 KB a save (as it was) would be 2.4 MB in 150


def test_memory_is_flat_over_saves_of_the_same_two_texts(site_dir, tmp_path):
    from site_builder.serve import Preview

    plan = site_dir / PLAN
    first = plan.read_text(encoding="utf-8")
    second = first.replace(TITLE, "- title: Keep Safe relaunched\n", 1)
    preview = Preview(site_dir, TEMPLATES, tmp_path / ".serve", out=Discard())
    preview.search = False

    def save(n: int) -> None:
        plan.write_text(second if n % 2 else first, encoding="utf-8")
        touch_later(plan)
        assert preview.rebuild(), f"rebuild {n} failed"

    for n in range(20):  # every cache warm
        save(n)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(REBUILDS):
            save(n)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    print(f"\n{REBUILDS} rebuilds: {grown / 1024:.0f} KB more traced memory ({grown / REBUILDS:.0f} bytes each)")
    assert grown < GROWTH_LIMIT, f"{grown} bytes more after {REBUILDS} rebuilds of the same two texts"
