"""Agencies as printed: each reference keeps the name the file writes (the plan's own), and every page
that names the agency shows that name beside the registry's when the two differ."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from conftest import TEMPLATES, write, write_plan
from site_builder.cli import main
from site_builder.urls import output_path, url_for
from test_content_sources import FIXTURE, agency_tokens, content_key, norm, row_key

# Its tests build through the command line again and again: the templates are compiled once for the module (conftest).
pytestmark = pytest.mark.usefixtures("templates_compiled_once")

AGENCIES = """\
  - id: old-trust
    name: Old Probation Trust
    kind: probation
    aliases: [Old Probation]
    ended: 2020-09
  - id: later-trust
    name: Later Trust
    kind: probation
    ended: 2021-06
  - id: drive-partnership
    name: Drive Partnership
    kind: voluntary
    aliases: [DRIVE]
"""


def build(site_dir: Path, capsys) -> None:
    agencies = (site_dir / "agencies.yaml").read_text()
    if AGENCIES not in agencies:
        (site_dir / "agencies.yaml").write_text(agencies + AGENCIES)
    code = main(["build", "--templates", str(TEMPLATES), "--out", "output", "--no-search", "--no-cache"])
    assert code == 0, capsys.readouterr().err


def unmarked(html: str) -> str:
    """A page without the glossary's <abbr> marks (test_glossary_currency.py tests those)."""
    return re.sub(r"</?abbr\b[^>]*>", "", html)


def page(path: str) -> str:
    return unmarked(Path("output", path, "index.html").read_text())


def lead_of(html: str) -> str:
    return re.search(r"<dt>Lead</dt><dd>(.*?)</dd>", html, re.S).group(1)


def test_a_lead_shows_the_printed_name_beside_the_registrys(site_dir, capsys):
    write_plan(site_dir, """\
        - title: Perpetrator work
          lead: [DRIVE, CBC, essex-police, Open Road]
        - title: Supervision
          lead: Old Probation
        - title: Night patrols
          lead: [Police]
          lead_as_written: Police & partners
        """)
    build(site_dir, capsys)
    lead = lead_of(page("plans/2020-21/initiatives/perpetrator-work"))
    assert ('<a href="/agencies/drive-partnership/">Drive Partnership</a> <span class="as-printed">(printed “DRIVE”)'
            '</span>') in lead
    assert 'Colchester Borough Council</a> <span class="as-printed">(CBC)</span>' in lead  # a short name
    assert 'Essex Police</a> and' in lead  # an id is no printed name
    assert lead.endswith("Open Road</a>")  # the same name: nothing beside it
    # An agency that ended before the plan's year was over says so beside its printed name.
    assert "(printed “Old Probation”; ended September 2020)" in lead_of(page("plans/2020-21/initiatives/supervision"))
    # A printed cell that says more than the names stands beside them all.
    assert lead_of(page("plans/2020-21/initiatives/night-patrols")).endswith(
        'Essex Police</a> <span class="as-printed">(printed “Police &amp; partners”)</span>')
    # Lists name the lead the same way, without links.
    plan = page("plans/2020-21")
    assert "<dd>Drive Partnership <span class=\"as-printed\">(printed “DRIVE”)</span>, Colchester Borough" in plan
    # An agency's page says how the plans print its name, where that is not its own.
    assert re.search(r"Printed as “DRIVE” in the <a href=\"/plans/2020-21/\">Annual Partnership Plan .*2020-21.*</a>\.",
                     page("agencies/drive-partnership"))
    assert "Printed as" not in page("agencies/colchester-borough-council")  # only its short name is printed
    # An agency's page names the others it leads with as printed.
    assert "leads with Drive Partnership <span class=\"as-printed\">(printed “DRIVE”)</span>, Essex Police and " \
        "Open Road" in page("agencies/colchester-borough-council")


