"""Problems printed in the terminal: by the command line and by the preview."""

from __future__ import annotations

import os
import sys

from .contentfiles import read_excerpt_text
from .problems import Problem, source_excerpt


def annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that shows a problem on its line of a pull request's diff."""
    def escape(text: str, extra: str = "") -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if extra else text

    command = "error" if problem.level == "error" else "warning"
    where = (f"file={escape(problem.pos.file, 'p')},line={problem.pos.line},col={problem.pos.col},"
             f"title={escape(problem.field or 'content', 'p')}")
    return f"::{command} {where}::{escape(problem.text())}"


def print_problems(problems: list[Problem], excerpts: bool = True, stream=None) -> None:
    """Print each problem on one line, with the source lines under it.

    In GitHub Actions each problem is also printed as a workflow command, so that the pull
    request shows it on the line that the editor changed.
    """
    stream = stream or sys.stderr
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(annotation(problem), flush=True)
    cache: dict[str, list[str]] = {}
    for problem in problems:
        print(problem, file=stream)
        if excerpts:
            if problem.pos.file not in cache:  # only an ordinary content file: never what a link points at
                cache[problem.pos.file] = read_excerpt_text(problem.pos.file)
            excerpt = source_excerpt(cache[problem.pos.file], problem.pos.line, problem.pos.col)
            if excerpt:
                print("\n".join("    " + line for line in excerpt.splitlines()), file=stream)
