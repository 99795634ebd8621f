"""The command line: exit codes, messages, and the commands beyond build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import CONTENT, TEMPLATES, edit, write, write_plan, write_plan_2021
from site_builder.cli import main, make_parser


def test_every_command_has_help_text():
    parser = make_parser()
    commands = parser._subparsers._group_actions[0]
    for name, sub in commands.choices.items():
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.dest != "help" and not isinstance(action, type(commands)):
                assert action.help, f"{name} {action.dest} has no help"


@pytest.mark.parametrize("argv", [[], ["publish"], ["build", "--colour"], ["new", "plan"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "build" in capsys.readouterr().out


@pytest.mark.content
def test_check_passes_on_the_real_content(capsys):
    assert main(["check", "--content", str(CONTENT), "--templates", str(TEMPLATES)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("0 errors, ")


def test_check_reports_one_line_per_finding_and_exits_1(site_dir, capsys):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBD]
        """)
    edit(site_dir / "plans/2021-22.yaml", "    lead: EP\n", "")
    assert main(["check", "--templates", str(TEMPLATES)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "content/plans/2020-21.yaml:10:16: error: priorities[0].initiatives[0].lead[0]: unknown agency 'CBD'; "
        "expected an id, name or alias from content/agencies.yaml. Did you mean 'CBC'?",
        "1 error, 0 warnings."]


def test_check_warns_of_a_missing_lead_and_finds_broken_links(site_dir, capsys):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  Safe places in town. See [the plans](/plan/).
        """)
    write_plan_2021(site_dir, """\
          - title: Keep Safe relaunch
            timing: Summer 2021
            description: Venues reviewed.
        """)
    assert main(["check", "--templates", str(TEMPLATES)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("content/plans/2020-21.yaml:12:48: error: the link '/plan/' on the page "
                               "/plans/2020-21/initiatives/keep-safe/index.html (and on 1 other page) is broken: "
                               "no such page")
    assert "content/plans/2021-22.yaml:9:5: warning: initiatives[0].lead: the initiative has no lead agency" in lines[-2]
    assert lines[-1] == "1 error, 1 warning."  # the link, once for the two pages it is on


@pytest.mark.content
def test_next_years_plan_starts_from_the_newest_real_plan_and_builds(tmp_path, monkeypatch, capsys):
    """The yearly cycle on the real content: `new plan` after the newest plan, published, then a build."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.chdir(tmp_path)
    newest = max(p.stem for p in (content / "plans").glob("*.yaml"))
    start = int(newest[:4]) + 1
    period = f"{start}-{(start + 1) % 100:02d}"
    assert main(["new", "plan", period, "--from", newest]) == 0
    plan = content / "plans" / f"{period}.yaml"
    assert "draft: true\n" in plan.read_text()
    plan.write_text(plan.read_text().replace("draft: true\n", ""))  # published, as the guide says
    assert main(["build", "--templates", str(TEMPLATES), "--out", "output", "--no-search", "--no-cache"]) == 0, \
        capsys.readouterr().err
    assert (tmp_path / "output/plans" / period / "index.html").is_file()
    assert f'href="/plans/{period}/"' in (tmp_path / "output/plans/index.html").read_text()


def test_fingerprint_matches_the_fixture(capsys):
    assert main(["fingerprint", "Jane", "Example"]) == 0
    from site_builder.privacy import fingerprint
    assert capsys.readouterr().out.split() == ["8d53d8e3ced7c888", fingerprint("J Example")]


def test_check_does_not_warn_when_lead_says_the_plan_names_none(site_dir, capsys):
    edit(site_dir / "plans/2021-22.yaml", "    lead: EP\n", "    lead: []\n")
    assert main(["check", "--templates", str(TEMPLATES)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 errors, 0 warnings."


@pytest.mark.parametrize("entry", [["-m", "site_builder"], ["-c", "from site_builder.cli import run; run()"]])
def test_the_command_says_everything_and_exits_with_mains_code_though_it_leaves_at_once(site_dir, entry):
    # run() leaves without Python's exit, which would flush what a pipe has not taken yet (output
    # to a pipe waits in a buffer, unless PYTHONUNBUFFERED says otherwise).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    out = site_dir.parent / "out"
    command = [sys.executable, *entry, "build", "--no-cache", "--templates", str(TEMPLATES), "--out", str(out)]
    built = subprocess.run(command, capture_output=True, text=True, env=env)
    assert (built.returncode, built.stderr) == (0, "")
    assert built.stdout.startswith("Built ") and (out / "index.html").is_file()
    (site_dir / "agencies.yaml").write_text("agencies: [{id: x}]\n")
    failed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert failed.returncode == 1 and "content/agencies.yaml:1:" in failed.stderr
    assert failed.stderr.rstrip().endswith(f"{out}/ is unchanged.")


def test_check_blames_a_link_written_with_an_escape_on_its_content_and_says_it_once(site_dir, capsys):
    """'/\\evil.example' reaches the page as /%5Cevil.example: it is still found where it was typed (not
    blamed on the templates), and a link on many pages is reported once."""
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  Safe places in town. See [q](/\\evil.example).
        """)
    assert main(["check", "--templates", str(TEMPLATES)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if "evil.example" in line]
    assert len(lines) == 1 and lines[0].startswith("content/plans/2020-21.yaml:12:"), lines
