"""Addresses never break: the record of published addresses, redirects, Netlify's _redirects.

content/published.txt lists every address the site has published. A build that no longer
makes one of them, and has no redirect for it in content/redirects.yaml, fails and says
which edit lost it and how to keep it: a link someone saved, shared or printed must keep
working. Renaming a priority or an initiative changes its address, so that is the usual cause.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .contentfiles import MANIFEST, Refused, display_path, read_bytes
from .headers import HEADERS_FILE
from .model import REGISTRIES, Redirect, Site
from .problems import ContentError, Pos, Problem, did_you_mean
from .urls import url_for
from .validate import Checker, plan_initiatives

REDIRECTS_YAML = "redirects.yaml"
REDIRECTS_FILE = "_redirects"  # Netlify reads it from the published folder and does not serve it
# Fingerprinted assets and the search index get new names with every change: not addresses
# anyone links to.
# The web editor (/admin/) is for staff, not an address to keep: its bundle's name changes with its version.
UNRECORDED = ("assets/", "search-index/", "admin/")
EXPECTED = "every published address to lead somewhere: to its page, or by a redirect in content/redirects.yaml"

MANIFEST_HEADER = """\
# Every address the site has published, one a line, so that none of them ever breaks.
# A build fails when one of these addresses has neither a page nor a redirect in
# content/redirects.yaml, and says how to keep it (docs/content-guide.md, "When an
# address changes: redirects"). Kept by `site-builder addresses --record` (make addresses),
# which CI runs after every push to main: new pages are added once they are published.
# Do not remove lines.
"""

REDIRECTS_HEADER = """\
# Made by the site builder from content/redirects.yaml: edit that file, not this one.
# Netlify reads this file before the rules in netlify.toml and uses the first rule that matches.
"""


def address_of(path: str) -> str:
    """The address that serves an output file: plans/index.html is /plans/."""
    if path == "index.html" or path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def addresses_of(files: Iterable[str]) -> set[str]:
    """Every address a build makes: its pages and lasting files, not assets or the search index."""
    return {address_of(path) for path in files if not path.startswith(UNRECORDED)
            and path not in (REDIRECTS_FILE, HEADERS_FILE)}


def same(address: str) -> str:
    """The form Netlify matches redirects in: /old/ and /old are the same address."""
    return address.rstrip("/") or "/"


@dataclass(frozen=True)
class Manifest:
    """content/published.txt: each address with its line."""

    rel: str
    lines: dict[str, int]


def read_manifest(content_dir: Path) -> tuple[Manifest | None, list[Problem]]:
    """Read the record of published addresses; None when the site has none yet."""
    path = Path(content_dir) / MANIFEST
    if not os.path.lexists(path):
        return None, []
    rel = display_path(path)
    try:
        text = read_bytes(path).decode("utf-8", errors="replace")  # an ordinary file only: never a link's target
    except Refused as exc:
        return None, [Problem(Pos(rel, 1, 1), "", exc.message, exc.expected,
                              f"{exc.hint} Restore it with `git checkout {rel}`.")]
    except OSError:
        return None, []  # removed since: as if there were none
    lines: dict[str, int] = {}
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if not re.fullmatch(r"/\S*", text):
            problems.append(Problem(Pos(rel, number, 1), "", f"found '{text}'",
                                    "one address a line, starting with /",
                                    f"This file is kept by `site-builder addresses --record`: restore it "
                                    f"with `git checkout {rel}`."))
            continue
        lines.setdefault(text, number)
    return Manifest(rel, lines), problems


def check_addresses(site: Site, files: Iterable[str], content_dir: Path, sources: dict) -> dict[str, bytes]:
    """Check the redirects, and that every published address still leads somewhere (given the names of
    the files a build makes); return _redirects.

    Raises ContentError listing every problem.
    """
    made = addresses_of(files)
    check = Checker(sources)
    check_redirects(site.redirects, made, check)
    manifest, problems = read_manifest(content_dir)
    check.problems.extend(problems)
    if manifest is not None:
        check_published(site, made, manifest, Path(content_dir), check)
    if check.problems:
        raise ContentError(check.problems)
    return {REDIRECTS_FILE: redirects_file(site.redirects)} if site.redirects else {}


def redirects_file(redirects: tuple[Redirect, ...]) -> bytes:
    """Netlify's _redirects: one permanent redirect a line, in the order of content/redirects.yaml."""
    return (REDIRECTS_HEADER + "".join(f"{r.from_} {r.to} 301\n" for r in redirects)).encode("utf-8")


# ---- redirects ----------------------------------------------------------------------

