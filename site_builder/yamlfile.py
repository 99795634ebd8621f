"""Read YAML into nodes that remember where each value came from."""

from __future__ import annotations

import functools
import hashlib
import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Pos, Problem

try:  # libyaml is several times faster; PyYAML's pure loader is the fallback
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - only without libyaml
    from yaml import SafeLoader as Loader

__all__ = ["EMPTY_FILE", "MappingNode", "Node", "ScalarNode", "SequenceNode", "compose", "pos_of", "unchanged_key"]

EMPTY_FILE = "the file is empty"

# PyYAML's messages, put in words a non-programmer can act on.
_COLON = ("a colon followed by a space inside a value",
          "Put quotes around a value that contains ': ', or check the indentation of this line.")
_PLAIN_WORDS = {
    "mapping values are not allowed in this context": _COLON,
    "mapping values are not allowed here": _COLON,
    "could not find expected ':'": (
        "a 'field: value' line",
        "A line may be missing its colon, or a multi-line text needs '|' after the field name."),
    "tab": ("spaces for indentation", "Replace the tab character with spaces."),
    "did not find expected key": (
        "lines indented like the field above",
        "Check the indentation: every field of an item must start in the same column."),
    "did not find expected '-' indicator": (
        "list items starting with '- ' in the same column", "Check the indentation of the list items."),
    "found unexpected end of stream": ("a closing quote", "A quoted value is missing its closing quote."),
    "found undefined alias": ("no '*' at the start of a value", "A value starting with '*' must be quoted."),
}


def unchanged_key(node: Node, text: str) -> tuple | None:
    """What a node read from `text` is made of, as a key a preview finds its earlier work by: its line,
    its column and the digest of its text (which its value is wholly made of); None where it holds an
    alias ('*name'), whose value is written elsewhere in the file."""
    typed = text[node.start_mark.index:node.end_mark.index]
    if "*" in typed:
        return None
    return node.start_mark.line, node.start_mark.column, hashlib.sha256(typed.encode()).digest()


def pos_of(node: Node, file: str) -> Pos:
    """Return the 1-based position where a node starts."""
    mark = node.start_mark
    return Pos(file, mark.line + 1, mark.column + 1)


# A line that starts block text: "key: |", "- key: >-", with an optional comment.
_BLOCK_HEADER = re.compile(r"^(?P<indent>[ ]*(?:-[ ]+)*)(?P<key>[^\s#'\"][^#]*?)[ ]*:[ ]+(?P<bar>[|>])"
                           r"[-+0-9]*[ ]*(?:#.*)?$")
