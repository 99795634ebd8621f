"""A comms officer's year, on a copy of the real content: each correct edit passes the tests.

Each story edits content only, as docs/content-guide.md tells an editor to, and the stories
build on each other. After each, every test of the real content (`-m "content and not
browser"`) runs again with SITE_CONTENT pointing at the edited copy, so a test that froze the
content (a count, a title, a list of years) fails here. The stories find what they edit from
the content itself, so they keep working as the content grows.

Each state holds every edit before it (no story undoes another), so the last holds them all; and
the last story starts the year after's plan, so the last state also has a draft, as the state
after start_a_new_year has. So outside CI the content tests run on the last state, and in CI on
all seven: each run costs seconds, and the others can only fail where the last does unless a
test depends on a story being the last one made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, fresh, in_ci
from site_builder.cli import main
from site_builder.load import load_site
from site_builder.model import plan_start
from site_builder.registry import slugify
from site_builder.routes import all_initiatives

def newest(content: Path, drafts: bool = False) -> str:
    return load_site(content, drafts).plans[0].period


def next_period(period: str) -> str:
    start = int(period[:4]) + 1
    return f"{start}-{(start + 1) % 100:02d}"


def insert_initiative(plan: Path, lines: list[str]) -> None:
    """Add an item at the top of the first priority's 'initiatives:' list, indented as its items are."""
    text = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(text) if line.strip() == "initiatives:")
    indent = len(text[at]) - len(text[at].lstrip()) + 2
    item = [" " * indent + ("- " if n == 0 else "  ") + line + "\n" for n, line in enumerate(lines)]
    plan.write_text("".join(text[:at + 1] + item + text[at + 1:]), encoding="utf-8")


# ---- the stories, each an edit of content/ only ----------------------------------------------

def add_an_initiative(content: Path) -> None:
    """A late addition to the newest published plan, at the top of its first priority, marked as the guide says."""
    plan = load_site(content).plans[0]
    title = fresh("Street Safe Walks", {i.id for i in all_initiatives(plan)})
    insert_initiative(content / f"plans/{plan.period}.yaml", [
        f"title: {title}", "added: 2026-12-04", "lead: [Essex Police]", "timing: Winter",
        "description: |", "  Evening walks with residents to find places that feel unsafe.", "scp_priorities: [1]"])


def update_an_outcome(content: Path) -> None:
    """Add a sentence to the first multi-line outcomes (or description) of the newest plan."""
    plan = content / f"plans/{newest(content)}.yaml"
    text = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next((i for i, line in enumerate(text) if re.match(r"\s+outcomes: \|\s*$", line)), None)
    if at is None:
        at = next(i for i, line in enumerate(text) if re.match(r"\s+description: \|\s*$", line))
    indent = len(text[at + 1]) - len(text[at + 1].lstrip())
    text.insert(at + 1, " " * indent + "Update: the work continued through the winter.\n\n")
    plan.write_text("".join(text), encoding="utf-8")


def add_an_agency(content: Path) -> None:
    """A new partner, at the end of agencies.yaml, named as a partner of the initiative added above."""
    site = load_site(content)
    name = fresh("Colchester Walking Club", {slugify(n) for a in site.agencies for n in a.names() if n})
    with open(content / "agencies.yaml", "a", encoding="utf-8") as file:
        file.write(f"\n  - id: {slugify(name)}\n    name: {name}\n    kind: voluntary\n"
                   "    website: https://walking.example.org/\n")
    plan = content / f"plans/{site.plans[0].period}.yaml"
    text = plan.read_text(encoding="utf-8")
    item = text.index("- title: ", text.index("initiatives:"))  # the first item: the one added above
    lead = text.index("lead: [Essex Police]\n", item)
    indent = lead - (text.rindex("\n", 0, lead) + 1)
    end = lead + len("lead: [Essex Police]\n")
    plan.write_text(text[:end] + " " * indent + f"partners: [{name}]\n" + text[end:], encoding="utf-8")


def start_a_new_year(content: Path) -> None:
    """`make new-plan` for the year after the newest: a draft."""
    cwd = os.getcwd()
    os.chdir(content.parent)
    try:
        assert main(["new", "plan", next_period(newest(content, drafts=True)), "--content", str(content)]) == 0
    finally:
        os.chdir(cwd)


def fill_and_publish_the_new_year(content: Path) -> None:
    """An initiative under the new plan's first priority, led by the new agency; then the draft line deleted."""
    site = load_site(content, drafts=True)
    period, agency = site.plans[0].period, site.agencies[-1]
    plan = content / f"plans/{period}.yaml"
    title = fresh("Walk and Talk", {i.id for i in all_initiatives(site.plans[0])})
    insert_initiative(plan, [f"title: {title}", f"lead: [{agency.name}, Essex Police]",
                             f"timing: April {period[:4]} - March {int(period[:4]) + 1}",
                             "description: |", "  Walks with young people and officers.", "scp_priorities: [1]"])
    plan.write_text(plan.read_text(encoding="utf-8").replace("draft: true\n", "", 1), encoding="utf-8")


