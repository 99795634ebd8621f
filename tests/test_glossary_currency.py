"""The glossary (its page, and abbreviations marked where a text first uses them) and how current the site says it is.

Builder behaviour on the fixture site, with the files a test is about written inline; the real
content only for what must always hold (its navigation spelled out, its labels as its glossary).
"""

from __future__ import annotations

import re

import pytest

from conftest import TEMPLATES, CompiledTemplates, edit, write, write_plan
from site_builder.build import SiteBuilder
from site_builder.glossary import Abbreviator
from site_builder.model import Term
from test_validation import problems

TERMS = (Term("IOM", "Integrated Offender Management"), Term("MAC", "Multi Agency Coordination"),
         Term("L-CAP", "Local Community Action Panel"), Term("CAP", "Community Action Panel"),
         Term("RAG", note='Not spelled out: "we" & <they> don\'t say.'))
IOM = '<abbr title="Integrated Offender Management">IOM</abbr>'
COMPILED = CompiledTemplates()  # the fixture is built a dozen times: its templates compiled once


def mark(html: str) -> str:
    return Abbreviator(TERMS)(html)


def test_the_first_use_in_a_text_is_marked_and_later_ones_are_not():
    assert mark("<p>The IOM scheme. IOM data.</p>\n<p>More IOM.</p>") == f"<p>The {IOM} scheme. IOM data.</p>\n<p>More IOM.</p>"


def test_plurals_and_possessives_are_marked_but_other_words_are_not():
    assert mark("<p>Two IOMs and the IOM's cases</p>") == f"<p>Two {IOM}s and the IOM's cases</p>"
    assert mark("<p>MACE, RAGS, XIOM, IOM-led, CAPITAL</p>") == "<p>MACE, RAGS, XIOM, IOM-led, CAPITAL</p>"
    assert mark("<p>NAP's became L-CAPs, not CAPs</p>") == (
        '<p>NAP\'s became <abbr title="Local Community Action Panel">L-CAP</abbr>s, not '
        '<abbr title="Community Action Panel">CAP</abbr>s</p>')


def test_of_terms_with_the_same_first_letter_the_longest_that_fits_is_marked():
    """The terms are grouped by first letter for the regex engine; within a group the longest is tried first."""
    terms = (Term("CS", "Community Safety"), Term("CSP", "Community Safety Partnership"),
             Term("CSPB", "Community Safety Partnership Board"), Term("C", "Crime"),
             Term("PSPO", "Public Spaces Protection Order"), Term("PSPOs", "the borough's orders"))
    assert Abbreviator(terms)("<p>CSPB, CSP, CSPs, CS and C; PSPOs</p>") == (
        '<p><abbr title="Community Safety Partnership Board">CSPB</abbr>, '
        '<abbr title="Community Safety Partnership">CSP</abbr>, CSPs, '
        '<abbr title="Community Safety">CS</abbr> and <abbr title="Crime">C</abbr>; '
        '<abbr title="the borough&#39;s orders">PSPOs</abbr></p>')
    page = "<main><h1>CSPs of C and CSPB</h1></main>"
    assert Abbreviator(terms).page(page) == (
        '<main><h1><abbr title="Community Safety Partnership">CSP</abbr>s of <abbr title="Crime">C</abbr> and '
        '<abbr title="Community Safety Partnership Board">CSPB</abbr></h1></main>')


def test_on_a_page_a_term_inside_a_longer_word_is_not_its_first_use():
    """Abbreviator.page finds terms without a look-behind and checks what comes before each itself."""
    page = ("<title>IOM</title><main><h1>XIOM, _IOM, 2IOM, -IOM, é-IOM, IOMX, IOM-led, XL-CAP, L-CAPs</h1>"
            "<p>MACE and the IOM</p></main>")
    assert Abbreviator(TERMS).page(page) == page.replace("L-CAPs", '<abbr title="Local Community Action Panel">'
                                                        "L-CAP</abbr>s").replace("the IOM", f"the {IOM}")


def test_on_a_page_a_use_where_no_abbr_may_stand_is_passed_over_and_one_marked_already_counts():
    """Abbreviator.page: a term in code, a drawing's title or a form's option is not its first use (the next
    is marked); a term already in an <abbr> is (none after it is marked); the elements are found in order."""
    page = ('<main><svg><title>IOM</title><path d="M0"/></svg><code>IOM</code><select><option>IOM</option></select>'
            '<p>the IOM, the IOM</p><p><abbr title="x">MAC</abbr> then MAC, <code>CAP</code></p>'
            '<pre><code>CAP</code> CAP</pre><p>CAP</p></main>')
    cap = '<abbr title="Community Action Panel">CAP</abbr>'
    assert Abbreviator(TERMS).page(page) == page.replace("<p>the IOM,", f"<p>the {IOM},").replace(
        "<p>CAP</p>", f"<p>{cap}</p>")


