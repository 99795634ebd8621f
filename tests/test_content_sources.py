"""The transcribed plans say what the published documents say.

tests/fixtures/sources.yaml is an independent reading of the source documents (the text
extractions in the project's seeds): every plan's priorities, and every row of every table
with its title, lead and priority columns. This test compares the loaded content with it:

- the plans, the number of priorities and of rows under each (and of combined rows);
- each priority's title (a priority the source prints without a title must be editorial);
- each row's title (2014-15 rows have no printed title: their description must start with
  the first words of the printed Outputs cell, and their title must be editorial);
- each row's SCP and PFCC priority numbers, exactly;
- each row's lead: the printed lead must be accounted for, either by lead_as_written or by
  the lead agencies (every agency named in the printed lead must be one of them).

Titles are compared after collapsing whitespace and straightening typographic quotes; a
priority title may also drop a trailing full stop. Nothing else is forgiven: a recorded
typo fix is written into the fixture (with the printed spelling in a comment).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
import yaml

from site_builder.load import load_site

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = yaml.safe_load((ROOT / "tests" / "fixtures" / "sources.yaml").read_text(encoding="utf-8"))
PERIODS = list(FIXTURE)


@pytest.fixture(scope="module")
def site():
    return load_site(Path(__file__).resolve().parent.parent / "content")


@pytest.fixture(scope="module")
def plans(site):
    return {plan.period: plan for plan in site.plans}


# ---- normalising text ---------------------------------------------------------------------

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def norm(text: str | None) -> str:
    """Collapse whitespace and straighten typographic quotes."""
    return re.sub(r"\s+", " ", (text or "").translate(QUOTES)).strip()


def norm_heading(text: str | None) -> str:
    """As norm, and a heading may drop its trailing full stop."""
    return norm(text).rstrip(".").rstrip()


LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)


def plain_start(markdown_source: str) -> str:
    """A Markdown text without list markers, backslash escapes or emphasis, whitespace collapsed."""
    text = LIST_MARKER.sub("", markdown_source)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!'\"])", r"\1", text)
    return norm(text)


# ---- leads ------------------------------------------------------------------------------

SEPARATORS = re.compile(r"\s*(?:/|,|&|\+|\band\b)\s*", re.IGNORECASE)
# Words in a printed lead that name no particular agency.
GENERIC = re.compile(r"^(?:(?:other|LA)\s+)?partners?$|^in partnership$", re.IGNORECASE)


def agency_tokens(printed: str) -> list[str]:
    """The agency-looking parts of a printed lead: 'CBC/Essex Police / BID' -> CBC, Essex Police, BID."""
    text = re.sub(r"\s+in partnership$", "", norm(printed), flags=re.IGNORECASE)
    parts = [p.strip() for p in SEPARATORS.split(text)]
    return [p for p in parts if p and not GENERIC.match(p)]


def agency_keys(initiative) -> set[str]:
    keys: set[str] = set()
    for agency in initiative.lead:
        for key in (agency.name, agency.short_name, agency.id, *agency.aliases):
            if key:
                keys.add(norm(key).casefold())
    return keys


def lead_problem(printed: str, initiative) -> str:
    """'' when the printed lead is accounted for by the initiative, else why not."""
    got = f"lead={[a.id for a in initiative.lead]}, lead_as_written={initiative.lead_as_written!r}"
    if not norm(printed):
        if initiative.lead:
            return f"the source prints no lead, but the content has {got}"
        return ""
    if initiative.lead_as_written and norm(printed) == norm(initiative.lead_as_written):
        return ""
    tokens = agency_tokens(printed)
    keys = agency_keys(initiative)
    missing = [t for t in tokens if t.casefold() not in keys]
    if tokens and not missing:
        return ""
    if not tokens:
        return f"the printed lead {printed!r} is not written out in lead_as_written ({got})"
    return (f"the printed lead {printed!r} is not accounted for: {missing} match none of the "
            f"lead agencies and lead_as_written differs ({got})")


# ---- comparing rows ---------------------------------------------------------------------

def row_label(row: dict) -> str:
    return row.get("title") or f"Outputs: {row['output_starts']}..."


def row_key(row: dict) -> str:
    return norm(row.get("title") or row["output_starts"]).casefold()


def content_key(initiative, expected_row: dict | None) -> str:
    if expected_row is not None and "output_starts" in expected_row:
        desc = plain_start(initiative.description.source) if initiative.description else ""
        return " ".join(desc.split(" ")[:len(expected_row["output_starts"].split())]).casefold()
    return norm(initiative.title).casefold()


def title_ok(row: dict, initiative) -> bool:
    wanted = {norm(row["title"])}
    if row.get("title_as_printed"):
        wanted.add(norm(row["title_as_printed"]))
    return norm(initiative.title) in wanted


def compare_row(where: str, row: dict, initiative) -> list[str]:
    problems = []
    here = f"{where} ({row_label(row)!r})"
    if "output_starts" in row:
        desc = initiative.description.source if initiative.description else ""
        if not plain_start(desc).startswith(norm(row["output_starts"])):
            problems.append(f"{here}: the description should start {row['output_starts']!r}, "
                            f"but starts {plain_start(desc)[:60]!r}")
        if not initiative.editorial_title:
            problems.append(f"{here}: the source prints no title, so the title {initiative.title!r} "
                            "must be marked editorial_title: true")
    elif not title_ok(row, initiative):
        problems.append(f"{here}: the title is {initiative.title!r}, the source prints {row['title']!r}")
    elif initiative.editorial_title:
        problems.append(f"{here}: the source prints this title, but it is marked editorial_title")
    for column, attr in (("scp", "scp_priorities"), ("pfcc", "pfcc_priorities")):
        got = list(getattr(initiative, attr))
        if got != list(row[column]):
            problems.append(f"{here}: {attr} is {got}, the source prints {row[column]}")
    why = lead_problem(row["lead"], initiative)
    if why:
        problems.append(f"{here}: {why}")
    return problems


def compare_rows(where: str, expected: list[dict], actual) -> list[str]:
    """Compare two lists of rows, aligning them so that a missing or extra row is named."""
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{where}: the source has {len(expected)} rows, the content has {len(actual)}")
    first = expected[0] if expected else None
    want = [row_key(r) for r in expected]
    have = [content_key(i, first) for i in actual]
    matcher = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and a2 - a1 == b2 - b1):
            for offset in range(a2 - a1):
                problems += compare_row(f"{where} row {a1 + offset + 1}", expected[a1 + offset],
                                        actual[b1 + offset])
            continue
        for i in range(a1, a2):
            problems.append(f"{where} row {i + 1} ({row_label(expected[i])!r}): in the source "
                            "but missing from the content here")
        for j in range(b1, b2):
            problems.append(f"{where}: the content has an extra row {j + 1} ({actual[j].title!r}) "
                            "that the source does not have here")
    return problems


def report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} difference(s) from the source:\n  " + "\n  ".join(problems)


# ---- the tests ----------------------------------------------------------------------------

def test_the_plans_are_the_sources_plans(plans):
    assert sorted(plans) == sorted(PERIODS)


@pytest.mark.parametrize("period", PERIODS)
def test_priorities(plans, period):
    plan = plans[period]
    expected = FIXTURE[period]["priorities"]
    problems = []
    if len(plan.priorities) != len(expected):
        problems.append(f"{period}: the source has {len(expected)} priorities, "
                        f"the content has {len(plan.priorities)}")
    for want, priority in zip(expected, plan.priorities):
        where = f"{period} priority {want['number']}"
        if priority.number != want["number"]:
            problems.append(f"{where}: numbered {priority.number} in the content")
        if want["title"] is None:
            if not priority.editorial_title:
                problems.append(f"{where}: the source prints no title, so {priority.title!r} "
                                "must be marked editorial_title: true")
        elif norm_heading(priority.title) != norm_heading(want["title"]):
            problems.append(f"{where}: the title is {priority.title!r}, the source prints {want['title']!r}")
        elif priority.editorial_title:
            problems.append(f"{where}: the source prints this title, but it is marked editorial_title")
        if len(priority.initiatives) != len(want["initiatives"]):
            problems.append(f"{where}: the source has {len(want['initiatives'])} rows, "
                            f"the content has {len(priority.initiatives)}")
    combined = FIXTURE[period].get("combined", [])
    if len(plan.initiatives) != len(combined):
        problems.append(f"{period} combined table: the source has {len(combined)} rows, "
                        f"the content has {len(plan.initiatives)}")
    report(problems)


@pytest.mark.parametrize("period", PERIODS)
def test_rows(plans, period):
    plan = plans[period]
    problems = []
    for want, priority in zip(FIXTURE[period]["priorities"], plan.priorities):
        problems += compare_rows(f"{period} priority {want['number']}", want["initiatives"],
                                 priority.initiatives)
    problems += compare_rows(f"{period} combined table", FIXTURE[period].get("combined", []),
                             plan.initiatives)
    report(problems)
