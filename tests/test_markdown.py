"""Markdown: safe links only, no raw HTML, and a plain-text fast path that changes nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from conftest import CONTENT
from site_builder.markdown import _plain, link_problem, parse, render, render_plain

TRICKY = [
    "One line.", "Two\nlines.", "Two\n\nparagraphs.", "Three\n\n\n\nblank lines.", "  Leading spaces.",
    "Line one\n   indented three", "Line one\n    indented four", "1984 was a year.", "2021. A year.",
    "2021) A year.", "- a list", "Not - a list", "* star", "+ plus", "> quote", "# heading", "Text\n===",
    "Text\n---", "Trailing two  \nnext", "Trailing one \nnext", "Tab\tin text", "Quote's “curly” ok",
    "a > b", "a < b", "AT&T", "snake_case", "*emphasis*", "[link](/plans/)", "`code`", "<p>html</p>",
    "https://example.org/plain", "£500K funding; 1/4/14 – 31/3/15", "Ends with newline\n", "\nStarts with one",
    "Windows\r\nline", "a | table | row", "ok ~strike~", "{braces}", "Under 10% (of 20)", "Q1: stats",
]


def content_texts() -> list[str]:
    """Every multi-line text in the real content (a test of it is marked content)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str) and "\n" in node:
            found.append(node)
    for path in sorted(Path(CONTENT).rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text()))
    return found


@pytest.mark.parametrize("text", TRICKY)
def test_the_plain_fast_path_agrees_with_markdown_it(text):
    plain = render_plain(text)
    assert plain is None or plain == parse(text, 3)[0].html


def test_the_fast_path_is_taken_for_plain_text_and_not_for_markdown():
    taken = ["One line.", "Two\n\nparagraphs.", "1984 was a year.", "- a list\n- of two", "Fish & chips", 'A "quote"',
             "Intro:\n\n- one\n- two\n\nAfter."]
    assert all(render_plain(t) is not None for t in taken)
    assert all(render_plain(t) is None for t in ["*emphasis*", "[link](/plans/)", "<p>html</p>", "&amp; entity",
                                                 "- loose\n\n- list", "1. numbered", "- item\n\n  continued"])


def test_the_characters_that_make_a_text_not_plain_are_markdowns_marks_an_entity_and_every_other_space():
    """_NOT_PLAIN is one class of characters, its whitespace written out: over every code point, alone and
    between letters, it finds a mark, and whitespace exactly where str.isspace says (but a space and a line
    break); an '&' only before '#', a letter or a digit, as an entity starts."""
    import sys

    from site_builder.markdown import _NOT_PLAIN

    for code in range(sys.maxunicode + 1):
        c = chr(code)
        expected = c in "\\`*_[]<>\x00" or (c.isspace() and c not in " \n")
        for text in (c, f"a{c} "):
            assert bool(_NOT_PLAIN.search(text)) == expected, hex(code)
        assert bool(_NOT_PLAIN.search(f"a&{c}")) == (expected or c in "#" or (c.isascii() and c.isalnum())), hex(code)
    assert not _NOT_PLAIN.search("Fish & chips, AT&") and _NOT_PLAIN.search("&amp;") and _NOT_PLAIN.search("&#38;")


@pytest.mark.content
def test_the_fast_path_agrees_on_every_content_text():
    texts = content_texts()
    assert texts, f"no multi-line text in {CONTENT}"
    plain = [t for t in texts if render_plain(t) is not None]
    assert [t for t in plain if render_plain(t) != parse(t, 3)[0].html] == []


# Pieces of text the fuzz below strings together: Markdown's block starts, the characters it
# treats specially, and whitespace that Python and CommonMark tell apart.
PIECES = [
    "a", "word", " ", "  ", "\n", "\n\n", "\n  \n", "- ", "-", "* ", "+ ", "1. ", "2) ", "# ", "> ", "=", "---",
    "~~~", "```", "&", "&amp;", "&#38;", "AT&T", '"', "'", "<", ">", "!", "|", "{", "}", "_", "*", "`", "[x]",
    "(y)", "\\", "\t", "\u00a0", "\u2003", "\x0b", "\x1c", "\x00", "\r", "\u2028", "é", "£5", "[name withheld]",
]


def test_the_fast_path_agrees_with_markdown_it_on_random_texts():
    rng = random.Random(2026)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(6000)]
    lines = ["- one", "- two & three", '- "q"', "- [name withheld] x", "  goes on", "para", "", "  ind", "-"]
    texts += ["\n".join(rng.choice(lines) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    fast = [(text, _plain(text)) for text in texts]
    wrong = [(text, html, words) for text, (html, words) in fast
             if html is not None and (html, words, ()) != ((m := parse(text, 3))[0].html, m[0].text, m[1])]
    assert wrong == []
    assert sum(html is not None for _, (html, _) in fast) > 1000  # the fast path is taken, and tried


def test_the_words_of_a_fast_path_text_are_the_parsers():
    text = 'A & B\n\n- one\n- two "2"\n  more\n\n[name withheld] ends.'
    assert _plain(text) == (parse(text, 3)[0].html, 'A & B one two "2" more [name withheld] ends.')


def test_markdown_texts_still_go_through_the_parser():
    html = render("- one\n- two\n\n**bold** and [a link](/plans/)")[0].html
    assert "<li>one</li>" in html and "<strong>bold</strong>" in html and '<a href="/plans/">a link</a>' in html


@pytest.mark.parametrize("url, ok", [
    ("https://www.essex.police.uk/", True), ("http://example.org", True), ("mailto:team@example.test", True),
    ("/plans/2021-22/", True), ("#priority-1", True), ("javascript:alert(1)", False), ("data:text/html,x", False),
    ("vbscript:x", False), ("//evil.example", False), ("plans/2021-22/", False), ("https:evil", False), ("", False),
    ("JAVASCRIPT:alert(1)", False), ("ftp://example.org/file", False),
])
def test_only_safe_links_are_allowed(url, ok):
    assert (link_problem(url) == "") is ok


def test_raw_html_is_never_passed_through():
    html = render("Hello <script>alert(1)</script> world\n\n<b>x</b>")[0].html
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("source", ["", " ", "\n\t \n", "\u00a0\u2028\u3000", "\x1c\x85", "a", " a \n", "\u200b"])
def test_a_text_counts_as_given_unless_it_is_all_white_space(source):
    """Markdown is true where its source holds anything but white space (templates' {% if ini.outcomes %}),
    as stripping it would say; a zero-width space is no white space."""
    from markupsafe import Markup

    from site_builder.markdown import Markdown

    assert bool(Markdown(source, Markup(""), "")) == bool(source.strip())
