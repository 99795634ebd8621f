"""Keyboard-only use of representative pages of the rich fixture site: skip link, focus order that reaches
everything, visible focus."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.conftest import HEIGHT, WIDTHS

FOCUSABLE = ("a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, "
             "[tabindex]:not([tabindex='-1']), [contenteditable='true'], [contenteditable='']")

# Computed properties whose change on focus can make focus visible.
STYLE_PROPS = ["outline-style", "outline-width", "outline-color", "box-shadow", "background-color", "color",
               "text-decoration-line", "border-top-color", "border-bottom-color", "border-bottom-width",
               "border-top-width", "left", "top"]

# Numbers every focusable element that a person can see, and notes its style while unfocused.
MARK_CANDIDATES = """([selector, props]) => {
    const out = [];
    let n = 0;
    for (const el of document.querySelectorAll(selector)) {
        if (el.matches(':disabled') || el.closest('[inert]')) continue;
        if (!el.checkVisibility({visibilityProperty: true}) || el.getClientRects().length === 0) continue;
        el.dataset.kb = String(n++);
        const style = getComputedStyle(el);
        out.push({id: el.dataset.kb, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 60),
                  href: el.getAttribute('href'), style: Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]))});
    }
    return out;
}"""

# Describes document.activeElement: which element, how it looks now, whether it is on screen.
ACTIVE = """(props) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {id: el.dataset.kb || null, tag: el.tagName.toLowerCase(), elid: el.id,
            cls: el.className, text: (el.innerText || '').trim().slice(0, 60), href: el.getAttribute('href'),
            style: Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)])),
            onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth};
}"""


def representative_pages(folder: Path) -> dict[str, str]:
    """Home, a plan, an initiative and an agency: of each kind the largest page, with the most to reach."""
    def largest(pattern: str) -> str:
        found = sorted(folder.glob(pattern), key=lambda p: (-p.stat().st_size, p))
        assert found, f"no page matches {pattern} in the built site"
        return "/" + found[0].parent.relative_to(folder).as_posix() + "/"
    return {"home": "/", "plan": largest("plans/*/index.html"),
            "initiative": largest("plans/*/initiatives/*/index.html"), "agency": largest("agencies/*/index.html")}


def transparent(color: str) -> bool:
    return color in ("transparent", "rgba(0, 0, 0, 0)") or color.replace(" ", "").endswith(",0)")


def focus_is_visible(unfocused: dict[str, str], focused: dict[str, str]) -> bool:
    """Whether focus changes how an element looks: a visible outline, or a change of shadow, colour or border."""
    width = focused["outline-width"]
    if focused["outline-style"] != "none" and width not in ("0px", "") and not transparent(focused["outline-color"]):
        return True
    changed = [p for p in STYLE_PROPS if p not in ("outline-style", "outline-width", "outline-color")
               and focused[p] != unfocused[p]]
    return any(p != "box-shadow" or focused[p] != "none" for p in changed)


def label(element: dict) -> str:
    return f"<{element['tag']}> {element['text']!r}" + (f" href={element['href']}" if element.get("href") else "")


def keyboard_problems(page) -> tuple[list[str], int]:
    """Use a loaded page by keyboard alone; return what went wrong and how many controls Tab reached."""
    candidates = {c["id"]: c for c in page.evaluate(MARK_CANDIDATES, [FOCUSABLE, STYLE_PROPS])}
    if not candidates:
        return ["nothing on the page can be focused"], 0

    # The first Tab lands on the skip link, which shows; Enter moves focus to <main>.
    page.keyboard.press("Tab")
    skip = page.evaluate(ACTIVE, STYLE_PROPS)
    if not (skip and skip["tag"] == "a" and skip["href"] == "#main"):
        return [f"the first Tab focused {label(skip) if skip else 'nothing'}, not a skip link to #main"], 0
    problems = []
    if not skip["onScreen"]:
        problems.append("the skip link is focused but off screen")
    if not focus_is_visible(candidates[skip["id"]]["style"], skip["style"]):
        problems.append("the skip link shows no focus")
    page.keyboard.press("Enter")
    main = page.evaluate(ACTIVE, STYLE_PROPS)
    if not (main and main["tag"] == "main" and main["elid"] == "main"):
        return problems + [f"after the skip link focus is on {label(main) if main else 'the page'}, not main#main"], 0

    # Tab on until focus comes round again to the first element after <main>.
    order: list[dict] = []
    for _ in range(3 * len(candidates) + 10):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE, STYLE_PROPS)
        if active is None:  # focus left the page for the browser's own controls; the next Tab comes back
            continue
        if order and active["id"] is not None and active["id"] == order[0]["id"]:
            break
        order.append(active)
    else:
        return problems + [f"focus never came back round after {len(order)} Tabs (a keyboard trap?): "
                           + ", ".join(label(a) for a in order[-5:])], len(order)

    reached = {a["id"] for a in order} | {skip["id"]}
    problems += [f"not reached by Tab: {label(c)}" for i, c in candidates.items() if i not in reached]
    problems += [f"focused, but not a visible control: {label(a)}" for a in order if a["id"] is None]
    problems += [f"no visible focus indicator: {label(a)}" for a in order
                 if a["id"] is not None and not focus_is_visible(candidates[a["id"]]["style"], a["style"])]
    problems += [f"focused while off screen: {label(a)}" for a in order if not a["onScreen"]]
    return problems, len(reached)


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def keyboard_page(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": HEIGHT})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("kind", ["home", "plan", "initiative", "agency"])
def test_keyboard_reaches_everything_with_visible_focus(keyboard_page, built_rich, rich_url, kind):
    path = representative_pages(built_rich)[kind]
    keyboard_page.goto(rich_url + path)
    problems, reached = keyboard_problems(keyboard_page)
    assert not problems, f"{path} at {keyboard_page.viewport_size['width']}px:\n" + "\n".join(problems)
    assert reached > 10, f"{path}: Tab reached only {reached} controls"


def test_keyboard_check_finds_unreachable_controls_and_hidden_focus(browser, faulty_url):
    context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})
    try:
        page = context.new_page()
        page.goto(faulty_url + "/keyboard/")
        problems, reached = keyboard_problems(page)
        assert problems == ["not reached by Tab: <a> 'Out of the tab order' href=/",
                            "no visible focus indicator: <a> 'Focus hidden' href=/"]
        page.goto(faulty_url + "/404.html")
        problems, reached = keyboard_problems(page)
        assert problems == ["the first Tab focused <a> 'Go to the first page' href=/, not a skip link to #main"]
    finally:
        context.close()
