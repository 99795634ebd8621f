"""JSON Schemas for the content files, and the content guide's field reference, from the model.

Editors with the YAML language server read the schemas to complete field names and
underline mistakes as the officer types; the same field help text fills the guide.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from .convert import yaml_fields, yaml_key
from .markdown import Markdown
from .model import (AgencyRegistry, Email, LinkUrl, Markdown3, PageMeta, Pattern, PfccPlan, Plan, ProgrammeRegistry,
                    RedirectList, Ref, SiteConfig, Strategy, TopicRegistry)
from .scalars import KINDS

# Each kind of content file: its schema file, the model class, and where the files are.
FILES = {
    "site": (SiteConfig, "content/site.yaml"),
    "agencies": (AgencyRegistry, "content/agencies.yaml"),
    "topics": (TopicRegistry, "content/topics.yaml"),
    "programmes": (ProgrammeRegistry, "content/programmes.yaml"),
    "pfcc": (PfccPlan, "content/pfcc/*.yaml"),
    "plan": (Plan, "content/plans/*.yaml"),
    "strategy": (Strategy, "content/strategies/*.yaml"),
    "redirects": (RedirectList, "content/redirects.yaml"),
}
URL_PATTERN = r"^(https?://\S+|mailto:\S+|/\S*|#\S*)$"


class SchemaMaker:
    """Builds one JSON Schema, collecting the nested classes as definitions."""

    def __init__(self, names: dict[str, list[str]]):
        self.names = names  # kind -> every id, name and alias a reference may use
        self.definitions: dict[str, dict] = {}

    def of_type(self, tp: Any) -> dict:
        """The schema of a field type."""
        origin = typing.get_origin(tp)
        if origin is Annotated:
            base, marker = typing.get_args(tp)[:2]
            if isinstance(marker, Pattern):
                limit = {"maxLength": marker.max_length} if marker.max_length else {}
                return {"type": "string", "pattern": marker.regex, **limit, "examples": [marker.example]}
            if isinstance(marker, Ref):
                names = self.names.get(marker.kind, [])
                return {"type": "string", "enum": names} if names else {"type": "string"}
            if marker is LinkUrl:
                return {"type": "string", "pattern": URL_PATTERN}
            if marker is Email:
                return {"type": "string", "pattern": Email.pattern}
            if marker is Markdown3:
                return {"type": "string", "description": "Markdown text; headings start at ###."}
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in typing.get_args(tp) if a is not type(None)][0]
            return {"anyOf": [self.of_type(inner), {"type": "null"}]}
        if origin is tuple:
            item = typing.get_args(tp)[0]
            # Nothing after the colon (or only comments below it) is an empty list, as the builder reads it.
            array = {"type": ["array", "null"], "items": self.of_type(item)}
            if typing.get_origin(item) is Annotated and isinstance(typing.get_args(item)[1], Ref):
                return {"anyOf": [self.of_type(item), array]}  # a single reference is a list of one
            return array
        if origin is Literal:
            return {"enum": list(typing.get_args(tp))}
        if tp is str:
            return {"type": "string", "minLength": 1}
        if tp in KINDS:
            return dict(KINDS[tp].schema)
        if tp is Markdown:
            return {"type": "string"}
        if dataclasses.is_dataclass(tp):
            name = tp.__name__
            if name not in self.definitions:
                self.definitions[name] = {}  # placeholder against recursion
                self.definitions[name] = self.of_class(tp)
            return {"$ref": f"#/definitions/{name}"}
        raise TypeError(f"no schema for {tp!r}")

    def of_class(self, cls) -> dict:
        """The schema of a model class: its fields, the required ones, nothing else."""
        hints = typing.get_type_hints(cls, include_extras=True)
        properties, required = {}, []
        for fl in yaml_fields(cls):
            prop = dict(self.of_type(hints[fl.name]))
            prop["description"] = fl.metadata.get("doc", "")
            if fl.metadata.get("example") is not None:
                prop["examples"] = [fl.metadata["example"]]
            properties[yaml_key(fl)] = prop
            if fl.default is dataclasses.MISSING:
                required.append(yaml_key(fl))
        schema = {"type": "object", "description": (cls.__doc__ or "").strip(), "properties": properties,
                  "additionalProperties": False}
        if required:
            schema["required"] = required
        return schema


def make_schema(cls, names: dict[str, list[str]]) -> dict:
    """The JSON Schema of one kind of content file."""
    maker = SchemaMaker(names)
    root = maker.of_class(cls)
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "title": root["description"], **root}
    if maker.definitions:
        schema["definitions"] = dict(sorted(maker.definitions.items()))
    return schema


def reference_names(site) -> dict[str, list[str]]:
    """Every id, name, short name and alias that references may use, for completion."""
    agencies = sorted({n for a in site.agencies for n in a.names() if n})
    topics = sorted({n for t in site.topics for n in (t.id, t.name)})
    programmes = sorted({n for p in site.programmes for n in (p.id, p.name)})
    return {"agency": agencies, "topic": topics, "programme": programmes}


def render_schemas(site) -> dict[str, str]:
    """Every schema file's text, by file name."""
    names = reference_names(site)
    return {f"{kind}.schema.json": json.dumps(make_schema(cls, names), indent=2, ensure_ascii=False) + "\n"
            for kind, (cls, _) in FILES.items()}


