"""Open data: every initiative, plan and agency as CSV and JSON, with schemas and a dictionary.

One list of columns describes the initiative data; the CSV, the JSON, its schema and the
data dictionary page are all made from it, so they cannot disagree.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass, replace
from typing import Callable

from .convert import field_types, kind_of
from .markdown import Markdown
from .model import Agency, Initiative, Plan, Site
from .reuse import Reuse
from .routes import HOME, Build, Page, all_initiatives
from .urls import output_path, url_for

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Column:
    """One field of the initiative data."""

    name: str
    kind: str  # string, integer, boolean, list
    description: str
    get: Callable[[Plan, Initiative, str], object]


def field_column(path: str, name: str = "") -> Column:
    """A column holding an initiative's field (path: "title", "funding.scp"): its kind and meaning are the model's."""
    cls, parts = Initiative, path.split(".")
    for part in parts:
        fl = next(fl for fl in dataclasses.fields(cls) if fl.name == part)
        kind = kind_of(field_types(cls)[part])
        cls = (*kind.nested, None)[0]

    def get(plan: Plan, ini: Initiative, base_url: str):
        value = ini
        for part in parts:
            value = getattr(value, part) if value is not None else None
        return _plain(value, kind.column)
    return Column(name or path.replace(".", "_"), kind.column, fl.metadata["data"] or fl.metadata["doc"], get)


def _plain(value, kind: str):
    """A field's value as the open data holds it: agencies by name, programmes by id, Markdown as written."""
    if value is None:
        return None if kind == "integer" else ""
    if isinstance(value, tuple):
        return [_plain(v, kind) for v in value]
    if isinstance(value, Markdown):
        return value.source.strip()
    return value.name if isinstance(value, Agency) else getattr(value, "id", value)


COLUMNS = (
    field_column("period", "plan"),
    Column("plan_title", "string", "The plan's title.", lambda p, i, b: p.title),
    field_column("priority"),
    Column("priority_title", "string", "That priority's title.",
           lambda p, i, b: next((pr.title for pr in p.priorities if pr.number == i.priority), "")),
    *map(field_column, ("id", "title", "editorial_title", "lead")),
    Column("lead_ids", "list", "The lead agencies' ids (see agencies.json).", lambda p, i, b: [a.id for a in i.lead]),
    *map(field_column, ("lead_printed", "lead_as_written", "partners", "timing", "status", "scp_priorities", "pfcc_priorities")),
    Column("pfcc_plan", "string", "The Police, Fire and Crime Plan those numbers refer to.",
           lambda p, i, b: p.pfcc_plan),
    *map(field_column, ("programme", "topics")),
    *map(field_column, ("funding.scp", "funding.other", "description", "outcomes", "updates")),
    Column("url", "string", "The initiative's page on this site.", lambda p, i, b: b + url_for(i)),
)


def _csv(rows) -> bytes:
    """Rows as CSV lines ending CRLF, as spreadsheets expect, encoded."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _cell(value) -> str:
    if isinstance(value, list):
        return spreadsheet_safe("; ".join(map(str, value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else spreadsheet_safe(str(value))


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): =, +, - or @ at
# its start, also after spaces or in their full-width forms, or a tab or carriage return first.
_FORMULA = re.compile(r"^(?:\s*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r])")
CSV_NOTE = ("A cell of initiatives.csv whose text starts with =, +, - or @ (or a tab) begins with an apostrophe ('), "
            "so that spreadsheets show it as text and never run it as a formula: a description that starts with a "
            "Markdown list, for example. The JSON files hold every text as written.")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a leading apostrophe where one could start."""
    return "'" + text if _FORMULA.match(text) else text


def initiative_row(plan: Plan, ini: Initiative, base_url: str) -> tuple[bytes, bytes]:
    """An initiative as a CSV row and as a JSON text, encoded; `plan` is its plan without rows (_without_rows)."""
    record = {c.name: c.get(plan, ini, base_url) for c in COLUMNS}
    return _csv([[_cell(record[c.name]) for c in COLUMNS]]), json.dumps(record, ensure_ascii=False).encode("utf-8")


def _without_rows(plan: Plan) -> Plan:
    """The plan as a row's columns read it: all of it but its rows, so that a row is made again only when
    it, or what the plan says besides its rows, changed (a preview's edit of one row makes one row)."""
    return replace(plan, priorities=tuple(replace(p, initiatives=()) for p in plan.priorities), initiatives=())


def _direct(fn: Callable, *args, slot=None):
    """fn(*args), kept nowhere: what a one-off build calls instead of a Reuse (no build comes next)."""
    return fn(*args)


def _same(value):
    """The value itself: through Reuse, the equal one of the last build, which each row compares at once."""
    return value


def initiative_files(site: Site, base_url: str, call: Callable) -> tuple[bytearray, bytearray]:
    """The CSV and the JSON of every initiative, oldest plan first, each row made by `call` (a Reuse, or
    _direct).

    Each is grown a row at a time and not copied into bytes: at 100,000 initiatives they are
    224 MB, which a join would have held twice (and a Reuse of every row a third time).
    """
    as_csv, as_json, sep = bytearray(_csv([[c.name for c in COLUMNS]])), bytearray(b"["), b"\n"
    for plan in sorted(site.plans, key=lambda p: p.period):
        head = call(_same, _without_rows(plan), slot=plan.period)
        for ini in all_initiatives(plan):
            row, text = call(initiative_row, head, ini, base_url, slot=ini)  # the initiative keeps its hash
            as_csv += row
            as_json += sep + text
            sep = b",\n"
    as_json += b"\n]\n"
    return as_csv, as_json


