"""The Makefile's variables reach its commands through the environment, never through the shell's parsing.

`make build BASE_URL=...` is how Netlify builds a deploy preview; a value typed or passed on the command
line must not run a command, whatever characters it holds. And `make clean` removes only an output
folder that site-builder wrote.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import ROOT

HOSTILE = "x'\"; touch pwned-by-make #$(touch pwned-too)"
# Each target, and the variables it reads.
TARGETS = {"help": ("OUT",), "build": ("OUT", "BASE_URL", "PREVIEW"), "serve": ("PORT",), "audit": ("OUT",),
           "clean": ("OUT",), "test-fast": ("TEST_JOBS",), "new-plan": ("PERIOD", "FROM"),
           "fingerprint": ("NAME",), "bench-peers": ("PEERS",), "bench-rebuild": ("REBUILD",),
           "bench-search": ("SEARCH",)}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_no_value_of_a_variable_is_written_into_a_command(target):
    """`make -n` prints the commands make would give the shell: no variable's value is among them."""
    values = [f"{name}={HOSTILE}" for name in TARGETS[target]]
    shown = subprocess.run(["make", "-n", "-C", str(ROOT), target, *values], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "MAKEFLAGS": ""})
    assert "pwned" not in shown.stdout, shown.stdout


def make_clean(tmp_path, out):
    """`make clean` with this Makefile, run in an empty folder (so that it finds no .venv to remove)."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return subprocess.run(["make", "-f", str(ROOT / "Makefile"), "-C", str(work), "clean", f"OUT={out}"],
                          capture_output=True, text=True, timeout=60)


def test_clean_leaves_a_folder_that_site_builder_did_not_write(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("someone's file")
    done = make_clean(tmp_path, theirs)
    assert done.returncode != 0 and "site-builder" in done.stderr, done.stderr
    assert (theirs / "keep.txt").read_text() == "someone's file"


def test_clean_removes_an_output_folder_site_builder_wrote(tmp_path):
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / ".site-builder").write_text("")
    (ours / "index.html").write_text("<p>built</p>")
    assert make_clean(tmp_path, ours).returncode == 0
    assert not ours.exists()


def venv_command(tmp_path, *args):
    """The command `make build` would make .venv with, in an empty folder (`make -n`)."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "pyproject.toml").touch()  # what .venv's stamps are made from
    shown = subprocess.run(["make", "-n", "-f", str(ROOT / "Makefile"), "-C", str(work), "build", *args],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "MAKEFLAGS": ""})
    return next(line for line in shown.stdout.splitlines() if "-m venv" in line)


def test_the_venv_is_made_with_the_systems_python_where_it_can_make_one(tmp_path):
    """Distributions build their Python with profile-guided optimisation, which pyenv's lacks (README, "Which Python")."""
    system = "/usr/bin/python3"
    usable = os.path.exists(system) and subprocess.run(
        [system, "-c", "import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))"],
        capture_output=True, timeout=60).returncode == 0
    assert venv_command(tmp_path).split()[0] == (system if usable else "python3")
    assert venv_command(tmp_path, "PYTHON=python3.11").split()[0] == "python3.11"  # the choice stays the caller's
