"""Every built page, read without a browser: no inline code, nothing from other sites, the basics of a
good page (one h1, language, title, description, canonical link, accessibility link), and its weight.

The pages are those of the real site (the tests marked `content`); the parser is tested on its own.
"""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_builder.urls import output_path

MAX_GZIPPED = 30_000  # bytes: a page's HTML plus the CSS it links, each gzip -9
# Elements whose URL attributes load something into the page (rather than link to it).
LOADS = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "frame": ["src"], "embed": ["src"],
         "object": ["data"], "source": ["src", "srcset"], "video": ["src", "poster"], "audio": ["src"],
         "track": ["src"], "input": ["src"]}
LOADING_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "prefetch", "manifest",
                "mask-icon", "shortcut"}


@dataclass
class Page:
    """What the checks need from one HTML file."""

    path: str
    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    h1s: int = 0
    descriptions: list[str] = field(default_factory=list)
    canonicals: list[str] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    inline_scripts: int = 0
    handlers: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collect a Page's facts from its HTML."""

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_title = False
        self.svg_depth = 0  # an SVG's <title> names the drawing, not the page
        self.script_has_src: list[bool] = []
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page, a = self.page, {k: v or "" for k, v in attrs}
        for name, _ in attrs:
            if name.startswith("on"):
                page.handlers.append(f"<{tag} {name}>")
            if name == "style":
                page.styles.append(f'<{tag} style="{a["style"]}">')
        if tag == "svg":
            self.svg_depth += 1
        if tag == "html":
            page.lang = a.get("lang")
        elif tag == "title" and not self.svg_depth:
            self.in_title = True
            page.titles.append("")
        elif tag == "h1":
            page.h1s += 1
        elif tag == "style":
            page.styles.append("<style> element")
        elif tag == "script":
            self.script_has_src.append(bool(a.get("src")))
            self.script_text = ""
        elif tag == "meta" and a.get("name", "").lower() == "description":
            page.descriptions.append(a.get("content", ""))
        elif tag == "a" and "href" in a:
            page.links.append(a["href"])
        if tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if "canonical" in rels:
                page.canonicals.append(a.get("href", ""))
            if "stylesheet" in rels:
                page.stylesheets.append(a.get("href", ""))
            if rels & LOADING_RELS:
                page.loaded.append(f"<link rel={a.get('rel')}> {a.get('href', '')}")
        for attr in LOADS.get(tag, []):
            for url in (a.get(attr) or "").split(","):
                url = url.strip().split(" ")[0]
                if url:
                    page.loaded.append(f"<{tag} {attr}> {url}")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "svg"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.titles[-1] += data
        if self.script_has_src:
            self.script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.svg_depth:
            self.svg_depth -= 1
        elif tag == "title" and self.in_title:
            self.in_title = False
            self.page.titles[-1] = " ".join(self.page.titles[-1].split())
        elif tag == "script" and self.script_has_src:
            has_src = self.script_has_src.pop()
            if not has_src or self.script_text.strip():
                self.page.inline_scripts += 1


def read_page(folder: Path, path: Path) -> Page:
    page = Page(path.relative_to(folder).as_posix())
    parser = PageParser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return page


def url_of(path: str) -> str:
    """The clean URL of a built file: plans/index.html is /plans/."""
    return "/" + path.removesuffix("index.html")


def off_site(url: str) -> bool:
    """Whether a URL would load from anywhere but this site."""
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme != "data") or bool(parts.netloc) or url.startswith("//")


@pytest.fixture(scope="module")
def pages(built_site, content_build) -> list[Page]:
    # Every page of the site; not the web editor (/admin/), which is no page of it (tests/test_cms.py).
    found = [read_page(built_site, p) for p in sorted(built_site.rglob("*.html")) if not p.is_relative_to(built_site / "admin")]
    expected = {output_path(page.url) for page in content_build.pages}
    assert expected <= {p.path for p in found}, f"pages not built: {sorted(expected - {p.path for p in found})}"
    return found


def report(failures: list[str], what: str) -> str:
    return f"{len(failures)} pages {what}:\n" + "\n".join(failures)


@pytest.mark.content
def test_no_inline_script(pages):
    failures = [f"{p.path}: {p.inline_scripts} inline <script>" for p in pages if p.inline_scripts]
    assert not failures, report(failures, "have script without src (the CSP blocks it)")


@pytest.mark.content
def test_no_inline_event_handlers(pages):
    failures = [f"{p.path}: {', '.join(p.handlers)}" for p in pages if p.handlers]
    assert not failures, report(failures, "have on*= event handlers (the CSP blocks them)")


