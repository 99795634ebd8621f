"""Finding things on a phone (issue #12, item 7): what search keeps of a page, rows of one title told apart
in lists, and the programmes page's words.

What a search result shows is read from the index the build wrote (its page files): the text
its excerpts are cut from, and the title and place search.js shows. The search page itself, at 375 px,
and the size of touch targets are tested in Chromium: tests/browser/test_phone.py.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import RICH, TEMPLATES
from site_builder.build import SiteBuilder
from site_builder.facets import FACETS
from site_builder.routes import all_initiatives, recurrence
from site_builder.searchindex import FOLDER
from twins import TOPIC, TWINS, make_twins

INITIATIVE = re.compile(r"^/plans/[^/]+/initiatives/[^/]+/$")


def fragments(folder: Path) -> dict[str, dict]:
    """The index's record of each page it indexed, by URL: its title, what it is and where, and its text."""
    found = {}
    for path in sorted(folder.glob(f"{FOLDER}/*/p/*.json")):
        for url, title, about, text in json.loads(path.read_bytes()):
            found[url] = {"title": title, "about": about, "content": text}
    return found


def page_html(folder: Path, url: str) -> str:
    return (folder / url.strip("/") / "index.html").read_text(encoding="utf-8")


class _Lists(HTMLParser):
    """Every list item of a page, by list: its text (spaces collapsed) and the address of its first link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lists: list[list[tuple[str, str | None]]] = []
        self._open_lists: list[list] = []
        self._items: list[list] = []  # open <li>s: [text parts, first href]

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._open_lists.append([])
        elif tag == "li":
            self._items.append([[], None])
        elif tag == "a" and self._items and self._items[-1][1] is None:
            self._items[-1][1] = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self._open_lists:
            self.lists.append(self._open_lists.pop())
        elif tag == "li" and self._items:
            parts, href = self._items.pop()
            text = " ".join("".join(parts).split())
            for outer in self._items:  # a nested list's text is its item's too
                outer[0].append(text + " ")
            if self._open_lists:
                self._open_lists[-1].append((text, href))

    def handle_data(self, data):
        if self._items:
            self._items[-1][0].append(data)


def untold(folder: Path) -> list[str]:
    """Items of one list on one page with the same words that link to different pages, one line each."""
    found = []
    for path in sorted(folder.rglob("*.html")):
        if path.relative_to(folder).parts[0] == FOLDER:
            continue
        parser = _Lists()
        parser.feed(path.read_text(encoding="utf-8"))
        for items in parser.lists:
            targets = defaultdict(set)
            for text, href in items:
                if href:
                    targets[text].add(href)
            found += [f"{path.relative_to(folder)}: {text!r} links to {sorted(hrefs)}"
                      for text, hrefs in targets.items() if len(hrefs) > 1]
    return found


@pytest.fixture(scope="module")
def rich_build():
    return SiteBuilder(RICH, TEMPLATES).build()


@pytest.fixture(scope="module")
def twins(tmp_path_factory) -> Path:
    return make_twins(tmp_path_factory.mktemp("twins"))


# ---- excerpts -------------------------------------------------------------------------------

DT = re.compile(r"<dt>([^<]+)</dt>")


def test_search_excerpts_separate_each_label_from_its_value(built_rich):
    records = fragments(built_rich)
    pages = [url for url in records if INITIATIVE.match(url)]
    assert len(pages) == 19, sorted(records)  # every initiative page of the fixture is indexed
    for url in pages:
        content = records[url]["content"]
        labels = DT.findall(page_html(built_rich, url))
        assert "Lead" in labels, url
        for label in labels:
            assert f"{label}: " in content, f"{url}: {label!r} runs into its value in {content[:300]!r}"
            assert not re.search(r"\b" + re.escape(label) + r"[A-Z0-9]", content), f"{url}: {label!r} runs on"
    assert "Lead: Colchester Borough Council (CBC). Partners: Essex Police and Open Road. Timing: Ongoing, as at the 2021-22 plan." in records["/plans/2021-22/initiatives/keep-safe/"]["content"]


def test_a_list_filters_choices_are_not_searched_text(built_rich):
    content = fragments(built_rich)["/agencies/essex-police/"]["content"]
    assert "Annual Partnership Plan 2021-22" in content  # the page is indexed, its list too
    assert "data-list-filter" in page_html(built_rich, "/agencies/essex-police/")
    for facet in FACETS:
        assert facet.anything not in content, f"the {facet.name} filter's options are in the excerpt text"


# ---- rows of one title ----------------------------------------------------------------------

def test_two_rows_of_one_title_plan_and_lead_are_told_apart_in_every_list(twins):
    lists = _Lists()
    lists.feed(page_html(twins, TOPIC))
    assert any({href for _, href in items} >= set(TWINS) for items in lists.lists), f"{TOPIC} lists not both twins"
    assert untold(twins) == []


def test_search_results_tell_two_rows_of_one_title_apart(twins):
    records = fragments(twins)
    places = {url: records[url]["about"] for url in TWINS}
    assert places == {TWINS[0]: "Initiative, 2021-22, priority 1", TWINS[1]: "Initiative, 2021-22, priority 3"}
    assert {records[url]["title"] for url in TWINS} == {"Op Enlightenment"}
    assert records["/plans/2021-22/initiatives/keep-safe/"]["about"] == "Initiative, 2021-22"


@pytest.mark.content
def test_no_list_of_the_real_site_has_two_items_alike_that_link_to_different_pages(built_site):
    assert untold(built_site) == []


# ---- the programmes page --------------------------------------------------------------------

LEAD = re.compile(r'<p class="lead">(.*?)</p>', re.S)


def plan_counts(build) -> dict[str, int]:
    """Each programme's name with the number of plans that list it, from the model."""
    periods = defaultdict(set)
    for plan in build.site.plans:
        for ini in all_initiatives(plan):
            if ini.programme:
                periods[ini.programme.id].add(plan.period)
    return {p.name: len(periods[p.id]) for p in build.site.programmes}


def claims(html: str) -> str:
    return " ".join(LEAD.search(html)[1].split())


def test_the_programmes_page_says_how_many_schemes_recur_as_the_data_has_it(rich_build):
    counts = plan_counts(rich_build)
    assert sorted(counts.values()) == [1, 2, 2], counts  # the fixture: Sanctuary Scheme is in one plan only
    text = claims(rich_build.files["programmes/index.html"].decode())
    assert "2 of these 3 schemes appear in more than one plan, 1 in one plan only" in text, text
    assert "year after year" not in text


@pytest.mark.parametrize("counts, words", [
    ([2, 3, 1], "2 of these 3 schemes appear in more than one plan, 1 in one plan only"),
    ([1, 2, 0, 1], "1 of these 4 schemes appears in more than one plan, 2 in one plan only, 1 in no plan yet"),
    ([1, 1, 0], "2 of these 3 schemes appear in one plan only, 1 in no plan yet"),
    ([4, 2], "all 2 appear in more than one plan"),
    ([1], "the one scheme here appears in one plan only"),
    ([], ""),
])
def test_the_programmes_page_counts_schemes_by_how_many_plans_list_them(counts, words):
    assert recurrence(counts) == words


@pytest.mark.content
def test_the_real_programmes_page_counts_what_the_data_has(content_build):
    counts = list(plan_counts(content_build).values())
    text = claims(content_build.files["programmes/index.html"].decode())
    assert recurrence(counts) in text, text
    if min(counts, default=2) < 2:
        assert "year after year" not in text
