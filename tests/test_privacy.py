"""The personal-data gate reads text as a reader sees it: every common written form of a phone
number, an email address and a blocked name is caught, where it was typed; near misses are not."""

from __future__ import annotations

import dataclasses
import os
import random
import re
import signal
import string
import unicodedata
from pathlib import Path

import pytest

from conftest import FIXTURE, ROOT, TEMPLATES, edit, touch_later, write, write_plan
from site_builder import privacy, readable
from site_builder.load import load_site
from site_builder.privacy import check_text, fingerprint
from site_builder.readable import TYPED_AS_READ
from site_builder.registry import latin, latin_words
from site_builder.problems import ContentError

PLAN = FIXTURE / "plans/2020-21.yaml"
PAGE = FIXTURE / "pages/accessibility.md"


@pytest.fixture(scope="module")
def config():
    """The fixture's config: team@example.test, help numbers 101 and 0800 555 111, and the
    blocked names Jane Example (the fixture's own, with its initial form, J. Example) and Jane Mary Example."""
    config = load_site(FIXTURE).config
    assert fingerprint("Jane Example") in config.blocked_names
    return dataclasses.replace(config, blocked_names=(*config.blocked_names, fingerprint("Jane Mary Example"),
                                                      *privacy.fingerprints("Jane Example")[1:]))


# (written form, the text at which the finding must point; None: where the line's text starts,
# as the form is only seen once rendered, and its first word was never typed as such)
PHONES = [
    ("01632  960123", "01632"),  # two spaces
    ("01632\u00a0960123", "01632"),  # a no-break space
    ("01632\u202f960 123", "01632"),  # a narrow no-break space
    ("01632\u2013960123", "01632"),  # an en dash
    ("01632 \u2014 960123", "01632"),  # an em dash
    ("01632.960.123", "01632"),
    ("01632-960-123", "01632"),
    ("(01632) 960123", "(01632"),
    ("(01632)960123", "(01632"),
    ("0044 1632 960123", "0044"),
    ("00 44 20 7946 0000", "00 44"),
    ("+44 (0)1632 960123", "+44"),
    ("+44 (0) 20 7946 0000", "+44"),
    ("+441632960123", "+44"),
    ("+44-7700-900-123", "+44"),
    ("07700 900 123", "07700"),
    ("07700900123", "07700"),
    ("01632 96012", "01632"),  # ten digits, the fewest a UK number has
    ("020 7946 0000", "020"),
    ("01632 **960123**", "01632"),
    ("[call us](tel:+441632960123)", "+44"),
    ("01632        960123", "01632"),  # eight spaces: a page shows one
    ("0163\U000e00202 960123", "0163"),  # an invisible tag character
    ("[01632](/about/) 960123", "01632"),  # a link's text runs on into the words after it
    ("[chat](https://wa.me/441632960123)", "441632"),  # a number in a link's path
    ("Tel.01632 960123", "01632"),  # a full stop after a word, not inside a number
    ("01632\u00b7960\u00b7123", "01632"),  # middle dots
    ("01632_960_123", "01632"),  # underscores, as a file name or a handle joins words
    ("01632~960~123", "01632"),
    ("01632\u2219960\u22c5123", "01632"),  # a bullet operator, a dot operator
    ("[chat](https://wa.me/441632960123/)", "441632"),
    ("(0)7700 900123", "(0)"),  # the trunk 0 set apart in brackets
    ("(0) 1632 960123", "(0)"),
    ("077OO 9OO123", "077OO"),  # letters for digits: an O for 0, an l or I for 1
    ("O7700 900123", "O7700"),
    ("0l632 96Ol23", "0l632"),
    ("0 7700 900123", "0"),  # the trunk 0 apart before a four-digit code, the rest in groups of three or more
    ("0 1632 960 123", "0"),
    # digit by digit, as a number is written to hide it from machines and not from readers
    ("0 7 7 0 0 9 0 0 1 2 3", "0"),
    ("0-7-7-0-0-9-0-0-1-2-3", "0"),
    ("oh seven seven double oh nine double oh one two three", "oh"),
    ("zero seven seven zero zero nine zero zero one two three", "zero"),
    ("Zero Seven Seven, Zero Zero Nine, Zero Zero One Two Three", "Zero"),
    ("nought one six three two, nine six nought, one two three", "nought"),
    ("plus four four seven seven double oh nine double oh one two three", "plus"),
    ("oh 7 7 double oh 9 triple oh 1 2", "oh"),
    ("zero seven seven O O nine O O one two three", "zero"),
    ("o seven seven o o nine o o one two three", "o seven"),  # the trunk 0 an 'o', or a figure, and no word but these
    ("Call O seven seven O O nine O O one two three.", "O seven"),
    ("0 seven seven 0 0 nine 0 0 one two three", "0 seven"),
    ("0 seven seven o o nine o o 1 2 3", "0 seven"),
    ("four four seven nine one one one two three four five six", "four four"),  # +44 without its plus
    ("Call 4 4 seven nine one one one two three four five six.", "4 4"),
    ("double four seven nine one one one two three four five six", "double four"),
    # two groups parted by a slash, as some write a code and a number (a date, a reference of three groups is none)
    ("07700/900123", "07700"),
    ("01632 / 960123", "01632"),
    ("O77OO/9OO123", "O77OO"),
    ("07700 / 900 123", "07700"),
    ("01632/960 123", "01632"),
    ("07700/900123 2019", "07700"),
    ("Tel.07700/900123", "07700"),
    # or by a colon or a comma
    ("07700:900123", "07700"),
    ("07700,900123", "07700"),
    ("01632 : 960 123", "01632"),
    ("Tel: 01632, 960123", "01632"),
    ("07700; 900123", "07700"),
    ("Tel:07700/900123", "07700"),  # a code straight after a label's colon or comma
    ("Mob,07700/900123", "07700"),
    ("07700/900123 _", "07700"),
    ("07700:900123   :x", "07700"),
    ("ISBN 07700 900123", "07700"),  # no ISBN: eleven digits
    ("ISBN: 0770090012", "0770090012"),  # ten digits, but not an ISBN's (its check digit is wrong)
    ("07700/\n900123", "07700"),  # a line break after the mark
    ("Tel: 01632,\n960123", "01632"),
    ("(01632) / 960123", "(01632"),
    # an extension joined to the number, as signatures write it
    ("01632 960123x45", "01632"),
    ("07700900123ext45", "07700"),
    ("01632-960123 ext.45", "01632"),
    # bullets, and line or paragraph separators (typed, or as YAML's escapes \L, \P, \N make them)
    ("07700\u2022900\u2022123", "07700"),
    ("07700 \u2022 900123", "07700"),
    ("07700\u2028900123", "07700"),
    ("07700\u2029900123", "07700"),
    ("07700\x85900123", "07700"),
    ("07700\u2800900123", "07700"),  # a braille blank, which shows as a space
    # +44 with its + left off
    ("44 7700 900123", "44"),
    ("447700 900123", "447700"),
    ("44 (0)1632 960123", "44"),
    ("\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663", "\u0660"),  # Arabic-Indic digits
    ("\u06f0\u06f7\u06f7\u06f0\u06f0 \u06f9\u06f0\u06f0\u06f1\u06f2\u06f3", "\u06f0"),  # Persian digits
]
EMAILS = [
    ("jane@example.com", "jane"),
    ('"jane.doe"@example.com', '"jane'),  # a quoted name before the @, as an address may have
    ("\u201cjane.doe\u201d@example.com", "\u201cjane"),
    ("jane(at)example.com", "jane"),
    ("jane (at) example (dot) com", "jane"),
    ("jane [at] example.com", "jane"),
    ("jane{at}example.com", "jane"),
    ("jane&#64;example.com", "jane"),
    ("jane&#x40;example.com", "jane"),
    ("jane&commat;example.com", "jane"),
    ("jane\uff20example.com", "jane"),  # a fullwidth commercial at
    ("jane\\@example.com", "jane"),
    ("[write to us](mailto:jane%40example.com)", "jane"),
    ("<mailto:jane%40example.com>", "jane"),
    ("Ja\u200bne@example.com", "Ja"),
    ("jane  @  example.com", "jane"),  # spaces either side of the @: a page shows one
    ("jane@exa\U000e0020mple.com", "jane"),  # an invisible tag character
    ("[jane@](/about/)example.com", "jane"),  # a link's text joins the words around it
    ("jane[@](/about/)example.com", "jane"),
    # spelled in words, as an address is written to hide it from machines but not from readers
    ("jane@example[.]org", "jane"),  # a full stop in brackets, as addresses are written to be left unlinked
    ("jane@example(.)org", "jane"),
    ("jane@example{.}org", "jane"),
    ("jane@example\u3002org", "jane"),  # an ideographic full stop, which domain names read as a dot
    ("jane@example\uff61org", "jane"),  # its halfwidth form
    ("jane at example dot com", "jane"),
    ("jane AT example DOT co DOT uk", "jane"),
    ("jane dot doe at example dot com", "jane"),
    ("jane@example dot com", "jane"),
    ("jane @ example . com", "jane"),
    ("jane at example . com", "jane"),
    ("jane.doe at example.com", "jane"),  # a dotted name before the 'at': an address's, not a sentence's
    ("jane_doe at example.org", "jane"),
    ("jane at gmail.com", "jane"),  # a personal mailbox's provider after the 'at'
    ("jane at hotmail.co.uk", "jane"),
    ("jane[@]example.com", "jane"),  # an @ in brackets, as '(at)' is
    ("jane(@)example.com", "jane"),
    ("jane{@}example.com", "jane"),
    ("jane [@] example [.] com", "jane"),
    ("jane AT example.com", "jane"),  # an 'at' in capitals, as written to hide an address
    ("jane@example .com", "jane"),  # a space or a line break about a dot, as a paste from a PDF leaves one
    ("jane @ example .com", "jane"),
    ("jane.doe@example.\ncom", "jane"),
    ("jane@example\n.co.uk", "jane"),
    ("jane@example .com. Thanks", "jane"),
    ("jane@example.\ncom. We will reply", "jane"),
]
NAMES = [
    ("Jane Example", "Jane"),
    ("jane example", "jane"),
    ("JANE EXAMPLE", "JANE"),
    ("Jane Example's", "Jane"),
    ("Jane Example\u2019s", "Jane"),
    ("Jane Q. Example", "Jane"),
    ("Jane Q Example", "Jane"),
    ("Jane M. R. Example", "Jane"),
    ("Example, Jane", "Example"),
    ("EXAMPLE Jane", "EXAMPLE"),  # surname first, as formal lists write it
    ("Example Jane", "Example"),
    ("EXAMPLE, Jane Mary", "EXAMPLE"),
    ("Jane Mary Example", "Jane"),
    ("**Jane** Example", "Jane"),
    ("*Jane* _Example_", "Jane"),
    ("Ja*ne* Example", None),
    ("Ja**ne** Exa**mple**", None),
    ("`Jane` Example", "Jane"),
    ("Ja\u00adne Example", "Ja"),  # a soft hyphen
    ("Jane\u200b Example", "Jane"),  # a zero-width space
    ("&#74;ane Example", "&#74;"),
    ("Jane&nbsp;Example", "Jane"),
    ("\uff2aane Example", "\uff2a"),  # a fullwidth J
    ("Jane-Example", "Jane"),
    ("jane_example", "jane"),
    ("jane.example", "jane"),
    ("[the page](/people/jane-example/)", "jane"),
    ("[the page](https://example.org/jane%20example)", "jane"),
    ("[Jane Example](/about/)", "Jane"),
    ('[the page](/about/ "Jane Example")', "Jane"),
    ("![Jane Example](/photo.png)", "Jane"),
    ("![a photo](/photos/jane-example.png)", "jane"),
    ("[Jane](/about/) Example", "Jane"),  # a link's text runs on into the words after it
    ("[Ja](/about/)ne Example", None),
    ("Ja\U000e0020ne Example", "Ja"),  # an invisible tag character
    ("Ja\U000e0100ne Example", "Ja"),  # a variation selector
    ("J\u0332a\u0332n\u0332e\u0332 E\u0332x\u0332a\u0332m\u0332p\u0332l\u0332e\u0332", "J"),  # underlined, letter by letter
    ("Jane Example\u02bcs", "Jane"),  # a modifier letter apostrophe
    ("\u01f0ane Example", "\u01f0"),  # a j with a caron, which casefold makes a j and a mark
    ("J\u0483ane Example", "J"),  # a Cyrillic mark on a Latin letter
    ("Ja\u05b0ne Example", "Ja"),  # a Hebrew point on a Latin letter
    ("\u0408ane Example", "\u0408"),  # Cyrillic capital je
    ("\u1d0a\u1d00\u0274\u1d07 \u1d07x\u1d00\u1d0d\u1d18\u029f\u1d07", "\u1d0a"),  # small capitals
    ("\U0001f179\U0001f170\U0001f17d\U0001f174 \U0001f174\U0001f187\U0001f170\U0001f17c\U0001f17f\U0001f17b\U0001f174", "\U0001f179"),
    ("J\u00e1ne Ex\u00e1mple", "J\u00e1ne"),  # accents: the address made of it drops them
    ("Jane Exa\u0301mple", "Jane"),
    ("JaneExample", "JaneExample"),  # run together, as a social media handle or a web address writes it
    ("@janeexample on social media", "janeexample"),
    ("#janeexample on social media", "janeexample"),  # a hashtag, as a handle
    ("[her profile](https://social.example/JaneExample)", "JaneExample"),
    ("Jane\u200bExample", "Jane"),  # a zero-width space, which a page does not show
    # the first name's initial, where site.yaml blocks that form too (make fingerprint prints it)
    ("J. Example", "J."),
    ("J Example", "J"),
    ("J. M. Example", "J."),
    ("J.Example", "J."),
    ("Example, J.", "Example"),
    ("EXAMPLE J", "EXAMPLE"),
    ("Insp. J. Example's team", "J."),
    ("J-Example", "J"),  # an initial joined to the surname by a hyphen
    ("ask j.example", "j"),  # in small letters, joined as a handle or an address's name writes it
    ("ask j-example's team", "j"),
    ("j_example", "j"),
    ("J_Example", "J"),  # a capital joined by an underscore, as a file name writes it
    ("Example, Mrs Jane", "Example"),  # a title after the comma
    ("EXAMPLE, Cllr Jane", "EXAMPLE"),
    ("Example, Cllr J.", "Example"),
    ("Example, Dr. J. M.", "Example"),
    ("Jane 'JJ' Example", "Jane"),  # a nickname between the names
    ("Jane \u201cJJ\u201d Example", "Jane"),
    ("<em>Jane</em> Example", "Jane"),  # tags, which the page shows as typed (Markdown here keeps no HTML)
    ("<span class=x>Jane</span> <b>Example</b>", "Jane"),
    ("Jane<br/>Example", "Jane"),
    ('Jane <span style="font-family: Arial, sans-serif; font-size: 11pt; color: black; margin: 0">Example</span>', "Jane"),
    ("Jane 'Jay Jay' Example", "Jane"),
    ("Jane \u00abJJ\u00bb Example", "Jane"),
    ("Jane \u201eJJ\u201c Example", "Jane"),
    ("Jane 'JJ'Example", "Jane"),
    ("Example, Mrs. Jane", "Example"),  # a title with a full stop
    ("Example, Dr. Jane", "Example"),
    ("Example, DI Jane", "Example"),
    ("Example, Det Insp Jane", "Example"),
    ("Example, PCSO Jane", "Example"),
    ("Example, Chief Constable J.", "Example"),
    ("Example, PCSO. Jane", "Example"),
    ("Example, Mrs <em>Jane</em>", "Example"),
    ("Jane Q. <em>Example</em>", "Jane"),
]


