"""Turn YAML nodes into model objects, collecting every problem on the way."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Annotated, Any, Callable, Literal

from . import markdown
from .contentfiles import FORBIDDEN_IN_VALUES, control_problem
from .markdown import Markdown
from .model import Email, LinkUrl, Markdown3, Pattern, Ref
from .problems import Pos, Problem, did_you_mean
from .scalars import KINDS, Kind, read_as, text_hint
from .yamlfile import MappingNode, Node, ScalarNode, SequenceNode, pos_of

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()

_EMAIL = re.compile(Email.pattern)


def quote(text: str, limit: int = 60) -> str:
    """Quote a value in a message: in part, when it is long (the line is shown below the message)."""
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit - 3]}...'"


def describe(node: Node) -> str:
    """Say what a node holds, in a comms officer's words."""
    if isinstance(node, MappingNode):
        return "a group of fields"
    if isinstance(node, SequenceNode):
        return "a list"
    what, value = read_as(node), node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if what == "nothing":
        return f"'{value}', which YAML reads as nothing" if value else "nothing"
    return {"yes/no": f"yes/no value '{value}'", "number": f"the number {value}"}.get(what, f"'{value}'")


class Resolver(typing.Protocol):
    """Finds registry entries (agencies, topics, programmes) by name."""

    def lookup(self, kind: str, text: str) -> tuple[Any, str]: ...  # (object or None, hint)


class Converter:
    """Converts one file's nodes; problems accumulate in self.problems."""

    def __init__(self, file: str, lines: list[str], resolver: Resolver | None = None):
        self.file = file
        self.lines = lines
        self.resolver = resolver
        self.problems: list[Problem] = []

    def pos(self, node: Node) -> Pos:
        """Return a node's 1-based position in this file."""
        return pos_of(node, self.file)

    def report(self, node: Node, path: str, message: str, expected: str = "", hint: str = "") -> Any:
        """Record a problem at a node and return INVALID."""
        self.problems.append(Problem(self.pos(node), path, message, expected, hint))
        return INVALID

    def convert(self, node: Node, tp: Any, path: str) -> Any:
        """Convert a node to the given type."""
        return converter_for(tp)(self, node, path)


# ---- one converter function per type, built once and cached -------------------------

_converters: dict[Any, Callable[[Converter, Node, str], Any]] = {}


def converter_for(tp: Any) -> Callable[[Converter, Node, str], Any]:
    """Return (and cache) the function that converts nodes to this type."""
    fn = _converters.get(tp)
    if fn is None:
        fn = _converters[tp] = _build(tp)
    return fn


def _build(tp: Any) -> Callable[[Converter, Node, str], Any]:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *extras = typing.get_args(tp)
        marker = extras[0]
        if isinstance(marker, Pattern):
            return _pattern(marker)
        if isinstance(marker, Ref):
            return _ref(marker.kind)
        if marker is LinkUrl:
            return _url
        if marker is Email:
            return _email
        if marker is Markdown3:
            return _markdown(3)
        raise TypeError(f"unknown annotation {marker!r}")
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _optional(converter_for(args[0]))
    if origin is tuple:
        item = typing.get_args(tp)[0]
        single_ok = typing.get_origin(item) is Annotated and isinstance(typing.get_args(item)[1], Ref)
        return _sequence(converter_for(item), single_ok)
    if origin is Literal:
        return _literal(typing.get_args(tp))
    if tp is str:
        return _text
    if tp in KINDS:
        return _single(KINDS[tp])
    if tp is Markdown:
        return _markdown(2)
    if dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    raise TypeError(f"no converter for {tp!r}")


