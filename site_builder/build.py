"""Build the site: load content, decide pages, render, and produce every output file.

SiteBuilder remembers its last successful build, so calling build() again after an edit
reloads only changed files, re-renders only pages whose data changed and reports only
the output files whose bytes changed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Callable

from . import extras, processes
from .addresses import check_addresses
from . import routes
from .cms import admin_files, read_admin
from .compare import compare_pages
from .currency import last_updated
from .glossary import glossary_pages
from .headers import HEADERS_FILE, headers_file
from .opendata import data_pages, make_open_data
from .search import search_pages
from .load import ContentLoader
from .model import NavItem, Site
from .problems import ContentError, Pos, Problem
from .render import Globals, Renderer
from .reuse import Reuse
from .routes import Build, Page
from .templating import Compiled, compiled_templates
from .twocores import make_in_two
from .urls import output_path, url_for

ASSET_SUFFIXES = (".css", ".js", ".svg", ".ico", ".png", ".woff2")
# Every family of pages, in the order they are made; each is a function of a routes.Build.
PAGE_FAMILIES = (routes.home_pages, routes.plan_pages, routes.agency_pages, routes.programme_pages, routes.topic_pages,
                 routes.pfcc_pages, routes.document_pages, glossary_pages, compare_pages, search_pages, data_pages)


@dataclass
class BuildResult:
    """What a build produced and what changed since the last one."""

    files: dict[str, bytes]
    pages: list[Page]
    changed: set[str]
    removed: set[str]
    rendered: int
    site: Site


def fingerprint_name(name: str, data: bytes) -> str:
    """Put a content hash in a file name so browsers may cache it for ever."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