def plans_file(plans: tuple[Plan, ...], base_url: str) -> bytes:
    """plans.json: each plan with its priorities, members and counts."""
    records = []
    for plan in sorted(plans, key=lambda p: p.period):
        members = plan.members
        records.append({
            "period": plan.period, "title": plan.title, "document": plan.document, "date": plan.date,
            "pfcc_plan": plan.pfcc_plan, "url": base_url + url_for(plan),
            "initiatives": len(all_initiatives(plan)),
            "members": {"statutory": [a.id for a in members.statutory] if members else [],
                        "non_statutory": [a.id for a in members.non_statutory] if members else []},
            "priorities": [{"number": p.number, "title": p.title, "short_title": p.short_title,
                            "topics": [t.id for t in p.topics], "summary": _plain(p.summary, "string"),
                            "initiatives": len(p.initiatives), "source_table_empty": p.source_table_empty,
                            "editorial_title": p.editorial_title, "url": base_url + url_for(p)}
                           for p in plan.priorities],
        })
    return _json(records)


def agencies_file(agencies: tuple[Agency, ...], base_url: str) -> bytes:
    """agencies.json: each agency of the registry."""
    return _json([{"id": a.id, "name": a.name, "short_name": a.short_name, "aliases": list(a.aliases),
                   "kind": a.kind, "website": a.website, "description": _plain(a.description, "string"),
                   "url": base_url + url_for(a)}
                  for a in sorted(agencies, key=lambda a: a.id)])


def _json(data) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


_JSON_TYPES = {"string": {"type": "string"}, "integer": {"type": ["integer", "null"]}, "boolean": {"type": "boolean"},
               "list": {"type": "array", "items": {"type": "string"}},
               "integer list": {"type": "array", "items": {"type": "integer"}}}


def _object(properties: dict) -> dict:
    """A JSON Schema of an object with exactly these properties, each required."""
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def schemas(base_url: str) -> dict[str, dict]:
    """JSON Schemas of the published JSON files."""
    draft = "http://json-schema.org/draft-07/schema#"
    initiative = _object({c.name: {**_JSON_TYPES[c.kind], "description": c.description} for c in COLUMNS})
    string, strings, integer = {"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "integer"}
    priority = _object({"number": integer, "title": string, "short_title": string, "topics": strings,
                        "summary": string, "initiatives": integer, "source_table_empty": {"type": "boolean"},
                        "editorial_title": {"type": "boolean"}, "url": string})
    plan = _object({"period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}, "title": string, "document": string,
                    "date": string, "pfcc_plan": string, "url": string, "initiatives": integer,
                    "members": _object({"statutory": strings, "non_statutory": strings}),
                    "priorities": {"type": "array", "items": priority}})
    agency = _object({"id": string, "name": string, "short_name": string, "aliases": strings, "kind": string,
                      "website": string, "description": string, "url": string})
    files = {"initiatives": ("Initiatives of the Safer Colchester Partnership's plans", initiative),
             "plans": ("The Safer Colchester Partnership's Annual Partnership Plans", plan),
             "agencies": ("The partnership's agencies", agency)}
    return {name: {"$schema": draft, "$id": base_url + url_for("data", f"{name}.schema.json"), "title": title,
                   "type": "array", "items": items} for name, (title, items) in files.items()}


def make_open_data(site: Site, base_url: str, reuse: Reuse | None = None) -> dict[str, bytes]:
    """Every open-data file, by output path; `reuse` keeps what did not change from the last build (a
    one-off build gives none: no build comes next)."""
    call = reuse or _direct
    as_csv, as_json = initiative_files(site, base_url, call)
    files = {
        "initiatives.csv": as_csv,
        "initiatives.json": as_json,
        "plans.json": call(plans_file, site.plans, base_url, slot=()),
        "agencies.json": call(agencies_file, site.agencies, base_url, slot=()),
    }
    files.update(call(schema_files, base_url))
    return {output_path(url_for("data", name)): data for name, data in files.items()}


def schema_files(base_url: str) -> dict[str, bytes]:
    """The JSON Schemas, by file name."""
    return {f"{name}.schema.json": _json(schema) for name, schema in schemas(base_url).items()}


@dataclass(frozen=True, slots=True)
class DataView:
    """What the open data page shows."""

    columns: tuple[tuple[str, str, str], ...]
    csv_note: str
    initiatives: int
    plans: int
    agencies: int
    licence: str
    licence_url: str


def data_pages(b: Build) -> list[Page]:
    """The open data page: the files, the licence and the data dictionary."""
    site = b.site
    initiatives = sum(len(all_initiatives(plan)) for plan in site.plans)
    view = DataView(tuple((c.name, c.kind, c.description) for c in COLUMNS), CSV_NOTE, initiatives,
                    len(site.plans), len(site.agencies), LICENCE, LICENCE_URL)
    return [Page(url_for("data"), "data.html", "Open data",
                 "Every initiative, plan and agency of the partnership's plans as CSV and JSON, under the "
                 "Open Government Licence, with a data dictionary.", (HOME,), view, "index")]
