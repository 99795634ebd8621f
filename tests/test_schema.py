"""The JSON Schemas and the content guide come from the model, are committed up to date,
accept every content file and reject the mistakes JSON Schema can express.

What the schemas reject is tested on the rich fixture site's schemas; that the real content
validates, against the schemas made from it (the tests marked `content`).
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
from site_builder.convert import yaml_fields
from site_builder.load import load_site
from site_builder.schema import FILES, _nested_classes, render_schemas
from site_builder.model import PageMeta

SCHEMAS = ROOT / "schemas"


def validator_of(text: str) -> jsonschema.Draft7Validator:
    schema = json.loads(text)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def content_files(content: Path, pattern: str) -> list[Path]:
    """The files of one kind in a content folder; FILES gives the patterns as content/..."""
    return sorted(content.glob(pattern.removeprefix("content/")))


@pytest.mark.content
def test_committed_schemas_and_guide_are_up_to_date(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["schema", "--check", "--content", str(CONTENT)]) == 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def content_schemas(content_build) -> dict[str, str]:
    """The schemas made from the real content: those an editor's YAML language server would use."""
    return render_schemas(content_build.site)


@pytest.mark.content
@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_content_file_validates_against_its_schema(content_schemas, kind):
    _, pattern = FILES[kind]
    paths = content_files(CONTENT, pattern)
    assert paths, f"no files match {pattern} in {CONTENT}"
    validator = validator_of(content_schemas[f"{kind}.schema.json"])
    errors = [f"{path.name}: {'/'.join(map(str, e.path))}: {e.message}"
              for path in paths for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


@pytest.mark.content
def test_every_content_file_names_its_schema():
    for kind, (_, pattern) in FILES.items():
        for path in content_files(CONTENT, pattern):
            first = path.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"{kind}.schema.json"), \
                path


@pytest.fixture(scope="module")
def rich_schemas() -> dict[str, str]:
    return render_schemas(load_site(RICH))


@pytest.fixture(scope="module")
def plan():
    return yaml.safe_load((RICH / "plans/2021-22.yaml").read_text())


def test_schema_rejects_what_the_validator_rejects(rich_schemas, plan):
    def rejects(kind: str, instance) -> list[str]:
        return [e.message for e in validator_of(rich_schemas[f"{kind}.schema.json"]).iter_errors(instance)]

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
            todo.extend(_nested_classes(hints[fl.name]))
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
            if body is None or f"| `{fl.name}` |" not in body or not fl.metadata.get("doc"):
                missing.append(f"{cls.__name__}.{fl.name}")
    assert missing == []
    assert len(classes) > 15  # the walk reached the nested items (initiatives, links, funding ...)
