"""The error page (shown by the preview, published by deploy previews) on a phone-sized screen.

A long file path, a long message and long source lines must not make the page scroll sideways at
375 px: the source excerpt scrolls inside itself. The page stays axe-clean and valid HTML.
"""

from __future__ import annotations

from browser.conftest import HEIGHT, PageChecker, PageReport, describe, describe_vnu, run_vnu
from site_builder.errorpage import error_page
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
    page_html = error_page(long_problems(tmp_path)).decode("utf-8")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        checker = PageChecker(context, "", axe_source)
        checker.page.set_content(page_html, wait_until="load")
        assert checker.page.locator("li").count() == 2
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

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "error.html").write_text(page_html, encoding="utf-8")
    messages = run_vnu(tmp_path / "site")
    assert messages == [], describe_vnu(messages, tmp_path / "site")

