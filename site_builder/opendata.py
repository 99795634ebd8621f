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
import typing
from dataclasses import dataclass
from typing import Callable

from .convert import kind_of
from .markdown import Markdown
from .model import Agency, Initiative, Plan, Site
from .routes import HOME, Build, Page, all_initiatives, initiative_topics
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
        kind = kind_of(typing.get_type_hints(cls, include_extras=True)[part])
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


def _priority_title(plan: Plan, ini: Initiative) -> str:
    return next((p.title for p in plan.priorities if p.number == ini.priority), "")


COLUMNS = (
    field_column("period", "plan"),
    Column("plan_title", "string", "The plan's title.", lambda p, i, b: p.title),
    field_column("priority"),
    Column("priority_title", "string", "That priority's title.", lambda p, i, b: _priority_title(p, i)),
    *map(field_column, ("id", "title", "editorial_title", "lead")),
    Column("lead_ids", "list", "The lead agencies' ids (see agencies.json).", lambda p, i, b: [a.id for a in i.lead]),
    *map(field_column, ("lead_as_written", "partners", "timing", "status", "scp_priorities", "pfcc_priorities")),
    Column("pfcc_plan", "string", "The Police, Fire and Crime Plan those numbers refer to.",
           lambda p, i, b: p.pfcc_plan),
    field_column("programme"),
    Column("topics", "list", "The ids of its topics, its own and its priority's.",
           lambda p, i, b: _topic_ids(p, i)),
    *map(field_column, ("funding.scp", "funding.other", "description", "outcomes", "updates")),
    Column("url", "string", "The initiative's page on this site.", lambda p, i, b: b + url_for(i)),
)


def _topic_ids(plan: Plan, ini: Initiative) -> list[str]:
    return [t.id for t in initiative_topics(ini, {p.number: p for p in plan.priorities})]


