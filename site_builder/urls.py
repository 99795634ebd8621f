"""The one place that decides every address on the site."""

from __future__ import annotations

from functools import singledispatch

from .model import Agency, ContentPage, Initiative, PfccPlan, Plan, Priority, Programme, Strategy, Topic


# The pages and files that have one address whatever the content: templates name them by key,
# as url_for("search"), and a file in one of them as url_for("data", "plans.json").
FIXED = {"home": "/", "plans": "/plans/", "agencies": "/agencies/", "programmes": "/programmes/",
         "topics": "/topics/", "pfcc": "/pfcc/", "strategy": "/strategy/", "compare": "/compare/",
         "search": "/search/", "data": "/data/", "assets": "/assets/", "pagefind": "/pagefind/",
         "feed": "/feed.xml", "sitemap": "/sitemap.xml", "robots": "/robots.txt", "not_found": "/404.html"}


@singledispatch
def url_for(obj) -> str:
    """Return the site-relative address of a thing that has a page."""
    raise TypeError(f"no page for {type(obj).__name__}")


@url_for.register
def _(key: str, file: str = "") -> str:
    return FIXED[key] + file


@url_for.register
def _(obj: Plan) -> str:
    return plan_url(obj.period)


@url_for.register
def _(obj: Priority) -> str:
    return f"{plan_url(obj.period)}priorities/{obj.id}/"


@url_for.register
def _(obj: Initiative) -> str:
    return f"{plan_url(obj.period)}initiatives/{obj.id}/"


@url_for.register
def _(obj: Agency) -> str:
    return f"{FIXED['agencies']}{obj.id}/"


@url_for.register
def _(obj: Programme) -> str:
    return f"{FIXED['programmes']}{obj.id}/"


@url_for.register
def _(obj: Topic) -> str:
    return f"{FIXED['topics']}{obj.id}/"


@url_for.register
def _(obj: PfccPlan) -> str:
    return f"{FIXED['pfcc']}{obj.id}/"


@url_for.register
def _(obj: Strategy) -> str:
    return strategy_url(obj.period)


@url_for.register
def _(obj: ContentPage) -> str:
    return f"/{obj.slug}/"


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