def _scalar(conv: Converter, node: Node, path: str, expected: str, text: bool = True) -> str | None:
    """Return a scalar's text, or report what was found instead (a text YAML reads otherwise, unless text=False)."""
    if not isinstance(node, ScalarNode):
        conv.report(node, path, f"found {describe(node)}", expected)
        return None
    what = read_as(node)
    if what == "nothing" and not node.value:
        conv.report(node, path, "this field is empty", expected, "Write a value after the colon, or remove the field.")
        return None
    # A number or yes/no where one is expected goes on to its reader; nothing never does.
    if what != "text" and (text or what == "nothing"):
        conv.report(node, path, f"found {describe(node)}", expected,
                    text_hint(node) if text else "Write a value, or remove the field.")
        return None
    # Raw control characters are refused as the file is read; these were written as escapes ("\e", "\x07").
    bad = FORBIDDEN_IN_VALUES.search(node.value)
    if bad:
        conv.problems.append(control_problem(conv.pos(node), path, bad.group(), escaped=True))
        return None
    return node.value


def _text(conv: Converter, node: Node, path: str) -> Any:
    text = _scalar(conv, node, path, "a text")
    if text is None:
        return INVALID
    if not text.strip():
        return conv.report(node, path, "this field is empty", "a text",
                           "Write a value, or remove the field.")
    return text.strip() if node.style not in ("|", ">") else text


def _pattern(pattern: Pattern):
    regex = re.compile(pattern.regex)

    def convert(conv: Converter, node: Node, path: str) -> Any:
        text = _scalar(conv, node, path, pattern.expected)
        if text is None:
            return INVALID
        if not regex.fullmatch(text):  # not match: "$" matches before a final line break
            return conv.report(node, path, f"found {quote(text)}", pattern.expected,
                               f"For example: {pattern.example}")
        if pattern.max_length is not None and len(text) > pattern.max_length:
            return conv.report(node, path, f"the value is {len(text)} characters long",
                               f"at most {pattern.max_length} characters", "Shorten it: it is part of a web address.")
        return text
    return convert


def _url(conv: Converter, node: Node, path: str) -> Any:
    text = _scalar(conv, node, path, "a web address")
    if text is None:
        return INVALID
    why = markdown.link_problem(text)
    if why:
        return conv.report(node, path, f"unsafe link {quote(text)}: {why}",
                           "a link starting with https://, http://, mailto: or /")
    return text


def _email(conv: Converter, node: Node, path: str) -> Any:
    text = _scalar(conv, node, path, "an email address")
    if text is None:
        return INVALID
    if not _EMAIL.fullmatch(text):
        return conv.report(node, path, f"found {quote(text)}", "an email address like team@colchester.gov.uk")
    return text


def _single(single: Kind):
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if _scalar(conv, node, path, single.expected, text=False) is None:
            return INVALID
        value, hint = single.read(node)
        return conv.report(node, path, f"found {describe(node)}", single.expected, hint) if value is None else value
    return convert


def _literal(choices: tuple[str, ...]):
    listed = ", ".join(choices)

    def convert(conv: Converter, node: Node, path: str) -> Any:
        text = _scalar(conv, node, path, f"one of: {listed}")
        if text is None:
            return INVALID
        if text not in choices:
            return conv.report(node, path, f"found {quote(text)}", f"one of: {listed}", did_you_mean(text, choices))
        return text
    return convert


def _markdown(min_heading: int):
    def convert(conv: Converter, node: Node, path: str) -> Any:
        text = _scalar(conv, node, path, "a text (Markdown)")
        if text is None:
            return INVALID
        rendered, findings = markdown.render(text, min_heading)
        for finding in findings:
            conv.problems.append(Problem(_line_pos(conv, node, finding.line), path, finding.message,
                                         finding.expected, finding.hint))
        return rendered if not findings else INVALID
    return convert


def _line_pos(conv: Converter, node: ScalarNode, offset: int) -> Pos:
    """Find the file position of a line inside a (possibly multi-line) text."""
    if node.style in ("|", ">"):
        line = node.start_mark.line + 1 + offset  # the text starts below the '|'
    else:
        line = node.start_mark.line + offset
    if line >= len(conv.lines):
        return conv.pos(node)
    text = conv.lines[line]
    return Pos(conv.file, line + 1, len(text) - len(text.lstrip()) + 1)


def _ref(kind: str):
    def convert(conv: Converter, node: Node, path: str) -> Any:
        text = _scalar(conv, node, path, f"the id or name of a {kind}")
        if text is None:
            return INVALID
        assert conv.resolver is not None, "references need a resolver"
        found, hint = conv.resolver.lookup(kind, text)
        if found is None:
            return conv.report(node, path, f"unknown {kind} {quote(text)}",
                               f"an id, name or alias from content/{kind_file(kind)}", hint)
        return found
    return convert


