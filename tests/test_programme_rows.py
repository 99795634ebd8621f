"""An initiative page lists at most PROGRAMME_ROWS of its programme's rows, those nearest it;
the programme's own page lists them all. So a page's size does not grow with the site."""

from __future__ import annotations

import re

from conftest import TEMPLATES, write_plan
from site_builder.build import SiteBuilder
from site_builder.routes import PROGRAMME_ROWS

ROWS = PROGRAMME_ROWS + 5


def _programme_links(html: str) -> list[str]:
    section = html.split('id="programme-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="(/plans/[^/]+/initiatives/[^"]+)"', section)


def test_a_long_programme_is_listed_near_each_row_and_whole_on_its_page(site_dir):
    write_plan(site_dir, "".join(f"- title: Keep Safe week {n}\n  lead: [CBC]\n  programme: keep-safe\n"
                                 f"  description: Safe places in town.\n" for n in range(1, ROWS + 1)))
    files = SiteBuilder(site_dir, TEMPLATES).build().files
    url = "/plans/2020-21/initiatives/keep-safe-week-{}/".format
    for n in (1, ROWS // 2, ROWS):
        html = files[url(n).lstrip("/") + "index.html"].decode()
        links = _programme_links(html)
        assert len(links) == PROGRAMME_ROWS, n
        assert url(n) in links, f"row {n} is in its own list"
        assert f'<a href="{url(n)}" aria-current="page">' in html
        assert f"which the plans list {ROWS + 1} times" in html  # and the fixture's 2021-22 row
        assert "its page lists them all" in html
    middle = _programme_links(files[url(ROWS // 2).lstrip("/") + "index.html"].decode())
    assert url(ROWS // 2 - 1) in middle and url(ROWS // 2 + 1) in middle, "the rows either side are listed"
    programme_page = files["programmes/keep-safe/index.html"].decode()
    assert all(url(n) in programme_page for n in range(1, ROWS + 1))


def test_a_short_programme_is_listed_whole_on_each_row(site_dir):
    write_plan(site_dir, """\
        - title: Keep Safe spring
          lead: [CBC]
          programme: keep-safe
          description: Safe places in town.
        - title: Keep Safe autumn
          lead: [CBC]
          programme: keep-safe
          description: Safe places in town.
        """)
    html = SiteBuilder(site_dir, TEMPLATES).build().files[
        "plans/2020-21/initiatives/keep-safe-spring/index.html"].decode()
    assert len(_programme_links(html)) == 3, "both rows of this plan and the fixture's 2021-22 row"
    assert "which the plans list 3 times:" in html and "its page lists them all" not in html
