"""The one YAML form of the content files, shared by hand edits and the web editor.

`site-builder fmt` writes every content file in this form; the web editor's serializer
(templates/admin/scp-yaml.js, the same rules in JavaScript) writes the same bytes, so a
one-field form edit is a one-line diff. The rules, from the model and nothing else:

- keys in the order of ORDER below (the order the files were first written in: short fields,
  then texts, then lists), and of the model's fields where ORDER does not say;
- text plain where every YAML tool (1.1 and 1.2) reads it back as the same text (and a date
  like 2026-12-04, which the builder reads as text), else in double quotes; text of several lines as a block (`|`, or `|-` without a final line break);
- a list of single values in brackets when its line fits in WIDTH columns, else one per line;
- a list of items one per line, with a blank line between agencies, priorities and initiatives;
- redirects as one-line `{from: ..., to: ...}` items;
- an empty text or nothing (`~`, `null`) is the same as no line at all, and is left out;
  an empty list (`lead: []`) says something, and stays;
- no comments: a form save could not keep them (their notes belong in the model's field help,
  which the form, the editor's YAML extension and the content guide all show).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contentfiles import decode_text, read_bytes, unreadable
from .convert import field_types, kind_of, yaml_fields, yaml_key
from .problems import Pos, Problem
from .scalars import MEANT, read_as
from .yamlfile import MappingNode, ScalarNode, SequenceNode, compose, pos_of

WIDTH = 100  # the longest line a list of single values may take in brackets
SPACED = ("Agency", "Priority", "Initiative")  # lists of these items have a blank line between items
FLOW = ("Redirect",)  # items written on one line, in braces
# Where the model's field order is not the order people read a file in: these keys first, in this
# order (a key the model adds later comes after them, in the model's order).
ORDER = {
    "SiteConfig": ("name", "short_name", "description", "base_url", "updated", "about", "contact_email",
                   "allowed_emails", "help_numbers", "navigation", "blocked_names"),
    "Agency": ("id", "name", "short_name", "kind", "aliases", "website", "description", "former_names", "ended",
               "succeeded_by"),
    "PfccPlan": ("id", "title", "heading", "period", "extension", "introduction", "priorities"),
    "Plan": ("period", "title", "document", "draft", "date", "pfcc_plan", "timing_label", "introduction",
             "risk_matrix", "members", "priorities_introduction", "priorities", "initiatives", "funding_headings",
             "funding", "priorities_conclusion"),
    "Priority": ("number", "title", "short_title", "id", "editorial_title", "topics", "summary",
                 "source_table_empty", "initiatives"),
    "Initiative": ("title", "id", "editorial_title", "lead", "lead_as_written", "partners", "timing", "description",
                   "outcomes", "updates", "scp_priorities", "pfcc_priorities", "programme", "topics", "status",
                   "links", "funding", "added"),
    "Strategy": ("period", "title", "document", "summary", "members", "governance", "themes",
                 "key_priorities_year", "key_priorities", "sections"),
    "KeyPriority": ("number", "title", "short_title", "topics", "summary"),
}
HINT = "Run `make fmt` (site-builder fmt) to write it in the shared form."


# ---- the shape of each kind of file, from the model -----------------------------------------------

def shapes(root: type) -> dict[str, dict]:
    """Every class reachable from a root class: its keys in written order, and the class of each nested key."""
    table: dict[str, dict] = {}

    def visit(cls: type) -> None:
        name = cls.__name__
        if name in table:
            return
        hints = field_types(cls)
        nested = {yaml_key(fl): kind_of(hints[fl.name]).nested for fl in yaml_fields(cls)}
        first = [key for key in ORDER.get(name, ()) if key in nested]
        entry: dict[str, Any] = {"keys": first + [key for key in nested if key not in first],
                                 "items": {key: inner[0].__name__ for key, inner in nested.items() if inner}}
        if name in SPACED:
            entry["spaced"] = True
        if name in FLOW:
            entry["flow"] = True
        table[name] = entry
        for inner in nested.values():
            for inner_cls in inner:
                visit(inner_cls)

    visit(root)
    return table


def root_class(rel: str):
    """The model class of a content file, by its path relative to the content folder; None if not YAML content."""
    from .model import PageMeta
    from .schema import FILES

    for cls, where in FILES.values():
        pattern = re.escape(where.removeprefix("content/")).replace(r"\*", "[^/]+")
        if re.fullmatch(pattern, rel):
            return cls
    if re.fullmatch(r"pages/[^/]+\.md", rel):
        return PageMeta
    return None


# ---- single values ---------------------------------------------------------------------------------

# Words some YAML tool reads as true, false or nothing; texts that may be read as numbers.
_WORDS = {*MEANT, "null", "~"}  # the same list as scp-yaml.js's WORDS
_NUMBERISH = re.compile(r"[-+.]?[0-9]|[-+]?\.(?:inf|nan)$", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # a date: a text to the builder (scalars.py) and to YAML 1.2
_FIRST = set("-?:,[]{}#&*!|>'\"%@`<=~ \t")
_FLOW_CHARS = set(",[]{}")
# What is not YAML's printable characters, less the carriage return, the ones YAML 1.1 takes as line
# breaks and the byte-order mark (listed, not as all but those: re takes 5 ms to compile a set that
# spans most of Unicode, at every start).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def plain_ok(text: str, flow: bool = False) -> bool:
    """Whether a text may be written without quotes and every YAML tool reads back the same text."""
    return bool(text) and text[0] not in _FIRST and text[-1] not in " \t:" and "\n" not in text \
        and "\t" not in text and ": " not in text and " #" not in text and not _UNPRINTABLE.search(text) \
        and text.lower() not in _WORDS and (not _NUMBERISH.match(text) or bool(_DATE.match(text))) \
        and not (flow and _FLOW_CHARS.intersection(text))


def quoted(text: str) -> str:
    """A text in double quotes, with YAML's escapes (as JSON's, which YAML's double quotes accept)."""
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + _UNPRINTABLE.sub(escape, body) + '"'


