"""Golden files: the fixture content, built with the real templates, page by page.

The golden copies leave out admin/ (the web editor: tests/test_cms.py) and assets/ (templates/assets/ under fingerprinted names) and hold each
asset's address without its fingerprint, /assets/site.css for /assets/site.3c879fd7a2.css: a
change of style touches no golden file. The assets are checked against templates/assets/ instead.

After a deliberate change to templates or builder output, regenerate and review:
    make golden          (or: .venv/bin/python tests/test_golden.py)
    git diff tests/golden
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from site_builder.build import SiteBuilder  # noqa: E402

FIXTURE = HERE / "fixtures" / "site"
TEMPLATES = HERE.parent / "templates"
GOLDEN = HERE / "golden"
# An asset's fingerprinted address, as base.html links it: /assets/site.3c879fd7a2.css
FINGERPRINTED = re.compile(rb"/assets/([\w.-]+?)\.([0-9a-f]{10})\.(\w+)\b")


@functools.cache  # the tests below only read it: one build for all of them
def build_fixture() -> dict[str, bytes]:
    """Build the fixture content in memory."""
    return SiteBuilder(FIXTURE, TEMPLATES).build().files


def as_golden(files: dict[str, bytes]) -> dict[str, bytes]:
    """The built files as tests/golden holds them: no assets/, and asset addresses without fingerprints."""
    return {path: FINGERPRINTED.sub(rb"/assets/\1.\3", data) for path, data in files.items()
            if not path.startswith(("assets/", "admin/"))}


def test_golden_files_match():
    files = as_golden(build_fixture())
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(golden), "the set of built files changed; run `make golden` and review"
    for path in sorted(files):
        if files[path] != golden[path]:
            diff = difflib.unified_diff(golden[path].decode().splitlines(), files[path].decode().splitlines(),
                                        f"golden/{path}", f"built/{path}", lineterm="", n=2)
            raise AssertionError(f"{path} differs from its golden copy (run `make golden` and review):\n"
                                 + "\n".join(list(diff)[:60]))


def test_the_assets_are_the_templates_assets_under_their_fingerprints():
    files = build_fixture()
    built = {path.removeprefix("assets/"): data for path, data in files.items() if path.startswith("assets/")}
    sources = {p.name: p.read_bytes() for p in (TEMPLATES / "assets").iterdir() if p.is_file()}
    expected = {}
    for name, data in sources.items():
        stem, _, suffix = name.rpartition(".")
        expected[f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"] = data
    assert built == expected


def test_every_asset_address_in_the_output_names_a_built_asset():
    files = build_fixture()
    linked = {m.group(0).decode().lstrip("/") for data in files.values() for m in FINGERPRINTED.finditer(data)}
    assert {"site", "icon"} <= {Path(path).name.split(".")[0] for path in linked}, "no page links the style sheet"
    missing = sorted(path for path in linked if path not in files)
    assert not missing, f"pages link assets the build did not make: {missing}"


def test_golden_copies_hold_no_fingerprint():
    """A style change renames the assets; a golden copy that names one would change with it."""
    named = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*")
                   if p.is_file() and FINGERPRINTED.search(p.read_bytes()))
    assert not (GOLDEN / "assets").exists() and named == []


def regenerate() -> None:
    """Rewrite tests/golden from the current builder and templates."""
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for path, data in as_golden(build_fixture()).items():
        target = GOLDEN / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"Regenerated {GOLDEN}; review with: git diff {GOLDEN.relative_to(HERE.parent)}")


if __name__ == "__main__":
    regenerate()
