"""Find internal links and fragments in built pages that lead nowhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote, urlsplit

from .urls import output_path

_ATTR = re.compile(rb'\s(href|src|action)="([^"]*)"')
_ID = re.compile(rb'\sid="([^"]*)"')


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A link in a page whose target page or fragment does not exist."""

    page: str  # the output file holding the link
    line: int
    href: str
    reason: str


def find_broken_links(files: Mapping[str, bytes]) -> list[BrokenLink]:
    """Check every internal href/src in every HTML file against the built files."""
    ids: dict[str, set[str]] = {}
    broken = []
    for path in sorted(files):
        if not path.endswith(".html"):
            continue
        html = files[path]
        for match in _ATTR.finditer(html):
            href = match.group(2).decode()
            reason = _check(href, path, files, ids)
            if reason:
                line = html.count(b"\n", 0, match.start()) + 1
                broken.append(BrokenLink(path, line, href, reason))
    return broken


def _check(href: str, page: str, files: Mapping[str, bytes], ids: dict[str, set[str]]) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return ""  # external: http(s), mailto, tel
    if not parts.path and not parts.fragment:
        return ""
    target = page if not parts.path else output_path(unquote(parts.path))
    if not parts.path.startswith("/") and parts.path:
        return "a relative link; links must start with /"
    if target not in files:
        return "no such page"
    if parts.fragment:
        if target not in ids:
            ids[target] = {m.group(1).decode() for m in _ID.finditer(files[target])}
        if unquote(parts.fragment) not in ids[target]:
            return f"no element with id '{parts.fragment}' on that page"
    return ""
