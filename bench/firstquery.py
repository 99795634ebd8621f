"""What a visitor downloads (search.js and the search index's files) for a first search, at real size and synthetic sizes.

    .venv/bin/python bench/firstquery.py                   (real content, 1,000 and 10,000)
    .venv/bin/python bench/firstquery.py --sizes 10000

Each size is built (with search, as CI builds it) into bench/.work/, served on 127.0.0.1, and
searched in Debian's Chromium with an empty cache for the word in most initiative titles. The
figure is what Netlify would send: text files (scripts, JSON) gzipped, as Netlify compresses them
on the way.
The browser test tests/browser/test_search.py holds the real site to LIMIT by the same measure.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import shutil
import sys
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

LIMIT = 150_000  # bytes, the bound for a first query at 10,000 initiatives
WORK = ROOT / "bench" / ".work"


def common_word(site) -> str:
    """The word in most initiative titles of a site (the first of them A to Z): a query with many results."""
    from site_builder.routes import all_initiatives

    counts = Counter(word for plan in site.plans for ini in all_initiatives(plan)
                     for word in set(re.findall(r"[a-z]{4,}", ini.title.casefold())))
    assert counts, "no initiative title has a word to search for"
    return min(counts, key=lambda word: (-counts[word], word))


def sent(content_type: str, encoding: str | None, body: bytes) -> int:
    """The bytes Netlify would send for a file: a text file gzipped (level 6), any other as it is."""
    text = content_type.startswith("text/") or "javascript" in content_type or "json" in content_type
    return len(gzip.compress(body, compresslevel=6)) if text and not encoding else len(body)


def first_query(folder: Path, query: str) -> list[tuple[str, int]]:
    """Serve a built site, search it once in a fresh browser; each search file and its bytes sent."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            page = browser.new_page()
            responses = []
            page.on("response", lambda r: responses.append(r) if _searching(urlsplit(r.url).path) else None)
            page.goto(f"http://127.0.0.1:{server.server_port}/search/?q={query}")
            page.wait_for_function("/^\\d+ results?/.test(document.querySelector('[data-search-status]')"
                                   ".textContent)", timeout=120_000)
            page.wait_for_load_state("networkidle")
            files = [(urlsplit(r.url).path,
                      sent(r.headers.get("content-type", ""), r.headers.get("content-encoding"), r.body()))
                     for r in responses]
            browser.close()
    finally:
        server.shutdown()
    return files


def measure(size: str) -> None:
    """Build one size and print what its first search downloads."""
    from site_builder.cli import main
    from site_builder.load import load_site

    content = ROOT / "content" if size == "real" else generate(int(size), WORK / f"content-{size}")
    out = WORK / f"firstquery-{size}"
    if main(["build", "--content", str(content), "--templates", str(ROOT / "templates"), "--out", str(out),
             "--no-cache"]) != 0:
        raise SystemExit(f"the build of {size} failed")
    query = common_word(load_site(content))
    files = first_query(out, query)
    total = sum(size for _, size in files)
    kinds = Counter()
    for name, size_sent in files:
        kinds[_kind(name)] += size_sent
    print(f"\n{size} ({query!r}): {total:,} bytes sent in {len(files)} files "
          f"({'within' if total <= LIMIT else 'over'} {LIMIT:,})")
    for kind, size_sent in kinds.most_common():
        print(f"  {size_sent:>8,}  {kind}")


def _searching(path: str) -> bool:
    """Is a file one that searching needs: search.js or a file of the index?"""
    return path.startswith("/search-index/") or (path.startswith("/assets/search.") and path.endswith(".js"))


def _kind(name: str) -> str:
    """What a search file is, for the summary."""
    if name.startswith("/assets/"):
        return "search.js"
    what = name.split("/")[3] if name.count("/") > 3 else name.split("/")[-1]
    return {"w": "w/ (word files)", "p": "p/ (page files: title, place and text of the results shown)",
            "f": "f/ (filter files)"}.get(what, what)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="real,1000,10000", help="comma-separated: 'real' and numbers of initiatives")
    for size in parser.parse_args().sizes.split(","):
        measure(size.strip())


if __name__ == "__main__":
    main()