def _where(text: str, anchor: str | None, marker: str, in_value: bool) -> tuple[int, int]:
    """The line and column of the anchor after the marker; with no anchor, of the value after
    the marker (in_value) or of the start of the line's text."""
    at = text.index(marker) + len(marker)
    if anchor is not None:
        at = text.index(anchor, at)
    line = text.count("\n", 0, at) + 1
    start = text.rfind("\n", 0, at) + 1
    if anchor is None and not in_value:
        at = start + len(text[start:]) - len(text[start:].lstrip())
    return line, at - start + 1


def _findings(text: str, file: str, config) -> list[tuple[int, int, str]]:
    return [(p.pos.line, p.pos.col, p.message) for p in check_text(text, file, config)]


PLACES = {
    # a plan's plain text field, a Markdown field (block text) of a plan, a page's Markdown body
    "plan field": (PLAN, "timing: Ongoing", "timing: Ongoing, with {form}", "timing: "),
    "Markdown field": (PLAN, "Safe places in town.", "Safe places in town. Ask {form} now.", "town. "),
    "page body": (PAGE, "This site is for testing.", "This site is for testing.\nAsk {form} now.", "testing.\n"),
}


def _kind(message: str) -> str:
    return "email" if "email address" in message else "phone" if "phone number" in message else "name"


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("form, anchor, kind", [(*case, "phone") for case in PHONES]
                         + [(*case, "email") for case in EMAILS] + [(*case, "name") for case in NAMES])
def test_each_written_form_is_caught_where_it_was_typed(config, place, form, anchor, kind):
    path, old, new, marker = PLACES[place]
    text = path.read_text()
    assert text.count(old) == 1
    text = text.replace(old, new.format(form=form))
    line, col = _where(text, anchor, marker, place == "plan field")
    found = [(found_line, found_col, _kind(message)) for found_line, found_col, message
             in _findings(text, path.name, config)]
    assert (line, col, kind) in found, (form, found)
    assert {k for _, _, k in found} == {kind}, (form, found)