# A field with nothing after its colon.
_BARE_KEY = re.compile(r"^(?P<indent>[ ]*(?:-[ ]+)*)(?P<key>[^\s#'\"][^#]*?)[ ]*:[ ]*(?:#.*)?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_before(lines: list[str], index: int) -> int | None:
    """The nearest line above that holds more than blanks or a comment."""
    for i in range(min(index, len(lines)) - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


def _block_text_problem(exc: yaml.MarkedYAMLError, lines: list[str], file: str) -> Problem | None:
    """Mistakes in block text ('description: |' and the lines under it), said as such."""
    context, mark = exc.context_mark, exc.problem_mark
    problem = (exc.problem or "").strip()
    if exc.context == "while scanning a simple key" and context is not None:
        # A line with no colon: is it text meant to be under the block-text field above?
        above = _line_before(lines, context.line)
        header = _BLOCK_HEADER.match(lines[above]) if above is not None else None
        if header and context.column <= len(header["indent"]):
            key, bar, column = header["key"], header["bar"], len(header["indent"]) + 3
            return Problem(Pos(file, context.line + 1, context.column + 1), "",
                           f"YAML syntax error: the text under '{key}: {bar}' is not indented",
                           f"the text indented two more spaces than '{key}', from column {column}",
                           f"Indent every line of the text under '{key}: {bar}' by two more spaces than "
                           "the field name.")
        bare = _BARE_KEY.match(lines[above]) if above is not None else None
        if bare and context.column <= len(bare["indent"]):
            key = bare["key"]
            return Problem(Pos(file, context.line + 1, context.column + 1), "",
                           f"YAML syntax error: {problem}", "a 'field: value' line",
                           f"A line may be missing its colon. If this line is the text of '{key}', put '|' "
                           f"after '{key}:' and indent the text two more spaces than the field name.")
        return None
    if exc.context == "while scanning a block scalar" and context is not None and mark is not None and (
            problem == "did not find expected comment or line break"
            or problem.startswith("expected chomping or indentation indicators")):
        header = re.match(r"^[ ]*(?:-[ ]+)*(?P<key>[^#]*?)[ ]*:[ ]*$", lines[context.line][:context.column])
        key = header["key"] if header else "the field"
        bar = lines[context.line][context.column]
        return Problem(Pos(file, mark.line + 1, mark.column + 1), "",
                       f"YAML syntax error: text on the same line as '{key}: {bar}'",
                       f"'{bar}' at the end of its line, and the text on the lines below it",
                       f"Move the text to the next line, indented two more spaces than '{key}'.")
    if mark is not None and mark.line < len(lines):
        # A line inside block text, but left of the text's first line: the text ended above it.
        column = _indent(lines[mark.line])
        for i in range(mark.line - 1, -1, -1):
            if not lines[i].strip():
                continue
            header = _BLOCK_HEADER.match(lines[i])
            if header and len(header["indent"]) < column:
                first = next((_indent(line) for line in lines[i + 1:mark.line] if line.strip()), None)
                if first is None or first <= column:
                    return None
                key, bar = header["key"], header["bar"]
                return Problem(Pos(file, mark.line + 1, mark.column + 1), "",
                               f"YAML syntax error: this line of the text under '{key}: {bar}' is indented "
                               "less than its first line",
                               f"every line of the text from column {first + 1}, like its first line",
                               "Line it up with the first line of the text. If it is a new field, start it "
                               f"in column {len(header['indent']) + 1}, like '{key}'.")
            if _indent(lines[i]) <= column:
                return None
    return None


# A field whose value opens with a quote: 'title: "MAC Panel'.
_QUOTED_VALUE = re.compile(r"""^(\s*(?:-\s+)?[^\s#"'][^:#]*:\s+)(["'])(.*)$""")


def _unclosed_quote(exc: yaml.MarkedYAMLError, lines: list[str], file: str) -> Problem | None:
    """The line above an error where a quoted value opens and is not closed on that line: YAML read on
    for the closing quote, and its error comes far below."""
    mark = exc.problem_mark
    start = exc.context_mark or mark
    if mark is None or start is None:
        return None
    for number in range(start.line, min(mark.line, len(lines) - 1) + 1):
        found = _QUOTED_VALUE.match(lines[number])
        if found is None:
            continue
        quote = found.group(2)
        # Where YAML took the quotes to close: if on a line above the error, the value was quoted over
        # lines as YAML allows (or the line is inside block text), and the mistake is elsewhere.
        closes = next((at for at in range(number, len(lines))
                       if _closes(lines[at][len(found.group(1)) + 1:] if at == number else lines[at], quote)), None)
        if closes is None or closes >= mark.line:
            return Problem(Pos(file, number + 1, len(found.group(1)) + 1), "",
                           "YAML syntax error: the quotes opened here are not closed on this line",
                           f"a closing {quote} at the end of the value",
                           f"Add the closing {quote}, or remove the opening one: YAML read on to line "
                           f"{mark.line + 1} looking for it.")
    return None


def _closes(text: str, quote: str) -> bool:
    """Whether a quoted value's quote closes in this stretch of its text."""
    if quote == '"':  # escaped backslashes and quotes do not close it
        return '"' in text.replace("\\\\", "").replace('\\"', "")
    return "'" in text.replace("''", "")  # nor does a doubled single quote


class _Untagged(Loader):
    """A loader that leaves what each plain value is (a number, true or false, nothing) to be worked out
    when asked (implicit_tag): asked of every value as it is parsed, it took a quarter of the time of a
    reading that only looks at the text. A plain value's tag is "", as is a list's or a mapping's; a
    quoted value's, or one tagged, is as YAML gives it."""

    def resolve(self, kind, value, implicit) -> str:
        if kind is ScalarNode and not implicit[0]:  # quoted, or tagged '!': YAML's resolver says str
            return super().resolve(kind, value, implicit)
        return ""

    # YAML's path resolvers tag a value by where it stands; none is registered here, so the two steps that
    # keep track of where each node stands, called for every node, have nothing to do. Doing nothing in
    # Python's fastest way makes composing a file a third quicker (each step first looked the list up).
    def descend_resolver(self, current_node, current_index) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_IMPLICIT = Loader.yaml_implicit_resolvers  # YAML's own rules for plain values: patterns by first character


@functools.lru_cache(maxsize=4096)
def implicit_tag(value: str) -> str:
    """The tag YAML's resolver gives a plain value, as it works it out (resolver.BaseResolver.resolve)."""
    for tag, pattern in (*_IMPLICIT.get(value[:1], ()), *_IMPLICIT.get(None, ())):
        if pattern.match(value):
            return tag
    return Loader.DEFAULT_SCALAR_TAG


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """Parse YAML text into a node tree, or report the syntax error. A plain value's tag is left ""
    (_Untagged): scalars.read_as works it out when asked."""
    try:
        node = yaml.compose(text, Loader=_Untagged)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, file)]
    except yaml.YAMLError as exc:  # reader errors: bad bytes, control characters
        return None, [Problem(Pos(file, 1, 1), "", f"cannot read the file: {exc}", "UTF-8 text")]
    if node is None:
        return None, [Problem(Pos(file, 1, 1), "", EMPTY_FILE, "a mapping of fields ('name: value' lines)",
                              "Write its fields (docs/content-guide.md lists them), or bring back the last "
                              "version with 'git checkout -- <file>'.")]
    return node, []


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """The YAML error in words, at the line at fault."""
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or "").strip()
    lines = text.splitlines()
    if mark and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
        return Problem(Pos(file, mark.line + 1, mark.column + 1), "",
                       "YAML syntax error: a tab character is used for indentation", *_PLAIN_WORDS["tab"])
    explained = _block_text_problem(exc, lines, file) or _unclosed_quote(exc, lines, file)
    if explained is not None:
        return explained
    if exc.context == "while scanning a simple key" and exc.context_mark:
        mark = exc.context_mark  # the line without its colon; PyYAML notices only on the next
    pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file, 1, 1)
    expected, hint = _PLAIN_WORDS.get(problem, ("valid YAML", ""))
    message = f"YAML syntax error: {problem}" if problem else "YAML syntax error"
    where = exc.context_mark
    if exc.context and where and (where.line, where.column) != (mark.line, mark.column):
        hint = (hint + " " if hint else "") + (
            f"The problem started at line {where.line + 1}, column {where.column + 1} ({exc.context})."
        )
    return Problem(pos, "", message, expected, hint)
