"""Search: the search page, with an A to Z that needs no JavaScript (the index itself: searchindex.py)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .facets import Choice, Facet, search_form
from .urls import url_for
from .routes import HOME, Build, InitiativeRef, Page


@dataclass(frozen=True, slots=True)
class SearchView:
    """The search page: filter choices, and the A to Z of initiatives."""

    filters: tuple[tuple[Facet, tuple[tuple[str, tuple[Choice, ...]], ...]], ...]  # each facet's choices, in groups
    a_to_z: tuple[tuple[str, tuple[InitiativeRef, ...]], ...]


def _initial(item: InitiativeRef) -> str:
    first = item.title.lstrip("‘'\"“(")[:1].upper()
    return first if first.isalpha() else "#"


def search_pages(b: Build) -> list[Page]:
    """The search page, offering the filter choices that the pages made before it have."""
    searched = tuple(page.search for page in b.pages if page.indexed)
    items = tuple(item for plan in b.site.plans for item in b.refs[plan.period].values())
    # The last build's page while both are equal: the A to Z lists every initiative.
    return [b.reuse(_search_page, searched, items, slot="search")]


def _search_page(searched: tuple, items: tuple[InitiativeRef, ...]) -> Page:
    ordered = sorted(items, key=lambda i: (_initial(i), i.title.casefold(), i.period))
    a_to_z = tuple((letter, tuple(group)) for letter, group in groupby(ordered, key=_initial))
    return Page(url_for("search"), "search.html", "Search",
                "Search every plan's initiatives, priorities, programmes and agencies, or browse the A to Z.",
                (HOME,), SearchView(search_form(searched), a_to_z), "search")