@pytest.mark.parametrize("value, anchor, kind", [
    (r'"\x4aane Example"', r"\x4aane", "name"),  # an escape for a letter of the finding itself
    (r'"Ask \u004Aane Example"', r"\u004Aane", "name"),
    ('"Ongoing, Jane\\\n      Example"', "Jane", "name"),  # an escaped line break: JaneExample, run together
    (r'"\"Quoted\"\tthen Jane Example"', "Jane", "name"),
    ('"Ongoing,\n\n      Jane Example"', "Jane", "name"),  # folded lines
    (r'"Ring 07700\x20900123 now"', "07700", "phone"),
    (r'"Mail jane.example\x40gmail.com"', "jane.example", "email"),
    (r'"caf\u00e9, \U0001F600 Jane Example"', "Jane", "name"),
    ('"Ongoing,\n      **\\x4aane Example** now"', r"\x4aane", "name"),  # Markdown too: read as typed and as rendered
    ('"Ongoing,\n      *Jane\\\n      Example* now"', "Jane", "name"),
])
def test_a_finding_in_a_double_quoted_value_with_escapes_is_placed_where_it_was_typed(config, value, anchor, kind):
    """A double-quoted YAML value is read with its escapes and folded lines undone: a finding in it is placed
    where its first character was typed (an escape's backslash), not at the value's opening quote."""
    text = PLAN.read_text()
    assert text.count("timing: Ongoing") == 1
    text = text.replace("timing: Ongoing", f"timing: {value}")
    line, col = _where(text, anchor, "timing: ", True)
    found = [(found_line, found_col, _kind(message)) for found_line, found_col, message
             in _findings(text, PLAN.name, config)]
    assert found == [(line, col, kind)], (value, found, (line, col))


def test_every_character_of_a_double_quoted_value_is_placed_where_it_was_typed():
    """Values as a YAML writer writes them double-quoted (escapes, long lines folded, blank lines kept) are read
    back character by character: each at the character typed for it, its escape's backslash, or the line break
    or space folded into it."""
    import yaml

    from site_builder.yamlfile import compose

    rng = random.Random(38)
    alphabet = "ab Jé\"\\\t\n'\u00a0\u2019\x07\U0001F600" + string.ascii_letters
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        text = yaml.dump({"v": value}, default_style='"', width=rng.choice([10, 20, 80]), allow_unicode=rng.random() < 0.5)
        node = compose(text, "x.yaml")[0].value[0][1]
        assert node.value == value, (text, value)
        typed = text[node.start_mark.index:node.end_mark.index]
        places = privacy._double_quoted_places(typed, value)
        assert places is not None, (typed, value)
        for char, at in zip(value, places):
            shown = typed[at]
            assert shown == char or shown == "\\" or (char in " \n" and shown in " \n"), (typed, value, char, at)
    assert privacy._double_quoted_places('"\\q"', "q") is None  # not YAML's reading: the finding is searched for


@pytest.mark.parametrize("place", ["Markdown field", "page body"])
@pytest.mark.parametrize("lines, anchor, kind", [
    (["Ask 07700/", "900123 now."], "07700", "phone"),
    (["Ask 07700", "900123 now."], "07700", "phone"),
    (["Tel: 01632,", "960123 now."], "01632", "phone"),
    (["Ask sam@contoso", ".co.uk now."], "sam", "email"),
    (["Ask sam.doe@contoso.", "com. We will reply."], "sam", "email"),
    (["Ask Jane", "Example now."], "Jane", "name"),
])
@pytest.mark.parametrize("marks", ["> ", "> > "])
def test_a_form_split_across_the_lines_of_a_quotation_is_caught(config, place, lines, anchor, kind, marks):
    """A quotation's lines each start with '>', which the page does not show: a number, an address or a name
    broken across them is read as the page shows it, and found where it was typed."""
    path, old, _, _ = PLACES[place]
    text = path.read_text()
    indent = "\n          " if place == "Markdown field" else "\n"
    block = indent.join([old, "", *(marks + line for line in lines)])
    text = text.replace(old, block)
    at = text.index(marks + lines[0]) + len(marks) + lines[0].index(anchor)
    line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    found = [(found_line, found_col, _kind(message)) for found_line, found_col, message
             in _findings(text, path.name, config)]
    assert (line, col, kind) in found, (lines, found)


@pytest.mark.parametrize("block", ["- Town Example\n- Jane Church", "1. Town Example\n2. Jane Church",
                                   "| Town Example |\n| --- |\n| Jane Church |"])
def test_a_name_is_not_read_across_the_items_of_a_list_or_the_cells_of_a_table(config, block):
    """Each item of a list and each cell of a table stands apart on the page: a blocked surname ending one
    and a forename starting the next are no name."""
    path, old, _, _ = PLACES["page body"]
    text = path.read_text().replace(old, f"{old}\n\n{block}\n")
    assert _findings(text, path.name, config) == []


@pytest.mark.parametrize("text", ["Write to sam@contoso .com or to pat@contoso.org",
                                  "sam@contoso .com, pat@contoso.org and kim@contoso.net"])
def test_each_address_is_found_once_however_it_was_written(text):
    """An address with a spaced dot (read by _LOOSE_EMAIL) before one written as usual (EMAIL's): each is one
    finding, in the order of the text."""
    hits = [h for h in privacy.scan.__wrapped__(text, privacy.NO_ALLOW_LISTS) if h.kind == "email"]
    assert [h.key for h in hits] == sorted({h.key for h in hits}, key=text.replace(" .", ".").index)
    assert len(hits) == text.count("@")

NEAR_MISSES = [
    "0800 555 111", "0800-555-111", "+44 800 555 111", "call 101 or 999", "team@example.test", "Team@Example.Test",
    "[email us](mailto:team%40example.test)", "2014-15", "2014/15 to 2021/22", "2014 - 2015", "2014\u201315",
    "01.04.2014 - 31.03.2015", "01/04/2014", "2014-04-01 to 2015-03-31", "09.30 - 17.00", "09:30\u201317:00",
    "£1,250,000", "£0.5m", "£10.50 0.25%", "pages 012-019", "p. 12", "CO1 1JB", "CO4 3ZQ", "0-19 services",
    "1884 pupils from 49 primary schools", "2019 2020 2021 2022", "0.0123456789", "ISBN 0-19-852663-6",
    "16 0123 456", "ref 0123-456", "version 1.2.3", "Janet Examples", "Jane Exemplar", "Example Partnership",
    "Jane", "Example", "Jane and Example", "Example, Janet", "Essex Police, Jane's team", "meet (at) 10.30",
    "@SaferColch on Twitter", "the (dot) matters", "Jane\n\nExample", "Safer Colchester Partnership",
    "Crime ref 0123/4567/89", "ISBN 0 19 852663 6", "SBN 0 340 01381 8", "a scale of 0 1 2 3 4 5 6 7 8 9",
    "0 10 20 30 40 50 60 70 80 90", "0 100 200 300 400 500", "Page 0 1 2 3 4 5 6 7 8 9 10 Next",
    "team at example dot test", "team AT example DOT test", "find us at example.org", "apply at www.example.org",
    "meet at 10.30", "open at 9.30am", "staff at Essex Police. The", "i.e. at example.org", "e.g. at gov.uk",
    "at example.org or at gov.uk", "look at the dot matrix", "the dot at the end", "at 10 dot 30",
    "those at risk. It", "those at risk . Then", "look at the dot on it", "help at home. In 2020",
    "J. Examples", "Jay Example", "K. Example", "j example", "Jane J. Exemplar", "Example A level",
    "report_2019_2020_final.pdf", "version 1_2_3", "ref 2014_15_0123", "0_1_2_3_4_5_6_7_8_9",
    "the O2 shop, 10am to 4pm, COVID19 in 2020 and 2021", "Il Postino 1994 1995 0l", "Room IO1 and OO7",
    "one two three four five six seven eight nine ten", "Zero, one, two, three, four, five, six, seven, eight, nine",
    "Page 0 1 2 3 4 5 6 7 8 9 10 11 12 Next", "scores 0 0 1 2 0 1 3 0 2 1 0", "oh no, one two three and go",
    "double or quits, plus one", "a count of 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9",
    "years 0 2021 2022 2023", "scores 0 1234 567 8", "from 0 1000 to 2000", 'a "quoted" @ sign',
    "2019/2020/2021", "0123/456/789/1011", "01/04/2014/0123456", "ref 07700/900123/4", "1/2/3/4/5/6/7/8/9/10/11",
    "T-Shirt Example", "A-Level Example", "U-Turn", "J-example", "X-Ray", "0207/20", "version 2.0.1632b", "x0123456789", "ab_0123456789", "0123456789_draft", "id 01632960123abcdef",
    "doc 3f2a1b4c-8def-0123456789ab", "doc 02079460123v2", "1.01632/960123",
    "09:00 to 17:30", "at 01:23:45", "ref 07700:900123:4", "ref 07700;900123;4", "0123,4567,890", "codes 07700,900123,4", "01632,960",
    "12,01632,960123", "ratio 0123:4567", "j. example", "e.g. example", "x-ray example", "i.e.example", "aj.example",
    "Meet at the Town Example. Jane gave a talk", "Thanks to Jane. Example forms follow", "in Example; Jane said",
    "We met Jane! Example follows", "the Example: Jane", "Tweet us @SaferColch. Thanks", "ask @ the desk. It",
    "ask us @Safer .Colch", "Jane (or Example)", "ISBN 0198526636", "ISBN-10: 0198526636",
    "Thanks to <b>Jane</b>. Example forms follow", "We met <em>Jane</em>! Example follows", "Thanks to Jane . Example forms",
    "dialling codes 01206/01255", "codes 01206 / 01255 / 01376", "the 'PREVENT' scheme", "the <br> tag",
    "Town Example \u2013 Jane Church", "Town Example - Jane Church", "| Town Example | Jane Church |", "Jane (JJ and Bo) Example",
    "version 44 7700", "44 1632 9601", "4401 2345",
]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_caught(config, place, text):
    """Help numbers, the team mailbox, dates, years, times, money, page numbers, postcodes,
    counts and other names pass."""
    path, old, new, _ = PLACES[place]
    indent = {"plan field": None, "Markdown field": "\n          ", "page body": "\n"}[place]
    text = text.replace("\n\n", " and ") if indent is None else text.replace("\n", indent)
    content = path.read_text().replace(old, new.format(form=text))
    assert _findings(content, path.name, config) == []


