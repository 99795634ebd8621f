"""The page that lists a build's errors: shown by the preview, and published by a deploy preview."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import PurePath

from . import privacy
from .contentfiles import read_excerpt_text
from .problems import Problem, printable, source_excerpt

# Long paths and messages break anywhere rather than widen the page; source lines keep their
# columns (the caret must stay under its place) and scroll inside their own box instead.
STYLE = ("body{font:1rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1b1b;"
         "overflow-wrap:anywhere}"
         "h1{color:#a4000f}li{border-left:5px solid #a4000f;padding:0 1rem;margin:1rem 0;list-style:none}"
         "ol{padding:0}h2{font-size:1.1rem;margin:0;font-family:monospace}.message{font-weight:700}"
         "pre{background:#f3f3f3;padding:.5rem;overflow-x:auto;overflow-wrap:normal}"
         "pre:focus{outline:3px solid #1b1b1b;outline-offset:2px}"
         ".hint{background:#fff7bf;padding:.25rem .5rem}")


# A deploy preview's page of errors shows these in place of personal data found, and of its lines.
WITHHELD_MESSAGE = "this line holds what may be personal data (the build's log says what; this public page does not)"
OTHER_MESSAGE = "a mistake on a line that holds what may be personal data (the build's log says what)"
WITHHELD_NAME = "[a file whose name holds what may be personal data]"
WITHHELD_LINE = "[this line is not shown here: it holds what may be personal data]"
STYLESHEET = "error.css"  # STYLE's address: the site's Content-Security-Policy forbids inline styles


def _escape(text: str) -> str:
    return html.escape(printable(text))


def error_page(problems: list[Problem], deploy: bool = False) -> bytes:
    """An HTML page listing every problem with the source lines around it.

    Its style is STYLESHEET, served beside it by the preview and published beside it by a
    deploy preview (`deploy`, which also says how a fix reaches it). A deploy preview is a public
    address: there a finding of personal data says where it is but not what, and no excerpt shows a
    line that holds one (the build's log, which the editor reads, tells all).
    """
    withheld = {(p.pos.file, p.pos.line) for p in problems if privacy.is_personal(p)} if deploy else set()
    named = {p.pos.file for p in problems if privacy.in_file_name(p)} if deploy else set()
    items = []
    for problem in problems:
        where = str(problem.pos) if problem.pos.file not in named else (
            f"{PurePath(problem.pos.file).parent}/{WITHHELD_NAME}:{problem.pos.line}:{problem.pos.col}")
        text = read_excerpt_text(problem.pos.file)  # an ordinary content file only: never what a link points at
        if withheld:
            text = "\n".join(WITHHELD_LINE if (problem.pos.file, n) in withheld else line
                             for n, line in enumerate(text.split("\n"), 1))
        if (problem.pos.file, problem.pos.line) in withheld:  # its message may quote the line
            problem = replace(problem, message=WITHHELD_MESSAGE if privacy.is_personal(problem) else OTHER_MESSAGE)
        excerpt = source_excerpt(text, problem.pos.line, problem.pos.col, context=2)
        field = f"<p class=field>Field: <code>{_escape(problem.field)}</code></p>" if problem.field else ""
        expected = f"<p>Expected: {_escape(problem.expected)}</p>" if problem.expected else ""
        hint = f"<p class=hint>{_escape(problem.hint)}</p>" if problem.hint else ""
        items.append(
            f"<li><h2>{_escape(where)}</h2>{field}"
            f"<p class=message>{_escape(problem.message)}</p>{expected}{hint}"
            # Focusable, so that a keyboard can scroll lines wider than the screen.
            + (f"<pre tabindex=0>{html.escape(excerpt)}</pre>" if excerpt else "") + "</li>")
    count = f"{len(problems)} error{'' if len(problems) == 1 else 's'}"
    body = (f"<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><link rel=icon href='data:,'>"
            f"<title>{count} - preview</title>"
            f"<link rel=stylesheet href='/{STYLESHEET}'></head><body>"
            f"<h1>The site could not be rebuilt: {count}</h1>"
            + ("<p>This deploy preview shows the errors in the content of this branch instead of the site. "
               "Fix them in the files named and commit: the preview is built again, and the pull request's "
               "checks show each error on its line too. The published site is not affected.</p>" if deploy else
               "<p>Fix these in the files named, then save. This page reloads by itself when the site "
               "builds again.</p>")
            + f"<ol>{''.join(items)}</ol></body></html>")
    return body.encode("utf-8")
