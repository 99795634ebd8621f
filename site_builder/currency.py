"""How current the site is: the day its content last changed, and timings read as at their plan."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .model import Site
from .routes import all_initiatives

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ONGOING = re.compile(r"\bongoing\b", re.IGNORECASE)


def last_updated(site: Site) -> str:
    """The latest day the content records (site.yaml's 'updated', a row's 'added', a page's 'updated'), or ''.

    From the content, never the clock or git: the same content gives the same pages wherever it
    is built, and a shallow clone or a copy without history builds the same site.
    """
    dates = [site.config.updated, *(page.meta.updated for page in site.pages),
             *(ini.added for plan in site.plans for ini in all_initiatives(plan))]
    return max((d for d in dates if _DATE.match(d)), default="")


def as_at(text, period: str) -> Markup:
    """A timing or status, with ', as at the 2021-22 plan' where it says ongoing: the plan's word, not today's."""
    shown = escape(text)
    if not _ONGOING.search(str(text)):
        return shown
    return shown + Markup(f'<span class="as-at">, as at the <span class="nowrap">{escape(period)}</span> plan</span>')
