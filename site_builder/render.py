"""Render pages through the Jinja templates."""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
from markupsafe import Markup, escape

from .currency import as_at
from .facets import filter_attributes
from .glossary import Abbreviator
from .headers import PAGE_CSP
from .load import display_path
from .model import Agency, NavItem, SiteConfig, ended_by, hash_field, hashed_once, named, plan_end, when
from .problems import ContentError, Pos, Problem
from .registry import same_name, short_form
from .reuse import Reuse
from .routes import Page
from .templating import Compiled, Macro, environment, page_templates
from .urls import url_for


@dataclass(frozen=True, slots=True)
class Globals:
    """What every page shows besides its own data; a change here re-renders every page."""

    config: SiteConfig
    base_url: str
    assets: tuple[tuple[str, str], ...]  # (name, fingerprinted url)
    footer: tuple[NavItem, ...]
    updated: str = ""  # the day the content last changed (currency.last_updated), YYYY-MM-DD
    glossary: tuple = ()  # the glossary's terms: each page marks their first use in its <main>
    _hash: int = hash_field()  # a partial given g is looked up by it: without, each call hashed every term

    __hash__ = hashed_once

    def asset(self, name: str) -> str:
        """The fingerprinted address of an asset such as site.css."""
        return dict(self.assets)[name]


def mark_current(html: Markup, url: str) -> Markup:
    """Mark the link to the page itself in a shared list (aria-current tells screen readers)."""
    return Markup(str(html).replace(f'<a href="{url}">', f'<a href="{url}" aria-current="page">', 1))


PERIOD = re.compile(r"\b\d{4}-\d{2}(?:\d{2})?\b")


