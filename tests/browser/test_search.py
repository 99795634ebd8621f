"""Search with the site's own index, in Chromium, under the site's Content-Security-Policy.

The search is tried on the rich fixture site, whose titles the tests name; the size of what a first
search downloads is measured on the real site (marked `content`), with a query taken from its content.
Every test watches the console and the network through PageChecker and fails on a console error,
an uncaught exception, a failed request or an HTTP error.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from browser.conftest import HEIGHT, PageChecker, no_problems
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from firstquery import LIMIT, common_word, sent  # noqa: E402  (the benchmark measures 10,000 initiatives alike)
from site_builder.searchindex import FOLDER as INDEX, PER  # noqa: E402

PAGE = 20  # results that search.js shows at once, before "Show more results"
STATUS_DONE = re.compile(r"^\d+ results?\b")  # "11 results for “knife”.", "1 result."
BUNDLE_LIMIT = LIMIT  # bytes a visitor downloads (search.js and the index's files) for a first query
INITIATIVE_URL = re.compile(r"^/plans/[^/]+/initiatives/[^/]+/$")

STATUS = "[data-search-status]"
RESULTS = "[data-search-results] > li"
RESULT_LINKS = "[data-search-results] > li > h2 > a"
MORE = "[data-search-more]"


# ---------------------------------------------------------------------------------------------
# Reading the built site: what the search should find.

class _Links(HTMLParser):
    """The href of every link inside <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "a" and self.depth and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def main_links(folder: Path, url: str) -> list[str]:
    """The links inside <main> of a built page, by its URL path."""
    parser = _Links()
    parser.feed((folder / url.strip("/") / "index.html").read_text(encoding="utf-8"))
    return parser.hrefs


def built_urls(folder: Path, pattern: str) -> set[str]:
    """The URL paths of the built pages that match a glob such as plans/*/initiatives/*/index.html."""
    return {"/" + p.parent.relative_to(folder).as_posix() + "/" for p in folder.glob(pattern)}


# ---------------------------------------------------------------------------------------------
# Driving the search page. Playwright's wait_for_function evaluates strings, which the site's
# CSP (no 'unsafe-eval') forbids, so waiting goes through locators and expect().

def settled(page) -> int:
    """Wait until a search has finished and its first batch of results shows; return the number found."""
    status = page.locator(STATUS)
    expect(status).to_have_text(STATUS_DONE)
    found = int(status.inner_text().split()[0])
    expect(page.locator(RESULTS)).to_have_count(min(found, PAGE))
    return found


def search_again(page, action) -> int:
    """Do something that starts a new search (choose a filter, submit) and wait for its results."""
    # The status is cleared first, so an earlier search's "N results" cannot pass for this one's.
    page.locator(STATUS).evaluate("el => { el.textContent = '' }")
    action()
    return settled(page)


def results(page) -> list[dict]:
    """Every result of the search shown, after "Show more results" until there are no more."""
    found = int(page.locator(STATUS).inner_text().split()[0])
    links = page.locator(RESULT_LINKS)
    more = page.locator(MORE)
    while more.is_visible():
        before = links.count()
        more.click()
        expect(links).not_to_have_count(before)
    expect(links).to_have_count(found)
    return page.locator(RESULTS).evaluate_all("""items => items.map(li => ({
        title: li.querySelector('h2 a').textContent, href: li.querySelector('h2 a').getAttribute('href'),
        about: li.querySelector('p.muted').textContent}))""")


def titles(found: list[dict]) -> list[str]:
    return [r["title"] for r in found]


# ---------------------------------------------------------------------------------------------