@pytest.mark.content
def test_no_inline_styles(pages):
    failures = [f"{p.path}: {', '.join(p.styles[:3])}" for p in pages if p.styles]
    assert not failures, report(failures, "have style attributes or <style> (style-src 'self' blocks them)")


@pytest.mark.content
def test_nothing_loads_from_another_site(pages):
    failures = [f"{p.path}: {u}" for p in pages for u in p.loaded if off_site(u.split("> ", 1)[1])]
    assert not failures, report(failures, "load from another site")


@pytest.mark.content
def test_exactly_one_h1(pages):
    failures = [f"{p.path}: {p.h1s} h1" for p in pages if p.h1s != 1]
    assert not failures, report(failures, "do not have exactly one <h1>")


@pytest.mark.content
def test_language_is_british_english(pages):
    failures = [f"{p.path}: lang={p.lang!r}" for p in pages if p.lang != "en-GB"]
    assert not failures, report(failures, 'lack <html lang="en-GB">')


@pytest.mark.content
def test_every_page_has_one_title_and_titles_are_unique(pages):
    failures = [f"{p.path}: {len(p.titles)} titles {p.titles}" for p in pages if len(p.titles) != 1 or not p.titles[0]]
    counts = Counter(p.titles[0] for p in pages if p.titles)
    failures += [f"{p.path}: title {p.titles[0]!r} is also on {counts[p.titles[0]] - 1} other pages"
                 for p in pages if p.titles and counts[p.titles[0]] > 1]
    assert not failures, report(failures, "have a missing or repeated <title>")


@pytest.mark.content
def test_every_page_has_a_meta_description(pages):
    failures = [f"{p.path}: {p.descriptions}" for p in pages if len(p.descriptions) != 1 or not p.descriptions[0].strip()]
    assert not failures, report(failures, "lack one non-empty meta description")


@pytest.mark.content
def test_canonical_link_is_the_pages_own_address(pages, content_build):
    base_url = content_build.site.config.base_url.rstrip("/")
    failures = []
    for p in pages:
        if p.path == "404.html":
            if p.canonicals:
                failures.append(f"{p.path}: the not-found page has a canonical link {p.canonicals}")
        elif p.canonicals != [base_url + url_of(p.path)]:
            failures.append(f"{p.path}: canonical {p.canonicals}, expected [{base_url + url_of(p.path)!r}]")
    assert not failures, report(failures, "have a wrong or missing canonical link")


@pytest.mark.content
def test_every_page_links_to_the_accessibility_statement(built_site, pages):
    failures = [p.path for p in pages if "/accessibility/" not in p.links]
    assert not failures, report(failures, "do not link to /accessibility/")
    assert (built_site / "accessibility" / "index.html").is_file(), "the accessibility statement /accessibility/ is not built"


@pytest.mark.content
def test_page_and_its_css_weigh_at_most_30_kb_gzipped(built_site, pages):
    def gzipped(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), compresslevel=9))

    failures = []
    for p in pages:
        css = [built_site / href.lstrip("/") for href in p.stylesheets if not off_site(href)]
        missing = [c for c in css if not c.is_file()]
        if missing:
            failures.append(f"{p.path}: stylesheet not built: {missing}")
            continue
        total = gzipped(built_site / p.path) + sum(gzipped(c) for c in css)
        if total > MAX_GZIPPED:
            failures.append(f"{p.path}: {total:,} bytes gzipped (HTML {gzipped(built_site / p.path):,})")
    assert not failures, report(failures, f"weigh more than {MAX_GZIPPED:,} bytes gzipped with their CSS")


def test_the_parser_sees_each_fault():
    page = Page("x.html")
    parser = PageParser(page)
    parser.feed('<html lang="en"><head><title>A</title><title>B</title><style>p{}</style>'
                '<link rel="stylesheet" href="https://cdn.example/x.css"><script src="/a.js"></script>'
                '<script>alert(1)</script></head><body onload="x()"><h1>1</h1><h1 style="color:red">2</h1>'
                '<img src="//evil.example/p.png" srcset="/a.png 1x, https://evil.example/b.png 2x">'
                '<svg role="img"><title>A chart</title></svg></body></html>')
    assert (page.lang, page.titles, page.h1s, page.inline_scripts) == ("en", ["A", "B"], 2, 1)
    assert page.handlers == ["<body onload>"]
    assert page.styles == ["<style> element", '<h1 style="color:red">']
    assert [u for u in page.loaded if off_site(u.split("> ", 1)[1])] == [
        "<link rel=stylesheet> https://cdn.example/x.css", "<img src> //evil.example/p.png",
        "<img srcset> https://evil.example/b.png"]
