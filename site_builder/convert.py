"""Turn YAML nodes into model objects, collecting every problem on the way."""

from __future__ import annotations

import calendar
import copy
import dataclasses
import functools
import re
import types
import typing
from typing import Annotated, Any, Callable, Literal

from . import markdown
from .contentfiles import FORBIDDEN_IN_VALUES, control_problem
from .markdown import Markdown
from .model import REGISTRIES, Email, LinkUrl, Markdown3, Pattern, Ref
from .problems import Pos, Problem, did_you_mean
from .scalars import KINDS as SINGLE, read_as, text_hint
from .yamlfile import MappingNode, Node, ScalarNode, SequenceNode, pos_of, unchanged_key

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


class Earlier:
    """What a file's earlier conversion made of each group of fields, by its text and place, and what this
    one makes: a preview converts again only the groups an edit changed (a plan's other rows are kept).

    A group's value is the same whenever its text starts at the same line and column of the same file,
    converted with the same registries and glossary (the loader gives the earlier values only then): it
    reads nothing else, but an alias (yamlfile.unchanged_key: none then) or a YAML directive ('%TAG'),
    which changes how tags read. A group holding either is converted every time."""

    def __init__(self, text: str, values: dict | None = None):
        self.text = text
        self.values = values if values is not None and re.search(r"(?m)^%", text) is None else {}
        self.made: dict = {}

    def key(self, cls, node: Node) -> tuple | None:
        """The key of a group's value: its class, place and text; None where it reads an alias."""
        unchanged = unchanged_key(node, self.text)
        return None if unchanged is None else (cls, *unchanged)


class Converter:
    """Converts one file's nodes; problems accumulate in self.problems."""

    def __init__(self, file: str, lines: list[str], resolver: Resolver | None = None,
                 abbreviate: Callable[[str], str] | None = None, earlier: Earlier | None = None):
        self.file = file
        self.lines = lines
        self.resolver = resolver
        self.abbreviate = abbreviate  # marks the glossary's abbreviations in rendered Markdown
        self.earlier = earlier  # groups converted before, to take again where unchanged (a preview's)
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
        return kind_of(tp).convert(self, node, path)


# ---- kinds of value: each converts a node, gives its JSON Schema and its note in the guide ----

@dataclasses.dataclass(frozen=True, eq=False)
class Kind:
    """A kind of value in a content file: how a node is read, its JSON Schema, its field in the web editor's
    form, what the guide and open data say."""

    convert: Callable[[Converter, Node, str], Any]  # the value a node holds, or INVALID with the problem reported
    schema: Callable[[Any], dict]  # its JSON Schema, given a schema.SchemaMaker (reference names, definitions)
    widget: Callable[[], dict]  # its Decap CMS widget, without name, label or help (cms.py adds them)
    note: str = ""  # what the content guide says of it, after the field's help
    column: str = "string"  # the kind of an open-data column that holds it
    nested: tuple = ()  # the model classes whose fields it holds, for the guide's tables
    lone: bool = False  # a lone one may stand for a list of one ('lead: Essex Police')


def _optional(inner: Kind) -> Kind:
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if isinstance(node, ScalarNode) and read_as(node) == "nothing":
            return None
        return inner.convert(conv, node, path)
    return Kind(convert, lambda maker: {"anyOf": [inner.schema(maker), {"type": "null"}]}, inner.widget, inner.note,
                inner.column, inner.nested)


