"""Generate a synthetic content tree of N initiatives from the real content, for benchmarks.

    python bench/generate.py --initiatives 10000 --out bench/.work/content-10000

Registries, site, PFCC plan, strategy and pages are copied from content/; plans are made
by cycling through the real initiatives (titles numbered to stay unique), 100 to a plan.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PER_PLAN = 100


def real_rows(content: Path) -> list[dict]:
    """Every initiative of the real plans, as plain data."""
    rows = []
    for path in sorted((content / "plans").glob("*.yaml")):
        plan = yaml.safe_load(path.read_text())
        for priority in plan.get("priorities", []):
            rows.extend(priority.get("initiatives", []))
        rows.extend(plan.get("initiatives", []))
    return rows


def synthetic_plan(period: str, rows: list[dict], start: int) -> dict:
    """A plan of three priorities sharing the given rows."""
    priorities = []
    for number in (1, 2, 3):
        mine = []
        for offset, row in enumerate(rows[number - 1::3]):
            row = dict(row)
            row.pop("id", None)
            serial = start + offset * 3 + number
            row["title"] = f"{row['title']} {serial}"
            for text in ("description", "outcomes", "updates"):
                if row.get(text):  # unique texts, so that no Markdown is rendered from a cache
                    row[text] = row[text].rstrip("\n") + f"\n\nCopy {serial}.\n"
            if row.get("scp_priorities"):
                row["scp_priorities"] = sorted({min(n, 3) for n in row["scp_priorities"]})
            mine.append(row)
        priorities.append({
            "number": number, "title": f"Synthetic priority {number} of {period}",
            "short_title": f"Priority {number}", "topics": ["asb", "county-lines", "hidden-harms"][number - 1:number],
            "summary": "A synthetic priority for benchmarks.\n", "initiatives": mine})
    return {"period": period, "title": f"Annual Partnership Plan {period}", "document": "Synthetic plan",
            "pfcc_plan": "2016-21", "priorities": priorities}


def generate(initiatives: int, out: Path, content: Path = ROOT / "content") -> Path:
    """Write a content tree with the given number of initiatives; return its folder."""
    if out.exists():
        shutil.rmtree(out)
    # Not the real plans, nor the record of their addresses and the redirects to them: the
    # synthetic plans have other years and other pages.
    shutil.copytree(content, out, ignore=shutil.ignore_patterns("plans", "published.txt", "redirects.yaml"))
    (out / "plans").mkdir()
    source = itertools.cycle(real_rows(content))
    # Plans end by 1999-00: the real agencies include ones that ended in 2014, which a later plan may not name.
    made, year = 0, min(1900, 2000 - -(-initiatives // PER_PLAN))
    while made < initiatives:
        count = min(PER_PLAN, initiatives - made)
        period = f"{year}-{(year + 1) % 100:02d}"
        rows = [next(source) for _ in range(count)]
        plan = synthetic_plan(period, rows, made)
        (out / "plans" / f"{period}.yaml").write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True))
        made += count
        year += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.initiatives, args.out)
    print(f"Wrote {args.initiatives} initiatives to {args.out}")


if __name__ == "__main__":
    main()
