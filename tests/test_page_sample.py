"""The pages the browser checks open outside CI: every template, and all that each renders (tests/browser/sample.py)."""

from __future__ import annotations

import pytest

from browser.sample import sample
from conftest import in_ci

PLAIN = "<main><h1>A</h1><p class=lead>Words</p></main>"


def test_one_page_per_template_when_its_pages_are_made_of_the_same_things():
    pages = [("/a/", "item.html", PLAIN), ("/b/", "item.html", PLAIN.replace("Words", "Other words")),
             ("/", "home.html", "<main><h1>Home</h1></main>")]
    assert sample(pages) == ["/", "/a/"]


@pytest.mark.parametrize("extra, why", [
    ("<ul><li>x</li></ul>", "an element the first page lacks"),
    ('<p class="lead note">x</p>', "a class the first page lacks"),
    ('<p class=lead hidden>x</p>', "an attribute the first page lacks"),
    ("<p class=lead><strong>x</strong></p>", "one element inside another"),
    ("<h3>Deeper</h3>", "a heading step the first page lacks (h1 to h3)"),
])
def test_a_page_that_shows_more_of_its_template_is_checked_too(extra, why):
    richer = PLAIN.replace("</main>", extra + "</main>")
    pages = [("/a/", "item.html", PLAIN), ("/b/", "item.html", richer), ("/c/", "item.html", PLAIN)]
    assert sample(pages) == ["/b/"], why  # /b/ shows all /a/ and /c/ show, and more
    pages = [("/a/", "item.html", PLAIN + "<footer class=x></footer>"), ("/b/", "item.html", richer)]
    assert sample(pages) == ["/a/", "/b/"], why


def test_the_sample_does_not_depend_on_the_order_pages_come_in():
    pages = [(f"/{n}/", "item.html", PLAIN.replace("</main>", f"<p class=c{n % 3}>x</p></main>")) for n in range(9)]
    assert sample(pages) == sample(reversed(pages)) == ["/0/", "/1/", "/2/"]


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("false", False), ("true", True),
                                             ("1", True), ("True", True)])
def test_ci_is_read_as_ci_systems_set_it(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_outside_ci_the_sample_is_used(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert in_ci() is False
