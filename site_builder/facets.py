"""The facets that lists and search filter initiatives by: one table feeds every use of them.

A facet gives each initiative its choices. A choice's code goes on list items (data-<name>,
read by filters.js) and into list filters; its label is the search filter value and what
readers see. The search page offers the choices the index holds. Adding a facet is adding a row.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Callable, get_args

from markupsafe import Markup, escape

from .model import Initiative, Status, hash_field, hashed_once

LONG_LIST = 10  # a list of initiatives this long gets filters
KINDS = ("Initiative", "Priority", "Programme", "Agency")  # the kinds of page search finds, in the search form's order


@dataclass(frozen=True, slots=True)
class Choice:
    """One value of a facet: its code, what readers see, where it sorts and the group it is shown in."""

    code: str
    label: str  # also the search filter value
    order: tuple = ()
    group: str = ""  # the search form groups choices by it: a plan priority by its plan's year
    _hash: int = hash_field()  # lists' filters gather choices in sets: 245,000 hashes at 10,000 initiatives

    __hash__ = hashed_once

    @property
    def short(self) -> str:
        """The label within its group: '3. Drugs' for '2021-22: 3. Drugs'."""
        return self.label.removeprefix(f"{self.group}: ")


def names_of(plan, pfcc) -> dict:
    """The titles that labels name: ("priority" or "pfcc", plan period, number) -> a plan's or its PFCC plan's."""
    return {**{("priority", plan.period, p.number): p.short_title for p in plan.priorities},
            **{("pfcc", plan.period, p.number): p.title for p in (pfcc.priorities if pfcc else ())}}


@dataclass(frozen=True)
class Facet:
    """A way to filter initiatives: its name (data attribute, search filter, form field) and wording."""

    name: str
    label: str
    anything: str  # the choice that filters nothing
    choices: Callable[[Initiative, dict], tuple[Choice, ...]]
    lists: bool = True  # long lists of initiatives filter by it, as well as search


# Each choice is made once, however many initiatives have it (70,000 year choices at 10,000
# initiatives otherwise; every page's filters are kept until its turn to be rendered). Bounded, as
# a long preview makes one for every saved version of a priority's title.
_ONCE = functools.lru_cache(maxsize=4096)


@_ONCE
def year_choice(period: str) -> Choice:
    """A plan's year, newest first."""
    return Choice(period, period, (-int(period[:4]),))


@_ONCE
def priority_choice(period: str, number: int, short_title: str) -> Choice:
    """A plan priority, by year (newest first) and number."""
    return Choice(f"{period}:{number}", f"{period}: {number}. {short_title}" if short_title else "",
                  (-int(period[:4]), number), period)


@_ONCE
def kind_choice(kind: str) -> tuple[str, Choice]:
    """The search filter saying what kind of page a page is."""
    return "type", Choice(kind, kind, (KINDS.index(kind),))


def _priorities(ini: Initiative, names: dict) -> tuple[Choice, ...]:
    numbers = dict.fromkeys((*((ini.priority,) if ini.priority else ()), *ini.scp_priorities))
    return tuple(priority_choice(ini.period, n, names.get(("priority", ini.period, n), "")) for n in numbers)


def _pfcc(ini: Initiative, names: dict) -> tuple[Choice, ...]:
    found = ((n, names.get(("pfcc", ini.period, n))) for n in ini.pfcc_priorities)
    return tuple(_numbered(n, title) for n, title in found if title)


@_ONCE
def _numbered(number: int, title: str) -> Choice:
    return Choice(str(number), f"{number}. {title}", (number,))


@_ONCE
def _agency(code: str, name: str) -> Choice:
    return Choice(code, name, (name.casefold(),))


@_ONCE
def _status(status: str) -> Choice:
    return Choice(status, status.capitalize(), (get_args(Status).index(status),))


FACETS = (
    Facet("year", "Plan year", "Any year", lambda ini, names: (year_choice(ini.period),), lists=False),
    Facet("lead", "Lead agency", "Any agency",
          lambda ini, names: tuple(_agency(a.id, a.name) for a in ini.lead)),
    Facet("priority", "Plan priority", "Any priority", _priorities),
    Facet("pfcc", "PFCC priority", "Any PFCC priority", _pfcc, lists=False),
    Facet("status", "Status", "Any status", lambda ini, names: (_status(ini.status),) if ini.status else ()),
    Facet("type", "Kind of page", "Any kind", lambda ini, names: (kind_choice("Initiative")[1],), lists=False),
)


def search_filters(ini: Initiative, names: dict) -> tuple[tuple[str, Choice], ...]:
    """An initiative page's search filters: (facet name, choice) pairs."""
    return tuple((facet.name, choice) for facet in FACETS for choice in facet.choices(ini, names) if choice.label)


@_ONCE  # an initiative's, on every list it is in: its lead's and partners' pages, its priority's, its topics'
def filter_attributes(choices: tuple[tuple[str, Choice], ...]) -> Markup:
    """A list item's attributes for filters.js, from its search filters: data-filter-item and data-<facet> with its codes."""
    codes: dict[str, dict[str, None]] = {facet.name: {} for facet in FACETS if facet.lists}
    for name, choice in choices:
        if name in codes:
            codes[name][choice.code] = None
    joined = ((name, " ".join(these)) for name, these in codes.items())
    # Made as text, each value escaped, not formatted as Markup: a list of 10,000 initiatives makes 10,000.
    return Markup("".join(["data-filter-item", *(f' data-{name}="{escape(text)}"' for name, text in joined if text)]))


def _sorted(choices) -> tuple[Choice, ...]:
    return tuple(sorted(set(choices), key=lambda c: (c.order, c.label)))


def list_filters(items) -> tuple[tuple[Facet, tuple[Choice, ...]], ...]:
    """The filters of a list of initiatives (routes.InitiativeRef; none for a short list): each facet with the
    choices its items have."""
    if len(items) < LONG_LIST:
        return ()
    found = defaultdict(set)
    for item in items:
        for name, choice in item.choices:
            found[name].add(choice)
    return tuple((facet, _sorted(found[facet.name])) for facet in FACETS if facet.lists and found[facet.name])


def search_form(searched) -> tuple[tuple[Facet, tuple[tuple[str, tuple[Choice, ...]], ...]], ...]:
    """The search form's filters: each facet with the choices the index holds (each indexed page's), in groups."""
    found = defaultdict(list)
    for search in searched:
        for name, choice in search:
            found[name].append(choice)
    return tuple((facet, tuple((group, tuple(choices)) for group, choices
                               in groupby(_sorted(found[facet.name]), key=lambda c: c.group)))
                 for facet in FACETS if found[facet.name])