def test_the_fixture_site_output_has_no_findings(config):
    """The golden output of the fixture site, read by the same check: no false alarms in pages,
    feeds, sitemaps, open data and search files."""
    golden = ROOT / "tests" / "golden"
    files = [p for p in sorted(golden.rglob("*")) if p.is_file() and p.suffix in (".html", ".xml", ".json", ".csv", ".txt")]
    assert len(files) > 10
    found = [str(p) for f in files for p in check_text(f.read_text(), str(f.relative_to(golden)), config)]
    assert found == []


@pytest.mark.parametrize("name, text", [
    ("page.html", '<p>Ask <em>Ja</em>ne\n<strong>Example</strong> now</p>'),
    ("page.html", '<p><a href="mailto:jane%40example.com">write</a></p>'),
    ("page.html", '<p>Call <span>01632</span>\u00a0960123</p>'),
    ("page.html", '<img alt="Jane Example" src="/x.png">'),
    ("page.html", '<p><a href="/people/jane-example/">a page</a></p>'),
    ("page.html", '<p>write to jane&#64;example.com</p>'),
    ("feed.xml", '<feed><entry><content type="html">&lt;p&gt;Jane Example&lt;/p&gt;</content></entry></feed>'),
    ("data.json", '{"lead": "Jane\\u00a0Example"}'),
    ("data.json", '{"contact": "jane\\u0040example.com"}'),
    ("data.csv", 'id,contact\r\n1,"Example, Jane"\r\n'),
    ("robots.txt", "Disallow: /people/jane-example/\n"),
])
def test_the_output_check_reads_pages_as_a_reader_does(config, name, text):
    """The check of built files (test_site.py) reads HTML's text and attributes, XML, JSON's
    strings and CSV cells through the same normalising reader."""
    assert len(check_text(text, name, config)) == 1, text


def test_findings_in_html_point_at_their_line(config):
    page = "<html>\n<body>\n<p>Nothing here.</p>\n<p>Ask <em>Ja</em>ne Example.</p>\n</body>\n</html>\n"
    assert [p.pos.line for p in check_text(page, "page.html", config)] == [4]


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_site(content)
    return [str(p) for p in info.value.problems]


def test_a_blocked_name_in_a_file_name_is_refused(site_dir):
    """A page's file name is its address: 'jane-example.md' would publish /jane-example/."""
    (site_dir / "pages/jane-example.md").write_text((site_dir / "pages/accessibility.md").read_text())
    assert problems(site_dir) == [
        "content/pages/jane-example.md:1:1: error: 'jane-example' (in the file name) is the name of a person whose "
        "name must not be published; expected a role or an agency instead of a person's name. Rename the file: its "
        "name is part of the page's address."]


def test_a_blocked_name_in_an_id_a_link_and_a_comment_is_refused(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe  # asked for by Jane Example
                id: keep-safe-jane-example
                lead: [CBC]
                description: |
                  Safe places in town. See [the plans](/plans/?by=JANE%20EXAMPLE).
        """)
    assert [m.split(" is the name")[0] for m in problems(site_dir)] == [
        "content/plans/2020-21.yaml:9:42: error: 'Jane Example'",
        "content/plans/2020-21.yaml:10:23: error: priorities[0].initiatives[0].id: 'jane-example'",
        "content/plans/2020-21.yaml:13:59: error: priorities[0].initiatives[0].description: 'JANE EXAMPLE'"]


def _write_page(site_dir: Path, body: str) -> None:
    """The accessibility page with this body, whose first line is line 6."""
    write(site_dir, "pages/accessibility.md", "---\ntitle: Accessibility statement\ndescription: How accessible "
                                              "this site is.\nfooter: true\n---\n" + body)


def test_names_and_numbers_across_line_breaks_are_refused(site_dir):
    """A line break inside a paragraph is a space to the reader, in block text, folded text
    and a page's body alike; the finding is on the line where the name starts."""
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                timing: >
                  Ask Jane
                  Example.
                description: |
                  Safe places in town. Call 01632
                  960123.
        """)
    _write_page(site_dir, "This site is for *Jane*\nExample.\n")
    assert [m.split(": error")[0] for m in problems(site_dir)] == [
        "content/pages/accessibility.md:6:19", "content/plans/2020-21.yaml:12:15", "content/plans/2020-21.yaml:15:37"]


def test_an_email_address_across_a_line_break_is_refused(site_dir):
    """A line break beside the @ is a space on the page: 'info.desk' and '@example.com' on two lines of
    a paragraph read as one address, in block text and a page's body alike."""
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  Safe places in town. Write to info.desk
                  @example.com or to help
                  @ example.org.
        """)
    _write_page(site_dir, "Write to info.desk@\nexample.com.\n")
    found = [m.split(" may be")[0] for m in problems(site_dir)]
    assert found == ["content/pages/accessibility.md:6:10: error: body: the email address 'info.desk@example.com'",
                     "content/plans/2020-21.yaml:12:41: error: priorities[0].initiatives[0].description: "
                     "the email address 'info.desk@example.com'",
                     "content/plans/2020-21.yaml:13:30: error: priorities[0].initiatives[0].description: "
                     "the email address 'help@example.org'"], found


def _load_problems(content: Path, parallel: bool) -> list[str]:
    """The problems a load reports, with or without the helper process (privacy.Helper)."""
    from site_builder import privacy
    from site_builder.load import ContentLoader

    privacy.memo.used.clear()  # nothing remembered from an earlier load of these texts
    privacy.memo.stored.clear()
    loader = ContentLoader(content)
    loader.once = parallel
    try:
        loader.load()
    except ContentError as exc:
        return [str(p) for p in exc.problems]
    # A one-off build's load leaves the check to the helper, asked once the pages are made.
    assert parallel, "a load of content with personal data succeeded"
    found = loader.personal_data()
    assert found and loader.personal_data() == []  # told once: the helper is gone
    return [str(p) for p in found]


def _personal_data_everywhere(site_dir: Path) -> None:
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                timing: Ask Jane Example
                description: |
                  Write to jane.example@gmail.com or call 01632
                  960123.
        """)
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace(
        "agencies:\n", "agencies:\n# kept by Jane Example, 07700 900123\n", 1), encoding="utf-8")
    page = site_dir / "pages/accessibility.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\nAsk *Jane* Example at [her address](mailto:jane.example@gmail.com).\n", encoding="utf-8")


@pytest.fixture(params=["forked", "new Python"])
def helper_kind(request, monkeypatch):
    """The helper process as a forked copy of the builder (the forks made, listed), or as a new Python
    (where the builder cannot fork)."""
    from site_builder import processes

    if request.param == "forked":
        return request.getfixturevalue("forks")
    monkeypatch.setattr(processes, "fork", lambda target: None)
    return None


def test_the_helper_process_finds_what_the_builder_finds(site_dir, monkeypatch, helper_kind):
    """A one-off build checks each file for personal data in a second process while it loads the next:
    the same findings, at the same places; and the files are checked there, not again here."""
    from site_builder import privacy

    _personal_data_everywhere(site_dir)
    alone = _load_problems(site_dir, parallel=False)
    assert len(alone) >= 6, alone
    here, check_text = [], privacy.check_text
    monkeypatch.setattr(privacy, "check_text", lambda text, rel, *args: here.append(rel) or check_text(text, rel, *args))
    assert _load_problems(site_dir, parallel=True) == alone
    assert here == [], here  # every file went to it: site.yaml and the pages too
    assert helper_kind is None or len(helper_kind) == 1  # the helper was forked


