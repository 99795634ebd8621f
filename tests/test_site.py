"""End to end: the real content builds into a complete site whose every link resolves.

The tests marked `content` read the real content (SITE_CONTENT may point elsewhere) and must
pass for any valid content: every page, count and name they expect comes from the loaded
content. What the builder does with a particular input is tested on the fixture sites.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import CONTENT, FIXTURE, TEMPLATES, edit, read_tree
from site_builder.cli import main
from site_builder.links import find_broken_links
from site_builder.load import load_site
from site_builder.routes import all_initiatives
from site_builder.urls import output_path, url_for

content = pytest.mark.content


@pytest.fixture(scope="module")
def site(content_build):
    return content_build.site


def initiative_files(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.glob("plans/*/initiatives/*/index.html")}


@content
def test_every_expected_page_exists(built_site, site):
    things = [*site.plans, *site.agencies, *site.topics, *site.programmes, *site.pfcc_plans, *site.strategies,
              *site.pages]
    things += [p for plan in site.plans for p in plan.priorities]
    initiatives = [i for plan in site.plans for i in all_initiatives(plan)]
    expected = {output_path(url_for(thing)) for thing in [*things, *initiatives]}
    expected |= {"index.html", "plans/index.html", "agencies/index.html", "topics/index.html",
                 "programmes/index.html", "search/index.html", "compare/index.html", "data/index.html",
                 "404.html", "sitemap.xml", "robots.txt", "feed.xml"}
    assert sorted(p for p in expected if not (built_site / p).is_file()) == []
    # One page per initiative: none missing, none left over from something the content lacks.
    assert initiative_files(built_site) == {output_path(url_for(i)) for i in initiatives}
    assert len(initiatives) == len({url_for(i) for i in initiatives})


@content
def test_no_internal_link_or_fragment_is_broken(built_site):
    assert find_broken_links(read_tree(built_site)) == []


def test_link_checker_finds_a_broken_link_and_fragment():
    files = {"index.html": b'<a href="/nowhere/">x</a> <a href="/b/#missing">y</a> <a href="#top">z</a>',
             "b/index.html": b'<h1 id="top">B</h1>'}
    found = [(b.href, b.reason) for b in find_broken_links(files)]
    assert found == [("/nowhere/", "no such page"), ("/b/#missing", "no element with id 'missing' on that page"),
                     ("#top", "no element with id 'top' on that page")]


@content
def test_two_builds_are_byte_identical(built_site, tmp_path):
    again = tmp_path / "again"
    assert main(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(again),
                 "--no-cache"]) == 0
    assert read_tree(again) == read_tree(built_site)


def test_failed_build_leaves_output_untouched(tmp_path, capsys):
    content_dir = tmp_path / "content"
    shutil.copytree(FIXTURE, content_dir)
    out = tmp_path / "output"
    args = ["build", "--content", str(content_dir), "--templates", str(TEMPLATES), "--out", str(out)]
    assert main(args) == 0
    before = read_tree(out)
    edit(content_dir / "plans/2020-21.yaml", "lead: [CBC]", "lead: [CBD]")
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "plans/2020-21.yaml:" in err and "unknown agency 'CBD'" in err
    assert "Did you mean 'CBC'?" in err
    assert "Traceback" not in err
    assert read_tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folders left


@content
def test_every_plan_and_strategy_file_is_loaded_newest_first(site):
    """Every plan file is published, newest first, but the drafts; every strategy file is published."""
    everything = load_site(CONTENT, drafts=True)
    periods = sorted((p.stem for p in (CONTENT / "plans").glob("*.yaml")), reverse=True)
    assert periods, f"no plans in {CONTENT / 'plans'}"
    assert [p.period for p in everything.plans] == periods
    assert [p.period for p in site.plans] == [p.period for p in everything.plans if not p.draft]
    assert sorted(s.period for s in site.strategies) == sorted(p.stem for p in (CONTENT / "strategies").glob("*.yaml"))


@content
def test_no_personal_data_anywhere_in_the_output(built_site, site):
    """No blocked name, no email but the team mailbox, no phone number but the help numbers,
    read as a reader reads them (HTML's text and attributes, JSON's strings, entities decoded),
    in any file or in a file's address."""
    from site_builder.privacy import check_text

    tree = read_tree(built_site)
    found = [str(p) for p in check_text("\n".join(tree), "addresses.txt", site.config)]
    for path, data in tree.items():
        if path.endswith((".html", ".xml", ".json", ".csv", ".txt")) and not path.startswith("search-index/"):
            found.extend(str(p) for p in check_text(data.decode("utf-8"), path, site.config))
    assert found == []
    assert site.config.blocked_names  # the check above had names to look for