def test_links_headings_code_attributes_and_existing_abbrs_are_left_alone():
    html = ('<h3>IOM</h3><p><a href="/x/" title="IOM">the IOM</a> <code>IOM</code> '
            '<abbr title="x">IOM</abbr> <em>IOM</em></p>')
    assert mark(html) == html.replace("<em>IOM</em>", f"<em>{IOM}</em>")


def test_a_term_without_expansion_explains_itself_with_its_note_escaped():
    assert mark("<p>RAG</p>") == ('<p><abbr title="Not spelled out: &#34;we&#34; &amp; &lt;they&gt; don&#39;t say.">'
                                  'RAG</abbr></p>')


def test_an_empty_glossary_changes_nothing():
    assert Abbreviator(())("<p>IOM</p>") == "<p>IOM</p>"


def build(content, preview=False):
    return SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED, preview=preview).build()


def page(result, url: str) -> str:
    path = url.lstrip("/") + ("index.html" if url.endswith("/") else "")
    return result.files[path].decode()


def test_the_glossary_page_lists_terms_in_order_and_is_in_the_sitemap_and_footer(site_dir):
    write(site_dir, "glossary.yaml", """\
        terms:
          - abbreviation: RAG
            note: The plans do not spell it out.
          - abbreviation: IOM
            expansion: Integrated Offender Management
            note: Probation and police together.
        """)
    result = build(site_dir)
    html = page(result, "/glossary/")
    assert html.index('id="iom"') < html.index('id="rag"')
    assert "<dt>IOM</dt>\n    <dd>Integrated Offender Management. Probation and police together.</dd>" in html
    assert "<dt>RAG</dt>\n    <dd>The plans do not spell it out.</dd>" in html
    assert "<loc>https://example.test/glossary/</loc>" in result.files["sitemap.xml"].decode()
    assert '<a href="/glossary/">Glossary</a>' in page(result, "/")


def test_without_a_glossary_there_is_no_glossary_page_and_no_marks(site_dir):
    (site_dir / "glossary.yaml").unlink()
    result = build(site_dir)
    assert "glossary/index.html" not in result.files
    assert not any(b'href="/glossary/"' in data for data in result.files.values())


def test_the_first_use_on_a_page_is_marked_in_its_title_and_each_text_marks_its_own(site_dir):
    write(site_dir, "glossary.yaml", "terms:\n  - abbreviation: IOM\n    expansion: Integrated Offender Management\n")
    write_plan(site_dir, """\
        - title: IOM review
          description: The IOM met. The IOM reported.
          outcomes: "[IOM report](/plans/) then IOM figures."
        """)
    html = page(build(site_dir), "/plans/2020-21/initiatives/iom-review/")
    assert re.search(rf"<h1[^>]*>{re.escape(IOM)} review</h1>", html), "the page's first use: its title"
    assert f"<p>The {IOM} met. The IOM reported.</p>" in html
    assert f'<p><a href="/plans/">IOM report</a> then {IOM} figures.</p>' in html
    assert '<title>IOM review' in html, "the head is left alone"


def test_an_edit_to_the_glossary_reaches_the_rebuilt_pages_as_a_fresh_build(site_dir):
    write(site_dir, "glossary.yaml", "terms:\n  - abbreviation: IOM\n    expansion: Integrated Offender Management\n")
    write_plan(site_dir, "- title: Review\n  description: The IOM met.\n")
    builder = SiteBuilder(site_dir, TEMPLATES)
    builder.build()
    edit(site_dir / "glossary.yaml", "Integrated Offender Management", "Integrated Offender Management scheme")
    again = builder.build()
    assert again.files == build(site_dir).files
    assert '<abbr title="Integrated Offender Management scheme">IOM</abbr>' in page(again, "/plans/2020-21/initiatives/review/")


def test_a_term_twice_or_unexplained_is_reported_at_its_line(site_dir):
    write(site_dir, "glossary.yaml", """\
        terms:
          - abbreviation: IOM
            expansion: Integrated Offender Management
          - abbreviation: RAG
          - abbreviation: iom
            expansion: Something else
        """)
    found = problems(site_dir)
    assert len(found) == 2, found
    assert found[0].startswith("content/glossary.yaml:4:5: error: terms[1]: the abbreviation 'RAG' is not explained")
    assert "'note:'" in found[0]
    assert found[1] == ("content/glossary.yaml:5:19: error: terms[2].abbreviation: the abbreviation 'iom' is listed "
                        "twice (as 'IOM' too); expected each abbreviation once, whatever its case. Keep one of the "
                        "two entries.")


def test_an_abbreviation_with_other_characters_is_reported_at_its_line(site_dir):
    write(site_dir, "glossary.yaml", 'terms:\n  - abbreviation: "A&B"\n    expansion: Ampersand\n')
    assert problems(site_dir) == [
        "content/glossary.yaml:2:19: error: terms[0].abbreviation: found 'A&B'; expected an abbreviation of letters, "
        "digits and hyphens, as the plans print it. For example: PFCC"]


# ---- how current the site says it is ----

