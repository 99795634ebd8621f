"""The yearly cycle on a fixture site: start next year's plan as a draft, fill it in, preview it,
publish it; deploy previews of broken content show the errors; CI annotates the lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import TEMPLATES, read_tree
from site_builder.cli import main
from site_builder.problems import Pos, Problem
from site_builder.report import annotation

NEW = "2030-31"

# Its tests build through the command line again and again: the templates are compiled once for the module (conftest).
pytestmark = pytest.mark.usefixtures("templates_compiled_once")


def build(*extra: str) -> int:
    return main(["build", "--templates", str(TEMPLATES), "--no-search", "--no-cache", *extra])


def newest_plan(content: Path) -> str:
    return max(p.stem for p in (content / "plans").glob("*.yaml"))


def add_initiative(plan: Path, title: str, lead: str = "Essex Police", **fields: str) -> None:
    """Add an initiative under the first priority's 'initiatives:' line, as the guide shows."""
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "initiatives:")
    indent = " " * (len(lines[at]) - len(lines[at].lstrip()) + 2)
    item = [f"{indent}- title: {title}\n", f"{indent}  lead: [{lead}]\n", f"{indent}  timing: All year\n",
            f"{indent}  description: |\n", f"{indent}    What it does.\n", f"{indent}  scp_priorities: [1]\n",
            *(f"{indent}  {key}: {value}\n" for key, value in fields.items())]
    plan.write_text("".join(lines[:at + 1] + item + lines[at + 1:]), encoding="utf-8")


def test_a_new_plan_is_a_draft_with_no_trap_to_fill_in(site_dir, capsys):
    source = newest_plan(site_dir)
    assert main(["new", "plan", NEW]) == 0
    out = capsys.readouterr().out
    assert "draft" in out and "make serve" in out
    plan = site_dir / f"plans/{NEW}.yaml"
    text = plan.read_text()
    assert re.search(r"^draft: true$", text, re.M)
    assert "initiatives: []" not in text  # items added below it would be an indentation error
    assert f"started from the {source} plan" in text
    add_initiative(plan, "Street Safe Walks")
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 0, capsys.readouterr()
    # Uncommenting the example in the file works too.
    plan.write_text(re.sub(r"^(\s+)# (- title:|  )", r"\1\2", plan.read_text(), flags=re.M))
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 0, capsys.readouterr()


def test_the_published_site_leaves_a_draft_out_of_everything(site_dir, capsys):
    published = newest_plan(site_dir)
    assert main(["new", "plan", NEW]) == 0
    add_initiative(site_dir / f"plans/{NEW}.yaml", "Street Safe Walks")
    assert build("--out", "output") == 0
    files = read_tree(Path("output"))
    assert not any(NEW in path for path in files)
    mentions = [path for path, data in files.items() if NEW.encode() in data or b"Street Safe Walks" in data]
    assert mentions == []  # no page, list, sitemap, feed or open data file names it
    home = files["index.html"].decode()
    assert f'href="/plans/{published}/"' in home


def test_a_preview_shows_the_draft_marked_as_a_draft(site_dir, capsys):
    published = newest_plan(site_dir)
    assert main(["new", "plan", NEW]) == 0
    add_initiative(site_dir / f"plans/{NEW}.yaml", "Street Safe Walks")
    assert build("--out", "preview", "--preview") == 0
    files = read_tree(Path("preview"))
    draft_pages = [path for path in files if path.startswith(f"plans/{NEW}/")]
    assert f"plans/{NEW}/index.html" in draft_pages and f"plans/{NEW}/initiatives/street-safe-walks/index.html" in draft_pages
    for path in draft_pages:
        page = files[path].decode()
        assert '<meta name="robots" content="noindex">' in page, path
        assert "<strong>Draft.</strong>" in page, path
        assert re.search(r"<title>[^<]*draft[^<]*</title>", page), path
    plans = files["plans/index.html"].decode()
    assert re.search(rf'href="/plans/{NEW}/">(?:[^<]|<span class="nowrap">[^<]*</span>)*</a> <span class="tag">Draft</span>',
                     plans)
    # The home page still leads with the newest published plan, and search engines keep out.
    assert f'href="/plans/{published}/"' in files["index.html"].decode()
    assert f"/plans/{NEW}/" not in files["index.html"].decode()
    assert files["robots.txt"].endswith(b"Disallow: /\n")
    assert f"/plans/{NEW}/" not in files["sitemap.xml"].decode()
    assert NEW not in files["feed.xml"].decode()
    # Published pages carry no draft mark.
    assert b"<strong>Draft.</strong>" not in files[f"plans/{published}/index.html"]