def test_header_search_then_year_and_lead_filters_narrow_the_results(checker, rich_url):
    page = checker.page
    checker.load("/")
    page.fill("#site-search-q", "knife")
    page.press("#site-search-q", "Enter")
    expect(page).to_have_url(rich_url + "/search/?q=knife")
    expect(page.locator("#search-q")).to_have_value("knife")
    settled(page)
    every_year = results(page)
    assert {"Op Sceptre / Op Pegasi", "United Against Knife Crime"} <= set(titles(every_year)), every_year
    about = {r["title"]: r["about"] for r in every_year}
    assert about["Op Sceptre / Op Pegasi"] == "Initiative, 2021-22"
    assert about["United Against Knife Crime"] == "Initiative, 2018-19"

    page.locator("[data-search-filters] > summary").click()  # the filters are folded away until asked for
    search_again(page, lambda: page.select_option("#filter-year", "2021-22"))
    in_year = results(page)
    assert 0 < len(in_year) < len(every_year), (titles(every_year), titles(in_year))
    assert "Op Sceptre / Op Pegasi" in titles(in_year)
    assert "United Against Knife Crime" not in titles(in_year)
    assert set(titles(in_year)) <= set(titles(every_year))
    assert all(r["about"].endswith(", 2021-22") for r in in_year), in_year
    assert "year=2021-22" in page.url

    search_again(page, lambda: page.select_option("#filter-lead", "Essex Police"))
    with_lead = results(page)
    assert 0 < len(with_lead) <= len(in_year), (titles(in_year), titles(with_lead))
    assert "Op Sceptre / Op Pegasi" in titles(with_lead)
    assert set(titles(with_lead)) <= set(titles(in_year))
    assert all(r["about"] == "Initiative, 2021-22" for r in with_lead), with_lead  # only pages with a lead

    # The address keeps the search: loading it again gives the same form and results.
    assert urlsplit(page.url).query == "q=knife&year=2021-22&lead=Essex+Police"
    page.reload()
    expect(page.locator("#filter-year")).to_have_value("2021-22")
    expect(page.locator("#filter-lead")).to_have_value("Essex Police")
    settled(page)
    assert results(page) == with_lead
    no_problems(checker)


def test_keep_safe_finds_the_programme_and_every_keep_safe_initiative(checker, built_rich):
    programme = "/programmes/keep-safe/"
    listed = {href for href in main_links(built_rich, programme) if INITIATIVE_URL.match(href)}
    linking_back = {url for url in built_urls(built_rich, "plans/*/initiatives/*/index.html")
                    if programme in main_links(built_rich, url)}
    assert listed == linking_back, "the programme page and its initiatives' pages disagree"
    assert len({url.split("/")[2] for url in listed}) >= 2, f"Keep Safe in fewer than two plans: {listed}"

    checker.load("/search/?q=Keep+Safe")
    settled(checker.page)
    found = {r["href"] for r in results(checker.page)}
    assert programme in found
    assert listed <= found, f"not found: {sorted(listed - found)}"
    no_problems(checker)


def test_a_filter_alone_lists_every_page_of_that_kind(checker, built_rich):
    checker.load("/search/?type=Programme")
    settled(checker.page)
    found = results(checker.page)
    assert {r["href"] for r in found} == built_urls(built_rich, "programmes/*/index.html")
    assert {r["about"] for r in found} == {"Programme"}
    expect(checker.page.locator(STATUS)).to_have_text(f"{len(found)} results.")
    no_problems(checker)


def test_a_result_opens_its_page(checker, rich_url):
    page = checker.page
    checker.load("/search/?q=knife")
    settled(page)
    page.locator(RESULT_LINKS, has_text="Op Sceptre / Op Pegasi").click()
    expect(page).to_have_url(re.compile(re.escape(rich_url) + r"/plans/2021-22/initiatives/[^/]+/$"))
    expect(page.locator("h1")).to_have_text("Op Sceptre / Op Pegasi")
    no_problems(checker)


