"""Render pages through the Jinja templates."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .currency import as_at
from .facets import filter_attributes
from .load import display_path
from .model import Agency, NavItem, SiteConfig, when
from .problems import ContentError, Pos, Problem
from .reuse import Reuse
from .routes import Page
from .urls import url_for


@dataclass(frozen=True, slots=True)
class Globals:
    """What every page shows besides its own data; a change here re-renders every page."""

    config: SiteConfig
    base_url: str
    assets: tuple[tuple[str, str], ...]  # (name, fingerprinted url)
    footer: tuple[NavItem, ...]
    updated: str = ""  # the day the content last changed (currency.last_updated), YYYY-MM-DD

    def asset(self, name: str) -> str:
        """The fingerprinted address of an asset such as site.css."""
        return dict(self.assets)[name]


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

    def __init__(self, templates_dir: Path, bytecode_cache: jinja2.BytecodeCache | None = None,
                 reuse: Reuse | None = None):
        self.templates_dir = Path(templates_dir)
        self.reuse = reuse or Reuse()
        self._render_part = self._part  # one bound method for every key, not one per call
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
        self.env.filters["as_at"] = as_at
        self.env.globals["part"] = self.part
        self.env.filters["mark_current"] = mark_current

    def render(self, page: Page, g: Globals) -> bytes:
        """Render one page to bytes; template mistakes become ContentError."""
        try:
            template = self.env.get_template(page.template)
            html = template.render(page=page, data=page.data, g=g)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError([self._problem(exc, exc.filename, exc.lineno, page)]) from None
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(self.templates_dir)
            raise ContentError([self._problem(exc, filename, line, page)]) from None
        return html.encode("utf-8")

    def part(self, name: str, **args) -> Markup:
        """Render a macro of macros.html from its arguments alone: equal arguments give the HTML of the last call.

        The one cache of rendered HTML: a list of 4,000 initiatives, or the header of every page, is
        rendered once, and after an edit only the items that changed are rendered again.
        """
        return self.reuse(self._render_part, name, *sorted(args.items()))

    def _part(self, name: str, *args: tuple[str, object]) -> Markup:
        return Markup(getattr(self.env.get_template("macros.html").module, name)(**dict(args)))

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