def test_deleting_the_draft_line_publishes_the_plan(site_dir, capsys):
    assert main(["new", "plan", NEW]) == 0
    plan = site_dir / f"plans/{NEW}.yaml"
    add_initiative(plan, "Street Safe Walks")
    plan.write_text(plan.read_text().replace("draft: true\n", ""))
    assert build("--out", "output") == 0
    files = read_tree(Path("output"))
    assert b"<strong>Draft.</strong>" not in files[f"plans/{NEW}/index.html"]
    assert f"/plans/{NEW}/".encode() in files["sitemap.xml"] and NEW.encode() in files["feed.xml"]
    assert f'href="/plans/{NEW}/"'.encode() in files["index.html"]


def test_new_plan_refuses_what_it_cannot_do(site_dir, capsys):
    existing = newest_plan(site_dir)
    before = (site_dir / f"plans/{existing}.yaml").read_bytes()
    assert main(["new", "plan", existing]) == 1
    assert "already exists; it was left as it is" in capsys.readouterr().err
    assert (site_dir / f"plans/{existing}.yaml").read_bytes() == before
    assert main(["new", "plan", "2030"]) == 2
    assert "not a period like 2022-23" in capsys.readouterr().err
    assert main(["new", "plan", "2030-32"]) == 2  # the build would refuse it: so is the file
    assert "'2030-32' is not one year: a plan runs from April to March, so 2030-31" in capsys.readouterr().err
    assert not (site_dir / "plans/2030-32.yaml").exists()
    assert main(["new", "plan", NEW, "--from", "1999-00"]) == 2
    assert "there is no plan 1999-00" in capsys.readouterr().err
    for path in (site_dir / "plans").glob("*.yaml"):
        path.unlink()
    assert main(["new", "plan", NEW]) in (1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err and not (site_dir / f"plans/{NEW}.yaml").exists()


def test_a_new_plan_leaves_out_members_that_have_ended(site_dir, capsys):
    source = newest_plan(site_dir)
    plan = site_dir / f"plans/{source}.yaml"
    plan.write_text(plan.read_text().replace("\npriorities:", "\nmembers:\n  statutory: [Open Road, Essex Police]\n"
                                             "priorities:", 1))
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text().replace("    description: A charity.\n",
                                                     "    description: A charity.\n    ended: 2029-05\n"))
    assert main(["new", "plan", NEW]) == 0
    text = (site_dir / f"plans/{NEW}.yaml").read_text()
    assert "    - Essex Police\n" in text and "Open Road" not in text
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 0, capsys.readouterr()


# ---- deploy previews of broken content ---------------------------------------------------

def break_site(content: Path) -> tuple[str, int]:
    """Empty the newest plan's title; return the file and line the error is on."""
    rel = f"plans/{newest_plan(content)}.yaml"
    path = content / rel
    lines = path.read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if text.startswith("title:"))
    lines[line] = "title:\n"
    path.write_text("".join(lines))
    return f"content/{rel}", line + 1


def test_a_deploy_preview_of_broken_content_publishes_the_errors(site_dir, capsys):
    file, line = break_site(site_dir)
    assert build("--out", "preview", "--preview") == 0
    err = capsys.readouterr().err
    assert f"{file}:{line}:" in err and "Traceback" not in err
    files = read_tree(Path("preview"))
    assert sorted(files) == [".site-builder", "404.html", "error.css", "index.html",  # the builder's marker,
                             "robots.txt"]  # and every address shows the errors
    assert "<style" not in files["index.html"].decode()  # the site's CSP allows no inline style
    page = files["index.html"].decode()
    assert f"{file}:{line}:" in page and "this field is empty" in page
    assert files["404.html"] == files["index.html"]
    assert files["robots.txt"].endswith(b"Disallow: /\n")


def test_a_deploy_preview_publishes_no_personal_data_it_refused(site_dir, capsys):
    """A deploy preview is a public address: its page of errors names where personal data was found, but
    neither quotes it nor shows the lines that hold it, as an excerpt of that problem or of another's."""
    plan = site_dir / "plans" / f"{newest_plan(site_dir)}.yaml"
    add_initiative(plan, "Helpline pilot", timing="Ask jane.smith@gmail.com or 07700 900123 for times",
                   status="unknown-status")  # a mistake on the line after, whose excerpt shows the line above
    assert build("--out", "preview", "--preview") == 0
    err = capsys.readouterr().err
    assert "jane.smith@gmail.com" in err and "07700 900123" in err  # the build's log tells the editor what
    page = read_tree(Path("preview"))["index.html"].decode()
    for found in ("jane.smith", "gmail", "07700", "900123"):
        assert found not in page, found
    assert page.count("may be personal data") >= 2 and "unknown-status" in page