def _stamp(folder: Path) -> tuple:
    """A cheap fingerprint of every file in a folder: names, sizes and times."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()))


ONE_OFF_KEEP = 4096  # results a one-off build keeps for reuse (Reuse)


class SiteBuilder:
    """Builds the site in memory; repeat builds redo only what changed."""

    def __init__(self, content_dir: Path, templates_dir: Path, base_url: str | None = None,
                 bytecode_cache=None, preview: bool = False, once: bool = False, compiling=None):
        # A preview (the local preview, a deploy preview) shows draft plans and asks search
        # engines to stay away; the published site leaves drafts out.
        self.preview = preview
        self.loader = ContentLoader(Path(content_dir), drafts=preview)
        # A one-off build (the build command): the second core helps the loading and the rendering
        # (twocores.py), and no result is kept for a next build (at 10,000 initiatives 113 MB of
        # partials used once each).
        self.once = once
        self.loader.once = once
        self.bytecode_cache = bytecode_cache  # a jinja2.BytecodeCache, or None
        # The templates being compiled by a forked copy already, where there is no bytecode cache: what
        # processes.aside gives (the build command starts it before it imports this module), or None.
        self._compiling = compiling
        self.templates_dir = Path(templates_dir)
        self.base_url = base_url.rstrip("/") if base_url else None
        self._renderer: Renderer | None = None
        self._renderer_used: Renderer | None = None  # the one the last successful build rendered with
        self._templates_stamp: tuple | None = None
        self._assets: dict[str, bytes] = {}
        self._admin: dict[str, bytes] = {}  # the web editor's files in templates/admin/ (cms.py)
        self._globals: Globals | None = None
        self._pages: dict[str, Page] = {}
        self._html: dict[str, bytes] = {}
        self.files: dict[str, bytes] = {}
        # Results of pure functions (partials, open-data rows) for the next build, or in a one-off
        # build the most recent few thousand: a page's header and footer, the links lists repeat.
        self.reuse = Reuse(keep=ONE_OFF_KEEP if once else None)

    def build(self, on_page: Callable[[str, bytes], bytes | None] | None = None,
              on_done: Callable[[str, bytes], None] | None = None) -> BuildResult:
        """Build every output file in memory; raise ContentError listing every problem.

        on_page(file name, HTML) is given every page as it is made, in no set order; those pages are
        then the caller's: the result's files are the others, and the next build renders them again.
        A one-off build gives on_page its other files too, while it makes pages, and keeps none.
        (The build command writes each page at once: a big site's pages are never all in memory, 2 GB
        of them at 100,000 initiatives.) A one-off build makes its pages on both cores (twocores.py):
        on_page may then be called in a forked copy of this process, so it must do its work there
        (write the file); what it returns comes back, and on_done(file name, those bytes or b"") is
        called in this process for every page, in the order of the pages' addresses (the build
        command: the search index's reading of it), and for each other file as it is made. The first
        page is given in this process, before any copy is made.
        """
        with contextlib.ExitStack() as asides:  # work done in forked copies meanwhile, stopped at the end
            if self.once:
                asides.callback(gc.unfreeze)  # the site frozen by _collector_paused, collectable again at the end
                # Rendering a page makes thousands of short-lived lists, dicts and contexts, nearly all freed as
                # soon as they are used: collected every 700 of them, as Python does by default, the collector
                # took 1.3% of a clean build's time; every 50,000 leaves at most that many uncollected.
                asides.callback(gc.set_threshold, *gc.get_threshold())
                # Set back to every 700 at the end, it would at once walk the up to 50,000 objects made since its
                # last run (2.8 ms of the builder alone at 1,000 initiatives): they go with the rest, to the oldest.
                asides.callback(gc.freeze)
                gc.set_threshold(50_000, *gc.get_threshold()[1:])
                asides.callback(self.loader.close)  # the helper checking for personal data, if still at work
            try:
                return self._build(on_page, on_done or _ignored, asides)
            except ContentError as exc:  # told with the personal data a one-off build's load left to the helper
                raise ContentError(exc.problems + self.loader.personal_data()) from None

    def _build(self, on_page: Callable[[str, bytes], bytes | None] | None,
               on_done: Callable[[str, bytes], None], asides: contextlib.ExitStack) -> BuildResult:
        # A one-off build whose pages are given to on_page keeps no file: it makes them on both cores, and
        # forked copies do work on the second core meanwhile (the templates, which need no content, compiled
        # while this one loads it; the open data made while this one decides the pages).
        giving = self.once and on_page is not None
        # A one-off build lets go of nothing while it loads the content and decides the pages: the
        # garbage collector, which walks every object again and again as they grow in number, found
        # nothing to free there and took 6.6 s of a 49 s load at 100,000 initiatives.
        with contextlib.ExitStack() as stack:
            if self.once:
                stack.enter_context(_collector_paused())
            compiled = open_data = None
            if giving and self.bytecode_cache is None:
                compiled = self._compiling or stack.enter_context(
                    processes.aside(lambda: compiled_templates(self.templates_dir)))
            self._compiling = None  # for this build only
            site = self.loader.load()
            base_url = self.base_url or site.config.base_url.rstrip("/")
            if giving:
                open_data = asides.enter_context(processes.aside(lambda: make_open_data(site, base_url)))
            renderer = self._current_renderer()
            self.reuse.next_build()
            assets = {name: url_for("assets", fingerprint_name(name, data)) for name, data in self._assets.items()}
            g = Globals(
                config=site.config,
                base_url=base_url,
                assets=tuple(sorted(assets.items())),
                footer=(*(NavItem(p.meta.title, url_for(p)) for p in site.pages if p.meta.footer),
                        *((NavItem("Glossary", url_for("glossary")),) if site.glossary else ())),
                updated=last_updated(site),
                glossary=site.glossary,
            )
            made = Build(site, reuse=self.reuse)
            for family in PAGE_FAMILIES:
                made.pages.extend(family(made))
            pages = made.pages
            _check_unique_urls(pages)
            templates = Compiled(compiled() or {}) if compiled is not None else None

        files: dict[str, bytes] = {}  # every file but the pages, and the pages kept (not given to on_page)
        broken: list[Problem] = []  # addresses that would break, told with the pages' errors, if any

        def files_besides_pages() -> None:
            """The assets, the web editor's files (which hash the 5 MB Decap bundle), the sitemap, robots.txt,
            the feed, the open data, published.txt and _headers; a one-off build gives each to on_page as it
            is made, and keeps none."""
            made = {output_path(url): self._assets[name] for name, url in assets.items()}
            if self._admin:
                made.update(admin_files(self._admin, g.base_url, site.config.name, assets.get("site.css", "")))
            made.update({output_path(url_for("sitemap")): extras.sitemap(pages, g.base_url),
                         output_path(url_for("robots")): extras.robots(g.base_url, self.preview),
                         output_path(url_for("feed")): extras.feed(site, g.base_url)})
            # A one-off build keeps no plan's rows: 224 MB of them beside the files at 100,000 initiatives.
            made.update((open_data and open_data())
                        or make_open_data(site, g.base_url, None if self.once else self.reuse))
            names = made.keys() | {output_path(page.url) for page in pages}  # every file, the pages given away too
            try:
                made.update(check_addresses(site, names, self.loader.content_dir,
                                            {src.rel: src for src in self.loader.sources.values()}))
            except ContentError as exc:  # raised once the pages are made: with their errors, if any
                broken.extend(exc.problems)
            made[HEADERS_FILE] = headers_file(names | made.keys())
            if not giving:
                files.update(made)
                return
            for path in sorted(made):
                on_done(path, on_page(path, made.pop(path)) or b"")

        reuse = renderer is self._renderer_used and g == self._globals
        html: dict[str, bytes] = {}  # the pages kept: those not given to on_page
        rendered = 0
        # In the order of their addresses: the search index numbers its pages so, and given them in
        # that order it has none to renumber.
        ordered = [(output_path(page.url), page) for page in sorted(pages, key=attrgetter("url"))]
        try:
            if giving:  # nothing kept, nothing to reuse: both cores render
                renderer.compile_all(templates)  # once, before the copy is made, not in each
                # The other files are made here while the copy makes pages: made before it, or after the last
                # page, the second core would wait (1.5% of the build at 1,000 initiatives).
                make_in_two(ordered, lambda path, page: on_page(path, renderer.render(page, g)) or b"", on_done,
                            meanwhile=files_besides_pages)
                rendered, ordered = len(ordered), []  # every page rendered and given away
            else:
                files_besides_pages()
            for path, page in ordered:
                old = self._pages.get(page.url)
                if reuse and old is not None and old == page and page.url in self._html:
                    data = self._html[page.url]
                else:
                    data = renderer.render(page, g)
                    rendered += 1
                if on_page is None:
                    html[page.url] = data
                else:
                    on_done(path, on_page(path, data) or b"")
        except ContentError as exc:  # a template's error: told with the addresses that would break
            raise ContentError(exc.problems + broken) from None
        if broken:
            raise ContentError(broken)

        files.update((output_path(url), data) for url, data in html.items())
        # A one-off build's check for personal data went on meanwhile (load.py): its verdict, before anything
        # is published (the pages given to on_page are in a folder that is thrown away if it finds any).
        found = self.loader.personal_data()
        if found:
            raise ContentError(found)

        changed = {path for path, data in files.items() if self.files.get(path) != data}
        removed = set(self.files) - set(files)
        # Remember this build only now that it has fully succeeded.
        self._renderer_used = renderer
        self._globals = g
        self._pages = {page.url: page for page in pages}
        self._html = html
        self.files = files
        return BuildResult(files, pages, changed, removed, rendered, site)

    def _current_renderer(self) -> Renderer:
        """Reuse the Jinja environment unless a template or asset changed."""
        stamp = _stamp(self.templates_dir)
        if self._renderer is None or stamp != self._templates_stamp:
            if not (self.templates_dir / "base.html").is_file():
                raise ContentError([Problem(Pos(str(self.templates_dir), 1, 1), "",
                                            "the templates folder has no base.html",
                                            "the site's templates folder")])
            self._renderer = Renderer(self.templates_dir, self.bytecode_cache, self.reuse)
            self._assets = {p.name: p.read_bytes() for p in sorted((self.templates_dir / "assets").glob("*"))
                            if p.suffix in ASSET_SUFFIXES}
            self._admin = read_admin(self.templates_dir)
            self._templates_stamp = stamp
        return self._renderer


def _ignored(name: str, returned: bytes) -> None:
    """What on_done is where the caller gives none."""


@contextlib.contextmanager
def _collector_paused():
    """The garbage collector off within the block, and what it made frozen after it (see gc.freeze).

    A one-off build lets go of none of the site until the end, so the collector has nothing to find
    in it: on again, it would first walk all of it (0.2 s at 10,000 initiatives). And the collector
    writes into every object it looks at: in a forked copy (twocores.py) each page of memory it
    writes becomes two. build() unfreezes it all at its end.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


def _check_unique_urls(pages: list[Page]) -> None:
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        if page.url in seen:
            first = seen[page.url]
            problems.append(Problem(Pos("content", 1, 1), "", f"two pages have the address {page.url}: "
                                    f"'{first.title}' and '{page.title}'", "a different id for one of them"))
        seen[page.url] = page
    if problems:
        raise ContentError(problems)