def block_ok(text: str) -> bool:
    """Whether a text of several lines may be written as a block and be read back the same."""
    lines = text.removesuffix("\n").split("\n")
    return "\n" in text and not text.endswith("\n\n") and not text.startswith(("\n", " ")) \
        and not _UNPRINTABLE.search(text) and "\t" not in text \
        and not any(line != line.rstrip(" ") for line in lines)


def scalar(value: Any, flow: bool = False) -> str:
    """A single value on one line."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value if plain_ok(value, flow) else quoted(value)


def single(value: Any) -> bool:
    """Whether a value is written on its key's line (a number, true/false, a text of one line)."""
    return not isinstance(value, (dict, list)) and not (isinstance(value, str) and "\n" in value and block_ok(value))


# ---- the writer ------------------------------------------------------------------------------------

def absent(value: Any) -> bool:
    """Nothing, or an empty text: the same as no line."""
    return value is None or value == ""


def ordered(mapping: dict, shape: dict | None) -> list[tuple[str, Any]]:
    """A mapping's keys in the model's order, any others after them as they came; no absent values."""
    keys = shape["keys"] if shape else []
    order = {key: i for i, key in enumerate(keys)}
    items = [(k, v) for k, v in mapping.items() if not absent(v)]
    return sorted(items, key=lambda kv: order.get(kv[0], len(order)))  # sorted() is stable