def test_a_deploy_preview_shows_no_file_name_that_holds_personal_data(site_dir, capsys):
    """A page named with a phone number: the deploy preview's errors do not write the file's name."""
    (site_dir / "pages" / "accessibility.md").rename(site_dir / "pages" / "call-07700900123.md")
    assert build("--out", "preview", "--preview") == 0
    assert "07700900123" in capsys.readouterr().err
    page = read_tree(Path("preview"))["index.html"].decode()
    assert "07700900123" not in page and "may be personal data" in page


def test_a_deploy_preview_quotes_personal_data_in_no_other_problem_and_no_line_around(site_dir, capsys):
    """Personal data quoted by another problem (a hint's 'did you mean', a refused file's name and its
    suggested name) or on a line shown around another problem (a name run on to the next line) is not
    shown on the public page either."""
    plan = site_dir / "plans" / f"{newest_plan(site_dir)}.yaml"
    add_initiative(plan, "Helpline pilot", status="unknown-status",
                   description="|\n        Ask the officer, Jane\n        Example, or jane.smith@gmail.com")
    (site_dir / "pages" / "Call 07700900123.md").write_text("---\ntitle: T\ndescription: d\n---\nText.\n")
    (site_dir / "pages" / "ring-07700900124.MD").write_text("---\ntitle: T\ndescription: d\n---\nText.\n")
    assert build("--out", "preview", "--preview") == 0
    err = capsys.readouterr().err
    assert "07700900123" in err and "07700900124" in err
    page = read_tree(Path("preview"))["index.html"].decode()
    for found in ("07700900123", "07700900124", "jane.smith", "Jane", "Example, or"):
        assert found not in page, found
    assert "unknown-status" in page  # the other mistakes are still told


def test_a_production_build_of_broken_content_fails_and_keeps_the_last_site(site_dir, capsys):
    assert build("--out", "output") == 0
    before = read_tree(Path("output"))
    break_site(site_dir)
    assert build("--out", "output") == 1
    assert "The site was not built" in capsys.readouterr().err
    assert read_tree(Path("output")) == before


# ---- errors where comms staff look: annotations in GitHub Actions ---------------------------

def test_in_github_actions_each_problem_is_an_annotation_on_its_line(site_dir, capsys, monkeypatch):
    file, line = break_site(site_dir)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 1
    out = capsys.readouterr().out
    found = re.findall(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.+)$", out, re.M)
    assert (file, str(line), "7", "title") in [f[:4] for f in found], out
    assert any("this field is empty" in f[4] for f in found)
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert main(["check", "--templates", str(TEMPLATES), "--no-cache"]) == 1
    assert "::error" not in capsys.readouterr().out  # only in GitHub Actions


def test_an_annotation_escapes_what_would_end_it_early():
    problem = Problem(Pos("content/a,b:c\n.yaml", 3, 5), "x", "100% sure\nnot", "a: b, c", "", "warning")
    # A line break in a message is shown as its code (problems.printable), so that it cannot end one.
    assert annotation(problem) == ("::warning file=content/a%2Cb%3Ac%0A.yaml,line=3,col=5,title=x::"
                                   "x: 100%25 sure<U+000A>not; expected a: b, c")


@pytest.mark.parametrize("target", ["new-plan", "fingerprint"])
def test_make_targets_ask_for_what_they_need(target):
    import subprocess

    from conftest import ROOT

    result = subprocess.run(["make", "-s", "-C", str(ROOT), target], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and f"make {target} " in result.stderr, result.stderr


def test_a_row_added_to_a_published_plan_says_so(site_dir, capsys):
    period = newest_plan(site_dir)
    add_initiative(site_dir / f"plans/{period}.yaml", "Street Safe Walks", added="2026-12-04")
    assert build("--out", "output") == 0, capsys.readouterr().err
    page = Path(f"output/plans/{period}/initiatives/street-safe-walks/index.html").read_text()
    assert "Added after publication, on 4 December 2026: this row is not in the plan as printed." in page
    assert "After publication, on 4 December 2026" in Path(f"output/plans/{period}/index.html").read_text()


def test_a_plan_period_is_one_year(site_dir, capsys):
    plan = site_dir / f"plans/{newest_plan(site_dir)}.yaml"
    start = int(newest_plan(site_dir)[:4])
    wrong = f"{start}-{(start + 2) % 100:02d}"
    plan.rename(site_dir / f"plans/{wrong}.yaml")
    text = (site_dir / f"plans/{wrong}.yaml").read_text()
    (site_dir / f"plans/{wrong}.yaml").write_text(re.sub(r'^period: .*$', f'period: "{wrong}"', text, count=1, flags=re.M))
    assert build("--out", "output") == 1
    err = capsys.readouterr().err
    assert f"period: '{wrong}' is not one year: a plan runs from April to March; expected {start}-{(start + 1) % 100:02d}" in err
