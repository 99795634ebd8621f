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


# A deploy preview's page of errors shows these in place of what may be personal data.
WITHHELD_TEXT = "[not shown on this public page: it holds what may be personal data; the build's log says what]"
WITHHELD_NAME = "[a file whose name holds what may be personal data]"
WITHHELD_LINE = "[this line is not shown here: it holds what may be personal data]"
EXCERPT_CONTEXT = 2  # lines shown above a problem's
STYLESHEET = "error.css"  # STYLE's address: the site's Content-Security-Policy forbids inline styles


def _escape(text: str) -> str:
    return html.escape(printable(text))


def error_page(problems: list[Problem], deploy: bool = False, allowed=None) -> bytes:
    """An HTML page listing every problem with the source lines around it.

    Its style is STYLESHEET, served beside it by the preview and published beside it by a
    deploy preview (`deploy`, which also says how a fix reaches it). A deploy preview is a public
    address: there nothing shown holds what the personal-data check finds (under `allowed`, the
    content's allow-lists) or what its findings quote: not a message, a hint, a file's name, nor a
    source line (the build's log, which the editor reads, tells all).
    """
    hidden = _Hidden(problems, allowed or privacy.NO_ALLOW_LISTS) if deploy else None
    items = []
    for problem in problems:
        text = read_excerpt_text(problem.pos.file)  # an ordinary content file only: never what a link points at
        where = str(problem.pos)
        if hidden is not None:
            text = hidden.lines(text, problem.pos.file, problem.pos.line)
            if hidden(problem.pos.file):
                where = f"{PurePath(problem.pos.file).parent}/{WITHHELD_NAME}:{problem.pos.line}:{problem.pos.col}"
            problem = replace(problem, **{name: WITHHELD_TEXT for name in ("field", "message", "expected", "hint")
                                          if hidden(getattr(problem, name))})
        excerpt = source_excerpt(text, problem.pos.line, problem.pos.col, context=EXCERPT_CONTEXT)
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


class _Hidden:
    """What a deploy preview's page must not show: the personal-data check's findings in any text, under
    the content's allow-lists, and the words its findings quote (a name in an address, which the
    check of running text reads otherwise)."""

    def __init__(self, problems: list[Problem], allowed):
        self.allowed = allowed
        self.quoted = {found.lower() for found in map(privacy.found_in, problems) if found}
        self.at = {(p.pos.file, p.pos.line) for p in problems if privacy.is_personal(p)}

    def __call__(self, text: str) -> bool:
        """Whether a text holds what may be personal data."""
        lower = text.lower()
        return any(found in lower for found in self.quoted) or bool(privacy.scan(text, self.allowed))

    def lines(self, text: str, file: str, line: int) -> str:
        """The file's text with each line shown around `line` (and the line) that holds personal data, or that
        a finding spans, replaced by WITHHELD_LINE."""
        lines = text.split("\n")
        first = max(1, line - EXCERPT_CONTEXT)
        window = "\n".join(lines[first - 1:line])
        spanned = set()
        for hit in privacy.scan(window, self.allowed):  # a name or a number run on to the next line
            start = first + window.count("\n", 0, hit.offset)
            spanned.update(range(start, start + hit.shown.count(" ") + 2))
        return "\n".join(WITHHELD_LINE if first <= n <= line and ((file, n) in self.at or n in spanned or self(source))
                         else source for n, source in enumerate(lines, 1))
