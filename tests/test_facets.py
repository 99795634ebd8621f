"""Every facet of the table (site_builder/facets.py) is offered by the search form and long lists, with the values
that the search filters and the list items hold. On the rich fixture site, which has a value of every facet."""

from __future__ import annotations

import re

import pytest

from conftest import RICH, TEMPLATES
from site_builder.build import SiteBuilder
from site_builder.facets import FACETS


@pytest.fixture(scope="module")
def rich_files() -> dict[str, str]:
    return {path: data.decode() for path, data in SiteBuilder(RICH, TEMPLATES).build().files.items()
            if path.endswith(".html")}


def options(html: str, select: str) -> list[str]:
    """The values of a select's options (an option without a value attribute has its text), "any" left out."""
    found = re.search(select + r".*?</select>", html, re.S)
    assert found, f"no {select}"
    return [m[1] if m[1] is not None else m[2]
            for m in re.finditer(r'<option(?: value="([^"]*)")?>([^<]*)</option>', found[0]) if (m[1] or m[2]) and m[1] != ""]


@pytest.mark.parametrize("facet", FACETS, ids=lambda facet: facet.name)
def test_the_search_form_offers_each_facet_with_the_values_the_index_holds(rich_files, facet):
    indexed = {m[1] for html in rich_files.values()
               for m in re.finditer(rf'data-search-filter="{facet.name}:([^"]*)"', html)}
    assert indexed, f"the rich fixture should have a value of the {facet.name} facet"
    offered = options(rich_files["search/index.html"], f'<select id="filter-{facet.name}" name="{facet.name}">')
    assert sorted(offered) == sorted(indexed)


@pytest.mark.parametrize("facet", [f for f in FACETS if f.lists], ids=lambda facet: facet.name)
def test_a_long_list_filters_by_each_facet_its_items_have(rich_files, facet):
    html = rich_files["plans/2021-22/index.html"]
    codes = {code for m in re.finditer(rf'data-filter-item[^>]* data-{facet.name}="([^"]*)"', html)
             for code in m[1].split()}
    assert codes, f"the rich fixture's 2021-22 plan should have an item with a {facet.name}"
    offered = options(html, f'<select id="filter-{facet.name}" data-filter-key="{facet.name}">')
    assert sorted(offered) == sorted(codes)
