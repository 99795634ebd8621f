"""Which pages the browser checks open: every page in CI, and on other runs a sample that misses no template.

axe-core on every page of the real site at two widths took two thirds of `make test`, and
most of it checked the same template with other words in it. So each run checks, for every
template, the fewest pages that between them show every kind of element that template ever
renders (tag, class and attribute names), every nesting of one kind in another and every step
between heading levels. The pages come from the built content, so the sample follows it. CI
(CI=true, as GitHub Actions sets it) checks every page, so a fault only some words cause is
still caught before a change reaches main.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class _Kinds(HTMLParser):
    """Collects what a page is made of: element kinds, their nesting and its heading steps."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.kinds: set[tuple] = set()
        self._open: list[tuple[str, str]] = []
        self._level = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = tuple(sorted({name for name, _ in attrs} - {"class"}))
        kind = (tag, dict(attrs).get("class") or "")
        self.kinds.add(("element", *kind, names))
        if self._open:
            self.kinds.add(("inside", self._open[-1], kind))
        if re.fullmatch(r"h[1-6]", tag):
            self.kinds.add(("heading", self._level, int(tag[1])))
            self._level = int(tag[1])
        if tag not in VOID:
            self._open.append(kind)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass


def kinds(html: str) -> frozenset[tuple]:
    """The kinds of element, nestings and heading steps in one page."""
    parser = _Kinds()
    parser.feed(html)
    parser.close()
    return frozenset(parser.kinds)


def sample(pages: Iterable[tuple[str, str, str]]) -> list[str]:
    """From (url, template, html) triples, per template the fewest pages that show all it renders; sorted urls.

    Greedy set cover, ties to the first url in order, so the same content gives the same sample.
    """
    by_template: dict[str, dict[str, frozenset]] = {}
    for url, template, html in pages:
        by_template.setdefault(template, {})[url] = kinds(html)
    chosen: list[str] = []
    for found in by_template.values():
        chosen += _cover(found)
    return sorted(chosen)


def _cover(found: Mapping[str, frozenset]) -> list[str]:
    """The fewest urls (greedily) whose kinds together are all the kinds in found."""
    left = frozenset().union(*found.values())
    picked = []
    while left or not picked:  # a template's page is checked even if it shows nothing
        best = max(sorted(found), key=lambda url: len(found[url] & left))
        picked.append(best)
        left -= found[best]
    return picked
