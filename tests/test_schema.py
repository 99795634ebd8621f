"""The JSON Schemas and the content guide come from the model: the guide is committed up to
date, the schemas (made afresh, not committed) accept every content file and reject the
mistakes JSON Schema can express, and VS Code finds them through .vscode/settings.json.

What the schemas reject is tested on the rich fixture site's schemas; that the real content
validates, against the schemas made from it (the test marked `content`).
"""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import CONTENT, RICH, ROOT
from site_builder.cli import main
from site_builder.convert import kind_of, yaml_fields, yaml_key
from site_builder.load import load_site
from site_builder.schema import FILES, editor_schemas, render_schemas
from site_builder.model import PageMeta


def validators(content: Path):
    """A function giving the validator of each kind of file, from the schemas made from a content folder."""
    schemas = render_schemas(load_site(content, drafts=True))

    def make(kind: str) -> jsonschema.Draft7Validator:
        schema = json.loads(schemas[f"{kind}.schema.json"])
        jsonschema.Draft7Validator.check_schema(schema)
        return jsonschema.Draft7Validator(schema)
    return make


@pytest.fixture(scope="module")
def validator():
    """The rich fixture site's schemas."""
    return validators(RICH)


@pytest.fixture(scope="module")
def content_validator():
    """The real content's schemas: those an editor's YAML language server would use."""
    return validators(CONTENT)


def test_the_guides_field_reference_is_up_to_date(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["schema", "--check", "--content", str(RICH)]) == 0, capsys.readouterr().out


def test_schema_check_finds_a_stale_guide(tmp_path, monkeypatch, capsys):
    guide = tmp_path / "guide.md"
    text = (ROOT / "docs/content-guide.md").read_text()
    guide.write_text(text.replace("| `lead_as_written` |", "| `lead_as_written_old` |"))
    monkeypatch.chdir(ROOT)
    assert main(["schema", "--check", "--content", str(RICH), "--guide", str(guide)]) == 1
    assert "out of date" in capsys.readouterr().out


def test_schema_writes_every_schema_with_the_registries_names(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    guide = tmp_path / "guide.md"
    guide.write_text((ROOT / "docs/content-guide.md").read_text())
    assert main(["schema", "--content", str(RICH), "--out", str(tmp_path / "schemas"), "--guide", str(guide)]) == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted(f"{kind}.schema.json" for kind in FILES)
    plan = (tmp_path / "schemas/plan.schema.json").read_text()
    site = load_site(RICH, drafts=True)
    assert all(json.dumps(a.name, ensure_ascii=False) in plan for a in site.agencies)


def test_vscode_finds_each_schema_for_its_files():
    """The editor settings name every kind of content file, so no file needs a schema comment."""
    settings = json.loads((ROOT / ".vscode/settings.json").read_text())
    assert settings["yaml.schemas"] == editor_schemas()
    for schema, globs in settings["yaml.schemas"].items():
        assert schema.startswith("./schemas/") and all(ROOT.glob(g) for g in globs), (schema, globs)
    assert json.loads((ROOT / ".vscode/extensions.json").read_text())["recommendations"] == ["redhat.vscode-yaml"]
    assert "/schemas/" in (ROOT / ".gitignore").read_text().splitlines()


class EditorLoader(yaml.SafeLoader):
    """Dates as the editor's language server reads them (YAML 1.2): `added: 2026-12-04` is a string, not a date.

    On every other value the builder accepts, YAML 1.1 and 1.2 agree (tests/test_scalars.py)."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def schema_errors(content: Path, kind: str, validator) -> list[str]:
    """Every file of one kind in a content folder, checked against its schema."""
    _, pattern = FILES[kind]
    paths = sorted(content.glob(pattern.removeprefix("content/")))  # FILES gives the patterns as content/...
    assert paths, f"no files match {pattern} in {content}"
    return [f"{path.name}: {'/'.join(map(str, e.path))}: {e.message}"
            for path in paths for e in validator(kind).iter_errors(yaml.load(path.read_text(), EditorLoader))]


@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_file_of_the_rich_fixture_validates_against_its_schema(kind, validator):
    assert schema_errors(RICH, kind, validator) == []


def test_a_new_plan_as_written_by_new_plan_validates_against_its_schema(tmp_path, monkeypatch, capsys, validator):
    """Its priorities' 'initiatives:' hold only a commented example: the editor must not see it underlined."""
    import shutil

    shutil.copytree(RICH, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "plan", "2030-31"]) == 0
    path = tmp_path / "content/plans/2030-31.yaml"
    data = yaml.load(path.read_text(), EditorLoader)
    assert all(priority["initiatives"] is None for priority in data["priorities"])
    assert [e.message for e in validator("plan").iter_errors(data)] == []


