"""End to end: the real content builds into a complete site whose every link resolves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, TEMPLATES, read_tree
from site_builder.build import SiteBuilder
from site_builder.cli import main
from site_builder.links import find_broken_links
from site_builder.routes import all_initiatives


@pytest.fixture(scope="module")
def site():
    return SiteBuilder(CONTENT, TEMPLATES).build().site


def test_every_expected_page_exists(built_site, site):
    expected = ["index.html", "plans/index.html", "agencies/index.html", "404.html", "pfcc/2016-21/index.html",
                "strategy/2016-19/index.html", "sitemap.xml", "robots.txt"]
    for plan in site.plans:
        expected.append(f"plans/{plan.period}/index.html")
        expected.extend(f"plans/{plan.period}/priorities/{p.id}/index.html" for p in plan.priorities)
        expected.extend(f"plans/{plan.period}/initiatives/{i.id}/index.html" for i in all_initiatives(plan))
    involved = {a.id for plan in site.plans for i in all_initiatives(plan) for a in (*i.lead, *i.partners)}
    expected.extend(f"agencies/{agency_id}/index.html" for agency_id in involved)
    missing = [path for path in expected if not (built_site / path).is_file()]
    assert missing == []
    # The real content is large enough that a page count says something.
    assert sum(1 for p in expected if "/initiatives/" in p) == 31 + 24 + 63


def test_no_internal_link_or_fragment_is_broken(built_site):
    assert find_broken_links(read_tree(built_site)) == []


def test_link_checker_finds_a_broken_link_and_fragment():
    files = {"index.html": b'<a href="/nowhere/">x</a> <a href="/b/#missing">y</a> <a href="#top">z</a>',
             "b/index.html": b'<h1 id="top">B</h1>'}
    found = [(b.href, b.reason) for b in find_broken_links(files)]
    assert found == [("/nowhere/", "no such page"), ("/b/#missing", "no element with id 'missing' on that page"),
                     ("#top", "no element with id 'top' on that page")]


def test_two_builds_are_byte_identical(built_site, tmp_path):
    again = tmp_path / "again"
    assert main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(again),
                 "--no-cache"]) == 0
    assert read_tree(again) == read_tree(built_site)


def test_failed_build_leaves_output_untouched(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "output"
    args = ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]
    assert main(args) == 0
    before = read_tree(out)
    text = (content / "plans/2021-22.yaml").read_text()
    (content / "plans/2021-22.yaml").write_text(text.replace("lead: [Essex Police]", "lead: [Essex Polce]", 1))
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "plans/2021-22.yaml:" in err and "unknown agency 'Essex Polce'" in err
    assert "Did you mean 'Essex Police'?" in err
    assert "Traceback" not in err
    assert read_tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folders left


def test_real_content_has_every_plan_and_the_strategy(site):
    assert [p.period for p in site.plans] == ["2021-22", "2019-20", "2018-19", "2014-15"]
    assert [s.period for s in site.strategies] == ["2016-19"]
    assert ROOT.joinpath("content/site.yaml").is_file()


def test_no_personal_data_anywhere_in_the_output(built_site, site):
    """No blocked name, no email but the team mailbox, no phone number but the help numbers."""
    from site_builder.privacy import check_text

    found = []
    for path, data in read_tree(built_site).items():
        if path.endswith((".html", ".xml", ".json", ".csv", ".txt")) and not path.startswith("pagefind/"):
            found.extend(str(p) for p in check_text(data.decode("utf-8"), path, site.config))
    assert found == []
    assert site.config.blocked_names  # the check above had names to look for


def test_the_personal_data_check_finds_a_blocked_name_in_output(site):
    """The output scan above can fail: a page with a blocked name (from the fixture) is caught."""
    from site_builder.privacy import check_text, fingerprint

    config = site.config.__class__(**{**{f: getattr(site.config, f) for f in site.config.__slots__},
                                      "blocked_names": (fingerprint("Jane Example"),)})
    found = check_text("<p>Ask Jane Example or write to jane@example.com</p>", "page.html", config)
    assert [p.message.split(" ")[0] for p in found] == ["'Jane", "the"]


def test_a_blocked_name_is_found_however_its_letters_are_written(site):
    """A curly apostrophe, or an accent as a letter plus a combining mark (as PDFs give them),
    is the same name as the one fingerprinted."""
    from site_builder.privacy import check_text, fingerprint

    config = site.config.__class__(**{**{f: getattr(site.config, f) for f in site.config.__slots__},
                                      "blocked_names": (fingerprint("Sean O'Brien"), fingerprint("Zoë Example"))})
    for text in ["Ask Sean O’Brien now", "Ask Sean O'Brien now", "Ask Zoe\u0308 Example now", "Ask Zoë Example now"]:
        found = check_text(text, "plan.yaml", config)
        assert [(p.pos.col, p.message.split(" is the name")[0]) for p in found] in (
            [(5, "'Sean O’Brien'")], [(5, "'Sean O'Brien'")], [(5, "'Zoë Example'")]), (text, found)


def test_the_2019_20_plan_says_its_tables_were_published_empty(built_site):
    page = (built_site / "plans/2019-20/index.html").read_text()
    assert page.count("table of initiatives for this priority has no rows") == 3
    assert page.count('<section aria-labelledby="priority-') == 3
    assert "/plans/2019-20/initiatives/" not in page  # no rows borrowed from other years


def test_the_strategy_page_carries_every_section_of_the_source(built_site):
    page = (built_site / "strategy/2016-19/index.html").read_text()
    for heading in ["Governance", "Responsible Authorities Strategic Group", "Safer Colchester Operational Group",
                    "Vision", "Protect", "Reduce", "Address", "Consultation", "Police and Crime Plan for Essex",
                    "Strategic Assessment of Crime", "Community Sources", "Shared working environment",
                    "Joint campaigns", "Communication", "To protect vulnerable people", "To reduce reoffending",
                    "To address alcohol", "To reduce crime and the fear of crime", "Emerging themes",
                    "Modern slavery", "Prevent", "Gangs and gang related violence", "Domestic Abuse",
                    "The Peel Report", "Domestic homicide"]:
        assert heading.casefold() in page.casefold(), heading


def test_no_live_reload_script_in_the_built_site(built_site):
    assert not any(b"livereload" in data for data in read_tree(built_site).values())


def test_the_accessibility_statement_has_every_section_the_regulations_require(built_site):
    page = (built_site / "accessibility/index.html").read_text()
    for heading in ["How accessible this website is", "Feedback and contact information",
                    "Reporting accessibility problems with this website", "Enforcement procedure",
                    "Technical information about this website", "Compliance status", "Non-accessible content",
                    "Preparation of this accessibility statement"]:
        assert f">{heading}" in page.replace("&#x27;", "'"), heading
    for text in ["Equality and Human Rights Commission", "Equality Advisory and Support Service",
                 "Web Content Accessibility Guidelines version 2.2",
                 "another format", "axe"]:
        assert text in page, text


def test_every_programme_page_lists_every_year_and_each_initiative_links_back(built_site, site):
    for programme in site.programmes:
        members = [i for plan in site.plans for i in all_initiatives(plan)
                   if i.programme is not None and i.programme.id == programme.id]
        page = (built_site / f"programmes/{programme.id}/index.html").read_text()
        for ini in members:
            assert f'href="/plans/{ini.period}/initiatives/{ini.id}/"' in page, (programme.id, ini.id)
            own = (built_site / f"plans/{ini.period}/initiatives/{ini.id}/index.html").read_text()
            assert f'href="/programmes/{programme.id}/"' in own
        recurring = {i.period for i in members}
        assert all(f">{period}<" in page for period in recurring)


def test_the_compare_page_shows_every_plan_and_every_topic(built_site, site):
    page = (built_site / "compare/index.html").read_text()
    assert all(f'href="/plans/{plan.period}/"' in page for plan in site.plans)
    assert all(f'href="/topics/{topic.id}/"' in page for topic in site.topics)
    assert "<svg" in page and "<desc" in page  # the chart, with its text alternative
