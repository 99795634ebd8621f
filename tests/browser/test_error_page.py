"""The error page (shown by the preview, published by deploy previews) on a phone-sized screen.

A long file path, a long message and long source lines must not make the page scroll sideways at
375 px: the source excerpt scrolls inside itself. The page stays axe-clean and valid HTML.
"""

from __future__ import annotations

from browser.conftest import HEIGHT, PageChecker, PageReport, describe, describe_vnu, run_vnu
from browser.server import serve
from site_builder.errorpage import STYLE, STYLESHEET, error_page
from site_builder.problems import Pos, Problem

WIDTH = 375


def long_problems(tmp_path) -> list[Problem]:
    """Two problems with a long path, field, message, hint and source lines, none with a place to break."""
    folder = tmp_path / ("content-of-the-community-safety-partnership-" + "x" * 40) / "plans"
    folder.mkdir(parents=True)
    source = folder / ("annual-partnership-plan-for-the-year-2021-22-" + "y" * 40 + ".yaml")
    long_line = "    description: https://example.test/" + "a" * 200
    source.write_text("initiatives:\n  - title: Street Watch\n" + long_line + "\n    " + "z" * 150 + ": 1\n",
                      encoding="utf-8")
    field = "initiatives[0]." + "an_extremely_long_field_name_" * 4
    return [
        Problem(Pos(str(source), 4, 5), field, f"unknown field '{field}'",
                "a field of a project, operation, campaign or event: " + "one_row_of_a_table_" * 6,
                "Fields allowed here: " + ", ".join(["title", "id", "editorial_title", "lead_as_written"] * 5)),
        Problem(Pos(str(source), 3, 18), "initiatives[0].description", "unsafe link 'https://example.test/"
                + "a" * 120 + "'", "", "See https://example.test/" + "b" * 100),
    ]


def test_the_error_page_fits_a_phone_screen(browser, axe_source, tmp_path):
    """As the preview serves it: beside its stylesheet, under netlify.toml's headers."""
    page_html = error_page(long_problems(tmp_path)).decode("utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "error.html").write_text(page_html, encoding="utf-8")
    (tmp_path / "site" / STYLESHEET).write_text(STYLE, encoding="utf-8")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        with serve(tmp_path / "site") as url:
            checker = PageChecker(context, url, axe_source)
            checker.load("/error.html")
            assert checker.page.locator("li").count() == 2
            styled = checker.page.evaluate("() => getComputedStyle(document.querySelector('h1')).color")
            assert styled == "rgb(164, 0, 15)", styled  # the stylesheet applied, not blocked
            widths = checker.page.evaluate("""() => ({page: document.documentElement.scrollWidth,
                pres: [...document.querySelectorAll('pre')].map(p => [p.scrollWidth, p.clientWidth])})""")
            assert widths["page"] <= WIDTH, f"the page scrolls sideways: {widths}"
            assert any(scroll > client for scroll, client in widths["pres"]), \
                f"the source lines were expected to scroll inside their box: {widths}"
            violations = checker.axe()
            checker.page.wait_for_timeout(0)
            assert checker.problems == [], "\n".join(checker.problems)
            assert violations == [], describe([PageReport("the error page", violations)], WIDTH)
    finally:
        context.close()

    messages = run_vnu(tmp_path / "site")
    assert messages == [], describe_vnu(messages, tmp_path / "site")


def test_a_deploy_preview_of_broken_content_shows_the_errors_under_the_sites_headers(browser, axe_source, tmp_path,
                                                                                    monkeypatch):
    """Built as Netlify builds a deploy preview, served with netlify.toml's headers (CSP: no inline
    style): the page is styled, fits the phone, and every address shows it."""
    import shutil

    from conftest import FIXTURE, TEMPLATES
    from site_builder.cli import main

    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    plan = next((tmp_path / "content/plans").glob("*.yaml"))
    plan.write_text(plan.read_text(encoding="utf-8").replace("\ntitle:", "\ntitle: " + "x" * 300 + "\ntitel:", 1))
    assert main(["build", "--templates", str(TEMPLATES), "--out", "preview", "--preview", "--no-cache"]) == 0
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        with serve(tmp_path / "preview") as url:
            checker = PageChecker(context, url, axe_source)
            for address in ("/", "/plans/"):
                checker.load(address)
                assert "unknown field 'titel'" in checker.page.locator("main, body").first.inner_text()
                styled = checker.page.evaluate("() => getComputedStyle(document.querySelector('h1')).color")
                assert styled == "rgb(164, 0, 15)", styled  # the stylesheet applied, not blocked
                assert checker.page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
                assert checker.axe() == []
                # /plans/ is answered by 404.html with status 404, as Netlify does: that alone is expected.
                problems = [p for p in checker.problems if "404" not in p]
                assert problems == [], "\n".join(problems)
    finally:
        context.close()
