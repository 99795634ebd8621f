"""The lead agency and priority filters of long lists of initiatives (filters.js), with and without JavaScript.

On the rich fixture site, whose 2021-22 plan has 13 initiatives and Essex Police a hand in 14.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_builder.facets import LONG_LIST

from browser.conftest import HEIGHT, PageChecker, no_problems

LEAD = "Colchester Borough Homes"
ITEMS = "[data-filter-item]"
SHOWN = "[data-filter-item]:visible"

# The pages with a filtered list: a plan's cards, and an agency's initiatives by year and priority.
PAGES = {"/plans/2021-22/": 13, "/agencies/essex-police/": 14}


class _Items(HTMLParser):
    """The data-lead and data-priority values of every [data-filter-item] in a built page."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-filter-item" in attrs:
            self.items.append({"lead": (attrs.get("data-lead") or "").split(),
                               "priority": (attrs.get("data-priority") or "").split()})


def built_items(built_site: Path, url: str) -> list[dict[str, list[str]]]:
    parser = _Items()
    parser.feed((built_site / url.strip("/") / "index.html").read_text(encoding="utf-8"))
    return parser.items


@pytest.mark.parametrize("url", PAGES)
def test_lead_and_priority_filters_narrow_the_list_and_reset_shows_it_all(checker, built_rich, url):
    items = built_items(built_rich, url)
    total = len(items)
    assert total == PAGES[url] >= LONG_LIST, f"{url}: {total} initiatives, not the fixture's {PAGES[url]}"

    page = checker.page
    checker.load(url)
    box = page.locator("[data-list-filter]")
    count = box.locator("[data-filter-count]")
    shown = page.locator(SHOWN)
    expect(box).to_be_visible()
    expect(shown).to_have_count(total)
    expect(count).to_have_text("")

    # One lead agency: only its initiatives, each naming it.
    lead = page.locator("#filter-lead option", has_text=LEAD).get_attribute("value")
    with_lead = [i for i in items if lead in i["lead"]]
    assert 0 < len(with_lead) < total, f"{url}: {len(with_lead)} of {total} initiatives led by {LEAD}"
    page.select_option("#filter-lead", label=LEAD)
    expect(count).to_have_text(f"Showing {len(with_lead)} of {total} initiatives.")
    expect(shown).to_have_count(len(with_lead))
    texts = shown.all_inner_texts()
    assert all(LEAD in " ".join(t.split()) for t in texts), [t for t in texts if LEAD not in " ".join(t.split())]
    assert all(lead in v.split() for v in shown.evaluate_all("els => els.map(e => e.dataset.lead)"))

    # And a plan priority of one of those initiatives: the list narrows or stays.
    priority = with_lead[0]["priority"][0]
    both = [i for i in with_lead if priority in i["priority"]]
    page.select_option("#filter-priority", priority)
    expect(count).to_have_text(f"Showing {len(both)} of {total} initiatives.")
    expect(shown).to_have_count(len(both))
    assert 0 < len(both) <= len(with_lead)
    for lead_values, priority_values in shown.evaluate_all(
            "els => els.map(e => [e.dataset.lead.split(' '), e.dataset.priority.split(' ')])"):
        assert lead in lead_values and priority in priority_values

    # The priority alone, then neither: the whole list again and no count.
    page.select_option("#filter-lead", "")
    only_priority = [i for i in items if priority in i["priority"]]
    expect(count).to_have_text(f"Showing {len(only_priority)} of {total} initiatives.")
    expect(shown).to_have_count(len(only_priority))
    page.select_option("#filter-priority", "")
    expect(count).to_have_text("")
    expect(shown).to_have_count(total)
    no_problems(checker)


@pytest.mark.parametrize("url", PAGES)
def test_without_javascript_the_filters_are_hidden_and_the_whole_list_shows(browser, rich_url, built_rich, url):
    total = len(built_items(built_rich, url))
    assert total == PAGES[url]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": HEIGHT})
    try:
        checker = PageChecker(context, rich_url, axe_source="")
        checker.load(url)
        expect(checker.page.locator("[data-list-filter]")).to_be_hidden()
        expect(checker.page.locator(ITEMS)).to_have_count(total)
        expect(checker.page.locator(SHOWN)).to_have_count(total)
        no_problems(checker)
    finally:
        context.close()
