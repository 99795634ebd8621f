"""The checks can fail: pages in tests/browser/faulty/ with known faults, served like the site."""

from __future__ import annotations

import pytest

from browser.conftest import FAULTY, PageChecker, describe, describe_vnu, run_vnu, vnu_file


@pytest.fixture(scope="module")
def checker(browser, faulty_url, axe_source):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield PageChecker(context, faulty_url, axe_source)
    context.close()


@pytest.fixture(scope="module")
def vnu_errors():
    return run_vnu(FAULTY)


def test_a_page_without_faults_passes_every_check(checker, vnu_errors):
    report = checker.check("/")
    assert (report.violations, report.problems) == ([], [])
    assert [m for m in vnu_errors if vnu_file(m, FAULTY) == "index.html"] == []


def test_axe_reports_an_image_without_alt_and_low_contrast_text(checker):
    report = checker.check("/inaccessible/")
    assert report.problems == []
    found = {v["id"]: [n["target"] for n in v["nodes"]] for v in report.violations}
    assert found == {"image-alt": ["img"], "color-contrast": [".faint"]}
    message = describe([report], 1280)
    assert "/inaccessible/ at 1280px: axe image-alt (critical)" in message
    assert "    .faint  Fix any of the following: Element has insufficient color contrast" in message


def test_inline_script_is_blocked_and_reported_and_a_missing_asset_is_reported(checker):
    report = checker.check("/inline-script/")
    assert checker.page.evaluate("document.documentElement.dataset.inlineScriptRan") is None
    assert any(p.startswith("console error: Executing inline script violates the following Content Security "
                            "Policy directive 'script-src 'self'") for p in report.problems), report.problems
    assert any(p.startswith("HTTP 404 for ") and p.endswith("/assets/missing.css") for p in report.problems), \
        report.problems


def test_a_missing_page_is_served_as_404_html(checker):
    checker.load("/no/such/page/")
    assert checker.page.locator("h1").inner_text() == "Page not found"
    assert [p for p in checker.problems if "/no/such/page/" not in p] == []


def test_vnu_reports_invalid_html_with_file_and_line(vnu_errors):
    message = describe_vnu(vnu_errors, FAULTY)
    assert sorted(vnu_file(m, FAULTY) for m in vnu_errors) == [
        "inaccessible/index.html", "invalid/index.html", "invalid/index.html"]
    assert "invalid/index.html:13:1: Attribute “colour” not allowed on element “p” at this point." in message
    assert "invalid/index.html:14:32: Stray end tag “div”." in message
    assert "inaccessible/index.html:13:4: An “img” element must have an “alt” attribute" in message
