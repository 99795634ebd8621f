"""Catch personal data before it is published: emails, phone numbers, blocked names.

The check reads what a reader would see (readable.py): Markdown rendered, entities and
link escapes decoded, Unicode folded, words joined across emphasis and line breaks; and
it reads what a reader would not see but the site publishes: link addresses, images' text,
ids and file names. Every finding points at the file, line and column it was typed at.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import os
import pickle
import re
import select
import signal
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath
from typing import Iterable, NamedTuple

from yaml.scanner import Scanner

from . import processes, readable
from .contentfiles import decode_text, read_bytes
from .model import SiteConfig
from .problems import Pos, Problem
from .readable import Folded, Part, fold
from .registry import latin_words, make_id, normalise, straight_apostrophes
from .reuse import Memo
from .yamlfile import MappingNode, Node, ScalarNode, SequenceNode, compose, unchanged_key

# An address starts where a word does, and its part before the @ is read whole, never again from a
# later character (possessive): each word is read once, so no text can make the search slow (a
# pattern tried from every character took 1 s for 800 KB of long words, and 1.7 s for 'a.' repeated).
# Domain labels are bounded as addresses' are (63 characters). Up to 8 spaces and a line break either
# side of the @ show as one space on a page. The part before it may be quoted, as an address's may be
# ('"jane.doe"@example.com'), in straight or curly quotes.
EMAIL = re.compile(r"(?:(?<![\w.%+'-])[\w.%+'-]++|[\"\u201c][^\"\u201c\u201d@\n]{1,64}+[\"\u201d])"
                   r"[ \t]{0,8}+(?:\n[ \t]*+)?\\?@[ \t]{0,8}+(?:\n[ \t]*+)?(?:[\w-]{1,63}\.){1,8}[^\W\d_][\w-]{0,62}")
# An address spelled to hide it from machines and not from readers: 'jane at example dot com', 'jane dot
# doe AT example DOT co DOT uk', 'jane@example . com'. Its 'at' or '@', then labels parted by 'dot' or a
# full stop (spaces either side of it). Which matches are addresses is decided in _spelled: a sentence
# ('look at the dot matrix', 'find us at example.org') is not one.
_LABEL = r"[\w-]{1,63}+"
# A full stop with a space on one side only ends a sentence ('those at risk. It'): not a dot of an address.
_DOT = r"(?:\.|[ \t]{1,8}+\.[ \t]{1,8}+|[ \t]{1,8}+(?i:dot)[ \t]{1,8}+)"
SPELLED_EMAIL = re.compile(rf"(?<![\w.%+'-])(?P<name>[\w%+'-]++(?>(?:(?:\.|[ \t]{{1,8}}+(?i:dot)[ \t]{{1,8}}+)[\w%+'-]++)*))"
                           rf"(?P<at>[ \t]{{0,8}}+@[ \t]{{0,8}}+|[ \t]{{1,8}}+(?i:at)[ \t]{{1,8}}+)"
                           rf"(?P<domain>(?:{_LABEL}{_DOT}){{1,8}}[^\W\d_][\w-]{{0,62}}+)(?![\w-])")
# Where SPELLED_EMAIL may match, quick to look for: an 'at' or '@', a word and a dot of an address after
# it. Most texts have none ('at the', 'at 10.30' are few), and are not read from every word's start. Its
# first character a letter or the @, the blank before an 'at' looked back at: the regex engine then skips
# to each such character, where it tried every character of the text (6.4 against 4.5 ms over the texts
# of 1,000 initiatives).
_SPELLED_AT = re.compile(r"[aA@](?:(?<=[ \t][aA])[tT][ \t]{1,8}+|(?<=@)[ \t]{0,8}+)"
                         r"[\w-]{1,63}+(?:\.|[ \t]{1,8}+(?:\.|(?i:dot))[ \t])")
# Top-level domains an address spelled with 'dot' may end in: the common ones, countries' that are no
# English word ('it', 'in', 'me', 'to' are), and the reserved ones examples use. A spelled 'dot' before any
# other word is a sentence's ('look at the dot on it').
TOP_LEVEL = frozenset("com org net edu gov info biz int mil scot wales cymru "
                      "nhs uk eu ie io co ca au nz de fr es nl ch se dk fi pl pt cz za jp cn ru br tv fm "
                      "test example invalid".split())
# An address with a space or a line break about a dot of its domain, as a paste from a PDF or a wrapped line
# leaves one ('jane@example .com', 'jane@example.\n  com', which YAML folds to 'example. com'): one whose last
# label is a top-level domain (TOP_LEVEL), which a sentence's end after a handle seldom is ('Tweet us
# @SaferColch. Thanks'); the labels give way to the shortest that ends in one ('jane@example .com. Thanks').
# Only where EMAIL found no address there.
_LOOSE_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]++[ \t]{0,8}+(?:\n[ \t]*+)?@[ \t]{0,8}+(?:\n[ \t]*+)?"
                          r"(?:[\w-]{1,63}+[ \t]{0,8}+(?:\n[ \t]*+)?\.[ \t]{0,8}+(?:\n[ \t]*+)?){1,8}"  # not {1,8}+: 3.11.2 errs
                          rf"(?i:{'|'.join(sorted(TOP_LEVEL, key=len, reverse=True))})(?![\w-])")
# Mailbox providers of people, not organisations: 'jane at gmail.com' is an address whatever its name part.
PERSONAL_MAIL = frozenset("gmail googlemail hotmail outlook live msn yahoo ymail aol icloud me mac btinternet "
                          "btopenworld sky talktalk virginmedia ntlworld blueyonder tiscali protonmail proton gmx "
                          "mail yandex zoho fastmail".split())
# Digit groups as phone numbers are written: '01632 960123', '(01632) 960123', '+44 (0)1632
# 960 123', '01632.960.123', '01632·960·123', '01632_960_123', '01632 – 960123', a line break inside a
# paragraph, up to 16 spaces (a page shows one), a bullet ('07700•900•123'), after a word and a full stop
# ('Tel.01632 960123'), in a link's path (wa.me/441632960123/). Which runs of groups are UK numbers is
# decided in _phones: a date such as 01.04.2014 is not one. A slash parts no groups here (01/04/2014,
# 0123/4567/89 are not numbers; two groups about one slash are _PARTED's); and a character that may part
# groups must not also be one a run may not end before: a run of groups would then be tried back from its
# end at each of them (text such as '0/0/0/...' made the search take the square of its length).
_SEP = r"(?:[ \t]{1,16}(?:\n[ \t]*)?|\n[ \t]*|[ \t]{0,2}[-._~\u00b7\u2010-\u2015\u2022\u2027\u2212\u2219\u22c5][ \t]{0,2})"
# A run is not read inside a word: one run on into letters is an id's or a code's more often than a
# number's ('01632960123abcdef', a UUID's '0123456789ab'), so '07700900123or' passes as well; but for an
# extension joined to it, as signatures write one ('01632 960123x45', '07700900123ext.45').
# Each pattern below that starts with look-behinds has a look-ahead for its first character before them: the
# regex engine then skips to such a character, where it would try the look-behinds at every one (a third of
# the time of reading a text for numbers).
_RUN = re.compile(rf"(?=[+(\d])(?<![\w+])(?<!\d\.)(?:\+[ \t]?)?\(?\d+\)?"
                  rf"(?:(?:{_SEP}|(?<=\))|(?=\())\(?\d+\)?)*(?:(?!\w)|(?=(?i:x|ext)\.?[ \t]?\d))")
_GROUP = re.compile(r"\d+")
_ISBN = re.compile(r"(?i:isbn)(?:-10)?[ \t:]*\Z")  # a book's number, written after its name ('ISBN 0198526636')


def _isbn(read: str, at: int, number: str) -> bool:
    """Whether the number at `at` is a book's: ten digits after 'ISBN' whose check digit is an ISBN-10's."""
    return (len(number) == 10 and _ISBN.search(read, max(0, at - 12), at) is not None
            and sum((10 - i) * int(d) for i, d in enumerate(number)) % 11 == 0)


# A code and a number parted by a slash, a colon, a comma or a semicolon, as some write them ('07700/900123',
# '01632 / 960 123', '07700:900123', '07700,900123', '(01632) / 960123', a line break after the mark): a
# number where the code and the groups after it make one (_phones). Not where the same mark stands before it
# or follows again ('0123/4567/89', a reference; 01/04/2014, a date; 01:23:45, a time; '12,01632,960123'), nor
# where a second code follows ('01206/01255': a number after its code never starts with 0).
_PARTED = re.compile(r"(?=[(0])(?<![\w/+])(?<!\d\.)\(?(?P<code>0\d{2,5}+)\)?[ \t]{0,2}+(?P<mark>[/:,;])[ \t]{0,2}+(?:\n[ \t]*+)?"
                     r"(?P<rest>(?!0)\d++(?>(?:[ \t]\d++)*))(?![\d_]|[ \t]{0,2}+(?P=mark))")  # (?>...)*, not *+: 3.11.2 errs
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Words that are never part of a personal name: n-grams holding one are not fingerprinted,
# which halves the work of reading every word of every text. Not 'will', 'can' or 'more': Will
# Smith, Can Demir, Thomas More.
_STOP = frozenset("the and of in for on with by is are was were be been this that these those it its from "
                  "which their they our has have had not but into than also all other".split())
# Text that Markdown renders with words or digits joined otherwise than typed: emphasis
# ('Ja*ne*'), code spans, backslash escapes, and links, whose text runs on into the words around
# it ('[Ja](/about/)ne'; a link is '](', '][' or a reference's '[x]:', not any bracket, such as
# '[name withheld]'). Entities, autolinks and line breaks read the same typed (folded) as rendered,
# so other text is read only as typed.
_MARKUP = re.compile(r"[*_`\\]|\][(\[:]|^[ \t]{0,3}>", re.M)  # ... or a quotation's '>', which the page does not show
_MARKUP_MARK = re.compile(r"[*_`\\\]>]")  # a character every match of _MARKUP has: a quarter of the time to look for


def _has_markup(text: str) -> bool:
    """Whether the text has Markdown that the page shows otherwise than typed (_MARKUP): most texts have
    none of its characters, which are quicker to look for than its quotation's '>' at a line's start."""
    return _MARKUP_MARK.search(text) is not None and _MARKUP.search(text) is not None


# What a finding shown as read starts with, to look for where it was typed: '(01632', '+44',
# 'jane'; failing that its first word.
_START = re.compile(r"[^\w\s]*[^\W_]+")
_FIRST_WORD = re.compile(r"[^\W_]+")


def fingerprint(name: str) -> str:
    """Return the fingerprint of a personal name, as listed in site.yaml's blocked_names."""
    return hashlib.sha256(normalise(name).encode()).hexdigest()[:16]


