"""Render Markdown safely, once per distinct text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from .reuse import Memo

SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def as_browsers_read(url: str) -> str:
    """The link as a browser reads it, following the WHATWG URL parser.

    Controls and spaces at either end are removed, tabs and line breaks anywhere, and
    backslashes read as slashes (as in http(s) links, and links without a scheme take the page's).
    """
    url = url.strip(_C0_AND_SPACE)
    url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    return url.replace("\\", "/")


def link_problem(url: str) -> str:
    """Say why a link is unsafe, or return '' when it is allowed.

    The link is judged as a browser reads it, so that '/\\evil.example' (which a browser
    follows to evil.example) is not taken for an address of this site; and a link that a
    browser reads differently from how it is written is refused, whatever it leads to.
    """
    written = url.strip(" ")
    url = as_browsers_read(url)
    if not url:
        return "the link is empty"
    why = _scheme_problem(url)
    if why:
        return why
    if url != written:
        return ("it holds a backslash, a tab or a line break, which browsers read differently from how it is "
                "written; use '/' and no spaces")
    if " " in url:
        return "it holds a space, which no web address has; remove it, or write %20 for it"
    return ""


def _scheme_problem(url: str) -> str:
    match = _SCHEME.match(url)
    if match:
        scheme = match.group(1).lower() + ":"
        if scheme not in SAFE_SCHEMES:
            return f"links starting with '{scheme}' are not allowed"
        if scheme != "mailto:" and not url.lower().startswith(scheme + "//"):
            return "a web address must start with 'http://' or 'https://'"
        return ""
    if url.startswith("//"):
        return "a web address must start with 'https://'"
    if url.startswith(("/", "#")):
        return ""
    return "a link on this site must start with '/', or be a full address starting with 'https://'"


@dataclass(frozen=True, slots=True)
class Markdown:
    """A Markdown text with its rendered HTML."""

    source: str
    html: Markup
    text: str

    def __bool__(self) -> bool:
        return bool(self.source) and not self.source.isspace()  # as bool(source.strip()), no copy of the text made

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong in a Markdown text, at a line offset within it."""

    line: int  # 0-based line within the text
    message: str
    expected: str
    hint: str = ""
    typed: str = ""  # the text at fault as typed, where it can be told: its column is where it is on the line


# Personal data removed from a source text is marked where it stood, never replaced by words of ours
# (content/pages/about.md explains the mark to readers, docs/content-sources.md to editors).
WITHHELD = re.compile(r"\[(?:name|name and email address) withheld\]")
_WITHHELD_LIKE = re.compile(r"\[[^\[\]\n]{0,40}\bwithheld\b[^\[\]\n]{0,40}\]", re.IGNORECASE)


def _withheld_rule(renderer, tokens, idx, options, env) -> str:
    return f'<span class="withheld">{escape(tokens[idx].content)}</span>'


def _mark_withheld(inline: Token) -> None:
    """Split the text of an inline token so that each withheld mark renders as one styled span."""
    children = []
    for child in inline.children or ():
        if child.type != "text" or not WITHHELD.search(child.content):
            children.append(child)
            continue
        at = 0
        for match in WITHHELD.finditer(child.content):
            children.append(Token("text", "", 0, content=child.content[at:match.start()]))
            children.append(Token("withheld", "", 0, content=match.group()))
            at = match.end()
        children.append(Token("text", "", 0, content=child.content[at:]))
    inline.children = children


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# Content has no images (a stray "![..](..)" stays text); raw HTML is text, so its rules need not run.
_md.disable(["image", "html_block", "html_inline"])
_md.add_render_rule("withheld", _withheld_rule)
# Let every link through the parser so that _render can report the unsafe ones as
# content errors; a text with an unsafe link is never published.
_md.validateLink = lambda url: True
# Texts by (source, level), far more than a site has (the real one about 300), so that a long
# preview, which renders every saved version of a text, does not grow without end.
memo = Memo(keep=20_000)
# '[text](address)' left as text: the parser did not take it for a link (a space in the address).
_NOT_A_LINK = re.compile(r"\[[^\[\]\n]*\]\([^()\n]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")


def marked(rendered: Markdown, abbreviate: Callable[[str], str]) -> Markdown:
    """The text with its HTML passed through `abbreviate` (the glossary's <abbr> marks)."""
    html = abbreviate(rendered.html)
    return rendered if html is rendered.html else replace(rendered, html=Markup(html))


def render(source: str, min_heading: int = 3) -> tuple[Markdown, tuple[Finding, ...]]:
    """Render Markdown and check it; kept by the text itself."""
    return memo.get((source, min_heading), lambda: _render(source, min_heading))


# Text with none of these is plain paragraphs to any CommonMark parser: no emphasis, link,
# code, HTML, entity, heading, list, quote, fence or hard break, and no whitespace but spaces and
# line breaks (Python and CommonMark strip different ones). Most content is plain, and rendering
# it directly is ten times quicker than parsing it (a test holds the two ways to the same output
# on thousands of random texts).
# Looked for as one class of characters, which re skips to quickly (an entity's '&' is refused after, by the
# look-behind, where no '#', letter or digit follows): whitespace but a space and a line break is written out
# (str.isspace's; a test holds the list to it), where '[^\S \n]' made re stop at every space (five times as long).
_OTHER_SPACES = r"\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_PLAIN = re.compile(rf"""[\\`*_\[\]<>\x00&{_OTHER_SPACES}](?<!&(?![#A-Za-z0-9]))""")
# Nor a line that starts as a heading, list item, quote, fence, underline or code block does: looked for
# at the text's start and after each line break (a pattern that starts with one character is the kind
# re scans quickly; one that starts with '^' is tried at every character).
_BLOCK_START = re.compile(r"[ ]{0,3}(?:[-+*>#=~]|\d{1,9}[.)])|[ ]{4,}")
_BLOCK_START_AFTER_BREAK = re.compile(rf"\n(?:{_BLOCK_START.pattern})")
_BLANK_LINES = re.compile(r"\n(?:[ ]*\n)+")
_ITEM = re.compile(r"- (?=\S)")  # an item of a '- ' list: its text follows the marker and one space
_ITEM_GOES_ON = re.compile(r"  (?=\S)")  # a line of the item above, indented as far as its text
# A withheld mark is text to the parser, unless a link's address, label or definition follows it.
_PLAIN_MARK = re.compile(WITHHELD.pattern + r"(?![(\[:])")


def render_plain(source: str) -> str | None:
    """Render text of plain paragraphs and tight '- ' lists, or return None when it holds other Markdown."""
    return _plain(source)[0]


def _plain(source: str) -> tuple[str | None, str]:
    """The HTML of a plain text (None when it is not plain) and its words."""
    html: list[str] = []
    texts: list[str] = []
    listed = False  # the block before is a list
    for block in _BLANK_LINES.split(source.strip("\n")):
        if not block.strip(" "):
            continue
        lines = block.split("\n")
        if _ITEM.match(lines[0]) and all(_ITEM.match(line) or _ITEM_GOES_ON.match(line) for line in lines):
            # A list after a list would join it, loosely (each item a paragraph): the parser's work.
            items = [item.replace("\n  ", "\n") for item in block[2:].split("\n- ")]
            if listed or any(_not_plain(item) for item in items):
                return None, ""
            html.append("<ul>\n" + "".join(f"<li>{_escape(item)}</li>\n" for item in items) + "</ul>\n")
            texts.extend(items)
            listed = True
        else:
            # An indented line after a list would continue its last item.
            if _not_plain(block) or (listed and block.startswith(" ")):
                return None, ""
            paragraph = "\n".join(line.strip(" ") for line in lines)
            html.append(f"<p>{_escape(paragraph)}</p>\n")
            texts.append(paragraph)
            listed = False
    return "".join(html), " ".join(" ".join(texts).split())


def _not_plain(text: str) -> bool:
    """Whether the text holds Markdown (withheld marks aside)."""
    if "[" in text:
        text = _PLAIN_MARK.sub("x", text)
    return bool(_NOT_PLAIN.search(text) or _BLOCK_START.match(text) or _BLOCK_START_AFTER_BREAK.search(text)
                or " \n" in text or text.endswith(" "))  # a space ending a line (a hard break is two)


def _escape(text: str) -> str:
    """The text's HTML as markdown-it makes it (plain text holds no '<' or '>'), withheld marks styled."""
    html = text.replace("&", "&amp;").replace('"', "&quot;")
    return _PLAIN_MARK.sub(r'<span class="withheld">\g<0></span>', html) if "[" in html else html


def _render(source: str, min_heading: int) -> tuple[Markdown, tuple[Finding, ...]]:
    plain, text = _plain(source)
    if plain is not None:
        return Markdown(source, Markup(plain), text), ()
    return parse(source, min_heading)


def parse(source: str, min_heading: int) -> tuple[Markdown, tuple[Finding, ...]]:
    """Render and check Markdown with the parser (what the plain fast path must agree with)."""
    tokens = _md.parse(source)
    findings: list[Finding] = []
    text_parts: list[str] = []
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type == "heading_open" and int(token.tag[1]) < min_heading:
            findings.append(Finding(
                line, f"heading level {token.tag[1]} is not allowed here",
                f"headings of level {min_heading} or lower ({'#' * min_heading} Heading)",
                "The page title and section headings are made for you; start headings with "
                f"'{'#' * min_heading} '.",
            ))
        if token.type != "inline":
            continue
        _mark_withheld(token)
        breaks = 0  # the line breaks before a child: its line within the paragraph
        children = token.children or []
        for at, child in enumerate(children):
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                why = link_problem(href)
                if why:
                    findings.append(Finding(
                        line + breaks, f"unsafe link '{href}': {why}",
                        "a link starting with https://, http://, mailto: or /", typed=href,
                    ))
            elif child.type == "text":
                text_parts.append(child.content)
                odd = next((m.group() for m in _WITHHELD_LIKE.finditer(child.content)
                            if not WITHHELD.fullmatch(m.group())), None)
                if odd:
                    findings.append(Finding(
                        line + breaks, f"'{odd}' is not the mark for withheld personal data",
                        "[name withheld], or [name and email address withheld]",
                        "Write the mark exactly so, so that every page shows it the same way "
                        "(see docs/content-sources.md, \"Personal data\").", typed=odd,
                    ))
                if child.content.endswith("!") and at + 1 < len(children) and children[at + 1].type == "link_open":
                    findings.append(Finding(
                        line + breaks, "a picture ('![...](...)') is not shown in the site's texts: the page "
                        "would show a '!' and a link", "a link to the picture: [text](address)",
                        "Remove the '!' before the '[' to link to the picture.", typed="![",
                    ))
                # As typed: '\\[x\\](y z)', brackets escaped to be shown, is text.
                if (not_a_link := _NOT_A_LINK.search(child.content)) and not_a_link.group() in source:
                    findings.append(Finding(
                        line + breaks, "this is written as a link but is not read as one: the page would show "
                        "the brackets and the address", "[text](address), the address without spaces",
                        "A link's address holds no space: remove it, or write %20 for it.", typed=not_a_link.group(),
                    ))
                if tag := _HTML_TAG.search(child.content):
                    findings.append(Finding(
                        line + breaks, "HTML tags are not allowed in text",
                        "Markdown (a blank line between paragraphs, '- ' for list items)",
                        "The tag would show as typed; remove it.", typed=tag.group(),
                    ))
            elif child.type in ("softbreak", "hardbreak"):
                text_parts.append(" ")
                breaks += 1
            elif child.type in ("code_inline", "withheld"):
                text_parts.append(child.content)
        text_parts.append(" ")
    html = _md.renderer.render(tokens, _md.options, {})
    text = " ".join("".join(text_parts).split())
    return Markdown(source, Markup(html), text), tuple(findings)