def test_the_page_of_an_agency_that_ended_during_a_plans_year_says_so(site_dir, capsys):
    write_plan(site_dir, """\
        - title: Supervision
          lead: [Old Probation, Later Trust]
        """)
    build(site_dir, capsys)
    said = re.compile(r"The <a href=\"/plans/2020-21/\">Annual Partnership Plan .*2020-21.*</a> names it, as printed, "
                      r"for a year that ran to 31 March 2021, although it ended in (\w+ \d+)")
    assert said.search(page("agencies/old-trust")).group(1) == "September 2020"
    assert said.search(page("agencies/later-trust")) is None  # it ended after the plan's year
    assert "Later Trust</a> <span" not in page("plans/2020-21/initiatives/supervision")


def test_member_lists_show_the_printed_names(site_dir, capsys):
    write(site_dir, "plans/2021-22.yaml", (site_dir / "plans/2021-22.yaml").read_text().replace(
        'pfcc_plan: "2016-21"\n',
        'pfcc_plan: "2016-21"\nmembers:\n  statutory: [CBC, Colchester Borough Council (CBC), Police, DRIVE]\n'
        "  non_statutory: [open-road]\n"))
    (site_dir / "agencies.yaml").write_text((site_dir / "agencies.yaml").read_text().replace(
        "    short_name: CBC\n", "    short_name: CBC\n    aliases: [Colchester Borough Council (CBC)]\n"))
    build(site_dir, capsys)
    members = re.search(r'<section aria-labelledby="members">(.*?)</section>', page("plans/2021-22"), re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", members)]
    assert items == ["Colchester Borough Council (CBC)", "Colchester Borough Council (CBC)",
                     "Essex Police (printed “Police”)", "Drive Partnership (printed “DRIVE”)", "Open Road"]


def test_a_funding_table_keeps_the_headings_the_plan_prints(site_dir, capsys):
    plan = (site_dir / "plans/2021-22.yaml").read_text()
    funding = "funding:\n  - {recipient: Open Road, purpose: Drug wipes, amount: £115}\n"
    write(site_dir, "plans/2021-22.yaml", plan + funding)
    build(site_dir, capsys)
    headings = re.compile(r"<caption>Funding given in 2021-22</caption>\s*<thead><tr>(.*?)</tr>", re.S)
    assert re.findall(r">([^<]+)</th>", headings.search(page("plans/2021-22")).group(1)) == [
        "Recipient", "Purpose", "Amount"]
    write(site_dir, "plans/2021-22.yaml", plan + "funding_headings: {recipient: Funding, amount: Cost}\n" + funding)
    build(site_dir, capsys)
    assert re.findall(r">([^<]+)</th>", headings.search(page("plans/2021-22")).group(1)) == [
        "Funding", "Purpose", "Cost"]


# ---- the real content, against the transcription fixture ----------------------------------------

NAME = re.compile(r'<a href="[^"]*">(.*?)</a>(?: <span class="as-printed">\((.*?)\)</span>)?', re.S)


def text(fragment: str) -> str:
    return norm(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)))


def bare(name: str) -> str:
    return re.sub(r"^the ", "", norm(name).casefold())


def printed_forms(fragment: str) -> list[set[str]]:
    """What each agency link of a page stands for as printed: the name quoted beside it, its abbreviation
    beside it (alone or after the name), or else its own name."""
    forms = []
    for shown, note in NAME.findall(fragment):
        first = text(note).split("; ")[0] if note else ""
        quoted = re.fullmatch(r'printed "(.*)"', first)
        if quoted:
            forms.append({bare(quoted.group(1))})
        elif first and not first.startswith("ended "):
            forms.append({bare(first), bare(f"{text(shown)} ({first})")})
        else:
            forms.append({bare(text(shown))})
    return forms


def same_names(printed: list[str], forms: list[set[str]]) -> bool:
    """Whether each printed name is shown by one agency link, and each link by one printed name."""
    left = list(forms)
    for name in printed:
        match = next((f for f in left if bare(name) in f), None)
        if match is None:
            return False
        left.remove(match)
    return not left


def lead_problem(printed: str, dd: str) -> str:
    """'' when a Lead cell shows the printed lead, whole or name by name, else what it shows."""
    forms = printed_forms(dd)
    cell = re.search(r'<span class="as-printed">\(printed “([^<]*?)”\)</span>$', dd.strip())
    if cell and norm(htmllib.unescape(cell.group(1))) == norm(printed):
        return ""
    if same_names(agency_tokens(printed), forms):
        return ""
    return f"printed {printed!r}, the page shows {text(dd)!r} (as printed: {forms})"