def check_redirects(redirects: tuple[Redirect, ...], made: set[str], check: Checker) -> None:
    """Each redirect leads from an address no page has, once, straight to a page that exists."""
    pages = {same(a): a for a in made}
    first: dict[str, Redirect] = {}
    for redirect in redirects:
        first.setdefault(same(redirect.from_), redirect)
    for index, redirect in enumerate(redirects):
        def report(field: str, message: str, expected: str, hint: str) -> None:
            check.at(redirect.pos, f"redirects[{index}].{field}", message, expected, hint)

        page = pages.get(same(redirect.from_))
        if page is not None:
            # Netlify serves a file that exists rather than apply a redirect from its address.
            report("from", f"{redirect.from_} is the address of a page of this site, so this redirect "
                   "would never be used", "an old address that no page has any more",
                   f"Remove this redirect: the page {page} answers at that address.")
            continue
        other = first[same(redirect.from_)]
        if other is not redirect:
            report("from", f"{redirect.from_} is redirected twice", "each old address once",
                   f"The other redirect from it is at line {other.pos.line if other.pos else '?'}: remove one.")
        if redirect.to.startswith("https://"):
            continue
        target = same(redirect.to)
        if target == same(redirect.from_):
            report("to", "this redirect leads back to its own address", "the address of a page of this site",
                   "Write the address of the page that replaced it.")
        elif target in first and target not in pages:
            end, circle = _follow(redirect, first, pages)
            end = pages.get(same(end), end)
            if circle:
                report("to", f"{redirect.to} is redirected too, and these redirects go round in a circle",
                       "the address of a page of this site", "Point each old address at a page that exists.")
            else:
                report("to", f"{redirect.to} is itself redirected, to {end}", "the address of a page of this site",
                       f"Write `to: {end}`, so that visitors get there in one step.")
        elif redirect.to not in made:
            near = pages.get(target)
            hint = (f"Write it as {near}, the page's exact address." if near else
                    did_you_mean(redirect.to, made) or "Copy the page's address from the preview (make serve).")
            report("to", f"no page of this site has the address {redirect.to}",
                   "the address of a page of this site, or a web address starting with https://", hint)


def _follow(redirect: Redirect, first: dict[str, Redirect], pages: dict[str, str]) -> tuple[str, bool]:
    """Where a chain of redirects ends, and whether it goes round in a circle."""
    seen = {same(redirect.from_)}
    to = redirect.to
    while same(to) in first and same(to) not in pages:  # a page's own address is never redirected
        if same(to) in seen:
            return to, True
        seen.add(same(to))
        to = first[same(to)].to
    return to, False


# ---- published addresses ------------------------------------------------------------

PRIORITY = re.compile(r"^/plans/([^/]+)/priorities/([^/]+)/$")
INITIATIVE = re.compile(r"^/plans/([^/]+)/initiatives/([^/]+)/$")


def check_published(site: Site, made: set[str], manifest: Manifest, content_dir: Path, check: Checker) -> None:
    """Report every published address that this build neither makes nor redirects."""
    kept = {same(a) for a in made} | {same(r.from_) for r in site.redirects}
    lost = [address for address in manifest.lines if same(address) not in kept]
    if not lost:
        return
    new = made - set(manifest.lines)
    explained = _blame_renames(site, lost, new, content_dir, check)
    for address in lost:
        if address not in explained:
            _report_removed(address, site, made, manifest, content_dir, check)


def _blame_renames(site: Site, lost: list[str], new: set[str], content_dir: Path, check: Checker) -> set[str]:
    """Point each lost priority or initiative address at the item that now has a new one."""
    explained = set()
    for plan in site.plans:
        priorities = [(f"priorities[{i}]", p) for i, p in enumerate(plan.priorities)]
        for pattern, items, what, title in ((PRIORITY, priorities, "priority", "short_title"),
                                            (INITIATIVE, plan_initiatives(plan), "initiative", "title")):
            gone = [(a, m.group(2)) for a in lost for m in [pattern.match(a)] if m and m.group(1) == plan.period]
            moved = [(path, item) for path, item in items if url_for(item) in new]
            for (address, old_id), (path, item) in _pair(gone, moved):
                explicit = check.has_key(plan.pos, path, "id")
                field = "id" if explicit else title
                now = url_for(item)
                advice = redirect_advice(content_dir, address, now)
                if explicit:
                    hint = f"Change it back to `id: {old_id}` to keep its address, or {advice}."
                else:
                    hint = f"Add the line `id: {old_id}` to this {what} to keep its address, or {advice}."
                words = "short title" if field == "short_title" else field
                check.at(plan.pos, f"{path}.{field}",
                         f"the published address {address} would be lost: this {what}'s {words} now gives it "
                         f"the address {now}", EXPECTED, hint)
                explained.add(address)
    return explained


