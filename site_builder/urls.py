"""The one place that decides every address on the site."""

from __future__ import annotations

from .model import Agency, ContentPage, Initiative, PfccPlan, Plan, Priority, Programme, Strategy, Topic


# The pages and files that have one address whatever the content: templates name them by key,
# as url_for("search"), and a file in one of them as url_for("data", "plans.json").
FIXED = {"home": "/", "plans": "/plans/", "agencies": "/agencies/", "programmes": "/programmes/",
         "topics": "/topics/", "pfcc": "/pfcc/", "strategy": "/strategy/", "compare": "/compare/",
         "search": "/search/", "data": "/data/", "assets": "/assets/", "search_index": "/search-index/",
         "feed": "/feed.xml", "sitemap": "/sitemap.xml", "robots": "/robots.txt", "not_found": "/404.html",
         "glossary": "/glossary/", "admin": "/admin/"}  # admin: the web editor (cms.py)


# Where each kind of thing that has a page lives: under a fixed address, by its id.
_PAGES = {Plan: lambda o: plan_url(o.period), Priority: lambda o: f"{plan_url(o.period)}priorities/{o.id}/",
          Initiative: lambda o: f"{plan_url(o.period)}initiatives/{o.id}/", Strategy: lambda o: strategy_url(o.period),
          Agency: lambda o: f"{FIXED['agencies']}{o.id}/", Programme: lambda o: f"{FIXED['programmes']}{o.id}/",
          Topic: lambda o: f"{FIXED['topics']}{o.id}/", PfccPlan: lambda o: f"{FIXED['pfcc']}{o.id}/",
          ContentPage: lambda o: f"/{o.slug}/"}


def url_for(obj, file: str = "") -> str:
    """The site-relative address of a thing that has a page, or of a fixed page (and a file in it) by its key."""
    if isinstance(obj, str):
        return FIXED[obj] + file
    if type(obj) not in _PAGES:
        raise TypeError(f"no page for {type(obj).__name__}")
    return _PAGES[type(obj)](obj)


def plan_url(period: str) -> str:
    """Address of a plan, from its period."""
    return f"{FIXED['plans']}{period}/"


def strategy_url(period: str) -> str:
    """Address of a strategy, from its period."""
    return f"{FIXED['strategy']}{period}/"


def reserved_slugs() -> frozenset[str]:
    """The top-level names of the builder's own addresses, which a content page may not take."""
    return frozenset(url.strip("/").split("/")[0].removesuffix(".html") for url in FIXED.values()) - {""}


def output_path(url: str) -> str:
    """The file that serves an address: /plans/ is plans/index.html."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


def base_url_problem(url: str) -> str:
    """Say why an address cannot be the site's published address, or return ''."""
    import re

    from .model import BaseUrl  # the same rule as base_url in site.yaml

    pattern = BaseUrl.__metadata__[0]
    if re.fullmatch(pattern.regex, url):
        return ""
    shown = repr(url if len(url) <= 60 else url[:57] + "...")  # repr: a line break shows as \n
    return f"{shown} is not {pattern.expected}, like {pattern.example}"