@pytest.mark.content
@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_content_file_validates_against_its_schema(kind, content_validator):
    assert schema_errors(CONTENT, kind, content_validator) == []


@pytest.fixture(scope="module")
def plan():
    return yaml.safe_load((RICH / "plans/2021-22.yaml").read_text())


def test_schema_rejects_what_the_validator_rejects(plan, validator):
    def rejects(kind: str, instance) -> list[str]:
        return [e.message for e in validator(kind).iter_errors(instance)]

    def broken(change):
        data = copy.deepcopy(plan)
        change(data)
        return rejects("plan", data)

    row = lambda d: d["priorities"][0]["initiatives"][0]  # noqa: E731
    assert any("'timeing' was unexpected" in m for m in broken(lambda d: row(d).update(timeing="Ongoing")))
    assert any("is not of type 'integer'" in m for m in broken(lambda d: row(d).update(scp_priorities=[1, "two"])))
    assert any("'short_title' is a required property" in m for m in broken(lambda d: d["priorities"][0].pop("short_title")))
    assert any("'Essex Polce'" in m for m in broken(lambda d: row(d).update(lead=["Essex Polce"])))
    assert any("'Essex Polce'" in m for m in broken(lambda d: row(d).update(lead="Essex Polce")))
    assert any("keep-saf" in m for m in broken(lambda d: row(d).update(programme="keep-saf")))
    assert any("'finished'" in m for m in broken(lambda d: row(d).update(status="finished")))
    assert any("does not match" in m for m in broken(lambda d: row(d).update(
        links=[{"title": "x", "url": "javascript:alert(1)"}])))
    assert any("does not match" in m for m in broken(lambda d: d.update(period="2021/22")))
    assert any("is not of type 'object'" in m for m in rejects("plan", [plan]))
    assert any("'charity' is not one of" in m for m in rejects(
        "agencies", {"agencies": [{"id": "x", "name": "X", "kind": "charity"}]}))
    assert rejects("plan", plan) == []


def test_the_guide_explains_every_field_the_validator_accepts():
    guide = (ROOT / "docs/content-guide.md").read_text()
    classes, todo = set(), [cls for cls, _ in FILES.values()] + [PageMeta]
    while todo:
        cls = todo.pop()
        if cls in classes:
            continue
        classes.add(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        for fl in yaml_fields(cls):
            todo.extend(kind_of(hints[fl.name]).nested)
    reference = guide[guide.index("## Field reference"):]
    sections = {}  # each class's table: from its description line to the next heading
    for part in reference.split("\n#")[1:]:
        heading, _, body = part.partition("\n")
        sections[heading] = body
    missing = []
    for cls in classes:
        doc = (cls.__doc__ or "").strip()
        body = next((b for h, b in sections.items() if f"{cls.__name__}: {doc}" in h or b.lstrip().startswith(doc)),
                    None)
        for fl in yaml_fields(cls):
            if body is None or f"| `{yaml_key(fl)}` |" not in body or not fl.metadata.get("doc"):
                missing.append(f"{cls.__name__}.{fl.name}")
    assert missing == []
    assert len(classes) > 15  # the walk reached the nested items (initiatives, links, funding ...)
