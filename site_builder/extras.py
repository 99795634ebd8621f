"""The files beside the pages: sitemap and robots.txt."""

from __future__ import annotations

import re
from html import escape as _escape

from .model import Site, plan_start
from .urls import url_for
from .routes import Page, all_initiatives


# Characters XML 1.0 does not allow. Content with them is refused as it is read; this keeps
# the sitemap and feed well-formed whatever reaches them. (Listed, not as all but the allowed ones:
# re takes 5 ms to compile a set that spans most of Unicode, at every start.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str, quote: bool = True) -> str:
    """Text for an XML element or attribute: escaped, without the characters XML does not allow."""
    return _escape(_NOT_XML.sub("", text), quote=quote)


def sitemap(pages: list[Page], base_url: str) -> bytes:
    """List every indexable page for search engines."""
    urls = sorted(page.url for page in pages if page.kind != "error" and not page.draft)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"  <url><loc>{escape(base_url + url, quote=False)}</loc></url>" for url in urls)
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots(base_url: str, preview: bool = False) -> bytes:
    """Allow every crawler and point it at the sitemap; keep them out of a preview."""
    if preview:
        return b"# A preview, not the published site.\nUser-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: {base_url}{url_for('sitemap')}\n".encode()


def plan_updated(period: str) -> str:
    """A plan's date for the feed: the start of its year, 1 April (never the build's time)."""
    return f"{plan_start(period)}T00:00:00Z"


def feed(site: Site, base_url: str) -> bytes:
    """An Atom feed of the plans, newest first."""
    plans = sorted((p for p in site.plans if not p.draft), key=lambda p: p.period, reverse=True)
    updated = plan_updated(plans[0].period) if plans else "2000-01-01T00:00:00Z"
    name = escape(site.config.name, quote=False)
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
             f"  <title>{name}: Annual Partnership Plans</title>",
             f'  <link rel="self" href="{escape(base_url + url_for("feed"))}"/>',
             f'  <link rel="alternate" type="text/html" href="{escape(base_url + url_for("plans"))}"/>',
             f"  <id>{escape(base_url + url_for('plans'), quote=False)}</id>",
             f"  <updated>{updated}</updated>",
             f"  <author><name>{name}</name></author>"]
    for plan in plans:
        url = escape(base_url + url_for(plan))
        count = len(all_initiatives(plan))
        summary = "; ".join(f"{p.number}. {p.title}" for p in plan.priorities)
        lines += ["  <entry>",
                  f"    <title>{escape(plan.title, quote=False)}</title>",
                  f'    <link rel="alternate" type="text/html" href="{url}"/>',
                  f"    <id>{url}</id>",
                  f"    <updated>{plan_updated(plan.period)}</updated>",
                  f"    <summary>{escape(f'{count} initiatives. Priorities: {summary}', quote=False)}</summary>",
                  "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")
