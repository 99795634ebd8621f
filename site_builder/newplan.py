"""Start a new year's plan from an earlier one: its priorities and members, no initiatives."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import Plan, Site, one_year, plan_start, start_of
from .problems import UsageError
from .scalars import read_as

PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _scalar(value: str) -> str:
    """A YAML scalar, quoted only when it must be: when some YAML tool would read it as other than text."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    text = text.removesuffix("\n...\n").rstrip("\n")
    return text if read_as(yaml.compose(text)) == "text" else f"'{value}'"  # PyYAML leaves 1e3 bare


def _block(key: str, text: str, indent: int) -> list[str]:
    """A Markdown field as a '|' block."""
    pad = " " * indent
    lines = [f"{pad}{key}: |"]
    lines.extend(f"{pad}  {line}" if line else "" for line in text.rstrip("\n").splitlines())
    return lines


def plan_text(period: str, source: Plan) -> str:
    """The YAML of a new draft plan that copies the source plan's priorities and members."""
    start = plan_start(period)
    out = [f"# The Annual Partnership Plan {period}, started from the {source.period} plan by `make new-plan`.",
           "# 1. Check the title, introduction, members and each priority: change what is new this year.",
           "# 2. Add the year's initiatives under each priority's 'initiatives:' line, in the shape of the",
           "#    example there (docs/content-guide.md, \"Add an initiative\").",
           "# 3. When the plan is agreed and ready to publish, delete the line 'draft: true'. Until then",
           "#    previews show the plan, marked as a draft, and the published site leaves it out.",
           f"period: {_scalar(period)}",
           "draft: true",
           f"title: {_scalar('Annual Partnership Plan ' + period)}",
           f"document: {_scalar('Annual Partnership Plan ' + period)}"]
    if source.pfcc_plan:
        out.append(f"pfcc_plan: {_scalar(source.pfcc_plan)}")
    if source.introduction:
        out.extend(_block("introduction", source.introduction.source, 0))
    if source.members:
        out.append("members:")
        for key, agencies in (("statutory", source.members.statutory),
                              ("non_statutory", source.members.non_statutory)):
            current = [a for a in agencies if not (a.ended and start_of(a.ended) <= start)]
            if current:
                out.append(f"  {key}:")
                out.extend(f"    - {_scalar(a.name)}" for a in current)
    out.append("priorities:")
    for priority in source.priorities:
        out.append(f"  - number: {priority.number}")
        out.append(f"    title: {_scalar(priority.title)}")
        out.append(f"    short_title: {_scalar(priority.short_title)}")
        if priority.topics:
            out.append("    topics: [" + ", ".join(t.id for t in priority.topics) + "]")
        if priority.summary:
            out.extend(_block("summary", priority.summary.source, 4))
        # Nothing but comments under 'initiatives:' is an empty list, and items added below it
        # at this indentation or deeper belong to it: no '[]' to delete first.
        out.extend(["    initiatives:",
                    "      # - title: The initiative's name, as the plan prints it",
                    "      #   lead: [Essex Police]",
                    f"      #   timing: April {period[:4]} - March {int(period[:4]) + 1}",
                    "      #   description: |",
                    "      #     What the initiative is and does.",
                    f"      #   scp_priorities: [{priority.number}]"])
    return "\n".join(out) + "\n"


def new_plan(site: Site, content: Path, period: str, source_period: str | None) -> Path:
    """Write content/plans/<period>.yaml from an earlier plan; refuse to overwrite."""
    if not PERIOD.fullmatch(period):  # not match: "$" would let a final line break into the file name
        raise UsageError(f"'{period}' is not a period like 2022-23")
    if period != one_year(period):  # the build would refuse the file: say so before writing it
        raise UsageError(f"'{period}' is not one year: a plan runs from April to March, so {one_year(period)}")
    plans = {plan.period: plan for plan in site.plans}
    if not plans:
        raise UsageError("there is no plan to start from: write the first plan by hand (docs/content-guide.md)")
    if source_period is None:
        source = site.plans[0]
    elif source_period in plans:
        source = plans[source_period]
    else:
        raise UsageError(f"there is no plan {source_period} to start from; plans: {', '.join(sorted(plans))}")
    target = content / "plans" / f"{period}.yaml"
    with open(target, "x", encoding="utf-8") as file:  # "x": never overwrite, even a file made just now
        file.write(plan_text(period, source))
    return target
