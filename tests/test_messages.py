"""Messages that used to mislead: each names the line at fault and a hint that fits the case.

Block text (`description: |`) not indented under its field was reported a line late, with a hint
to add the `|` that was already there; a duplicate initiative id always said "give one of them
an 'id:' line", even to an initiative that had one. The YAML is written inline here.
"""

from __future__ import annotations

import pytest

from site_builder.load import ContentLoader
from site_builder.problems import ContentError
from site_builder.yamlfile import compose


def syntax_problem(text: str):
    root, problems = compose(text, "f.yaml")
    assert root is None and len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------------------------------------
# Block text.

def test_block_text_not_indented_under_its_field():
    problem = syntax_problem(
        "initiatives:\n"
        "  - title: Street Watch\n"
        "    description: |\n"
        "    Volunteers walk the streets.\n"  # line 4: in the column of 'description'
        "    They report what they see.\n"
        "    lead: EP\n")
    assert str(problem.pos) == "f.yaml:4:5"
    assert problem.message == "YAML syntax error: the text under 'description: |' is not indented"
    assert problem.expected == "the text indented two more spaces than 'description', from column 7"
    assert problem.hint == "Indent every line of the text under 'description: |' by two more spaces than the field name."
    assert "'|'" not in problem.hint.replace("'description: |'", "")  # no advice to add the '|' it has


@pytest.mark.parametrize("text, where, column", [
    ("title: Street Watch\ndescription: |\nVolunteers walk.\nother: 1\n", "f.yaml:3:1", 3),  # at the top
    ("title: Street Watch\ndescription: >-  # folded\n\nVolunteers walk.\n", "f.yaml:4:1", 3),
    ("items:\n  - description: |\n    Volunteers walk.\n", "f.yaml:3:5", 7),  # first field of a list item
    ("items:\n  - description: |\n  Volunteers walk.\n", "f.yaml:3:3", 7),  # left of the field
])
def test_block_text_not_indented_elsewhere(text, where, column):
    problem = syntax_problem(text)
    assert str(problem.pos) == where
    assert problem.message.startswith("YAML syntax error: the text under 'description: ")
    assert problem.expected.endswith(f"from column {column}")


def test_text_on_the_same_line_as_the_bar():
    problem = syntax_problem(
        "initiatives:\n"
        "  - title: Street Watch\n"
        "    description: | Volunteers walk the streets.\n"
        "    lead: EP\n")
    assert str(problem.pos) == "f.yaml:3:20"
    assert problem.message == "YAML syntax error: text on the same line as 'description: |'"
    assert problem.expected == "'|' at the end of its line, and the text on the lines below it"
    assert problem.hint == "Move the text to the next line, indented two more spaces than 'description'."


def test_text_right_after_the_bar():
    problem = syntax_problem("description: |Volunteers walk.\n")
    assert str(problem.pos) == "f.yaml:1:15"
    assert problem.message == "YAML syntax error: text on the same line as 'description: |'"


def test_a_later_line_of_block_text_indented_less_than_the_first():
    problem = syntax_problem(
        "initiatives:\n"
        "  - title: Street Watch\n"
        "    description: |\n"
        "      Volunteers walk the streets.\n"
        "     They report what they see.\n"  # line 5: one space short
        "    lead: EP\n")
    assert str(problem.pos) == "f.yaml:5:6"
    assert problem.message == ("YAML syntax error: this line of the text under 'description: |' is indented "
                               "less than its first line")
    assert problem.expected == "every line of the text from column 7, like its first line"
    assert problem.hint == ("Line it up with the first line of the text. If it is a new field, start it in "
                            "column 5, like 'description'.")


def test_a_tab_in_block_text():
    problem = syntax_problem("initiatives:\n  - title: Street Watch\n    description: |\n\tVolunteers walk.\n")
    assert str(problem.pos) == "f.yaml:4:1"
    assert problem.message == "YAML syntax error: a tab character is used for indentation"
    assert problem.hint == "Replace the tab character with spaces."


def test_text_without_a_bar_under_its_field():
    problem = syntax_problem(
        "initiatives:\n"
        "  - title: Street Watch\n"
        "    description:\n"
        "    Volunteers walk the streets.\n"
        "    lead: EP\n")
    assert str(problem.pos) == "f.yaml:4:5"
    assert problem.message == "YAML syntax error: could not find expected ':'"
    assert problem.hint == ("A line may be missing its colon. If this line is the text of 'description', put "
                            "'|' after 'description:' and indent the text two more spaces than the field name.")