def test_the_helper_ends_once_the_load_has_sent_it_every_file(site_dir, helper_kind):
    """The load tells the helper it has sent its last file: the helper answers those it has and ends,
    its memory freed while the pages are made, and the findings wait in the pipe for the verdict."""
    import time

    from site_builder.load import ContentLoader

    _personal_data_everywhere(site_dir)
    alone = _load_problems(site_dir, parallel=False)
    privacy.memo.used.clear()
    privacy.memo.stored.clear()
    loader = ContentLoader(site_dir)
    loader.once = True
    loader.load()
    process = loader._helper._process
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() == 0  # it ended by itself, its work done
    assert [str(p) for p in loader.personal_data()] == alone


def test_the_builder_checks_the_files_itself_while_the_helper_is_behind(site_dir, monkeypatch, forks):
    """Neither waits for the other: a file goes to the helper only while the text it has yet to check
    fits in the pipe to it (here two pages: a message takes a page or more); the builder checks the
    others, with the same findings."""
    import time

    from site_builder import privacy, processes

    _personal_data_everywhere(site_dir)
    alone = _load_problems(site_dir, parallel=False)
    help_ = privacy._help

    def slow(read, write):  # a second a file: far behind the builder
        class Slow:
            def __getattr__(self, name):
                return getattr(write, name)

            def write(self, data):
                time.sleep(1)
                return write.write(data)
        help_(read, Slow())

    monkeypatch.setattr(privacy, "_help", slow)
    monkeypatch.setattr(processes, "pipe_size", lambda pipe: 2 * processes.PAGE)
    here, check_text = [], privacy.check_text
    monkeypatch.setattr(privacy, "check_text", lambda text, rel, *args: here.append(rel) or check_text(text, rel, *args))
    assert _load_problems(site_dir, parallel=True) == alone
    files = [rel for rel in here if rel.endswith(".yaml") and rel != "content/site.yaml"]
    assert "content/plans/2020-21.yaml" in files and len(files) == len(set(files)), here
    assert "content/agencies.yaml" not in files, here  # the first file had room: the helper checked it


_FULL_PIPES = """
import sys
sys.path.insert(0, "tests")
from conftest import FIXTURE
from site_builder import privacy, processes
from site_builder.load import load_site

kind, room = sys.argv[1:]
if kind == "new Python":  # its pipe back is the system's 64 KB
    processes.fork = lambda target: None
if room == "overestimated":  # the builder believes the pipe to the helper never fills: it must not wait on it
    processes.pipe_size = lambda pipe: 1 << 30
config = load_site(FIXTURE).config
helper = privacy.Helper()
count = 20000 if kind == "forked" else 1500  # findings that outgrow the pipe back, which the helper then waits on
sent = [helper.check("x:\\n" + "".join(f"- p{i}@mail{i}.org\\n" for i in range(count)), "content/plans/big.yaml", config)]
sent += [helper.check(f"title: {i}\\nsummary: " + "word " * 390 + "\\n", f"content/plans/p{i}.yaml", config)
         for i in range(600)]
helper.done()
helper.collect()
found = list(privacy.memo.stored.values())
assert sent[0] and len(found) == sum(sent), (sum(sent), len(found))
assert len(found[0]) == count and not any(found[1:])
print("sent", sum(sent))
"""


@pytest.mark.parametrize("room", ["counted", "overestimated"])
@pytest.mark.parametrize("kind", ["forked", "new Python"])
def test_the_builder_and_the_helper_never_wait_for_each_other(kind, room):
    """A file's findings can outgrow the pipe back from the helper, which then waits for the builder to take
    them; the builder, sending the next files meanwhile, takes them whenever the pipe to the helper is full
    (which its count of the room keeps it from, but that count may be wrong): neither waits for ever."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _FULL_PIPES, kind, room], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("sent "), done.stderr[-3000:]


def test_a_file_goes_to_the_helper_before_the_builder_converts_it(site_dir, monkeypatch, forks):
    """So that the helper checks a file while the builder converts it: sent once converted, the load
    ended waiting for the check of its last file."""
    from site_builder import load, privacy

    events = []
    check, convert = privacy.Helper.check, load.convert_content
    monkeypatch.setattr(privacy.Helper, "check",
                        lambda self, text, rel, config: events.append(("sent", rel)) or check(self, text, rel, config))
    monkeypatch.setattr(load, "convert_content",
                        lambda text, rel, *args: events.append(("converted", rel)) or convert(text, rel, *args))
    loader = load.ContentLoader(site_dir)
    loader.once = True
    loader.load()
    converted = [rel for kind, rel in events if kind == "converted"]
    assert "content/plans/2020-21.yaml" in converted, events
    for rel in converted:
        assert ("sent", rel) in events and events.index(("sent", rel)) < events.index(("converted", rel)), events
    assert len(forks) == 1  # the helper was forked


def test_a_helper_that_dies_leaves_the_checking_to_the_builder(site_dir, monkeypatch, tmp_path, helper_kind):
    from site_builder import privacy

    _personal_data_everywhere(site_dir)
    alone = _load_problems(site_dir, parallel=False)
    folder = tmp_path / "fault"
    folder.mkdir()  # only a new Python reads it: the helper process, which dies at once
    (folder / "sitecustomize.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    monkeypatch.setenv("PYTHONPATH", str(folder))
    # The forked helper dies as it starts its work.
    monkeypatch.setattr(privacy, "_help", lambda read, write: os.kill(os.getpid(), signal.SIGKILL))
    assert _load_problems(site_dir, parallel=True) == alone
    assert helper_kind is None or len(helper_kind) == 1


def _build_into(content: Path, out: Path, templates: Path = TEMPLATES) -> int:
    from site_builder.cli import main

    return main(["build", "--content", str(content), "--templates", str(templates), "--out", str(out),
                 "--no-cache", "--no-search"])


def test_a_build_makes_its_pages_while_the_helper_checks_and_publishes_none_it_finds_personal_data_in(
        site_dir, tmp_path, monkeypatch, forks, capsys):
    """A one-off build leaves the check for personal data to the helper process while it makes the pages,
    so that nothing waits for it, and asks for the verdict before it publishes anything: the findings are
    told, the pages made are thrown away, and the output folder is as it was."""
    from site_builder import load, render

    out = tmp_path / "output"
    assert _build_into(site_dir, out) == 0
    published = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _personal_data_everywhere(site_dir)
    alone = _load_problems(site_dir, parallel=False)
    events = []
    for owner, name in ((render.Renderer, "render"), (load.ContentLoader, "personal_data"),
                        (load.ContentLoader, "load"), (privacy.Helper, "collect")):
        def recorded(*args, _name=name, _real=getattr(owner, name), **kwargs):
            events.append(f"{_name} called")
            try:
                return _real(*args, **kwargs)
            finally:
                events.append(f"{_name} returned")
        monkeypatch.setattr(owner, name, recorded)
    capsys.readouterr()
    assert _build_into(site_dir, out) == 1
    told = capsys.readouterr().err
    for problem in alone:  # every finding a load alone reports
        assert problem.split(": error: ")[0] in told and problem.split(": error: ")[1] in told, (problem, told)
    assert "The site was not built" in told
    assert events.index("load returned") < events.index("render called") < events.index("personal_data called")
    assert events.index("load returned") < events.index("collect called"), events  # the load did not wait for it
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == published
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "output"]  # no tree of pages left beside it


def test_a_template_error_and_the_personal_data_the_helper_finds_are_told_together(site_dir, tmp_path, forks, capsys):
    """All of a run's errors together: a template that fails on a page, and the personal data in the content."""
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "initiative.html"
    page.write_text(page.read_text().replace("{% block main %}", "{% block main %}{{ data.no_such_field.x }}", 1))
    _personal_data_everywhere(site_dir)
    assert _build_into(site_dir, tmp_path / "output", templates) == 1
    told = capsys.readouterr().err
    assert "template error" in told and "no_such_field" in told, told
    assert "jane.example@gmail.com" in told and "'Jane Example'" in told, told
    assert not (tmp_path / "output").exists()


def test_the_personal_data_the_helper_finds_is_told_with_any_error_after_the_load(site_dir, tmp_path, forks, capsys):
    """All of a run's errors together, whatever stops the build once the content is loaded: a templates
    folder without base.html (before any page is made), and an address published before that no page has
    now (after the pages)."""
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "base.html").unlink()
    _personal_data_everywhere(site_dir)
    assert _build_into(site_dir, tmp_path / "output", templates) == 1
    told = capsys.readouterr().err
    assert "no base.html" in told and "jane.example@gmail.com" in told, told
    (site_dir / "published.txt").write_text("/\n/no-such-page/\n")
    assert _build_into(site_dir, tmp_path / "output") == 1
    told = capsys.readouterr().err
    assert "/no-such-page/" in told and "jane.example@gmail.com" in told, told


