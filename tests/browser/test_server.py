"""The test server serves a folder as Netlify would: clean URLs, _redirects, 404.html, netlify.toml's headers."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from browser.conftest import FAULTY
from browser.server import load_redirects, serve
from site_builder.headers import load_header_rules, path_pattern


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


# ---- _redirects, as Netlify applies it ----------------------------------------------

@pytest.fixture(scope="module")
def get_redirected(tmp_path_factory):
    """A folder with pages and a _redirects file, served; a function that requests a path."""
    folder = tmp_path_factory.mktemp("redirected")
    for page in ("index.html", "404.html", "plans/2018-19/index.html", "kept/index.html", "moved/index.html"):
        (folder / page).parent.mkdir(parents=True, exist_ok=True)
        (folder / page).write_text(f"<title>{page}</title>")
    (folder / "_redirects").write_text(
        "# comments and blank lines are skipped\n\n"
        "/old-plan/ /plans/2018-19/ 301\n"
        "/no-slash /plans/2018-19/\n"
        "/old-plan/ /nowhere/ 301\n"          # a later rule for the same address: the first wins
        "/kept/ /plans/2018-19/ 301\n"        # a file exists there: it is served, not redirected
        "/moved/ /plans/2018-19/ 302!\n"      # forced: redirected although the file exists
        "/elsewhere https://www.example.org/ 301\n")
    with serve(folder) as url:
        host = urlsplit(url).netloc

        def request(path: str):
            conn = http.client.HTTPConnection(host, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status, response.getheader("Location"), body
        yield request


@pytest.mark.parametrize("path, status, location", [
    ("/old-plan/", 301, "/plans/2018-19/"),
    ("/old-plan", 301, "/plans/2018-19/"),      # Netlify matches with or without the trailing slash
    ("/no-slash/", 301, "/plans/2018-19/"),     # and a rule without a status is a 301
    ("/moved/", 302, "/plans/2018-19/"),
    ("/elsewhere", 301, "https://www.example.org/"),
    ("/kept/", 200, None),
    ("/plans/2018-19/", 200, None),
    ("/Old-Plan/", 404, None),                  # paths are case-sensitive
])
def test_redirects_apply_as_on_netlify(get_redirected, path, status, location):
    assert get_redirected(path)[:2] == (status, location)


def test_the_redirects_file_itself_is_not_served(get_redirected):
    status, _, body = get_redirected("/_redirects")
    assert status == 404 and body == b"<title>404.html</title>"


@pytest.mark.parametrize("line", ["/news/* /blog/:splat", "/news/:year /blog", "/a /b 200 Country=gb", "/a /b ok",
                                  "/a https://example.org/ 200"])
def test_rules_the_server_cannot_follow_are_refused(tmp_path, line):
    (tmp_path / "_redirects").write_text(line + "\n")
    with pytest.raises(ValueError, match="_redirects line 1"):
        load_redirects(tmp_path)