def kind_file(kind: str) -> str:
    """Name the registry file of a kind of reference."""
    return {"agency": "agencies.yaml", "topic": "topics.yaml", "programme": "programmes.yaml"}[kind]


def _optional(inner):
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if isinstance(node, ScalarNode) and read_as(node) == "nothing":
            return None
        return inner(conv, node, path)
    return convert


def _sequence(inner, single_ok: bool):
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if isinstance(node, ScalarNode):
            if read_as(node) == "nothing":
                return ()
            if single_ok:  # 'lead: Essex Police' means a list of one
                value = inner(conv, node, path)
                return INVALID if value is INVALID else (value,)
        if not isinstance(node, SequenceNode):
            return conv.report(node, path, f"found {describe(node)}", "a list",
                               "Write the items in square brackets, [a, b], or one per line starting with '- '.")
        values = tuple(inner(conv, item, f"{path}[{i}]") for i, item in enumerate(node.value))
        return INVALID if any(v is INVALID for v in values) else values
    return convert


def yaml_fields(cls) -> list[dataclasses.Field]:
    """The fields of a model class that content files may set."""
    return [fl for fl in dataclasses.fields(cls) if not fl.metadata.get("derived")]


def yaml_key(fl: dataclasses.Field) -> str:
    """The key a content file writes for a field (its name, unless the model says otherwise)."""
    return fl.metadata.get("key") or fl.name


def _dataclass(cls):
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = yaml_fields(cls)
    names = [yaml_key(fl) for fl in fields]
    attrs = {yaml_key(fl): fl.name for fl in fields}
    field_convs = {yaml_key(fl): converter_for(hints[fl.name]) for fl in fields}
    required = [yaml_key(fl) for fl in fields
                if fl.default is dataclasses.MISSING and fl.default_factory is dataclasses.MISSING]
    has_pos = "pos" in {fl.name for fl in dataclasses.fields(cls)}
    what = (cls.__doc__ or cls.__name__).strip().rstrip(".")

    def convert(conv: Converter, node: Node, path: str) -> Any:
        if not isinstance(node, MappingNode):
            return conv.report(node, path, f"found {describe(node)}",
                               f"fields of {what[0].lower() + what[1:]} ('name: value' lines)")
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        invalid: set[str] = set()  # fields given with a wrong value (already reported)
        ok = True
        previous = None  # the field before, as (key, value node)
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            before, previous = previous, (key, value_node)
            if key in values or key in invalid:
                conv.report(key_node, prefix + str(key), f"'{key}' is given twice",
                            "each field once", "Remove one of them: only one can be used.")
                ok = False
                continue
            if key not in field_convs:
                hint = (_unindented_text_hint(before) or did_you_mean(str(key), names)
                        or f"Fields allowed here: {', '.join(names)}.")
                conv.report(key_node, prefix + str(key), f"unknown field '{key}'",
                            f"a field of {what[0].lower() + what[1:]}", hint)
                ok = False
                continue
            value = field_convs[key](conv, value_node, prefix + key)
            if value is INVALID:
                ok = False
                invalid.add(key)
            else:
                values[key] = value
        for name in required:
            if name not in values and name not in invalid:
                conv.report(node, prefix + name, f"the required field '{name}' is missing",
                            f"a '{name}:' line in this item")
                ok = False
        if not ok:
            return INVALID
        values = {attrs[key]: value for key, value in values.items()}
        if has_pos:
            values["pos"] = conv.pos(node)
        return cls(**values)
    return convert



def _unindented_text_hint(before) -> str:
    """After an empty 'description: |', an unknown field is likely its text, not indented."""
    if before is None:
        return ""
    key, value = before
    if isinstance(value, ScalarNode) and value.style in ("|", ">") and not value.value:
        return (f"If this line is the text of '{key}: {value.style}' above, indent it by two more spaces "
                f"than '{key}'.")
    return ""
