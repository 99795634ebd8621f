"""The glossary: abbreviations marked with their expansion where texts first use them, and the glossary page."""

from __future__ import annotations

import re

from markupsafe import escape

from .alternation import alternation
from .model import Term
from .routes import HOME, Page
from .urls import url_for

# Inside these an <abbr> would be wrong or invalid: links, headings, code, and an <abbr> already there.
_SKIP = r"<(a|abbr|code|pre|h[1-6])\b[^>]*>.*?</\1\s*>"
# On a page, the elements where an <abbr> is not allowed at all (text-only elements, code, drawings), and
# the <abbr>s already there: a term's first use in one counts as its first use, marked already.
_PAGE_SKIP = re.compile(r"<(?:(?P<skip>code|pre|option|select|textarea|script|style|svg|title)\b[^>]*>.*?</(?P=skip)\s*>"
                        r"|abbr\b[^>]*>[^<]*</abbr\s*>)", re.S)
_WORDLY = re.compile(r"[\w-]")  # a character that, just before a term, makes it part of a longer word
KEEP = 20_000  # marked texts kept, as many as markdown.py keeps rendered ones


class Abbreviator:
    """Marks the first use of each term in a rendered text with <abbr title="expansion">.

    Made once per glossary and kept while the glossary is equal; each distinct text is
    worked out once (a text used on many pages, or in many builds, costs one pass).
    """

    def __init__(self, terms: tuple[Term, ...]):
        self.terms = terms
        self.titles = {t.abbreviation: t.title for t in terms}
        self.pattern = self.walk = None
        if not terms:
            return
        first = "".join(sorted({re.escape(name[0]) for name in self.titles}))
        terms = alternation(self.titles)  # longest first: L-CAP before CAP
        # A whole word, or its plural or possessive (PSPOs, NAP's): the abbreviation alone is marked.
        term = rf"(?P<term>{terms})(?=(?:s|['’]s)?(?![\w-]))"
        # Without the look-behind for the word's start, which Python's regex engine would try at every
        # character of a page (half the time of a page's marking): page() looks before each term found.
        self.pattern = re.compile(term)
        # One pass over a text: a skipped element whole, any other tag (its attributes), or a term. The
        # look-ahead for a first letter lets the regex engine skip the other characters quickly.
        self.walk = re.compile(rf"(?=[<{first}])(?:{_SKIP}|<[^>]*>|(?<![\w-]){term})", re.S)
        self.done: dict[str, str] = {}

    def __call__(self, html: str) -> str:
        """The HTML with each term's first use outside links, headings and code marked."""
        if self.pattern is None or not self.pattern.search(html):
            return html
        found = self.done.get(html)
        if found is None:
            if len(self.done) >= KEEP:  # a long preview marks every saved version of a text
                self.done.clear()
            found = self.done[html] = self._mark(html)
        return found

    def page(self, html: str) -> str:
        """A whole page with each term's first use in its <main> an <abbr>: in a title or a link too,
        where the marks of its texts (which leave those alone) do not reach."""
        start, end = html.find("<main"), html.rfind("</main>")
        if self.pattern is None or start < 0 or end < start:
            return html
        # The one scan for terms, read in place (a copy of <main> cost a tenth of the pass), and only as far
        # as the last term's first use. Only the terms' places are looked at (a page has thousands of tags):
        # each is skipped when inside a tag, or inside an element where no <abbr> may stand; one inside an
        # <abbr> counts as marked. Those elements are found in order as far as the terms' places go.
        search, wordly = self.pattern.search, _WORDLY.match
        elements = _PAGE_SKIP.finditer(html, start, end)
        element = next(elements, None)
        used: set[str] = set()
        places = []
        at = start
        while len(used) < len(self.titles) and (match := search(html, at, end)):
            at = match.start()
            if wordly(html, at - 1):  # a term starts only where a word does: one may yet start inside this one
                at += 1
                continue
            term, begin, at = match.group("term"), at, match.end()
            if term in used or html.rfind("<", start, begin) > html.rfind(">", start, begin):
                continue
            while element is not None and element.end() <= begin:
                element = next(elements, None)
            inside = element is not None and element.start() <= begin
            if inside and element.group("skip"):
                continue
            used.add(term)
            if not inside:
                places.append((begin, at, term))
        if not places:
            return html
        out, last = [], 0
        for a, b, term in places:
            out += [html[last:a], f'<abbr title="{escape(self.titles[term])}">{term}</abbr>']
            last = b
        out.append(html[last:])
        return "".join(out)

    def _mark(self, html: str) -> str:
        used: set[str] = set()

        def wrap(match: re.Match) -> str:
            term = match.group("term")
            if term is None or term in used:
                return match.group(0)
            used.add(term)
            return f'<abbr title="{escape(self.titles[term])}">{term}</abbr>'

        return self.walk.sub(wrap, html)


def glossary_pages(b) -> list[Page]:
    """The glossary page, when the content has a glossary."""
    if not b.site.glossary:
        return []
    return [Page(url_for("glossary"), "glossary.html", "Glossary",
                 "The abbreviations the Safer Colchester Partnership's plans use, spelled out.", (HOME,),
                 # In the order a reader looks them up: alphabetical, ignoring case.
                 tuple(sorted(b.site.glossary, key=lambda t: (t.abbreviation.casefold(), t.abbreviation))),
                 "glossary")]
