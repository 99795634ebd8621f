"""A one-off build renders on both cores (site_builder/twocores.py): a forked copy renders the runs of pages it takes."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

from site_builder.twocores import render_in_two

ITEMS = [(f"page-{n}.html", n) for n in range(41)]


def _collect(render):
    given: list[tuple[str, bytes]] = []
    render_in_two(ITEMS, render, lambda name, data: given.append((name, data)))
    return given


def _slow_here(me: int, seconds: float):
    """A render that takes `seconds` over page 0 in this process: the builder's first run is the first four
    pages, and the copy takes the next runs meanwhile."""
    def slow(n):
        if n == 0 and os.getpid() == me:
            time.sleep(seconds)
    return slow


def test_every_page_comes_in_order_made_by_either_process_as_each_is_free(forks):
    me = os.getpid()
    slow = _slow_here(me, 0.5)
    given = _collect(lambda n: slow(n) or time.sleep(0.002) or f"{n} {os.getpid()}".encode())
    assert [name for name, _ in given] == [name for name, _ in ITEMS]
    assert [int(data.split()[0]) for _, data in given] == list(range(41))
    makers = [int(data.split()[1]) for _, data in given]
    # Runs of four: the builder's first, then the copy took runs while the builder was slow.
    assert set(makers[:4]) == {me} and len(set(makers[4:8])) == 1 and me not in makers[4:8]
    assert len(set(makers)) == 2 and forks


def test_a_page_the_copy_cannot_render_is_rendered_here_and_raises_its_own_error(forks):
    me = os.getpid()
    slow = _slow_here(me, 0.5)

    def render(n):
        slow(n)
        if n == 7:
            raise ValueError(f"page 7 is wrong ({'here' if os.getpid() == me else 'in the copy'})")
        return str(os.getpid()).encode()

    given = []
    with pytest.raises(ValueError, match=r"page 7 is wrong \(here\)"):
        render_in_two(ITEMS, render, lambda name, data: given.append((name, data)))
    assert [name for name, _ in given] == [name for name, _ in ITEMS[:7]]  # every page before it, in order
    assert given[4][1] != str(me).encode() and forks  # the copy had page 7's run


def test_where_the_copy_dies_the_rest_is_rendered_here(forks):
    me = os.getpid()
    slow = _slow_here(me, 0.5)

    def render(n):
        slow(n)
        if n == 9 and os.getpid() != me:
            os._exit(9)  # killed, out of memory: no word sent
        return f"{n} {os.getpid() == me}".encode()

    given = _collect(render)
    assert [name for name, _ in given] == [name for name, _ in ITEMS]
    made_here = [data.split()[1] == b"True" for _, data in given]
    assert made_here[:4] == [True] * 4 and made_here[4:9] == [False] * 5 and all(made_here[9:])


def test_a_failure_here_stops_the_copy_and_is_raised(forks):
    me = os.getpid()
    slow = _slow_here(me, 0.5)
    copies = []

    def on_page(name, data):
        if int(data) != me:
            copies.append(int(data))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_in_two(ITEMS, lambda n: slow(n) or str(os.getpid()).encode(), on_page)
    with pytest.raises(ProcessLookupError):  # stopped and waited for: not even a zombie is left
        os.kill(copies[0], 0)


def test_with_other_threads_running_nothing_is_forked():
    me = os.getpid()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        given = _collect(lambda n: str(os.getpid()).encode())
    finally:
        stop.set()
        other.join()
    assert {data for _, data in given} == {str(me).encode()}


def test_a_template_error_on_a_page_the_copy_renders_is_reported_as_ever(tmp_path, monkeypatch, capsys, forks):
    """The build command: the error names the template, its line and the page; output/ is as it was."""
    from conftest import FIXTURE, TEMPLATES, read_tree
    from site_builder.build import SiteBuilder
    from site_builder.cli import main
    from site_builder.urls import output_path

    shutil.copytree(FIXTURE, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-cache"]) == 0
    before = read_tree(tmp_path / "output")
    pages = sorted(SiteBuilder(tmp_path / "content", tmp_path / "templates").build().pages,
                   key=lambda page: output_path(page.url))
    wrong = next(page.url for number, page in enumerate(pages) if number % 2 and number > len(pages) // 2)
    base = tmp_path / "templates" / "base.html"
    lines = base.read_text().splitlines(keepends=True)
    lines.insert(1, f'{{% if page.url == "{wrong}" %}}{{{{ no_such_value }}}}{{% endif %}}\n')
    base.write_text("".join(lines))

    assert main(["build", "--no-cache"]) == 1
    said = capsys.readouterr().err
    assert "templates/base.html:2:1" in said and "no_such_value" in said and f"making the page {wrong}" in said
    assert read_tree(tmp_path / "output") == before
    assert forks  # the copy rendered pages


def test_where_the_system_refuses_a_fork_every_page_is_rendered_here(monkeypatch):
    import gc

    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    given = _collect(lambda n: str(os.getpid()).encode())
    assert {data for _, data in given} == {str(os.getpid()).encode()} and len(given) == len(ITEMS)
    assert gc.get_freeze_count() == 0


def test_the_templates_come_compiled_from_a_copy_and_the_pages_are_as_ever(forks, monkeypatch):
    """A one-off build has its templates compiled by a forked copy while it decides the pages."""
    import jinja2

    from conftest import FIXTURE, TEMPLATES
    from site_builder.build import SiteBuilder

    here, compile_here = [], jinja2.Environment.compile  # what this process compiles (the copy's calls stay there)
    monkeypatch.setattr(jinja2.Environment, "compile", lambda env, source, name=None, *args, **kwargs:
                        here.append(name) or compile_here(env, source, name, *args, **kwargs))
    given: dict[str, bytes] = {}
    SiteBuilder(FIXTURE, TEMPLATES, once=True).build(on_page=given.__setitem__)
    assert here == [] and len(forks) == 4  # the checker, the compiler, the open data's maker and the renderer
    alone = SiteBuilder(FIXTURE, TEMPLATES).build()  # compiles the templates itself
    assert sorted(here) == sorted(p.name for p in TEMPLATES.glob("*.html"))
    assert given == {name: alone.files[name] for name in given}


@pytest.mark.parametrize("copies", [True, False], ids=["forked", "alone"])
def test_every_template_syntax_error_of_a_one_off_build_is_reported_together(tmp_path, monkeypatch, capsys,
                                                                              copies, request):
    from conftest import FIXTURE, TEMPLATES, read_tree
    from site_builder.cli import main

    if copies:
        request.getfixturevalue("forks")
    shutil.copytree(FIXTURE, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-cache"]) == 0
    before = read_tree(tmp_path / "output")
    for name in ("plan.html", "macros.html"):
        template = tmp_path / "templates" / name
        template.write_text(template.read_text().replace("{% endmacro %}", "{% endmacro", 1)
                            if name == "macros.html" else "{% if %}\n" + template.read_text())
    assert main(["build", "--no-cache"]) == 1
    said = capsys.readouterr().err
    assert "templates/plan.html:1:1" in said and "templates/macros.html:" in said and "Traceback" not in said
    assert read_tree(tmp_path / "output") == before


def test_the_open_data_comes_made_by_a_copy_and_is_the_builders_own(forks, monkeypatch):
    from conftest import RICH, TEMPLATES
    from site_builder import build

    here, make = [], build.make_open_data  # what this process makes (the copy's calls stay there)
    monkeypatch.setattr(build, "make_open_data", lambda *args: here.append(args) or make(*args))
    given: dict[str, bytes] = {}
    result = build.SiteBuilder(RICH, TEMPLATES, once=True).build(on_page=given.__setitem__)
    assert here == [] and forks
    alone = build.SiteBuilder(RICH, TEMPLATES).build()
    data = {name for name in alone.files if name.startswith("data/") and name not in given}
    assert data and {name: result.files[name] for name in data} == {name: alone.files[name] for name in data}
