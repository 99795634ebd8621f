"""The transcribed plans say what the published documents say.

tests/fixtures/sources.yaml is an independent reading of the source documents (the text
extractions in the project's seeds): every plan's priorities, and every row of every table
with its title, lead and priority columns. This test compares the loaded content with it,
guarding the published plans against the loss or change of anything transcribed:

- every plan of the source is in the content, with every priority under its number;
- each priority's title (a priority the source prints without a title must be editorial),
  and a table the source prints empty is marked so while the content has no rows there;
- every row of every table, in the source's order: its title (2014-15 rows have no printed
  title: their description must start with the first words of the printed Outputs cell, and
  their title must be editorial), its SCP and PFCC priority numbers exactly, and its lead: the
  printed lead must be accounted for, either by lead_as_written or by the lead agencies (every
  agency named in the printed lead must be one of them).

What the content gains after publication is allowed: new plans, new priorities, and new rows
anywhere. A row marked `added` (the date it was added) is left out before the comparison; an
unmarked extra row is passed over too, as only loss and change are guarded.

Titles are compared after collapsing whitespace and straightening typographic quotes; a
priority title may also drop a trailing full stop. Nothing else is forgiven: a recorded
typo fix is written into the fixture (with the printed spelling in a comment).

These tests read the real content (marked `content`); the comparison itself is tested on
small made-up inputs at the end.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = yaml.safe_load((ROOT / "tests" / "fixtures" / "sources.yaml").read_text(encoding="utf-8"))
PERIODS = list(FIXTURE)


@pytest.fixture(scope="module")
def plans(content_build):
    return {plan.period: plan for plan in content_build.site.plans}


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


def is_added(initiative) -> bool:
    """Whether a row is marked as added after the plan was published (`added: 2026-12-04`)."""
    return bool(getattr(initiative, "added", ""))


def compare_rows(where: str, expected: list[dict], actual) -> list[str]:
    """Every row of the source must still be in the content, in order and unchanged.

    Rows marked added are left out; the rest are aligned with the source's, so that a lost or
    changed row is named and an unmarked extra row is passed over.
    """
    problems = []
    actual = [i for i in actual if not is_added(i)]
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
        # Source rows with no row of theirs here were lost, or their title changed; content
        # rows with no source row here ("insert", or the rest of a "replace") were added.
        for i in range(a1, a2):
            problems.append(f"{where} row {i + 1} ({row_label(expected[i])!r}): in the source "
                            "but missing from the content here (lost, or its title changed)")
    return problems


def missing_plans(fixture: dict, plans: dict) -> list[str]:
    """The source's plans that the content lacks; plans the source does not have are allowed."""
    return [f"{period}: in the source but not in the content" for period in fixture if period not in plans]


def priority_problems(period: str, source: dict, plan) -> list[str]:
    """Every priority of the source, under its number and with its title; new priorities are allowed."""
    problems = []
    numbers = {p.number: p for p in plan.priorities}
    empty_tables = not source.get("combined")  # rows under each priority, so an empty list is an empty table
    for want in source["priorities"]:
        where = f"{period} priority {want['number']}"
        priority = numbers.get(want["number"])
        if priority is None:
            problems.append(f"{where}: in the source but missing from the content")
            continue
        if want["title"] is None:
            if not priority.editorial_title:
                problems.append(f"{where}: the source prints no title, so {priority.title!r} "
                                "must be marked editorial_title: true")
        elif norm_heading(priority.title) != norm_heading(want["title"]):
            problems.append(f"{where}: the title is {priority.title!r}, the source prints {want['title']!r}")
        elif priority.editorial_title:
            problems.append(f"{where}: the source prints this title, but it is marked editorial_title")
        if empty_tables and not want["initiatives"] and not priority.initiatives and not priority.source_table_empty:
            problems.append(f"{where}: the source prints this table with no rows, so the priority must be "
                            "marked source_table_empty: true")
    return problems


def row_problems(period: str, source: dict, plan) -> list[str]:
    """Every row of every table of the source, compared with the content's."""
    problems = []
    numbers = {p.number: p for p in plan.priorities}
    for want in source["priorities"]:
        if want["number"] in numbers:  # a lost priority is priority_problems' to report
            problems += compare_rows(f"{period} priority {want['number']}", want["initiatives"],
                                     numbers[want["number"]].initiatives)
    problems += compare_rows(f"{period} combined table", source.get("combined", []), plan.initiatives)
    return problems