def field_reference() -> str:
    """The content guide's reference section: every field of every file, from the model."""
    lines = []
    seen: set[str] = set()
    for kind, (cls, where) in FILES.items():
        lines.append(f"### `{where}`\n")
        lines.extend(_class_tables(cls, seen))
    lines.append("### `content/pages/*.md` (the front matter between the `---` lines)\n")
    lines.extend(_class_tables(PageMeta, seen))
    return "\n".join(lines).rstrip() + "\n"


def _class_tables(cls, seen: set[str]) -> list[str]:
    hints = typing.get_type_hints(cls, include_extras=True)
    lines = [f"{(cls.__doc__ or '').strip()}\n", "| field | required | what to write | example |",
             "| --- | --- | --- | --- |"]
    nested = []
    for fl in yaml_fields(cls):
        tp = hints[fl.name]
        required = "yes" if fl.default is dataclasses.MISSING else "no"
        example = fl.metadata.get("example")
        shown = json.dumps(example, ensure_ascii=False) if isinstance(example, list) else (
            "" if example is None else str(example).lower() if isinstance(example, bool) else str(example))
        doc = fl.metadata.get("doc", "") + _kind_note(tp)
        lines.append(f"| `{yaml_key(fl)}` | {required} | {doc} | {('`' + shown + '`') if shown else ''} |")
        for inner in _nested_classes(tp):
            if inner.__name__ not in seen:
                seen.add(inner.__name__)
                nested.append(inner)
    lines.append("")
    for inner in nested:
        lines.append(f"#### {inner.__name__}: {(inner.__doc__ or '').strip()}\n")
        lines.extend(_class_tables(inner, seen)[1:])
    return lines


def _kind_note(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        tp = [a for a in typing.get_args(tp) if a is not type(None)][0]
        origin = typing.get_origin(tp)
    if origin is Literal:
        return " One of: " + ", ".join(f"`{c}`" for c in typing.get_args(tp)) + "."
    if origin is tuple:
        return " A list."
    if tp in KINDS:
        return " " + KINDS[tp].note
    return ""


def _nested_classes(tp: Any) -> list:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return []  # references and special strings are not nested items
    if origin in (typing.Union, types.UnionType, tuple):
        return [c for a in typing.get_args(tp) for c in _nested_classes(a)]
    if dataclasses.is_dataclass(tp) and tp is not Markdown:
        return [tp]
    return []


GUIDE_START = "<!-- field reference: generated by `site-builder schema`; do not edit by hand -->"
GUIDE_END = "<!-- end of field reference -->"


def update_guide(text: str) -> str:
    """Replace the generated field reference inside the content guide's text."""
    start, end = text.index(GUIDE_START) + len(GUIDE_START), text.index(GUIDE_END)
    return text[:start] + "\n\n" + field_reference() + "\n" + text[end:]


def editor_schemas(schemas_dir: str = "schemas") -> dict[str, list[str]]:
    """The `yaml.schemas` setting that tells VS Code's YAML extension which schema checks which file."""
    return {f"./{schemas_dir}/{kind}.schema.json": [where] for kind, (_, where) in FILES.items()}


def write_schemas(site, schemas_dir: Path, guide: Path | None) -> list[Path]:
    """Write the schemas (and the guide's reference); return the files that changed."""
    changed = []
    schemas_dir.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas(site).items():
        path = schemas_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    if guide is not None and guide.is_file():
        old = guide.read_text(encoding="utf-8")
        new = update_guide(old)
        if new != old:
            guide.write_text(new, encoding="utf-8")
            changed.append(guide)
    return changed
