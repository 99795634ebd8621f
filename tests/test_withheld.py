"""Withheld, not invented: personal data removed from a source text is marked where it stood, with one
mark that every page shows the same way, and no words of ours stand in its place."""

from __future__ import annotations

import re

import pytest

from conftest import write_plan
from site_builder.load import load_site
from site_builder.markdown import render
from site_builder.problems import ContentError


def test_the_mark_renders_as_one_styled_span_and_stays_in_the_text():
    markdown, findings = render("- Catch 22 makes use of [name withheld] who provides *visits*\n"
                                "- [name and email address withheld] is the schools point of contact\n")
    assert findings == ()
    html = str(markdown.html)
    assert 'makes use of <span class="withheld">[name withheld]</span> who provides <em>visits</em>' in html
    assert '<li><span class="withheld">[name and email address withheld]</span> is the schools' in html
    assert "makes use of [name withheld] who provides visits" in markdown.text  # what search and checks read


def test_the_mark_is_escaped_text_inside_code_and_links():
    html = str(render("`[name withheld]` and [a [name withheld] link](/about/)")[0].html)
    assert "<code>[name withheld]</code>" in html
    assert '<a href="/about/">a <span class="withheld">[name withheld]</span> link</a>' in html


@pytest.mark.parametrize("odd", ["[Name withheld]", "[name witheld]", "[withheld]", "[email withheld]",
                                 "[details withheld by request]"])
def test_any_other_wording_of_the_mark_is_a_content_error(odd):
    findings = render(f"First line.\n\nMakes use of {odd} who visits.")[1]
    if "witheld" in odd:  # a misspelling is not recognisable as a mark; it is plain text
        assert findings == ()
        return
    assert [(f.line, f.message) for f in findings] == [
        (2, f"'{odd}' is not the mark for withheld personal data")]
    assert findings[0].expected == "[name withheld], or [name and email address withheld]"


def test_a_plan_with_another_wording_names_the_file_line_and_field(site_dir):
    write_plan(site_dir, """\
        - title: Fire safety visits
          lead: EP
          description: |
            Catch 22 makes use of
            [Volunteer's name withheld] who visits.
        """)
    with pytest.raises(ContentError) as info:
        load_site(site_dir)
    assert [str(p).split(": error: ")[0] for p in info.value.problems] == ["content/plans/2020-21.yaml:13:11"]
    assert "'[Volunteer's name withheld]' is not the mark for withheld personal data" in str(info.value.problems[0])


@pytest.mark.content
def test_every_mark_on_the_real_site_is_styled_and_no_invented_stand_in_is_left(content_build):
    pages = {path: data.decode() for path, data in content_build.files.items() if path.endswith(".html")}
    marked = 0
    for path, html in pages.items():
        body = html.split("<body", 1)[-1]  # a page's description, in its head, is plain text
        bare = re.sub(r'<span class="withheld">\[[^\]<]*withheld\]</span>', "", body)
        assert "withheld]" not in bare, f"{path}: a withheld mark outside its styled span"
        marked += html.count('<span class="withheld">')
        for invented in ("makes use of a volunteer", "Murder investigation"):
            assert invented not in html, f"{path}: {invented!r} stands where a name was withheld"
    assert marked, "no page shows a withheld mark (the about page explains it, so one at least should)"
