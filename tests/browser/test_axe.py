"""axe-core on the real site in Chromium, at phone and desktop widths, with the production headers.

Every template, on the pages that between them show all it renders, on each run; every page in
CI (tests/browser/sample.py says why).
"""

from __future__ import annotations

import pytest

from browser.conftest import HEIGHT, WIDTHS, PageChecker, describe, page_html, page_urls
from browser.sample import sample
from conftest import in_ci


def pages_to_check(built_site, content_build) -> list[str]:
    """Every page in CI; elsewhere the sample that shows everything each template renders."""
    urls = page_urls(built_site)
    expected = {page.url for page in content_build.pages}
    assert expected <= set(urls), f"pages not built: {sorted(expected - set(urls))}"
    if in_ci():
        return urls
    templates = {page.url: page.template for page in content_build.pages}
    unmade = sorted(set(urls) - set(templates))  # a page no template of the model made: always checked
    made = [(url, templates[url], page_html(built_site, url)) for url in urls if url in templates]
    return sorted(sample(made) + unmade)


@pytest.mark.content
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_pass_axe_with_no_console_error_or_failed_request(browser, built_site, site_url, axe_source,
                                                                content_build, width):
    urls = pages_to_check(built_site, content_build)
    assert {page.template for page in content_build.pages} <= \
        {page.template for page in content_build.pages if page.url in urls}, "a template has no page checked"
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    try:
        checker = PageChecker(context, site_url, axe_source)
        reports = [checker.check(url) for url in urls]
    finally:
        context.close()
    failed = [r for r in reports if r.violations or r.problems]
    rules = sorted({v["id"] for r in failed for v in r.violations})
    assert not failed, (f"{len(failed)} of {len(urls)} pages checked fail at {width}px "
                        f"(axe rules: {', '.join(rules) or 'none'}):\n" + describe(failed, width))


def test_axe_runs_under_the_sites_content_security_policy(browser, rich_url, axe_source):
    """axe really ran on a served page: it found the page's landmarks and passed rules."""
    context = browser.new_context()
    try:
        checker = PageChecker(context, rich_url, axe_source)
        assert checker.load("/") == []
        csp = checker.page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
        assert "script-src 'self'" in csp
        checker.axe()
        passes = checker.page.evaluate("""() => axe.run(document, {runOnly: ['landmark-one-main', 'document-title']})
                                          .then(r => r.passes.map(p => p.id))""")
        assert sorted(passes) == ["document-title", "landmark-one-main"]
    finally:
        context.close()