def _sequence(inner: Kind) -> Kind:
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if isinstance(node, ScalarNode):
            if read_as(node) == "nothing":
                return ()
            if inner.lone:
                value = inner.convert(conv, node, path)
                return INVALID if value is INVALID else (value,)
        if not isinstance(node, SequenceNode):
            return conv.report(node, path, f"found {describe(node)}", "a list",
                               "Write the items in square brackets, [a, b], or one per line starting with '- '.")
        values = tuple(inner.convert(conv, item, f"{path}[{i}]") for i, item in enumerate(node.value))
        return INVALID if any(v is INVALID for v in values) else values

    def schema(maker) -> dict:
        # Nothing after the colon (or only comments below it) is an empty list, as the builder reads it.
        array = {"type": ["array", "null"], "items": inner.schema(maker)}
        return {"anyOf": [inner.schema(maker), array]} if inner.lone else array

    def widget() -> dict:
        item = inner.widget()
        if item["widget"] == "relation":
            return {**item, "multiple": True}
        if "fields" not in item:
            return {"widget": "list", "field": {"label": "Item", "name": "item", **item}}
        # Each item collapsed to a line that names it: its first two naming fields, or its first.
        names = [f["name"] for f in item["fields"]]
        shown = [n for n in ("number", "title", "name", "abbreviation", "label", "recipient", "from") if n in names]
        summary = " ".join("{{fields." + n + "}}" for n in shown[:2]) or "{{fields." + names[0] + "}}"
        return {"widget": "list", "collapsed": True, "summary": summary, "fields": item["fields"]}
    return Kind(convert, schema, widget, " A list.", "integer list" if inner.column == "integer" else "list",
                inner.nested)


URL_PATTERN = r"^(https?://\S+|mailto:\S+|/\S*|#\S*)$"
_kinds: dict[Any, Kind] = {}


def kind_of(tp: Any) -> Kind:
    """The kind of a model type (made once): the one place a type is matched to how it is read and described."""
    found = _kinds.get(tp)
    if found is None:
        found = _kinds[tp] = _kind(tp)
    return found


def _string(**schema) -> Callable[[Any], dict]:
    return lambda maker: {"type": "string", **schema}


def _widget(name: str, **more) -> Callable[[], dict]:
    return lambda: copy.deepcopy({"widget": name, **more})  # each field its own lists: no YAML anchors


_TEXT_BOX = _widget("scp-markdown")  # cms.js: a text box that keeps every byte, previewed as Markdown


def _kind(tp: Any) -> Kind:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        marker = typing.get_args(tp)[1]
        if isinstance(marker, Pattern):
            limit = {"maxLength": marker.max_length} if marker.max_length else {}
            return Kind(_pattern(marker), _string(pattern=marker.regex, **limit, examples=[marker.example]),
                        _widget("string", pattern=[marker.regex, f"Write {_with_example(marker)}."]))
        if isinstance(marker, Ref):
            def names(maker, kind=marker.kind) -> dict:  # every name it may be, when the content is known
                return {"type": "string", **({"enum": maker.names[kind]} if maker.names.get(kind) else {})}
            return Kind(_ref(marker.kind), names, _relation(marker.kind), lone=True)
        if marker is LinkUrl:
            return Kind(_of_text("a web address", _url), _string(pattern=URL_PATTERN), _widget("string"))
        if marker is Email:
            return Kind(_of_text("an email address", _email), _string(pattern=Email.pattern), _widget("string"))
        if marker is Markdown3:
            return Kind(_markdown(3), _string(description="Markdown text; headings start at ###."), _TEXT_BOX)
        raise TypeError(f"unknown annotation {marker!r}")
    if origin in (typing.Union, types.UnionType):
        return _optional(kind_of([a for a in typing.get_args(tp) if a is not type(None)][0]))
    if origin is tuple:
        return _sequence(kind_of(typing.get_args(tp)[0]))
    if origin is Literal:
        choices = typing.get_args(tp)
        return Kind(_literal(choices), lambda maker: {"enum": list(choices)}, _widget("select", options=list(choices)),
                    " One of: " + ", ".join(f"`{c}`" for c in choices) + ".")
    if tp is str:
        return Kind(_of_text("a text", _text), _string(minLength=1), _widget("string"))
    if tp in SINGLE:  # a whole number, true or false: read by the rules of scalars.py
        single = SINGLE[tp]
        return Kind(_single(single), lambda maker: dict(single.schema), lambda: dict(single.widget),
                    " " + single.note, single.schema["type"])
    if tp is Markdown:
        return Kind(_markdown(2), _string(), _TEXT_BOX)
    if dataclasses.is_dataclass(tp):
        def group() -> dict:
            from .cms import fields_of  # the form's fields of a class: in fmt's order, with the model's help
            return {"widget": "object", "collapsed": False, "fields": fields_of(tp)}
        return Kind(_dataclass(tp), lambda maker: maker.define(tp), group, nested=(tp,))
    raise TypeError(f"no kind of value for {tp!r}")


