"""Addresses never break: content/published.txt, content/redirects.yaml and Netlify's _redirects."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import CONTENT, TEMPLATES, edit, read_tree
from site_builder.addresses import MANIFEST_HEADER, addresses_of
from site_builder.cli import main

PRIORITY = "/plans/2021-22/priorities/anti-social-behaviour/"
RENAMED = "/plans/2021-22/priorities/asb-and-disorder/"
INITIATIVE = "/plans/2021-22/initiatives/keep-safe-relaunch/"
# Each test builds two to five times: the templates are compiled once for the module (conftest).
pytestmark = pytest.mark.usefixtures("templates_compiled_once")


def build(capsys) -> tuple[int, str]:
    """Build ./content into ./output as `site-builder build` does; return the exit code and stderr."""
    code = main(["build", "--templates", str(TEMPLATES), "--no-search", "--no-cache"])
    return code, capsys.readouterr().err


def record(capsys, *flags: str) -> tuple[int, str]:
    code = main(["addresses", *(flags or ["--record"]), "--templates", str(TEMPLATES), "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def where(path: Path, text: str, before: str = "") -> str:
    """'content/...:line:col' of text (first found after `before`) in a file under ./content."""
    source = path.read_text(encoding="utf-8")
    offset = source.index(before + text) + len(before)
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return f"{path.relative_to(Path.cwd()).as_posix()}:{line}:{col}"


def error_lines(stderr: str) -> list[str]:
    """The problem lines of a failed run (not the source excerpts under them)."""
    return [line for line in stderr.splitlines() if re.match(r"^\S+:\d+:\d+: error: ", line)]


@pytest.fixture
def published(site_dir, capsys) -> Path:
    """The fixture site with its addresses recorded and built once into ./output."""
    assert record(capsys)[0] == 0
    assert build(capsys)[0] == 0
    return site_dir / "published.txt"


# ---- the record ---------------------------------------------------------------------

def test_the_record_lists_pages_and_lasting_files_sorted_but_no_assets(published):
    text = published.read_text(encoding="utf-8")
    assert text.startswith(MANIFEST_HEADER) and "site-builder addresses --record" in MANIFEST_HEADER
    addresses = text[len(MANIFEST_HEADER):].splitlines()
    assert addresses == sorted(set(addresses))
    built = read_tree(Path("output"))
    del built[".site-builder"]  # the builder's marker on disk: no address (Netlify publishes no dotfiles)
    assert set(addresses) == addresses_of(built)
    for address in ("/", "/plans/", PRIORITY, INITIATIVE, "/404.html", "/feed.xml", "/sitemap.xml", "/robots.txt",
                    "/data/initiatives.csv", "/data/plans.json"):
        assert address in addresses
    assert not [a for a in addresses if a.startswith(("/assets/", "/search-index/"))]
    assert any(path.startswith("assets/") for path in built)  # they exist, and are left out


def test_without_a_record_nothing_is_checked(site_dir, capsys):
    edit(site_dir / "plans/2021-22.yaml", "short_title: Anti-social behaviour", "short_title: ASB and disorder")
    assert build(capsys)[0] == 0
    assert not (site_dir / "published.txt").exists()


def test_new_pages_need_no_extra_step(published, capsys):
    edit(published.parent / "plans/2021-22.yaml", "initiatives:\n",
         "initiatives:\n  - title: Street Safe Walks\n    lead: EP\n    description: Evening walks.\n")
    assert build(capsys)[0] == 0
    assert Path("output/plans/2021-22/initiatives/street-safe-walks/index.html").is_file()
    code, out = record(capsys, "--check")
    assert code == 1 and "not yet recorded: /plans/2021-22/initiatives/street-safe-walks/" in out
    assert record(capsys)[0] == 0
    assert "/plans/2021-22/initiatives/street-safe-walks/\n" in published.read_text()
    assert record(capsys, "--check")[0] == 0


# ---- a renamed priority or initiative -----------------------------------------------

def test_renaming_a_priority_fails_at_its_short_title_and_leaves_output_alone(published, capsys):
    plan = published.parent / "plans/2021-22.yaml"
    before = read_tree(Path("output"))
    edit(plan, "short_title: Anti-social behaviour", "short_title: ASB and disorder")
    code, err = build(capsys)
    assert code == 1
    assert error_lines(err) == [
        f"{where(plan, 'ASB and disorder')}: error: priorities[0].short_title: the published address {PRIORITY} "
        f"would be lost: this priority's short title now gives it the address {RENAMED}; expected every published "
        "address to lead somewhere: to its page, or by a redirect in content/redirects.yaml. Add the line "
        "`id: anti-social-behaviour` to this priority to keep its address, or add a redirect: create "
        "content/redirects.yaml with the line `redirects:` and under it the line "
        f"`  - {{from: {PRIORITY}, to: {RENAMED}}}`."]
    assert "Traceback" not in err and "The site was not built: 1 error. output/ is unchanged." in err
    assert read_tree(Path("output")) == before


def test_an_id_keeps_the_renamed_priority_at_its_address(published, capsys):
    plan = published.parent / "plans/2021-22.yaml"
    edit(plan, "short_title: Anti-social behaviour",
         "short_title: ASB and disorder\n    id: anti-social-behaviour")
    assert build(capsys)[0] == 0
    assert "ASB and disorder" in Path("output" + PRIORITY + "index.html").read_text()


def test_a_redirect_also_fixes_a_renamed_priority(published, capsys):
    edit(published.parent / "plans/2021-22.yaml", "short_title: Anti-social behaviour",
         "short_title: ASB and disorder")
    (published.parent / "redirects.yaml").write_text(f"redirects:\n  - {{from: {PRIORITY}, to: {RENAMED}}}\n")
    code, err = build(capsys)
    assert code == 0, err
    assert f"\n{PRIORITY} {RENAMED} 301\n" in Path("output/_redirects").read_text()
    assert Path("output" + RENAMED + "index.html").is_file()
    assert not Path("output" + PRIORITY).exists()
    # Recording keeps the old address (it redirects) and adds the new one; it never removes one.
    assert record(capsys)[0] == 0
    addresses = published.read_text().splitlines()
    assert PRIORITY in addresses and RENAMED in addresses


def test_renaming_an_initiative_fails_at_its_title(published, capsys):
    plan = published.parent / "plans/2021-22.yaml"
    edit(plan, "- title: Keep Safe relaunch", "- title: Keep Safe relaunched")
    code, err = build(capsys)
    assert code == 1
    [line] = error_lines(err)
    assert line.startswith(f"{where(plan, 'Keep Safe relaunched')}: error: initiatives[0].title: the published "
                           f"address {INITIATIVE} would be lost: this initiative's title now gives it the address "
                           "/plans/2021-22/initiatives/keep-safe-relaunched/")
    assert "Add the line `id: keep-safe-relaunch` to this initiative to keep its address" in line


def test_changing_an_explicit_id_fails_at_the_id(published, capsys):
    plan = published.parent / "plans/2020-21.yaml"
    edit(plan, "short_title: County lines\n", "short_title: County lines\n    id: lines\n")
    code, err = build(capsys)
    assert code == 1
    [line] = error_lines(err)
    assert line.startswith(f"{where(plan, 'lines', before='id: ')}: error: priorities[0].id: the published address "
                           "/plans/2020-21/priorities/county-lines/ would be lost: this priority's id now gives it "
                           "the address /plans/2020-21/priorities/lines/")
    assert "Change it back to `id: county-lines` to keep its address" in line


def test_two_renames_in_one_plan_each_point_at_their_own_item(published, capsys):
    plan = published.parent / "plans/2020-21.yaml"
    edit(plan, "short_title: County lines", "short_title: County lines and gangs")
    edit(plan, "short_title: Anti-social behaviour", "short_title: Anti-social behaviour in town")
    code, err = build(capsys)
    assert code == 1
    lines = error_lines(err)
    assert len(lines) == 2
    assert lines[0].startswith(f"{where(plan, 'County lines and gangs')}: error: priorities[0].short_title: the "
                               "published address /plans/2020-21/priorities/county-lines/ would be lost")
    assert lines[1].startswith(f"{where(plan, 'Anti-social behaviour in town')}: error: priorities[1].short_title: "
                               "the published address /plans/2020-21/priorities/anti-social-behaviour/ would be lost")


# ---- a removed page, agency, topic --------------------------------------------------

def test_removing_a_page_names_the_address_and_the_redirect_to_add(published, capsys):
    (published.parent / "pages/accessibility.md").unlink()
    code, err = build(capsys)
    assert code == 1
    line_no = published.read_text().splitlines().index("/accessibility/") + 1
    assert error_lines(err) == [
        f"content/published.txt:{line_no}:1: error: the published address /accessibility/ would be lost: there is "
        "no page content/pages/accessibility.md now; expected every published address to lead somewhere: to its "
        "page, or by a redirect in content/redirects.yaml. If the file was removed or renamed by mistake, "
        "restore it. Or, to "
        "send its visitors to the nearest page, add a redirect: create content/redirects.yaml with the line "
        "`redirects:` and under it the line `  - {from: /accessibility/, to: /}` (or choose a better page for "
        "`to`)."]
    # Doing just what the message says makes the build pass.
    (published.parent / "redirects.yaml").write_text("redirects:\n  - {from: /accessibility/, to: /}\n")
    assert build(capsys)[0] == 0
    assert "\n/accessibility/ / 301\n" in Path("output/_redirects").read_text()


def test_with_a_redirects_file_the_error_points_at_it(published, capsys):
    redirects = published.parent / "redirects.yaml"
    redirects.write_text("redirects:\n  - {from: /old-home/, to: /}\n")
    (published.parent / "pages/accessibility.md").unlink()
    code, err = build(capsys)
    assert code == 1
    [line] = error_lines(err)
    assert line.startswith("content/redirects.yaml:1:1: error: redirects: the published address /accessibility/ "
                           "would be lost")
    assert line.endswith("add a redirect: the line `  - {from: /accessibility/, to: /}` under `redirects:` in "
                         "content/redirects.yaml (or choose a better page for `to`).")
    with redirects.open("a") as f:
        f.write("  - {from: /accessibility/, to: /}\n")
    assert build(capsys)[0] == 0


def test_removing_an_agency_says_to_keep_it_and_mark_it_ended(published, capsys):
    agencies = published.parent / "agencies.yaml"
    agencies.write_text(agencies.read_text() + "  - id: old-trust\n    name: Old Trust\n    kind: voluntary\n")
    assert build(capsys)[0] == 0
    assert record(capsys)[0] == 0
    agencies.write_text(agencies.read_text().replace("  - id: old-trust\n    name: Old Trust\n    kind: voluntary\n",
                                                     ""))
    code, err = build(capsys)
    assert code == 1
    [line] = error_lines(err)
    assert "the published address /agencies/old-trust/ would be lost: no agency has the id 'old-trust' now" in line
    assert ("keep the agency in content/agencies.yaml and mark it as ended (docs/content-guide.md)" in line)
    assert "`  - {from: /agencies/old-trust/, to: /agencies/}`" in line


def test_removing_a_topic_says_to_keep_it(published, capsys):
    topics = published.parent / "topics.yaml"
    topics.write_text(topics.read_text() + "  - id: old-topic\n    name: Old topic\n")
    assert build(capsys)[0] == 0
    assert record(capsys)[0] == 0
    topics.write_text(topics.read_text().replace("  - id: old-topic\n    name: Old topic\n", ""))
    code, err = build(capsys)
    assert code == 1
    [line] = error_lines(err)
    assert "/topics/old-topic/ would be lost: no topic has the id 'old-topic' now" in line
    assert "Keep the topic in content/topics.yaml" in line and "to: /topics/}" in line


def test_removing_a_plan_lists_every_address_it_had(published, capsys):
    before = [a for a in published.read_text().splitlines() if a.startswith("/plans/2020-21/")]
    (published.parent / "plans/2020-21.yaml").unlink()
    code, err = build(capsys)
    assert code == 1
    lines = error_lines(err)
    assert len(lines) == len(before) >= 3
    assert all("there is no plan 2020-21 now" in line and "to: /plans/}" in line for line in lines)


def test_check_reports_a_lost_address_too(published, capsys):
    edit(published.parent / "plans/2021-22.yaml", "short_title: Anti-social behaviour",
         "short_title: ASB and disorder")
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 1
    assert f"the published address {PRIORITY} would be lost" in capsys.readouterr().out


def test_recording_refuses_while_an_address_is_lost(published, capsys):
    text = published.read_text()
    edit(published.parent / "plans/2021-22.yaml", "short_title: Anti-social behaviour",
         "short_title: ASB and disorder")
    code, out = record(capsys)
    assert code == 1 and "Nothing was recorded: 1 error." in out
    assert published.read_text() == text


def test_a_damaged_record_is_reported_at_its_line(published, capsys):
    published.write_text(published.read_text() + "plans/2021-22/\n")
    code, err = build(capsys)
    assert code == 1
    line_no = len(published.read_text().splitlines())
    assert error_lines(err) == [
        f"content/published.txt:{line_no}:1: error: found 'plans/2021-22/'; expected one address a line, starting "
        "with /. This file is kept by `site-builder addresses --record`: restore it with "
        "`git checkout content/published.txt`."]


# ---- content/redirects.yaml ---------------------------------------------------------

REDIRECTS = """\
redirects:
  - {from: /old-home/, to: /}
  - {from: /plans/, to: /}
  - {from: /gone/, to: /nowhere/}
  - {from: /old-home, to: /plans/}
  - {from: /a/, to: /b/}
  - {from: /b/, to: /plans}
  - {from: /c/, to: /d/}
  - {from: /d/, to: /c/}
  - {from: /e/, to: /e}
  - {from: /partners/, to: https://www.essex.police.uk/}
"""


def test_every_mistake_in_the_redirects_is_reported_together(site_dir, capsys):
    (site_dir / "redirects.yaml").write_text(REDIRECTS)
    code, err = build(capsys)
    assert code == 1
    assert error_lines(err) == [
        "content/redirects.yaml:3:12: error: redirects[1].from: /plans/ is the address of a page of this site, so "
        "this redirect would never be used; expected an old address that no page has any more. Remove this "
        "redirect: the page /plans/ answers at that address.",
        "content/redirects.yaml:4:24: error: redirects[2].to: no page of this site has the address /nowhere/; "
        "expected the address of a page of this site, or a web address starting with https://. Copy the page's "
        "address from the preview (make serve).",
        "content/redirects.yaml:5:12: error: redirects[3].from: /old-home is redirected twice; expected each old "
        "address once. The other redirect from it is at line 2: remove one.",
        "content/redirects.yaml:6:21: error: redirects[4].to: /b/ is itself redirected, to /plans/; expected the "
        "address of a page of this site. Write `to: /plans/`, so that visitors get there in one step.",
        "content/redirects.yaml:7:21: error: redirects[5].to: no page of this site has the address /plans; "
        "expected the address of a page of this site, or a web address starting with https://. Write it as "
        "/plans/, the page's exact address.",
        "content/redirects.yaml:8:21: error: redirects[6].to: /d/ is redirected too, and these redirects go round "
        "in a circle; expected the address of a page of this site. Point each old address at a page that exists.",
        "content/redirects.yaml:9:21: error: redirects[7].to: /c/ is redirected too, and these redirects go round "
        "in a circle; expected the address of a page of this site. Point each old address at a page that exists.",
        "content/redirects.yaml:10:21: error: redirects[8].to: this redirect leads back to its own address; "
        "expected the address of a page of this site. Write the address of the page that replaced it.",
    ]


def test_redirect_fields_are_checked_like_other_content(site_dir, capsys):
    (site_dir / "redirects.yaml").write_text(
        "redirects:\n  - {from: old-page, to: http://example.org/}\n  - {from: /x/, too: /}\n")
    code, err = build(capsys)
    assert code == 1
    assert error_lines(err) == [
        "content/redirects.yaml:2:12: error: redirects[0].from: found 'old-page'; expected an address of this site "
        "starting with /, like /old-page/. For example: /key-priorities-safer-colchester-partnership-2018-2019/",
        "content/redirects.yaml:2:26: error: redirects[0].to: found 'http://example.org/'; expected an address of "
        "this site starting with /, or a web address starting with https://. For example: /plans/2018-19/",
        "content/redirects.yaml:3:5: error: redirects[1].to: the required field 'to' is missing; expected a 'to:' "
        "line in this item",
        "content/redirects.yaml:3:17: error: redirects[1].too: unknown field 'too'; expected a field of an old "
        "address that now leads to another page. Did you mean 'to'?",
    ]


def test_good_redirects_become_netlify_rules_in_order(site_dir, capsys):
    (site_dir / "redirects.yaml").write_text(
        "# Moved pages.\nredirects:\n"
        "  - from: /old-home/\n    to: /\n"
        "  - {from: /partners, to: 'https://www.essex.police.uk/'}\n")
    code, err = build(capsys)
    assert code == 0, err
    lines = Path("output/_redirects").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "/old-home/ / 301", "/partners https://www.essex.police.uk/ 301"]
    assert "_redirects" not in Path("output/sitemap.xml").read_text()


def test_an_empty_redirects_list_makes_no_file(site_dir, capsys):
    (site_dir / "redirects.yaml").write_text("redirects: []\n")
    assert build(capsys)[0] == 0
    assert not Path("output/_redirects").exists()


def test_a_page_may_not_be_named_redirects(site_dir, capsys):
    shutil.copy(site_dir / "pages/accessibility.md", site_dir / "pages/_redirects.md")
    code, err = build(capsys)
    # Refused by its name, which no address may have (tests/test_hostile_content.py has the others).
    assert code == 1 and "content/pages/_redirects.md:1:1: error: the file name '_redirects.md' cannot be" in err


# ---- the real content ---------------------------------------------------------------

@pytest.mark.content
def test_every_recorded_address_of_the_real_site_is_built_or_redirected(built_site):
    # Holds whatever the editors add: new addresses need not be in the record yet.
    text = (CONTENT / "published.txt").read_text(encoding="utf-8")
    assert text.startswith(MANIFEST_HEADER)
    recorded = text[len(MANIFEST_HEADER):].splitlines()
    assert recorded == sorted(set(recorded)) and recorded
    redirects_file = built_site / "_redirects"
    redirected = {line.split()[0] for line in redirects_file.read_text().splitlines()
                  if line and not line.startswith("#")} if redirects_file.is_file() else set()
    built = addresses_of({p.relative_to(built_site).as_posix(): b"" for p in built_site.rglob("*") if p.is_file()})
    assert [a for a in recorded if a not in built and a not in redirected] == []
    assert not [a for a in recorded if a.startswith(("/assets/", "/search-index/"))]


def test_marking_a_published_plan_as_draft_says_so(published, capsys):
    edit(published.parent / "plans/2020-21.yaml", 'period: "2020-21"\n', 'period: "2020-21"\ndraft: true\n')
    code, err = build(capsys)
    assert code == 1
    lines = error_lines(err)
    assert lines and all("the plan 2020-21 is not published now" in line and
                         "If the plan is marked `draft: true` by mistake, remove that line." in line for line in lines)
