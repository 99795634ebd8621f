"""How a single value is read: one strict rule for the builder, the JSON Schemas and the guide.

YAML tools disagree on plain values: PyYAML (YAML 1.1) reads `010` as 8, `no` as false and
`2021-04-01` as a date; the editor's YAML extension (YAML 1.2) reads `010` as 10, `no` as text
and `0o17` and `1e3` as numbers. The builder accepts a value only when both read it alike, and
otherwise says how to write it. The YAML is written inline here, one field per case.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
import yaml
from jsonschema import Draft7Validator

from site_builder import newplan
from site_builder.convert import INVALID, Converter
from site_builder.model import Date
from site_builder.schema import _class_tables, make_schema
from site_builder.yamlfile import compose


@dataclass(frozen=True)
class Row:
    """One field of each kind."""

    number: int = 0
    flag: bool = False
    added: Date = ""
    title: str = ""
    maybe: int | None = None
    numbers: tuple[int, ...] = ()


def read(field: str, written: str):
    """Convert 'field: written'; return the value and the problems as strings."""
    text = f"{field}: {written}\n"
    root, problems = compose(text, "f.yaml")
    assert problems == []
    conv = Converter("f.yaml", text.splitlines())
    row = conv.convert(root, Row, "")
    return (INVALID if row is INVALID else getattr(row, field)), [str(p) for p in conv.problems]


ACCEPTED = [
    ("number", "10", 10),
    ("flag", "true", True), ("flag", "false", False),
    ("added", "2021-04-01", "2021-04-01"), ("added", "'2021-04-01'", "2021-04-01"),
    ("added", '"2021-04-01"', "2021-04-01"),
    ("title", "Keep Safe", "Keep Safe"), ("title", "2021-22", "2021-22"), ("title", "'2021'", "2021"),
    ("title", "'010'", "010"), ("title", '"no"', "no"), ("title", "'yes'", "yes"), ("title", "'~'", "~"),
    ("title", "'null'", "null"), ("title", "'1e3'", "1e3"), ("title", "2021-04-01", "2021-04-01"),
    ("maybe", "", None), ("maybe", "~", None), ("maybe", "null", None), ("maybe", "7", 7),
    ("numbers", "[1, 2]", (1, 2)), ("numbers", "", ()), ("numbers", "~", ()),
]


@pytest.mark.parametrize("field, written, value", ACCEPTED)
def test_accepted(field, written, value):
    assert read(field, written) == (value, [])


WHOLE = "expected a whole number from 1, like 1"
TRUE_FALSE = "expected true or false"
QUOTE = "Put it in quotes if you mean the text: "

REFUSED = [
    # Whole numbers: digits only, counting from 1.
    ("number", "010", f"found the number 010; {WHOLE}. Write 10, without the leading 0: YAML tools disagree "
                      "on what 010 means."),
    ("number", "-010", f"found the number -010; {WHOLE}. Number them from 1."),
    ("number", "0", f"found the number 0; {WHOLE}. Number them from 1."),
    ("number", "-3", f"found the number -3; {WHOLE}. Number them from 1."),
    ("number", "0x1F", f"found the number 0x1F; {WHOLE}. Write 31."),
    ("number", "-0x1F", f"found the number -0x1F; {WHOLE}. Number them from 1."),
    ("number", "+5", f"found the number +5; {WHOLE}. Write 5."),
    ("number", "1_000", f"found the number 1_000; {WHOLE}. Write 1000."),
    ("number", "0o17", f"found the number 0o17; {WHOLE}. Write 15."),
    ("number", "1e3", f"found the number 1e3; {WHOLE}. Write 1000."),
    ("number", "1.0", f"found the number 1.0; {WHOLE}. Write 1."),
    ("number", ".5", f"found the number .5; {WHOLE}"),
    ("number", "'10'", f"found '10'; {WHOLE}. Write 10, without quotes."),
    ("number", '"10"', f"found '10'; {WHOLE}. Write 10, without quotes."),
    ("number", "yes", f"found yes/no value 'yes'; {WHOLE}"),
    ("number", "two", f"found 'two'; {WHOLE}"),
    ("number", "", f"this field is empty; {WHOLE}. Write a value after the colon, or remove the field."),
    ("number", "~", f"found '~', which YAML reads as nothing; {WHOLE}. Write a value, or remove the field."),
    ("number", "null", f"found 'null', which YAML reads as nothing; {WHOLE}. Write a value, or remove the field."),
    ("maybe", "010", f"found the number 010; {WHOLE}. Write 10, without the leading 0: YAML tools disagree "
                     "on what 010 means."),
    ("maybe", "'7'", f"found '7'; {WHOLE}. Write 7, without quotes."),
    # true or false, in those words.
    ("flag", "yes", f"found yes/no value 'yes'; {TRUE_FALSE}. Write true."),
    ("flag", "no", f"found yes/no value 'no'; {TRUE_FALSE}. Write false."),
    ("flag", "on", f"found yes/no value 'on'; {TRUE_FALSE}. Write true."),
    ("flag", "off", f"found yes/no value 'off'; {TRUE_FALSE}. Write false."),
    ("flag", "y", f"found 'y'; {TRUE_FALSE}. Write true."),
    ("flag", "n", f"found 'n'; {TRUE_FALSE}. Write false."),
    ("flag", "True", f"found yes/no value 'True'; {TRUE_FALSE}. Write true."),
    ("flag", "'true'", f"found 'true'; {TRUE_FALSE}. Write true, without quotes."),
    ("flag", "1", f"found the number 1; {TRUE_FALSE}"),
    ("flag", "", f"this field is empty; {TRUE_FALSE}. Write a value after the colon, or remove the field."),
    # Text that YAML reads as a number, yes/no or nothing.
    ("title", "2021", f"found the number 2021; expected a text. {QUOTE}'2021'."),
    ("title", "010", f"found the number 010; expected a text. {QUOTE}'010'."),
    ("title", "0o17", f"found the number 0o17; expected a text. {QUOTE}'0o17'."),
    ("title", "1e3", f"found the number 1e3; expected a text. {QUOTE}'1e3'."),
    ("title", "no", f"found yes/no value 'no'; expected a text. {QUOTE}'no'."),
    ("title", "true", f"found yes/no value 'true'; expected a text. {QUOTE}'true'."),
    ("title", "", "this field is empty; expected a text. Write a value after the colon, or remove the field."),
    ("title", "~", f"found '~', which YAML reads as nothing; expected a text. {QUOTE}'~'."),
    ("title", "null", f"found 'null', which YAML reads as nothing; expected a text. {QUOTE}'null'."),
    # Dates: year-month-day, with two-digit months and days.
    ("added", "2021-4-1", "found '2021-4-1'; expected a date written year-month-day, like 2026-12-04. "
                          "For example: 2026-12-04"),
    ("added", "20210401", "found the number 20210401; expected a date written year-month-day, like 2026-12-04. "
                          f"{QUOTE}'20210401'."),
]


@pytest.mark.parametrize("field, written, message", REFUSED)
def test_refused_with_a_hint(field, written, message):
    column = len(field) + (3 if written else 2)  # an empty value starts after the colon
    assert read(field, written) == (INVALID, [f"f.yaml:1:{column}: error: {field}: {message}"])


def test_an_item_of_a_list_is_read_like_a_field():
    assert read("numbers", "[1, 010]") == (INVALID, [
        f"f.yaml:1:14: error: numbers[1]: found the number 010; {WHOLE}. Write 10, without the leading 0: "
        "YAML tools disagree on what 010 means."])


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as the editor's YAML extension reads plain values."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in [
        ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
        ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
        ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
         "-+.0123456789"),
        ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""])]:
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_regex})$"), list(_first))
Yaml12Loader.add_constructor("tag:yaml.org,2002:int",
                             lambda loader, node: int(node.value, 0 if node.value[:2] in ("0o", "0x") else 10))
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: float(node.value))


def test_the_yaml_12_reader_reads_as_yaml_12_does():
    """The readings that differ from PyYAML's, so the test below compares two real readings."""
    assert yaml.load("[010, 0o17, 1e3, .5, no, 1_000, 2021-04-01, ~]", Yaml12Loader) == [
        10, 15, 1000.0, 0.5, "no", "1_000", "2021-04-01", None]
    assert yaml.safe_load("[010, 0o17, 1e3, .5, no, 1_000]") == [8, "0o17", "1e3", 0.5, False, 1000]


