"""Ten and twenty plans in Chromium: the compare chart's labels stay apart and legible, and no page that
lists the plans, or has a column per plan, scrolls sideways at phone or desktop width."""

from __future__ import annotations

import pytest

from browser.conftest import HEIGHT, WIDTHS, PageChecker, describe
from browser.server import serve

COUNTS = (10, 20)
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


@pytest.fixture(scope="module", params=COUNTS, ids=[f"{n} plans" for n in COUNTS])
def many(request, many_plans):
    """(count, built folder, base URL) of the fixture site grown to 10 and to 20 plans."""
    folder = many_plans(request.param)
    with serve(folder) as url:
        yield request.param, folder, url


def overlapping(labels: list[dict]) -> list[str]:
    """Each pair of labels whose boxes overlap."""
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]:
                found.append(f"{a['text']!r} and {b['text']!r}")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_chart_labels_stay_apart_and_legible(browser, axe_source, many, width):
    count, _, url = many
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
def test_pages_that_list_the_plans_never_scroll_sideways_and_pass_axe(browser, axe_source, many, width):
    count, folder, url = many
    urls = LIST_PAGES + sorted(f"/{kind}/{p.name}/" for kind in ("agencies", "topics")
                               for p in (folder / kind).iterdir() if p.is_dir())
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    try:
        checker = PageChecker(context, url, axe_source)
        reports, sideways = [], []
        for path in urls:
            reports.append(checker.check(path))
            extra = checker.page.evaluate(SIDEWAYS)
            if extra > 0:
                sideways.append(f"{path}: {extra}px wider than the window")
    finally:
        context.close()
    assert not sideways, f"{len(sideways)} pages scroll sideways at {width}px with {count} plans:\n" + "\n".join(sideways)
    failed = [r for r in reports if r.violations or r.problems]
    assert not failed, describe(failed, width)
