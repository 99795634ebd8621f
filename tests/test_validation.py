"""Each kind of content mistake gives one exact, actionable message with file:line:col.

Each test writes the file its message is about inline, so the line and column it expects can be
counted in the test, and a line added to the fixture site moves none of them.
"""

from __future__ import annotations

import pytest

from conftest import edit, write, write_plan, write_plan_2021
from site_builder.load import load_site
from site_builder.problems import ContentError


def problems(content) -> list[str]:
    """Load the content and return every problem as its one-line message."""
    with pytest.raises(ContentError) as info:
        load_site(content)
    return [str(p) for p in info.value.problems]


def test_fixture_is_valid(site_dir):
    site = load_site(site_dir)
    assert [p.period for p in site.plans] == ["2021-22", "2020-21"]


def test_yaml_syntax_error_names_the_line_and_explains(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                timing: Ongoing: from 2019
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:10:24: error: YAML syntax error: mapping values are not allowed in this context; "
        "expected a colon followed by a space inside a value. Put quotes around a value that contains ': ', "
        "or check the indentation of this line."]


def test_tab_indentation_is_explained(site_dir):
    write(site_dir, "topics.yaml", "topics:\n\t- id: asb\n    name: Anti-social behaviour\n")
    assert problems(site_dir) == [
        "content/topics.yaml:2:1: error: YAML syntax error: a tab character is used for indentation; "
        "expected spaces for indentation. Replace the tab character with spaces."]


def test_duplicate_key_is_rejected(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                timing: Ongoing
                timing: Later
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:12:9: error: priorities[0].initiatives[0].timing: 'timing' is given twice; "
        "expected each field once. Remove one of them: only one can be used."]


def test_unknown_key_suggests_the_field_meant(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                timeing: Ongoing
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:11:9: error: priorities[0].initiatives[0].timeing: unknown field 'timeing'; "
        "expected a field of a project, operation, campaign or event: one row of a plan's table. "
        "Did you mean 'timing'?"]


def test_wrong_type_says_what_was_found(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                scp_priorities: [1, two]
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:11:29: error: priorities[0].initiatives[0].scp_priorities[1]: "
        "found 'two'; expected a whole number from 1, like 1"]


def test_a_list_where_an_agency_is_expected_says_so_in_good_english(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [[CBC]]
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:10:16: error: priorities[0].initiatives[0].lead[0]: "
        "found a list; expected the id or name of an agency"]


def test_list_expected(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                scp_priorities: 1 and 2
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:11:25: error: priorities[0].initiatives[0].scp_priorities: "
        "found '1 and 2'; expected a list. Write the items in square brackets, [a, b], or one per line "
        "starting with '- '."]


def test_missing_required_field(site_dir):
    write(site_dir, "plans/2020-21.yaml", """\
        period: "2020-21"
        title: Annual Partnership Plan 2020-21
        document: Example Plan 2020-21
        priorities:
          - number: 1
            title: Tackling county lines
            initiatives:
              - title: Keep Safe
                lead: [CBC]
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:5:5: error: priorities[0].short_title: the required field 'short_title' "
        "is missing; expected a 'short_title:' line in this item"]


def test_empty_value(site_dir):
    write_plan(site_dir, """\
              - title:
                lead: [CBC]
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:9:15: error: priorities[0].initiatives[0].title: this field is empty; "
        "expected a text. Write a value after the colon, or remove the field."]


def test_unknown_agency_suggests_the_agency_meant(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [Essex Polce]
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:10:16: error: priorities[0].initiatives[0].lead[0]: unknown agency "
        "'Essex Polce'; expected an id, name or alias from content/agencies.yaml. Did you mean 'Essex Police'?"]


