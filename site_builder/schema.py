"""JSON Schemas for the content files, and the content guide's field reference, from the model.

Editors with the YAML language server read the schemas to complete field names and
underline mistakes as the officer types; the same field help text fills the guide.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from .convert import field_types, kind_of, yaml_fields, yaml_key
from .model import REGISTRIES, Glossary, PageMeta, PfccPlan, Plan, RedirectList, SiteConfig, Strategy

# Each kind of content file: its schema file, the model class, and where the files are.
FILES = {
    "site": (SiteConfig, "content/site.yaml"),
    **{r.field: (r.cls, f"content/{r.file}") for r in REGISTRIES.values()},
    "pfcc": (PfccPlan, "content/pfcc/*.yaml"),
    "plan": (Plan, "content/plans/*.yaml"),
    "strategy": (Strategy, "content/strategies/*.yaml"),
    "redirects": (RedirectList, "content/redirects.yaml"),
    "glossary": (Glossary, "content/glossary.yaml"),
}


class SchemaMaker:
    """Builds one JSON Schema, collecting the nested classes as definitions."""

    def __init__(self, names: dict[str, list[str]]):
        self.names = names  # kind -> every id, name and alias a reference may use
        self.definitions: dict[str, dict] = {}

    def of_type(self, tp: Any) -> dict:
        """The schema of a field type."""
        return kind_of(tp).schema(self)

    def define(self, cls) -> dict:
        """A reference to a model class's schema, defined once among the definitions."""
        name = cls.__name__
        if name not in self.definitions:
            self.definitions[name] = {}  # placeholder against recursion
            self.definitions[name] = self.of_class(cls)
        return {"$ref": f"#/definitions/{name}"}

    def of_class(self, cls) -> dict:
        """The schema of a model class: its fields, the required ones, nothing else."""
        hints = field_types(cls)
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
    return {r.kind: sorted({n for entry in getattr(site, r.field) for n in r.names(entry) if n})
            for r in REGISTRIES.values()}


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
    hints = field_types(cls)
    lines = [f"{(cls.__doc__ or '').strip()}\n", "| field | required | what to write | example |",
             "| --- | --- | --- | --- |"]
    nested = []
    for fl in yaml_fields(cls):
        tp = hints[fl.name]
        required = "yes" if fl.default is dataclasses.MISSING else "no"
        example = fl.metadata.get("example")
        shown = json.dumps(example, ensure_ascii=False) if isinstance(example, list) else (
            "" if example is None else str(example).lower() if isinstance(example, bool) else str(example))
        doc = fl.metadata.get("doc", "") + kind_of(tp).note
        lines.append(f"| `{yaml_key(fl)}` | {required} | {doc} | {('`' + shown + '`') if shown else ''} |")
        for inner in kind_of(tp).nested:
            if inner.__name__ not in seen:
                seen.add(inner.__name__)
                nested.append(inner)
    lines.append("")
    for inner in nested:
        lines.append(f"#### {inner.__name__}: {(inner.__doc__ or '').strip()}\n")
        lines.extend(_class_tables(inner, seen)[1:])
    return lines


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