def _csv_rows(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for record in records:
        writer.writerow([_cell(record[c.name]) for c in COLUMNS])
    return out.getvalue()


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


class InitiativeData:
    """Makes initiatives.csv and .json, reusing each unchanged plan's rows from the last build."""

    def __init__(self):
        self._cache: dict[tuple[str, str], tuple[Plan, str, list[str]]] = {}
        self._once: dict[str, tuple[tuple, bytes]] = {}
        self._rows: dict[int, tuple] = {}  # id(initiative) -> (initiative, context, csv, json)
        self._rows_before: dict[int, tuple] = {}

    def _row(self, plan: Plan, ini: Initiative, base_url: str) -> tuple[str, str]:
        """One initiative's CSV row and JSON text, reused while it and its plan's headings stay the same."""
        priority = next((p for p in plan.priorities if p.number == ini.priority), None)
        context = (plan.period, plan.title, plan.pfcc_plan, base_url,
                   priority.title if priority else "", priority.topics if priority else ())
        hit = self._rows.get(id(ini)) or self._rows_before.get(id(ini))
        if hit is None or hit[0] is not ini or hit[1] != context:
            record = {c.name: c.get(plan, ini, base_url) for c in COLUMNS}
            hit = (ini, context, _csv_rows([record]), json.dumps(record, ensure_ascii=False))
        self._rows[id(ini)] = hit
        return hit[2], hit[3]

    def once(self, name: str, inputs: tuple, make) -> bytes:
        """Make a file again only when its inputs are not the very objects of the last build."""
        hit = self._once.get(name)
        if hit is None or len(hit[0]) != len(inputs) or any(
                a is not b and not (isinstance(a, str) and a == b) for a, b in zip(hit[0], inputs)):
            hit = self._once[name] = (inputs, make())
        return hit[1]

    def files(self, site: Site, base_url: str) -> tuple[bytes, bytes]:
        """The CSV and the JSON of every initiative, oldest plan first."""
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow([c.name for c in COLUMNS])
        csv_parts, json_items, fresh = [header.getvalue()], [], {}
        for plan in sorted(site.plans, key=lambda p: p.period):
            key = (plan.period, base_url)
            hit = self._cache.get(key)
            if hit is None or hit[0] is not plan:  # the same object means the same file, unchanged
                rows = [self._row(plan, ini, base_url) for ini in all_initiatives(plan)]
                hit = (plan, "".join(r[0] for r in rows), [r[1] for r in rows])
            fresh[key] = hit
            csv_parts.append(hit[1])
            json_items.extend(hit[2])
        self._cache = fresh
        self._rows_before, self._rows = self._rows, {}
        as_json = "[\n" + ",\n".join(json_items) + ("\n" if json_items else "") + "]\n"
        return "".join(csv_parts).encode("utf-8"), as_json.encode("utf-8")


def plans_records(site: Site, base_url: str) -> list[dict]:
    """Each plan with its priorities, members and counts."""
    records = []
    for plan in sorted(site.plans, key=lambda p: p.period):
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
    return records


def agencies_records(site: Site, base_url: str) -> list[dict]:
    """Each agency of the registry."""
    return [{"id": a.id, "name": a.name, "short_name": a.short_name, "aliases": list(a.aliases), "kind": a.kind,
             "website": a.website, "description": _plain(a.description, "string"), "url": base_url + url_for(a)}
            for a in sorted(site.agencies, key=lambda a: a.id)]


def _json(data) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


_JSON_TYPES = {"string": {"type": "string"}, "integer": {"type": ["integer", "null"]}, "boolean": {"type": "boolean"},
               "list": {"type": "array", "items": {"type": "string"}},
               "integer list": {"type": "array", "items": {"type": "integer"}}}


def schemas(base_url: str) -> dict[str, dict]:
    """JSON Schemas of the published JSON files."""
    draft = "http://json-schema.org/draft-07/schema#"
    initiative = {"type": "object", "additionalProperties": False, "required": [c.name for c in COLUMNS],
                  "properties": {c.name: {**_JSON_TYPES[c.kind], "description": c.description} for c in COLUMNS}}
    string, strings = {"type": "string"}, {"type": "array", "items": {"type": "string"}}
    priority = {"type": "object", "additionalProperties": False,
                "required": ["number", "title", "short_title", "topics", "summary", "initiatives",
                             "source_table_empty", "editorial_title", "url"],
                "properties": {"number": {"type": "integer"}, "title": string, "short_title": string,
                               "topics": strings, "summary": string, "initiatives": {"type": "integer"},
                               "source_table_empty": {"type": "boolean"}, "editorial_title": {"type": "boolean"},
                               "url": string}}
    plan = {"type": "object", "additionalProperties": False,
            "required": ["period", "title", "document", "date", "pfcc_plan", "url", "initiatives", "members",
                         "priorities"],
            "properties": {"period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}, "title": string,
                           "document": string, "date": string, "pfcc_plan": string, "url": string,
                           "initiatives": {"type": "integer"},
                           "members": {"type": "object", "additionalProperties": False,
                                       "required": ["statutory", "non_statutory"],
                                       "properties": {"statutory": strings, "non_statutory": strings}},
                           "priorities": {"type": "array", "items": priority}}}
    agency = {"type": "object", "additionalProperties": False,
              "required": ["id", "name", "short_name", "aliases", "kind", "website", "description", "url"],
              "properties": {"id": string, "name": string, "short_name": string, "aliases": strings, "kind": string,
                             "website": string, "description": string, "url": string}}
    return {
        "initiatives": {"$schema": draft, "$id": base_url + url_for("data", "initiatives.schema.json"),
                        "title": "Initiatives of the Safer Colchester Partnership's plans",
                        "type": "array", "items": initiative},
        "plans": {"$schema": draft, "$id": base_url + url_for("data", "plans.schema.json"),
                  "title": "The Safer Colchester Partnership's Annual Partnership Plans",
                  "type": "array", "items": plan},
        "agencies": {"$schema": draft, "$id": base_url + url_for("data", "agencies.schema.json"),
                     "title": "The partnership's agencies", "type": "array", "items": agency},
    }


def make_open_data(site: Site, base_url: str, initiatives: InitiativeData) -> dict[str, bytes]:
    """Every open-data file, by output path."""
    as_csv, as_json = initiatives.files(site, base_url)
    files = {
        "initiatives.csv": as_csv,
        "initiatives.json": as_json,
        "plans.json": initiatives.once("plans", (*site.plans, base_url), lambda: _json(plans_records(site, base_url))),
        "agencies.json": initiatives.once("agencies", (*site.agencies, base_url),
                                          lambda: _json(agencies_records(site, base_url))),
    }
    files.update({f"{name}.schema.json": _json(schema) for name, schema in schemas(base_url).items()})
    return {output_path(url_for("data", name)): data for name, data in files.items()}


def dictionary() -> tuple[tuple[str, str, str], ...]:
    """The initiative columns for the data dictionary page: name, kind, description."""
    return tuple((c.name, c.kind, c.description) for c in COLUMNS)


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
    view = DataView(dictionary(), CSV_NOTE, initiatives, len(site.plans), len(site.agencies), LICENCE, LICENCE_URL)
    return [Page(url_for("data"), "data.html", "Open data",
                 "Every initiative, plan and agency of the partnership's plans as CSV and JSON, under the "
                 "Open Government Licence, with a data dictionary.", (HOME,), view, "index")]