class Writer:
    """Writes data of one kind of file in the shared form."""

    def __init__(self, table: dict[str, dict], root: str):
        self.table, self.root = table, root
        self.lines: list[str] = []

    def document(self, data: dict) -> str:
        self.lines = []
        self.mapping(data, self.table.get(self.root), 0, "")
        return "".join(line + "\n" for line in self.lines)

    def child(self, shape: dict | None, key: str) -> dict | None:
        name = shape["items"].get(key) if shape else None
        return self.table.get(name) if name else None

    def mapping(self, data: dict, shape: dict | None, indent: int, first: str) -> None:
        """Write a mapping's lines; the first starts with `first` (a list item's dash) instead of spaces."""
        items = ordered(data, shape)
        if not items:
            self.lines.append(" " * indent + first + "{}") if first else None
            return
        for i, (key, value) in enumerate(items):
            lead = (first if i == 0 else " " * len(first)) if first else ""
            self.value(" " * indent + lead + scalar(str(key)) + ":", value, indent + len(first),
                       self.child(shape, key))

    def value(self, head: str, value: Any, indent: int, shape: dict | None) -> None:
        """Write `head` (a key and its colon) and the value after it or under it."""
        if isinstance(value, dict):
            if shape and shape.get("flow") or not value:
                self.lines.append(head + " " + self.flow_mapping(value, shape))
                return
            self.lines.append(head)
            self.mapping(value, shape, indent + 2, "")
        elif isinstance(value, list):
            self.sequence(head, value, indent, shape)
        elif isinstance(value, str) and "\n" in value and block_ok(value):
            self.lines.append(head + (" |" if value.endswith("\n") else " |-"))
            self.block(value, indent + 2)
        else:
            self.lines.append(head + " " + scalar(value))

    def block(self, text: str, indent: int) -> None:
        for line in text.removesuffix("\n").split("\n"):
            self.lines.append(" " * indent + line if line else "")

    def flow_mapping(self, value: dict, shape: dict | None) -> str:
        return "{" + ", ".join(f"{scalar(str(k), True)}: {self.flow_value(v)}" for k, v in ordered(value, shape)) + "}"

    def flow_value(self, value: Any) -> str:
        if isinstance(value, dict):
            return self.flow_mapping(value, None)
        if isinstance(value, list):
            return "[" + ", ".join(self.flow_value(v) for v in value) + "]"
        return scalar(value, True) if single(value) else quoted(value)

    def sequence(self, head: str, items: list, indent: int, shape: dict | None) -> None:
        if not items:
            self.lines.append(head + " []")
            return
        if all(not isinstance(v, (dict, list)) and single(v) and not absent(v) for v in items):
            line = head + " [" + ", ".join(scalar(v, True) for v in items) + "]"
            if len(line) <= WIDTH:
                self.lines.append(line)
                return
        self.lines.append(head)
        pad = " " * (indent + 2)
        for i, item in enumerate(items):
            if i and shape and shape.get("spaced") and isinstance(item, dict):
                self.lines.append("")
            if isinstance(item, dict) and item and not (shape and shape.get("flow")):
                self.mapping(item, shape, indent + 2, "- ")
            elif isinstance(item, dict):
                self.lines.append(pad + "- " + self.flow_mapping(item, shape))
            elif isinstance(item, list):
                self.lines.append(pad + "- " + self.flow_value(item))
            elif absent(item):
                self.lines.append(pad + "- " + ('""' if item == "" else "null"))
            elif isinstance(item, str) and not single(item):
                self.lines.append(pad + "-" + (" |" if item.endswith("\n") else " |-"))
                self.block(item, indent + 4)
            else:
                self.lines.append(pad + "- " + scalar(item))


# ---- reading a file's data -------------------------------------------------------------------------

_TOO_MANY = "YAML aliases here repeat more values than the file holds"

def node_data(node, file: str, problems: list[Problem], seen: dict | None = None) -> Any:
    """The plain data of a node tree, read as the builder reads single values.

    An alias is written out in full (the shared form has none), but only so far: aliases of aliases can
    make a few lines stand for more values than memory holds, so reading stops once it has read ten times
    as many nodes as it has met (`seen`: the nodes met, and how many were read).
    """
    seen = {"nodes": set(), "read": 0} if seen is None else seen
    seen["nodes"].add(id(node))
    seen["read"] += 1
    if seen["read"] > 10 * len(seen["nodes"]) + 10_000:
        if not any(p.message == _TOO_MANY for p in problems):  # said once
            problems.append(Problem(pos_of(node, file), "", _TOO_MANY, "each list and mapping written out where "
                                    "it is used", "Write the values out in full instead of an alias ('*name')."))
        return None
    if isinstance(node, MappingNode):
        out: dict = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else ""
            if name in out:
                problems.append(Problem(pos_of(key, file), name, f"'{name}' is given twice", "each field once"))
            out[name] = node_data(value, file, problems, seen)
        return out
    if isinstance(node, SequenceNode):
        return [node_data(item, file, problems, seen) for item in node.value]
    kind = read_as(node)
    if kind == "text":
        return node.value
    if kind == "nothing":
        return None
    if kind == "yes/no" and node.value in ("true", "false"):
        return node.value == "true"
    if kind == "number" and re.fullmatch(r"0|-?[1-9][0-9]*", node.value):
        return int(node.value)
    problems.append(Problem(pos_of(node, file), "", f"the value '{node.value}' is read differently by YAML tools",
                            "a value the builder accepts", "Run `make check` for the fix."))
    return node.value


