"""The benchmarks' own parts (bench/): what they compare must be what they say it is."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURE, RICH, ROOT

sys.path.insert(0, str(ROOT / "bench"))

import baseline  # noqa: E402
import hugosite  # noqa: E402
import peers  # noqa: E402


def test_the_bare_stack_loads_yaml_with_the_c_loader_as_the_builder_does(tmp_path, monkeypatch):
    """The pure-Python loader made the bare stack 1.4-1.5x slower, and the builder's ratio to it flattering."""
    def pure_python(*args, **kwargs):
        raise AssertionError("the bare stack used PyYAML's pure-Python loader")

    monkeypatch.setattr(yaml, "safe_load", pure_python)
    monkeypatch.setattr(yaml, "SafeLoader", None)
    baseline.main(FIXTURE, tmp_path)
    assert baseline.Loader is yaml.CSafeLoader
    assert (tmp_path / "plans" / "2021-22" / "index.html").exists()


def test_the_hugo_twin_has_a_page_for_every_initiative_priority_agency_topic_and_programme(tmp_path):
    site = tmp_path / "hugo"
    made = hugosite.write_site(RICH, site)
    plans = [yaml.safe_load(p.read_text()) for p in sorted((RICH / "plans").glob("*.yaml"))]
    rows = [row for plan in plans for p in plan.get("priorities", []) for row in p.get("initiatives") or []]
    rows += [row for plan in plans for row in plan.get("initiatives") or []]
    assert made == len(rows) == len(list((site / "content" / "plans").glob("*/initiatives/*.md")))
    priorities = sum(len(plan.get("priorities", [])) for plan in plans)
    assert len(list((site / "content" / "priorities").glob("*/_index.md"))) == priorities
    for kind in ("agencies", "topics", "programmes"):
        ids = {item["id"] for item in yaml.safe_load((RICH / f"{kind}.yaml").read_text())[kind]}
        assert {p.name for p in (site / "content" / kind).iterdir() if p.is_dir()} == ids
    # Every priority page is at the builder's address for it.
    urls = {yaml.safe_load(p.read_text().split("---")[1])["url"]
            for p in (site / "content" / "priorities").glob("*/_index.md")}
    assert all(url.startswith("/plans/") and "/priorities/" in url for url in urls)
    assert "<!-- help numbers -->" not in (site / "layouts" / "baseof.html").read_text()


def test_a_builds_memory_counts_its_children(tmp_path):
    """The builder writes (and indexes) in a child process: a build's peak memory must include its children's."""
    child = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(0.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    run = peers.measure([[sys.executable, "-c", parent]], {})
    assert run.rss >= 150
    assert run.cpu > 0 and run.wall > 0


def test_sampling_memory_takes_a_small_share_of_a_core_however_large_the_build():
    """A sample of a 2 GB tree costs about 50 ms of CPU: every 0.2 s, it took a quarter of a core from the build timed."""
    assert peers.next_pause(0.002) == peers.SAMPLE_EVERY
    assert peers.next_pause(0.05) >= 0.05 / 0.02
    assert peers.next_pause(0.5) >= 0.5 / 0.02


def test_a_failed_build_stops_the_benchmark_and_says_why():
    with pytest.raises(SystemExit, match="no such content"):
        peers.measure([[sys.executable, "-c", "import sys; sys.exit('no such content')"]], {})


def test_ratios_are_paired_by_round():
    a = peers.Build("a", [], runs=[peers.Run(1, 1, 1), peers.Run(10, 1, 1), peers.Run(3, 1, 1)])
    b = peers.Build("b", [], runs=[peers.Run(2, 1, 1), peers.Run(5, 1, 1), peers.Run(6, 1, 1)])
    assert peers.paired(a, b) == 0.5  # rounds 1 and 3; the ratio of the medians would be 3 / 5


def test_the_peers_benchmark_says_which_aims_are_met():
    def build(name, walls, peak):
        return peers.Build(name, [], runs=[peers.Run(wall, 1, peak) for wall in walls])

    done = [build("site-builder, search, no cache (CI)", [0.8, 0.9], 100),
            build("site-builder --no-search, no cache", [1.1, 0.9], 120),
            build(f"Hugo {peers.HUGO_VERSION}", [1.0, 1.0], 250),
            build("Hugo + pagefind --site", [1.0, 1.0], 260)]
    said = peers.aims(done)
    assert "search 0.85x Hugo + pagefind --site (aim 0.8x): NOT MET" in said
    assert f"--no-search 1.00x Hugo {peers.HUGO_VERSION} (aim 1.0x): met (round by round 1.10 0.90)" in said
    assert "peak 120 MB, 0.48x Hugo's (aim 0.5x): met" in said


def test_the_peers_benchmark_says_how_to_run_it():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "peers.py"), "--help"],
                            capture_output=True, text=True, check=True)
    assert "--quick" in result.stdout and "--sizes" in result.stdout


def test_the_peers_benchmark_makes_its_content_again_only_when_what_it_is_made_from_changed(tmp_path, monkeypatch):
    """Remaking a folder deletes thousands of files, which slows the files the next builds make."""
    monkeypatch.setattr(peers, "ROOT", tmp_path)
    source, folder, made = tmp_path / "source", tmp_path / "made", []
    source.mkdir()
    (source / "a.yaml").write_text("a")

    def make():
        made.append(1)
        folder.mkdir(exist_ok=True)

    for _ in range(2):
        peers.made_once(folder, [source], make)
    assert len(made) == 1
    (source / "a.yaml").write_text("b")
    peers.made_once(folder, [source], make)
    assert len(made) == 2


def test_a_second_run_of_the_peers_benchmark_stops_while_one_is_at_work(tmp_path):
    """Each run deletes bench/.work/rounds as it starts and ends: two at once deleted each other's builds
    (the first stopped with a FileNotFoundError). The second now stops at once, saying why."""
    first = peers.one_run(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        peers.one_run(tmp_path)
    assert "another run" in str(stopped.value)
    first.close()
    peers.one_run(tmp_path).close()  # free again once the first has ended
