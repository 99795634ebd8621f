"""The pre-merge gate: everything a build checks, plus links and warnings; writes nothing."""

from __future__ import annotations

from pathlib import Path

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
    for link in find_broken_links(result.files):
        problems.append(Problem(_blame(link.href, sources, templates_dir), "",
                                f"the link '{link.href}' on the page /{link.page} is broken: {link.reason}",
                                "a link to a page of this site",
                                "Check the address against the page's address in the browser."))
    return sorted(problems, key=Problem.sort_key)


def _blame(href: str, sources: dict[str, str], templates_dir: Path) -> Pos:
    """Point at the content line that holds the link, or else at the templates."""
    for rel, text in sorted(sources.items()):
        at = text.find(href)
        if at >= 0:
            line = text.count("\n", 0, at) + 1
            return Pos(rel, line, at - (text.rfind("\n", 0, at) + 1) + 1)
    return Pos(str(templates_dir), 1, 1)
