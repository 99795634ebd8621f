"""Benchmarks: clean build time, and save-to-rebuilt time of the preview server.

    make bench      (or: .venv/bin/python bench/bench.py)

Rebuild times are measured as a user meets them: from just before an initiative's title
is written to its YAML file, through the file watcher noticing the save, to the rebuilt
files written in the preview folder. Medians over many edits; run on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from site_builder.serve import Preview  # noqa: E402
from site_builder.watch import ChangeWatcher  # noqa: E402

WORK = ROOT / "bench" / ".work"
TEMPLATES = ROOT / "templates"


def settle() -> None:
    """Let the disk finish what deleting files started, before the next measurement.

    This machine's disk is mounted with online discard: deleting thousands of files queues
    work that slows file operations for a while after, so the benchmarks delete between
    measurements, never during them, and wait here (untimed)."""
    os.sync()
    time.sleep(0.2)


def clean_builds(content: Path, runs: int) -> dict[str, list[float]]:
    """Time clean builds in fresh processes into empty folders, taking turns so that the
    machine's ups and downs fall on each alike: the builder with and without its search
    index, with its cache of an earlier run (as `make build` runs after the first time) and
    without, and the bare Python stack (bench/baseline.py) for comparison."""
    exe = Path(sys.executable).with_name("site-builder")
    cache = Path(tempfile.mkdtemp(dir=WORK)) / "cache"
    build = [str(exe), "build", "--content", str(content), "--templates", str(TEMPLATES), "--cache", str(cache)]
    commands = {
        "site-builder build": build,
        "site-builder build --no-search": [*build, "--no-search"],
        "  the same, --no-cache": [*build, "--no-search", "--no-cache"],
        "bare Python stack": [sys.executable, str(ROOT / "bench" / "baseline.py"), str(content)],
    }
    prime = Path(tempfile.mkdtemp(dir=WORK))  # one untimed build fills the cache
    subprocess.run([*build, "--no-search", "--out", str(prime / "output")], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(prime)
    settle()
    times: dict[str, list[float]] = {name: [] for name in commands}
    outputs = Path(tempfile.mkdtemp(dir=WORK))
    for _ in range(runs):
        for name, command in commands.items():
            out = Path(tempfile.mkdtemp(dir=outputs)) / "output"
            args = [*command, "--out", str(out)] if "bare" not in name else [*command, str(out)]
            started = time.perf_counter()
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - started)
    # Deleted only now: deleting thousands of files slows the disk for a while after.
    shutil.rmtree(outputs)
    shutil.rmtree(cache.parent)
    settle()
    return times


def rebuild_latencies(content: Path, edits: int) -> list[float]:
    """Edit one initiative's description again and again; time each save until the preview is rebuilt.

    The description, not the title: a new title would move a published address, which the
    build rightly refuses, and a failed build is not what is measured here."""
    folder = Path(tempfile.mkdtemp(dir=WORK))
    preview = Preview(content, TEMPLATES, folder / "serve", out=open("/dev/null", "w"))
    preview.search = False  # the preview's search index follows in the background, after the reload
    assert preview.rebuild(), "the content must build"
    settle()  # the first build wrote the whole site
    done = threading.Event()

    failed = []

    def changed(paths):
        if not preview.rebuild_when_settled(watcher.changes_within):  # as the preview server does
            failed.append(preview.problems or "the build failed")
        done.set()

    watcher = ChangeWatcher([content, TEMPLATES], changed)
    watcher.start()
    plan = max((content / "plans").glob("*.yaml"))  # the newest plan
    original = plan.read_text()
    # Where the first description's text starts: after `|` and its indent, or after a quote.
    first = re.search(r"\n\s+description: (\|\n\s+|'|\"|)", original).end()
    times = []
    try:
        for n in range(edits):
            text = original[:first] + f"(edit {n}) " + original[first:]
            done.clear()
            started = time.perf_counter()
            plan.write_text(text)
            if not done.wait(30):
                raise RuntimeError("the watcher did not notice the edit")
            if failed:
                raise RuntimeError(f"the edited content did not build: {failed[0]}")
            times.append(time.perf_counter() - started)
            time.sleep(0.05)  # let the watcher settle, as between a person's saves
    finally:
        watcher.stop()
        plan.write_text(original)
        shutil.rmtree(folder)
    return times


def ms(values: list[float]) -> str:
    """Median and spread, in milliseconds."""
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=25, help="edits per rebuild benchmark (default 25)")
    parser.add_argument("--runs", type=int, default=5, help="clean builds per size (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="only save-to-rebuilt with the real content (a few seconds)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)

    real = Path(tempfile.mkdtemp(dir=WORK)) / "content"
    shutil.copytree(ROOT / "content", real)
    if args.quick:
        print(f"Save to rebuilt, real content: {ms(rebuild_latencies(real, args.edits))}   target: median <= 50 ms")
        shutil.rmtree(real.parent)
        return
    synthetic = {n: generate(n, WORK / f"content-{n}") for n in (1000, 10000)}

    # Rebuilds first: they are the smaller numbers, and the most easily disturbed.
    settle()
    print("Save to rebuilt (file watcher + incremental rebuild + write):")
    print(f"  real content          {ms(rebuild_latencies(real, args.edits))}   target: median <= 50 ms")
    settle()
    print(f"  10,000 initiatives    {ms(rebuild_latencies(synthetic[10000], args.edits))}   target: median <= 1000 ms")
    settle()
    print("Clean build (fresh process, empty output folder):")
    for label, content in (("real content", real), ("1,000 initiatives", synthetic[1000])):
        times = clean_builds(content, args.runs)
        bare = statistics.median(times["bare Python stack"])
        for name, values in times.items():
            ratio = statistics.median(values) / bare
            print(f"  {label:18} {name:32} {ms(values)}   {ratio:4.2f} x the bare stack")
    print("  (bench/peers.py times these beside Hugo and Hugo + Pagefind on the same pages.)")
    shutil.rmtree(real.parent)


if __name__ == "__main__":
    main()