def _with_example(pattern: Pattern) -> str:
    """What a pattern expects, with its example unless the words give one."""
    return pattern.expected if "like " in pattern.expected else f"{pattern.expected}, like {pattern.example}"


def _relation(kind: str) -> Callable[[], dict]:
    """A reference as a choice from its registry: agencies by name (a plan prints a name, and an id is never
    taken for a printed one), topics and programmes by id, as the content writes them."""
    registry = REGISTRIES[kind]
    value = "name" if kind == "agency" else "id"
    return _widget("relation", collection="registries", file=registry.field,
                   value_field=f"{registry.field}.*.{value}",
                   search_fields=[f"{registry.field}.*.name", f"{registry.field}.*.id"],
                   display_fields=[f"{registry.field}.*.name"])


def _scalar(conv: Converter, node: Node, path: str, expected: str, text: bool = True) -> str | None:
    """Return a scalar's text, or report what was found instead (a text YAML reads otherwise, unless text=False)."""
    if not isinstance(node, ScalarNode):
        conv.report(node, path, f"found {describe(node)}", expected)
        return None
    lines, mark = conv.lines, node.start_mark
    line = lines[mark.line] if mark.line < len(lines) else ""
    if line[mark.column:mark.column + 1] in ("&", "!"):  # YAML took the first word for an anchor or a tag
        first = line[mark.column:].split(None, 1)[0]
        conv.report(node, path, f"YAML reads '{first}' at the start as {'an anchor' if first[0] == '&' else 'a tag'}"
                    f", and leaves it out of the value", expected,
                    f"Put the whole value in quotes, starting \"{first}, if you mean the text.")
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
    # Raw control characters are refused as the file is read; these were written as escapes ("\e", "\x07"), which
    # only a double-quoted value reads (YAML makes every other value's line breaks, \r\n and \r, a \n).
    bad = FORBIDDEN_IN_VALUES.search(node.value) if node.style == '"' else None
    if bad:
        conv.problems.append(control_problem(conv.pos(node), path, bad.group(), escaped=True))
        return None
    return node.value


def _of_text(expected: str, check: Callable[[Converter, Node, str, str], Any]):
    """A converter of a text value: once _scalar has it (else INVALID), check(conv, node, path, text) judges it."""
    def convert(conv: Converter, node: Node, path: str) -> Any:
        text = _scalar(conv, node, path, expected)
        return INVALID if text is None else check(conv, node, path, text)
    return convert


def _text(conv: Converter, node: Node, path: str, text: str) -> Any:
    if not text.strip():
        return conv.report(node, path, "this field is empty", "a text",
                           "Write a value, or remove the field.")
    return text.strip() if node.style not in ("|", ">") else text


def _pattern(pattern: Pattern):
    regex = re.compile(pattern.regex)

    def check(conv: Converter, node: Node, path: str, text: str) -> Any:
        if not regex.fullmatch(text):  # not match: "$" matches before a final line break
            return conv.report(node, path, f"found {quote(text)}", pattern.expected,
                               f"For example: {pattern.example}")
        if pattern.calendar and (missing := _not_in_calendar(text)):
            return conv.report(node, path, f"found {quote(text)}: there is no {missing}", pattern.expected,
                               "Check the day and the month.")
        if pattern.max_length is not None and len(text) > pattern.max_length:
            return conv.report(node, path, f"the value is {len(text)} characters long",
                               f"at most {pattern.max_length} characters", "Shorten it: it is part of a web address.")
        return text
    return _of_text(pattern.expected, check)