def test_a_preview_checks_again_what_a_fresh_load_checks_after_each_edit(site_dir):
    """A preview reads again only the groups of fields an edit changed (privacy._File._group): after each
    edit its findings are a fresh load's, at the same places, however rows moved, an allow-list changed
    or an alias's anchor did."""
    from site_builder.load import ContentLoader

    def problems(loader) -> list[str]:
        try:
            loader.load()
        except ContentError as exc:
            return sorted(map(str, exc.problems))
        return []

    def fresh() -> list[str]:
        """A load in a process that never checked these files: nothing remembered (then put back)."""
        kept = dict(privacy._groups), dict(privacy.memo.used), dict(privacy.memo.stored)
        for memory in (privacy._groups, privacy.memo.used, privacy.memo.stored):
            memory.clear()
        try:
            return problems(ContentLoader(site_dir, drafts=True))
        finally:
            for memory, was in zip((privacy._groups, privacy.memo.used, privacy.memo.stored), kept):
                memory.clear()
                memory.update(was)

    plan, site = site_dir / "plans/2020-21.yaml", site_dir / "site.yaml"
    preview = ContentLoader(site_dir, drafts=True)
    assert problems(preview) == []
    for edits in [
        [(plan, "Safe places in town.", "Safe places in town. Call 07700 900123 or ask Jane Example.")],
        [(plan, "    initiatives:\n", "    initiatives:\n      # a comment: every row below moves down\n")],
        [(site, "help_numbers:\n", "help_numbers:\n  - label: Keep Safe\n    number: 07700 900123\n"),
         (plan, "title: Reducing anti-social behaviour", "title: Reducing anti-social behaviour and crime")],
        [(plan, "        timing: Ongoing\n", "        timing: &when Ongoing, or 01632 960123\n")],
        [(plan, "    short_title: Anti-social behaviour\n", "    short_title: *when\n")],  # a later priority's
        [(plan, "&when Ongoing, or 01632 960123", "&when Ongoing")],
    ]:
        for path, old, new in edits:
            edit(path, old, new)
            touch_later(path)
        assert problems(preview) == fresh(), edits


@pytest.mark.parametrize("parallel", [False, True], ids=["alone", "with the helper"])
def test_personal_data_is_reported_with_a_mistake_that_stops_the_load(site_dir, parallel, forks):
    """Every error of a run together: a plan with an unsafe link (its conversion fails) and an e-mail
    address in agencies.yaml, each where it was typed, in one report."""
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: See [this](javascript:alert(1)).
        """)
    agencies = site_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace(
        "agencies:\n", "agencies:\n# kept by jane.example@gmail.com\n", 1), encoding="utf-8")
    found = _load_problems(site_dir, parallel=parallel)
    assert any("content/plans/2020-21.yaml" in p and "unsafe link" in p for p in found), found
    assert any(p.startswith("content/agencies.yaml:2:11: error: the email address 'jane.example@gmail.com'")
               for p in found), found


def test_a_value_reached_twice_through_a_yaml_alias_is_reported_once(config):
    text = "first: &shared\n  note: write to jo.bloggs@example.com\nsecond: *shared\nthird: *shared\n"
    found = [str(p.pos) for p in check_text(text, "plans/2021-22.yaml", config)]
    assert found == ["plans/2021-22.yaml:2:18"], found


# The quick ways of reading most text (most text needs no folding, no lookalike letters, and has the
# same runs of words as texts read before) give what the long ways give, on random text (seeded).
def _random_texts(alphabet: str, count: int = 400, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(count)]


def test_text_read_as_typed_is_what_folding_it_gives():
    for char in TYPED_AS_READ:  # NFKC leaves each as it is, and it is not one that joins or vanishes
        assert unicodedata.normalize("NFKC", char) == char and not unicodedata.combining(char), char
        assert readable.folded("a" + char + "b").text == "a" + char + "b"
    quick = 0
    for text in _random_texts(string.ascii_letters + string.digits + " .,;:-()[]<>@'\n" + TYPED_AS_READ * 3
                              + "&#%\u00a0\u00e9\u0301\uff2a\u200b"):
        assert readable.fold(text).text == readable.folded(text).text, text
        quick += readable.fold(text).changes == ()
    assert quick > 100  # the quick way was taken, for most of them


def test_words_in_ascii_are_read_as_the_unicode_pattern_reads_them():
    """Text in ASCII lower case is cut into words by a pattern of its own (privacy._ASCII_TOKEN): the same
    words, commas and paragraph breaks."""
    for text in _random_texts("jane exmpl,'\n\t .09_-", count=2000):
        assert privacy._ASCII_TOKEN.findall(text) == privacy._TOKEN.findall(text), text


def _caught(text: str, config) -> bool:
    return any(_kind(p.message) == "name" for p in check_text(f"Ask {text} now.\n", "notes.md", config))


def test_a_name_is_caught_with_any_invisible_character_or_left_over_mark_inside_it(config):
    """Every format character Unicode has (Cf), every variation selector, and every combining mark,
    whether NFKC joins it to the letter or not: each shows as nothing, or as a mark on the letter."""
    hidden = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    hidden += [chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))]
    hidden += [chr(c) for c in (*range(0x0300, 0x0370), *range(0x1AB0, 0x1B00), *range(0x1DC0, 0x1E00),
                                *range(0x20D0, 0x2100), *range(0xFE20, 0xFE30)) if unicodedata.combining(chr(c))]
    assert len(hidden) > 350
    missed = [f"U+{ord(c):04X}" for c in hidden if not _caught(f"Ja{c}ne Example", config)]
    assert missed == []


def test_a_name_is_caught_in_any_lookalike_letter_or_letter_symbol(config):
    """Each letter of the lookalikes table, and each letter drawn as a symbol (\U0001F179 is J), in
    place of the Latin letter it looks like."""
    from site_builder.registry import _LOOKALIKES

    swaps = [(chr(k), chr(v)) for k, v in _LOOKALIKES.items()]
    swaps += [(chr(start + i), chr(ord("A") + i)) for start in (0x1F150, 0x1F170, 0x1F1E6) for i in range(26)]
    name, tried, missed = "Jane Example", 0, []
    for other, letter in swaps:
        for at in [i for i, c in enumerate(name) if c.casefold() == letter.casefold()][:1]:
            tried += 1
            if not _caught(name[:at] + other + name[at + 1:], config):
                missed.append(other)
    assert tried > 40 and missed == []


def test_a_name_is_caught_with_accents_as_its_web_address_would_drop_them(config):
    from site_builder.registry import slugify

    for text in ("J\u00e1ne Ex\u00e1mple", "Jane Exa\u0301mple", "J\u00c2NE EX\u00c4MPLE", "Jan\u00eb Example"):
        assert slugify(text) == "jane-example" and _caught(text, config), text


def test_lookalike_letters_are_read_as_latin_however_the_text_is_checked():
    def word_by_word(text: str) -> str:  # latin_words as it was: every word outside ASCII looked at
        return re.sub(r"[^\W\d_]+", lambda m: m.group() if m.group().isascii() else latin(m.group()), text)

    texts = _random_texts("JaneExmpl \u0410\u0412\u0421\u0430\u0435\u043e\u0440\u0456\u0444\u0436\u00e9\u2019-,")
    assert all(latin_words(text) == word_by_word(text) for text in texts)
    assert sum(latin_words(text) != text for text in texts) > 50


def test_blocked_names_are_found_in_runs_as_in_every_two_and_three_words_and_each_two_reversed(config):
    vocabulary = ["jane", "example", "mary", "smith", "the", "q.", "police", ",", "\n\n", "jane's"]
    blocked = {"jane example", "mary smith", "example jane mary", "police"}
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset(fingerprint(name) for name in blocked))
    rng = random.Random(7)
    seen = set()
    for _ in range(1000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 12)))
        tokens = [w[:-2] if w.endswith("'s") else w for w in re.findall(r"[^\W\d_]+|,|\n[ \t]*\n", text)]
        words = [None if w in privacy._STOP or w[0] == "\n" else w
                 for w in tokens if len(w) > 1]  # every one, two and three words in a row, as before runs
        grams = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)
                 if None not in words[i:i + n]}
        grams |= {f"{b} {a}" for a, b in zip(words, words[1:]) if None not in (a, b)}  # surname first
        expected = (grams | privacy._reversed([w for w in tokens if len(w) > 1 or w == ","])) & blocked
        assert {hit.key for hit in privacy._names(text, [], allowed)} == expected, text
        seen |= expected
    assert seen == blocked  # each name was there to find, in some of the texts


def test_the_contact_email_is_published_only_when_allowed_emails_lists_it(config):
    """contact_email is on every page: a personal address there is refused like any other, as the
    content guide says (only the addresses in allowed_emails may appear)."""
    text = (FIXTURE / "site.yaml").read_text()
    assert "contact_email: team@example.test" in text
    personal = text.replace("contact_email: team@example.test", "contact_email: jsmith@example.com")
    line = personal.splitlines().index("contact_email: jsmith@example.com") + 1
    as_loaded = dataclasses.replace(config, contact_email="jsmith@example.com")  # the config of that site.yaml
    assert [(p.pos.line, p.pos.col) for p in check_text(personal, "site.yaml", as_loaded)] == [(line, 16)]
    assert check_text(text, "site.yaml", config) == []


@pytest.mark.parametrize("entry", ['"Zebedee Quarrington"', '"8D53D8E3CED7C888"', '"8d53d8e3ced7c88"', "12345"])
def test_a_blocked_name_not_written_as_its_fingerprint_is_refused(site_dir, entry):
    """A name (or anything but a fingerprint) in blocked_names would block nothing: the name it
    means would be published. It is refused where it was written."""
    site_yaml = site_dir / "site.yaml"
    text = site_yaml.read_text()
    assert 'blocked_names: ["8d53d8e3ced7c888"]' in text
    site_yaml.write_text(text.replace('blocked_names: ["8d53d8e3ced7c888"]',
                                      f'blocked_names: ["8d53d8e3ced7c888", {entry}]'))
    line = site_yaml.read_text().splitlines().index(f'blocked_names: ["8d53d8e3ced7c888", {entry}]') + 1
    with pytest.raises(ContentError) as raised:
        load_site(site_dir)
    found = [(p.pos.line, p.pos.col, p.field) for p in raised.value.problems]
    assert (line, 37, "blocked_names[1]") in found, found
    assert "make fingerprint" in " ".join(p.expected + p.hint for p in raised.value.problems)


@pytest.mark.parametrize("unit", ["0/", "0\u00b7", "0 ", "0.", "(0)", "0\u00b7/", "01632 ", "a.", "a" * 70 + " ",
                                  "a" * 70 + "\n", "x@a", "a\n@", "a @ ", "00 ", "(00)", "0 0", "aB", "Ab ", "@a", "/ab",
                                  "a at ", "a dot ", "a at b dot ", "01632/", "01632 / 960123/", "0 /", "J-", "J-E", "a@b.", "a@b[.]", "a@b\u3002", "a[.]b@", "a@b (dot) ", "a at b[.] ", "0/0 0 ", "01632/0 ", "0a", "\u0660 ", "0x", "a.b at ", "a . ", "a AT b . c dot ",
                                  "0_", "0~", "0_0a", "0~0a", "A ", "A. ", "A, ", "0O", "O0 ", "lO1a", "oh ", "zero, ",
                                  "double oh ", "plus 0 - ", "o 0 ", "triple ", '"a', '"a" ', "0 1234 ",
                                  "<b>J</b> Q. ", "J Q. ", "Ab J, Cd ", "Ab, Mrs. Det ", "a@b .c ", "x@y. ", " 'ab' ", "<a ",
                                  "j.ab ", "07700:9 ", "12,0123,", "44 ", "ISBN 0", "0x1 ", " \u00abJ\u00bb "])
def test_no_text_makes_the_check_hang(config, unit):
    """A hang guard, not a speed measure: 40,000 repeats of a run's pieces are read in well under a second
    (bench numbers elsewhere); a pattern whose work grows with the square of a run's length took 20 s for
    10,000 of '0/' and would take minutes here. The alarm ends the test then, instead of CI."""
    def stop(*_):
        raise TimeoutError(f"the check of {unit!r} * 40,000 did not end in 30 s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    try:
        privacy.scan.__wrapped__(unit * 40_000, privacy._Allowed.of(config))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_a_name_run_together_is_read_only_where_a_handle_or_an_address_writes_one():
    """'KitChen', '@kitchen', '#kitchen' and '/kitchen' may be Kit Chen run together; 'kitchen' in a sentence
    is a kitchen (a word is parted in two only after an @, a # or a slash, or at a capital inside it)."""
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset({fingerprint("Kit Chen"), fingerprint("Zoë Łukasz")}))
    kinds = lambda text: [h.kind for h in privacy.scan.__wrapped__(text, allowed)]
    for text in ("Ask KitChen now.", "Follow @kitchen now.", "See example.org/kitchen/ now.", "Ask @ZoëŁukasz now.",
                 "Share #kitchen now.",
                 "Ask ZoëŁukasz now."):
        assert kinds(text) == ["name"], text
    for text in ("A community kitchen and a Kitchen garden.", "KITCHEN", "Kitchens"):
        assert kinds(text) == [], text


