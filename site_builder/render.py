"""Render pages through the Jinja templates."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .facets import filter_attributes
from .load import display_path
from .model import Agency, NavItem, SiteConfig, when
from .problems import ContentError, Pos, Problem
from .routes import Page
from .urls import url_for


@dataclass(frozen=True, slots=True)
class Globals:
    """What every page shows besides its own data; a change here re-renders every page."""

    config: SiteConfig
    base_url: str
    assets: tuple[tuple[str, str], ...]  # (name, fingerprinted url)
    footer: tuple[NavItem, ...]

    def asset(self, name: str) -> str:
        """The fingerprinted address of an asset such as site.css."""
        return dict(self.assets)[name]


_PLAIN = (str, int, float, bool, type(None))


def mark_current(html: Markup, url: str) -> Markup:
    """Mark the link to the page itself in a shared list (aria-current tells screen readers)."""
    return Markup(str(html).replace(f'<a href="{url}">', f'<a href="{url}" aria-current="page">', 1))


PERIOD = re.compile(r"\b\d{4}-\d{2}(?:\d{2})?\b")


def keep_years(text) -> Markup:
    """Keep each period such as 2021-22 on one line: browsers may break a line after its hyphen."""
    return Markup(PERIOD.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', str(escape(text))))


def join_words(items) -> str:
    """Join words as a sentence does: 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def agency_names(agencies: tuple[Agency, ...], period: str | None = None) -> str:
    """Name agencies in a sentence, by the names they had in a plan's year when one is given."""
    return join_words(a.name_in(period) if period else a.name for a in agencies)


class Renderer:
    """A Jinja environment over the templates folder: autoescaped and strict."""

    def __init__(self, templates_dir: Path, bytecode_cache: jinja2.BytecodeCache | None = None):
        self.templates_dir = Path(templates_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            bytecode_cache=bytecode_cache,  # compiled templates from an earlier run
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # the builder makes a new Renderer when a template changes
            cache_size=-1,
        )
        self.env.globals["url_for"] = url_for
        self.env.globals["filter_attributes"] = filter_attributes
        self.env.filters["join_words"] = join_words
        self.env.filters["agency_names"] = agency_names
        self.env.filters["when"] = when
        self.env.filters["keep_years"] = keep_years
        self._fragments: tuple[Globals | None, dict] = (None, {})
        self._parts: dict = {}  # this build's rendered parts
        self._parts_before: dict = {}  # the last build's, kept for one more build
        self.env.globals["part"] = self.part
        self.env.filters["mark_current"] = mark_current

    def render(self, page: Page, g: Globals) -> bytes:
        """Render one page to bytes; template mistakes become ContentError."""
        try:
            template = self.env.get_template(page.template)
            html = template.render(page=page, data=page.data, g=g, fragment=self._fragment_renderer(g))
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError([self._problem(exc, exc.filename, exc.lineno, page)]) from None
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(self.templates_dir)
            raise ContentError([self._problem(exc, filename, line, page)]) from None
        return html.encode("utf-8")

    def part(self, name: str, **args) -> Markup:
        """Render a partial from its arguments alone, reusing the HTML of an earlier render.

        A list of initiatives shows each with a partial; after an edit most items are the
        very objects of the last build, so a page of 4,000 items costs 4,000 dictionary
        lookups, not 4,000 renders. Objects are matched by identity (hashing a whole
        initiative would cost as much as rendering it); parts see only their arguments,
        so the cache cannot go stale.
        """
        items = sorted(args.items())
        key = (name, *((k, v if isinstance(v, _PLAIN) else id(v)) for k, v in items))
        hit = self._parts.get(key)
        if hit is None:
            hit = self._parts_before.get(key)
        values = tuple(v for _, v in items)
        if hit is None or any(a is not b for a, b in zip(hit[0], values) if not isinstance(b, _PLAIN)):
            hit = (values, Markup(self.env.get_template(name).render(**args)))
        self._parts[key] = hit
        return hit[1]

    def new_build(self) -> None:
        """Start a build: parts not used in this build or the last are forgotten."""
        self._parts_before, self._parts = self._parts, {}

    def _fragment_renderer(self, g: Globals):
        """A function that renders a partial once per build and set of arguments.

        The header and footer depend only on the site's globals (and the active menu
        item), so most pages reuse them instead of rendering and escaping them again.
        """
        if self._fragments[0] != g:
            self._fragments = (g, {})
        cache = self._fragments[1]

        def fragment(name: str, **args) -> Markup:
            key = (name, tuple(sorted(args.items())))
            html = cache.get(key)
            if html is None:
                html = cache[key] = Markup(self.env.get_template(name).render(g=g, **args))
            return html
        return fragment

    def _problem(self, exc: Exception, filename: str | None, line: int | None, page: Page) -> Problem:
        where = display_path(Path(filename)) if filename else display_path(self.templates_dir / page.template)
        return Problem(Pos(where, line or 1, 1), "", f"template error: {exc}",
                       "a template that renders", f"It happened while making the page {page.url}.")


def _template_frame(templates_dir: Path) -> tuple[str | None, int | None]:
    """Find the template file and line of the exception being handled."""
    tb = sys.exc_info()[2]
    found = (None, None)
    root = str(templates_dir.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root) or filename.endswith(".html"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
