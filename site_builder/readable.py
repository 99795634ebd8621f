"""What a reader sees of a text: entities decoded, Unicode folded, Markdown and HTML rendered.

The personal-data check reads text through these views, so that '&#64;', a fullwidth '＠',
'Ja*ne*' or a soft hyphen inside a name cannot hide what the published page shows. Each
view keeps the way back to the characters typed, so findings point at the source.
"""

from __future__ import annotations

import bisect
import functools
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from markdown_it import MarkdownIt

# '(at)', '[@]', '[dot]', '[.]' and the like, as an email address is spelled to hide it (or to be left unlinked).
_AT_OR_DOT = re.compile(r"[(\[{<][ \t]*(?i:at|@|dot|\.)[ \t]*[)\]}>]")
# Where what a reader sees can differ from the characters typed: entities, percent-escapes
# (links), '(at)'-style spellings, a letter with combining marks, and any other non-ASCII text.
_SPECIAL = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|(?:%[0-9A-Fa-f]{2})+"
    rf"|[ \t]*{_AT_OR_DOT.pattern}[ \t]*"
    r"|[A-Za-z]?[\u0300-\u036f][^\x00-\x7f]*"
    r"|[^\x00-\x7f]+")
# Characters that show as nothing, or as a mark on the letter before: every format character
# (Unicode's Cf: soft hyphen, zero-width spaces and joiners, direction marks, word joiner, byte-order
# mark, tag characters, interlinear annotation), variation selectors, Hangul fillers, and combining
# marks left over once NFKC has joined what it can ('J̲a̲n̲e̲' underlined letter by letter is Jane).
_INVISIBLE = re.compile("[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
                        "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
                        "\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
                        "\U000e0100-\U000e01ef"
                        "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters drawn as symbols that NFKC leaves as they are: negative circled and squared capitals, and the
# regional indicators (🅹🅰🅽🅴 reads as JANE).
_LETTER_SYMBOLS = {start + i: chr(ord("A") + i) for start in (0x1F150, 0x1F170, 0x1F1E6) for i in range(26)}
# Line and paragraph separators (typed, or made by YAML's escapes \\L, \\P and \\N) break a line as a line break
# does; a braille blank shows as a space.
_BLANKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\u2800": " "})
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a decimal digit of another script than ASCII's
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # where the letter symbols are, outside the common characters
# Most text is read as typed, and is quick to tell: it has no entity or percent-escape, no '(at)' or
# '[dot]' (looked for apart: a pattern that starts with one character, or one of a set, is the kind re
# scans quickly), and no characters outside ASCII but these, which NFKC leaves as they are and joins to
# nothing: dashes, quotes, pound, euro and bullet.
_ENTITY_OR_ESCAPE = re.compile(r"&[#A-Za-z]|%[0-9A-Fa-f]{2}")
TYPED_AS_READ = "\u2013\u2014\u2018\u2019\u201c\u201d\u00a3\u20ac\u2022"
_OTHER = re.compile(f"[^\\x00-\\x7f{TYPED_AS_READ}]")


@dataclass(frozen=True, slots=True)
class Folded:
    """A text as read, and the changed stretches: (start, end) read <- (start, end) typed."""

    text: str
    changes: tuple[tuple[int, int, int, int], ...] = ()

    def typed(self, offset: int) -> int:
        """The offset in the typed text of a character of the text as read."""
        k = bisect.bisect_right(self.changes, (offset, float("inf"))) - 1
        if k < 0:
            return offset
        start, end, typed_start, typed_end = self.changes[k]
        return typed_start if offset < end else typed_end + offset - end


def fold(text: str) -> Folded:
    """Decode entities and percent-escapes, apply NFKC, drop invisible characters."""
    if (_ENTITY_OR_ESCAPE.search(text) is None and _AT_OR_DOT.search(text) is None
            and (text.isascii() or _OTHER.search(text) is None)):
        return Folded(text)
    return folded(text)


def folded(text: str) -> Folded:
    """fold(), the long way: each stretch of text that may read otherwise than typed, replaced."""
    out: list[str] = []
    changes = []
    done = length = 0  # typed characters consumed; length of the output so far
    for match in _SPECIAL.finditer(text):
        start, end = match.span()
        out.append(text[done:start])
        length += start - done
        replaced = _replace(match.group())
        out.append(replaced)
        changes.append((length, length + len(replaced), start, end))
        length += len(replaced)
        done = end
    out.append(text[done:])
    return Folded("".join(out), tuple(changes))


def _replace(typed: str) -> str:
    first = typed[0]
    if first == "&":
        typed = html.unescape(typed)
    elif first == "%":
        typed = unquote(typed, errors="replace")
    elif first in " \t([{<":
        return "@" if typed.strip(" \t([{<>}])").lower() in ("at", "@") else "."
    if typed.isascii():
        return typed
    # An ideographic full stop (NFKC makes its halfwidth form one) is a dot in a domain name, as IDNA reads it.
    read = _INVISIBLE.sub("", unicodedata.normalize("NFKC", typed)).replace("\u3002", ".").translate(_BLANKS)
    if _OTHER_DIGIT.search(read):  # digits of other scripts, which NFKC leaves: '٠٧٧٠٠' is 07700
        read = _OTHER_DIGIT.sub(lambda digit: str(unicodedata.digit(digit.group())), read)
    # Marks that open a stretch sit on the character before it, which is ASCII: a mark of any script on a
    # Latin letter ('J\u0483ane') shows the letter marked. (A mark inside the stretch, on a letter of its
    # own script, is part of that script's writing and stays.)
    start = 0
    while start < len(read) and unicodedata.category(read[start])[0] == "M":
        start += 1
    read = read[start:]
    return read.translate(_LETTER_SYMBOLS) if _ASTRAL.search(read) else read  # most text has no such symbol


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of text a reader sees, starting at a line of its source (0-based).

    `where` says what it is when not running text: 'link', 'image' or 'attribute'."""

    text: str
    line: int = 0
    where: str = ""

    def line_at(self, offset: int) -> int:
        """The source line of a character (each line break in the text is one in the source)."""
        return self.line + self.text.count("\n", 0, offset)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.validateLink = lambda url: True  # every link is read, safe or not


@functools.lru_cache(maxsize=8192)
def markdown_parts(source: str) -> tuple[Part, ...]:
    """The text of rendered Markdown, block by block, with link addresses and images' text.

    Emphasis and links join the words around them, as on the page ('Ja*ne*' is 'Jane'); a
    line break inside a paragraph stays a line break, so that findings keep their line."""
    parts: list[Part] = []
    for token in _md.parse(source):
        line = token.map[0] if token.map else 0
        if token.type in ("fence", "code_block"):
            parts.append(Part(token.content, line + (token.type == "fence")))
            continue
        if token.type != "inline":
            continue
        text: list[str] = []
        breaks = 0
        for child in token.children or ():
            kind = child.type
            if kind in ("text", "code_inline"):
                text.append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                text.append("\n")
                breaks += 1
            elif kind in ("link_open", "image"):
                for name in ("href", "src", "title"):
                    value = child.attrGet(name)
                    if value:
                        where = "link" if name == "href" else "image" if name == "src" else "attribute"
                        parts.append(Part(unquote(str(value), errors="replace"), line + breaks, where))
                if kind == "image" and child.content:
                    parts.append(Part(child.content, line + breaks, "image"))
        parts.append(Part("".join(text), line))
    return tuple(parts)


# Elements inside running text: their words join those around them, as a reader sees them.
_INLINE = frozenset("a abbr b bdi bdo cite code data del dfn em i ins kbd mark q s samp small span strong sub "
                    "sup time u var wbr".split())
_NOT_TEXT = frozenset({"class", "style", "integrity", "rel", "lang", "dir", "role", "type", "crossorigin"})


class _Markup(HTMLParser):
    """Collects an HTML or XML page's text, block by block, and its attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[Part] = []
        self._text: list[str] = []
        self._line = 0

    def flush(self) -> None:
        text = "".join(self._text)
        if text.strip():
            self.parts.append(Part(text, self._line))
        self._text = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in _INLINE:
            self.flush()
        line = self.getpos()[0] - 1
        for name, value in attrs:
            if value and name not in _NOT_TEXT:
                where = "link" if name in ("href", "src", "srcset", "action") else "attribute"
                self.parts.append(Part(value, line, where))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self._text:
            self._line = self.getpos()[0] - 1
        self._text.append(data)


def markup_parts(text: str) -> tuple[Part, ...]:
    """The text of an HTML or XML page and its attribute values, as parts."""
    reader = _Markup()
    reader.feed(text)
    reader.close()
    reader.flush()
    return tuple(reader.parts)


def json_parts(text: str) -> tuple[Part, ...] | None:
    """Every string (keys too) of a JSON text, or None when it is not JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    found: list[Part] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(Part(item, -1))  # line unknown: found by searching the text
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return tuple(found)
