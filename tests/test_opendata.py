"""Open data and the feed: complete, parseable, and valid against the published schemas.

The columns' format is tested on the rich fixture site; that the real site's open data is
complete and valid, on the real content (marked `content`).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import RICH, TEMPLATES
from site_builder.build import SiteBuilder
from site_builder.opendata import COLUMNS
from site_builder.routes import all_initiatives

content = pytest.mark.content


@pytest.fixture(scope="module")
def result(content_build):
    return content_build


@pytest.fixture(scope="module")
def rich():
    return SiteBuilder(RICH, TEMPLATES).build()


def csv_rows(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["data/initiatives.csv"].decode("utf-8"), newline="")))


@content
def test_csv_has_a_row_for_every_initiative_of_every_plan(result):
    rows = csv_rows(result.files)
    expected = [(plan.period, ini.id) for plan in sorted(result.site.plans, key=lambda p: p.period)
                for ini in all_initiatives(plan)]
    assert [(row["plan"], row["id"]) for row in rows] == expected
    assert list(rows[0]) == [c.name for c in COLUMNS]


def test_csv_columns_are_plain_text_with_lists_joined(rich):
    rows = csv_rows(rich.files)
    assert list(rows[0]) == [c.name for c in COLUMNS]
    sceptre = next(row for row in rows if row["title"] == "Op Sceptre / Op Pegasi")
    assert (sceptre["plan"], sceptre["id"], sceptre["lead"]) == ("2021-22", "op-sceptre-op-pegasi", "Essex Police")
    assert sceptre["scp_priorities"] == "1; 2; 3" and sceptre["pfcc_priorities"] == "1; 4; 5; 6"
    assert sceptre["url"] == "https://example.test/plans/2021-22/initiatives/op-sceptre-op-pegasi/"
    week = next(row for row in rows if row["title"] == "ASB Awareness Week")
    assert week["lead"] == "Essex Police; Colchester Borough Homes; Colchester Borough Council"


@content
@pytest.mark.parametrize("name", ["initiatives", "plans", "agencies"])
def test_json_validates_against_its_published_schema(result, name):
    schema = json.loads(result.files[f"data/{name}.schema.json"])
    jsonschema.Draft7Validator.check_schema(schema)
    data = json.loads(result.files[f"data/{name}.json"])
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    assert errors == []
    assert data, f"{name}.json is empty"


def test_the_schemas_reject_a_broken_record(rich):
    schema = json.loads(rich.files["data/initiatives.schema.json"])
    record = json.loads(rich.files["data/initiatives.json"])[0]
    assert list(jsonschema.Draft7Validator(schema).iter_errors([record])) == []
    record["scp_priorities"] = ["one"]
    del record["title"]
    messages = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors([record])]
    assert "'title' is a required property" in messages and "'one' is not of type 'integer'" in messages


@content
def test_json_matches_the_csv(result):
    rows = csv_rows(result.files)
    records = json.loads(result.files["data/initiatives.json"])
    assert len(records) == len(rows)
    assert all(r["title"] == row["title"] and "; ".join(r["lead"]) == row["lead"] for r, row in zip(records, rows))


@content
def test_feed_lists_every_plan_with_its_page(result):
    root = ET.fromstring(result.files["feed.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == [p.title for p in result.site.plans]
    for entry in entries:
        path = entry.find("a:link", ns).get("href").split("://", 1)[1].split("/", 1)[1]
        assert f"{path}index.html" in result.files
        assert entry.find("a:updated", ns).text.endswith("-04-01T00:00:00Z")


@content
def test_every_page_links_the_feed(result):
    pages = [p for p in result.files if p.endswith(".html") and not p.startswith("admin/")]
    assert all(b'type="application/atom+xml" href="/feed.xml"' in result.files[p] for p in pages)
