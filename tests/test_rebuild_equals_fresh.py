"""A rebuild after any edit gives byte for byte what a fresh build of the same content gives.

The edits are generated from the model, not listed by hand: every field of every class a
content file can hold (site.yaml, the registries, plans, PFCC plans, strategies, redirects,
pages) is changed once on its own, then in seeded random combinations, in a copy of the
rich fixture site. After each edit the builder that built the site before (as the preview
keeps it) must give the files, or the problems, that a new builder gives; after the edit is
undone it must give the first build's files again. A field the fixture never sets is added.
"""

from __future__ import annotations

import dataclasses
import random
import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import yaml

from conftest import TEMPLATES, CompiledTemplates
from site_builder.build import SiteBuilder
from site_builder.convert import yaml_fields, yaml_key
from site_builder.load import FOLDERS, OPTIONAL_FILES, REGISTRY_FILES, split_front_matter
from site_builder.markdown import Markdown
from site_builder.model import Email, LinkUrl, Markdown3, PageMeta, Pattern, Ref, SiteConfig
from site_builder.problems import ContentError
from site_builder.routes import all_initiatives

ROOTS = {"site.yaml": SiteConfig, **REGISTRY_FILES, **OPTIONAL_FILES}
COMBINATIONS = 12  # random sets of edits made together
# Values for fields of a fixed form (addresses, dates, years), when the model's example is the value already.
PATTERNED = ("/plans/", "/agencies/", "https://www.example.org/", "2026-12-05", "2015", "2099-01", "2030-31")
COMPILED = CompiledTemplates()  # so that each fresh build skips only the compiling


def unwrap(tp) -> tuple[Any, Any]:
    """A field's type without Optional, and its annotation (Pattern, Ref, ...) or None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if typing.get_origin(tp) is Annotated:
        return typing.get_args(tp)[0], typing.get_args(tp)[1]
    return tp, None


def item_type(tp):
    """The type of a tuple field's items, or None for a field that is not a list."""
    base, _ = unwrap(tp)
    return typing.get_args(base)[0] if typing.get_origin(base) is tuple else None


def is_model(tp) -> bool:
    """A group of fields (a Markdown text is one value, though the model holds it as a class)."""
    base = unwrap(tp)[0]
    return dataclasses.is_dataclass(base) and base is not Markdown


@dataclasses.dataclass
class Slot:
    """A field of one mapping in one file: where an edit goes."""

    file: str
    cls: type
    key: str
    tp: Any
    mapping: dict  # the mapping in the file's data that holds (or would hold) the field
    field: dataclasses.Field


def slots(file: str, data: dict, cls: type) -> list[Slot]:
    """Every field of every mapping in a file's data, in file order, by the model's types."""
    found = []
    hints = typing.get_type_hints(cls, include_extras=True)
    for fl in yaml_fields(cls):
        key, tp = yaml_key(fl), hints[fl.name]
        found.append(Slot(file, cls, key, tp, data, fl))
        value = data.get(key)
        inner = item_type(tp)
        if is_model(tp) and isinstance(value, dict):
            found += slots(file, value, unwrap(tp)[0])
        elif inner is not None and is_model(inner) and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found += slots(file, item, unwrap(inner)[0])
    return found


def reachable(cls: type, seen: set | None = None) -> set[tuple[str, str]]:
    """Every (class, key) a file of this class can hold."""
    seen = set() if seen is None else seen
    if cls in seen:
        return set()
    seen.add(cls)
    fields = set()
    hints = typing.get_type_hints(cls, include_extras=True)
    for fl in yaml_fields(cls):
        fields.add((cls.__name__, yaml_key(fl)))
        tp = hints[fl.name]
        inner = item_type(tp)
        for candidate in (tp, inner):
            if candidate is not None and is_model(candidate):
                fields |= reachable(unwrap(candidate)[0], seen)
    return fields


