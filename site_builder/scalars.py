"""How a single YAML value is read: the one rule for whole numbers, true/false, nothing and text.

PyYAML (YAML 1.1, the builder's parser) and the editor's YAML extension (YAML 1.2, which checks
the JSON Schemas) read some unquoted values differently: `010` is 8 or 10, `no` is false or a
text, `0o17` and `1e3` are numbers or texts. So a value is accepted only as both read it alike:
a whole number in plain digits, `true` or `false`, and anything meant as text but read as a
number or yes/no in quotes. Anything else is refused with the spelling to use. Dates such as
2021-04-01 are texts, as the schemas check them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .yamlfile import ScalarNode, implicit_tag

_T = "tag:yaml.org,2002:"
# YAML 1.2's numbers; the tags PyYAML gives cover YAML 1.1's. Together: every value a YAML tool may read as a number.
_NUMBER_12 = re.compile(r"[-+]?(?:[0-9]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))"
                        r"|0o[0-7]+|0x[0-9a-fA-F]+|\.(?:nan|NaN|NAN)")
_WHOLE = re.compile(r"0|-?[1-9][0-9]*")
# Words some YAML tool (1.1 or 1.2) reads as true or false, and what each means.
MEANT = {"true": "true", "yes": "true", "y": "true", "on": "true",
         "false": "false", "no": "false", "n": "false", "off": "false"}


def read_as(node: ScalarNode) -> str:
    """What a YAML tool may read a value as: 'text', 'nothing', 'yes/no' or 'number'."""
    if node.style:  # quoted, or block text
        return "text"
    tag = node.tag or implicit_tag(node.value)  # a plain value's, left to work out (yamlfile.compose)
    if tag == _T + "null":
        return "nothing"
    if tag == _T + "bool":
        return "yes/no"
    if tag in (_T + "int", _T + "float"):
        return "number"
    return "number" if node.value[:1] in "-+.0123456789" and _NUMBER_12.fullmatch(node.value) else "text"


def text_hint(node: ScalarNode) -> str:
    """How to write a value as text, if YAML would read it as something else; else ''."""
    return "" if read_as(node) == "text" else f"Put it in quotes if you mean the text: '{node.value}'."


def _spelled(text: str) -> int | None:
    """The whole number a text spells in any notation (010, +5, 1_000, 0x1F, 1e3), or None."""
    for parse in (int, lambda t: int(t, 0), float):
        try:
            value = parse(text)
            return int(value) if value == int(value) else None
        except (ValueError, OverflowError):
            continue
    return None


MOST_DIGITS = 18


def whole_number(node: ScalarNode) -> tuple[int | None, str]:
    """A whole number in plain digits, or None and a hint saying how to write it."""
    if len(node.value) > MOST_DIGITS:  # no number the content gives is this long (Python reads none over 4,300)
        return None, f"Write a number of at most {MOST_DIGITS} digits."
    if read_as(node) == "number" and _WHOLE.fullmatch(node.value):
        return int(node.value), ""
    number = _spelled(node.value)
    if number is None:
        return None, ""
    if node.style:
        return None, f"Write {number}, without quotes."
    if re.fullmatch(r"[-+]?0[0-9_]+", node.value):  # YAML 1.1 reads it as octal, YAML 1.2 as decimal
        return None, f"Write {number}, without the leading 0: YAML tools disagree on what {node.value} means."
    return None, f"Write {number}."


def counting_number(node: ScalarNode) -> tuple[int | None, str]:
    """whole_number() counting from 1: every number in the content numbers priorities."""
    value, hint = whole_number(node)
    spelled = value if value is not None else _spelled(node.value)
    if spelled is not None and spelled < 1:
        return None, "Number them from 1."
    return value, hint


def true_or_false(node: ScalarNode) -> tuple[bool | None, str]:
    """true or false, in those words, or None and a hint saying which to write."""
    if read_as(node) == "yes/no" and node.value in ("true", "false"):
        return node.value == "true", ""
    meant = MEANT.get(node.value.lower())
    return None, "" if meant is None else f"Write {meant}, without quotes." if node.style else f"Write {meant}."


@dataclass(frozen=True)
class Kind:
    """A kind of single value: how it is read, what a message expects, its JSON Schema and its note in the guide."""

    read: Callable[[ScalarNode], tuple[Any, str]]
    expected: str
    schema: dict
    note: str
    widget: dict  # its field in the web editor's form (Decap CMS)


KINDS = {
    int: Kind(counting_number, "a whole number from 1, like 1", {"type": "integer", "minimum": 1},
              "A whole number from 1, in digits, like `1`: no leading `0`, no `+`.",
              {"widget": "number", "value_type": "int", "min": 1}),
    bool: Kind(true_or_false, "true or false", {"type": "boolean"},
               "`true` or `false`, in those words: not `yes`, `no`, `on` or `off`.", {"widget": "boolean"}),
}