def fingerprints(name: str) -> tuple[str, ...]:
    """The fingerprints that block a name (make fingerprint prints each): its own, and for a name of two
    words or more that of its first initial and surname, as 'J. Smith' writes it."""
    words = normalise(name).split()
    initial = unaccented(words[0])[:1] if len(words) > 1 else ""
    return (fingerprint(name), fingerprint(f"{initial} {words[-1]}")) if initial else (fingerprint(name),)


def digits(number: str) -> str:
    """Keep only the digits of a phone number, with +44 or 0044 written as 0."""
    raw = re.sub(r"\D", "", number.replace("(0)", ""))
    if raw.startswith("0044"):
        raw = raw[2:]
    return "0" + raw[2:].removeprefix("0") if raw.startswith("44") else raw


@dataclass(frozen=True)
class _Allowed:
    """What may appear: the allow-lists of site.yaml, in comparable form."""

    emails: frozenset[str]
    phones: frozenset[str]
    blocked: frozenset[str]

    @functools.cached_property
    def key(self) -> str:
        """A digest of the lists, the same in every process."""
        lists = (sorted(self.emails), sorted(self.phones), sorted(self.blocked))
        return hashlib.sha256(repr(lists).encode()).hexdigest()

    @staticmethod
    @functools.lru_cache(maxsize=4)  # one config per build: made once, not once per file
    def of(config: SiteConfig) -> "_Allowed":
        return _Allowed(frozenset(e.lower() for e in config.allowed_emails),
                        frozenset(digits(h.number) for h in config.help_numbers),
                        frozenset(config.blocked_names))


NO_ALLOW_LISTS = _Allowed(frozenset(), frozenset(), frozenset())  # every address and number may be personal


class Hit(NamedTuple):
    """Personal data in a text: where it starts (in the text as typed), what, and as read."""

    offset: int
    kind: str  # email, phone or name
    shown: str
    key: str  # the same finding written two ways has the same key


_WHERE = {"": "", "link": " (in a link address)", "image": " (in an image's text or address)",
          "attribute": " (in a title or label)", "file name": " (in the file name)",
          "address": " (in the page's web address)"}
_MESSAGES = {
    "email": lambda found, where: (
        f"the email address '{found}'{_WHERE[where]} may be personal data",
        "only the team mailboxes listed in site.yaml's allowed_emails",
        "Write the partnership's team mailbox instead, or add a team mailbox to allowed_emails."),
    "phone": lambda found, where: (
        f"the phone number '{found}'{_WHERE[where]} may be personal data", "only the help numbers listed in site.yaml",
        "Remove it, or add it to help_numbers in site.yaml if it is a public service number."),
    "name": lambda found, where: (
        f"'{found}'{_WHERE[where]} is the name of a person whose name must not be published",
        "a role or an agency instead of a person's name",
        "Rename the file: its name is part of the page's address." if where == "file name" else
        "Change the id: it is the page's address." if where == "address" else
        "Write their role (for example 'an Essex Police inspector') or their agency."),
}


# What a finding says was expected, one for each kind: how a problem is known to be one (is_personal).
_EXPECTED = frozenset(message("", "")[1] for message in _MESSAGES.values())


def is_personal(problem: Problem) -> bool:
    """Whether a problem is a finding of personal data (whose message quotes what was found)."""
    return problem.expected in _EXPECTED


_QUOTED = re.compile(r"'(.*)'(?: \([^)]*\))? (?:may be personal data|is the name of a person)")  # as _MESSAGES say


def found_in(problem: Problem) -> str:
    """What a finding of personal data found, as its message quotes it ('' for another problem)."""
    quoted = _QUOTED.search(problem.message) if is_personal(problem) else None
    return quoted.group(1) if quoted else ""


def allow_lists(content_dir) -> _Allowed:
    """The allow-lists of a content folder's site.yaml, read safely; none where it does not load (then
    every address and number is taken for personal data, and no name is known)."""
    from .load import convert_text  # load builds on this module

    try:
        text, problems = decode_text(read_bytes(content_dir / "site.yaml"), "site.yaml")
        config = None if problems else convert_text(text, "site.yaml", SiteConfig)[0]
    except (OSError, ValueError):
        config = None
    return _Allowed.of(config) if config is not None else NO_ALLOW_LISTS


# A blank line: no finding spans one (an address or a number takes at most one line break, a name's words
# none that a paragraph's end makes), so a text is read a paragraph at a time, each paragraph remembered.
_BLANK_LINE = re.compile(r"\n(?:[ \t]*\n)+")
_SHORTEST = 128  # characters of paragraphs read apart: a paragraph's reading has its cost, whatever its length


@functools.lru_cache(maxsize=100_000)
def scan(text: str, allowed: _Allowed) -> tuple[Hit, ...]:
    """What one text holds that may be personal data, read as a reader reads it. Cached per text, and
    per paragraph (_paragraph): after an edit only the changed paragraphs are read again, and a
    paragraph many texts share (a row carried from year to year, its updates new) is read once.

    Each paragraph is read with the line break either side of it, so that what looks at the character
    before or after a word sees the same. A text with a '<' is read whole: a tag may span a blank line."""
    if "<" in text:
        return _paragraph(text, allowed)
    hits: list[Hit] = []
    start = 0
    for blank in _BLANK_LINE.finditer(text):
        if blank.start() - start < _SHORTEST:  # read with the next: a text of many short paragraphs in few pieces
            continue
        hits += _shifted(_paragraph(text[start:blank.start() + 1], allowed), start)
        start = blank.end() - 1
    if not start:
        return _paragraph(text, allowed)
    return tuple(hits + _shifted(_paragraph(text[start:], allowed), start))


def _shifted(hits: Iterable[Hit], by: int) -> list[Hit]:
    """Hits in a stretch of a text that starts `by` characters into it, placed in the text."""
    return [hit._replace(offset=hit.offset + by) for hit in hits] if by else list(hits)