class Edits:
    """Changes a value of any field kind into another value of that kind."""

    def __init__(self, content: Path):
        def names(file, key):
            data = yaml.safe_load((content / file).read_text(encoding="utf-8"))
            return [entry[key] for entry in data[file.removesuffix(".yaml")]]
        self.names = {"agency": names("agencies.yaml", "name"), "topic": names("topics.yaml", "id"),
                      "programme": names("programmes.yaml", "id")}

    def changed(self, value, tp):
        """Another value of the field's kind."""
        base, marker = unwrap(tp)
        inner = item_type(tp)
        if inner is not None:
            items = list(value or [])
            return items[:-1] if len(items) > 1 else items + [self.example(inner, avoid=items)]
        if is_model(tp):
            return self.example(tp) if value is None else None  # a present group: its own fields are edited
        if typing.get_origin(base) is Literal:
            return next(choice for choice in typing.get_args(base) if choice != value)
        if isinstance(marker, Ref):
            return self.example(tp, avoid=[value])
        if base is bool:
            return not value
        if base is int:
            return (value or 0) + 1
        if base is Markdown or marker is Markdown3:
            return f"{value or ''}\n\nChanged in *this* edit.\n"
        if isinstance(marker, Pattern):
            if marker.regex.startswith("^[a-z0-9]"):  # an id: another id
                return f"{value}-changed" if value else "changed"
            return next((c for c in (marker.example, *PATTERNED) if c != value and re.fullmatch(marker.regex, c)), None)
        if marker is LinkUrl:
            return "https://www.example.org/changed" if value != "https://www.example.org/changed" else "/plans/"
        if marker is Email:
            return None  # addresses are checked against the allow-list: changing one is an error, tested elsewhere
        return f"{value} (changed)" if value else "Changed"

    def example(self, tp, avoid=()):
        """A new value of a field's kind, unlike those in `avoid`."""
        base, marker = unwrap(tp)
        if isinstance(marker, Ref):
            return next(name for name in self.names[marker.kind] if name not in avoid)
        if is_model(tp):
            hints = typing.get_type_hints(base, include_extras=True)
            return {yaml_key(fl): self.field_example(fl, hints[fl.name]) for fl in yaml_fields(base)
                    if fl.default is dataclasses.MISSING or fl.metadata.get("example") is not None}
        if item_type(tp) is not None:
            return [self.example(item_type(tp))]
        return self.changed(None, tp)

    def field_example(self, fl: dataclasses.Field, tp):
        example = fl.metadata.get("example")
        if example is not None and not isinstance(unwrap(tp)[1], Ref) and item_type(tp) is None:
            return example
        return self.example(tp)


class Copy:
    """The fixture site as plain data, written back to its files on demand."""

    def __init__(self, content: Path):
        self.content = content
        self.data: dict[str, Any] = {}
        self.bodies: dict[str, str] = {}
        self.classes: dict[str, type] = {}
        for path in sorted(content.rglob("*")):
            rel = path.relative_to(content).as_posix()
            if path.suffix == ".md" and rel.startswith("pages/"):
                front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
                self.data[rel], self.bodies[rel], self.classes[rel] = yaml.safe_load(front), body, PageMeta
            elif path.suffix == ".yaml":
                folder = rel.split("/")[0]
                cls = ROOTS.get(rel) or FOLDERS.get(folder)
                if cls is not None:
                    self.data[rel], self.classes[rel] = yaml.safe_load(path.read_text(encoding="utf-8")), cls

    def write(self, rel: str) -> None:
        text = yaml.safe_dump(self.data[rel], sort_keys=False, allow_unicode=True, width=10_000)
        if rel in self.bodies:
            text = f"---\n{text}---\n{self.bodies[rel]}"
        (self.content / rel).write_text(text, encoding="utf-8")

    def slots(self) -> list[Slot]:
        return [slot for rel, data in self.data.items() for slot in slots(rel, data, self.classes[rel])]


def outcome(builder: SiteBuilder):
    """The files a build gives, or the problems it reports."""
    try:
        return builder.build().files
    except ContentError as exc:
        return [str(p) for p in exc.problems]


def fresh(content: Path):
    return outcome(SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED))


class Edit:
    """One generated change: apply() makes it, undo() takes it back."""

    def __init__(self, copy: Copy, slot: Slot | None, new: Any, rel: str | None = None):
        self.copy, self.slot, self.new = copy, slot, new
        self.rel = slot.file if slot else rel
        self.name = f"{self.rel}: {slot.cls.__name__}.{slot.key}" if slot else f"{rel}: page body"

    def apply(self) -> None:
        if self.slot is None:
            self.old = self.copy.bodies[self.rel]
            self.copy.bodies[self.rel] = self.old + "\nChanged in *this* edit.\n"
        else:
            mapping, key = self.slot.mapping, self.slot.key
            self.had, self.old = key in mapping, mapping.get(key)
            mapping[key] = self.new
        self.copy.write(self.rel)

    def undo(self) -> None:
        if self.slot is None:
            self.copy.bodies[self.rel] = self.old
        elif self.had:
            self.slot.mapping[self.slot.key] = self.old
        else:
            del self.slot.mapping[self.slot.key]
        self.copy.write(self.rel)


def generated_edits(copy: Copy) -> list[Edit]:
    """One edit per field of each class: where the field is set, if the fixture sets it anywhere."""
    edits = Edits(copy.content)
    chosen: dict[tuple[str, str], Slot] = {}
    for slot in copy.slots():
        key = (slot.cls.__name__, slot.key)
        if key not in chosen or (slot.key not in chosen[key].mapping and slot.key in slot.mapping):
            chosen[key] = slot
    made = []
    for slot in chosen.values():
        new = edits.changed(slot.mapping.get(slot.key), slot.tp)
        if new is None and is_model(slot.tp):  # a group the fixture sets: removing it is the edit
            made.append(Edit(copy, slot, None))
        elif new is not None:
            made.append(Edit(copy, slot, new))
    made += [Edit(copy, None, None, rel) for rel in sorted(copy.bodies)]
    return made


