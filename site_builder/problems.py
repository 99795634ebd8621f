"""Problems found in content: where they are, what is wrong, how to fix them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters a message never prints as they are: controls (a terminal would obey an escape
# sequence; a line break would forge another message), and others that are not text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
EXCERPT_WIDTH = 160  # the most of a source line an excerpt shows


def printable(text: str) -> str:
    """Text with each control character shown as its code, like <U+001B>."""
    return _UNPRINTABLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


@dataclass(frozen=True, slots=True)
class Pos:
    """A place in a source file (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: an error stops the build, a warning does not."""

    pos: Pos
    field: str
    message: str
    expected: str = ""
    hint: str = ""
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.pos}: {self.level}: {self.text()}"

    def text(self) -> str:
        """The field, what is wrong, what was expected and the hint, without the place."""
        text = (f"{self.field}: " if self.field else "") + self.message
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return printable(text)

    def sort_key(self) -> tuple:
        """Order problems by file, then position."""
        return (self.pos.file, self.pos.line, self.pos.col, self.message)


class ContentError(Exception):
    """The content has errors; the build stops and reports all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(f"{len(self.problems)} content error(s)")


class UsageError(Exception):
    """The command was called wrongly (exit code 2)."""


def did_you_mean(word: str, choices, cutoff: float = 0.6) -> str:
    """Suggest the closest choice, as a hint sentence, or ''."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return f"Did you mean '{lowered[close[0]]}'?" if close else ""


def source_excerpt(text: str, line: int, col: int, context: int = 1) -> str:
    """Show the lines around a position with the column marked by a caret.

    Each line shows at most EXCERPT_WIDTH characters, around the column: a message quotes a
    short excerpt of a file, never a whole one-line file.
    """
    lines = text.split("\n") if text else []  # as YAML counts lines: not at form feeds, as splitlines() would
    if text.endswith("\n"):
        lines.pop()
    if not 1 <= line <= len(lines):
        return ""
    first = max(1, line - context)
    shown = [lines[n - 1].rstrip("\r").replace("\t", " ") for n in range(first, line + 1)]
    start = 0
    if max(map(len, shown)) > EXCERPT_WIDTH:
        start = max(0, min(col - 1 - EXCERPT_WIDTH // 2, len(shown[-1]) - EXCERPT_WIDTH))
    width = len(str(line))
    out = []
    for n, source in enumerate(shown, first):
        part = source[start:start + EXCERPT_WIDTH]
        cut = ("..." if start else "") + part + ("..." if len(source) > start + EXCERPT_WIDTH else "")
        out.append(f"{n:>{width}} | {printable(cut)}")
    out.append(" " * width + " | " + " " * (col - 1 - start + (3 if start else 0)) + "^")
    return "\n".join(out)
