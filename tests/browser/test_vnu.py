"""The Nu Html Checker over the whole real site, in one run."""

from __future__ import annotations

import pytest

from browser.conftest import describe_vnu, run_vnu


@pytest.mark.content
def test_every_page_is_valid_html(built_site):
    errors = run_vnu(built_site)
    assert not errors, f"{len(errors)} Nu Html Checker errors:\n" + describe_vnu(errors, built_site)