@pytest.fixture(scope="module")
def fixture_config():
    return load_site(FIXTURE).config


def test_the_personal_data_check_finds_a_blocked_name_in_output(fixture_config):
    """The output scan above can fail: a page with a blocked name (from the fixture) is caught."""
    from site_builder.privacy import check_text, fingerprint

    config = fixture_config.__class__(**{**{f: getattr(fixture_config, f) for f in fixture_config.__slots__},
                                         "blocked_names": (fingerprint("Jane Example"),)})
    found = check_text("<p>Ask Jane Example or write to jane@example.com</p>", "page.html", config)
    assert [p.message.split(" ")[0] for p in found] == ["'Jane", "the"]


def test_a_blocked_name_is_found_however_its_letters_are_written(fixture_config):
    """A curly apostrophe, or an accent as a letter plus a combining mark (as PDFs give them),
    is the same name as the one fingerprinted."""
    from site_builder.privacy import check_text, fingerprint

    config = fixture_config.__class__(**{**{f: getattr(fixture_config, f) for f in fixture_config.__slots__},
                                         "blocked_names": (fingerprint("Sean O'Brien"), fingerprint("Zoë Example"))})
    for text in ["Ask Sean O’Brien now", "Ask Sean O'Brien now", "Ask Zoe\u0308 Example now", "Ask Zoë Example now"]:
        found = check_text(text, "plan.yaml", config)
        assert [(p.pos.col, p.message.split(" is the name")[0]) for p in found] in (
            [(5, "'Sean O’Brien'")], [(5, "'Sean O'Brien'")], [(5, "'Zoë Example'")]), (text, found)


EMPTY_TABLE = "table of initiatives for this priority has no rows"


@content
def test_a_plan_says_which_tables_were_published_empty(built_site, site):
    """Each priority marked source_table_empty (all three of 2019-20's) says so; no other does."""
    everyone = {url_for(i) for plan in site.plans for i in all_initiatives(plan)}
    for plan in site.plans:
        page = (built_site / output_path(url_for(plan))).read_text()
        empty = [p for p in plan.priorities if p.source_table_empty]
        assert page.count(EMPTY_TABLE) == len(empty), plan.period
        assert page.count('<section aria-labelledby="priority-') == len(plan.priorities), plan.period
        if not all_initiatives(plan):  # no rows borrowed from other years
            assert [u for u in everyone if f'href="{u}"' in page] == [], plan.period
        for priority in empty:
            own = (built_site / output_path(url_for(priority))).read_text()
            assert EMPTY_TABLE in own, (plan.period, priority.number)


# The sections of the published strategy 2016-19, read from the source document.
STRATEGY_HEADINGS = [
    "Governance", "Responsible Authorities Strategic Group", "Safer Colchester Operational Group", "Vision",
    "Protect", "Reduce", "Address", "Consultation", "Police and Crime Plan for Essex",
    "Strategic Assessment of Crime", "Community Sources", "Shared working environment", "Joint campaigns",
    "Communication", "To protect vulnerable people", "To reduce reoffending", "To address alcohol",
    "To reduce crime and the fear of crime", "Emerging themes", "Modern slavery", "Prevent",
    "Gangs and gang related violence", "Domestic Abuse", "The Peel Report", "Domestic homicide"]