@functools.lru_cache(maxsize=100_000)
def _paragraph(text: str, allowed: _Allowed) -> tuple[Hit, ...]:
    """What one text (a paragraph of one, for scan) holds that may be personal data."""
    folded = fold(text)
    read = folded.text
    hits: list[Hit] = []
    emails: list[tuple[int, int]] = []
    if "@" in read:
        typed = list(EMAIL.finditer(read))
        spans = [match.span() for match in typed]
        loose = [match for match in _LOOSE_EMAIL.finditer(read) if not _overlaps(spans, *match.span())]
        for match in sorted(typed + loose, key=lambda match: match.start()):
            emails.append(match.span())
            address = re.sub(r"[ \t\n\\]", "", match.group())
            if address.lower() not in allowed.emails:
                hits.append(Hit(match.start(), "email", address, address.lower()))
    if _SPELLED_AT.search(read):
        for start, end, address in _spelled(folded, emails):
            emails.append((start, end))
            if address.lower() not in allowed.emails:
                hits.append(Hit(start, "email", address, address.lower()))
        emails.sort()
    hits.extend(_phones(read, allowed))
    hits.extend(_spoken_phones(read, allowed))
    if allowed.blocked:
        hits.extend(_outermost(_names(read, emails, allowed)))
    # In the order they are written: where two are one finding (the same line, kind and key: _File._add), the
    # first is told.
    return tuple(sorted(Hit(folded.typed(h.offset), h.kind, _short(h.shown), h.key) for h in hits))


def _spelled(folded: Folded, found: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Addresses spelled in words (SPELLED_EMAIL) that EMAIL did not find, each as (start, end, address):
    those with a 'dot' spelled, or typed otherwise than read ('(dot)', an entity), before a top-level
    domain; and those whose '@' is spelled 'at' with an address's name before it (a dot, an underscore
    or a digit in it), a personal mailbox's provider after it, or written 'AT'."""
    read = folded.text
    spelled = []
    for match in SPELLED_EMAIL.finditer(read):
        start, end = match.span()
        if _overlaps(found, start, end):
            continue
        name, at, domain = match.group("name", "at", "domain")
        labels = re.split(_DOT, domain)
        local = re.split(r"[ \t]+(?i:dot)[ \t]+", name)
        dots_spelled = (len(local) > 1 or any(part != "." for part in re.findall(_DOT, domain))
                        or _overlaps(folded.changes, match.start("domain"), end))
        if "@" in at and not dots_spelled:
            continue  # an address as typed, which EMAIL reads (or a '@' before no address)
        if dots_spelled:
            ok = labels[-1].lower() in TOP_LEVEL
        else:
            # 'AT' in capitals is written to hide an address ('jane AT example.com'), as a sentence seldom has it
            ok = bool(re.search(r"[._\d]", name)) or labels[0].lower() in PERSONAL_MAIL or at.strip() == "AT"
        if ok:
            spelled.append((start, end, ".".join(local) + "@" + ".".join(labels)))
    return spelled


def _overlaps(spans: list | tuple, start: int, end: int) -> bool:
    """Whether start..end overlaps one of the spans, each (start, end, ...), in order and apart: looked up
    by bisection, not one by one (a text of many addresses made that the square of its length)."""
    i = bisect.bisect_left(spans, (end,)) - 1
    return i >= 0 and spans[i][1] > start