@pytest.mark.parametrize("file, text, field", [
    ("pages/janeexample.md", "---\ntitle: T\ndescription: d\n---\nText.\n", ""),
    ("pages/j-example.md", "---\ntitle: T\ndescription: d\n---\nText.\n", ""),
    ("topics.yaml", "topics:\n  - id: janeexample\n    name: Misc\n", "topics[0].id"),
    ("topics.yaml", "topics:\n  - id: j-example\n    name: Misc\n", "topics[0].id"),
    ("topics.yaml", "topics:\n  - id: j-example-days\n    name: Misc\n", "topics[0].id"),
    ("pfcc/janeexample.yaml", "id: janeexample\n", "id"),
])
def test_a_blocked_name_in_a_pages_address_is_caught(config, file, text, field):
    """A file's name and an id are a page's web address, typed: a name run together right after its slash
    ('/janeexample/', as a link's address is read) or by its initial ('/j-example/', an address's letters
    all small) is caught there, as in a link."""
    found = [(p.field, p.message) for p in check_text(text, file, config)]
    assert any(f == field and "is the name of a person" in m for f, m in found), found


@pytest.mark.parametrize("file, text", [
    ("pages/community-kitchen.md", "---\ntitle: T\ndescription: d\n---\nText.\n"),
    ("topics.yaml", "topics:\n  - id: community-kitchen\n    name: A kitchen garden\n"),
    ("topics.yaml", "topics:\n  - id: a-level-results\n    name: A level results\n"),
    ("plans/2020-21.yaml", "initiatives:\n  - title: Kitchen garden at Example House\n"),
])
def test_words_of_an_address_are_not_taken_for_a_name_run_together(file, text):
    """Only the word right after the address's slash is read as a name run together, as in a link: 'kitchen'
    later in an address is no Kit Chen; nor is a title's first word (a title is read as the text it is, and
    the address made of it holds nothing the title does not show)."""
    blocked = frozenset({fingerprint("Kit Chen"), *privacy.fingerprints("Jane Example")[1:]})
    allowed = privacy._Allowed(frozenset(), frozenset(), blocked)
    assert privacy._File(text, file, allowed).check(None) == []


def test_a_name_is_one_finding_where_it_is_written_whatever_else_is_blocked_inside_it():
    """A blocked surname inside a blocked whole name ('Example' in 'Jane Example', 'Example, Jane' or 'J.
    Example') is that name's finding, not a second one; each finding shows the name as written, no more."""
    blocked = {*privacy.fingerprints("Jane Example"), fingerprint("Example"), fingerprint("Jane Mary Example")}
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset(blocked))
    shown = lambda text: [h.shown for h in privacy.scan.__wrapped__(text, allowed)]
    assert shown("Ask Jane Example about it.") == ["Jane Example"]
    assert shown("Ask Example, Jane about it.") == ["Example, Jane"]
    assert shown("Ask Example, Jane Mary about it.") == ["Example, Jane Mary"]
    assert shown("Ask J. Example about it.") == ["J. Example"]
    assert shown("Ask Example about it, or Jane Example.") == ["Example", "Jane Example"]


def test_an_initial_is_read_only_where_it_is_written_as_one():
    """'A. French' and 'French, A.' are Ali French by initial; 'A French school' and 'French A level' are
    not: A and I are words on their own, and are initials only with a full stop."""
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset(privacy.fingerprints("Ali French")))
    kinds = lambda text: [h.kind for h in privacy.scan.__wrapped__(text, allowed)]
    for text in ("Ask A. French now.", "Ask French, A. now.", "FRENCH A.", "Ask Ali French now."):
        assert kinds(text) == ["name"], text
    for text in ("A French school and a French exchange.", "French A level", "Ask a. french now.", "I French"):
        assert kinds(text) == [], text


def test_fingerprint_prints_the_name_and_its_initial_form():
    """make fingerprint prints both lines to add: the name's, and that of its first initial and surname."""
    assert privacy.fingerprints("Jane Mary Example") == (fingerprint("Jane Mary Example"), fingerprint("J Example"))
    assert privacy.fingerprints("  Jáne  Example ") == (fingerprint("Jáne Example"), fingerprint("J Example"))
    assert privacy.fingerprints("Cher") == (fingerprint("Cher"),)


def test_a_name_blocked_with_any_apostrophe_is_found_with_any_other(config):
    """The fingerprint and the reading straighten apostrophes in one place (registry.straight_apostrophes)."""
    for blocked in ("Sean O'Brien", "Sean O\u2019Brien", "Sean O\u02bcBrien"):
        allowed = privacy._Allowed(frozenset(), frozenset(), frozenset({fingerprint(blocked)}))
        for typed in ("Sean O'Brien", "Sean O\u2019Brien", "Sean O\u02bcBrien"):
            assert [h.kind for h in privacy.scan.__wrapped__(f"Ask {typed} now.", allowed)] == ["name"], (blocked, typed)


