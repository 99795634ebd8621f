"""The compare page: the plans side by side, as tables and a small chart made at build time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Agency, Topic
from .urls import url_for
from .routes import HOME, Build, Page, PlanRef, PriorityRef, all_initiatives, plan_ref, priority_ref


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of the chart, in the SVG's own units: a label, a bar of some length, and its value."""

    label: str
    value: int
    y: int  # the top of the row
    length: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart of initiatives per plan: one row per plan, so labels never meet."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    axis: int  # where bars start; labels end just left of it
    row: int
    bar_height: int
    font_size: int


@dataclass(frozen=True, slots=True)
class CompareView:
    """Everything the compare page shows."""

    plans: tuple[PlanRef, ...]
    priorities: tuple[tuple[PlanRef, tuple[PriorityRef, ...]], ...]
    topics: tuple[tuple[Topic, tuple[tuple[int, bool], ...]], ...]  # per plan: (initiatives, a priority's topic)
    leaders: tuple[tuple[PlanRef, tuple[tuple[Agency, int], ...]], ...]
    counts: tuple[int, ...]
    chart: Chart
    published_empty: tuple[str, ...]  # periods of plans whose every table was published empty


def bar_chart(labels: list[str], values: list[int], width: int = 400) -> Chart:
    """Lay out one row per label, each bar scaled to the largest value.

    The SVG is drawn at its own size and only shrinks to fit a phone: at 375 px its 16-unit
    text is still about 14 px, and a row per plan keeps labels apart however many plans there are.
    """
    font_size, row, bar_height, pad = 16, 30, 20, 4
    axis = 80  # room for a period such as 2021-22
    room = width - axis - 48  # and for a value after the longest bar
    most = max(values, default=0) or 1
    bars = tuple(Bar(label, value, pad + index * row, round(room * value / most))
                 for index, (label, value) in enumerate(zip(labels, values)))
    return Chart(bars, width, 2 * pad + row * len(bars), axis, row, bar_height, font_size)


def compare_pages(b: Build) -> list[Page]:
    """The page that sets every plan side by side."""
    site = b.site
    plans = sorted(site.plans, key=lambda p: p.period)
    refs = tuple(plan_ref(p) for p in plans)
    counts = tuple(len(all_initiatives(p)) for p in plans)

    topic_counts = {(topic_id, plan.period): len(found) for plan in plans
                    for topic_id, found in b.topic_items[plan.period].items()}
    topics = tuple(
        (topic, tuple((topic_counts.get((topic.id, plan.period), 0), any(topic in p.topics for p in plan.priorities))
                      for plan in plans))
        for topic in sorted(site.topics, key=lambda t: t.name.casefold()))

    led = (Counter(a for ini in all_initiatives(plan) for a in ini.lead) for plan in plans)
    leaders = tuple((ref, tuple(sorted(tally.items(), key=lambda item: (-item[1], item[0].name))[:5]))
                    for ref, tally in zip(refs, led))

    view = CompareView(
        refs, tuple((ref, tuple(priority_ref(p) for p in plan.priorities)) for plan, ref in zip(plans, refs)),
        topics, leaders, counts, bar_chart([p.period for p in plans], list(counts)),
        tuple(p.period for p in plans if p.priorities and all(pr.source_table_empty for pr in p.priorities)))
    return [Page(url_for("compare"), "compare.html", "Compare the plans",
                "The partnership's plans side by side: priorities, topics and lead agencies, year by year.",
                 (HOME,), view, "index")]
