"""Saving again and again under a running `site-builder serve`, the ways editors save.

The preview must never print a Python traceback, never report the state of a file caught
half-saved (such as "the file is empty" between an editor's truncating open and its writing
one), and must end each save showing that save: the new text, or the error page for it.

The process is the real `site-builder serve`, on a copy of the fixture site (tests/fixtures/site)
on a free port. Nothing is asserted about time; the run time is printed (run with -s to see it).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path


from conftest import in_ci
from test_serve import SITE_BUILDER, TEMPLATES, RunningPreview, free_port, stop

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "site"
PLAN = "plans/2021-22.yaml"
PLAN_PAGE = "/plans/2021-22/"
START_TIMEOUT = 60
STATE_TIMEOUT = 10  # generous: a save shows within milliseconds, a broken one after the preview's grace
SAVES = 200 if in_ci() else 80  # CI tries more interleavings; 80 are 20 of each saver, at 0.2 s or more each
RECHECK = 0.1  # s: the longest a save's page waits unfetched when the preview has printed nothing new
PAUSE = 0.02  # between an editor's truncating open and its writing one, or its two writes
# What the preview's terminal must never show.
NEVER = ("Traceback", "Task exception was never retrieved", "the file is empty", "Exception in thread")


@contextmanager
def fixture_preview(tmp_path: Path):
    """`site-builder serve` on a copy of the fixture site, until it answers."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    port = free_port()
    stdout, stderr = tmp_path / "serve.stdout", tmp_path / "serve.stderr"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(
            [str(SITE_BUILDER), "serve", "--content", str(content), "--templates", str(TEMPLATES),
             "--port", str(port), "--no-cache"],
            cwd=tmp_path, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    preview = RunningPreview(process, f"http://127.0.0.1:{port}", tmp_path, content, stdout, stderr)
    try:
        def answers():
            try:
                return preview.get("/").status > 0
            except OSError:
                return False
        preview.wait_for("the server answers GET /", answers, timeout=START_TIMEOUT)
        yield preview
    finally:
        stop(process)


def after_each_build(preview: RunningPreview, condition):
    """condition, asked only when the preview has printed since it was last asked, or RECHECK s after.

    The preview prints a line when it finishes a build (the time it took, or the errors), so a
    page is fetched about once per build instead of every 10 ms, each fetch costing the preview
    as much as the test; the RECHECK fallback keeps the wait correct whatever it prints.
    """
    asked = {"size": -1, "at": 0.0}

    def check():
        size, now = preview.stdout.stat().st_size, time.perf_counter()
        if size == asked["size"] and now - asked["at"] < RECHECK:
            return False
        asked["size"], asked["at"] = size, now
        return condition()
    return check


def printed(preview: RunningPreview) -> str:
    """stdout and stderr together."""
    return preview.log() + preview.stderr.read_text(encoding="utf-8", errors="replace")


def assert_no_traceback(preview: RunningPreview) -> None:
    text = printed(preview)
    found = [word for word in NEVER if word in text]
    assert not found, f"the preview printed {found}\n" + preview.terminal()


# ---------------------------------------------------------------------------------------------
# Content: a longer plan than the fixture's, so that a file caught half-written is cut anywhere.

EXTRA = "".join(
    f"  - title: Patrol scheme number {i}\n"
    f"    lead: EP\n"
    f"    timing: Spring 202{i % 10}\n"
    f"    description: |\n"
    f"      Officers walk the town centre on Friday and Saturday nights, scheme {i}.\n"
    f"      They meet door staff and the street pastors.\n"
    f"    scp_priorities: [1]\n"
    for i in range(12))


def valid(base: str, n: int) -> str:
    """The plan with a title unique to save n."""
    return base.replace("- title: Keep Safe relaunch\n", f"- title: Keep Safe relaunch save-{n:03d}\n", 1) + EXTRA


def broken(base: str, n: int) -> str:
    """The plan with an unknown field unique to save n: an error only a finished save has."""
    return valid(base, n).replace("    lead: EP\n", f"    lead: EP\n    broken_{n:03d}: yes\n", 1)


def save_in_one_open(path: Path, text: str) -> None:
    """Truncate, write half, pause, write the rest (an editor writing in chunks)."""
    half = len(text) // 2
    with open(path, "w", encoding="utf-8") as file:
        file.write(text[:half])
        file.flush()
        time.sleep(PAUSE)
        file.write(text[half:])


def save_in_two_opens(path: Path, text: str) -> None:
    """Truncate with one open, then write with another: between them the file is empty."""
    open(path, "w").close()
    time.sleep(PAUSE)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def save_by_rename(path: Path, text: str) -> None:
    """Write a temporary file beside it, then rename it over the original."""
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


SAVERS = (save_in_one_open, save_by_rename, save_in_two_opens, save_by_rename)


def test_many_saves_the_ways_editors_save(tmp_path):
    started = time.perf_counter()
    with fixture_preview(tmp_path) as preview:
        plan = preview.content / PLAN
        base = plan.read_text(encoding="utf-8")
        for n in range(SAVES):
            good = n % 2 == 0
            SAVERS[n % len(SAVERS)](plan, valid(base, n) if good else broken(base, n))
            if good:  # the page shows this save's title
                want = f"Keep Safe relaunch save-{n:03d}"
                preview.wait_for(f"save {n}: {want!r} on the plan page", after_each_build(
                    preview, lambda: (r := preview.get(PLAN_PAGE)).status == 200 and want in r.text),
                    timeout=STATE_TIMEOUT)
            else:  # the error page names this save's field, which only the build can know
                want = f"<code>initiatives[0].broken_{n:03d}</code>"
                preview.wait_for(f"save {n}: the error page naming {want}", after_each_build(
                    preview, lambda: (r := preview.get(PLAN_PAGE)).status == 500 and want in r.text),
                    timeout=STATE_TIMEOUT)
        assert preview.process.poll() is None, preview.terminal()
        assert_no_traceback(preview)
        # Every error reported is one a finished save has: none of a file caught half-saved.
        errors = re.findall(r"^\S+: error: (.*)$", preview.log(), re.M)
        transient = [e for e in errors if not re.match(r"initiatives\[0\]\.broken_\d{3}: unknown field", e)]
        assert transient == [], "errors of half-saved files were reported:\n" + "\n".join(transient)
        reported = {int(m) for m in re.findall(r"broken_(\d{3}): unknown field", preview.log())}
        assert reported == set(range(1, SAVES, 2)), "not every broken save was reported"
    print(f"\n{SAVES} saves in {time.perf_counter() - started:.1f} s")


# ---------------------------------------------------------------------------------------------
# Browsers that go away while the preview tells them to reload.

def _frame(payload: dict) -> bytes:
    """A masked websocket text frame, as a browser sends."""
    data, mask = json.dumps(payload).encode(), os.urandom(4)
    length = bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0x80 | 126]) + struct.pack(">H", len(data))
    return bytes([0x81]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def livereload_client(port: int) -> socket.socket:
    """Connect to /livereload and say hello and info, as livereload.js does; do not wait for replies."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 101"), answer
    sock.sendall(_frame({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
                 + _frame({"command": "info", "url": "http://127.0.0.1/", "plugins": {}}))
    return sock


def drop(sock: socket.socket) -> None:
    """Go away at once, as a closed tab's connection may: a reset, no closing handshake."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_tabs_closed_while_reloads_are_sent(tmp_path):
    with fixture_preview(tmp_path) as preview:
        port = int(preview.url.rsplit(":", 1)[1])
        plan = preview.content / PLAN
        base = plan.read_text(encoding="utf-8")
        # One tab stays open the whole time: it must be told to reload after each save.
        staying = livereload_client(port)
        received = bytearray()
        done = threading.Event()

        def read_staying():
            staying.settimeout(0.2)
            while not done.is_set():
                try:
                    chunk = staying.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received.extend(chunk)

        def churn(seed: int):
            i = seed
            while not done.is_set():
                try:
                    sock = livereload_client(port)
                    time.sleep((i % 5) * 0.002)  # some go at once, some after their handshake
                    drop(sock)
                except OSError:
                    pass
                i += 1

        threads = [threading.Thread(target=read_staying)] + [threading.Thread(target=churn, args=(s,))
                                                              for s in range(4)]
        for thread in threads:
            thread.start()
        try:
            for n in range(60):
                save_by_rename(plan, valid(base, n))
                time.sleep(0.03)
            want = f"Keep Safe relaunch save-{59:03d}"
            preview.wait_for("the last save on the plan page", lambda: want in preview.get(PLAN_PAGE).text)
            time.sleep(0.3)  # let the last reload reach the staying tab
        finally:
            done.set()
            for thread in threads:
                thread.join(10)
            staying.close()
        assert preview.process.poll() is None, preview.terminal()
        assert received.count(b'"command": "reload"') >= 1, "the open tab was never told to reload"
        assert_no_traceback(preview)
