"""The compare page: the plans side by side, as tables and a small chart made at build time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Agency, Site, Topic
from .routes import Crumb, Page, PlanRef, PriorityRef, all_initiatives, plan_ref, plan_topic_items, priority_ref


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the chart, in the SVG's own units."""

    label: str
    value: int
    x: int
    y: int
    height: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart of initiatives per plan."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    baseline: int
    bar_width: int


@dataclass(frozen=True, slots=True)
class CompareView:
    """Everything the compare page shows."""

    plans: tuple[PlanRef, ...]
    priorities: tuple[tuple[PlanRef, tuple[PriorityRef, ...]], ...]
    topics: tuple[tuple[Topic, tuple[tuple[int, bool], ...]], ...]  # per plan: (initiatives, a priority's topic)
    leaders: tuple[tuple[PlanRef, tuple[tuple[Agency, int], ...]], ...]
    counts: tuple[int, ...]
    chart: Chart


def bar_chart(labels: list[str], values: list[int], width: int = 400, height: int = 220) -> Chart:
    """Lay out a bar chart: one bar per label, scaled to the largest value."""
    top, bottom, gap = 24, 32, 24
    baseline = height - bottom
    slot = (width - gap) // max(len(values), 1)
    bar_width = max(slot - gap, 8)
    most = max(values, default=0) or 1
    bars = []
    for index, (label, value) in enumerate(zip(labels, values)):
        bar_height = round((baseline - top) * value / most)
        bars.append(Bar(label, value, gap + index * slot, baseline - bar_height, bar_height))
    return Chart(tuple(bars), width, height, baseline, bar_width)


def compare_page(site: Site, memo: dict | None = None) -> Page:
    """The page that sets every plan side by side."""
    plans = sorted(site.plans, key=lambda p: p.period)
    refs = tuple(plan_ref(p) for p in plans)
    counts = tuple(len(all_initiatives(p)) for p in plans)

    topic_counts = {(topic_id, plan.period): len(found) for plan in plans
                    for topic_id, found in plan_topic_items(plan, memo).items()}
    topics = tuple(
        (topic, tuple((topic_counts.get((topic.id, plan.period), 0), any(topic in p.topics for p in plan.priorities))
                      for plan in plans))
        for topic in sorted(site.topics, key=lambda t: t.name.casefold()))

    leaders = []
    for plan, ref in zip(plans, refs):
        led = Counter(a for ini in all_initiatives(plan) for a in ini.lead)
        top = sorted(led.items(), key=lambda item: (-item[1], item[0].name))[:5]
        leaders.append((ref, tuple(top)))

    view = CompareView(
        refs, tuple((ref, tuple(priority_ref(p) for p in plan.priorities)) for plan, ref in zip(plans, refs)),
        topics, tuple(leaders), counts, bar_chart([p.period for p in plans], list(counts)))
    return Page("/compare/", "compare.html", "Compare the plans",
                "The partnership's plans side by side: priorities, topics and lead agencies, year by year.",
                (Crumb("Home", "/"),), view, "index")