@functools.lru_cache(maxsize=4096, typed=True)  # typed: a str is escaped, the same text as Markup is not
def keep_years(text) -> Markup:
    """Keep each period such as 2021-22 on one line: browsers may break a line after its hyphen."""
    return Markup(PERIOD.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', str(escape(text))))


def join_words(items) -> str:
    """Join words as a sentence does: 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def as_printed(agency: Agency, printed: str, period: str | None = None) -> str:
    """What to show beside an agency's name of the site for the name a document printed: '' when they are one.

    A short name the registry records is shown as an abbreviation, '(CBC)'; any other name is
    quoted, '(printed “Essex Probation”)', so that no page puts a name in a plan's mouth. An agency
    that ended before the plan's year was over says so: '(printed “Essex Probation”; ended June 2014)'.
    """
    shown = agency.name_in(period) if period else agency.name
    ended = f"ended {when(agency.ended)}" if period and ended_by(agency, period) else ""
    if not printed or same_name(printed, shown):
        return f"({ended})" if ended else ""
    short = short_form(agency, printed, shown)
    return "(" + "; ".join(filter(None, (short or f"printed “{printed}”", ended))) + ")"


# Credits are remembered by their arguments: the same agencies, as printed in the same year, are
# credited on an initiative's page and on every list it is in (at 10,000 initiatives, 76,000 calls
# of 19,000 kinds). Typed, so that Markup and str stay apart; bounded, for a long preview.
@functools.lru_cache(maxsize=4096, typed=True)
def credit(agency: Agency, printed: str = "", period: str | None = None, link: bool = True) -> Markup:
    """An agency's name in a plan's year (a link to its page), with the name the document printed beside it."""
    name = escape(agency.name_in(period) if period else agency.name)
    shown = Markup(f'<a href="{escape(url_for(agency))}">{name}</a>') if link else name
    note = as_printed(agency, printed, period)
    # Markup's own format() costs a string.Formatter pass: an f-string of the escaped note, a tenth of it.
    return shown + (Markup(f' <span class="as-printed">{escape(note)}</span>') if note else "")


@functools.lru_cache(maxsize=4096, typed=True)
def credits(agencies: tuple[Agency, ...], printed: tuple[str, ...] = (), period: str | None = None,
            as_written: str = "", link: bool = False, leave_out: str = "") -> Markup:
    """Agencies in a sentence, each credited as the document printed it; a printed cell that says more
    (as_written) stands beside them all instead."""
    pairs = [(a, p) for a, p in named(agencies, printed) if a.id != leave_out]
    parts = [credit(a, "" if as_written and not leave_out else p, period, link) for a, p in pairs]
    text = Markup(join_words(parts))  # each part is escaped already
    if as_written and not leave_out:
        text += Markup(f' <span class="as-printed">(printed “{escape(as_written)}”)</span>')
    return text


# markupsafe's own escaping of a str, which its escape() wraps in Markup. Not part of its public
# API: where a version lacks it, escape() does the work (tests/test_escape.py holds both to it).
_escape_str = getattr(markupsafe, "_escape_inner", None)


def escape_text(value) -> str:
    """markupsafe.escape(value), as a plain str where the value is one (the same characters).

    What templates' {{ }} output goes through. Every output is joined into a page or a macro's
    Markup, so it need not be Markup itself, and making one costs a Python-level __new__: a
    quarter of the time escaping took, 140 outputs a page. Most outputs at 10,000 initiatives are
    Markup already (partials, macros), which escape() would copy into a new Markup.
    """
    kind = type(value)
    if kind is str and _escape_str is not None:
        return _escape_str(value)
    if kind is Markup:  # safe already (a macro's or a partial's HTML): escape() would only copy it
        return value
    if kind is int:  # digits and a minus sign, nothing to escape: a number, 15,000 outputs at 1,000 initiatives
        return str(value)
    return escape(value)


class _Template(jinja2.Template):
    """A template whose {{ }} outputs are escaped by escape_text, and whose macros are templating.Macro."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        # The template module's namespace, where its code finds `escape` and `Macro` (jinja2.runtime's, imported).
        template.root_render_func.__globals__.update(escape=escape_text, Macro=Macro)
        return template


class Renderer:
    """A Jinja environment over the templates folder: autoescaped and strict."""

    def __init__(self, templates_dir: Path, bytecode_cache: jinja2.BytecodeCache | None = None,
                 reuse: Reuse | None = None):
        self.templates_dir = Path(templates_dir)
        self.reuse = reuse or Reuse()
        self._render_part = self._part  # one bound method for every key, not one per call
        self._abbr = None
        self._macros = None  # macros.html's module (_load_macros)
        self.env = environment(self.templates_dir, bytecode_cache, filters=dict(
            join_words=join_words, credit=credit, credits=credits, when=when, plan_end=plan_end,
            keep_years=keep_years, as_at=as_at, mark_current=mark_current))
        self.env.template_class = _Template
        self.env.globals.update(url_for=url_for, filter_attributes=filter_attributes, named=named, part=self.part,
                                page_policy=PAGE_CSP)

    def render(self, page: Page, g: Globals) -> bytes:
        """Render one page to bytes; template mistakes become ContentError."""
        try:
            template = self.env.get_template(page.template)
            html = template.render(page=page, data=page.data, g=g)
            if g.glossary and page.kind != "glossary":  # the glossary page spells every term out itself
                html = self._abbreviator(g.glossary).page(html)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError([self._problem(exc, exc.filename, exc.lineno, page)]) from None
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(self.templates_dir)
            raise ContentError([self._problem(exc, filename, line, page)]) from None
        return html.encode("utf-8")

    def compile_all(self, compiled: Compiled | None = None) -> None:
        """Compile every template now (rendering compiles each the first time it is used), taking
        those `compiled` already where the environment has no cache of its own."""
        if compiled is not None and self.env.bytecode_cache is None:
            self.env.bytecode_cache = compiled
        problems = []
        for name in page_templates(self.env):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:  # every template's, together
                problems.append(self._problem(exc, exc.filename, exc.lineno, None))
        if problems:
            raise ContentError(problems)

    def _abbreviator(self, terms: tuple) -> Abbreviator:
        """The glossary's marker for these terms (made again only when they change)."""
        if self._abbr is None or self._abbr.terms != terms:
            self._abbr = Abbreviator(terms)
        return self._abbr

    def part(self, name: str, **args) -> Markup:
        """Render a macro of macros.html from its arguments alone: equal arguments give the HTML of the last call.

        The one cache of rendered HTML: a list of 4,000 initiatives, or the header of every page, is
        rendered once, and after an edit only the items that changed are rendered again.
        """
        return self.reuse(self._render_part, name, *sorted(args.items()))

    def _part(self, name: str, *args: tuple[str, object]) -> Markup:
        html = getattr(self._macros or self._load_macros(), name)(**dict(args))
        return html if type(html) is Markup else Markup(html)  # an autoescaped macro's is Markup: no copy made

    def _load_macros(self):
        """macros.html's module, kept: Jinja's get_template looks it up afresh at every call (a weak reference
        to the loader made each time), and a renderer's templates never change (the builder makes a new one)."""
        self._macros = self.env.get_template("macros.html").module
        return self._macros

    def _problem(self, exc: Exception, filename: str | None, line: int | None, page: Page | None) -> Problem:
        """The template error as a content problem, at its template's line (the page's, if unknown)."""
        if page is None:  # compiling, before any page
            return Problem(Pos(display_path(Path(filename or self.templates_dir)), line or 1, 1), "",
                           f"template error: {exc}", "a template that compiles")
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
