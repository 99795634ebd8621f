"""The rich fixture with two rows of one title, plan, lead and timing: "Op Enlightenment" in 2021-22.

Lists and search results must tell them apart (issue #12): the real 2021-22 plan has such a
pair. The second row is under another priority; both are on the county-lines topic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import RICH, build_with_cli, edit

FIRST = "          Officers visit people at risk of cuckooing.\n        scp_priorities: [1, 3]\n        pfcc_priorities: [5]\n"
TWIN = """\
      - title: Op Enlightenment
        id: op-enlightenment-schools
        lead: [EP]
        timing: Ongoing
        description: |
          Officers visit schools to talk about exploitation.
        scp_priorities: [3]
        topics: [county-lines]

"""
BEFORE = "      - title: Crucial Crew\n        lead: [Fire]\n"
TWINS = ("/plans/2021-22/initiatives/op-enlightenment/", "/plans/2021-22/initiatives/op-enlightenment-schools/")
TOPIC = "/topics/county-lines/"  # a page whose list has both


def make_twins(folder: Path) -> Path:
    """Copy the rich fixture to folder/content, add the twin row, build it with its search index; the output."""
    content = folder / "content"
    shutil.copytree(RICH, content)
    edit(content / "plans" / "2021-22.yaml", FIRST, FIRST + "        topics: [county-lines]\n")
    edit(content / "plans" / "2021-22.yaml", BEFORE, TWIN + BEFORE)
    return build_with_cli(content, folder)
