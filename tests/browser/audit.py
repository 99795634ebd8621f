"""Lighthouse on four kinds of page of a built site, served with netlify.toml's headers.

    .venv/bin/python tests/browser/audit.py [FOLDER] [--runs N] [--page PATH]... [--reports DIR] [--details]

`make audit` builds the site, installs Lighthouse into .cache/lighthouse/ when it is missing,
and runs this. Each page is audited --runs times (3) with Lighthouse's defaults, mobile
form factor and simulated throttling, in Debian's Chromium; the table shows each category's
median score. Targets: performance at least 98, the other three 100. For a category under
its target it lists the audits that cost points, from the page's median run. Exit codes:
0 every target met, 1 a target missed, 2 Lighthouse, Chromium or the build missing or failing.

Performance under simulated throttling scales the CPU time measured on this machine, so a
busy machine scores lower: the load average and Lighthouse's CPU benchmark index are printed to
judge a run by. The test server sends files uncompressed where Netlify compresses them, so
performance here is, if anything, lower than in production; Lighthouse treats http://127.0.0.1
as a secure origin, so is-on-https passes here as it does on the https site.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, as under pytest
from browser.server import serve  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / ".cache" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/plans/2021-22/", "/plans/2021-22/initiatives/mac-panel/", "/agencies/essex-police/"]
CATEGORIES = {"performance": "performance", "accessibility": "accessibility",
              "best-practices": "best practices", "seo": "SEO"}
TARGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
RUN_TIMEOUT = 240  # seconds for one Lighthouse run; a page normally takes about 12
INSTALL_HINT = "`make audit` installs it there (npm install --prefix .cache/lighthouse lighthouse@VERSION)"


class AuditError(Exception):
    """Lighthouse or Chromium could not audit a page."""


@dataclass
class PageResult:
    page: str
    scores: dict[str, int]      # category id -> median score, 0-100
    median_report: dict         # the run whose performance score is the median


def chromium_path() -> str:
    """Debian's Chromium: /usr/bin/chromium, or chromium on PATH."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    found = shutil.which("chromium")
    if not found:
        raise AuditError("Chromium not found at /usr/bin/chromium nor on PATH: apt-get install chromium")
    return found