def test_agency_in_lookalike_letters_is_explained(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [\u0421\u0412\u0421]
        """)  # Cyrillic
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:10:16: error: priorities[0].initiatives[0].lead[0]: unknown agency "
        "'\u0421\u0412\u0421'; expected an id, name or alias from content/agencies.yaml. '\u0421\u0412\u0421' "
        "contains letters from another alphabet that look like Latin ones (often from copying out of a PDF). "
        "Did you mean 'CBC'?"]


def test_unknown_programme_and_topic(site_dir):
    write(site_dir, "plans/2020-21.yaml", """\
        period: "2020-21"
        title: Annual Partnership Plan 2020-21
        document: Example Plan 2020-21
        priorities:
          - number: 1
            title: Tackling county lines
            short_title: County lines
            topics: [anti-social]
            initiatives:
              - title: Keep Safe
                lead: [CBC]
                programme: keep-saf
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:8:14: error: priorities[0].topics[0]: unknown topic 'anti-social'; "
        "expected an id, name or alias from content/topics.yaml. Did you mean 'Anti-social behaviour'?",
        "content/plans/2020-21.yaml:12:20: error: priorities[0].initiatives[0].programme: unknown programme "
        "'keep-saf'; expected an id, name or alias from content/programmes.yaml. Did you mean 'keep-safe'?",
    ]


def test_priority_number_the_plan_lacks(site_dir):
    write(site_dir, "plans/2020-21.yaml", """\
        period: "2020-21"
        title: Annual Partnership Plan 2020-21
        document: Example Plan 2020-21
        priorities:
          - number: 1
            title: Tackling county lines
            short_title: County lines
            initiatives:
              - title: Keep Safe
                lead: [CBC]
                scp_priorities: [1, 3]
          - number: 2
            title: Reducing anti-social behaviour
            short_title: Anti-social behaviour
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:11:29: error: priorities[0].initiatives[0].scp_priorities[1]: this plan "
        "has no priority 3; expected one of this plan's priority numbers: 1, 2"]


def test_pfcc_priority_the_pfcc_plan_lacks(site_dir):
    write_plan_2021(site_dir, """\
          - title: Keep Safe relaunch
            lead: EP
            pfcc_priorities: [8]
        """, pfcc_plan="2016-21")
    assert problems(site_dir) == [
        "content/plans/2021-22.yaml:12:23: error: initiatives[0].pfcc_priorities[0]: the PFCC plan 2016-21 has "
        "no priority 8; expected one of its priority numbers: 1, 2"]


def test_unknown_pfcc_plan(site_dir):
    write_plan_2021(site_dir, """\
          - title: Keep Safe relaunch
            lead: EP
        """, pfcc_plan="2016-20")
    assert problems(site_dir) == [
        "content/plans/2021-22.yaml:4:12: error: pfcc_plan: unknown PFCC plan '2016-20'; expected the name of "
        "a file in content/pfcc/ without .yaml. Did you mean '2016-21'?"]


def test_duplicate_initiative_id(site_dir):
    write_plan_2021(site_dir, """\
          - title: Keep Safe relaunch
            lead: EP
          - title: Keep Safe relaunch
            lead: EP
        """)
    assert problems(site_dir) == [
        "content/plans/2021-22.yaml:11:12: error: initiatives[1].title: two initiatives of this plan have the id "
        "'keep-safe-relaunch'; expected a different id for each initiative. The other is at line 9. Give one "
        "of them an 'id:' line, like 'id: keep-safe-relaunch-2'."]


def test_unsafe_link_scheme_in_links_and_in_markdown(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  Safe places in town. See [the plans](data:text/html,hi).
        """)
    write_plan_2021(site_dir, """\
          - title: Keep Safe relaunch
            lead: EP
            links:
              - title: Keep Safe
                url: javascript:alert(1)
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:12:48: error: priorities[0].initiatives[0].description: unsafe link "
        "'data:text/html,hi': links starting with 'data:' are not allowed; expected a link starting with "
        "https://, http://, mailto: or /",
        "content/plans/2021-22.yaml:13:14: error: initiatives[0].links[0].url: unsafe link 'javascript:alert(1)': "
        "links starting with 'javascript:' are not allowed; expected a link starting with https://, http://, "
        "mailto: or /",
    ]


def test_raw_html_in_markdown_is_refused(site_dir):
    write(site_dir, "plans/2020-21.yaml", """\
        period: "2020-21"
        title: Annual Partnership Plan 2020-21
        document: Example Plan 2020-21
        priorities:
          - number: 1
            title: Tackling county lines
            short_title: County lines
            summary: |
              <p>Work against county lines.</p>
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:9:7: error: priorities[0].summary: HTML tags are not allowed in text; "
        "expected Markdown (a blank line between paragraphs, '- ' for list items). The tag would show as typed; "
        "remove it."]