def report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} difference(s) from the source:\n  " + "\n  ".join(problems)


# ---- the tests ----------------------------------------------------------------------------

content = pytest.mark.content


@content
def test_every_plan_of_the_source_is_in_the_content(plans):
    report(missing_plans(FIXTURE, plans))


@content
@pytest.mark.parametrize("period", PERIODS)
def test_priorities(plans, period):
    if period not in plans:
        pytest.fail(f"{period}: in the source but not in the content")
    report(priority_problems(period, FIXTURE[period], plans[period]))


@content
@pytest.mark.parametrize("period", PERIODS)
def test_rows(plans, period):
    if period not in plans:
        pytest.fail(f"{period}: in the source but not in the content")
    report(row_problems(period, FIXTURE[period], plans[period]))


# ---- the comparison, on made-up inputs ------------------------------------------------------

def agency(name: str, short_name: str = "", aliases=()):
    return SimpleNamespace(id=name.lower().replace(" ", "-"), name=name, short_name=short_name, aliases=tuple(aliases))


POLICE, COUNCIL = agency("Essex Police", aliases=["EP"]), agency("Colchester Borough Council", "CBC")


def row(title: str, lead=(POLICE,), scp=(1,), pfcc=(), added: str = "", **more):
    """A content row as the loaded model gives it, with only what the comparison reads."""
    fields = dict(title=title, lead=tuple(lead), lead_as_written="", scp_priorities=tuple(scp),
                  pfcc_priorities=tuple(pfcc), editorial_title=False, description=None, added=added)
    return SimpleNamespace(**{**fields, **more})


SOURCE_ROWS = [{"title": "MAC Panel", "lead": "Essex Police", "scp": [1], "pfcc": []},
               {"title": "Closure Orders", "lead": "CBC", "scp": [1], "pfcc": []},
               {"title": "Box Smart", "lead": "Essex Police", "scp": [1], "pfcc": []}]


def as_published():
    return [row("MAC Panel"), row("Closure Orders", lead=[COUNCIL]), row("Box Smart")]


def test_the_rows_as_published_pass():
    assert compare_rows("p1", SOURCE_ROWS, as_published()) == []


def test_a_lost_row_fails():
    rows = as_published()
    del rows[1]
    assert compare_rows("p1", SOURCE_ROWS, rows) == [
        "p1 row 2 ('Closure Orders'): in the source but missing from the content here (lost, or its title changed)"]


def test_a_lost_row_fails_though_a_row_was_added_in_its_place():
    for added in ("", "2026-12-04"):
        rows = as_published()
        rows[1] = row("Street Pastors", lead=[COUNCIL], added=added)
        problems = compare_rows("p1", SOURCE_ROWS, rows)
        assert len(problems) == 1 and problems[0].startswith("p1 row 2 ('Closure Orders')"), (added, problems)


def test_a_changed_row_fails():
    changes = {"title": dict(title="Closure Order"), "lead": dict(lead=(POLICE,)), "scp": dict(scp_priorities=(1, 2)),
               "pfcc": dict(pfcc_priorities=(4,))}
    for what, change in changes.items():
        rows = as_published()
        rows[1] = SimpleNamespace(**{**vars(rows[1]), **change})
        problems = compare_rows("p1", SOURCE_ROWS, rows)
        assert len(problems) == 1 and problems[0].startswith("p1 row 2"), (what, problems)


def test_rows_in_another_order_fail():
    rows = as_published()
    assert compare_rows("p1", SOURCE_ROWS, [rows[1], rows[0], rows[2]]) != []


@pytest.mark.parametrize("added", ["2026-12-04", ""], ids=["marked added", "unmarked"])
@pytest.mark.parametrize("where", [0, 1, 3])
def test_an_added_row_passes(added, where):
    rows = as_published()
    rows.insert(where, row("Street Pastors", lead=[COUNCIL], scp=[2], added=added))
    assert compare_rows("p1", SOURCE_ROWS, rows) == []


