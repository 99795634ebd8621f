"""Agencies as printed: each reference keeps the name the file writes (the plan's own), and every page
that names the agency shows that name beside the registry's when the two differ."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import TEMPLATES, write, write_plan
from site_builder.cli import main

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
    (site_dir / "agencies.yaml").write_text((site_dir / "agencies.yaml").read_text() + AGENCIES)
    code = main(["build", "--templates", str(TEMPLATES), "--out", "output", "--no-search", "--no-cache"])
    assert code == 0, capsys.readouterr().err


def page(path: str) -> str:
    return Path("output", path, "index.html").read_text()


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