def _not_in_calendar(text: str) -> str:
    """'' for a year, month or day the calendar has (2014, 2014-06, 2026-02-28); else the one it lacks."""
    year, _, rest = text.partition("-")
    if int(year) == 0:
        return "year 0"
    if rest.count("-") == 1:
        month, day = map(int, rest.split("-"))
        if day > calendar.monthrange(int(year), month)[1]:
            return f"{day} {calendar.month_name[month]} {int(year)}"
    return ""


def _url(conv: Converter, node: Node, path: str, text: str) -> Any:
    why = markdown.link_problem(text)
    if why:
        return conv.report(node, path, f"unsafe link {quote(text)}: {why}",
                           "a link starting with https://, http://, mailto: or /")
    return text


def _email(conv: Converter, node: Node, path: str, text: str) -> Any:
    if not _EMAIL.fullmatch(text):
        return conv.report(node, path, f"found {quote(text)}", "an email address like team@colchester.gov.uk")
    return text


def _single(single):  # a scalars.Kind
    def convert(conv: Converter, node: Node, path: str) -> Any:
        if _scalar(conv, node, path, single.expected, text=False) is None:
            return INVALID
        value, hint = single.read(node)
        return conv.report(node, path, f"found {describe(node)}", single.expected, hint) if value is None else value
    return convert


def _literal(choices: tuple[str, ...]):
    listed = ", ".join(choices)

    def check(conv: Converter, node: Node, path: str, text: str) -> Any:
        if text not in choices:
            return conv.report(node, path, f"found {quote(text)}", f"one of: {listed}", did_you_mean(text, choices))
        return text
    return _of_text(f"one of: {listed}", check)


def _markdown(min_heading: int):
    def check(conv: Converter, node: Node, path: str, text: str) -> Any:
        rendered, findings = markdown.render(text, min_heading)
        for finding in findings:
            conv.problems.append(Problem(_line_pos(conv, node, finding.line, finding.typed), path, finding.message,
                                         finding.expected, finding.hint))
        if findings:
            return INVALID
        return markdown.marked(rendered, conv.abbreviate) if conv.abbreviate else rendered
    return _of_text("a text (Markdown)", check)


def _line_pos(conv: Converter, node: ScalarNode, offset: int, typed: str = "") -> Pos:
    """Find the file position of a line inside a (possibly multi-line) text: where `typed` is on it, if it
    is, else where the line's text starts."""
    if node.style in ("|", ">"):
        line = node.start_mark.line + 1 + offset  # the text starts below the '|'
    else:
        line = node.start_mark.line + offset
    if line >= len(conv.lines):
        return conv.pos(node)
    return Pos(conv.file, line + 1, column_of(conv.lines[line], typed,
                                               node.start_mark.column if line == node.start_mark.line else 0))


def column_of(line: str, typed: str, start: int = 0) -> int:
    """The 1-based column of `typed` on a line (from `start`), or of the line's first character if not there."""
    at = line.find(typed, start) if typed else -1
    return at + 1 if at >= 0 else len(line) - len(line.lstrip()) + 1


def _ref(kind: str):
    def check(conv: Converter, node: Node, path: str, text: str) -> Any:
        assert conv.resolver is not None, "references need a resolver"
        found, hint = conv.resolver.lookup(kind, text)
        if found is None:
            return conv.report(node, path, f"unknown {kind} {quote(text)}",
                               f"an id, name or alias from content/{REGISTRIES[kind].file}", hint)
        return found
    return _of_text(f"the id or name of {'an' if kind[0] in 'aeiou' else 'a'} {kind}", check)


@functools.cache
def field_types(cls) -> dict[str, Any]:
    """A model class's fields' types, with their notes (typing.get_type_hints, which reads the class's
    annotations anew each time: a build asked for Initiative's 28 times, 27 ms in all)."""
    return typing.get_type_hints(cls, include_extras=True)


