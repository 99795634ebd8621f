"""Agencies that close, merge or change their name: older plans keep crediting them as printed,
their pages stay, and newer plans are told whom to name instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TEMPLATES
from site_builder.cli import main

# Its tests build through the command line again and again: the templates are compiled once for the module (conftest).
pytestmark = pytest.mark.usefixtures("templates_compiled_once")

AGENCIES = """
  - id: old-trust
    name: Old Probation Trust
    kind: probation
    aliases: [Old Probation]
    description: Supervised offenders until 2015.
    ended: 2015-06
    succeeded_by: [new-service]
  - id: new-service
    name: New Probation Service
    kind: probation
    former_names:
      - name: National New Probation Service
        short_name: NNPS
        until: 2019-06-26
"""


def plan(period: str, lead: str, member: str = "Essex Police") -> str:
    return (f'period: "{period}"\ntitle: Plan {period}\ndocument: Plan {period}\n'
            f"members:\n  statutory: [{member}]\n"
            "priorities:\n  - number: 1\n    title: Safety\n    short_title: Safety\n    initiatives:\n"
            f"      - title: Supervision {period}\n        lead: [{lead}]\n        description: Supervision.\n")


def setup(content: Path, plans: dict[str, tuple[str, str]]) -> None:
    (content / "agencies.yaml").write_text((content / "agencies.yaml").read_text() + AGENCIES)
    for period, (lead, member) in plans.items():
        (content / f"plans/{period}.yaml").write_text(plan(period, lead, member))


def build(capsys) -> tuple[int, str]:
    code = main(["build", "--templates", str(TEMPLATES), "--out", "output", "--no-search", "--no-cache"])
    return code, capsys.readouterr().err


def page(path: str) -> str:
    return Path("output", path, "index.html").read_text()


def test_an_ended_agency_keeps_its_page_and_older_plans_credit_it(site_dir, capsys):
    setup(site_dir, {"2014-15": ("Old Probation", "Old Probation Trust"), "2016-17": ("New Probation Service", "NNPS")})
    code, err = build(capsys)
    assert code == 0, err
    assert "Old Probation Trust</a>" in page("plans/2014-15/initiatives/supervision-2014-15")
    old = page("agencies/old-trust")
    assert "Ended in June 2015" in old and 'href="/agencies/new-service/"' in old
    assert "Supervision 2014-15" in old
    new = page("agencies/new-service")
    assert 'Took over work of <a href="/agencies/old-trust/">Old Probation Trust</a>' in new
    assert "(ended June 2015)" in page("agencies")


def test_a_plan_after_the_end_may_not_name_the_agency_and_is_told_whom_to_name(site_dir, capsys):
    setup(site_dir, {"2016-17": ("Old Probation", "Old Probation Trust")})
    code, err = build(capsys)
    assert code == 1
    lines = [line for line in err.splitlines() if "ended in June 2015, before this plan's year began (1 April 2016)" in line]
    assert [line.split(": error: ")[0] for line in lines] == ["content/plans/2016-17.yaml:5:15",
                                                              "content/plans/2016-17.yaml:12:16"], err
    assert all("Its work passed to New Probation Service: name it instead." in line for line in lines)
    assert "members.statutory[0]" in lines[0] and "initiatives[0].lead[0]" in lines[1]
    assert "Traceback" not in err


def test_a_renamed_agency_shows_the_name_of_each_plans_time(site_dir, capsys):
    setup(site_dir, {"2018-19": ("NNPS", "National New Probation Service"),
                     "2020-21": ("New Probation Service", "New Probation Service")})
    code, err = build(capsys)
    assert code == 0, err
    assert ">National New Probation Service</a>" in page("plans/2018-19/initiatives/supervision-2018-19")
    assert ">National New Probation Service</a>" in page("plans/2018-19")  # the member list
    assert ">New Probation Service</a>" in page("plans/2020-21/initiatives/supervision-2020-21")
    agency = page("agencies/new-service")
    assert "Called National New Probation Service (NNPS) until 26 June 2019" in agency
    assert "Supervision 2018-19" in agency and "Supervision 2020-21" in agency  # one page, both years


def test_successors_must_be_agencies_and_need_an_end(site_dir, capsys):
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text() + AGENCIES.replace("succeeded_by: [new-service]", "succeeded_by: [new-servise]")
                        .replace("    ended: 2015-06\n", ""))
    code, err = build(capsys)
    assert code == 1
    assert "succeeded_by[0]: 'new-servise' is not the id of another agency" in err
    assert "Did you mean 'new-service'?" in err
    assert "succeeded_by: succeeded_by is given but not when it ended" in err


def test_ended_accepts_a_year_a_month_or_a_date_and_nothing_else(site_dir, capsys):
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text() + AGENCIES.replace("ended: 2015-06", "ended: June 2015"))
    code, err = build(capsys)
    assert code == 1 and "ended: found 'June 2015'; expected a year, a month or a date, like 2014" in err


def record(capsys) -> None:
    assert main(["addresses", "--record", "--templates", str(TEMPLATES), "--no-cache"]) == 0
    capsys.readouterr()


def remove_agency(content: Path, agency_id: str) -> None:
    text = (content / "agencies.yaml").read_text()
    start = text.index(f"  - id: {agency_id}\n")
    end = text.find("\n  - id: ", start + 1)
    (content / "agencies.yaml").write_text(text[:start] + (text[end + 1:] if end >= 0 else ""))


def test_deleting_a_named_agency_says_to_put_it_back_not_to_name_another(site_dir, capsys):
    setup(site_dir, {"2014-15": ("Old Probation", "Old Probation Trust")})
    record(capsys)
    remove_agency(site_dir, "old-trust")
    code, err = build(capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors and all("It may name the agency 'old-trust', which has a published page but is no longer in "
                          "content/agencies.yaml. Put the agency back" in line for line in errors), err
    assert "Did you mean" not in err


def test_moving_an_agencys_names_to_another_is_caught_by_its_lost_page(site_dir, capsys):
    setup(site_dir, {"2014-15": ("Old Probation", "Old Probation Trust")})
    record(capsys)
    remove_agency(site_dir, "old-trust")
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text().replace("  - id: new-service\n",
                                                     "  - id: new-service\n    aliases: [Old Probation, Old Probation Trust]\n"))
    code, err = build(capsys)
    assert code == 1
    assert "the published address /agencies/old-trust/ would be lost: no agency has the id 'old-trust' now" in err
    assert "keep the agency in content/agencies.yaml and mark it as ended" in err