def test_a_line_missing_its_colon_is_named_itself():
    problem = syntax_problem("title: Street Watch\nlead EP\nother: 1\n")
    assert str(problem.pos) == "f.yaml:2:1"
    assert problem.hint == "A line may be missing its colon, or a multi-line text needs '|' after the field name."


def test_block_text_with_a_colon_taken_for_a_field(site_dir):
    plan = site_dir / "plans/2021-22.yaml"
    plan.write_text(PLAN_HEAD
                    + "  - title: Street Watch\n"
                      "    description: |\n"
                      "    Note: volunteers walk the streets.\n"  # line 11, taken for a field 'Note'
                      "    lead: EP\n", encoding="utf-8")
    [problem] = errors(site_dir)
    assert str(problem.pos) == "content/plans/2021-22.yaml:11:5"
    assert problem.message == "unknown field 'Note'"
    assert problem.hint == ("If this line is the text of 'description: |' above, indent it by two more spaces "
                            "than 'description'.")


# ---------------------------------------------------------------------------------------------
# Two initiatives with one id.

PLAN_HEAD = ('period: "2021-22"\n'
             "title: Annual Partnership Plan 2021-22\n"
             "document: Example Plan 2021-22\n"
             "priorities:\n"
             "  - number: 1\n"
             "    title: Tackling anti-social behaviour\n"
             "    short_title: Anti-social behaviour\n"
             "initiatives:\n")  # the first initiative starts on line 9


def errors(site_dir):
    with pytest.raises(ContentError) as caught:
        ContentLoader(site_dir).load()
    return [p for p in caught.value.problems if p.level == "error"]


def duplicate(site_dir, first: str, second: str):
    """The one error for a plan of two initiatives (each given as its lines after '- ')."""
    def item(lines: str) -> str:
        return "  - " + lines.replace("\n", "\n    ").rstrip(" ")

    (site_dir / "plans/2021-22.yaml").write_text(PLAN_HEAD + item(first) + item(second), encoding="utf-8")
    [problem] = errors(site_dir)
    assert problem.message == "two initiatives of this plan have the id 'street-watch'"
    return problem


def test_duplicate_ids_from_two_titles(site_dir):
    problem = duplicate(site_dir, "title: Street Watch\nlead: EP\n", "title: Street Watch\nlead: EP\n")
    assert (str(problem.pos), problem.field) == ("content/plans/2021-22.yaml:11:12", "initiatives[1].title")
    assert problem.hint == "The other is at line 9. Give one of them an 'id:' line, like 'id: street-watch-2'."


def test_duplicate_id_given_to_the_second(site_dir):
    problem = duplicate(site_dir, "title: Street Watch\nlead: EP\n",
                        "title: Street Watch at night\nid: street-watch\nlead: EP\n")
    assert (str(problem.pos), problem.field) == ("content/plans/2021-22.yaml:12:9", "initiatives[1].id")
    assert problem.hint == ("The other, at line 9, gets this id from its title. Change this 'id:' line, like "
                            "'id: street-watch-2'.")


def test_duplicate_id_given_to_the_first(site_dir):
    problem = duplicate(site_dir, "title: Street Watch at night\nid: street-watch\nlead: EP\n",
                        "title: Street Watch\nlead: EP\n")
    assert (str(problem.pos), problem.field) == ("content/plans/2021-22.yaml:12:12", "initiatives[1].title")
    assert problem.hint == ("The other, at line 9, has the line 'id: street-watch', and this one gets the same "
                            "id from its title. Give this one an 'id:' line, like 'id: street-watch-2', or "
                            "change the other's.")


def test_duplicate_id_given_to_both(site_dir):
    problem = duplicate(site_dir, "title: Street Watch\nid: street-watch\nlead: EP\n",
                        "title: Night patrols\nid: street-watch\nlead: EP\n")
    assert (str(problem.pos), problem.field) == ("content/plans/2021-22.yaml:13:9", "initiatives[1].id")
    assert problem.hint == ("The other, at line 9, has the same 'id:' line. Change one of them, like "
                            "'id: street-watch-2'.")