def yaml_fields(cls) -> list[dataclasses.Field]:
    """The fields of a model class that content files may set."""
    return [fl for fl in dataclasses.fields(cls) if not fl.metadata.get("derived")]


def yaml_key(fl: dataclasses.Field) -> str:
    """The key a content file writes for a field (its name, unless the model says otherwise)."""
    return fl.metadata.get("key") or fl.name


def _dataclass(cls):
    hints = field_types(cls)
    fields = yaml_fields(cls)
    names = [yaml_key(fl) for fl in fields]
    attrs = {yaml_key(fl): fl.name for fl in fields}
    field_convs = {yaml_key(fl): kind_of(hints[fl.name]).convert for fl in fields}
    required = [yaml_key(fl) for fl in fields
                if fl.default is dataclasses.MISSING and fl.default_factory is dataclasses.MISSING]
    if_missing = {yaml_key(fl): fl.metadata["if_missing"] for fl in fields if fl.metadata.get("if_missing")}
    all_names = {fl.name for fl in dataclasses.fields(cls)}
    has_pos = "pos" in all_names
    printed = {yaml_key(fl): fl.name + "_printed" for fl in fields if fl.name + "_printed" in all_names}
    what = (cls.__doc__ or cls.__name__).strip().rstrip(".")

    def convert(conv: Converter, node: Node, path: str) -> Any:
        if not isinstance(node, MappingNode):
            return conv.report(node, path, f"found {describe(node)}",
                               f"fields of {what[0].lower() + what[1:]} ('name: value' lines)")
        earlier = conv.earlier
        key = earlier.key(cls, node) if earlier is not None else None
        if key is not None and (value := earlier.values.get(key)) is not None:
            earlier.made[key] = value
            return value
        problems = len(conv.problems)
        value = convert_fields(conv, node, path)
        if key is not None and value is not INVALID and len(conv.problems) == problems:
            earlier.made[key] = value  # not one with a problem or a warning: each is reported again
        return value

    def convert_fields(conv: Converter, node: Node, path: str) -> Any:
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        invalid: set[str] = set()  # fields given with a wrong value (already reported)
        ok = True
        previous = None  # the field before, as (key, value node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):  # '? [a, b]': a list or mapping made a field's name
                conv.report(key_node, path, f"found {describe(key_node)} as the name of a field",
                            f"a field of {what[0].lower() + what[1:]}",
                            "Write the field's name, a colon and its value: 'name: value'.")
                ok = False
                continue
            key = key_node.value
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
            nodes[key] = value_node
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
        for name, (message, expected, hint) in if_missing.items():
            if name not in values and name not in invalid:
                conv.problems.append(Problem(conv.pos(node), prefix + name, message, expected, hint, "warning"))
        if not ok:
            return INVALID
        for key in printed.keys() & values.keys():
            values[printed[key]] = written_names(nodes[key], values[key])
        values = {attrs.get(key, key): value for key, value in values.items()}
        if has_pos:
            values["pos"] = conv.pos(node)
        return cls(**values)
    return convert


def written_names(node: Node, entries: tuple) -> tuple[str, ...]:
    """Each reference of a list as the file writes it (a lone name is a list of one); '' where it is an id."""
    items = node.value if isinstance(node, SequenceNode) else [node] if entries else []
    return tuple("" if item.value.strip() == getattr(entry, "id", None) else item.value.strip()
                 for item, entry in zip(items, entries))


def _unindented_text_hint(before) -> str:
    """After an empty 'description: |', an unknown field is likely its text, not indented."""
    if before is None:
        return ""
    key, value = before
    if isinstance(value, ScalarNode) and value.style in ("|", ">") and not value.value:
        return (f"If this line is the text of '{key}: {value.style}' above, indent it by two more spaces "
                f"than '{key}'.")
    return ""
