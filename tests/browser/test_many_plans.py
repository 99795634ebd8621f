"""Ten and twenty plans in Chromium: the compare chart's labels stay apart and legible, and no page that
lists the plans, or has a column per plan, scrolls sideways or splits a year across lines at phone or desktop width."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from browser.conftest import HEIGHT, WIDTHS, PageChecker, describe
from browser.server import serve

COUNTS = (10, 20)
MOST = max(COUNTS)  # the list pages are checked with the most plans: their columns and lists only grow
MIN_LABEL_PX = 12

# Every page that lists the plans or shows a column or a section per plan; agency and topic
# pages are added from the built folder.
LIST_PAGES = ["/", "/plans/", "/compare/", "/agencies/", "/topics/", "/programmes/", "/programmes/keep-safe/",
              "/search/", "/pfcc/2016-21/", "/data/", "/plans/2021-22/",
              "/plans/2021-22/initiatives/keep-safe-relaunch/", "/plans/2020-21/priorities/county-lines/"]

CHART_LABELS = """() => [...document.querySelectorAll('figure.chart svg text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a};
})"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
# Each period such as 2021-22 or 2016-2020 in the visible text that the browser has split across two lines.
BROKEN_YEARS = r"""() => {
    const broken = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/\d{4}-\d{2}(\d{2})?\b/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(m[0] + ' in ' + (node.parentElement.closest('[id]')?.id || node.parentElement.tagName));
        }
    }
    return broken;
}"""


@pytest.fixture(scope="module")
def served(many_plans):
    """The fixture site grown to N plans, served: served(20) -> (built folder, base URL)."""
    with ExitStack() as stack:
        found: dict[int, tuple] = {}

        def get(count: int) -> tuple:
            if count not in found:
                folder = many_plans(count)
                found[count] = (folder, stack.enter_context(serve(folder)))
            return found[count]

        yield get


def overlapping(labels: list[dict]) -> list[str]:
    """Each pair of labels whose boxes overlap."""
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                found.append(f"{a['text']!r} and {b['text']!r}")
    return found


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_compare_chart_labels_stay_apart_and_legible(browser, axe_source, served, count, width):
    _, url = served(count)
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    try:
        checker = PageChecker(context, url, axe_source)
        report = checker.check("/compare/")
        labels = checker.page.evaluate(CHART_LABELS)
        sideways = checker.page.evaluate(SIDEWAYS)
    finally:
        context.close()
    years = [label for label in labels if label["text"][:2] in ("19", "20") and "-" in label["text"]]
    assert len(years) == count, f"the chart labels {count} plans? it has {[l['text'] for l in labels]}"
    clash = overlapping(labels)
    assert not clash, f"{len(clash)} pairs of chart labels overlap at {width}px with {count} plans: {clash[:5]}"
    small = [f"{l['text']!r}: {l['px']:.1f}px" for l in labels if l["px"] < MIN_LABEL_PX]
    assert not small, f"chart labels under {MIN_LABEL_PX}px at {width}px with {count} plans: {small}"
    assert sideways <= 0, f"/compare/ scrolls sideways by {sideways}px at {width}px with {count} plans"
    assert not report.violations and not report.problems, describe([report], width)


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_that_list_the_plans_never_scroll_sideways_and_pass_axe(browser, axe_source, served, width):
    count = MOST
    folder, url = served(count)
    urls = LIST_PAGES + sorted(f"/{kind}/{p.name}/" for kind in ("agencies", "topics")
                               for p in (folder / kind).iterdir() if p.is_dir())
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    try:
        checker = PageChecker(context, url, axe_source)
        reports, sideways, broken = [], [], []
        for path in urls:
            reports.append(checker.check(path))
            extra = checker.page.evaluate(SIDEWAYS)
            if extra > 0:
                sideways.append(f"{path}: {extra}px wider than the window")
            broken += [f"{path}: {year}" for year in checker.page.evaluate(BROKEN_YEARS)]
    finally:
        context.close()
    assert not sideways, f"{len(sideways)} pages scroll sideways at {width}px with {count} plans:\n" + "\n".join(sideways)
    assert not broken, f"years split across two lines at {width}px with {count} plans:\n" + "\n".join(broken[:20])
    failed = [r for r in reports if r.violations or r.problems]
    assert not failed, describe(failed, width)