def rows_with_initiatives(plan, source):
    """Each source row with its initiative in the content (matched as test_content_sources aligns them)."""
    numbers = {p.number: p for p in plan.priorities}
    tables = [(want["initiatives"], numbers[want["number"]].initiatives) for want in source["priorities"]
              if want["number"] in numbers]
    tables.append((source.get("combined", []), plan.initiatives))
    for rows, initiatives in tables:
        left = list(initiatives)
        for row in rows:
            key = row_key(row)
            found = next((i for i in left if content_key(i, rows[0]) == key), None)
            if found is not None:
                left.remove(found)
                yield row, found


@pytest.mark.content
@pytest.mark.parametrize("period", list(FIXTURE))
def test_every_lead_shows_the_printed_name(content_build, period):
    plan = next(p for p in content_build.site.plans if p.period == period)
    problems, checked = [], 0
    plan_page = unmarked(content_build.files[output_path(url_for(plan))].decode())
    for row, ini in rows_with_initiatives(plan, FIXTURE[period]):
        if not norm(row["lead"]):
            continue
        page = unmarked(content_build.files[output_path(url_for(ini))].decode())
        dd = re.search(r"<dt>Lead</dt><dd>(.*?)</dd>", page, re.S).group(1)
        checked += 1
        why = lead_problem(row["lead"], dd)
        if why:
            problems.append(f"{ini.title}: {why}")
        # The plan page's card for it names the lead as the initiative page does.
        card = re.search(rf'<a href="{re.escape(url_for(ini))}">[^<]*</a></h\d>\s*<dl class="meta">\s*'
                         r"<div><dt>Lead</dt><dd>(.*?)</dd>", plan_page, re.S)
        if card is None or text(card.group(1)) != text(dd):
            problems.append(f"{ini.title}: the plan page's card shows {text(card.group(1)) if card else None!r}, "
                            f"the initiative page {text(dd)!r}")
    assert checked or not any(r["initiatives"] for r in FIXTURE[period]["priorities"]), "no row was checked"
    assert not problems, "\n".join(problems)


@pytest.mark.content
@pytest.mark.parametrize("period", [p for p in FIXTURE if "members" in FIXTURE[p]])
def test_every_member_shows_the_printed_name(content_build, period):
    plan = next(p for p in content_build.site.plans if p.period == period)
    page = unmarked(content_build.files[output_path(url_for(plan))].decode())
    section = re.search(r'<section aria-labelledby="members">(.*?)</section>', page, re.S).group(1)
    for group, heading in (("statutory", "Statutory members"), ("non_statutory", "Non-statutory members")):
        listed = re.search(rf"<h3>{heading}</h3>\s*<ul>(.*?)</ul>", section, re.S).group(1)
        forms = [printed_forms(item)[0] for item in re.findall(r"<li>(.*?)</li>", listed, re.S)]
        printed = FIXTURE[period]["members"][group]
        assert len(forms) == len(printed) and all(bare(p) in f for p, f in zip(printed, forms)), \
            f"{group}: printed {printed}, the page shows {forms}"


def test_a_lead_cell_that_hides_the_printed_name_fails():
    shown = '<a href="/agencies/essex-probation-trust/">Essex Probation Trust</a>'
    assert lead_problem("Essex Probation", shown)
    assert not lead_problem("Essex Probation", shown + ' <span class="as-printed">(printed “Essex Probation”; '
                                                       "ended June 2014)</span>")
    two = ('<a href="/a/">Colchester Borough Council</a> <span class="as-printed">(CBC)</span> and '
           '<a href="/b/">Essex Police</a>')
    assert not lead_problem("CBC / Police", two.replace("Police</a>", "Police</a> <span class=\"as-printed\">"
                                                                   "(printed “Police”)</span>"))
    assert lead_problem("CBC / Police", two)
    assert not lead_problem("CBC & partners", '<a href="/a/">Colchester Borough Council</a> <span class="as-printed">'
                                              "(printed “CBC &amp; partners”)</span>")