def retire_an_agency(content: Path) -> None:
    """An agency that older plans name, but not the newest, ends; another takes over its work."""
    site = load_site(content)
    latest, older = site.plans[0], site.plans[1:]

    def named(plan):
        found = {a.id for ini in all_initiatives(plan) for a in (*ini.lead, *ini.partners)}
        if plan.members:
            found |= {a.id for a in (*plan.members.statutory, *plan.members.non_statutory)}
        return found

    in_latest = named(latest)
    agency = next(a for a in site.agencies if not a.ended and a.id not in in_latest
                  and any(a.id in named(plan) for plan in older))
    successor = next(a for a in site.agencies if a.id in in_latest and not a.ended)
    ended = plan_start(latest.period)[:7]
    text = (content / "agencies.yaml").read_text(encoding="utf-8")
    at = text.index(f"  - id: {agency.id}\n") + len(f"  - id: {agency.id}\n")
    text = text[:at] + f"    ended: {ended}\n    succeeded_by: [{successor.id}]\n" + text[at:]
    (content / "agencies.yaml").write_text(text, encoding="utf-8")


def start_the_year_after(content: Path) -> None:
    """The year after's draft, once the new year is published (so the last state holds a draft as well)."""
    start_a_new_year(content)


STORIES = [add_an_initiative, update_an_outcome, add_an_agency, start_a_new_year, fill_and_publish_the_new_year,
           retire_an_agency, start_the_year_after]
# The state the content tests run on outside CI: the last, which holds every edit and a draft plan.
SAMPLED = {STORIES[-1].__name__}


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> list[tuple[str, Path]]:
    """The content after each story, each story applied to the one before."""
    base = tmp_path_factory.mktemp("stories")
    found, previous = [], CONTENT
    for number, story in enumerate(STORIES, 1):
        content = base / f"{number}-{story.__name__}" / "content"
        shutil.copytree(previous, content)
        story(content)
        found.append((story.__name__, content))
        previous = content
    return found


def content_test_files() -> list[str]:
    """The test files that hold tests of the real content: collecting only them saves each run seconds."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")
                  if "mark.content" in p.read_text(encoding="utf-8"))


def run_content_tests(content: Path) -> subprocess.CompletedProcess:
    """The content tests but the browser's (-m "content and not browser"): tests/browser/ is not even collected."""
    env = {**os.environ, "SITE_CONTENT": str(content)}
    files = [name for name in content_test_files() if not name.startswith("tests/browser/")]
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "-m", "content and not browser", *files],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_content_tests_are_all_found():
    """The runs below collect only files that mention the content mark: every content test is in one."""
    found = subprocess.run([sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
                            "-p", "no:xdist", "-m", "content"], cwd=ROOT, capture_output=True, text=True)
    files = {line.split("::")[0] for line in found.stdout.splitlines() if "::" in line}
    assert files and files <= set(content_test_files()), found.stdout[-2000:]


def test_every_story_passes_every_test_of_the_content(states):
    chosen = states if in_ci() else [state for state in states if state[0] in SAMPLED]
    assert len(chosen) == (len(STORIES) if in_ci() else 1)
    # The runs are independent: two at a time, one per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda state: (state[0], run_content_tests(state[1])), chosen))
    failed = [f"after '{name}':\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
              for name, result in results if result.returncode != 0]
    assert not failed, "\n\n".join(failed)
    assert all(" passed" in result.stdout for _, result in results)


def test_the_stories_changed_what_they_say(states):
    """Each story really edited the content: the test above could otherwise pass by doing nothing."""
    sites = {name: load_site(content) for name, content in states}  # the published plans, newest first
    before = load_site(CONTENT)
    count = lambda site: sum(len(all_initiatives(plan)) for plan in site.plans)  # noqa: E731
    added = sites["add_an_initiative"].plans[0].priorities[0].initiatives[0]
    assert added.added == "2026-12-04" and count(sites["add_an_initiative"]) == count(before) + 1
    assert "Update: the work continued through the winter." in \
        (dict(states)["update_an_outcome"] / f"plans/{added.period}.yaml").read_text()
    partnered = sites["add_an_agency"].plans[0].priorities[0].initiatives[0]
    new_agency = sites["add_an_agency"].agencies[-1]
    assert partnered.title == added.title and [a.id for a in partnered.partners] == [new_agency.id]
    assert len(sites["add_an_agency"].agencies) == len(before.agencies) + 1
    started = load_site(dict(states)["start_a_new_year"], drafts=True).plans[0]
    assert started.draft and started.period > added.period
    published = sites["fill_and_publish_the_new_year"].plans[0]
    assert not published.draft and new_agency in published.priorities[0].initiatives[0].lead
    assert len([a for a in sites["retire_an_agency"].agencies if a.ended]) == \
        len([a for a in sites["fill_and_publish_the_new_year"].agencies if a.ended]) + 1
    after = load_site(dict(states)["start_the_year_after"], drafts=True).plans
    assert after[0].draft and after[1].period == published.period and not after[1].draft


def test_the_stories_work_on_content_that_already_has_what_they_add(tmp_path):
    """Twice over, as on content where an editor already made these edits: the content stays valid."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for _ in range(2):
        for story in STORIES:
            story(content)
    load_site(content, drafts=True)  # raises ContentError, listing every problem, if a story broke it