@pytest.mark.content
def test_the_first_search_downloads_less_than_150_kb(browser, site_url, content_build):
    query = common_word(content_build.site)
    context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})  # an empty cache
    try:
        checker = PageChecker(context, site_url, axe_source="")
        responses = []
        checker.page.on("response", lambda r: responses.append(r)
                        if urlsplit(r.url).path.startswith(f"/{INDEX}/") or r.url.endswith(".js") else None)
        checker.load(f"/search/?q={query}")
        shown = min(settled(checker.page), PAGE)
        no_problems(checker)
        files = [(urlsplit(r.url).path, r.headers.get("content-type", ""),
                  r.headers.get("content-encoding"), r.body()) for r in responses]
    finally:
        context.close()

    names = [name.split("/", 3)[-1] for name, *_ in files if name.startswith(f"/{INDEX}/")]
    assert names[0] == "index.json", names
    assert any(n.startswith("w/") for n in names), names
    assert sum(n.startswith("p/") for n in names) >= -(-shown // PER), names  # the results shown, PER a file
    assert any(name.startswith("/assets/search.") for name, *_ in files), "search.js counts too"

    # What the browser received from the test server, which compresses nothing; Netlify gzips
    # text files (all of these) on the way, so the figure checked is each file's gzip size
    # (level 6, a common server default; Netlify's Brotli is smaller still).
    received = sum(len(body) for *_, body in files)
    compressed = sum(sent(ctype, enc, body) for _, ctype, enc, body in files)
    listing = "\n".join(f"  {sent(c, e, b):>7} sent  {len(b):>7} received  {n}" for n, c, e, b in files)
    report = (f"search files for a first query ({query!r}): {compressed:,} bytes as Netlify would send them "
              f"({received:,} bytes received uncompressed from the test server), {len(files)} files:\n{listing}")
    print(report)
    assert compressed < BUNDLE_LIMIT, report


def test_without_javascript_the_page_lists_every_initiative_a_to_z(browser, rich_url, built_rich):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": HEIGHT})
    try:
        checker = PageChecker(context, rich_url, axe_source="")
        page = checker.page
        checker.load("/search/")
        hrefs = page.locator("section[aria-labelledby='a-to-z'] ul.compact a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")
        initiatives = built_urls(built_rich, "plans/*/initiatives/*/index.html")
        assert len(hrefs) == len(initiatives) == 19, (len(hrefs), len(initiatives))  # 13 + 6 in the fixture
        assert set(hrefs) == initiatives
        expect(page.locator("[data-search-filters]")).to_be_hidden()
        expect(page.locator("[data-search-nojs]")).to_be_visible()
        expect(page.locator("[data-search-results]")).to_be_hidden()
        no_problems(checker)
    finally:
        context.close()


def test_with_javascript_the_filters_show_and_the_no_javascript_note_does_not(checker):
    page = checker.page
    checker.load("/search/")
    expect(page.locator("[data-search-filters]")).to_be_visible()
    expect(page.locator("[data-search-nojs]")).to_be_hidden()
    expect(page.locator(STATUS)).to_have_text("")
    expect(page.locator("[data-search-results]")).to_be_hidden()
    no_problems(checker)


def test_search_js_folds_words_as_the_index_does():
    """A word of a page is found by typing it: search.js's words() (run here in Node) gives the words
    searchindex.words() indexed, for letters and symbols from Latin to Greek and Cyrillic, letterlike
    symbols, ligatures, and the invisible characters of a pasted document."""
    import json
    import subprocess

    from site_builder.searchindex import words

    source = (ROOT / "templates" / "assets" / "search.js").read_text(encoding="utf-8")
    function = re.search(r"^function words\(text\) \{.*?^\}", source, re.M | re.S)[0]
    samples = ["Acme™ kits", "the Straße team", "ΣΟΦΟΣ", "Café crème", "neigh\u00adbour\u200bhood", "2021-22",
               "O’Neill's", "№ 5", "ﬁre ﬂat", "Ǆemal", "ﬀ"]
    samples += [f"a{chr(c)}b {chr(c)}" for r in ((0xA0, 0x500), (0x2100, 0x2150), (0xFB00, 0xFB07)) for c in range(*r)]
    script = function + "\nconst input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n" \
        "process.stdout.write(JSON.stringify(input.map(words)));"
    done = subprocess.run(["node", "-e", script], input=json.dumps(samples), capture_output=True, text=True,
                          timeout=60, check=True)
    differ = [(text, python, js) for text, python, js in zip(samples, map(words, samples), json.loads(done.stdout))
              if python != js]
    assert differ == [], differ[:10]
