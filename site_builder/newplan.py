"""Start a new year's plan from an earlier one: its priorities and members, no initiatives."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import Plan, Site
from .problems import UsageError

PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _scalar(value: str) -> str:
    """A YAML scalar, quoted only when it must be."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n...\n").rstrip("\n")


def _block(key: str, text: str, indent: int) -> list[str]:
    """A Markdown field as a '|' block."""
    pad = " " * indent
    lines = [f"{pad}{key}: |"]
    lines.extend(f"{pad}  {line}" if line else "" for line in text.rstrip("\n").splitlines())
    return lines


def plan_text(period: str, source: Plan) -> str:
    """The YAML of a new plan that copies the source plan's priorities and members."""
    out = ["# yaml-language-server: $schema=../../schemas/plan.schema.json",
           f"# The Annual Partnership Plan {period}, started from the {source.period} plan by",
           "# `site-builder new plan`. Check the priorities, then add initiatives under each one.",
           f"period: {_scalar(period)}",
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
            if agencies:
                out.append(f"  {key}:")
                out.extend(f"    - {_scalar(a.name)}" for a in agencies)
    out.append("priorities:")
    for priority in source.priorities:
        out.append(f"  - number: {priority.number}")
        out.append(f"    title: {_scalar(priority.title)}")
        out.append(f"    short_title: {_scalar(priority.short_title)}")
        if priority.topics:
            out.append("    topics: [" + ", ".join(t.id for t in priority.topics) + "]")
        if priority.summary:
            out.extend(_block("summary", priority.summary.source, 4))
        out.append("    initiatives: []")
    return "\n".join(out) + "\n"


def new_plan(site: Site, content: Path, period: str, source_period: str | None) -> Path:
    """Write content/plans/<period>.yaml from an earlier plan; refuse to overwrite."""
    if not PERIOD.match(period):
        raise UsageError(f"'{period}' is not a period like 2022-23")
    target = content / "plans" / f"{period}.yaml"
    if target.exists():
        raise FileExistsError(target)
    plans = {plan.period: plan for plan in site.plans}
    if source_period is None:
        source = site.plans[0]
    elif source_period in plans:
        source = plans[source_period]
    else:
        raise UsageError(f"there is no plan {source_period} to start from; plans: {', '.join(sorted(plans))}")
    target.write_text(plan_text(period, source), encoding="utf-8")
    return target
