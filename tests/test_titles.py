"""Page titles and meta descriptions: unique across the site, and naming the year of a plan's pages.

Checked on the fixture grown to 10 and 20 plans whose priorities carry over year to year
(tests/manyplans.py), and on the real site, whose content these tests never count or name.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import CONTENT, TEMPLATES, edit
from site_builder.build import SiteBuilder

TITLE = re.compile(r"<title>([^<]*)</title>")
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
PLAN_PAGE = re.compile(r"^/plans/(\d{4}-\d{2})/")


def heads(folder: Path) -> dict[str, tuple[str, str]]:
    """Each page's URL with its <title> and meta description, from the <head> only (an SVG has a title too)."""
    found = {}
    for path in sorted(folder.rglob("*.html")):
        head = path.read_text(encoding="utf-8").split("</head>", 1)[0]
        rel = path.relative_to(folder).as_posix()
        url = "/" + rel.removesuffix("index.html")
        title, description = TITLE.search(head), DESCRIPTION.search(head)
        found[url] = (html.unescape(title[1]) if title else "", html.unescape(description[1]) if description else "")
    return found


def shared(values: dict[str, str]) -> list[str]:
    """One line per value that more than one page has."""
    pages = defaultdict(list)
    for url, value in values.items():
        pages[value].append(url)
    return [f"{value!r} on {', '.join(urls)}" for value, urls in sorted(pages.items()) if len(urls) > 1]


def described_by_editors() -> set[str]:
    """The real site's pages whose descriptions the editors write: two may match; the builder writes the rest."""
    pages = {f"/{path.stem}/" for path in (CONTENT / "pages").glob("*.md")}
    return {"/", *pages, *(f"/strategy/{path.stem}/" for path in (CONTENT / "strategies").glob("*.yaml"))}


@pytest.fixture(params=["10 plans", "20 plans", "real site"])
def site_heads(request, many_plans) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Every page's title and description, and the pages whose descriptions the check leaves out."""
    if request.param == "real site":
        found, skip = heads(request.getfixturevalue("built_site")), described_by_editors()
    else:
        found, skip = heads(many_plans(int(request.param.split()[0]))), set()
    assert len(found) > 50, f"only {len(found)} pages built"
    return found, skip


def test_no_two_pages_share_a_title(site_heads):
    duplicates = shared({url: title for url, (title, _) in site_heads[0].items()})
    assert not duplicates, f"{len(duplicates)} titles are on more than one page:\n" + "\n".join(duplicates)


def test_no_two_pages_share_a_description_the_builder_writes(site_heads):
    found, skip = site_heads
    duplicates = shared({url: description for url, (_, description) in found.items() if url not in skip})
    assert not duplicates, f"{len(duplicates)} descriptions are on more than one page:\n" + "\n".join(duplicates)


def test_every_page_of_a_plan_names_its_year_in_its_title(site_heads):
    plan_pages = {url: title for url, (title, _) in site_heads[0].items() if PLAN_PAGE.match(url)}
    assert plan_pages, "no page under /plans/<period>/"
    missing = [f"{url}: {title!r}" for url, title in plan_pages.items() if PLAN_PAGE.match(url)[1] not in title]
    assert not missing, f"{len(missing)} pages of a plan do not name its year in their title:\n" + "\n".join(missing)


def test_a_carried_over_priority_is_named_with_its_year(many_plans):
    found = heads(many_plans(10))
    assert found["/plans/2022-23/priorities/county-lines/"][0] == "Priority 1: County lines (2022-23) – Example"
    assert found["/plans/2023-24/priorities/county-lines/"][0] == "Priority 1: County lines (2023-24) – Example"


def test_two_rows_of_one_title_in_a_plan_are_told_apart_by_priority(many_plans):
    found = heads(many_plans(10))
    first, second = (found[f"/plans/2022-23/initiatives/{i}/"] for i in ("community-events", "community-events-2"))
    assert (first[0], second[0]) == ("Community events (2022-23, priority 1) – Example",
                                     "Community events (2022-23, priority 2) – Example")
    assert first[1] != second[1]


def test_titles_name_the_year_even_when_the_plan_title_does_not_and_tell_apart_rows_of_one_priority(site_dir):
    edit(site_dir / "plans" / "2021-22.yaml", "title: Annual Partnership Plan 2021-22", "title: Our plan")
    edit(site_dir / "plans" / "2020-21.yaml", "        programme: keep-safe\n", "        programme: keep-safe\n"
         "      - title: Keep Safe\n        id: keep-safe-2\n        lead: [CBC]\n")
    titles = {page.url: page.title for page in SiteBuilder(site_dir, TEMPLATES).build().pages}
    assert titles["/plans/2021-22/"] == "Our plan (2021-22)"
    assert (titles["/plans/2020-21/initiatives/keep-safe/"], titles["/plans/2020-21/initiatives/keep-safe-2/"]) == (
        "Keep Safe (2020-21, priority 1, 1 of 2)", "Keep Safe (2020-21, priority 1, 2 of 2)")


@pytest.mark.parametrize("url", ["search/index.html", "pfcc/2016-21/index.html"])
def test_lists_across_plans_tell_apart_two_rows_of_one_title_in_a_plan(many_plans, url):
    page = (many_plans(10) / url).read_text(encoding="utf-8")
    found = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="muted">\((.+?)\)</span></li>', page)
    items = [(href, title, re.sub(r"<[^>]+>", "", where)) for href, title, where in found]
    assert ("/plans/2022-23/initiatives/community-events-2/", "Community events", "2022-23, priority 2") in items
    seen = [(title, where) for _, title, where in items]
    if url.startswith("search"):  # the A to Z lists each initiative once
        repeated = sorted({item for item in seen if seen.count(item) > 1})
        assert not repeated, f"{url} lists different initiatives alike: {repeated}"