def test_the_suggested_id_is_free(site_dir):
    (site_dir / "plans/2021-22.yaml").write_text(
        PLAN_HEAD + "  - title: Street Watch\n  - title: Street Watch 2\n  - title: Street Watch\n", encoding="utf-8")
    [problem] = errors(site_dir)
    assert problem.field == "initiatives[2].title"
    assert problem.hint == "The other is at line 9. Give one of them an 'id:' line, like 'id: street-watch-3'."


# ---------------------------------------------------------------------------------------------
# A value that YAML reads as less than was typed.

@pytest.mark.parametrize("typed, kept", [("!Important Keep Safe", "Important"), ("&Partners Keep Safe", "Partners"),
                                         ("!!python/object:os.system Keep Safe", "python"), ("!!str Keep Safe", "str")])
def test_a_value_starting_with_an_anchor_or_a_tag_is_refused_not_shortened(site_dir, typed, kept):
    """'title: !Important Keep Safe' is read by YAML as the tag !Important and the text 'Keep Safe', and
    '&Partners ...' as an anchor: the first word would vanish from the page without a word said."""
    plan = site_dir / "plans/2020-21.yaml"
    plan.write_text(plan.read_text().replace("      - title: Keep Safe\n", f"      - title: {typed}\n", 1))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    found = [(str(p.pos), p.field, p.hint) for p in raised.value.problems]
    assert [(pos, field) for pos, field, _ in found] == [("content/plans/2020-21.yaml:16:16",
                                                          "priorities[0].initiatives[0].title")], found
    assert "quotes" in found[0][2] and kept in raised.value.problems[0].message



# ---------------------------------------------------------------------------------------------
# Dates that no calendar has.

@pytest.mark.parametrize("field, typed, said", [
    ("updated", "2026-02-30", "30 February 2026"), ("updated", "2026-02-29", "29 February 2026"),
    ("updated", "2026-04-31", "31 April 2026"), ("updated", "0000-01-01", "year 0"),
    ("page updated", "2026-02-31", "31 February 2026"), ("page updated", "last week", "last week"),
    ("page updated", "26/11/2026", "26/11/2026"), ("agency ended", "2014-02-30", "30 February 2014")])
def test_a_date_the_calendar_does_not_have_is_refused(site_dir, field, typed, said):
    if field == "updated":
        path, old, new = site_dir / "site.yaml", "updated: 2026-12-01", f'updated: "{typed}"'
    elif field == "page updated":
        path = next(p for p in sorted((site_dir / "pages").glob("*.md")))
        text = path.read_text()
        old = "\n---\n"
        assert text.startswith("---\n") and old in text[3:]
        new = f'\nupdated: "{typed}"\n---\n'
    else:
        path, old, new = site_dir / "agencies.yaml", "  - id: essex-police\n", f"  - id: essex-police\n    ended: '{typed}'\n"
    text = path.read_text()
    assert old in text, (path, old)
    text = text.replace(old, new, 1) if field != "page updated" else "---\n" + text[4:].replace(old, new, 1)
    path.write_text(text)
    line = text.splitlines().index(next(l for l in text.splitlines() if typed in l)) + 1
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    found = [(p.pos.file, p.pos.line, p.message) for p in raised.value.problems]
    assert any(file.endswith(path.name) and at == line and said in message for file, at, message in found), found


# ---------------------------------------------------------------------------------------------
# Links and pictures that would not be what was meant.

@pytest.mark.parametrize("typed, said", [
    ("See [this](https://example.org/a page).", "not read as one"),
    ("![Walk photo](https://example.org/p.png)", "picture"),
])
def test_a_link_not_read_as_one_and_a_picture_are_reported(typed, said):
    from site_builder.markdown import render

    _, findings = render(f"Safe places.\n\n{typed}\n")
    assert [(f.line, said in f.message) for f in findings] == [(2, True)], findings


@pytest.mark.parametrize("url", ["https://twitter .com/", "https://example.org/a page", "/plans/a b/"])
def test_a_link_with_a_space_in_its_address_is_refused(url):
    from site_builder.markdown import link_problem

    assert "space" in link_problem(url)
    assert link_problem(url.replace(" ", "")) == ""


