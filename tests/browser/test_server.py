"""The test server serves a folder as Netlify would: clean URLs, 404.html, netlify.toml's headers."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from browser.conftest import FAULTY
from browser.server import load_header_rules, path_pattern, serve


@pytest.fixture(scope="module")
def get():
    with serve(FAULTY) as url:
        host = urlsplit(url).netloc

        def request(path: str, method: str = "GET"):
            conn = http.client.HTTPConnection(host, timeout=10)
            conn.request(method, path)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        yield request


def test_a_folder_is_served_by_its_index_html(get):
    status, headers, body = get("/invalid/")
    assert status == 200 and headers["content-type"] == "text/html; charset=UTF-8"
    assert body == (FAULTY / "invalid/index.html").read_bytes()
    assert get("/")[2] == (FAULTY / "index.html").read_bytes()


def test_a_folder_without_its_slash_redirects(get):
    status, headers, _ = get("/invalid")
    assert (status, headers["location"]) == (301, "/invalid/")


def test_a_missing_path_gets_404_html_with_status_404(get):
    for path in ("/nowhere/", "/nowhere", "/assets/nothing.css", "/../../etc/passwd", "/%2e%2e/etc/passwd"):
        status, headers, body = get(path)
        assert (status, body) == (404, (FAULTY / "404.html").read_bytes()), path
        assert "default-src 'self'" in headers["content-security-policy"]


def test_headers_follow_netlify_toml(get):
    _, page, _ = get("/")
    _, asset, body = get("/assets/faulty.css")
    assert asset["content-type"] == "text/css; charset=UTF-8" and body.startswith(b"/*")
    rules = dict((p.pattern, v) for p, v in load_header_rules())
    for name, value in rules[path_pattern("/*").pattern].items():
        assert page[name.lower()] == value and asset[name.lower()] == value
    assert page["cache-control"] == "public, max-age=0, must-revalidate"
    assert asset["cache-control"] == "public, max-age=31536000, immutable"


def test_head_sends_headers_only(get):
    status, headers, body = get("/", method="HEAD")
    assert (status, body) == (200, b"") and int(headers["content-length"]) == (FAULTY / "index.html").stat().st_size


@pytest.mark.parametrize("rule, path, matches", [
    ("/*", "/", True), ("/*", "/plans/2021-22/", True), ("/assets/*", "/assets/site.css", True),
    ("/assets/*", "/assets", True), ("/assets/*", "/assetsx/a.css", False), ("/assets/*", "/plans/assets/a", False),
    ("/plans/:period/", "/plans/2021-22/", True), ("/plans/:period/", "/plans/a/b/", False),
    ("/404.html", "/404.html", True), ("/404.html", "/404xhtml", False),
])
def test_netlify_path_patterns(rule, path, matches):
    assert bool(path_pattern(rule).fullmatch(path)) is matches
