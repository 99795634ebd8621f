"""The files beside the pages: sitemap and robots.txt."""

from __future__ import annotations

from html import escape

from .model import Site
from .render import Globals
from .routes import Page


def make_extras(site: Site, pages: list[Page], g: Globals) -> dict[str, bytes]:
    """Make every non-page file from the site and its pages."""
    return {
        "sitemap.xml": sitemap(pages, g.base_url),
        "robots.txt": robots(g.base_url),
    }


def sitemap(pages: list[Page], base_url: str) -> bytes:
    """List every indexable page for search engines."""
    urls = sorted(page.url for page in pages if page.kind != "error")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines.extend(f"  <url><loc>{escape(base_url + url, quote=False)}</loc></url>" for url in urls)
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots(base_url: str) -> bytes:
    """Allow every crawler and point it at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n".encode()
