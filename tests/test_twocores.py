"""A one-off build makes its pages on both cores (site_builder/twocores.py): a forked copy makes the runs of pages it takes."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

from site_builder.twocores import make_in_two

ITEMS = [(f"page-{n}.html", n) for n in range(41)]


def _collect(work):
    """What make_in_two gives on_done, each checked to be given in this process."""
    me, given = os.getpid(), []

    def on_done(name, data):
        assert os.getpid() == me
        given.append((name, data))

    make_in_two(ITEMS, lambda name, n: work(n), on_done)
    return given


def _slow_once_here(me: int, seconds: float):
    """A wait of `seconds` on the first item this process does after its first run of four (done before
    the copy is made): the copy takes the next runs meanwhile."""
    waited = []

    def slow(n):
        if n >= 4 and os.getpid() == me and not waited:
            waited.append(n)
            time.sleep(seconds)
    return slow


def test_every_item_is_done_once_by_either_process_as_each_is_free_and_given_in_order(forks):
    me = os.getpid()
    slow = _slow_once_here(me, 0.5)
    given = _collect(lambda n: slow(n) or time.sleep(0.002) or f"{n} {os.getpid()}".encode())
    assert [int(data.split()[0]) for _, data in given] == list(range(41))  # each once, in order
    assert all(name == f"page-{data.split()[0].decode()}.html" for name, data in given)
    makers = {int(data.split()[0]): int(data.split()[1]) for _, data in given}
    assert [makers[n] for n in range(4)] == [me] * 4, "the first run is done here, before the copy is made"
    assert len(set(makers.values())) == 2 and forks
    assert sum(maker != me for maker in makers.values()) >= 8, "the copy took runs while this process was slow"


def test_meanwhile_is_done_here_once_while_the_copy_takes_runs(forks):
    """make_in_two's meanwhile (a build's files besides its pages) is called once, in this process, after the
    copy is made: the copy takes runs while it goes on; and once where no copy can be made."""
    me, calls = os.getpid(), []
    done_by = {}

    def meanwhile():
        calls.append(os.getpid())
        time.sleep(0.3)  # the copy, made before this is called, works through the runs meanwhile

    def on_done(name, data):
        done_by[name] = int(data)

    make_in_two(ITEMS, lambda name, n: str(os.getpid()).encode(), on_done, meanwhile=meanwhile)
    assert calls == [me] and len(done_by) == len(ITEMS) and forks
    assert sum(maker != me for maker in done_by.values()) >= len(ITEMS) - 8, "the copy made the pages meanwhile"


def test_meanwhile_is_done_where_no_copy_is_made(monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(BlockingIOError(11, "refused")))
    calls = []
    make_in_two(ITEMS, lambda name, n: b"", lambda name, data: None, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()]


def test_an_item_the_copy_fails_on_is_done_here_and_raises_its_own_error(forks):
    """Item 13 is in run 3: this process takes run 1 or 2 at most before it waits, so the copy has it."""
    me = os.getpid()
    slow = _slow_once_here(me, 0.5)
    copies = []

    def work(n):
        slow(n)
        if os.getpid() != me:
            copies.append(n)
        if n == 13:
            raise ValueError(f"item 13 is wrong ({'here' if os.getpid() == me else 'in the copy'})")
        return str(os.getpid()).encode()

    given = []
    with pytest.raises(ValueError, match=r"item 13 is wrong \(here\)"):
        make_in_two(ITEMS, lambda name, n: work(n), lambda name, data: given.append((name, data)))
    assert [name for name, _ in given] == [name for name, _ in ITEMS[:13]]  # the items before it, in order
    assert any(data != str(me).encode() for _, data in given) and forks  # the copy's items came back


def test_where_the_copy_dies_what_it_left_is_done_here(forks):
    me = os.getpid()
    slow = _slow_once_here(me, 0.5)

    def work(n):
        slow(n)
        if n == 13 and os.getpid() != me:
            os._exit(9)  # killed, out of memory: no word sent
        return f"{n} {os.getpid() == me}".encode()

    given = _collect(work)
    assert [int(data.split()[0]) for _, data in given] == list(range(41))  # each once, in order
    here = {int(data.split()[0]): data.split()[1] == b"True" for _, data in given}
    assert here[12] is False and here[13] is True and all(here[n] for n in range(14, 41))


def test_a_failure_here_stops_the_copy_and_is_raised(forks):
    me = os.getpid()
    slow = _slow_once_here(me, 0.5)
    copies = []

    def on_done(name, data):
        if int(data) != me:
            copies.append(int(data))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_in_two(ITEMS, lambda name, n: slow(n) or str(os.getpid()).encode(), on_done)
    with pytest.raises(ProcessLookupError):  # stopped and waited for: not even a zombie is left
        os.kill(copies[0], 0)


def test_what_the_copy_returns_is_read_as_it_comes_so_a_full_pipe_never_stops_it(forks):
    """Each item returns 64 KB, and this process is slow: unread, the copy's pipe (1 MB) would be full after
    16 items, and this process would do the rest. It reads the pipe after each of its runs."""
    me = os.getpid()

    def work(n):
        if os.getpid() == me and n >= 4:
            time.sleep(0.05)
        return b"%d %d " % (n, os.getpid()) + bytes(64 << 10)

    given = _collect(work)
    assert [int(data.split()[0]) for _, data in given] == list(range(41))
    assert all(len(data) == len(data.split()[0]) + len(data.split()[1]) + 2 + (64 << 10) for _, data in given)
    assert sum(int(data.split()[1]) != me for _, data in given) >= 24  # unread: 16 or 17


def test_while_this_process_does_other_work_the_copy_goes_on_though_its_pipe_is_full(forks):
    """Each item returns 64 KB, and this process does half a second of other work (meanwhile) before it
    reads the pipe: the copy keeps what the pipe (1 MB, 16 items) has no room for, and goes on."""
    me = os.getpid()
    done_by = {}

    def on_done(name, data):
        done_by[name] = int(data.split()[1])

    make_in_two(ITEMS, lambda name, n: b"%d %d " % (n, os.getpid()) + bytes(64 << 10), on_done,
                meanwhile=lambda: time.sleep(0.5))
    assert len(done_by) == len(ITEMS) and forks
    # All but the first run, unless the machine is very slow; stopped by its full pipe, the copy did 16 or 17.
    assert sum(maker != me for maker in done_by.values()) >= 30


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
    SiteBuilder(FIXTURE, TEMPLATES, once=True).build(on_page=lambda name, html: html, on_done=given.__setitem__)
    assert here == [] and len(forks) == 4  # the checker, the compiler, the open data's maker and the renderer
    alone = SiteBuilder(FIXTURE, TEMPLATES).build()  # compiles the templates itself
    assert sorted(here) == sorted(p.name for p in TEMPLATES.glob("*.html"))
    assert given == alone.files  # every page, the copy's too, and every other file


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


def test_the_open_data_comes_made_by_a_copy_and_every_other_file_is_given_while_the_copy_makes_pages(forks,
                                                                                                     monkeypatch):
    """The open data is made by a copy of its own; it and the other files (the web editor's, the sitemap...) are
    given to on_page in this process once the copy making pages is at work (twocores.make_in_two's
    meanwhile), and the build keeps none of them: they are what a build alone makes."""
    from conftest import RICH, TEMPLATES
    from site_builder import build

    here, make = [], build.make_open_data  # what this process makes (the copy's calls stay there)
    monkeypatch.setattr(build, "make_open_data", lambda *args: here.append(args) or make(*args))
    written_here: dict[str, int] = {}  # on_page's calls in this process (the copy's stay there): forks made by then
    given: dict[str, bytes] = {}
    result = build.SiteBuilder(RICH, TEMPLATES, once=True).build(
        on_page=lambda name, data: (written_here.setdefault(name, len(forks)), data)[1], on_done=given.__setitem__)
    assert here == [] and len(forks) == 4
    alone = build.SiteBuilder(RICH, TEMPLATES).build()
    others = {name for name in alone.files if not name.endswith(".html") or name.startswith("admin/")}
    assert {name for name in others if name.startswith("data/")} and {"sitemap.xml", "_headers"} <= others
    assert {name: written_here.get(name) for name in others} == dict.fromkeys(others, 4)  # after the renderer's fork
    assert given == alone.files and result.files == {}


def test_the_copy_makes_pages_while_the_builder_makes_the_other_files(forks, monkeypatch):
    """The other files are made once the copy making pages is at work, not before it is made nor after the
    pages: with the web editor's files made slowly, the copy makes all the pages but the first run."""
    import time

    from conftest import RICH, TEMPLATES
    from site_builder import build

    made = build.admin_files
    monkeypatch.setattr(build, "admin_files", lambda *args: time.sleep(0.5) or made(*args))
    maker: dict[str, int] = {}
    build.SiteBuilder(RICH, TEMPLATES, once=True).build(on_page=lambda name, data: str(os.getpid()).encode(),
                                                        on_done=lambda name, pid: maker.setdefault(name, int(pid)))
    pages = {name: pid for name, pid in maker.items() if pid in forks}  # made by the copy
    assert len(forks) == 4 and len(pages) >= len([n for n in maker if n.endswith(".html")]) - 8


@pytest.mark.parametrize("copies", [True, False], ids=["one-off", "kept"])
def test_an_address_that_would_break_is_told_with_a_pages_template_error(tmp_path, monkeypatch, capsys, copies,
                                                                        request):
    """The other files, published.txt's check with them, are made while the pages are (a one-off build's
    meanwhile) or after them: a redirect that leads back to itself is told together with a template error
    on a page, whichever is found first, and nothing is published."""
    from conftest import RICH, TEMPLATES, read_tree
    from site_builder.build import SiteBuilder
    from site_builder.cli import main
    from site_builder.problems import ContentError

    if copies:
        request.getfixturevalue("forks")
    shutil.copytree(RICH, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    (tmp_path / "content" / "redirects.yaml").write_text("redirects:\n  - {from: /old-a/, to: /old-a/}\n")
    topic = tmp_path / "templates" / "topic.html"
    topic.write_text(topic.read_text().replace("{% block main %}", "{% block main %}{{ page.no_such_field }}", 1))
    if copies:
        monkeypatch.chdir(tmp_path)
        assert main(["build", "--no-cache"]) == 1
        said = capsys.readouterr().err
        assert not (tmp_path / "output").exists()
    else:
        with pytest.raises(ContentError) as caught:
            SiteBuilder(tmp_path / "content", tmp_path / "templates").build()
        said = "\n".join(str(problem.message) for problem in caught.value.problems)
    assert "no_such_field" in said and "leads back to its own address" in said, said


def test_the_build_command_has_its_templates_compiled_before_it_imports_the_builder(forks, monkeypatch, tmp_path):
    """The copy that compiles the templates is started before the builder is made (the command does so
    before importing it), and this process compiles none of them."""
    import jinja2

    from conftest import FIXTURE, TEMPLATES
    from site_builder import build
    from site_builder.cli import main

    copies_then, made = [], build.SiteBuilder.__init__
    monkeypatch.setattr(build.SiteBuilder, "__init__",
                        lambda builder, *args, **kwargs: copies_then.append(len(forks)) or made(builder, *args, **kwargs))
    here, compile_here = [], jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda env, source, name=None, *args, **kwargs:
                        here.append(name) or compile_here(env, source, name, *args, **kwargs))
    assert main(["build", "--content", str(FIXTURE), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"),
                 "--no-cache"]) == 0
    assert copies_then == [1] and here == []


def test_the_build_command_starts_its_first_copy_before_importing_jinja_or_the_content_model(tmp_path):
    """In a fresh Python, as CI runs it: the copy that compiles the templates is forked before Jinja,
    Markdown or the content model are imported (a tenth of a second and more of one core), so that
    it imports Jinja and compiles on the other core while this one imports the rest."""
    import subprocess
    import sys

    from conftest import FIXTURE, TEMPLATES

    script = (
        "import os, sys\n"
        "fork = os.fork\n"
        "def first_fork():\n"
        "    os.fork = fork\n"
        "    print(sorted(m for m in ('jinja2', 'markdown_it', 'yaml', 'site_builder.model', 'site_builder.report')"
        " if m in sys.modules), file=sys.stderr)\n"
        "    return fork()\n"
        "os.fork = first_fork\n"
        "from site_builder.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-P", "-c", script, "build", "--content", str(FIXTURE), "--templates",
                           str(TEMPLATES), "--out", str(tmp_path / "out"), "--no-cache"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "[]"
    assert (tmp_path / "out" / "index.html").is_file()


def test_templates_compile_alike_for_the_copy_and_for_rendering():
    """The copy's environment has the filters' names only: each template's code is the same as the
    renderer's environment makes of it."""
    from conftest import TEMPLATES
    from site_builder.render import Renderer
    from site_builder.templating import environment, page_templates

    light, full = environment(TEMPLATES), Renderer(TEMPLATES).env
    names = page_templates(full)
    assert len(names) > 15 and names == page_templates(light)
    for name in names:
        source, filename, _ = full.loader.get_source(full, name)
        assert light.compile(source, name, filename, raw=True) == full.compile(source, name, filename, raw=True), name