@pytest.fixture(scope="module")
def site(tmp_path_factory, request):
    """The rich fixture written back as the generator writes it, built once by the builder under test."""
    content = tmp_path_factory.mktemp("rebuild") / "content"
    import shutil
    shutil.copytree(Path(__file__).parent / "fixtures" / "rich", content)
    copy = Copy(content)
    for rel in copy.data:
        copy.write(rel)
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    first = outcome(builder)
    assert isinstance(first, dict), f"the fixture, written back, must build: {first}"
    return copy, builder, first


def check(builder: SiteBuilder, content: Path, first: dict, edits: list[Edit]) -> None:
    for edit in edits:
        edit.apply()
    try:
        again, anew = outcome(builder), fresh(content)
        assert again == anew, f"after {[e.name for e in edits]} the rebuild differs from a fresh build: " \
                              f"{_difference(again, anew)}"
    finally:
        for edit in reversed(edits):
            edit.undo()
    assert outcome(builder) == first, f"after undoing {[e.name for e in edits]} the rebuild differs from the first build"


def _difference(a, b) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        return ", ".join(sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))[:8])
    return f"{str(a)[:300]} / {str(b)[:300]}"


def test_every_field_of_every_content_kind_is_edited(site):
    copy, _, _ = site
    edited = {(e.slot.cls.__name__, e.slot.key) for e in generated_edits(copy) if e.slot}
    every = set().union(*(reachable(cls) for cls in set(copy.classes.values())))
    unedited = {f for f in every if f not in edited}
    # Email fields: an address not on the allow-list is refused, and an allowed one cannot change.
    unedited -= {("SiteConfig", "contact_email"), ("SiteConfig", "allowed_emails")}
    assert not unedited, f"no edit is generated for {sorted(unedited)}: give the rich fixture an example"
    assert any(e.slot is None for e in generated_edits(copy)), "no page body is edited"


def test_a_rebuild_after_each_single_edit_equals_a_fresh_build(site):
    copy, builder, first = site
    for edit in generated_edits(copy):
        check(builder, copy.content, first, [edit])


def test_a_rebuild_after_random_sets_of_edits_equals_a_fresh_build(site):
    copy, builder, first = site
    edits = generated_edits(copy)
    chance = random.Random(11)  # seeded: the same sets every run
    for _ in range(COMBINATIONS):
        check(builder, copy.content, first, chance.sample(edits, 4))


def test_an_open_data_column_read_from_the_plan_follows_an_edit_of_the_plan(rich_dir, monkeypatch):
    """Issue #11's reproduction: with a column from plan.date, a date edit left the old value in the preview."""
    from conftest import edit
    from site_builder import opendata

    column = opendata.Column("plan_date", "string", "When the plan was dated.", lambda plan, ini, base: plan.date)
    monkeypatch.setattr(opendata, "COLUMNS", (*opendata.COLUMNS, column))
    builder = SiteBuilder(rich_dir, TEMPLATES)
    builder.build()
    edit(rich_dir / "plans/2018-19.yaml", "date: April 2018", "date: May 2018")
    rebuilt = builder.build().files
    assert "May 2018" in rebuilt["data/initiatives.csv"].decode()
    assert rebuilt == SiteBuilder(rich_dir, TEMPLATES).build().files


def test_an_edit_of_one_row_makes_that_rows_open_data_again_and_a_plan_edit_every_row(rich_dir, monkeypatch):
    """A preview's edit makes again the open data of what it changed: one row for a row's edit, the plan's
    every row for an edit of the plan besides its rows (its title, which the plan_title column shows)."""
    from conftest import edit
    from site_builder import opendata

    made = []
    row = opendata.initiative_row
    monkeypatch.setattr(opendata, "initiative_row",
                        lambda plan, ini, base: made.append(ini.title) or row(plan, ini, base))
    builder = SiteBuilder(rich_dir, TEMPLATES)
    first = builder.build()
    plan = rich_dir / "plans/2021-22.yaml"
    rows = len(all_initiatives(next(p for p in first.site.plans if p.period == "2021-22")))

    made.clear()
    edit(plan, "A week of events about reporting", "A week of events on reporting")
    rebuilt = builder.build().files
    assert made == ["ASB Awareness Week"]
    assert rebuilt == SiteBuilder(rich_dir, TEMPLATES).build().files

    made.clear()
    edit(plan, "title: Annual Partnership Plan 2021-22\n", "title: Annual Partnership Plan 2021 to 2022\n")
    rebuilt = builder.build().files
    assert len(made) == rows and "Annual Partnership Plan 2021 to 2022" in rebuilt["data/initiatives.csv"].decode()
    assert rebuilt == SiteBuilder(rich_dir, TEMPLATES).build().files