def test_the_quick_look_for_a_capital_inside_a_word_finds_a_small_letter_then_a_capital():
    """_ANY_SMALL_CAPITAL looks for the capital first and back at the letter before: it finds a text to read
    for names run together ('JaneSmith') exactly where a small letter stands before a capital, each as
    _SMALL and _BIG say (both hold Latin Extended-A), over every edge of their ranges and letters outside them."""
    import random
    import re

    pair = re.compile(privacy._SMALL + privacy._BIG)
    rng = random.Random(11)
    alphabet = "aAzZ \u00c0\u00d6\u00d7\u00d8\u00de\u00df\u00f6\u00f7\u00f8\u00ff\u0100\u017f\u0180\u0410\u0430'-."
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert (privacy._ANY_SMALL_CAPITAL.search(text) is None) == (pair.search(text) is None), repr(text)
    assert privacy._ANY_SMALL_CAPITAL.search("Jane Smith, JANE SMITH") is None
    assert privacy._ANY_SMALL_CAPITAL.search("JaneSmith") is not None


def test_the_look_aheads_that_let_the_number_patterns_skip_ahead_change_no_match():
    """_RUN and _PARTED start with a look-ahead for their first character (and _LETTER_BESIDE_DIGIT with the
    digit), only so that the regex engine skips to one: each finds what it finds without, over texts of digits,
    the letters read as digits, brackets, a plus and every mark that parts a number's groups."""
    import random
    import re

    plain = {privacy._RUN: re.compile(privacy._RUN.pattern.removeprefix("(?=[+(\\d])")),
             privacy._PARTED: re.compile(privacy._PARTED.pattern.removeprefix("(?=[(0])"))}
    assert all(plain[pattern].pattern != pattern.pattern for pattern in plain)
    beside = re.compile(r"\d[OoIl]|[OoIl]\d")
    rng = random.Random(5)
    alphabet = "0127OoIlax+() .-/:,;\n\t\u0662"
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        for pattern, without in plain.items():
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in without.finditer(text)], repr(text)
        assert (privacy._LETTER_BESIDE_DIGIT.search(text) is None) == (beside.search(text) is None), repr(text)


def test_the_quick_look_for_markdown_finds_what_the_whole_pattern_finds():
    """_has_markup looks for one of _MARKUP's characters before the whole pattern: the two agree on every
    text made of letters, spaces, line breaks and every ASCII punctuation mark (so a branch added to _MARKUP
    for a mark _MARKUP_MARK lacks is caught), and a full-width '>' and a Unicode line break."""
    import random
    import string

    rng = random.Random(7)
    alphabet = "ab \t\n\r\u2028\uff1e" + string.punctuation
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert privacy._has_markup(text) == (privacy._MARKUP.search(text) is not None), repr(text)


def test_the_quick_look_for_a_spelled_address_finds_where_the_pattern_it_replaced_found_one():
    """_SPELLED_AT starts with the 'a' of an 'at' or the '@' (the blank before an 'at' looked back at), only so that
    the regex engine skips to one: it finds a match in every text the pattern starting with the blank finds one
    in, over texts of blanks, 'at' in either case, '@', 'dot', letters, digits and full stops."""
    import random
    import re

    blank_first = re.compile(r"(?:[ \t](?i:at)[ \t]{1,8}+|@[ \t]{0,8}+)[\w-]{1,63}+(?:\.|[ \t]{1,8}+(?:\.|(?i:dot))[ \t])")
    rng = random.Random(41)
    alphabet = [*" \t@aAtTx.-_dDoO\n1é", " at ", " AT ", " dot "]
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert (privacy._SPELLED_AT.search(text) is None) == (blank_first.search(text) is None), repr(text)
    assert privacy._SPELLED_AT.search("write to jane at example.org") is not None
    assert privacy._SPELLED_AT.search("@t  x.") is None  # an '@' is not the 'a' of an 'at'


def test_a_double_quoted_value_s_line_breaks_kept_after_blanks_are_placed_in_the_order_typed():
    """A line break YAML keeps in a double-quoted value (LS or PS, as a paste may hold; NEL it folds) after a run of blanks:
    every character of the value is placed where it was typed, in the order typed (the break was placed before
    the characters typed ahead of it, where a run of blanks was taken for one character)."""
    import itertools

    import yaml

    checked = 0
    for parts in itertools.product(["a", "  ", "\t", "\u2028", "\x85", "\u2029", "\n", "\\n", "b"], repeat=4):
        typed = '"' + "".join(parts) + '"'
        value = yaml.load("v: " + typed, Loader=yaml.CSafeLoader)["v"]
        places = privacy._double_quoted_places(typed, value)
        if places is None:
            continue
        checked += 1
        assert places == sorted(places), (typed, value, places)
        for char, at in zip(value, places):
            assert typed[at] == char or char in " \n" or typed[at] == "\\", (typed, value, places)
    assert checked > 5000
    assert privacy._double_quoted_places('"  a\u2028"', "  a\u2028") == [1, 2, 3, 4]
    # A number typed after blanks and before a kept break, in a value with an escape: found where it was typed.
    text = 'summary: "\\u00e9a' + " " * 20 + '01632960123\u2028x"\n'
    found = privacy._File(text, "plans/x.yaml", privacy.NO_ALLOW_LISTS).check(None)
    assert [(p.pos.line, p.pos.col) for p in found] == [(1, text.index("01632") + 1)]


@pytest.mark.parametrize("blank", ["\n\n", "\n \t\n", "\n\n\n", "\n  \n\t\n"])
def test_a_text_is_read_a_paragraph_at_a_time_and_finds_what_each_paragraph_holds_where_it_is(blank):
    """A text's paragraphs are read one by one (privacy.scan: no finding spans a blank line), each remembered:
    every finding of each paragraph is found in the whole text, at the place it is typed there, in order."""
    blocked = frozenset(privacy.fingerprints("Jane Example"))
    allowed = privacy._Allowed(frozenset(), frozenset(), blocked)
    paragraphs = ["Ask Jane Example or write to jane@example.com.", "Call 01632 960123 any day.",
                  "  Example, Jane (J. Example) on\n07700 900123, or 'JJ' at j.example@gmail.com", "Nothing here.",
                  "Jane\nExample, again."]
    text = blank.join(paragraphs)
    found = privacy.scan(text, allowed)
    expected, at = [], 0
    for paragraph in paragraphs:
        at = text.index(paragraph, at)
        expected += [(at + hit.offset, hit.kind, hit.key) for hit in privacy.scan(paragraph, allowed)]
        at += len(paragraph)
    assert [(hit.offset, hit.kind, hit.key) for hit in found] == sorted(expected)
    assert {hit.kind for hit in found} == {"email", "phone", "name"} and len(found) == 8, found
    for hit in found:  # each where it is typed: its first word there
        assert text[hit.offset:].startswith(hit.shown.split()[0].strip(",")), (hit, text[hit.offset:hit.offset + 20])
    # A paragraph many texts share (a row carried from plan to plan, its updates new) is read once; short ones
    # (under privacy._SHORTEST characters) are read with the next.
    shared = " ".join(paragraphs)
    assert len(shared) >= privacy._SHORTEST > len(paragraphs[0])
    privacy._paragraph.cache_clear()
    for copy in range(5):
        privacy.scan(blank.join([shared, f"Copy {copy}."]), allowed)
    assert privacy._paragraph.cache_info().misses == 1 + 5
    privacy._paragraph.cache_clear()
    privacy.scan(blank.join(paragraphs), allowed)
    assert privacy._paragraph.cache_info().misses < len(paragraphs)


@pytest.mark.parametrize("name", ["Will Smith", "Thomas More", "Can Demir", "Will More"])
def test_a_blocked_name_whose_word_is_also_a_common_word_is_found_written_in_order(name):
    """Words that are never part of a name end the runs of words names are looked for in ('the', 'of'); a
    first name or a surname that is also a common word ('Will', 'Can', 'More') is no such word."""
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset(privacy.fingerprints(name)))
    for text in (f"Ask {name} now.", f"{name} will lead it.", f"We can ask {name.upper()}, more or less."):
        found = [(hit.kind, hit.key) for hit in privacy.scan.__wrapped__(text, allowed)]
        assert ("name", name.lower()) in found, (text, found)


@pytest.mark.parametrize("text, name", [
    ("Ask J. 'JJ' Smith now.", "Jane Smith"),  # an initial before a nickname
    ("Ask 'JJ'Jane Smith now.", "Jane Smith"),  # a nickname run on into the name after it
    ("Watson, Mary “Jay” Jane called.", "Mary Jane Watson"),  # surname first, a nickname inside
    ("Ask <b>J.</b> Smith now.", "Jane Smith"),
    ("\n\n".join(["a 'quoted' word"] * 70 + ["Ask J. 'JJ' Smith now."]), "Jane Smith"),  # a text of many asides
])
def test_a_blocked_name_beside_a_nickname_or_a_tag_is_found_however_it_is_written(text, name):
    """The words about every quote or tag are read again with it blanked out, whatever else the text holds: a name
    written with an initial, run on to a nickname, or surname first about one, is found as it is without it."""
    allowed = privacy._Allowed(frozenset(), frozenset(), frozenset(privacy.fingerprints(name)))
    assert [hit.kind for hit in privacy.scan.__wrapped__(text, allowed)] == ["name"], text
