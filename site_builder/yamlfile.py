"""Read YAML into nodes that remember where each value came from."""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Pos, Problem

try:  # libyaml is several times faster; PyYAML's pure loader is the fallback
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - only without libyaml
    from yaml import SafeLoader as Loader

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "compose", "pos_of"]

# PyYAML's messages, put in words a non-programmer can act on.
_PLAIN_WORDS = {
    "mapping values are not allowed in this context": (
        "a colon followed by a space inside a value",
        "Put quotes around a value that contains ': ', or check the indentation of this line.",
    ),
    "mapping values are not allowed here": (
        "a colon followed by a space inside a value",
        "Put quotes around a value that contains ': ', or check the indentation of this line.",
    ),
    "could not find expected ':'": (
        "a 'field: value' line",
        "A line may be missing its colon, or a multi-line text needs '|' after the field name.",
    ),
    "tab": (
        "spaces for indentation",
        "Replace the tab character with spaces.",
    ),
    "did not find expected key": (
        "lines indented like the field above",
        "Check the indentation: every field of an item must start in the same column.",
    ),
    "did not find expected '-' indicator": (
        "list items starting with '- ' in the same column",
        "Check the indentation of the list items.",
    ),
    "found unexpected end of stream": (
        "a closing quote",
        "A quoted value is missing its closing quote.",
    ),
    "found undefined alias": (
        "no '*' at the start of a value",
        "A value starting with '*' must be quoted.",
    ),
}


def pos_of(node: Node, file: str) -> Pos:
    """Return the 1-based position where a node starts."""
    mark = node.start_mark
    return Pos(file, mark.line + 1, mark.column + 1)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""


def _differs(a, b) -> bool:
    return (a.line, a.column) != (b.line, b.column)


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """Parse YAML text into a node tree, or report the syntax error."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file, 1, 1)
        problem = (exc.problem or "").strip()
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            problem = "tab"
        expected, hint = _PLAIN_WORDS.get(problem, ("valid YAML", ""))
        message = f"YAML syntax error: {problem}" if problem else "YAML syntax error"
        if problem == "tab":
            message = "YAML syntax error: a tab character is used for indentation"
        elif exc.context and exc.context_mark and _differs(exc.context_mark, mark):
            where = exc.context_mark
            hint = (hint + " " if hint else "") + (
                f"The problem started at line {where.line + 1}, column {where.column + 1} ({exc.context})."
            )
        return None, [Problem(pos, "", message, expected, hint)]
    except yaml.YAMLError as exc:  # reader errors: bad bytes, control characters
        return None, [Problem(Pos(file, 1, 1), "", f"cannot read the file: {exc}", "UTF-8 text")]
    if node is None:
        return None, [Problem(Pos(file, 1, 1), "", "the file is empty", "a mapping of fields")]
    return node, []
