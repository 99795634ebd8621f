"""Golden files: the fixture content, built with the real templates, page by page.

After a deliberate change to templates or builder output, regenerate and review:
    make golden          (or: .venv/bin/python tests/test_golden.py)
    git diff tests/golden
"""

from __future__ import annotations

import difflib
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from site_builder.build import SiteBuilder  # noqa: E402

FIXTURE = HERE / "fixtures" / "site"
TEMPLATES = HERE.parent / "templates"
GOLDEN = HERE / "golden"


def build_fixture() -> dict[str, bytes]:
    """Build the fixture content in memory."""
    return SiteBuilder(FIXTURE, TEMPLATES).build().files


def test_golden_files_match():
    files = build_fixture()
    golden = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(golden), "the set of built files changed; run `make golden` and review"
    for path in sorted(files):
        if files[path] != golden[path]:
            diff = difflib.unified_diff(golden[path].decode().splitlines(), files[path].decode().splitlines(),
                                        f"golden/{path}", f"built/{path}", lineterm="", n=2)
            raise AssertionError(f"{path} differs from its golden copy (run `make golden` and review):\n"
                                 + "\n".join(list(diff)[:60]))


def regenerate() -> None:
    """Rewrite tests/golden from the current builder and templates."""
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for path, data in build_fixture().items():
        target = GOLDEN / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"Regenerated {GOLDEN}; review with: git diff {GOLDEN.relative_to(HERE.parent)}")


if __name__ == "__main__":
    regenerate()
