"""The table of slow tests (tests/conftest.py SLOW) names tests that exist, so make test-fast leaves out what it says."""

from __future__ import annotations

import re

from conftest import ROOT, SLOW


def test_every_entry_of_the_slow_table_names_a_test_module_or_test():
    missing = []
    for entry in SLOW:
        module, _, test = entry.partition("::")
        path = ROOT / module
        if not path.is_file() or (test and not re.search(rf"^def {re.escape(test)}\(", path.read_text(), re.M)):
            missing.append(entry)
    assert not missing, f"tests/conftest.py SLOW names tests that do not exist: {missing}"