@pytest.mark.parametrize("field, written", [(f, w) for f, w, _ in ACCEPTED] + [(f, w) for f, w, _ in REFUSED])
def test_the_builder_and_every_yaml_reader_agree(field, written):
    """What the builder accepts, the editor's schema accepts, and YAML 1.1 and 1.2 read as the builder does
    (so what the editor underlines, the builder refuses)."""
    value, _ = read(field, written)
    if value is INVALID:
        return
    text = f"{field}: {written}\n"
    as_12 = yaml.load(text, Yaml12Loader)
    assert [e.message for e in Draft7Validator(make_schema(Row, {})).iter_errors(as_12)] == []
    for reading in (as_12, yaml.safe_load(text)):
        got = reading[field]
        got = () if got is None and field == "numbers" else tuple(got) if isinstance(got, list) else (
            str(got) if isinstance(got, datetime.date) else got)  # PyYAML reads a date as a date: same meaning
        assert (got, type(got)) == (value, type(value)), reading


def test_the_guide_states_the_rule_for_each_kind():
    table = "\n".join(_class_tables(Row, set()))
    assert "| `number` | no |  A whole number from 1, in digits, like `1`: no leading `0`, no `+`." in table
    assert "| `flag` | no |  `true` or `false`, in those words" in table


@pytest.mark.parametrize("value", ["Keep Safe", "2021-22", "2021", "no", "null", "1e3", "0o17", "it's"])
def test_new_plan_writes_text_so_that_it_reads_back_as_that_text(value):
    """`site-builder new plan` copies titles and names: one YAML 1.2 reads as a number must be quoted."""
    written = newplan._scalar(value)
    assert read("title", written) == (value, [])
    assert yaml.load(f"title: {written}", Yaml12Loader) == {"title": value}