def test_period_that_disagrees_with_the_file_name(site_dir):
    write(site_dir, "plans/2021-22.yaml", """\
        period: "2022-23"
        title: Annual Partnership Plan 2021-22
        document: Example Plan 2021-22
        priorities:
          - number: 1
            title: Tackling anti-social behaviour
            short_title: Anti-social behaviour
        """)
    assert problems(site_dir) == [
        "content/plans/2021-22.yaml:1:9: error: period: '2022-23' does not match the file name '2021-22.yaml'; "
        "expected period: 2021-22 (the period and the file name must agree). Change the period or rename the "
        "file to 2022-23.yaml."]


def test_root_must_be_a_mapping(site_dir):
    (site_dir / "topics.yaml").write_text("- id: asb\n  name: ASB\n")
    assert problems(site_dir) == [
        "content/topics.yaml:1:1: error: found a list; expected fields of content/topics.yaml: the shared list of "
        "topics ('name: value' lines)"]


def test_personal_data_is_refused(site_dir):
    write_plan(site_dir, """\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  Safe places in town. Contact Jane Example on jane@example.com or 07700 900123.
        """)
    assert problems(site_dir) == [
        "content/plans/2020-21.yaml:12:40: error: priorities[0].initiatives[0].description: 'Jane Example' is the name of a person whose name must not be "
        "published; expected a role or an agency instead of a person's name. Write their role (for example 'an "
        "Essex Police inspector') or their agency.",
        "content/plans/2020-21.yaml:12:56: error: priorities[0].initiatives[0].description: the email address 'jane@example.com' may be personal data; "
        "expected only the team mailboxes listed in site.yaml's allowed_emails. Write the partnership's team "
        "mailbox instead, or add a team mailbox to allowed_emails.",
        "content/plans/2020-21.yaml:12:76: error: priorities[0].initiatives[0].description: the phone number '07700 900123' may be personal data; expected "
        "only the help numbers listed in site.yaml. Remove it, or add it to help_numbers in site.yaml if it is a "
        "public service number.",
    ]


def test_allowed_email_and_help_number_pass(site_dir):
    edit(site_dir / "plans/2020-21.yaml", "Safe places in town.",
         "Safe places in town. Email team@example.test or call 0800 555 111 or 101.")
    load_site(site_dir)


def test_every_error_of_every_file_is_reported_together(site_dir):
    write(site_dir, "agencies.yaml", """\
        agencies:
          - id: essex-police
            name: Essex Police
            kind: police
            aliases: [EP]
          - id: colchester-borough-council
            name: Colchester Borough Council
            short_name: CBC
            kind: council
          - id: open-road
            name: Open Road
            kind: charity
        """)
    edit(site_dir / "plans/2020-21.yaml", "lead: [CBC]", "lead: [Essex Polce]")
    edit(site_dir / "plans/2021-22.yaml", "lead: EP", "lead: PE")
    found = problems(site_dir)
    assert [m.split(": error")[0] for m in found][0] == "content/agencies.yaml:12:11"
    assert [m.split(": error")[0].split(":")[0] for m in found] == [
        "content/agencies.yaml", "content/plans/2020-21.yaml", "content/plans/2021-22.yaml"]
