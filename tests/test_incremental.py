"""Rebuilding after an edit gives exactly the files a fresh build gives, and redoes little.

Each test edits a copy of the rich fixture site (tests/fixtures/rich), whose text it may name.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import TEMPLATES, CompiledTemplates, edit, touch_later
from site_builder.build import SiteBuilder
from site_builder.problems import ContentError

COMPILED = CompiledTemplates()  # each builder here loads the templates, compiled once, from it

EDITS = [
    # (file, old text, new text): each a kind of change a comms officer makes
    ("plans/2021-22.yaml", "- title: MAC Panel", "- title: MAC Panel (renamed)"),
    ("plans/2021-22.yaml", "programme: keep-safe", "programme: sanctuary-scheme"),
    ("plans/2018-19.yaml", "scp_priorities: [1, 4]", "scp_priorities: [1, 3]"),
    ("plans/2019-20.yaml", "short_title: ASB and violent crime", "short_title: Violent crime and ASB"),
    ("agencies.yaml", "supporting people affected by drugs", "helping people affected by drugs"),
    ("topics.yaml", "name: Hate crime\n", "name: Hate crime and hate incidents\n"),
    ("programmes.yaml", "name: Keep Safe\n", "name: Keep Safe scheme\n"),
    ("site.yaml", "short_name: Example Safety\n", "short_name: Example Community Safety\n"),
    ("pages/about.md", "title:", "title: About"),
]


@pytest.fixture
def content(rich_dir):
    return rich_dir


def fresh(content) -> dict[str, bytes]:
    return SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED).build().files


@pytest.mark.parametrize("name, old, new", EDITS, ids=[e[0] + ":" + e[2][:20] for e in EDITS])
def test_rebuild_after_an_edit_equals_a_fresh_build(content, name, old, new):
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    first = builder.build()
    path = content / name
    edit(path, old, new)
    touch_later(path)
    second = builder.build()
    assert second.files == fresh(content)
    assert second.changed == {p for p, data in second.files.items() if first.files.get(p) != data}
    assert second.changed, "the edit changed nothing"


ALIASED = ("        lead: [Essex Police]\n        timing: October 2019", "        lead: &lead [Essex Police]\n        timing: October 2019",
           "        lead: [Colchester Borough Homes]\n        partners: [Essex Police]",
           "        lead: *lead\n        partners: [Essex Police]")


@pytest.mark.parametrize("edits", [
    [("      - title: MAC Panel\n", "      # a comment line: every row below moves down\n      - title: MAC Panel\n")],
    [("disrupt organised crime groups", "disrupt organised crime gangs")],
    [("      - title: MAC Panel\n        lead: [Essex Police]\n", "      - title: MAC Panel\n        lead: [Colchester Borough Homes]\n"),
     ("        lead: [Colchester Borough Homes]\n        partners: [Essex Police]", "        lead: [Essex Police]\n        partners: [Essex Police]")],
    [ALIASED[:2], ALIASED[2:], ("lead: &lead [Essex Police]", "lead: &lead [Colchester Borough Homes]")],
], ids=["rows moved down", "a word", "two rows' leads swapped", "an alias's anchor changed"])
def test_a_preview_load_after_edits_equals_a_fresh_load_to_every_place(content, edits):
    """A preview's load converts again only the groups of fields an edit changed (convert.Earlier): every
    value, and every place a message would point at, is what a fresh load gives, however the rows moved,
    and where a row's value is written elsewhere (an alias)."""
    from dataclasses import asdict

    from site_builder.load import ContentLoader

    loader = ContentLoader(content, drafts=True)
    loader.load()
    path = content / "plans/2021-22.yaml"
    for old, new in edits:
        edit(path, old, new)
        touch_later(path)
        again = loader.load()
        assert asdict(again) == asdict(ContentLoader(content, drafts=True).load()), (old, new)


