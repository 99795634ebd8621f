"""The benchmarks' own parts (bench/): what they compare must be what they say it is."""

from __future__ import annotations

import sys

import yaml

from conftest import FIXTURE, RICH, ROOT

sys.path.insert(0, str(ROOT / "bench"))

import baseline  # noqa: E402


def test_the_bare_stack_loads_yaml_with_the_c_loader_as_the_builder_does(tmp_path, monkeypatch):
    """The pure-Python loader made the bare stack 1.4-1.5x slower, and the builder's ratio to it flattering."""
    def pure_python(*args, **kwargs):
        raise AssertionError("the bare stack used PyYAML's pure-Python loader")

    monkeypatch.setattr(yaml, "safe_load", pure_python)
    monkeypatch.setattr(yaml, "SafeLoader", None)
    baseline.main(FIXTURE, tmp_path)
    assert baseline.Loader is yaml.CSafeLoader
    assert (tmp_path / "plans" / "2021-22" / "index.html").exists()
