"""Topics and partners: the site's own reading of each initiative, shown and counted alike everywhere.

An initiative is on a topic's page, and in the compare page's "Topics by year", for the topics
it lists itself, never for its priority's; a topic page lists a year's priorities on the topic
apart from the initiatives about it. The agencies index counts, for each agency, the initiative
pages that list it as a partner. The builder's behaviour is tested on the fixture site; the
real content (marked `content`) for what must always hold, with every count derived from it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TEMPLATES, edit, write_plan
from site_builder.build import SiteBuilder
from site_builder.routes import all_initiatives
from site_builder.urls import output_path, url_for

content = pytest.mark.content
# The plans transcribed from the source documents (tests/fixtures/sources.yaml, read by test_content_sources).
TRANSCRIBED = set(yaml.safe_load((ROOT / "tests" / "fixtures" / "sources.yaml").read_text(encoding="utf-8")))


# ---- reading the built pages --------------------------------------------------------------

def page(files: dict[str, bytes], url: str) -> str:
    return files[output_path(url)].decode()


def hrefs(fragment: str, prefix: str = "/") -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', fragment) if h.startswith(prefix)]


def topic_years(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """A topic page's years: period -> (the priorities' addresses, the initiatives' addresses)."""
    years = {}
    for period, body in re.findall(r'<section aria-labelledby="year-([^"]+)">(.*?)</section>', text, re.S):
        priorities = re.search(r"<h3>Priorities on this theme</h3>\s*<ul>(.*?)</ul>", body, re.S)
        initiatives = re.search(r"<h3>Initiatives about it \((\d+)\)</h3>\s*<ul[^>]*>(.*?)</ul>", body, re.S)
        listed = hrefs(initiatives[2]) if initiatives else []
        assert not initiatives or int(initiatives[1]) == len(listed), (period, "the heading's count")
        years[period] = (hrefs(priorities[1]) if priorities else [], listed)
    return years


def compare_topics(text: str) -> dict[tuple[str, str], tuple[int, bool]]:
    """The compare page's "Topics by year": (topic address, period) -> (count, marked as a priority's)."""
    table = re.search(r'<caption id="topics-caption">.*?</table>', text, re.S)[0]
    periods = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
    cells = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        topic = hrefs(row, "/topics/")[0]
        counts = re.findall(r'<td class="num">(\d+)( <span class="tag">priority</span>)?</td>', row)
        assert len(counts) == len(periods), topic
        cells.update({(topic, p): (int(n), bool(tag)) for p, (n, tag) in zip(periods, counts)})
    return cells


def summary_links(text: str, label: str) -> list[str]:
    """The agency addresses in an initiative page's summary entry (Lead, Partners)."""
    found = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", text, re.S)
    return hrefs(found[1], "/agencies/") if found else []


def agencies_index(text: str) -> dict[str, tuple[int, int]]:
    """The agencies index: agency address -> (initiatives led, initiatives it works with the lead on)."""
    rows = re.findall(r'<tr><th scope="row"><a href="(/agencies/[^"]+)">.*?</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', text, re.S)
    return {url: (int(led), int(joined)) for url, led, joined in rows}


# ---- the builder, on the fixture site ----------------------------------------------------

ROWS = """\
- title: Covid testing
  lead: [CBC]
- title: Cuckooing visits
  lead: [CBC]
  partners: [Open Road, Essex Police]
  topics: [county-lines, asb]
- title: Outreach group
  lead: []
  partners: [Open Road]
  topics: [county-lines]
"""


@pytest.fixture
def tagged(site_dir: Path) -> dict[str, bytes]:
    """The fixture site with a 2020-21 plan whose priority is on county lines, and two rows under it."""
    write_plan(site_dir, ROWS)
    edit(site_dir / "plans/2020-21.yaml", "short_title: County lines\n",
         "short_title: County lines\n    topics: [county-lines]\n")
    return SiteBuilder(site_dir, TEMPLATES).build().files


def test_an_initiative_is_on_the_topic_pages_of_its_own_topics_never_its_prioritys(tagged):
    covid, cuckooing = "/plans/2020-21/initiatives/covid-testing/", "/plans/2020-21/initiatives/cuckooing-visits/"
    county_lines = topic_years(page(tagged, "/topics/county-lines/"))
    assert county_lines["2020-21"] == (["/plans/2020-21/priorities/county-lines/"],
                                       [cuckooing, "/plans/2020-21/initiatives/outreach-group/"])
    asb = topic_years(page(tagged, "/topics/asb/"))
    assert asb["2020-21"] == ([], [cuckooing])  # about ASB, though no priority of 2020-21 names it
    assert covid not in page(tagged, "/topics/county-lines/")