def test_the_footer_says_when_the_content_last_changed_from_the_content_not_the_clock(site_dir):
    edit(site_dir / "site.yaml", "updated: 2026-12-01", "updated: 2026-11-02")
    stamp = '<time datetime="2026-11-02">2 November 2026</time>'
    first = build(site_dir)
    assert f"Last updated {stamp}." in page(first, "/agencies/")
    assert build(site_dir).files == first.files  # the same content, the same bytes
    write_plan(site_dir, "- title: Late row\n  added: 2026-12-03\n")
    assert "Last updated <time datetime=\"2026-12-03\">3 December 2026</time>." in page(build(site_dir), "/")


def test_without_any_date_the_footer_says_nothing_of_it(site_dir):
    edit(site_dir / "site.yaml", "updated: 2026-12-01\n", "")
    assert "Last updated" not in page(build(site_dir), "/")


def test_home_and_plan_pages_name_the_latest_published_plan(site_dir):
    result = build(site_dir)
    assert 'Priorities from the <span class="nowrap">2021-22</span> plan, the latest published here</h2>' in page(result, "/")
    assert "It is the latest plan published here." in page(result, "/plans/2021-22/")
    older = page(result, "/plans/2020-21/")
    assert re.search(r'The latest plan published here is the <a href="/plans/2021-22/">[^<]*<span class="nowrap">'
                     r'2021-22</span></a>\.', older)


def test_a_draft_plan_names_the_latest_published_one_not_itself(site_dir):
    edit(site_dir / "plans/2021-22.yaml", 'period: "2021-22"\n', 'period: "2021-22"\ndraft: true\n')
    result = build(site_dir, preview=True)
    assert "The latest plan published here is the <a href=\"/plans/2020-21/\">" in page(result, "/plans/2021-22/")
    assert "It is the latest plan published here." in page(result, "/plans/2020-21/")


def test_ongoing_timings_and_statuses_are_read_as_at_their_plan(site_dir):
    write_plan(site_dir, """\
        - title: Patrols
          timing: October 2019 - Ongoing
          status: ongoing
        - title: Campaign
          timing: March 2021
        """)
    result = build(site_dir)
    caveat = '<span class="as-at">, as at the <span class="nowrap">2020-21</span> plan</span>'
    patrols = page(result, "/plans/2020-21/initiatives/patrols/")
    assert f"<dd>October 2019 - Ongoing{caveat}</dd>" in patrols
    assert f"<dd>Ongoing{caveat}</dd>" in patrols
    assert f"October 2019 - Ongoing{caveat}" in page(result, "/plans/2020-21/")
    assert "<dd>March 2021</dd>" in page(result, "/plans/2020-21/initiatives/campaign/")


# ---- the real content: what must always hold ----

@pytest.mark.content
def test_navigation_spells_out_every_abbreviation_of_the_glossary(content_build):
    terms = {t.abbreviation for t in content_build.site.glossary}
    for item in content_build.site.config.navigation:
        assert not terms & set(re.findall(r"[\w-]+", item.title)), f"the menu item {item.title!r} uses an abbreviation"


@pytest.mark.content
def test_the_builders_own_abbreviations_say_what_the_glossary_says(content_build):
    glossary = {t.abbreviation: t.title for t in content_build.site.glossary}
    used = re.findall(r'<abbr title="([^"]*)">([^<]*)</abbr>', (TEMPLATES / "macros.html").read_text())
    assert used
    for title, abbreviation in used:
        assert glossary.get(abbreviation, title) == title, f"macros.html spells out {abbreviation} unlike the glossary"


_TOKENS = re.compile(r"<(code|pre|option|select|textarea|script|style|svg)\b[^>]*>.*?</\1\s*>|<(/?)(\w+)[^>]*>|[^<]+", re.S)


@pytest.mark.content
def test_on_every_page_the_first_use_of_each_abbreviation_is_spelled_out(content_build):
    """Issue 12: the first use of an acronym on a page is an <abbr> with its expansion (the glossary page,
    which spells each out, aside)."""
    terms = {t.abbreviation for t in content_build.site.glossary}
    word = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, sorted(terms, key=len, reverse=True)))})(?=(?:s|['’]s)?(?![\w-]))")
    checked = 0
    for path, data in content_build.files.items():
        if not path.endswith(".html") or path == "glossary/index.html":
            continue
        html = data.decode()
        main = html[html.find("<main"):html.rfind("</main>")]
        seen, inside = set(), []
        for match in _TOKENS.finditer(main):
            if match.group(1):
                continue  # where no element may stand
            if match.group(3):
                if match.group(2):
                    inside = inside[:-1] if inside and inside[-1] == match.group(3) else inside
                elif match.group(3) == "abbr":
                    inside.append("abbr")
                continue
            for term in word.findall(match.group()):
                if term not in seen:
                    seen.add(term)
                    checked += 1
                    assert inside and inside[-1] == "abbr", f"/{path}: the first {term} is not spelled out"
    assert checked, "the site uses abbreviations of its glossary"