@dataclass
class Formatted:
    """A content file and its text in the shared form (None when the file has problems to fix first)."""

    rel: str
    text: str
    canonical: str | None
    problems: list[Problem]

    @property
    def changed(self) -> bool:
        return self.canonical is not None and self.canonical != self.text


def format_text(text: str, rel: str, file: str | None = None) -> Formatted:
    """The shared form of a content file's text (YAML, or a Markdown page's front matter and body)."""
    file = file or rel
    cls = root_class(rel)
    if cls is None:
        return Formatted(rel, text, text, [])
    if rel.endswith(".md"):
        from .load import split_front_matter

        front, body, body_line = split_front_matter(text)
        if not front:
            return Formatted(rel, text, None, [])
        inner = format_yaml(front, cls, file)
        if inner.canonical is None:
            return Formatted(rel, text, None, inner.problems)
        return Formatted(rel, text, "---\n" + inner.canonical + "---\n" + body, [])
    return format_yaml(text, cls, file, rel)


def format_yaml(text: str, cls: type, file: str, rel: str = "") -> Formatted:
    node, problems = compose(text, file)
    if node is None or not isinstance(node, MappingNode):
        return Formatted(rel, text, None, problems)
    data = node_data(node, file, problems)
    if problems:
        return Formatted(rel, text, None, problems)
    return Formatted(rel, text, format_data(data, cls), [])


def format_data(data: dict, cls: type) -> str:
    """Data of one kind of file, written in the shared form."""
    return Writer(shapes(cls), cls.__name__).document(data)


def first_difference(old: str, new: str) -> int:
    """The 1-based number of the first line where two texts differ."""
    a, b = old.splitlines(), new.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1
    return min(len(a), len(b)) + 1


def not_canonical(result: Formatted, level: str = "warning") -> Problem:
    """The problem of a file that is not written in the shared form."""
    line = first_difference(result.text, result.canonical or "")
    pos = Pos(result.problems[0].pos.file if result.problems else result.rel, line, 1)
    return Problem(pos, "", "the file is not in the shared YAML form that the web editor writes",
                   "the form `site-builder fmt` writes", HINT, level=level)


def content_files(content: Path) -> list[Path]:
    """The content files fmt formats: every YAML file and Markdown page the model describes."""
    return [p for p in sorted(content.rglob("*")) if p.is_file() and not p.is_symlink()
            and root_class(p.relative_to(content).as_posix()) is not None]


def format_folder(content: Path, write: bool) -> tuple[list[Formatted], list[Problem]]:
    """Format every content file (writing the changed ones if asked); return the results and problems."""
    results, problems = [], []
    for path in content_files(content):
        rel = path.relative_to(content).as_posix()
        try:
            text, unread = decode_text(read_bytes(path), str(path))
        except OSError as exc:  # Refused too: a file the builder reads no more than fmt does
            text, unread = "", [unreadable(str(path), exc)]
        result = format_text(text, rel, str(path)) if not unread else Formatted(rel, text, None, unread)
        result.rel = str(path)
        results.append(result)
        problems.extend(result.problems)
        if write and result.changed:
            path.write_text(result.canonical, encoding="utf-8")
    return results, problems


@functools.cache  # a function of the model's code alone
def shapes_json() -> str:
    """Every kind of file's shape, for the web editor's serializer."""
    from .model import PageMeta
    from .schema import FILES

    roots = {cls.__name__: shapes(cls) for cls, _ in FILES.values()}
    roots[PageMeta.__name__] = shapes(PageMeta)
    return json.dumps({"width": WIDTH, "roots": roots}, indent=1, sort_keys=True, ensure_ascii=False)
