"""The pre-merge gate: everything a build checks, plus links and warnings; writes nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from .build import SiteBuilder
from .links import find_broken_links
from .problems import ContentError, Pos, Problem


def check_site(content_dir: Path, templates_dir: Path, base_url: str | None = None,
               bytecode_cache=None) -> list[Problem]:
    """Load, validate and render the site in memory; return every error and warning."""
    # Drafts too: a draft plan's mistakes are reported long before it is published.
    builder = SiteBuilder(content_dir, templates_dir, base_url, bytecode_cache, preview=True)
    try:
        result = builder.build()
    except ContentError as exc:
        return exc.problems
    problems = list(builder.loader.warnings)
    sources = {src.rel: src.text for src in builder.loader.sources.values()}
    pages: dict[tuple[str, str], list[str]] = {}  # each broken link once, with the pages it is on
    for link in find_broken_links(result.files):
        pages.setdefault((link.href, link.reason), []).append(link.page)
    for (href, reason), on in pages.items():
        others = f" (and on {len(on) - 1} other page{'s' if len(on) > 2 else ''})" if len(on) > 1 else ""
        problems.append(Problem(_blame(href, sources, templates_dir), "",
                                f"the link '{href}' on the page /{on[0]}{others} is broken: {reason}",
                                "a link to a page of this site",
                                "Check the address against the page's address in the browser."))
    return sorted(problems, key=Problem.sort_key)


def _blame(href: str, sources: dict[str, str], templates_dir: Path) -> Pos:
    """Point at the content line that holds the link (as the page has it, or as typed before the Markdown
    parser escaped it: '/\\x' is /%5Cx on the page), or else at the templates."""
    for typed in dict.fromkeys((href, unquote(href))):
        for rel, text in sorted(sources.items()):
            at = text.find(typed)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                return Pos(rel, line, at - (text.rfind("\n", 0, at) + 1) + 1)
    return Pos(str(templates_dir), 1, 1)
