"""The preview in a browser, as the issue tried it: `make serve`, open a plan page, edit, break, fix.

An open plan page must show a changed initiative title without anyone reloading it, show the
error (file and line) when the YAML is broken, and come back when it is fixed; the server keeps
running throughout. The process is the real `site-builder serve` on a copy of the rich fixture
site (see tests/test_serve.py, which checks the same over HTTP without a browser).

Console: the fixtures' PageChecker fails a page on any console error or HTTP status >= 400. That
does not suit the preview: its error page is served with status 500 on purpose, and the live-reload
websocket is torn down on every reload. So this test uses only the shared Chromium and watches for
what would mean the preview itself is broken: uncaught exceptions, and console errors other than
the expected 500 while the content is broken.

Nothing is asserted about time: each step waits up to 5 s, and the time it took is printed
(run with -s to see it).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from browser.conftest import HEIGHT
from test_serve import (BAD_LINE, CHANGE_TIMEOUT, LIVE_SCRIPT, NEW_TITLE, OLD_TITLE, PLAN_H1, PLAN_PAGE,  # noqa: F401
                        files_mentioning, line_of, preview)  # preview is a fixture: imported to use it here

TIMEOUT_MS = CHANGE_TIMEOUT * 1000
CONNECTED = "() => !!(window.LiveReload && window.LiveReload.connector && window.LiveReload.connector.protocol >= 7)"


class Tab:
    """One page, with a count of live-reload handshakes and the console errors seen."""

    def __init__(self, context):
        self.page = context.new_page()
        self.handshakes = 0  # livereload.js sends "info" once connected: the server then has it as a waiter
        self.navigations = 0  # of the tab itself, the first load included
        self.phase = "plan"  # what the content is now: "plan", "broken" or "fixed"
        self.errors: list[tuple[str, str]] = []  # (phase, what happened)
        self.failed: list[str] = []  # responses with status >= 400, "status url"
        self.page.on("websocket", self._on_websocket)
        self.page.on("framenavigated", lambda frame: frame == self.page.main_frame and self._navigated())
        self.page.on("pageerror", lambda error: self.errors.append((self.phase, f"uncaught exception: {error}")))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(
            (self.phase, f"console error: {m.text} ({m.location.get('url')})")))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))

    def _navigated(self):
        self.navigations += 1

    def _on_websocket(self, ws):
        if "/livereload" in ws.url:
            ws.on("framesent", lambda payload: '"info"' in str(payload) and self._shook_hands())

    def _shook_hands(self):
        self.handshakes += 1

    def wait_until_connected(self, handshakes: int) -> None:
        """Wait until the page's live-reload client has connected (its `handshakes`th time)."""
        self.page.wait_for_function(CONNECTED, timeout=TIMEOUT_MS)
        deadline = time.perf_counter() + CHANGE_TIMEOUT
        while self.handshakes < handshakes:
            assert time.perf_counter() < deadline, "the live-reload client did not finish its handshake"
            self.page.wait_for_timeout(10)
        # The "info" frame has left the browser; give the server a moment to register this page
        # before the file is saved. A settle, not a measurement.
        self.page.wait_for_timeout(100)

    def mark(self) -> None:
        """A flag that only a reload of the page clears: proof that the page reloaded by itself."""
        self.page.evaluate("() => { window.__notReloaded = true; }")

    def reloaded(self) -> bool:
        return self.page.evaluate("() => window.__notReloaded !== true")

    def timings(self, saved_at: float) -> dict[str, float]:
        """When, after the save (time.time()), this document's navigation began and its load ended, in ms.

        Read from the browser's own clock (the same system clock), so the numbers do not
        depend on how often Playwright's expect polls.
        """
        self.page.wait_for_load_state("load")
        t = self.page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
            return {start: performance.timeOrigin, html: performance.timeOrigin + n.responseEnd,
                    loaded: performance.timeOrigin + n.loadEventEnd}; }""")
        return {"reload began": t["start"] - saved_at * 1000, "html in": t["html"] - saved_at * 1000,
                "page loaded": t["loaded"] - saved_at * 1000}


def test_edit_break_and_fix_with_the_page_open(browser, preview, capsys):
    context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})
    try:
        tab = Tab(context)
        page = tab.page
        response = page.goto(preview.url + PLAN_PAGE, wait_until="load")
        assert response is not None and response.status == 200, preview.terminal()
        expect(page.locator("h1")).to_have_text(PLAN_H1)
        expect(page.locator("body")).not_to_contain_text("MAC Panel Reviewed")
        tab.wait_until_connected(1)
        times: dict[str, dict[str, float]] = {}

        # 1. Change an initiative's title: the open plan page shows it, nobody reloads it.
        tab.mark()
        saved_at = time.time()
        preview.edit(OLD_TITLE, NEW_TITLE)
        expect(page.locator("body")).to_contain_text("MAC Panel Reviewed", timeout=TIMEOUT_MS)
        times["new title"] = tab.timings(saved_at)
        assert tab.reloaded(), "the page changed without a reload?"
        expect(page.locator("h1")).to_have_text(PLAN_H1)
        expect(page.get_by_role("link", name="MAC Panel Reviewed").first).to_have_attribute(
            "href", re.compile(r"/plans/2021-22/initiatives/mac-panel-reviewed/$"))
        tab.wait_until_connected(2)

        # 2. Break the indentation: the open page becomes the error page, naming file and line.
        bad_line = line_of(preview.plan_file(), BAD_LINE)
        tab.mark()
        tab.phase = "broken"
        saved_at = time.time()
        preview.edit(BAD_LINE, " " + BAD_LINE)
        expect(page.locator("h1")).to_contain_text("could not be rebuilt", timeout=TIMEOUT_MS)
        times["error page"] = tab.timings(saved_at)
        assert tab.reloaded()
        where = page.locator("li h2").first
        expect(where).to_contain_text(re.compile(rf"plans/2021-22\.yaml:{bad_line}:\d+$"))
        expect(page.locator("li .message").first).to_contain_text("YAML syntax error")
        expect(page.locator("li pre").first).to_contain_text("lead: [Essex Police]")
        tab.wait_until_connected(3)

        # 3. Fix it: the plan comes back, with the new title.
        tab.mark()
        tab.phase = "fixed"
        saved_at = time.time()
        preview.edit(" " + BAD_LINE, BAD_LINE)
        expect(page.locator("h1")).to_have_text(PLAN_H1, timeout=TIMEOUT_MS)
        times["page back"] = tab.timings(saved_at)
        assert tab.reloaded()
        expect(page.locator("body")).to_contain_text("MAC Panel Reviewed")

        with capsys.disabled():
            print("\nfrom save, in Chromium: " + "; ".join(
                f"{step}: " + ", ".join(f"{what} {ms:.0f} ms" for what, ms in t.items()) for step, t in times.items())
                + f" ({tab.navigations - 1} reloads for 3 saves)")

        # The served page carries the live-reload script; the preview folder does not.
        served = context.request.get(preview.url + PLAN_PAGE)
        assert served.status == 200 and LIVE_SCRIPT.search(served.body())
        assert files_mentioning(preview.serve_folder, b"livereload") == []

        # While broken, the error page itself comes with status 500, and, as it names no icon,
        # Chromium asks for /favicon.ico, which the site does not have. Nothing else may fail.
        page.wait_for_timeout(0)
        expected_while_broken = (f"status of 500 (Internal Server Error) ({preview.url}{PLAN_PAGE})",
                                 f"status of 404 (Not Found) ({preview.url}/favicon.ico)")
        unexpected = [f"{phase}: {e}" for phase, e in tab.errors
                      if not (phase == "broken" and e.endswith(expected_while_broken))]
        assert unexpected == [], "\n".join(unexpected + ["responses >= 400:"] + tab.failed)
        assert preview.process.poll() is None, "the server exited on its own\n" + preview.terminal()
    finally:
        context.close()
    assert preview.process.poll() is None, "the server exited on its own\n" + preview.terminal()