def test_rows_added_to_a_table_published_empty_pass():
    assert compare_rows("p1", [], [row("Street Pastors"), row("Keep Safe", added="2026-12-04")]) == []


def untitled(first_words: str, added: str = ""):
    """A 2014-15 row: the plan printed no title, so the title is editorial and the description names it."""
    return row(f"About {first_words.lower()}", editorial_title=True, added=added,
               description=SimpleNamespace(source=f"- {first_words} in every ward.\n"))


UNTITLED_ROWS = [{"output_starts": "Deliver an awareness event", "lead": "Essex Police", "scp": [1], "pfcc": []},
                 {"output_starts": "Continue the Sanctuary Scheme", "lead": "Essex Police", "scp": [1], "pfcc": []}]


def test_rows_without_a_printed_title_are_known_by_their_first_words():
    rows = [untitled("Deliver an awareness event"), untitled("Continue the Sanctuary Scheme")]
    assert compare_rows("2014-15 priority 1", UNTITLED_ROWS, rows) == []
    for added in ("", "2026-12-04"):
        assert compare_rows("2014-15 priority 1", UNTITLED_ROWS,
                            [rows[0], untitled("Start a new scheme", added), rows[1]]) == []
    changed = [rows[0], untitled("Continue a Sanctuary Scheme")]
    assert compare_rows("2014-15 priority 1", UNTITLED_ROWS, changed) == [
        "2014-15 priority 1 row 2 ('Outputs: Continue the Sanctuary Scheme...'): the description should start "
        "'Continue the Sanctuary Scheme', but starts 'Continue a Sanctuary Scheme in every ward.'"]


def plan(*priorities, initiatives=()):
    return SimpleNamespace(priorities=list(priorities), initiatives=list(initiatives))


def priority(number: int, title: str, initiatives=(), source_table_empty=False):
    return SimpleNamespace(number=number, title=title, editorial_title=False, initiatives=list(initiatives),
                           source_table_empty=source_table_empty)


SOURCE_PLAN = {"priorities": [{"number": 1, "title": "Tackling county lines", "initiatives": SOURCE_ROWS},
                              {"number": 2, "title": "Hidden harms", "initiatives": []}]}


def published_plan():
    return plan(priority(1, "Tackling county lines", as_published()), priority(2, "Hidden harms", source_table_empty=True))


def test_the_plan_as_published_passes():
    assert priority_problems("2021-22", SOURCE_PLAN, published_plan()) == []
    assert row_problems("2021-22", SOURCE_PLAN, published_plan()) == []


def test_a_lost_priority_fails():
    lost = plan(priority(1, "Tackling county lines", as_published()))
    assert priority_problems("2021-22", SOURCE_PLAN, lost) == ["2021-22 priority 2: in the source but missing from the content"]


def test_a_changed_priority_title_fails():
    changed = published_plan()
    changed.priorities[1].title = "Hidden harm"
    assert priority_problems("2021-22", SOURCE_PLAN, changed) == [
        "2021-22 priority 2: the title is 'Hidden harm', the source prints 'Hidden harms'"]


def test_a_table_published_empty_must_say_so_until_rows_are_added():
    unmarked = published_plan()
    unmarked.priorities[1].source_table_empty = False
    assert priority_problems("2021-22", SOURCE_PLAN, unmarked) == [
        "2021-22 priority 2: the source prints this table with no rows, so the priority must be marked "
        "source_table_empty: true"]
    unmarked.priorities[1].initiatives = [row("Street Pastors", added="2026-12-04")]
    assert priority_problems("2021-22", SOURCE_PLAN, unmarked) == []


def test_a_new_priority_and_its_rows_pass():
    grown = published_plan()
    grown.priorities.append(priority(3, "Road safety", [row("Speedwatch")]))
    assert priority_problems("2021-22", SOURCE_PLAN, grown) == []
    assert row_problems("2021-22", SOURCE_PLAN, grown) == []


def test_a_new_plan_passes_and_a_lost_plan_fails():
    source = {"2021-22": SOURCE_PLAN}
    assert missing_plans(source, {"2021-22": published_plan(), "2022-23": plan(priority(1, "New"))}) == []
    assert missing_plans(source, {"2022-23": plan(priority(1, "New"))}) == ["2021-22: in the source but not in the content"]
