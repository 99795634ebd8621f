"""The real site's redirects (content/redirects.yaml), served as Netlify serves _redirects, in Chromium.

The old WordPress site's plan pages are among them: their addresses, printed and bookmarked
over the years, answer 301 and lead to the plan's page here.
"""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

import pytest
import yaml

from browser.conftest import no_problems
from conftest import CONTENT

pytestmark = pytest.mark.content


def content_redirects() -> list[dict]:
    """The redirects as content/redirects.yaml writes them, read without the builder."""
    path = CONTENT / "redirects.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("redirects") or [] if path.is_file() else []


def request(site_url: str, path: str) -> tuple[int, str | None]:
    """Status and Location of one request, without following the redirect."""
    conn = http.client.HTTPConnection(urlsplit(site_url).netloc, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, response.getheader("Location")


def page_title(built_site, address: str) -> str:
    html = (built_site / address.lstrip("/") / "index.html").read_text(encoding="utf-8")
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).replace("&amp;", "&")


def test_old_addresses_answer_301_with_the_new_address(site_url):
    redirects = content_redirects()
    # The record of published addresses keeps the WordPress ones: a build without them fails.
    assert redirects, "content/redirects.yaml has no redirects"
    for redirect in redirects:
        for path in (redirect["from"], redirect["from"].rstrip("/")):  # Netlify matches both
            assert request(site_url, path) == (301, redirect["to"]), path


def test_following_an_old_address_in_chromium_lands_on_its_page(site_url, built_site, checker):
    for redirect in content_redirects():
        if not redirect["to"].startswith("/"):
            continue
        response = checker.page.goto(site_url + redirect["from"], wait_until="load")
        assert response.status == 200, redirect
        assert checker.page.url == site_url + redirect["to"]
        assert response.request.redirected_from.url == site_url + redirect["from"]
        assert checker.page.title() == page_title(built_site, redirect["to"])
        assert checker.page.locator("h1").count() == 1
    no_problems(checker)


def test_the_redirects_file_is_not_served(site_url, built_site):
    assert (built_site / "_redirects").is_file()
    assert request(site_url, "/_redirects") == (404, None)