@pytest.mark.parametrize("typed", ["0", "-2"])
def test_a_priority_numbered_below_1_is_refused(site_dir, typed):
    """Every whole number in the content counts priorities, from 1: 'Priority -2' was published."""
    plan = site_dir / "plans/2020-21.yaml"
    text = plan.read_text()
    first = next(line for line in text.splitlines() if line.strip().startswith("- number: ") or
                 line.strip().startswith("number: "))
    plan.write_text(text.replace(first, first.split(":")[0] + f": {typed}", 1))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    found = [(p.field, p.message, p.expected) for p in raised.value.problems]
    assert any(field.endswith("number") and "from 1" in expected for field, _, expected in found), found


def test_a_control_character_does_not_hide_the_other_mistakes_of_its_file(site_dir):
    """A form feed pasted from a PDF is reported, and so is the rest of what is wrong in that file."""
    plan = site_dir / "plans/2020-21.yaml"
    text = plan.read_text()
    assert "      - title: Keep Safe\n" in text and "title: Tackling county lines" in text
    text = text.replace("      - title: Keep Safe\n", "      - title: [Keep, Safe]\n", 1)
    text = text.replace("title: Tackling county lines", "title: Tackling county\x0c lines", 1)
    plan.write_text(text)
    lines = text.split("\n")  # splitlines() would break the line at the form feed too
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    found = {(p.pos.line, p.field) for p in raised.value.problems}
    assert (lines.index("      - title: [Keep, Safe]") + 1, "priorities[0].initiatives[0].title") in found, found
    assert any(line == next(i for i, l in enumerate(lines, 1) if "\x0c" in l) for line, _ in found), found


def test_a_key_that_is_not_a_word_is_named_as_written(site_dir):
    """'? [a, b]' makes a list the key of a field: the message says what was found, never 'None'."""
    plan = site_dir / "plans/2020-21.yaml"
    plan.write_text(plan.read_text().replace("      - title: Keep Safe\n", "      - title: Keep Safe\n        ? [a, b]\n        : x\n", 1))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    said = [f"{p.field}: {p.message}; {p.expected}. {p.hint}" for p in raised.value.problems]
    assert len(said) == 1 and "None" not in said[0] and "found a list" in said[0], said


def test_a_duplicate_id_in_a_registry_is_reported_at_the_second_with_the_line_of_the_first(site_dir):
    topics = site_dir / "topics.yaml"
    text = topics.read_text()
    first = next(line for line in text.splitlines() if line.startswith("  - id: "))
    topics.write_text(text.rstrip("\n") + f"\n{first}\n    name: Another\n")
    lines = topics.read_text().splitlines()
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    [problem] = [p for p in raised.value.problems if "used twice" in p.message]
    assert problem.pos.line == len(lines) - 1, (problem.pos, len(lines))
    assert f"line {lines.index(first) + 1}" in problem.hint


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_file_is_reported_with_a_hint(text):
    root, problems = compose(text, "agencies.yaml")
    assert root is None and [(p.message, bool(p.hint)) for p in problems] == [("the file is empty", True)]


@pytest.mark.parametrize("copy", ["2020-21-copy.yaml", "2020-21.yml"])
def test_a_second_file_for_one_plan_is_reported_as_a_copy(site_dir, copy):
    """A copy of plans/2020-21.yaml beside it: renaming it to 2020-21.yaml, as the message said, cannot be done."""
    plans = site_dir / "plans"
    (plans / copy).write_text((plans / "2020-21.yaml").read_text())
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    said = [f"{p.pos}: {p.message}; {p.expected}. {p.hint}" for p in raised.value.problems if copy in p.pos.file]
    assert said and all("2020-21.yaml" in s and "rename the file to 2020-21.yaml" not in s.lower() for s in said), said


def test_a_mistake_in_one_file_does_not_hide_the_checks_across_the_others(site_dir):
    """A misspelt field in a plan, a topic id given twice and a plan whose period disagrees with its file
    name: one run reports all three (the checks across files ran only once every file had loaded)."""
    plan = site_dir / "plans/2020-21.yaml"
    plan.write_text(plan.read_text().replace("      - title: Keep Safe\n", "      - title: Keep Safe\n        topicz: asb\n", 1))
    topics = site_dir / "topics.yaml"
    first = next(line for line in topics.read_text().splitlines() if line.startswith("  - id: "))
    topics.write_text(topics.read_text().rstrip("\n") + f"\n{first}\n    name: Another\n")
    other = sorted((site_dir / "plans").glob("*.yaml"))[-1]
    assert other != plan
    assert f'period: "{other.stem}"' in other.read_text()
    other.write_text(other.read_text().replace(f'period: "{other.stem}"', 'period: "2040-41"', 1))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    said = [(p.pos.file.rsplit("/", 1)[-1], p.message) for p in raised.value.problems]
    assert any(f == "2020-21.yaml" and "unknown field 'topicz'" in m for f, m in said), said
    assert any(f == "topics.yaml" and "used twice" in m for f, m in said), said
    assert any(f == other.name and "2040-41" in m for f, m in said), said


