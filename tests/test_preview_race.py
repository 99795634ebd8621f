"""The preview serves whole files while a rebuild replaces them.

The preview's rebuild runs beside the web server. A page fetched while it is rewritten must
arrive whole, old or new, never cut off: CI once saw the server drop such a request with no
response at all, because tornado took the length from one look at the file and the bytes
from a later one.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import threading
from types import SimpleNamespace

import pytest
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from site_builder.serve import make_app
from site_builder.write import sync_tree

SHORT = b"<!DOCTYPE html><title>a</title><p>MAC Panel</p>\n"
LONG = b"<!DOCTYPE html><title>a</title><p>MAC Panel Reviewed</p>\n" + b"<p>more</p>\n" * 2000
REQUESTS = 400


@pytest.fixture
def server(tmp_path):
    """The preview's web application in a tornado server on a free port, in a thread of its own."""
    folder = tmp_path / "site"
    (folder / "plan").mkdir(parents=True)
    (folder / "plan" / "index.html").write_bytes(SHORT)
    preview = SimpleNamespace(problems=[], folder=folder)
    sockets = bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    ready, loops = threading.Event(), []

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        HTTPServer(make_app(preview, "127.0.0.1", port)).add_sockets(sockets)
        loops.append(IOLoop.current())
        ready.set()
        IOLoop.current().start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    yield folder, port
    loops[0].add_callback(loops[0].stop)
    thread.join(10)


def test_a_page_rewritten_while_it_is_served_arrives_whole(server):
    folder, port = server
    stop = threading.Event()

    def rebuild_again_and_again():
        versions = ({"plan/index.html": LONG}, {"plan/index.html": SHORT})
        i = 0
        while not stop.is_set():
            files = versions[i % 2]
            sync_tree(files, set(files), set(), folder)
            i += 1

    writer = threading.Thread(target=rebuild_again_and_again, daemon=True)
    writer.start()
    try:
        bodies = set()
        for _ in range(REQUESTS):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/plan/")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status == 200
            assert body in (SHORT, LONG), f"a cut or mixed page of {len(body)} bytes"
            assert int(response.getheader("Content-Length")) == len(body)
            bodies.add(body)
    finally:
        stop.set()
        writer.join(10)
    assert not [name for name in os.listdir(folder / "plan") if name != "index.html"], "a temporary file was left"
    assert bodies == {SHORT, LONG}, "the rewrites did not overlap the requests; the test proved nothing"
