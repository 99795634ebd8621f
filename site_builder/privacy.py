"""Catch personal data before it is published: emails, phone numbers, blocked names."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from .model import SiteConfig
from .problems import Pos, Problem
from .registry import normalise

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# UK numbers of 10 or 11 digits (01206 282222, 07700 900123, +44 20 7946 0000). Short
# public service numbers such as 101 and 999 are not personal data and not matched.
PHONE = re.compile(r"(?<![\d/.])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[ -]?\d){8,9}(?![\d/])")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def fingerprint(name: str) -> str:
    """Return the fingerprint of a personal name, as listed in site.yaml's blocked_names."""
    return hashlib.sha256(normalise(name).encode()).hexdigest()[:16]


def digits(number: str) -> str:
    """Keep only the digits of a phone number, with +44 written as 0."""
    raw = re.sub(r"\D", "", number.replace("(0)", ""))
    return "0" + raw[2:] if raw.startswith("44") else raw


def check_text(text: str, file: str, config: SiteConfig) -> list[Problem]:
    """Report emails, phone numbers and blocked names in one file's text."""
    allowed = _Allowed.of(config)
    problems = []
    for index, line in enumerate(text.splitlines()):
        for col, kind, found in _line_findings(line, allowed):
            problems.append(Problem(Pos(file, index + 1, col), *_MESSAGES[kind](found)))
    return problems


@dataclass(frozen=True)
class _Allowed:
    """What may appear: the allow-lists of site.yaml, in comparable form."""

    emails: frozenset[str]
    phones: frozenset[str]
    blocked: frozenset[str]

    def key(self) -> str:
        """A digest of the lists, the same in every process."""
        lists = (sorted(self.emails), sorted(self.phones), sorted(self.blocked))
        return hashlib.sha256(repr(lists).encode()).hexdigest()

    @staticmethod
    @functools.lru_cache(maxsize=4)  # one config per build: made once, not once per file
    def of(config: SiteConfig) -> "_Allowed":
        return _Allowed(frozenset(e.lower() for e in (*config.allowed_emails, config.contact_email)),
                        frozenset(digits(h.number) for h in config.help_numbers),
                        frozenset(config.blocked_names))


_MESSAGES = {
    "email": lambda found: (
        "", f"the email address '{found}' may be personal data",
        "only the team mailboxes listed in site.yaml's allowed_emails",
        "Write the partnership's team mailbox instead, or add a team mailbox to allowed_emails."),
    "phone": lambda found: (
        "", f"the phone number '{found}' may be personal data", "only the help numbers listed in site.yaml",
        "Remove it, or add it to help_numbers in site.yaml if it is a public service number."),
    "name": lambda found: (
        "", f"'{found}' is the name of a person whose name must not be published",
        "a role or an agency instead of a person's name",
        "Write their role (for example 'an Essex Police inspector') or their agency."),
}


@functools.lru_cache(maxsize=200_000)
def _line_findings(line: str, allowed: _Allowed) -> tuple[tuple[int, str, str], ...]:
    """What one line holds that may be personal data: (column, kind, text). Cached per line,
    so that after an edit only the changed lines are read again."""
    found = []
    if "@" in line:
        for match in EMAIL.finditer(line):
            if match.group().lower() not in allowed.emails:
                found.append((match.start() + 1, "email", match.group()))
        line = EMAIL.sub(lambda m: " " * len(m.group()), line)  # an email's parts are not names
    for match in PHONE.finditer(line):
        if digits(match.group()) not in allowed.phones:
            found.append((match.start() + 1, "phone", match.group()))
    if allowed.blocked:
        # Text copied from a PDF may spell an accent as a letter plus a combining mark, which
        # would split the word: compose them first. (Columns count composed characters.)
        if not line.isascii():
            line = unicodedata.normalize("NFC", line)
        # Names are written with capitals: only runs of capitalised words are fingerprinted.
        words = [w for w in WORD.finditer(line) if w.group()[0].isupper()]
        for index, word in enumerate(words):
            name, end = word.group(), word.end()
            for size in (1, 2, 3):
                if size > 1:
                    if index + size > len(words) or line[end:words[index + size - 1].start()].strip():
                        break
                    following = words[index + size - 1]
                    name, end = f"{name} {following.group()}", following.end()
                if fingerprint(name) in allowed.blocked:
                    found.append((word.start() + 1, "name", name))
    return tuple(sorted(found))


def check_sources(sources: Iterable, config: SiteConfig) -> list[Problem]:
    """Check every content file's text, reusing results for files that did not change."""
    problems = []
    for src in sources:
        problems.extend(_check_cached(src.text, src.rel, config))
    return problems


# Results by (sha256 of the text, file, allow-lists' key), as the disk cache keeps them:
# those used in this process, and those read from the disk cache and not yet used.
_used: dict[tuple[bytes, str, str], tuple[Problem, ...]] = {}
_stored: dict[tuple[bytes, str, str], tuple[Problem, ...]] = {}
KEEP = 20_000  # results kept in _used, the oldest dropped first: a long preview checks every saved text


@functools.lru_cache(maxsize=512)
def _check_cached(text: str, file: str, config: SiteConfig) -> tuple[Problem, ...]:
    """Memoise check_text: a file is checked again only when its text or the config changes."""
    key = (hashlib.sha256(text.encode()).digest(), file, _Allowed.of(config).key())
    found = _stored.pop(key, None)
    if found is None:
        found = tuple(check_text(text, file, config))
    _used.pop(key, None)
    _used[key] = found
    if len(_used) > KEEP:
        del _used[next(iter(_used))]
    return found
