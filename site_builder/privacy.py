"""Catch personal data before it is published: emails, phone numbers, blocked names."""

from __future__ import annotations

import functools
import hashlib
import re
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
    allowed_emails = {e.lower() for e in (*config.allowed_emails, config.contact_email)}
    allowed_phones = {digits(h.number) for h in config.help_numbers}
    blocked = set(config.blocked_names)
    problems = []
    for index, line in enumerate(text.splitlines()):
        if "@" in line:
            for match in EMAIL.finditer(line):
                if match.group().lower() not in allowed_emails:
                    problems.append(Problem(
                        Pos(file, index + 1, match.start() + 1), "", f"the email address '{match.group()}' "
                        "may be personal data", "only the team mailboxes listed in site.yaml's allowed_emails",
                        "Write the partnership's team mailbox instead, or add a team mailbox to allowed_emails."))
        for match in PHONE.finditer(line):
            if digits(match.group()) not in allowed_phones:
                problems.append(Problem(
                    Pos(file, index + 1, match.start() + 1), "", f"the phone number '{match.group()}' may be "
                    "personal data", "only the help numbers listed in site.yaml",
                    "Remove it, or add it to help_numbers in site.yaml if it is a public service number."))
        if blocked:  # emails are reported above; blank them so they are not read as names
            problems.extend(_blocked_names(EMAIL.sub(lambda m: " " * len(m.group()), line), index + 1, file, blocked))
    return problems


def _blocked_names(line: str, number: int, file: str, blocked: set[str]) -> list[Problem]:
    words = list(WORD.finditer(line))
    found = []
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            group = words[start:start + size]
            name = " ".join(w.group() for w in group)
            if fingerprint(name) in blocked:
                found.append(Problem(
                    Pos(file, number, group[0].start() + 1), "", f"'{name}' is the name of a person whose name "
                    "must not be published", "a role or an agency instead of a person's name",
                    "Write their role (for example 'an Essex Police inspector') or their agency."))
    return found


def check_sources(sources: Iterable, config: SiteConfig) -> list[Problem]:
    """Check every content file's text, reusing results for files that did not change."""
    problems = []
    for src in sources:
        problems.extend(_check_cached(src.text, src.rel, config))
    return problems


@functools.lru_cache(maxsize=512)
def _check_cached(text: str, file: str, config: SiteConfig) -> tuple[Problem, ...]:
    """Memoise check_text: a file is checked again only when its text or the config changes."""
    return tuple(check_text(text, file, config))
