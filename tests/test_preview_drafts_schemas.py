"""The preview shows draft plans, marked, and keeps the editor's schemas current as agencies are added."""

from __future__ import annotations

import io
import json

from conftest import TEMPLATES, touch_later
from site_builder.cli import main
from site_builder.serve import Preview

NEW = "2030-31"


def test_the_preview_shows_a_draft_plan_marked_as_a_draft(site_dir, tmp_path, capsys):
    assert main(["new", "plan", NEW]) == 0
    preview = Preview(site_dir, TEMPLATES, tmp_path / ".serve", out=io.StringIO())
    preview.search = False
    assert preview.rebuild(), preview.out.getvalue()
    page = (tmp_path / f".serve/plans/{NEW}/index.html").read_text()
    assert "<strong>Draft.</strong>" in page and '<meta name="robots" content="noindex">' in page


def test_the_preview_writes_the_schemas_again_when_an_agency_is_added(site_dir, tmp_path):
    schemas = tmp_path / "schemas"
    preview = Preview(site_dir, TEMPLATES, tmp_path / ".serve", out=io.StringIO(), schemas=schemas)
    preview.search = False
    assert preview.rebuild(), preview.out.getvalue()
    plan_schema = schemas / "plan.schema.json"
    assert "Essex Police" in plan_schema.read_text() and "Walking Club" not in plan_schema.read_text()
    written = plan_schema.stat().st_mtime_ns

    touch_later(site_dir / "plans" / sorted((site_dir / "plans").iterdir())[0].name)
    assert preview.rebuild()
    assert plan_schema.stat().st_mtime_ns == written  # no names changed: not written again

    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text() + "  - id: walking-club\n    name: Colchester Walking Club\n"
                        "    kind: voluntary\n")
    touch_later(agencies)
    assert preview.rebuild(), preview.out.getvalue()
    names = json.loads(plan_schema.read_text())["definitions"]["Initiative"]["properties"]["lead"]
    assert "Colchester Walking Club" in json.dumps(names)