def test_a_title_edit_re_renders_only_the_pages_that_show_it(content):
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    builder.build()
    path = content / "plans/2021-22.yaml"
    edit(path, "- title: MAC Panel", "- title: MAC Panel (renamed)")
    touch_later(path)
    result = builder.build()
    # the initiative (at its new address), its priority and plan pages, the agency that leads
    # it, the PFCC page, its topics, the search A to Z and the home page's plan: not the other 40-odd
    assert 5 <= result.rendered <= 20
    assert "plans/2021-22/initiatives/mac-panel-renamed/index.html" in result.changed
    assert "plans/2021-22/initiatives/mac-panel/index.html" in result.removed


def test_an_edit_to_the_pfcc_introduction_re_renders_only_the_pfcc_page(content):
    # Plan and priority pages name the PFCC plan but do not show its introduction: a page's
    # data holds only what its template shows, so they are not rendered again.
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    builder.build()
    path = content / "pfcc/2016-21.yaml"
    edit(path, "build safe and secure communities", "build safe, secure communities")
    touch_later(path)
    result = builder.build()
    assert result.rendered == 1
    assert {p for p in result.changed if p.endswith(".html")} == {"pfcc/2016-21/index.html"}


def test_nothing_changes_when_nothing_was_edited(content):
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    builder.build()
    touch_later(content / "plans/2021-22.yaml")  # saved without a change
    result = builder.build()
    assert result.rendered == 0 and result.changed == set() and result.removed == set()


def test_a_failed_rebuild_keeps_the_last_good_build(content):
    builder = SiteBuilder(content, TEMPLATES, bytecode_cache=COMPILED)
    good = builder.build()
    path = content / "plans/2021-22.yaml"
    text = path.read_text()
    path.write_text(text.replace("lead: [Essex Police]", "lead: [Essex Polce]", 1))
    touch_later(path)
    with pytest.raises(ContentError):
        builder.build()
    path.write_text(text)
    touch_later(path)
    again = builder.build()
    assert again.files == good.files and again.changed == set()


