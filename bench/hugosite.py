"""Write a content tree (content/, or one from bench/generate.py) as a Hugo site, for bench/peers.py.

    python bench/hugosite.py CONTENT_DIR SITE_DIR

The same pages at the same addresses: a page per initiative, plan, priority, agency, topic and
programme, and the home, plans, agencies, topics and programmes indexes. Initiatives are Markdown
files with YAML front matter (their description, outcomes and updates the body, as a Hugo site
would keep them); agencies, topics, programmes and priorities are taxonomies, whose term pages
list their initiatives. The templates show what the builder's pages show (the same header and
footer, summaries, full texts on priority and programme pages, a programme's other rows on each
of its initiatives' pages, the same Pagefind body, ignore and filter marks), without the builder's
checks, open data, search page or comparison page.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from pathlib import Path

import yaml

try:
    from yaml import CSafeDumper as Dumper, CSafeLoader as Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeDumper as Dumper, SafeLoader as Loader

HERE = Path(__file__).resolve().parent


def slugify(text: str) -> str:
    """A web-address id from a title, as the builder makes them."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def load(path: Path):
    """One YAML file, with the C loader."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def page(path: Path, front: dict, body: str = "") -> None:
    """Write a Hugo content file: YAML front matter, then the Markdown body."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(front, Dumper=Dumper, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")


def agency_ids(agencies: list[dict]) -> dict[str, str]:
    """Every way a plan may name an agency (id, name, short name, aliases), folded, to its id."""
    names = {}
    for agency in agencies:
        for name in [agency["id"], agency["name"], agency.get("short_name"), *agency.get("aliases", [])]:
            if name:
                names[name.casefold()] = agency["id"]
    return names


def body(row: dict) -> str:
    """An initiative's texts as one Markdown body, each under its heading."""
    parts = []
    for field, heading in (("description", "About the initiative"), ("outcomes", "Outcomes"), ("updates", "Updates")):
        if row.get(field):
            parts.append(f"## {heading}\n\n{row[field].strip()}\n")
    return "\n".join(parts)


def write_content(content: Path, site: Path) -> int:
    """Write site/content/ from the content tree; return the number of initiatives."""
    out = site / "content"
    agencies = load(content / "agencies.yaml")["agencies"]
    names = agency_ids(agencies)
    page(out / "_index.md", {"title": "Safer Colchester Partnership"})
    page(out / "plans" / "_index.md", {"title": "Plans"})
    for kind, items, text in (("agencies", agencies, "description"),
                              ("topics", load(content / "topics.yaml")["topics"], "description"),
                              ("programmes", load(content / "programmes.yaml")["programmes"], "summary")):
        page(out / kind / "_index.md", {"title": kind.capitalize()})
        for item in items:
            page(out / kind / item["id"] / "_index.md", {"title": item["name"], "description": item.get(text, "")})
    page(out / "priorities" / "_index.md", {"title": "Priorities", "build": {"render": "never"}})
    pfcc = {p["number"]: p["title"] for p in load(next((content / "pfcc").glob("*.yaml")))["priorities"]}
    made = 0
    listed: dict[str, int] = {}  # rows of each programme so far: the row's place in its programme's list
    plans = sorted((content / "plans").glob("*.yaml"))
    for order, path in enumerate(plans):
        plan = load(path)
        period = str(plan["period"])
        folder = out / "plans" / period
        priorities = [{"number": p["number"], "title": p["title"], "short": p.get("short_title") or p["title"],
                       "slug": slugify(p.get("short_title") or p["title"]), "topics": p.get("topics", [])}
                      for p in plan.get("priorities", [])]
        page(folder / "_index.md", {"title": plan["title"], "period": period, "document": plan.get("document", ""),
                                    "weight": len(plans) - order, "priorities": priorities})
        for p, source in zip(priorities, plan.get("priorities", [])):
            page(out / "priorities" / f"{period}-{p['slug']}" / "_index.md",
                 {"title": p["title"], "url": f"/plans/{period}/priorities/{p['slug']}/", "period": period,
                  "number": p["number"], "topics": p["topics"]}, (source.get("summary") or "").strip() + "\n")
        rows = [(p, row) for p, source in zip(priorities, plan.get("priorities", []))
                for row in source.get("initiatives") or []]
        rows += [(None, row) for row in plan.get("initiatives") or []]
        slugs: set[str] = set()
        for p, row in rows:
            slug = str(row.get("id") or slugify(row["title"]))[:60].strip("-")
            while slug in slugs:
                slug += "-2"
            slugs.add(slug)
            made += 1
            leads = [names.get(str(lead).casefold()) for lead in row.get("lead") or []]
            numbers = {q["number"]: q for q in priorities}
            front = {
                "title": row["title"], "period": period, "weight": made,
                "priority": p["number"] if p else 0, "priority_short": p["short"] if p else "",
                "priority_slug": p["slug"] if p else "",
                "agencies": [lead for lead in leads if lead], "lead_as_written": row.get("lead_as_written", ""),
                "timing": str(row.get("timing", "")), "status": row.get("status", ""),
                "funding": row.get("funding") or {},
                "plan_priorities": [{"number": n, "short": numbers[n]["short"], "slug": numbers[n]["slug"]}
                                    for n in row.get("scp_priorities") or [] if n in numbers],
                "pfcc": [f"{n}. {pfcc[n]}" for n in row.get("pfcc_priorities") or [] if n in pfcc],
                "topics": row.get("topics") or (p["topics"] if p else []),
                "programmes": [row["programme"]] if row.get("programme") else [],
                "programme_index": listed.get(row.get("programme"), 0),
                "priorities": [f"{period}-{p['slug']}"] if p else [],
            }
            if row.get("programme"):
                listed[row["programme"]] = listed.get(row["programme"], 0) + 1
            page(folder / "initiatives" / f"{slug}.md", front, body(row))
    return made


def write_site(content: Path, site: Path) -> int:
    """Write a whole Hugo site (configuration, templates, content); return the number of initiatives."""
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(HERE / "hugo", site)
    chrome = load(content / "site.yaml")
    base = site / "layouts" / "baseof.html"
    # The footer's help numbers are the site's own, written into the template as the builder's are.
    help_list = "\n".join(
        f'        <li><span class="help__label">{n["label"]}:</span> <a class="help__number" '
        f'href="tel:{re.sub(r"[^0-9]", "", str(n["number"]))}">{n["number"]}</a> '
        f'<span class="help__note">{n.get("note", "")}</span></li>' for n in chrome["help_numbers"])
    base.write_text(base.read_text().replace("<!-- help numbers -->", help_list))
    return write_content(content, site)


if __name__ == "__main__":
    print(f"{write_site(Path(sys.argv[1]), Path(sys.argv[2]))} initiatives written to {sys.argv[2]}")