def _short(shown: str) -> str:
    shown = " ".join(shown.split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


# Letters typed for digits inside a number ('077OO 9OO123'): O for 0, I or l for 1, in a run of digits and
# those letters that holds a digit and touches no other letter ('O2', '10am' and 'COVID19' stay as typed).
_LETTER_DIGITS = re.compile(r"(?<![^\W\d_])[OoIl]*+\d[\dOoIl]*+(?![^\W\d_])")
_LETTER_BESIDE_DIGIT = re.compile(r"\d(?:[OoIl]|(?<=[OoIl]\d))")  # a digit first: skipped to quickly
_AS_DIGITS = str.maketrans("OoIl", "0011")


def _phones(read: str, allowed: _Allowed) -> list[Hit]:
    """UK numbers of 10 or 11 digits as 0..., +44 or 0044, however grouped; and +CC numbers.
    Short public service numbers such as 101 and 999 are not phone numbers here."""
    digit_count = sum(map(read.count, "0123456789"))
    if read.isascii() and digit_count == 0:
        return []  # no number at all (most text): counted quicker than runs are found
    shown = read  # each number as written, its letters too
    if _LETTER_BESIDE_DIGIT.search(read):  # each letter one digit: every place in the text stays
        read = _LETTER_DIGITS.sub(lambda run: run.group().translate(_AS_DIGITS), read)
        digit_count = sum(map(read.count, "0123456789"))
    if read.isascii() and digit_count < 10:
        return []  # fewer digits than a phone number has
    hits = []
    for run in _RUN.finditer(read):
        text = run.group()
        if len(text) < 10:
            continue
        groups = list(_GROUP.finditer(text))
        if sum(len(g.group()) for g in groups) < 10:
            continue
        i = 0
        while i < len(groups):
            found = _phone_at(text, groups, i)
            if found is None:
                i += 1
                continue
            end, number = found
            start = groups[i].start()
            while start and text[start - 1] in "+(":  # '+44', '(01632)' start before the digits
                start -= 1
            stop = groups[end].end() + (text[groups[end].end():groups[end].end() + 1] == ")")
            if number not in allowed.phones and not _isbn(read, run.start() + start, number):
                hits.append(Hit(run.start() + start, "phone", shown[run.start() + start:run.start() + stop], number))
            i = end + 1
    for parted in _PARTED.finditer(read) if "/" in read or ":" in read or "," in read or ";" in read else ():
        number, end = parted.group("code"), parted.end("code")
        for group in _GROUP.finditer(read, parted.start("rest"), parted.end("rest")):  # as many as make a number
            number, end = number + group.group(), group.end()
            if len(number) >= 10:
                break
        if read[parted.start() - 1:parted.start()] == parted.group("mark"):
            continue  # the same mark before it: '12,01632,960123', a list
        if len(number) in (10, 11) and number[1] != "0" and number not in allowed.phones:
            hits.append(Hit(parted.start(), "phone", shown[parted.start():end], number))
    return hits


def _digit_by_digit(groups: list, i: int) -> tuple[int, str] | None:
    """The last group and the number of a phone number typed a digit at a time from group i ('0 7 7 0 0 9 0
    0 1 2 3'): eleven digits on their own, no more (a scale, '0 1 2 3 4 5 6 7 8 9 10', is no number)."""
    run = [g.group() for g in groups[i:i + 11]]
    before = groups[i - 1].group() if i else ""
    after = groups[i + 11].group() if i + 11 < len(groups) else ""
    if len(run) < 11 or any(len(digit) != 1 for digit in run) or len(before) == 1 or len(after) == 1 or run[1] == "0":
        return None
    return i + 10, "".join(run)


def _trunk_apart(groups: list, i: int) -> tuple[int, str] | None:
    """The last group and the number of a phone number whose trunk 0 stands apart at group i, before a code of
    four digits ('0 7700 900123', '0 1632 960 123'), the rest in groups of three digits or more: eleven in all
    ('ISBN 0 19 852663 6', 'SBN 0 340 01381 8', '0 2021 2022 2023' are no numbers)."""
    code = groups[i + 1].group() if i + 1 < len(groups) else ""
    if len(code) != 4 or code[0] == "0":
        return None
    number = "0"
    for j in range(i + 1, len(groups)):
        if len(groups[j].group()) < 3:
            return None
        number += groups[j].group()
        if len(number) >= 11:
            return (j, number) if len(number) == 11 else None
    return None


# A number spelled in words a digit at a time, as written to hide it from machines and not from readers:
# 'oh seven seven double oh nine double oh one two three', 'plus four four seven seven ...'. Each digit a
# word or a figure, 'double' or 'triple' before one repeating it, apart from the next by spaces, a comma
# or a dash; a run of them is a number where it spells one (_spoken_phones). Looked for only where a word
# that starts a UK number so spelled is in the text (_SPOKEN_START): 'oh' as a word, not in 'alcohol',
# which many texts hold.
_SPOKEN = {"zero": "0", "nought": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
           "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_SPOKEN_DIGIT = rf"(?:(?:double|triple)[ \t]+)?(?:\d(?!\d)|(?:{'|'.join(sorted(_SPOKEN, key=len, reverse=True))})(?![^\W\d_]))"
# What a UK number spelled so starts with, as a word: its trunk 0 ('zero', 'nought', 'oh', 'o', or the figure 0), a
# 'double' or 'triple' before it, or +44: 'plus', or its first 4 ('four', or the figure) where the plus is left out.
_SPOKEN_START = re.compile(r"\b(?:zero|nought|oh|o|double|triple|plus|four)\b|(?<!\d)[04](?!\d)")
_SPOKEN_WORD = re.compile(r"[^\W\d_]+|\d")  # a run's words and figures, each read as _SPOKEN says
_SPOKEN_NUMBER = re.compile(rf"(?<![\w+])(?:plus[ \t]+)?{_SPOKEN_DIGIT}"
                            rf"(?:(?:[ \t]*[,\-\u2010-\u2015][ \t]*|[ \t]+)(?:\n[ \t]*)?{_SPOKEN_DIGIT}){{5,}}", re.I)


def _spoken_phones(read: str, allowed: _Allowed) -> list[Hit]:
    """Phone numbers spelled in words a digit at a time (_SPOKEN_NUMBER): eleven digits that make a UK number
    (ten, the fewest one has, would make a count from zero to nine one)."""
    if not _SPOKEN_START.search(read.lower()):
        return []
    hits = []
    for run in _SPOKEN_NUMBER.finditer(read):
        words = _SPOKEN_WORD.findall(run.group().lower())
        number, times = "", 1
        for word in words:
            if word in ("double", "triple"):
                times = 2 if word == "double" else 3
            elif word != "plus":
                number += (word if word.isdigit() else _SPOKEN[word]) * times
                times = 1
        national = digits(("+" if words[0] == "plus" else "") + number)
        if len(national) == 11 and national[0] == "0" and national[1] != "0" and any(w.isalpha() for w in words) \
                and national not in allowed.phones:
            hits.append(Hit(run.start(), "phone", run.group(), national))
    return hits


def _phone_at(text: str, groups: list, i: int) -> tuple[int, str] | None:
    """The last group and the number (national form) of a phone number starting at group i."""
    before = text[groups[i - 1].end():groups[i].start()] if i else text[:groups[i].start()]
    if i and not any(c in before for c in " \t\n("):
        return None  # '0.0123456789' or '01.04.2014': inside another number
    first = groups[i].group()
    # +44 is written without its + too: in a link to a chat app (wa.me/447700900123), and by hand ('44 7700
    # 900123', '447700 900123'); the groups after it must then make a UK number (below).
    plus = "+" in before or first.startswith("44")
    # A national number starts 0 and its area code, or 00 44 (the UK, dialled from abroad); its trunk 0 may
    # stand apart in brackets ('(0)1632 960123'), not after a space ('ISBN 0 19 852663 6', '0 10 20 30')
    # unless every digit does (_digit_by_digit) or a code of four digits follows (_trunk_apart).
    bracketed = first == "0" and text[groups[i].start() - 1:groups[i].end() + 1] == "(0)"
    if first == "0" and not plus and not bracketed:
        return _digit_by_digit(groups, i) or _trunk_apart(groups, i)
    if not plus and not (first.startswith("0") and (len(first) >= 3 or first == "00" or bracketed)):
        return None
    found = None
    number = ""
    for j in range(i, len(groups)):
        number += groups[j].group()
        if len(number) > 17:  # more digits than any number has, with 00 before its country's code
            break
        if plus and not number.startswith("44"):
            if 10 <= len(number) <= 15 and number[0] != "0":
                found = (j, "+" + number)
            if len(number) > 15:
                break
            continue
        national = digits(("+" if plus else "") + number)
        if national.startswith("00"):  # 00, 004: 00 44 not yet complete; 000 or 001 never becomes it
            if not "0044".startswith(number):
                break
            continue
        if len(national) > 11:
            break
        if len(national) >= 10 and national[0] == "0" and national[1] != "0":
            found = (j, national)
    return found


def _names(read: str, emails: list[tuple[int, int]], allowed: _Allowed) -> list[Hit]:
    """Blocked names, in any case, possessive, with initials, and written 'Surname, Forename'."""
    if emails:  # an email's parts are not names: each is blanked out
        bounds = [0, *(x for span in emails for x in span), len(read)]
        read = "".join(" " * (b - a) if n % 2 else read[a:b] for n, (a, b) in enumerate(zip(bounds, bounds[1:])))
    read = latin_words(read)  # 'Jаne' with a Cyrillic а reads as Jane
    folded = _casefold(read)
    tokens = (_ASCII_TOKEN if folded.isascii() else _TOKEN).findall(folded)
    if "'s" in folded:  # a possessive: the name without it (most texts have none to look for)
        tokens = [w[:-2] if w.endswith("'s") else w for w in tokens]
    # A name's words run on past commas but not past a word never in a name or a break: the text's
    # runs of such words (initials, and commas, left out: a word of one letter), each looked up whole
    # (most recur, text after text).
    runs = " ".join(_BREAK if w in _STOP or w[0] in _ENDS else w for w in tokens if len(w) > 1).split(_BREAK)
    _memos_for(allowed.blocked)
    found = set().union(*map(_names_in_run, runs))
    if "," in read:  # 'Smith, Jane' and 'Smith, Jane Mary' are Jane Smith and Jane Mary Smith
        found |= _blocked_among(_reversed([w for w in tokens if len(w) > 1 or w == ","]))
    joined = _joined_names(read)
    hits = (_where_names(read, found, joined) if found or joined else []) + _initials(read)
    return hits + _names_aside(read, allowed) if _MAY_ASIDE.search(read) else hits


def _names_aside(read: str, allowed: _Allowed) -> list[Hit]:
    """Blocked names with a tag or a nickname between their words (_ASIDE): the words about each read again
    with every such stretch blanked out (the same length: every place stays)."""
    spans = [match.span() for match in _ASIDE.finditer(read)]
    if not spans:
        return []
    blanked = _ASIDE.sub(lambda match: " " * len(match.group()), read)
    windows: list[list[int]] = []  # a few words either side of each, cut where a word ends; those that overlap joined
    # Each is read whole: a quicker look-up of the two words either side first, as once made, missed a name with
    # an initial ("J. 'JJ' Smith"), run on to a nickname ("'JJ'Jane Smith") or written surname first about one.
    for start, end in spans:
        a = blanked.rfind(" ", 0, max(0, start - 80)) + 1
        b = blanked.find(" ", end + 80)
        b = len(blanked) if b < 0 else b
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    hits = []
    for a, b in windows:
        hits += _shifted(_names(blanked[a:b], [], allowed), a)
    return hits


# What a reader reads past between a name's words: a tag, which the page shows as typed ('<em>Jane</em>
# Smith', 'Jane<br/>Smith'), and a nickname of up to three words in quotes of any kind ('Jane 'JJ' Smith',
# 'Jane «Jay Jay» Smith'; not in brackets, where most texts have an abbreviation).
_OPEN = "'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a"  # quotes, any way round
_ASIDE = re.compile(rf"</?[A-Za-z][A-Za-z0-9]*+(?:\s[^<>]{{0,300}}+)?/?>"
                    rf"|[{_OPEN}](?<=\s.)[^\W\d_][\w.-]{{0,20}}+(?:[ \t][^\W\d_][\w.-]{{0,20}}+){{0,2}}+[{_OPEN}]"
                    rf"(?=\s|[^\W\d_])")
_MAY_ASIDE = re.compile(rf"[<{_OPEN}](?:(?<=<)[/A-Za-z]|(?<=\s.)[^\W\d_])")  # a character first: quick to look for


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Each name found once where it is written: one inside another found there ('Example' in 'Jane Example',
    where the surname is blocked alone too; 'Jane Example' in 'Example, Jane Mary') is the longer one's finding."""
    kept, reach = set(), -1
    for at in sorted(range(len(hits)), key=lambda at: (hits[at].offset, -len(hits[at].shown))):
        end = hits[at].offset + len(hits[at].shown)
        if end > reach:
            kept.add(at)
            reach = end
    return [hit for at, hit in enumerate(hits) if at in kept]


# A name by its first initial, as written: 'J. Smith', 'J Smith', 'J-Smith', 'J. M. Smith', 'Smith, J.', 'SMITH J'.
# Each is read as the initial and the surname, 'j smith', which make fingerprint blocks with the name.
# A capital letter on its own is looked for first (quick: few texts have one but 'A' or 'I'), then the
# surname after or before it.
_CAPITAL = r"[A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f]"
# On its own, or joined by a hyphen to a word with a capital ('J-Smith'; 'T-shirt' is no initial).
_LONE_CAPITAL = re.compile(rf"{_CAPITAL}(?<![\w'’-].)(?![\w'’])(?!-(?!{_CAPITAL}))")
_SURNAME = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_THEN_SURNAME = re.compile(rf"(?:\.[ \t]*|[ \t]+|-)(?:[^\W\d_]\.[ \t]*){{0,3}}+({_SURNAME})")  # at most 3 more initials
# Titles, which may stand between a surname and the forename or initial after it ('Smith, Cllr J.').
_TITLES = frozenset("mr mrs ms miss mx dr doctor prof professor cllr councillor rev revd reverend sir dame lady lord "
                    "father canon insp inspector sgt sergeant supt superintendent chief constable det pc pcso dc ds "
                    "di dci dsupt".split())
# The surname before an initial: 'Smith J', 'Smith, J.', 'Smith, Mrs J.' Matched on the text before the initial
# read backwards (each title written backwards): from its end, not tried at each place before it.
_TITLE_BACKWARDS = rf"[ \t]+\.?(?i:{'|'.join(sorted((t[::-1] for t in _TITLES), key=len, reverse=True))})"
_SURNAME_BEFORE = re.compile(rf"(?:{_TITLE_BACKWARDS}){{0,2}}(?:[ \t]*,|[ \t]+)({_SURNAME})(?![\w'’-])")
# An initial in small letters joined to the surname, as a handle or an address's name writes one ('j.smith',
# 'j-smith', 'j_smith'; 'j smith' is no name), or a capital joined by an underscore ('J_Smith', a file's
# name). Found by its mark, rarer than a letter: the initial before it stands on its own ('e.g.smith',
# 'aj.smith' are none).
_SMALL_INITIAL = re.compile(rf"[._-](?<=[^\W\d_].)(?<![\w'’.-]..)({_SURNAME})")


def _initials(read: str) -> list[Hit]:
    """Blocked names written by their first initial. An initial is a capital letter on its own before or
    after a surname that starts with one; A and I, words on their own, only with a full stop after them
    ('A French school' is no A. French); or a small letter joined to the surname (_SMALL_INITIAL)."""
    hits = []
    for capital in _LONE_CAPITAL.finditer(read):
        at = capital.start()
        initial, dot = read[at], read[at + 1:at + 2] == "."
        if not initial.isupper() or (initial in "AI" and not dot):
            continue
        after = _THEN_SURNAME.match(read, at + 1)
        if after is not None:
            hits.extend(_initial_hit(read, at, after.end(), initial, after.group(1)))
        before = _SURNAME_BEFORE.match(read[max(0, at - 100):at][::-1])
        if before is not None:
            hits.extend(_initial_hit(read, at - before.end(), at + 1 + dot, initial, before.group(1)[::-1]))
    for joined in _SMALL_INITIAL.finditer(read) if "." in read or "-" in read or "_" in read else ():
        initial, mark = read[joined.start() - 1], read[joined.start()]
        name = _word(f"{initial} {joined.group(1)}")
        # A capital joined by a hyphen or a full stop is _LONE_CAPITAL's ('J-Smith'; 'T-shirt' is none).
        if (initial.islower() or mark == "_") and _blocked_among({name}):
            hits.append(Hit(joined.start() - 1, "name", read[joined.start() - 1:joined.end()], name))
    return hits


def _initial_hit(read: str, start: int, end: int, initial: str, surname: str) -> list[Hit]:
    """The finding of an initial and a surname, if the surname starts with a capital and the two are blocked."""
    name = _word(f"{initial} {surname}")
    return [Hit(start, "name", read[start:end], name)] if surname[0].isupper() and _blocked_among({name}) else []


# A word that may be a name run together, as a handle, a hashtag, a web address or a file name writes one:
# after an @, a # or a slash ('@janesmith', '#janesmith', '/janesmith'), or with a capital after a small
# letter inside it ('JaneSmith'; Latin-1 and Latin Extended-A letters too, over-read: the fingerprints
# decide). Other words are never parted: 'kitchen' in a sentence is no Kit Chen. Each word is read from
# its start once (the look-behind).
_HANDLE = re.compile(r"(?<=[@#/])[^\W\d_]+")
_SMALL, _BIG = r"[a-z\xdf-\xf6\xf8-\xff\u0100-\u017f]", r"[A-Z\xc0-\xd6\xd8-\xde\u0100-\u017f]"
_CAPITAL_INSIDE = re.compile(rf"(?<![^\W\d_])(?=[^\W\d_]*?{_SMALL}{_BIG})[^\W\d_]+")
# Most texts have none: one quick look, not a word by word one. The capital first, the letter before it looked
# back at: the regex engine then skips to each capital, where it would try every small letter (a third of the time).
_ANY_SMALL_CAPITAL = re.compile(rf"{_BIG}(?<={_SMALL}.)")


def _joined_names(read: str) -> set[str]:
    """The words of a text (as fingerprinted) that _HANDLE or _CAPITAL_INSIDE finds and that are a blocked
    name run together: parted in two at some place, each part two letters or more (initials are not read)."""
    found = _HANDLE.findall(read) if "@" in read or "/" in read or "#" in read else []
    if _ANY_SMALL_CAPITAL.search(read):
        found += _CAPITAL_INSIDE.findall(read)
    words = {_word(w) for w in found}
    return {word for word in words if 4 <= len(word) <= 64
            and _blocked_among({f"{word[:i]} {word[i:]}" for i in range(2, len(word) - 1)})}


def _address_names(slug: str, allowed: _Allowed) -> list[Hit]:
    """Blocked names in a page's address (a file's name, an id), as a link's address is read: the word
    right after its slash run together ('/janesmith/'), and a first initial before a surname ('/j-smith/':
    an address has no capitals to tell an initial by)."""
    if not allowed.blocked:
        return []
    _memos_for(allowed.blocked)
    words = slug.split("-")
    first = words[0]
    names = {f"{first[:i]} {first[i:]}": first for i in range(2, len(first) - 1)} if 4 <= len(first) <= 64 else {}
    names.update({f"{a} {b}": f"{a}-{b}" for a, b in zip(words, words[1:]) if len(a) == 1 and len(b) > 1})
    return [Hit(0, "name", names[name], name) for name in sorted(_blocked_among(set(names)))]


def _written_joined(read: str, start: int, end: int) -> bool:
    """Whether the word at read[start:end] is written as _joined_names reads a name run together."""
    return read[start - 1:start] in ("@", "#", "/") or _CAPITAL_INSIDE.match(read, start, end) is not None


_BREAK = "\x00"  # between the runs of a text's words that a name may span
_MARK = re.compile("[\u0300-\u036f]")  # the marks that folding the case of a letter may add


def _names_in_run(run: str) -> frozenset[str]:
    """The blocked names among one run's words and each two and three of them in a row; each two the
    other way round too ('SMITH Jane', surname first, as formal lists write it)."""
    found = _runs.get(run)
    if found is None:
        words = run.split()
        pairs = list(zip(words, words[1:]))
        found = _runs[run] = frozenset(_blocked_among({*words, *map(" ".join, pairs),
                                                       *(f"{b} {a}" for a, b in pairs),
                                                       *map(" ".join, zip(words, words[1:], words[2:]))}))
    return found


# Words, commas, and the breaks a name does not cross: a paragraph's, and a sentence's end (a full stop,
# semicolon, colon, exclamation or question mark before a space: 'the Town Hall. Grace Church' names no
# Grace Hall), but for one after an initial ('Jane Q. Smith' is one name) or a title written with a full
# stop ('Smith, Mrs. Jane'). A break's token starts with one of _ENDS (a sentence's end is its mark and the
# space after it).
_ENDS = "\n.;:!?|-\u2013\u2014"
_ABBREVIATED = frozenset("mr mrs ms mx dr st pc dc ds di dci det sgt rev revd cllr insp supt prof pcso dsupt".split())
_END = (r"[.;:!?](?<!(?<![^\W\d_])[^\W\d_].)"  # not after a letter on its own, nor a title's abbreviation
        + "(?i:" + "".join(rf"(?<!\b(?:{'|'.join(sorted(t for t in _ABBREVIATED if len(t) == n))})\.)"
                           for n in sorted({len(t) for t in _ABBREVIATED})) + ")")  # a look-behind per length
# Items of a list, cells of a table and phrases set apart by a dash stand apart too: a list item's mark at a
# line's start, a table's '|', a dash with a space either side ('the Town Hall – Grace Church').
_APART_TOO = r"\n[ \t]*[-*+](?=[ \t])|\||(?<=[ \t])[-\u2013\u2014](?=[ \t])"
_TOKEN = re.compile(rf"{WORD.pattern}|,|\n[ \t]*\n|{_END}\s|{_APART_TOO}")
_ASCII_TOKEN = re.compile(rf"[a-z]+(?:'[a-z]+)*|,|\n[ \t]*\n|{_END}\s|{_APART_TOO}")  # the same, for ASCII lower case: a third quicker
_APART = re.compile(rf"\n[ \t]*\n|{_END}(?=\s)|{_APART_TOO}")


def _reversed(tokens: list[str]) -> set[str]:
    """'Surname, (Title) Forename (Middle)' around each comma among the tokens, in the order fingerprinted."""
    names = set()
    comma = -1
    try:
        while True:
            comma = tokens.index(",", comma + 1)
            surname = tokens[comma - 1] if comma else ","
            if surname[0] in _ENDS or surname == ",":
                continue
            after: list[str] = []  # up to two words after the comma, in its sentence, its titles left out
            for word in tokens[comma + 1:comma + 5]:
                if word[0] in _ENDS:
                    break
                if word != "," and (after or word not in _TITLES):
                    after.append(word)
                    if len(after) == 2:
                        break
            if after:
                names.add(f"{after[0]} {surname}")
                names.add(" ".join([*after, surname]))
    except ValueError:  # no more commas
        return names


def _word(word: str) -> str:
    """A word as fingerprinted: folded case, a straight apostrophe, no possessive 's."""
    word = _casefold(word)
    return word[:-2] if word.endswith("'s") else word


def _casefold(text: str) -> str:
    """A text in folded case with straight apostrophes. Folding the case of a few letters adds a mark
    ('ǰ' is j and a caron, 'İ' an i and a dot): each is joined to its letter again where one letter has
    both, else dropped, so that it does not split the word."""
    folded = straight_apostrophes(text.casefold())
    if folded.isascii():
        return folded
    if not _MARK.search(folded):
        return folded
    return "".join(c for c in unicodedata.normalize("NFC", folded) if not unicodedata.combining(c))


def _where_names(read: str, found: set[str], joined: set[str]) -> list[Hit]:
    """Where the blocked names found are, word by word, and the names run together (rarely needed: slow is fine)."""
    words = []  # (start, end, word as fingerprinted)
    for match in WORD.finditer(read):
        word = _word(match.group())
        if len(word) > 1:
            words.append((match.start(), match.end(), word))
    hits = []
    for index, (start, end, word) in enumerate(words):
        if word in joined and _written_joined(read, start, end):
            hits.append(Hit(start, "name", read[start:end], word))
        for size in (1, 2, 3, 4, 5):  # four and five only after a comma, with titles: 'Smith, Det Insp Jane'
            if index + size > len(words):
                break
            last = words[index + size - 1]
            if size > 1 and _APART.search(read, start, last[0]):
                break
            group = [w[2] for w in words[index:index + size]]
            candidates = {" ".join(group), *([f"{group[1]} {word}"] if size == 2 else [])} if size <= 3 else set()
            if size > 1 and "," in read[words[index][1]:words[index + 1][0]]:  # 'Surname, (Title) Forename (Middle)'
                candidates.add(" ".join([*(w for w in group[1:] if w not in _TITLES), word]))
            for name in sorted(candidates & found):
                hits.append(Hit(start, "name", re.sub(r"[*`]", "", read[start:last[1]]), name))
    return hits


def _memos_for(blocked: frozenset[str]) -> None:
    """Keep the names and runs read (below) for this list of blocked names; begin again for another,
    or when there are many."""
    global _read_for
    if _read_for is not blocked or len(_read) > 300_000 or len(_runs) > 300_000:
        _read.clear()
        _blocked.clear()
        _runs.clear()
        _read_for = blocked


def _blocked_among(names: set[str]) -> set[str]:
    """The names (folded, lower case) whose fingerprint is in the list _memos_for was given. Each
    name is hashed once per process: the same words recur across a site's texts and every rebuild."""
    new = names - _read
    if new:
        _blocked.update(filter(_is_blocked, new))
        _read.update(new)
    return names & _blocked


def _is_blocked(name: str) -> bool:
    """Whether a folded name's fingerprint is in the list, as it is or without its accents."""
    if name.isascii():  # most names: the fingerprint without normalise(), which they need not
        return hashlib.sha256(name.encode()).hexdigest()[:16] in _read_for
    plain = unaccented(name)
    return fingerprint(name) in _read_for or (plain != name and _is_blocked(plain))


def unaccented(text: str) -> str:
    """A text without its accents ('Jáne Smíth' is Jane Smith, as a web address made of it spells her)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_read: set[str] = set()  # names hashed, for this list of blocked names
_blocked: set[str] = set()  # those of them that are blocked
_read_for: frozenset[str] | None = None
_runs: dict[str, frozenset[str]] = {}  # runs of words read (_names_in_run), for this list, and the names blocked in each


def check_text(text: str, file: str, config: SiteConfig, root: Node | None = None,
               again: bool = False) -> list[Problem]:
    """Report emails, phone numbers and blocked names in one file, read by its kind: YAML
    (root: its nodes, when already parsed), a Markdown page, HTML or XML, JSON, or text."""
    return _File(text, file, _Allowed.of(config), again).check(root)


class _File:
    """One file's text and the findings in it, each placed at the line and column typed."""

    def __init__(self, text: str, file: str, allowed: _Allowed, again: bool = False):
        self.text = text
        self.file = file
        self.allowed = allowed
        self.again = again  # a preview's: the file is checked again after each edit (_group)
        self.found: dict[tuple, Problem] = {}  # each finding once, by its line, kind and what it is (_add)
        self._visited: set[Node] = set()  # nodes read; they are equal only to themselves: an alias is the node it names
        self._groups: tuple[dict, dict] | None = None  # a YAML file's groups as last checked, and as now (_group)

    def check(self, root: Node | None) -> list[Problem]:
        suffix = PurePath(self.file).suffix.lower()
        if suffix in (".yaml", ".yml"):
            root = root or compose(self.text, self.file)[0]
            if root is None:  # not YAML: read it as text
                self._exact(self.text, 0, "")
            else:
                self._yaml(root, 0, 0, len(self.text))
        elif suffix == ".md":
            self._page()
        elif suffix in (".html", ".htm", ".xml", ".svg"):
            for part in readable.markup_parts(self.text):
                self._lined(part, part.line)
        elif suffix == ".json" and (parts := readable.json_parts(self.text)) is not None:
            for part in parts:
                self._searched(part, 0, len(self.text), "")
        else:
            self._exact(self.text, 0, "")
        if suffix in (".yaml", ".yml", ".md"):  # a content file's name is a page's address
            stem = PurePath(self.file).stem
            for hit in (*scan(stem, self.allowed), *_address_names(make_id(stem), self.allowed)):
                self._add(Pos(self.file, 1, 1), "", hit, "file name")
        return sorted(self.found.values(), key=Problem.sort_key)

    # ---- the kinds of file ------------------------------------------------------------

    def _page(self) -> None:
        from .load import split_front_matter  # load builds on validate, which uses this module

        front, body, body_line = split_front_matter(self.text)
        body_start = len(self.text) - len(body)
        root = compose("\n" + front, self.file)[0] if front else None
        if root is not None:
            self._yaml(root, 3, 0, body_start)  # '---' and its line break make 4 characters, '\n' 1
        else:
            self._exact(self.text[:body_start], 0, "")
        self._exact(body, body_start, "body")
        for part in readable.markdown_parts(body) if _has_markup(body) else ():
            self._lined(part, body_line + part.line, "body")

    def _yaml(self, root: Node, shift: int, start: int, end: int) -> None:
        """Every value as typed and as rendered, then the rest: keys and comments."""
        earlier = _groups.get(self.file, {}) if self.again and shift == 0 else None  # not a page's front matter
        self._groups = (earlier, {}) if earlier is not None else None
        self._walk(root, "", shift, start, end)
        if self._groups is not None:
            _groups[self.file] = self._groups[1]

    def _walk(self, top: Node, path: str, shift: int, start: int, end: int) -> None:
        """The values under a node, each group of fields below it read whole (_group), then the rest of
        start..end: keys and comments."""
        spans = []
        stack: list[tuple[Node, str]] = [(top, path)]
        while stack:
            node, path = stack.pop()
            if node in self._visited and node is not top:  # an alias: read once (a group is, by _group)
                continue
            self._visited.add(node)
            if isinstance(node, ScalarNode):
                spans.append((node.start_mark.index + shift, node.end_mark.index + shift))
                self._scalar(node, path, shift)
            elif isinstance(node, MappingNode) and node is not top and self._groups is not None:
                spans.append((node.start_mark.index, node.end_mark.index))
                self._group(node, path)
            elif isinstance(node, MappingNode):  # keys are read with the comments, as typed
                for key, value in node.value:
                    name = f"{path}.{key.value}" if path and isinstance(key, ScalarNode) else (
                        key.value if isinstance(key, ScalarNode) else path)
                    stack.append((value, name))
                    if not isinstance(key, ScalarNode):
                        stack.append((key, name))
            elif isinstance(node, SequenceNode):
                stack.extend((item, f"{path}[{i}]") for i, item in enumerate(node.value))
        at = start
        for a, b in sorted(spans):
            if a > at:
                self._exact(self.text[at:a], at, "")
            at = max(at, b)
        if at < end:
            self._exact(self.text[at:end], at, "")

    def _group(self, node: MappingNode, path: str) -> None:
        """A group of fields (a plan's row, a priority) and the text between them, read whole: its findings
        are those of the last check where its text stood at the same place, under the same field, with the
        same allow-lists (a preview reads again only the rows an edit changed). A group that holds an alias
        (yamlfile.unchanged_key) is read every time."""
        earlier, made = self._groups
        unchanged = unchanged_key(node, self.text)
        key = None if unchanged is None else (path, self.allowed.key, *unchanged)
        found = earlier.get(key) if key is not None else None
        if found is None:
            outer, self.found = self.found, {}
            try:
                self._walk(node, path, 0, node.start_mark.index, node.end_mark.index)
                found = tuple(self.found.items())
            finally:
                self.found = outer
        if key is not None:
            made[key] = found
        for seen, problem in found:  # each once, as _add keeps them
            self.found.setdefault(seen, problem)

    def _scalar(self, node: ScalarNode, path: str, shift: int) -> None:
        value = node.value
        if len(value) < 2:
            return
        start, end = node.start_mark.index + shift, node.end_mark.index + shift
        if path.rpartition(".")[2] == "id":  # a page's address, typed
            for hit in _address_names(make_id(value), self.allowed):
                self._add(self._pos(start), path, hit, "address")
        typed = self.text[start:end]
        # A double-quoted value with escapes or folded lines: each of its characters' place, where known.
        places = _double_quoted_places(typed, value) if node.style == '"' and typed[1:-1] != value else None
        if not node.style and typed == value:
            self._exact(value, start, path)
        elif node.style in ("'", '"') and typed[1:-1] == value:
            self._exact(value, start + 1, path)
        elif node.style == "|":
            self._block(value, node.start_mark.line + 1, path)
        elif places is not None:
            self._placed(Part(value), value, start, places, path)
        else:
            self._searched(Part(value), start, end, path)
        if _has_markup(value):
            for part in readable.markdown_parts(value):
                if node.style == "|":
                    self._lined(part, node.start_mark.line + 1 + part.line, path)
                elif places is not None:
                    self._placed(part, value, start, places, path)
                else:
                    self._searched(part, start, end, path)

    # ---- finding the place a finding was typed ------------------------------------------

    def _exact(self, text: str, start: int, field: str) -> None:
        """Text that is a stretch of the file, from offset start."""
        if len(text) < 2 or text.isspace():
            return
        for hit in scan(text, self.allowed):
            self._add(self._pos(start + hit.offset), field, hit)

    def _block(self, value: str, line: int, field: str) -> None:
        """Block text ('|'): each of its lines is a line of the file, less the indent."""
        starts = self._starts
        lines = value.split("\n")
        first = next((n for n, text in enumerate(lines) if text.strip()), 0)
        if line + first >= len(starts):
            return self._lined(Part(value), line, field)
        typed = self._line(line + first)
        indent = len(typed) - len(lines[first]) if typed.endswith(lines[first]) else -1
        if indent < 0 or any(line + n >= len(starts) or self._line(line + n)[indent:] != text
                             for n, text in enumerate(lines[:-1]) if text):
            return self._lined(Part(value), line, field)  # not as expected: place findings by search
        for hit in scan(value, self.allowed):
            row = value.count("\n", 0, hit.offset)
            column = hit.offset - (value.rfind("\n", 0, hit.offset) + 1)
            self._add(Pos(self.file, line + row + 1, indent + column + 1), field, hit)

    def _lined(self, part: Part, line: int, field: str = "") -> None:
        """Text read from the file's lines from `line` (0-based) on, one per line break."""
        for hit in scan(part.text, self.allowed):
            at = line + part.line_at(hit.offset) - part.line
            column = hit.offset - part.text.rfind("\n", 0, hit.offset) - 1  # in the line as read
            self._add(self._in_line(at, hit.shown, column), field, hit, part.where)

    def _placed(self, part: Part, value: str, start: int, places: list[int], field: str) -> None:
        """Text read or rendered from a value typed from `start` on whose characters' places are known
        (_double_quoted_places): each finding placed where its first word stands in the value."""
        for hit in scan(part.text, self.allowed):
            if part.text is value:
                found = hit.offset
            else:
                found = self._find(hit.shown, 0, len(value), hit.offset, value)
            self._add(self._pos(start + (0 if found is None else places[found])), field, hit, part.where)

    def _searched(self, part: Part, start: int, end: int, field: str) -> None:
        """Text made from the file's characters start..end (decoded, folded or rendered)."""
        for hit in scan(part.text, self.allowed):
            found = self._find(hit.shown, start, end, start + hit.offset)
            self._add(self._pos(start if found is None else found), field, hit, part.where)

    def _find(self, shown: str, start: int, end: int, guess: int, text: str | None = None) -> int | None:
        """Where in start..end of the file's text (or of `text`) a finding shown as read was typed: its first
        word's first occurrence from the guess on (typing adds characters: indents, markup, escapes), or the
        last before it. None when its words were typed otherwise (an entity, a soft hyphen)."""
        text = self.text if text is None else text
        guess = max(start, min(guess, end))
        for needle in (_START.match(shown), _FIRST_WORD.search(shown)):
            if needle is None:
                continue
            pattern = re.compile(re.escape(needle.group()), re.I)
            found = pattern.search(text, guess, end)
            if found is None:
                before = list(pattern.finditer(text, start, guess))
                found = before[-1] if before else None
            if found is not None:
                return found.start()
        return None

    def _add(self, pos: Pos, field: str, hit: Hit, where: str = "") -> None:
        key = (pos.line, hit.kind, hit.key)
        if key not in self.found:  # the same finding, as typed and as rendered, is one
            self.found[key] = Problem(pos, field, *_MESSAGES[hit.kind](hit.shown, where))

    def _pos(self, offset: int) -> Pos:
        starts = self._starts
        index = bisect.bisect_right(starts, offset) - 1
        return Pos(self.file, index + 1, offset - starts[index] + 1)

    def _in_line(self, line: int, shown: str, column: int) -> Pos:
        """The place in a line where a finding was typed, or where the line's text starts."""
        starts = self._starts
        line = max(0, min(line, len(starts) - 1))
        start = starts[line]
        typed = self._line(line)
        end = start + len(typed)
        indent = len(typed) - len(typed.lstrip())
        found = self._find(shown, start, end, start + indent + column)
        return Pos(self.file, line + 1, (start + indent if found is None else found) - start + 1)

    def _line(self, index: int) -> str:
        """A line of the file (0-based), without its line break."""
        starts = self._starts
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return self.text[starts[index]:end]

    @functools.cached_property
    def _starts(self) -> list[int]:
        """Where each line of the file starts."""
        return [0] + [m.end() for m in re.finditer("\n", self.text)]


def check_sources(sources: Iterable, config: SiteConfig, again: bool = False) -> list[Problem]:
    """Check every content file, reusing results for files that did not change; with `again` (a preview's),
    reusing each group of fields of a changed file that did not change (_File._group)."""
    problems = []
    for src in sources:
        # The nodes of a file converted in this load, if any: no parsing it again.
        problems.extend(memo.get(_key(src.text, src.rel, config),
                                 lambda: tuple(check_text(src.text, src.rel, config, src.nodes, again))))
    return problems


def _key(text: str, rel: str, config: SiteConfig) -> tuple:
    return hashlib.sha256(text.encode()).digest(), rel, _Allowed.of(config).key


class Helper:
    """Checks files for personal data in a second process, while the builder does the rest of its work.

    A file goes to the helper while the text it has yet to check fits in the pipe to it, so that the
    builder does not wait to send one; otherwise the builder checks it itself, from the nodes it has
    composed already. A one-off build asks for the last findings (collect) only once its pages are
    made (load.py), so the check holds up nothing before then. The findings come back into `memo` by
    the same keys check_sources looks them up by, so they are the same findings, and a file the
    helper did not check (it failed, or the file changed) is checked by check_sources itself.
    """

    def __init__(self):
        self._process = processes.fork(_help) or processes.start("privacy", stdout=subprocess.PIPE)
        self._replies = processes.Messages(self._process.stdout.fileno())  # taken as they come, waited for at the end
        self._to = self._process.stdin.fileno()
        os.set_blocking(self._to, False)  # written by _send, which takes the findings that come back while it waits
        self._allowed: _Allowed | None = None
        self._room = processes.pipe_size(self._process.stdin) // processes.PAGE  # a pipe holds so many pages of writes
        self._sent: dict[tuple, int] = {}  # the pages of each message whose findings have not come back

    def check(self, text: str, rel: str, config: SiteConfig) -> bool:
        """Have the helper check a file, unless its findings are known already; False where the pipe to
        the helper has no room for it, or the helper stopped: the caller checks the file itself."""
        key = _key(text, rel, config)
        if key in memo.used or key in memo.stored:
            return True
        self._take(block=False)
        if self._process is None or self._process.stdin.closed:
            return False
        allowed = _Allowed.of(config)
        # Sent as UTF-8 made here: pickling the text itself would keep a UTF-8 copy inside it
        # (Python caches one in a str that is not ASCII), for the rest of the build.
        data = text.encode()
        if processes.pipe_pages(len(data)) > self._room:  # the builder checks it: not copied again to be measured
            return False
        rules = pickle.dumps(("allowed", allowed), protocol=pickle.HIGHEST_PROTOCOL) if allowed != self._allowed else b""
        message = rules + pickle.dumps(("file", key, data, rel), protocol=pickle.HIGHEST_PROTOCOL)
        pages = processes.pipe_pages(len(message))
        if pages > self._room:
            return False
        try:
            self._send(message)
        except OSError:  # the helper stopped: the caller, then check_sources, do its work
            self.close()
            return False
        self._allowed = allowed
        self._room -= pages
        self._sent[key] = pages  # all read by the helper once it answers for this file
        return True

    def _send(self, message: bytes) -> None:
        """Write a message to the helper, keeping the findings that come back while the pipe is full: the
        helper may be waiting to write them (a file's findings can outgrow the pipe back), and would wait
        for this process for ever while this one waited for it."""
        view = memoryview(message)
        while view:
            try:
                view = view[os.write(self._to, view):]
                continue
            except BlockingIOError:
                pass
            readable, _, _ = select.select([self._replies.pipe], [self._to], [])
            if readable:
                self._keep(self._replies.take())
                if self._replies.ended:
                    raise BrokenPipeError("the helper stopped")

    def done(self) -> None:
        """No more files: the helper answers those it has and ends (its memory freed meanwhile); collect()
        takes its findings from the pipe."""
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()

    def collect(self) -> None:
        """Wait for the findings of the files still with the helper, and keep them in memo."""
        with contextlib.suppress(OSError):
            self._take(block=True)
        self.close()

    def _take(self, block: bool) -> None:
        """Keep the findings that have come back (with block, all of them: until the helper has none left)."""
        while self._sent and self._process is not None:
            self._keep(self._replies.take(wait=block))
            if self._replies.ended:  # the helper stopped: check_sources checks what it had
                self.close()
            if not block:
                return

    def _keep(self, replies: list[bytes]) -> None:
        """Keep findings that came back, each file's by its key, and count the room its message took free."""
        for reply in replies:
            key, found = pickle.loads(reply)
            memo.stored[key] = found
            self._room += self._sent.pop(key, 0)

    def close(self) -> None:
        """Stop the helper (at once, when the load failed before collecting)."""
        if self._process is not None:
            processes.stop(self._process)
            self._process = None


_LINE_BREAKS = "\r\n\x85\u2028\u2029"


def _line_break(typed: str, at: int) -> tuple[str, int]:
    """The line break at `at` as YAML reads it (\\r\\n, \\r and \\x85 are \\n), and where the text after it starts."""
    if typed.startswith("\r\n", at):
        return "\n", at + 2
    return ("\n" if typed[at] in "\r\x85" else typed[at]), at + 1


def _double_quoted_places(typed: str, value: str) -> list[int] | None:
    """Where each character of a double-quoted YAML value was typed (offsets into `typed`, the value with its
    quotes): an escape's at its backslash, a folded line break's where the break was. None where reading
    the escapes and line breaks as YAML does (PyYAML's scanner) does not give the value the parser gave."""
    read: list[str] = []
    places: list[int] = []
    i, end = 1, len(typed) - 1

    def breaks(i: int) -> int:
        """Past the blank lines after a line break, each kept as a line break; return where the text goes on."""
        while True:
            while typed[i] in " \t":
                i += 1
            if typed[i] not in _LINE_BREAKS:
                return i
            places.append(i)
            line_break, i = _line_break(typed, i)
            read.append(line_break)

    try:
        while i < end:
            ch = typed[i]
            if ch == "\\":
                code = typed[i + 1]
                if code in Scanner.ESCAPE_REPLACEMENTS:  # YAML's escapes, as PyYAML's own scanner reads them
                    read.append(Scanner.ESCAPE_REPLACEMENTS[code])
                    places.append(i)
                    i += 2
                elif code in Scanner.ESCAPE_CODES:
                    digits = typed[i + 2:i + 2 + Scanner.ESCAPE_CODES[code]]
                    read.append(chr(int(digits, 16)))
                    places.append(i)
                    i += 2 + len(digits)
                elif code in _LINE_BREAKS:  # an escaped line break: the lines are joined, nothing between them
                    i = breaks(_line_break(typed, i + 1)[1])
                else:
                    return None
            elif ch in " \t" or ch in _LINE_BREAKS:
                j = i
                while typed[j] in " \t":
                    j += 1
                if j < end and typed[j] in _LINE_BREAKS:  # a line break, folded: a space, or the blank lines kept
                    line_break, after = _line_break(typed, j)
                    # `read` has a run of blanks as one item: its length is not the count of `places`
                    before, place = len(read), len(places)
                    i = breaks(after)
                    if line_break != "\n":  # kept, before the blank lines' breaks
                        read.insert(before, line_break)
                        places.insert(place, j)
                    elif len(read) == before:
                        read.append(" ")
                        places.append(j)
                else:
                    read.append(typed[i:j])
                    places.extend(range(i, j))
                    i = j
            else:
                read.append(ch)
                places.append(i)
                i += 1
    except (IndexError, ValueError):
        return None
    return places if "".join(read) == value and len(places) == len(value) else None


def _help(read, write) -> None:
    """The helper process: check each file sent, and send back its findings with its key."""
    allowed = None
    with contextlib.suppress(EOFError):
        while True:
            message = pickle.load(read)
            if message[0] == "allowed":
                allowed = message[1]
            else:
                _, key, data, rel = message
                reply = pickle.dumps((key, tuple(_File(data.decode(), rel, allowed).check(None))),
                                     protocol=pickle.HIGHEST_PROTOCOL)
                write.write(processes.message(reply))
                write.flush()


# Findings by (sha256 of the text, file, allow-lists' key), as the disk cache keeps them; a long
# preview checks every saved version of a text.
memo = Memo(keep=20_000)
# Each YAML file's groups of fields as its last check read them, with their findings (_File._group).
_groups: dict[str, dict] = {}


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the builder stops this process
    _help(sys.stdin.buffer, sys.stdout.buffer)
