"""The web editor at /admin/: its configuration made from the model, pinned scripts, kept out of search."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import typing

import yaml

from conftest import FIXTURE, ROOT, TEMPLATES
from site_builder.build import SiteBuilder
from site_builder.cms import BUNDLE, DECAP_VERSION, cms_config, config_text
from site_builder.convert import yaml_fields, yaml_key
from site_builder.fmt import shapes
from site_builder.model import Initiative, Plan, Priority


def build():
    return SiteBuilder(FIXTURE, TEMPLATES).build()


def fields_by_name(fields: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields}


def plan_fields() -> dict[str, dict]:
    [plans] = [c for c in cms_config("https://example.org")["collections"] if c["name"] == "plans"]
    return fields_by_name(plans["fields"])


def test_the_built_configuration_is_the_one_made_from_the_model():
    result = build()
    built = result.files["admin/config.yml"].decode()
    assert built == config_text(result.site.config.base_url.rstrip("/"))
    assert built.startswith("# Made by site-builder")
    config = yaml.safe_load(built)
    assert [c["name"] for c in config["collections"]] == ["plans", "registries", "settings", "pages"]
    assert [f["name"] for f in config["collections"][1]["files"]] == ["agencies", "topics", "programmes"]
    assert config["publish_mode"] == "editorial_workflow" and config["backend"]["name"] == "git-gateway"


def test_every_field_of_the_model_is_in_the_form_with_its_help_in_the_written_order():
    plan = plan_fields()
    priority = fields_by_name(plan["priorities"]["fields"])
    initiative = fields_by_name(priority["initiatives"]["fields"])
    for cls, fields in ((Plan, plan), (Priority, priority), (Initiative, initiative)):
        assert list(fields) == shapes(cls)[cls.__name__]["keys"], cls
        hints = typing.get_type_hints(cls)
        for fl in yaml_fields(cls):
            field = fields[yaml_key(fl)]
            assert field["hint"] == fl.metadata["doc"], (cls, fl.name)
            assert field["required"] == (fl.default is dataclasses.MISSING and hints[fl.name] is not bool), fl.name
    assert initiative["title"]["required"] and not initiative["lead"]["required"]
    assert priority["number"] == {**priority["number"], "widget": "number", "value_type": "int"}
    assert plan["period"]["pattern"][0] == r"^\d{4}-\d{2}$"


def test_references_are_picked_from_the_registries():
    initiative = fields_by_name(fields_by_name(plan_fields()["priorities"]["fields"])["initiatives"]["fields"])
    assert {k: initiative["lead"][k] for k in ("widget", "collection", "file", "value_field", "multiple")} == {
        "widget": "relation", "collection": "registries", "file": "agencies", "value_field": "agencies.*.name",
        "multiple": True}
    assert initiative["partners"]["value_field"] == "agencies.*.name"
    assert initiative["topics"]["value_field"] == "topics.*.id" and initiative["topics"]["multiple"]
    assert initiative["programme"]["value_field"] == "programmes.*.id" and "multiple" not in initiative["programme"]
    members = fields_by_name(plan_fields()["members"]["fields"])
    assert members["statutory"]["widget"] == "relation"
    assert initiative["status"] == {**initiative["status"], "widget": "select",
                                    "options": ["planned", "ongoing", "completed", "cancelled"]}


def test_the_plans_own_rows_are_apart_from_the_priorities_initiatives():
    """A form that put the plan's rarely used rows beside each priority's list lost added initiatives in it."""
    fields = plan_fields()
    names = list(fields)
    assert names.index("priorities") < names.index("initiatives")
    assert fields["initiatives"]["label"].startswith("Rows of a combined table (rarely used")
    assert fields_by_name(fields["priorities"]["fields"])["initiatives"]["label"] == "Initiatives"
    assert fields["priorities"]["summary"] == "{{fields.number}} {{fields.title}}"


def test_the_admin_page_loads_only_its_own_pinned_scripts_with_their_integrity():
    files = build().files
    page = files["admin/index.html"].decode()
    scripts = re.findall(r'<script src="/admin/([^"]+)" integrity="([^"]+)"></script>', page)
    assert [name for name, _ in scripts] == ["model.js", "scp-yaml.js", "cms.js", BUNDLE]
    for name, value in scripts:
        assert value == "sha256-" + base64.b64encode(hashlib.sha256(files[f"admin/{name}"]).digest()).decode()
    assert "http" not in page and "<script>" not in page and 'content="noindex, nofollow"' in page
    assert files[f"admin/{BUNDLE}"] == (TEMPLATES / "admin" / "vendor" / BUNDLE).read_bytes()
    assert json.loads((ROOT / "package.json").read_text())["devDependencies"]["decap-cms"] == DECAP_VERSION
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/decap-cms"]
    assert lock["version"] == DECAP_VERSION and lock["integrity"].startswith("sha512-")


def test_the_editor_is_no_page_of_the_site_and_search_engines_are_kept_out():
    result = build()
    assert not [page.url for page in result.pages if page.url.startswith("/admin")]  # nor in the search index
    assert b"/admin" not in result.files["sitemap.xml"]
    assert b"Disallow: /admin/\n" in result.files["robots.txt"]
    stylesheet = [url for name, url in re.findall(r'"(site\.css)"|(/assets/site\.[0-9a-f]{10}\.css)',
                                                    result.files["admin/model.js"].decode()) if url]
    assert stylesheet and f'href="{stylesheet[0]}"'.encode() in result.files["index.html"]
