"""The site on a phone, in Chromium at 375 px (issue #12, item 7).

Search results come before the filters, which fold away under a summary that says how many are
chosen; two rows of one title are told apart in results; and every link or control that stands
alone (not inside a sentence) is at least 24 px tall, as WCAG 2.2's 2.5.8 asks of a touch target.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.conftest import PageChecker, no_problems, page_html, page_urls
from browser.sample import sample
from browser.server import serve
from browser.test_axe import pages_to_check
from browser.test_search import RESULT_LINKS, common_word, results, search_again, settled
from conftest import in_ci
from twins import TWINS, make_twins

PHONE = {"width": 375, "height": 667}  # a small phone's screen, in CSS pixels
MIN_TARGET = 24  # px: WCAG 2.2, success criterion 2.5.8 (AA)
SUMMARY = "[data-search-filters] > summary"

# The links and controls smaller than MIN_TARGET, each with its text and where it is. A link inside a
# paragraph or a block of the plans' prose is in a sentence, which 2.5.8 excepts; the skip link is off screen.
SMALL_TARGETS = """min => [...document.querySelectorAll('a[href], button, summary, select, input')]
    .filter(el => el.getClientRects().length && !el.closest('p, .prose, .skip-link'))
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, box]) => box.height < min)
    .map(([el, box]) => `${Math.round(box.height * 10) / 10} px tall: ${el.tagName.toLowerCase()} `
         + `"${el.textContent.trim().slice(0, 40)}" in ${el.parentElement.tagName.toLowerCase()}`
         + (el.parentElement.className ? `.${el.parentElement.className}` : ''))"""


@pytest.fixture(scope="module")
def context(browser):
    """This module's browser context is a phone's screen: conftest's `checker` opens its tabs in it."""
    phone = browser.new_context(viewport=PHONE)
    yield phone
    phone.close()


@pytest.fixture(scope="module")
def twins_url(tmp_path_factory):
    """The rich fixture with two rows called "Op Enlightenment" in one plan (tests/twins.py), served."""
    with serve(make_twins(tmp_path_factory.mktemp("twins"))) as url:
        yield url


def small_targets(checker: PageChecker, urls: list[str]) -> list[str]:
    """Every target under MIN_TARGET px tall on the pages, one line each."""
    found = []
    for url in urls:
        checker.load(url)
        found += [f"{url}: {line}" for line in checker.page.evaluate(SMALL_TARGETS, MIN_TARGET)]
    return found


def test_a_search_for_knife_shows_a_result_above_the_fold(checker):
    page = checker.page
    checker.load("/search/?q=knife")
    assert settled(page) > 0
    first = page.locator(RESULT_LINKS).first
    box = first.bounding_box()
    assert page.evaluate("() => scrollY") == 0
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], f"first result at {box}"
    # The filters are folded away under their summary, which says none is chosen.
    expect(page.locator(SUMMARY)).to_have_text("Narrow the results")
    expect(page.locator("#filter-year")).to_be_hidden()
    no_problems(checker)


def test_the_folded_filters_say_how_many_are_chosen(checker):
    page = checker.page
    summary = page.locator(SUMMARY)
    checker.load("/search/?q=knife&year=2021-22")
    found = settled(page)
    expect(summary).to_have_text("Narrow the results (1 chosen)")
    expect(page.locator("#filter-year")).to_be_hidden()
    summary.click()
    expect(page.locator("#filter-year")).to_be_visible()
    assert search_again(page, lambda: page.select_option("#filter-lead", "Essex Police")) <= found
    expect(summary).to_have_text("Narrow the results (2 chosen)")
    search_again(page, lambda: page.select_option("#filter-year", ""))
    expect(summary).to_have_text("Narrow the results (1 chosen)")
    summary.click()
    expect(page.locator("#filter-lead")).to_be_hidden()
    no_problems(checker)


def test_two_rows_of_one_title_are_told_apart_in_search_results(context, twins_url):
    checker = PageChecker(context, twins_url, axe_source="")
    try:
        checker.load("/search/?q=Enlightenment")
        settled(checker.page)
        about = {r["href"]: r["about"] for r in results(checker.page)}
        assert {url: about.get(url) for url in TWINS} == {
            TWINS[0]: "Initiative, 2021-22, priority 1", TWINS[1]: "Initiative, 2021-22, priority 3"}, about
        no_problems(checker)
    finally:
        checker.page.close()


def test_list_links_and_controls_are_at_least_24px_tall(checker, built_rich):
    """On every page of the rich fixture in CI; elsewhere on the fewest that between them show every kind of
    element the site renders (tests/browser/sample.py), as the axe test chooses them."""
    urls = page_urls(built_rich)
    assert len(urls) > 50, urls
    if not in_ci():
        urls = sample([(url, "", page_html(built_rich, url)) for url in urls])
    small = small_targets(checker, urls)
    assert not small, f"{len(small)} targets under {MIN_TARGET} px tall at {PHONE['width']} px:\n" + "\n".join(small)
    # And on the search page with results, its filters open.
    checker.load("/search/?q=knife")
    settled(checker.page)
    checker.page.locator(SUMMARY).click()
    assert checker.page.evaluate(SMALL_TARGETS, MIN_TARGET) == []
    no_problems(checker)


@pytest.mark.content
def test_on_the_real_site_list_links_and_controls_are_at_least_24px_tall(context, built_site, site_url, content_build):
    urls = pages_to_check(built_site, content_build)
    checker = PageChecker(context, site_url, axe_source="")
    try:
        small = small_targets(checker, urls)
    finally:
        checker.page.close()
    assert not small, f"{len(small)} targets under {MIN_TARGET} px tall at {PHONE['width']} px:\n" + "\n".join(small)


@pytest.mark.content
def test_on_the_real_site_a_search_shows_a_result_above_the_fold(context, site_url, content_build):
    checker = PageChecker(context, site_url, axe_source="")
    try:
        checker.load(f"/search/?q={common_word(content_build.site)}")
        assert settled(checker.page) > 0
        box = checker.page.locator(RESULT_LINKS).first.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], f"first result at {box}"
        no_problems(checker)
    finally:
        checker.page.close()