@pytest.mark.parametrize("written", ["010", "no", "~", "null", "1e3", "0x1F", ".inf", "2021-04-01", "'yes'", '"010"',
                                     "text", "Null", "NO", "y", "on", "!!str 010", "! yes", "!!int 7", "-5", "+1"])
def test_a_plain_value_is_read_as_yaml_tags_it_though_its_tag_is_worked_out_when_asked(written):
    """compose leaves a plain value's tag "" (working each out as it parsed was a twentieth of a preview's
    rebuild): read_as works it out by YAML's own rules, and reads every value as PyYAML tagging it would;
    the values, places and styles are those PyYAML composes."""
    import yaml

    from site_builder.scalars import read_as
    from site_builder.yamlfile import Loader

    text = f"a: {written}\nb: [1, {written}]\n"
    tagged, untagged = yaml.compose(text, Loader=Loader), compose(text, "f.yaml")[0]

    def flat(node):
        kids = node.value if isinstance(node.value, list) else []
        items = [k for pair in kids for k in (pair if isinstance(pair, tuple) else (pair,))]
        return [(node.value if isinstance(node.value, str) else None, node.style if hasattr(node, "style") else None,
                 node.start_mark.index, node.end_mark.index), *(x for k in items for x in flat(k))]

    assert flat(untagged) == flat(tagged)
    expected = read_as(tagged.value[0][1])
    assert read_as(untagged.value[0][1]) == read_as(untagged.value[1][1].value[1]) == expected, written
    assert untagged.value[0][1].tag in ("", tagged.value[0][1].tag)


def test_composing_keeps_no_track_of_paths_because_no_path_resolver_is_registered():
    """yamlfile's loader skips YAML's steps that track where each node stands (descend_resolver,
    ascend_resolver): they serve path resolvers alone. With one registered, this fails, and the steps
    must come back; without, the nodes are those PyYAML's own loader composes (the test above)."""
    from site_builder.yamlfile import _Untagged

    assert not _Untagged.yaml_path_resolvers


def test_a_number_too_long_to_be_one_is_refused_without_a_traceback():
    """Python reads no whole number of more than 4,300 digits from text (a ValueError): 5,000 nines are
    refused as a content mistake, as any number this long would be."""
    value, problems = read("number", "9" * 5000)
    assert value is INVALID and len(problems) == 1 and "digits" in problems[0]