def run_lighthouse(url: str, lighthouse: Path, chromium: str) -> dict:
    """One Lighthouse run on a URL with its default (mobile, simulated throttling) settings."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        # chrome-launcher starts Chromium with a new temporary --user-data-dir of its own
        # for every run and removes it afterwards, so each run has a fresh profile.
        command = [str(lighthouse), url, "--output=json", f"--output-path={report}", "--quiet",
                   f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}"]
        try:
            done = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium}, capture_output=True,
                                  text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AuditError(f"Lighthouse took over {RUN_TIMEOUT} s on {url}") from None
        if done.returncode != 0 or not report.is_file():
            raise AuditError(f"Lighthouse exited {done.returncode} on {url}:\n{(done.stderr or done.stdout).strip()}")
        result = json.loads(report.read_text(encoding="utf-8"))
    if result.get("runtimeError"):
        error = result["runtimeError"]
        raise AuditError(f"Lighthouse could not load {url}: {error.get('code')}: {error.get('message')}")
    missing = [c for c in CATEGORIES if result["categories"].get(c, {}).get("score") is None]
    if missing:
        raise AuditError(f"Lighthouse gave no score for {', '.join(missing)} on {url}")
    return result


def score(report: dict, category: str) -> int:
    return round(report["categories"][category]["score"] * 100)


def median_result(page: str, reports: list[dict]) -> PageResult:
    """Each category's median score; the audits come from the run with the median performance."""
    scores = {c: round(statistics.median(score(r, c) for r in reports)) for c in CATEGORIES}
    by_performance = sorted(reports, key=lambda r: score(r, "performance"))
    return PageResult(page, scores, by_performance[(len(by_performance) - 1) // 2])


def lost_points(report: dict, category: str, everything: bool = False) -> list[dict]:
    """The category's audits that did not pass: weighted ones first, then unscored ones (weight 0).

    Unscored audits are listed only when they fail outright (score under 0.5), or with
    everything=True when they are short of a full score at all; everything=True also lists
    the informative security checks (HSTS, COOP, Trusted Types...) that found something.
    """
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if (everything and ref.get("group") == "best-practices-trust-safety"
                and audit.get("scoreDisplayMode") == "informative" and failing_items(audit)):
            lost.append({"id": audit["id"], "title": audit["title"], "score": None, "displayValue": "",
                         "weight": 0, "items": failing_items(audit)})
            continue
        if audit.get("score") is None or audit.get("scoreDisplayMode") in ("informative", "manual", "notApplicable"):
            continue
        limit = 1 if ref.get("weight", 0) > 0 or everything else 0.5
        if audit["score"] < limit:
            lost.append({"id": audit["id"], "title": audit["title"], "score": audit["score"],
                         "displayValue": audit.get("displayValue", ""), "weight": ref.get("weight", 0),
                         "items": failing_items(audit)})
    return sorted(lost, key=lambda a: (a["weight"] == 0, -a["weight"], a["score"] is None, a["score"] or 0))


def failing_items(audit: dict, limit: int = 5) -> list[str]:
    """A few of an audit's detail rows, as short text, to say where the problem is."""
    details = audit.get("details") or {}
    if details.get("type") == "checklist":  # an insight's checks: the ones that failed
        return [check.get("label", name) for name, check in (details.get("items") or {}).items()
                if isinstance(check, dict) and not check.get("value")]
    items = details.get("items") if details.get("type") in ("table", "opportunity", "list") else None
    if not isinstance(items, list):
        return []
    if details.get("type") == "list":  # a list of tables: flatten one level
        items = [row for table in items if isinstance(table, dict) for row in table.get("items") or []]
    rows = []
    for item in items[:limit]:
        if isinstance(item, dict):
            parts = [text_of(item.get(key)) for key in ("issueType", "node", "source", "sourceLocation", "url",
                                                        "directive", "description", "label", "reason", "value",
                                                        "explanation", "severity")]
            line = " ".join(" ".join(part for part in parts if part).split())
        else:
            line = text_of(item)
        if line:
            rows.append(line if len(line) <= 300 else line[:299] + "…")
    return rows


def text_of(value) -> str:
    """A detail value as text: a node's snippet and explanation, a source location's URL and line."""
    if isinstance(value, dict):
        if value.get("type") == "node":
            return " ".join(filter(None, [value.get("snippet"), value.get("explanation")]))
        if value.get("type") == "source-location":
            return f"{value.get('url')}:{value.get('line', 0) + 1}:{value.get('column', 0) + 1}"
        return text_of(value.get("value") or value.get("text") or value.get("url") or "")
    return value if isinstance(value, str) else ("" if value is None else str(value))


def print_table(results: list[PageResult]) -> None:
    headers = ["page", *CATEGORIES.values()]
    rows = [[r.page, *(f"{r.scores[c]}{'' if r.scores[c] >= TARGETS[c] else ' ✗'}" for c in CATEGORIES)]
            for r in results]
    rows.append(["target", *(f"{'≥' if TARGETS[c] < 100 else ''}{TARGETS[c]}" for c in CATEGORIES)])
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    line = lambda row: "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)  # noqa: E731
                                 for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def print_lost(result: PageResult, category: str, everything: bool) -> None:
    report = result.median_report
    lost = lost_points(report, category, everything)
    print(f"\n{result.page}  {CATEGORIES[category]} {result.scores[category]} "
          f"(target {TARGETS[category]}; audits from the median run, which scored {score(report, category)}):")
    if not lost:
        print("  no failing audit in the median run: the score varies between runs")
    for audit in lost:
        weight = f"weight {audit['weight']:.3g}" if audit["weight"] else "not scored"
        value = f"  {audit['displayValue']}" if audit["displayValue"] else ""
        mark = "informative" if audit["score"] is None else f"score {audit['score']:g} ({weight})"
        print(f"  {audit['id']}: {audit['title']}  {mark}{value}")
        for item in audit["items"]:
            print(f"      {item}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="output", type=Path, help="a built site (default: output)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page; the median counts (default: 3)")
    parser.add_argument("--reports", type=Path, help="save each page's median Lighthouse report (JSON) here")
    parser.add_argument("--details", action="store_true",
                        help="list every audit short of a full score, also on pages that meet the targets")
    parser.add_argument("--page", action="append", dest="pages", metavar="PATH",
                        help="audit this URL path instead of the four (repeatable), e.g. --page /about/")
    parser.add_argument("--lighthouse", type=Path, default=LIGHTHOUSE, help="the Lighthouse command")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if any(not page.startswith("/") for page in args.pages or []):
        parser.error("--page takes a URL path that starts with /")
    args.pages = args.pages or PAGES
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(errors="replace")  # the table's ≥ and ✗ on a terminal that lacks them
    if not (args.folder / "index.html").is_file():
        print(f"{args.folder}/index.html not found: build the site first (make build)", file=sys.stderr)
        return 2
    if not args.lighthouse.is_file():
        print(f"Lighthouse not found at {args.lighthouse}: {INSTALL_HINT}", file=sys.stderr)
        return 2
    try:
        chromium = chromium_path()
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        chromium_version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    except (AuditError, OSError) as error:
        print(error, file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    print(f"Lighthouse on {len(args.pages)} page(s) of {args.folder}/, {args.runs} run(s) each, mobile, simulated "
          f"throttling; {chromium_version}; node {node}; load average {load_before[0]:.2f} "
          f"on {os.cpu_count()} CPUs", flush=True)
    started = time.monotonic()
    reports: dict[str, list[dict]] = {page: [] for page in args.pages}
    try:
        with serve(args.folder) as base:
            for run in range(1, args.runs + 1):  # page by page within each round: load spikes hit all pages alike
                for page in args.pages:
                    report = run_lighthouse(base + page, args.lighthouse, chromium)
                    reports[page].append(report)
                    print(f"  run {run}/{args.runs} {page}: "
                          + ", ".join(f"{CATEGORIES[c]} {score(report, c)}" for c in CATEGORIES), flush=True)
    except AuditError as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    elapsed = time.monotonic() - started
    version = next(iter(reports.values()))[0]["lighthouseVersion"]

    results = [median_result(page, runs) for page, runs in reports.items()]
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
        for result in results:
            name = result.page.strip("/").replace("/", "_") or "home"
            (args.reports / f"{name}.json").write_text(json.dumps(result.median_report), encoding="utf-8")
        print(f"Median reports saved in {args.reports}/")
    # Lighthouse's own measure of this machine's CPU speed at each run: lower when it is busy.
    benchmarks = sorted(r["environment"]["benchmarkIndex"] for runs in reports.values() for r in runs)
    print(f"\nLighthouse {version}, median of {args.runs} run(s), in {elapsed:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f} at the end; CPU benchmark index {benchmarks[0]:.0f}-{benchmarks[-1]:.0f}\n")
    print_table(results)

    missed = [(r, c) for r in results for c in CATEGORIES if r.scores[c] < TARGETS[c]]
    for result, category in missed:
        print_lost(result, category, args.details)
    if args.details:
        for result in results:
            for category in CATEGORIES:
                if result.scores[category] >= TARGETS[category] and lost_points(result.median_report, category, True):
                    print_lost(result, category, True)

    if missed:
        print(f"\nFAILED: {len(missed)} score(s) under target: "
              + "; ".join(f"{r.page} {CATEGORIES[c]} {r.scores[c]} < {TARGETS[c]}" for r, c in missed))
        return 1
    print("\nEvery page meets the targets: performance ≥ 98, accessibility, best practices and SEO 100.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
