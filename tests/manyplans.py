"""The fixture site after ten or twenty yearly cycles: each plan started by `site-builder new plan`.

The fixture holds the 2020-21 and 2021-22 plans. Newer plans follow them from 2022-23 on, older
ones go back from 2019-20; each is made by the `new plan` command from its neighbour, so that its
priorities carry over with the same titles and short titles, then gets a few initiatives in place
of the commented example and is published (its 'draft: true' line deleted), as a comms officer
would do. One plan adds a priority, which the plans after it carry on.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

from site_builder.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
FIXTURE_PERIODS = ("2020-21", "2021-22")
NEWER = 10  # plans after the fixture's, at most: 2022-23 to 2031-32

# Initiative titles under each priority number, taken in turn; "Community events" recurs under two
# priorities of one plan, so its initiative pages are told apart by priority.
TITLES = {1: ("Keep Safe", "Community events", "Drugs outreach"),
          2: ("Street patrols", "Community events", "Youth diversion"),
          3: ("Hate crime reporting", "Community events", "Third-party reporting centres")}
LEADS = ("[CBC]", "[EP]", "[Open Road]", "[EP, CBC]")
NEW_PRIORITY = """\
  - number: 3
    title: Tackling hate crime and supporting its victims
    short_title: Hate crime
    initiatives:
"""
EMPTY_LIST = re.compile(r"^    initiatives:\n(?:      #[^\n]*\n)*", re.M)  # with its commented example


def period(start: int) -> str:
    """The period that starts in a year: 2022 -> 2022-23."""
    return f"{start}-{(start + 1) % 100:02d}"


def periods(count: int) -> list[str]:
    """The periods of a site with `count` plans, oldest first."""
    newer = min(count - len(FIXTURE_PERIODS), NEWER)
    older = count - len(FIXTURE_PERIODS) - newer
    return [period(2020 - n) for n in range(older, 0, -1)] + list(FIXTURE_PERIODS) + [
        period(2022 + n) for n in range(newer)]


def make_site(dest: Path, count: int) -> Path:
    """Copy the fixture content to dest and grow it to `count` plans; return the content folder."""
    shutil.copytree(FIXTURE, dest)
    wanted = periods(count)
    newer = [p for p in wanted if p > FIXTURE_PERIODS[-1]]
    older = [p for p in reversed(wanted) if p < FIXTURE_PERIODS[0]]
    # Both chains start from 2020-21, the fixture plan with two priorities.
    for chain in (newer, older):
        for source, new in zip([FIXTURE_PERIODS[0], *chain], chain):
            with contextlib.redirect_stdout(io.StringIO()):
                code = main(["new", "plan", new, "--from", source, "--content", str(dest)])
            assert code == 0, f"site-builder new plan {new} --from {source} exited {code}"
            path = dest / "plans" / f"{new}.yaml"
            text, published = re.subn(r"^draft: true\n", "", path.read_text(encoding="utf-8"), flags=re.M)
            assert published == 1, f"{path.name} has {published} 'draft: true' lines, not 1"
            if new == period(2024):
                text += NEW_PRIORITY  # a comms officer adds a priority; later plans carry it on
            path.write_text(add_initiatives(text, int(new[:4])), encoding="utf-8")
    return dest


def add_initiatives(text: str, year: int) -> str:
    """Put one to three initiatives under each priority's `initiatives:`, in place of its commented example."""
    parts = EMPTY_LIST.split(text)
    assert len(parts) > 1, f"no empty 'initiatives:' in\n{text}"
    out = [parts[0]]
    for number, rest in enumerate(parts[1:], start=1):
        out.append("    initiatives:\n")
        for k in range(1 + (year + number) % 3):
            title = TITLES[number][k]
            # The two "Community events" of a plan differ only by priority: same lead, same text.
            lead = "[CBC]" if title == "Community events" else LEADS[(year + number + k) % len(LEADS)]
            lines = [f"      - title: {title}"]
            if title == "Community events" and number > 1:
                lines.append(f"        id: community-events-{number}")
            lines += [f"        lead: {lead}",
                      f"        timing: April {year} - March {year + 1}",
                      f"        scp_priorities: [{number}]",
                      f"        pfcc_priorities: [{1 + (year + k) % 2}]",
                      "        description: |",
                      f"          {title} in {period(year)}."]
            if title == "Keep Safe":
                lines.append("        programme: keep-safe")
            out.append("\n".join(lines) + "\n")
        out.append(rest)
    return "".join(out)