@pytest.mark.parametrize("typed, at", [("<br>", "<br>"), ("[x](javascript:alert(1))", "javascript:"),
                                       ("![photo](/p.png)", "!["), ("[this](/a page/)", "[this]")])
@pytest.mark.parametrize("where", ["Markdown field", "page body"])
def test_a_markdown_mistake_is_placed_at_its_column(site_dir, typed, at, where):
    if where == "Markdown field":
        path, old = site_dir / "plans/2020-21.yaml", "Safe places in town. See [the plans](/plans/)."
    else:
        path, old = site_dir / "pages/accessibility.md", "This site is for testing."
    text = path.read_text()
    assert old in text
    indent = "\n          " if where == "Markdown field" else "\n"
    text = text.replace(old, f"{old}{indent}Also {typed} here, on the paragraph's second line.", 1)
    path.write_text(text)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if typed in l)
    col = text.split("\n")[line - 1].index(at) + 1
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    assert [(p.pos.line, p.pos.col) for p in raised.value.problems] == [(line, col)], raised.value.problems


@pytest.mark.parametrize("quote", ['"', "'"])
def test_quotes_not_closed_are_reported_where_they_open(quote):
    """'title: "MAC Panel' without its closing quote: YAML reads on for lines, and its error comes far below."""
    lines = ["initiatives:", f"  - title: {quote}MAC Panel", "    lead: EP", "  - title: Street Watch", "    lead: EP",
             f"    timing: {quote}Summer{quote}", "  - title: Keep Safe", "    lead: EP"]
    problem = syntax_problem("\n".join(lines) + "\n")
    assert (str(problem.pos), "closing" in problem.expected) == ("f.yaml:2:12", True), problem


@pytest.mark.parametrize("lines, at", [
    (["title: \"Annual Partnership", "  Plan 2021-22\"", "priorities:", "  - number: 1", " oops: 1"], None),
    (["initiatives:", "  - title: Street Watch", "    description: |", "      Partners said: \"a real change",
      "      to the town\".", "  - title: Keep Safe", "   lead: EP"], None),
])
def test_quotes_closed_on_a_later_line_are_not_blamed_for_a_later_error(lines, at):
    """A quoted value over two lines, and a quote inside block text, are not the mistake."""
    problem = syntax_problem("\n".join(lines) + "\n")
    assert "quotes opened here" not in problem.message, problem


def test_a_pfcc_plan_whose_file_is_refused_is_not_also_called_unknown(site_dir):
    """A PFCC plan saved as .yml is refused for its name; the plans that name it are not told it is unknown."""
    pfcc = sorted((site_dir / "pfcc").glob("*.yaml"))
    assert pfcc, "the fixture has a PFCC plan"
    pfcc[0].rename(pfcc[0].with_suffix(".yml"))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    said = [p.message for p in raised.value.problems]
    assert not any("unknown PFCC plan" in m for m in said), said


def test_a_control_character_in_an_indentation_makes_no_other_error_up(site_dir):
    """The file is read again with the character made a space, for its other mistakes: a space where the
    character opened a line shifts its indentation, which is not the editor's mistake."""
    plan = site_dir / "plans/2020-21.yaml"
    text = plan.read_text()
    assert "\ntitle: " in text
    plan.write_text(text.replace("\ntitle: ", "\n\x0ctitle: ", 1))
    with pytest.raises(ContentError) as raised:
        ContentLoader(site_dir).load()
    assert [p.message for p in raised.value.problems if "2020-21" in p.pos.file] == [
        "the text holds an invisible control character (U+000C)"], raised.value.problems


def test_escaped_brackets_are_text_not_a_link_gone_wrong():
    from site_builder.markdown import render

    assert render("Write \\\\[x\\\\](y z) to show brackets.\n")[1] == ()
