"""Each test leaves the garbage collector as the run began (tests/conftest.py checks after every test)."""

from __future__ import annotations

import gc
import shutil

import pytest

from conftest import FIXTURE, GC_AT_START, TEMPLATES, gc_left_as, gc_state


def test_the_run_starts_with_the_collector_enabled_and_nothing_frozen():
    assert GC_AT_START == (True, 0, gc.get_threshold()) == gc_state()


def test_a_test_that_changes_how_often_the_collector_runs_fails_and_it_is_put_back():
    with pytest.raises(AssertionError, match="collecting at"):
        with gc_left_as(GC_AT_START):
            gc.set_threshold(50_000)
    assert gc_state() == GC_AT_START


def test_a_test_that_disables_the_collector_fails_and_it_is_enabled_again():
    with pytest.raises(AssertionError, match="left disabled"):
        with gc_left_as(GC_AT_START):
            gc.disable()
    assert gc_state() == GC_AT_START


def test_a_test_that_freezes_objects_fails_and_they_are_unfrozen():
    with pytest.raises(AssertionError, match="objects frozen"):
        with gc_left_as(GC_AT_START):
            gc.freeze()
    assert gc_state() == GC_AT_START


@pytest.fixture(scope="module")
def disabled_by_a_module_fixture():
    """As a shared fixture that disabled the collector did: set up before the test's own fixtures."""
    gc.disable()


def test_a_shared_fixture_that_disables_the_collector_is_caught(request):
    with pytest.raises(AssertionError, match="left disabled"):
        with gc_left_as(GC_AT_START):
            request.getfixturevalue("disabled_by_a_module_fixture")
    assert gc_state() == GC_AT_START


def test_a_build_through_the_command_line_leaves_the_collector_as_it_was(tmp_path):
    from site_builder.cli import main

    with gc_left_as(GC_AT_START):
        assert main(["build", "--content", str(FIXTURE), "--templates", str(TEMPLATES), "--out",
                     str(tmp_path / "out"), "--no-cache", "--no-search"]) == 0


def test_a_build_the_command_line_refuses_or_that_fails_leaves_the_collector_as_it_was(tmp_path):
    """The build command freezes what importing the builder made (cli._build): given an output folder it
    refuses, or content with a mistake, it unfreezes them as it ends, as after a build that succeeds."""
    from site_builder.cli import EXIT_CONTENT, EXIT_USAGE, main

    broken = tmp_path / "content"
    shutil.copytree(FIXTURE, broken)
    (broken / "site.yaml").write_text("name: [unclosed\n")
    for out, content, code in ((FIXTURE, FIXTURE, EXIT_USAGE), (tmp_path / "out", broken, EXIT_CONTENT)):
        with gc_left_as(GC_AT_START):
            assert main(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out),
                         "--no-cache", "--no-search"]) == code


def test_a_one_off_build_leaves_no_young_objects_for_the_collector_to_walk_as_it_ends(tmp_path):
    """A one-off build collects every 50,000 new objects while it renders; set back to every 700 at its end,
    the collector would at once walk the up to 50,000 made since its last run (2.8 ms of the builder alone at
    1,000 initiatives). They are put with the oldest, which only a full collection walks."""
    from site_builder.build import SiteBuilder

    every = gc.get_threshold()[0]
    backlog = []

    def seen(phase, info):  # a collection of the young that starts with many times its threshold of them
        if phase == "start" and info["generation"] == 0 and gc.get_threshold()[0] == every:
            if (young := len(gc.get_objects(0))) > 3 * every:
                backlog.append(young)

    with gc_left_as(GC_AT_START):
        builder = SiteBuilder(FIXTURE, TEMPLATES, once=True)
        kept = []  # young objects that live till the build's end, as a build's last pages' do
        gc.callbacks.append(seen)
        try:
            builder.build(on_page=lambda path, data: kept.extend([] for _ in range(100)))
            assert len(kept) > 3 * every
            [[] for _ in range(2 * every)]  # a young collection is due by now in any case
        finally:
            gc.callbacks.remove(seen)
    assert backlog == []