@content
def test_the_strategy_page_carries_every_section_of_the_source(built_site, site):
    strategies = {s.period: s for s in site.strategies}
    assert "2016-19" in strategies, "the published strategy 2016-19 is missing"
    page = (built_site / output_path(url_for(strategies["2016-19"]))).read_text().casefold()
    missing = [h for h in STRATEGY_HEADINGS if h.casefold() not in page]
    for strategy in site.strategies:  # and every strategy shows every section it has
        text = (built_site / output_path(url_for(strategy))).read_text()
        missing += [f"{strategy.period}: {s.title}" for s in strategy.sections if f'id="{s.id}"' not in text]
    assert missing == []


UNTITLED_SECTION = "The published document gives this part no heading; this heading is ours."


def test_a_strategy_section_whose_heading_is_ours_says_so(site_dir, tmp_path):
    """A heading the document did not print (editorial_title) is marked as the site's, as untitled rows
    and priorities are; a printed one is not."""
    edit(site_dir / "strategies/2016-19.yaml", "      Work together to reduce crime.\n",
         "      Work together to reduce crime.\n    editorial_title: true\n"
         "  - id: values\n    title: Values\n    body: Fairness.\n")
    out = tmp_path / "out"
    assert main(["build", "--content", str(site_dir), "--templates", str(TEMPLATES), "--out", str(out),
                 "--no-search", "--no-cache"]) == 0
    page = (out / "strategy/2016-19/index.html").read_text()
    vision, values = page.index('id="vision"'), page.index('id="values"')
    assert page.count(UNTITLED_SECTION) == 1 and vision < page.index(UNTITLED_SECTION) < values


@content
def test_no_live_reload_script_in_the_built_site(built_site):
    assert not any(b"livereload" in data for data in read_tree(built_site).values())


@content
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


@content
def test_every_programme_page_lists_every_year_and_each_initiative_links_back(built_site, site):
    for programme in site.programmes:
        members = [i for plan in site.plans for i in all_initiatives(plan)
                   if i.programme is not None and i.programme.id == programme.id]
        page = (built_site / output_path(url_for(programme))).read_text()
        for ini in members:
            assert f'href="{url_for(ini)}"' in page, (programme.id, ini.id)
            own = (built_site / output_path(url_for(ini))).read_text()
            assert f'href="{url_for(programme)}"' in own
        recurring = {i.period for i in members}
        assert all(f">{period}<" in page for period in recurring)


@content
def test_the_compare_page_shows_every_plan_and_every_topic(built_site, site):
    page = (built_site / "compare/index.html").read_text()
    assert all(f'href="{url_for(plan)}"' in page for plan in site.plans)
    assert all(f'href="{url_for(topic)}"' in page for topic in site.topics)
    assert "<svg" in page and "<desc" in page  # the chart, with its text alternative


def test_a_programme_row_says_timing_as_its_own_plan_does():
    """A plan that heads its timing column otherwise (2018-19: "Timing / deadline") is read so on every page."""
    import re

    from conftest import RICH
    from site_builder.build import SiteBuilder

    files = SiteBuilder(RICH, TEMPLATES).build().files
    programme = files["programmes/keep-safe/index.html"].decode()
    rows = {m[1]: m[2] for m in re.finditer(r'timeline__year">(\d{4}-\d{2})</span>(.*?)</li>', programme, re.S)}
    assert "<dt>Timing / deadline</dt>" in rows["2018-19"] and "<dt>Timing</dt>" not in rows["2018-19"]
    assert "<dt>Timing</dt>" in rows["2021-22"]
    initiative = files["plans/2018-19/initiatives/keep-safe/index.html"].decode()
    assert "<dt>Timing / deadline</dt>" in initiative