def _pair(gone: list[tuple[str, str]], moved: list[tuple[str, object]]) -> list:
    """Match lost ids with items that have new addresses, most alike first, each once."""
    scores = sorted((-difflib.SequenceMatcher(None, old_id, item.id).ratio(), i, j)
                    for i, (_, old_id) in enumerate(gone) for j, (_, item) in enumerate(moved))
    pairs, used_gone, used_moved = [], set(), set()
    for _, i, j in scores:
        if i not in used_gone and j not in used_moved:
            used_gone.add(i)
            used_moved.add(j)
            pairs.append((gone[i], moved[j]))
    return sorted(pairs, key=lambda pair: pair[0][0])


def _report_removed(address: str, site: Site, made: set[str], manifest: Manifest, content_dir: Path,
                    check: Checker) -> None:
    """A lost address with no renamed item to blame: point at the redirects, with the line to add."""
    redirects = content_dir / REDIRECTS_YAML
    if redirects.is_file():
        pos, field = Pos(display_path(redirects), 1, 1), "redirects"
    else:
        pos, field = Pos(manifest.rel, manifest.lines[address], 1), ""
    why, keep = _what_went(address, site, content_dir)
    advice = redirect_advice(content_dir, address, nearest(address, made))
    check.problems.append(Problem(pos, field, f"the published address {address} would be lost: {why}", EXPECTED,
                                  f"{keep}Or, to send its visitors to the nearest page, {advice} "
                                  "(or choose a better page for `to`)."))


def _what_went(address: str, site: Site, content_dir: Path) -> tuple[str, str]:
    """Say what the lost address was, and how to keep the thing it was for."""
    parts = address.strip("/").split("/")
    kinds = {r.field: (r.kind, r.file) for r in REGISTRIES.values()}
    if len(parts) == 2 and parts[0] in kinds and address.endswith("/"):
        kind, registry = kinds[parts[0]]
        if kind == "agency":
            keep = ("If the agency closed or merged, keep the agency in content/agencies.yaml and mark it as ended "
                    "(docs/content-guide.md); if you changed its id, change it back. ")
        else:
            keep = (f"Keep the {kind} in content/{registry}: its page shows the plans of past years. "
                    f"If you changed its id, change it back. ")
        return f"no {kind} has the id '{parts[1]}' now", keep
    if parts[0] == "plans" and len(parts) >= 2:
        period = parts[1]
        if not any(plan.period == period for plan in site.plans):
            if (content_dir / "plans" / f"{period}.yaml").is_file():  # a draft, left out of the published site
                return (f"the plan {period} is not published now",
                        "If the plan is marked `draft: true` by mistake, remove that line. ")
            return (f"there is no plan {period} now",
                    f"If content/plans/{period}.yaml was removed by mistake, restore it. ")
        for pattern, what in ((PRIORITY, "priority"), (INITIATIVE, "initiative")):
            match = pattern.match(address)
            if match:
                return (f"the plan {period} has no {what} with the id '{match.group(2)}' now",
                        f"If you renamed the {what}, add the line `id: {match.group(2)}` to it to keep its address. ")
    if len(parts) == 1 and address.endswith("/") and parts[0]:
        return (f"there is no page content/pages/{parts[0]}.md now",
                "If the file was removed or renamed by mistake, restore it. ")
    return "this build no longer makes it", ""


def nearest(address: str, made: set[str]) -> str:
    """The closest address above a lost one that the build makes: /agencies/ for /agencies/x/."""
    parts = address.strip("/").split("/")
    for n in range(len(parts) - 1, 0, -1):
        candidate = "/" + "/".join(parts[:n]) + "/"
        if candidate in made:
            return candidate
    return "/"


def redirect_advice(content_dir: Path, old: str, new: str) -> str:
    """The words and the exact line that add a redirect."""
    line = f"- {{from: {old}, to: {new}}}"
    redirects = content_dir / REDIRECTS_YAML
    if redirects.is_file():
        return f"add a redirect: the line `  {line}` under `redirects:` in {display_path(redirects)}"
    return (f"add a redirect: create {display_path(redirects)} with the line `redirects:` and under it "
            f"the line `  {line}`")


# ---- recording ----------------------------------------------------------------------

def record_addresses(content_dir: Path, site: Site, files: Mapping[str, bytes], write: bool) -> tuple[Path, set[str]]:
    """Add what a successful build publishes (pages, files, redirected old addresses) to the manifest.

    Never removes an address: a build that lost one has failed before this. Returns the
    manifest's path and the addresses it lacked; writes it only when `write` is true.
    """
    path = Path(content_dir) / MANIFEST
    manifest, _ = read_manifest(content_dir)
    old = set(manifest.lines) if manifest is not None else set()
    # An old address that redirects stays published: a later edit must not drop its redirect.
    now = addresses_of(files) | {r.from_ for r in site.redirects}
    missing = now - old
    text = MANIFEST_HEADER + "".join(f"{address}\n" for address in sorted(old | now))
    if write and (not path.is_file() or path.read_text(encoding="utf-8") != text):
        path.write_text(text, encoding="utf-8")
    return path, missing