def test_the_compare_page_counts_what_the_topic_pages_list(tagged):
    cells = compare_topics(page(tagged, "/compare/"))
    assert cells[("/topics/county-lines/", "2020-21")] == (2, True)
    assert cells[("/topics/asb/", "2020-21")] == (1, False)
    assert cells[("/topics/asb/", "2021-22")] == (0, True)  # the 2021-22 row lists no topic of its own


def test_an_initiative_page_lists_its_topics_and_partners(tagged):
    text = page(tagged, "/plans/2020-21/initiatives/cuckooing-visits/")
    assert re.search(r'<dt>Topics</dt><dd><a href="/topics/county-lines/">County lines and gangs</a>, '
                     r'<a href="/topics/asb/">Anti-social behaviour</a></dd>', text)
    assert summary_links(text, "Partners") == ["/agencies/open-road/", "/agencies/essex-police/"]
    assert "<dt>Topics</dt>" not in page(tagged, "/plans/2020-21/initiatives/covid-testing/")


def test_the_agencies_index_and_agency_pages_count_partners(tagged):
    index = agencies_index(page(tagged, "/agencies/"))
    assert index["/agencies/open-road/"] == (0, 2)
    assert index["/agencies/colchester-borough-council/"][1] == 0
    agency = page(tagged, "/agencies/open-road/")
    assert re.search(r'<a href="/plans/2020-21/initiatives/cuckooing-visits/">Cuckooing visits</a>: works with '
                     r"Colchester Borough Council", agency)
    # A row whose plan names no lead does not claim one.
    assert re.search(r'<a href="/plans/2020-21/initiatives/outreach-group/">Outreach group</a>: a partner; the plan '
                     r"names no lead", agency)


# ---- the real content --------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(content_build):
    return content_build


@content
def test_every_initiative_of_a_transcribed_plan_has_a_topic(built):
    """Each row the source documents print is tagged; a row added after publication is left to its editor."""
    untagged = [f"content/plans/{plan.period}.yaml:{ini.pos.line if ini.pos else '?'}: {ini.title}"
                for plan in built.site.plans if plan.period in TRANSCRIBED
                for ini in all_initiatives(plan) if not ini.topics and not ini.added]
    assert not untagged, ("initiatives with no topics (give each a line such as `topics: [drugs-and-alcohol]`; a row "
                          "the printed plan does not have needs the line `added:` with the day it was added instead: "
                          "docs/content-guide.md, \"Adding to a plan that is already published\"):\n" + "\n".join(untagged))


@content
def test_topic_pages_list_each_years_priorities_and_initiatives_as_the_compare_page_counts_them(built):
    files, site = built.files, built.site
    cells = compare_topics(page(files, "/compare/"))
    for topic in site.topics:
        years = topic_years(page(files, url_for(topic)))
        for plan in site.plans:
            about = [url_for(i) for i in all_initiatives(plan) if topic in i.topics]
            priorities = [url_for(p) for p in plan.priorities if topic in p.topics]
            assert years.get(plan.period, ([], [])) == (priorities, about), (topic.id, plan.period)
            assert cells[(url_for(topic), plan.period)] == (len(about), bool(priorities)), (topic.id, plan.period)
    for plan in site.plans:  # every tagged row is counted: no year of tagged rows shows only zeros
        tagged = sum(len(i.topics) for i in all_initiatives(plan))
        assert sum(cells[(url_for(t), plan.period)][0] for t in site.topics) == tagged, plan.period


@content
def test_the_agencies_index_counts_the_partners_the_initiative_pages_list(built):
    files, site = built.files, built.site
    shown: dict[str, int] = {}
    for plan in site.plans:
        for ini in all_initiatives(plan):
            text = page(files, url_for(ini))
            partners = summary_links(text, "Partners")
            assert partners == [url_for(a) for a in ini.partners], ini.id
            for url in set(partners) - set(summary_links(text, "Lead")):
                shown[url] = shown.get(url, 0) + 1
    index = agencies_index(page(files, "/agencies/"))
    assert {url: joined for url, (_, joined) in index.items() if joined} == shown
    assert sum(shown.values()) > 0, "no initiative page lists a partner"