def test_a_template_edit_re_renders_every_page(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    builder = SiteBuilder(content, templates)
    first = builder.build()
    edit(templates / "macros.html", "Need help?", "Need help now?")
    touch_later(templates / "macros.html")
    second = builder.build()
    assert second.rendered == len(second.pages)
    assert second.files == SiteBuilder(content, templates).build().files
    assert "Need help now?" in second.files["index.html"].decode() and first.files != second.files


# ---- a one-off build (the build command) keeps nothing for a next build --------------------

@pytest.mark.parametrize("trial", [256, 2], ids=["as built", "every partial tried twice"])
def test_a_one_off_build_gives_its_pages_away_and_keeps_few_results(rich_dir, monkeypatch, trial, forks):
    """The pages given to on_page are the caller's (what it returns comes to on_done, the copy's too): not
    in the result, not kept; the partials kept are the most recent ONE_OFF_KEEP, and a kind never found
    again in its first TRIAL calls is not looked up any more. The files are those of a build that keeps
    everything."""
    from site_builder import reuse
    from site_builder.build import ONE_OFF_KEEP

    monkeypatch.setattr(reuse, "TRIAL", trial)

    kept = SiteBuilder(rich_dir, TEMPLATES, bytecode_cache=COMPILED).build()
    given: dict[str, bytes] = {}
    once = SiteBuilder(rich_dir, TEMPLATES, bytecode_cache=COMPILED, once=True)
    result = once.build(on_page=lambda name, html: html, on_done=given.__setitem__)
    assert given and not set(given) & set(result.files)
    assert {**given, **result.files} == kept.files and forks  # half its pages rendered by a forked copy
    assert once.reuse.keep == ONE_OFF_KEEP and len(once.reuse._now) <= ONE_OFF_KEEP
    if trial == 2:  # some kinds stopped being looked up, others were found again and still are
        tallies = once.reuse._tally.values()
        assert any(calls >= 2 and not again for calls, again in tallies)
        assert any(again for calls, again in tallies)
    again = once.build(on_page={}.__setitem__)
    assert again.rendered == len(again.pages)  # nothing was kept to reuse


def test_a_one_off_load_keeps_no_file_bytes_and_a_next_load_still_sees_an_edit(site_dir):
    from site_builder.load import ContentLoader

    loader = ContentLoader(site_dir)
    loader.once = True
    first = loader.load()
    assert all(src.data == b"" for src in loader.sources.values())
    plan = site_dir / "plans" / "2020-21.yaml"
    edit(plan, "title: Keep Safe", "title: Keep Safer")  # the same size, within the same second
    assert "'Keep Safer'" in repr(loader.load()) and "'Keep Safer'" not in repr(first)


@pytest.mark.parametrize("once", [True, False], ids=["one-off", "keeping"])
def test_a_one_off_build_loads_with_the_collector_paused(site_dir, once):
    """Only a one-off build pauses garbage collection while it loads (it lets go of nothing there);
    the collector is on again for the rendering, with the site frozen out of it until the build
    ends, and after a failed load."""
    import gc

    builder = SiteBuilder(site_dir, TEMPLATES, bytecode_cache=COMPILED, once=once)
    load, seen = builder.loader.load, []

    def watched():
        seen.append(gc.isenabled())
        return load()

    def on_page(name, data):  # rendering: a one-off build's site is frozen out of collections
        frozen.append(gc.get_freeze_count() > 0)

    builder.loader.load = watched
    frozen: list[bool] = []
    builder.build(on_page=on_page)
    assert seen == [not once] and gc.isenabled()
    assert set(frozen) == {once} and gc.get_freeze_count() == 0  # and nothing frozen once it ends
    edit(site_dir / "site.yaml", "name: Example Partnership", "name: [Example Partnership")
    with pytest.raises(ContentError):
        builder.build(on_page={}.__setitem__)
    assert gc.isenabled()


def test_reuse_finds_calls_by_their_arguments_hash_but_only_equal_arguments_hit():
    from site_builder.reuse import Reuse

    class Same:  # every one hashes alike: only equality tells them apart
        def __init__(self, n):
            self.n = n

        def __hash__(self):
            return 7

        def __eq__(self, other):
            return self.n == other.n

    made = []
    reuse = Reuse()

    def double(item):
        made.append(item.n)
        return 2 * item.n

    assert [reuse(double, Same(n)) for n in (1, 2, 2, 1)] == [2, 4, 4, 2]
    assert made == [1, 2, 1]  # 2 replaced 1 under their shared hash; the second 2 was found again


def test_a_bounded_reuse_keeps_the_most_recently_used_results():
    from site_builder.reuse import Reuse

    made = []
    reuse = Reuse(keep=2)

    def double(n):
        made.append(n)
        return 2 * n

    assert [reuse(double, n) for n in (1, 2, 1, 3, 1, 2)] == [2, 4, 2, 6, 2, 4]
    assert made == [1, 2, 3, 2]  # 1 was used again before 3 came, so 2 went first
    assert len(reuse._now) == 2


def test_a_one_off_reuse_stops_looking_up_a_kind_of_call_never_found_again(monkeypatch):
    from site_builder import reuse

    monkeypatch.setattr(reuse, "TRIAL", 3)
    memo, made = reuse.Reuse(keep=100), []

    def part(name, n):
        made.append((name, n))
        return f"{name}{n}"

    assert [memo(part, "item", n) for n in range(6)] == [f"item{n}" for n in range(6)]
    assert len(memo._now) == 3  # looked up (and kept) for the first three only
    assert [memo(part, "header", 0) for _ in range(5)] == ["header0"] * 5
    assert made.count(("header", 0)) == 1  # a kind found again is still looked up
    assert memo(part, "item", 0) == "item0" and made.count(("item", 0)) == 2


def test_a_one_off_build_compiles_the_templates_in_a_copy_while_it_loads(site_dir, forks, monkeypatch):
    """The templates need no content: a copy compiles them from the start, and the builder, once the
    content is loaded, compiles none itself."""
    import jinja2

    builder = SiteBuilder(site_dir, TEMPLATES, once=True)
    load, copies_at_load, compiled_here = builder.loader.load, [], []

    def watched():
        copies_at_load.append(len(forks))
        return load()

    def compile_here(self, *args, **kwargs):
        compiled_here.append(args)
        return compile_(self, *args, **kwargs)

    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", compile_here)
    builder.loader.load = watched
    pages: dict[str, bytes] = {}
    builder.build(on_page=pages.__setitem__)
    assert copies_at_load == [1] and not compiled_here and pages
