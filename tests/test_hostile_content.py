"""Hostile and unlucky content, on copies of the fixture site (issue #10: addresses, files, output encoding).

Each case that the builder must refuse asserts the exit code, the message's file:line:col, that no
traceback reached the terminal, that output/ is exactly as the last good build left it, and that
the payload reached no file outside content/. Cases that the builder must accept and neutralise
(a spreadsheet formula in a title, an editor's backup file) assert what the output holds instead.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FIXTURE, ROOT, TEMPLATES, edit, read_tree, write, write_plan, write_plan_2021
from site_builder.cli import main

PAGE = "---\ntitle: {title}\ndescription: A page.\n---\n{body}\n"
SECRET = "SECRET-PAYLOAD-7f3a"
KEEP_SAFE = "      - title: Keep Safe\n"  # in plans/2020-21.yaml: tests that expect a position write the file inline

# Its tests build through the command line again and again: the templates are compiled once for the module (conftest).
pytestmark = pytest.mark.usefixtures("templates_compiled_once")


class Hostile:
    """A copy of the fixture site at ./content, with output/ from a good build, and a folder outside it."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        self.out = root / "output"
        self.outside = root / "outside"  # stands for the rest of the machine: never published
        self.outside.mkdir()
        self.before: dict[str, bytes] = {}

    def args(self, command: str = "build", *extra: str) -> list[str]:
        args = [command, "--content", "content", "--templates", str(TEMPLATES), "--no-cache"]
        return args + (["--out", "output", "--no-search"] if command == "build" else []) + list(extra)

    def run(self, command: str = "build", *extra: str) -> tuple[int, str]:
        """Run the command in this process; return its exit code and everything it printed."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(self.args(command, *extra))
        return code, out.getvalue()

    def run_apart(self, command: str = "build", *extra: str) -> tuple[int, str]:
        """Run the command in a process of its own, for cases that could hang or eat memory if mishandled."""
        done = subprocess.run([sys.executable, "-m", "site_builder", *self.args(command, *extra)], cwd=self.root,
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        return done.returncode, done.stdout + done.stderr

    def run_new_plan(self, period: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["new", "plan", period, "--content", "content"])
        return code, out.getvalue()

    def published(self) -> dict[str, bytes]:
        """Every file the builder may have written: all but content/ and the outside folder."""
        skip = (self.content, self.outside)
        # The web editor's vendored bundle is third-party code that holds every kind of byte (and 'root:').
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and not p.is_symlink() and not any(p.is_relative_to(s) for s in skip)
                and not p.name.startswith("decap-cms-")}

    def refused(self, where: str, words: str, payload: str = SECRET, apart: bool = False,
                secret: bool = True) -> str:
        """The build fails with a message at `where` saying `words`; the payload reaches no output file.

        A `secret` payload (the contents of a file outside content/) must not be in the messages either;
        a link or a value the user wrote is quoted back to them, in short.
        """
        code, text = (self.run_apart if apart else self.run)()
        assert code == 1, text
        assert f"{where}: error: " in text, text
        assert words in text, text
        assert "Traceback" not in text, text
        assert read_tree(self.out) == self.before, "output/ changed"
        assert not (secret and payload in text), text
        assert not [name for name, data in self.published().items() if payload.encode() in data]
        return text

    def write_page(self, name: str, title: str = "Hello", body: str = "Text.") -> Path:
        path = self.content / "pages" / name
        path.write_text(PAGE.format(title=title, body=body), encoding="utf-8")
        return path

    def secret_file(self, name: str, text: str) -> Path:
        path = self.outside / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture(scope="session")
def good_build(tmp_path_factory) -> Path:
    """The fixture site and its output/, built once: each case starts from a copy."""
    root = tmp_path_factory.mktemp("good")
    shutil.copytree(FIXTURE, root / "content")
    code = main(["build", "--content", str(root / "content"), "--templates", str(TEMPLATES),
                 "--out", str(root / "output"), "--no-search", "--no-cache"])
    assert code == 0
    return root


@pytest.fixture
def hostile(tmp_path, monkeypatch, good_build) -> Hostile:
    shutil.copytree(good_build / "content", tmp_path / "content")
    shutil.copytree(good_build / "output", tmp_path / "output")
    monkeypatch.chdir(tmp_path)
    site = Hostile(tmp_path)
    site.before = read_tree(site.out)
    return site


def test_the_copy_builds_as_it_is(hostile):
    code, text = hostile.run()
    assert code == 0, text
    assert read_tree(hostile.out) == hostile.before


# ---- addresses from file names, ids and titles -------------------------------------------------------

@pytest.mark.parametrize("name", ["...md", "index.html.md", "robots.txt.md", "404.html.md", "sitemap.xml.md",
                                  "_redirects.md", ".hidden.md", "About Us.md", "a_b.md", "a--b.md",
                                  "x" * 81 + ".md"])
def test_a_page_name_that_is_no_address_is_refused(hostile, name):
    hostile.write_page(name)
    text = hostile.refused(f"content/pages/{name}:1:1", "file name")
    assert "Rename" in text
    assert sorted(p.name for p in hostile.root.iterdir()) == ["content", "output", "outside"]


def test_a_page_name_with_a_line_break_is_refused_and_printed_safely(hostile):
    hostile.write_page("about\n.md")
    text = hostile.refused("content/pages/about<U+000A>.md:1:1", "file name")
    assert "about\n" not in text


@pytest.mark.parametrize("name", ["plans.md", "data.md", "404.md", "search.md", "search-index.md", "admin.md"])
def test_a_page_may_not_take_an_address_of_the_site(hostile, name):
    hostile.write_page(name)
    hostile.refused(f"content/pages/{name}:1:1", "is taken by the site")


def test_a_strategy_named_dots_cannot_replace_the_home_page(hostile):
    strategy = hostile.content / "strategies/...yaml"
    (hostile.content / "strategies/2016-19.yaml").rename(strategy)
    edit(strategy, 'period: "2016-19"', 'period: ".."')
    hostile.refused("content/strategies/...yaml:1:1", "file name")


def test_a_pfcc_plan_named_dots_is_refused_by_its_name(hostile):
    pfcc = hostile.content / "pfcc/...yaml"
    (hostile.content / "pfcc/2016-21.yaml").rename(pfcc)
    edit(pfcc, 'id: "2016-21"', 'id: ".."')
    hostile.refused("content/pfcc/...yaml:1:1", "file name")


@pytest.mark.parametrize("title", ["Жизнь", "🚓 🚨", "«—»"])
def test_a_title_that_makes_no_address_asks_for_an_id(hostile, title):
    write_plan(hostile.content, f"""\
              - title: {title}
                lead: [CBC]
        """)
    text = hostile.refused("content/plans/2020-21.yaml:9:16", "priorities[0].initiatives[0].title: ")
    assert "'id:'" in text
    assert "initiatives//" not in text


def test_a_short_title_that_makes_no_address_asks_for_an_id(hostile):
    write(hostile.content, "plans/2020-21.yaml", f"""\
        period: "2020-21"
        title: Annual Partnership Plan 2020-21
        document: Example Plan 2020-21
        priorities:
          - number: 1
            title: Tackling county lines
            short_title: Жизнь
            initiatives:
              - title: Keep Safe
                lead: [CBC]
        """)
    text = hostile.refused("content/plans/2020-21.yaml:7:18", "priorities[0].short_title: ")
    assert "'id:'" in text


def test_a_very_long_title_gets_a_shortened_id_that_stays_put(hostile):
    plan = hostile.content / "plans/2020-21.yaml"
    long_title = " ".join(["Keep"] * 75)
    edit(plan, KEEP_SAFE, f"      - title: {long_title}\n")
    code, text = hostile.run()
    assert code == 0, text
    assert "File name too long" not in text
    shortened = "-".join(["keep"] * 16)  # 79 characters: the whole words that fit in 80
    assert (hostile.out / f"plans/2020-21/initiatives/{shortened}/index.html").is_file()
    # A change beyond the cut leaves the address as it was.
    edit(plan, long_title, long_title + " and much more")
    code, text = hostile.run()
    assert code == 0, text
    assert (hostile.out / f"plans/2020-21/initiatives/{shortened}/index.html").is_file()


def test_an_id_longer_than_the_limit_is_refused(hostile):
    write_plan(hostile.content, f"""\
              - title: Keep Safe
                id: {"a" * 81}
                lead: [CBC]
        """)
    hostile.refused("content/plans/2020-21.yaml:10:13", "at most 80 characters")


def test_an_id_is_cut_after_whole_words_or_else_at_the_limit():
    from site_builder.registry import make_id

    assert make_id("Keep " * 75) == "-".join(["keep"] * 16)
    assert make_id("A" * 300) == "a" * 80
    assert make_id("Safer streets") == "safer-streets"
    assert make_id("Жизнь 🚓") == ""


def test_an_agency_id_longer_than_the_limit_is_refused(hostile):
    write(hostile.content, "agencies.yaml", f"""\
        agencies:
          - id: essex-police{"-x" * 40}
            name: Essex Police
            kind: police
        """)
    hostile.refused("content/agencies.yaml:2:9", "at most 80 characters")


# ---- which files are read ------------------------------------------------------------------------------

def test_a_link_to_a_file_outside_the_content_is_refused(hostile):
    secret = hostile.secret_file("secret.md", PAGE.format(title="Leak", body=SECRET))
    (hostile.content / "pages/leak.md").symlink_to(secret)
    hostile.refused("content/pages/leak.md:1:1", "is a link")


def test_a_link_to_a_system_file_is_neither_read_nor_echoed(hostile):
    (hostile.content / "plans/2019-20.yaml").symlink_to("/etc/passwd")
    text = hostile.refused("content/plans/2019-20.yaml:1:1", "is a link", payload="root:")
    assert "/bin/" not in text


def test_a_link_inside_the_content_is_refused_too(hostile):
    (hostile.content / "plans/2019-20.yaml").symlink_to("2020-21.yaml")
    hostile.refused("content/plans/2019-20.yaml:1:1", "is a link")


def test_a_linked_content_folder_is_refused(hostile):
    shutil.copytree(hostile.content / "pages", hostile.outside / "pages")
    hostile.secret_file("pages/leak.md", PAGE.format(title="Leak", body=SECRET))
    shutil.rmtree(hostile.content / "pages")
    (hostile.content / "pages").symlink_to(hostile.outside / "pages")
    hostile.refused("content/pages:1:1", "is a link")


def test_a_linked_site_yaml_is_refused(hostile):
    secret = hostile.outside / "site.yaml"
    shutil.move(hostile.content / "site.yaml", secret)
    secret.write_text(secret.read_text(encoding="utf-8").replace("A small content tree", SECRET), encoding="utf-8")
    (hostile.content / "site.yaml").symlink_to(secret)
    hostile.refused("content/site.yaml:1:1", "is a link")


def test_a_linked_record_of_addresses_is_neither_read_nor_echoed(hostile):
    secret = hostile.secret_file("published.txt", f"{SECRET}\n/plans/\n")
    (hostile.content / "published.txt").symlink_to(secret)
    hostile.refused("content/published.txt:1:1", "is a link")


def test_a_link_loop_is_reported_as_one(hostile):
    (hostile.content / "plans/2019-20.yaml").symlink_to("2019-20.yaml")
    hostile.refused("content/plans/2019-20.yaml:1:1", "loop")


def test_a_dangling_link_is_reported(hostile):
    (hostile.content / "plans/2019-20.yaml").symlink_to("nowhere.yaml")
    hostile.refused("content/plans/2019-20.yaml:1:1", "which does not exist")


def test_a_link_to_an_endless_device_is_not_read(hostile):
    (hostile.content / "plans/2019-20.yaml").symlink_to("/dev/zero")
    hostile.refused("content/plans/2019-20.yaml:1:1", "is a link", apart=True)


def test_a_named_pipe_is_skipped_without_hanging(hostile):
    os.mkfifo(hostile.content / "plans/2019-20.yaml")
    hostile.refused("content/plans/2019-20.yaml:1:1", "named pipe", apart=True)


def test_a_socket_is_skipped(hostile):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("content/plans/2019-20.yaml")  # relative: a socket's path is short
        hostile.refused("content/plans/2019-20.yaml:1:1", "socket")


def test_a_file_too_large_for_content_is_not_read(hostile):
    (hostile.content / "plans/2019-20.yaml").write_bytes(b"# " + b"x" * 6_000_000 + b"\n")
    hostile.refused("content/plans/2019-20.yaml:1:1", "5 MB", apart=True)


def test_a_folder_named_like_a_plan_is_reported(hostile):
    (hostile.content / "plans/2022-23.yaml").mkdir()
    hostile.refused("content/plans/2022-23.yaml:1:1", "it is a folder")


@pytest.mark.parametrize("name", ["2019-20.YAML", "2019-20.Yaml", "2019-20.yml"])
def test_a_plan_with_a_wrongly_written_ending_is_not_left_out_silently(hostile, name):
    shutil.copy(hostile.content / "plans/2020-21.yaml", hostile.content / "plans" / name)
    hostile.refused(f"content/plans/{name}:1:1", "must end in .yaml")


def test_a_page_with_a_wrongly_written_ending_is_not_left_out_silently(hostile):
    hostile.write_page("about.MD")
    hostile.refused("content/pages/about.MD:1:1", "must end in .md")


@pytest.mark.parametrize("name, words", [
    ("2021-22.yaml~", "backup"), ("#2021-22.yaml#", "backup"), (".2021-22.yaml.swp", "backup"),
    ("notes.txt", "not a content file"), ("archive", "sub-folder")])
def test_an_unexpected_file_is_a_warning(hostile, name, words):
    path = hostile.content / "plans" / name
    if name == "archive":
        path.mkdir()
        shutil.copy(hostile.content / "plans/2020-21.yaml", path / "2019-20.yaml")
    else:
        shutil.copy(hostile.content / "plans/2021-22.yaml", path)
    code, text = hostile.run()
    assert code == 0, text
    code, text = hostile.run("check")
    assert code == 0, text
    assert f"content/plans/{name}:1:1: warning: " in text and words in text, text
    assert "Traceback" not in text


def test_an_editor_lock_is_a_warning_and_never_followed(hostile):
    (hostile.content / "plans/.#2020-21.yaml").symlink_to("someone@host.1234:1700000000")
    code, text = hostile.run()
    assert code == 0, text
    code, text = hostile.run("check")
    assert code == 0, text
    assert "content/plans/.#2020-21.yaml:1:1: warning: " in text and "lock" in text, text


def test_system_files_are_passed_over_quietly(hostile):
    (hostile.content / "plans/.DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (hostile.content / ".gitkeep").write_text("")
    code, text = hostile.run("check")
    assert code == 0, text
    assert ".DS_Store" not in text and ".gitkeep" not in text


def test_an_unknown_file_beside_site_yaml_is_a_warning(hostile):
    shutil.copy(hostile.content / "agencies.yaml", hostile.content / "Agencies.yaml")
    code, text = hostile.run("check")
    assert code == 0, text
    assert "content/Agencies.yaml:1:1: warning: " in text and "agencies.yaml" in text, text


# ---- messages quote short excerpts only --------------------------------------------------------------

def test_a_long_line_is_quoted_in_part(hostile):
    write(hostile.content, "agencies.yaml", f"""\
        agencies:
          - id: Essex {"Q" * 5000}
            name: Essex Police
            kind: police
        """)
    text = hostile.refused("content/agencies.yaml:2:9", "agencies[0].id", payload="Q" * 200)
    assert max(map(len, text.splitlines())) < 300


def test_a_refused_file_is_not_quoted(hostile):
    secret = hostile.secret_file("secret.yaml", f"title: {SECRET}\n")
    (hostile.content / "plans/2019-20.yaml").symlink_to(secret)
    text = hostile.refused("content/plans/2019-20.yaml:1:1", "is a link")
    assert " 1 | " not in text


def test_an_excerpt_shows_the_part_of_a_long_line_around_the_column():
    from site_builder.problems import EXCERPT_WIDTH, source_excerpt

    line = "x" * 500 + "HERE" + "y" * 500
    excerpt = source_excerpt("first\n" + line + "\n", 2, 501, context=1).splitlines()
    assert all(len(shown) <= EXCERPT_WIDTH + 16 for shown in excerpt)
    assert "HERE" in excerpt[1]
    assert excerpt[2].index("^") == excerpt[1].index("HERE")
    assert source_excerpt("a\x1b[2Jb\n", 1, 2) == "1 | a<U+001B>[2Jb\n  |  ^"


def test_the_published_error_page_of_a_preview_quotes_no_linked_file(hostile):
    secret = hostile.secret_file("secret.yaml", f"{SECRET}: [\n")
    (hostile.content / "plans/2019-20.yaml").symlink_to(secret)
    code, text = hostile.run("build", "--preview")
    assert code == 0, text  # a deploy preview publishes the errors instead of failing
    assert "content/plans/2019-20.yaml:1:1" in (hostile.out / "index.html").read_text(encoding="utf-8")
    assert SECRET not in text
    assert not [name for name, data in hostile.published().items() if SECRET.encode() in data]


# ---- output encoding: control characters ---------------------------------------------------------------

@pytest.mark.parametrize("char, name", [("\x07", "U+0007"), ("\x7f", "U+007F"), ("\x85", "U+0085"),
                                        ("\u2028", "U+2028"), ("\x9b", "U+009B"),
                                        ("\u202e", "U+202E"), ("\u2066", "U+2066")])  # reorder what is seen
def test_a_control_character_in_yaml_is_refused_where_it_is(hostile, char, name):
    write_plan(hostile.content, f"""\
              - title: Keep{char} Safe
                lead: [CBC]
        """)
    hostile.refused("content/plans/2020-21.yaml:9:20", name, payload=char)


@pytest.mark.parametrize("escape, name", [(r"\e[31m", "U+001B"), (r"\x0c", "U+000C"), (r"\0", "U+0000"),
                                          (r"\uFFFE", "U+FFFE"), (r"\N", "U+0085"), (r"\r", "U+000D")])
def test_a_control_character_written_as_an_escape_is_refused(hostile, escape, name):
    write_plan(hostile.content, f"""\
              - title: "Keep{escape} Safe"
                lead: [CBC]
        """)
    text = hostile.refused("content/plans/2020-21.yaml:9:16", name)
    assert "\x1b" not in text


def test_a_value_holds_no_forbidden_character_the_file_check_lets_through_but_a_carriage_return():
    """convert._scalar looks at double-quoted values alone, as the only ones that read escapes: it relies on
    FORBIDDEN_IN_VALUES being FORBIDDEN (the file's check, before YAML reads it) and the carriage return,
    which YAML makes a line break in every other style (the test after the next)."""
    import sys

    from site_builder.contentfiles import FORBIDDEN, FORBIDDEN_IN_VALUES

    extra = [chr(code) for code in range(sys.maxunicode + 1)
             if FORBIDDEN_IN_VALUES.match(chr(code)) and not FORBIDDEN.match(chr(code))]
    assert extra == ["\r"]


@pytest.mark.parametrize("row, where", [("- title: 'Keep\x07 Safe'", "9:21"), ("- title: |\n    Keep\x07 Safe", "10:15"),
                                        ("- title: >\n    Keep\x07 Safe", "10:15")])
def test_a_control_character_typed_in_a_quoted_or_block_value_is_refused_where_it_is(hostile, row, where):
    """A value is looked at for control characters only where double-quoted (convert._scalar): any other
    style holds only what was typed, which the file's own check refuses."""
    write_plan(hostile.content, row + "\n  lead: [CBC]\n")
    hostile.refused(f"content/plans/2020-21.yaml:{where}", "U+0007", payload="\x07")


@pytest.mark.parametrize("title", ["'Keep\rSafe'", "|\n    Keep\r    Safe", ">\n    Keep\r    Safe", "Keep\r    Safe"])
def test_a_carriage_return_typed_in_a_value_of_any_style_but_double_quoted_never_reaches_a_page(hostile, title):
    """A file may end its lines with \\r\\n, so a carriage return passes the file's check: YAML reads it
    as a line break in every style but a double-quoted escape ('\\r', refused above)."""
    write_plan(hostile.content, f"- title: {title}\n  lead: [CBC]\n")
    code, text = hostile.run()
    assert code == 0, text
    pages = {name: data for name, data in hostile.published().items() if name.endswith(".html")}
    assert any(b"Keep" in data and b"Safe" in data for data in pages.values())
    assert not [name for name, data in pages.items() if b"\r" in data]


def test_a_control_character_in_a_page_body_is_refused_where_it_is(hostile):
    write(hostile.content, "pages/accessibility.md", """\
        ---
        title: Accessibility statement
        description: How accessible this site is.
        ---
        This site is for testing.

        Email\x1b[2J the team.
        """)
    text = hostile.refused("content/pages/accessibility.md:7:6", "U+001B")
    assert "\x1b" not in text


def test_a_control_character_in_a_field_name_is_not_echoed_raw(hostile):
    write_plan(hostile.content, f"""\
              - title: Keep Safe
                "\\e]0;pwned\\a": x
                lead: [CBC]
        """)
    text = hostile.refused("content/plans/2020-21.yaml:10:9", "unknown field")
    assert "\x1b" not in text and "\x07" not in text


# ---- output encoding: open data, XML, base address -----------------------------------------------------

FORMULAS = {"title": "=HYPERLINK(\"https://evil.example/\",\"Click\")", "timing": "+1+1",
            "lead_as_written": "@SUM(A1:A9)", "funding_scp": "-2+3", "funding_other": "＝1+1"}


def test_csv_cells_cannot_start_a_formula(hostile):
    plan = hostile.content / "plans/2020-21.yaml"
    edit(plan, KEEP_SAFE, f"      - title: '{FORMULAS['title']}'\n        id: keep-safe\n"
                          f"        lead_as_written: '{FORMULAS['lead_as_written']}'\n"
                          "        funding:\n"
                          f"          scp: '{FORMULAS['funding_scp']}'\n"
                          f"          other: '{FORMULAS['funding_other']}'\n")
    edit(plan, "timing: Ongoing", f"timing: '{FORMULAS['timing']}'")
    code, text = hostile.run()
    assert code == 0, text
    rows = list(csv.DictReader(io.StringIO((hostile.out / "data/initiatives.csv").read_text(encoding="utf-8"),
                                           newline="")))
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"), f"{column}: {cell!r}"
    [row] = [r for r in rows if r["id"] == "keep-safe" and r["plan"] == "2020-21"]
    for column, value in FORMULAS.items():
        assert row[column] == "'" + value
    assert row["outcomes"] == "" and [r for r in rows if r["outcomes"].startswith("'- Venues reviewed")]
    # The JSON keeps the text as written, and the data dictionary says what the CSV does.
    [item] = [i for i in json.loads((hostile.out / "data/initiatives.json").read_text(encoding="utf-8"))
              if i["id"] == "keep-safe" and i["plan"] == "2020-21"]
    assert item["title"] == FORMULAS["title"]
    data_page = (hostile.out / "data/index.html").read_text(encoding="utf-8")
    assert "apostrophe" in data_page and "formula" in data_page


@pytest.mark.parametrize("text, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("＝1", "'＝1"), ("＠x", "'＠x"), ("1-2", "1-2"), ("a=b", "a=b"),
    ("", ""), ("'quoted'", "'quoted'")])
def test_a_cell_that_could_start_a_formula_begins_with_an_apostrophe(text, cell):
    from site_builder.opendata import spreadsheet_safe

    assert spreadsheet_safe(text) == cell


HOSTILE_TITLE = "Fish & <chips> ]]> \"quoted\" 'single' 😀 é – ﬁ \u00a0end"


def test_xml_outputs_stay_well_formed_under_hostile_text(hostile):
    edit(hostile.content / "plans/2021-22.yaml", "title: Annual Partnership Plan 2021-22",
         "title: '" + HOSTILE_TITLE.replace("'", "''") + "'")
    edit(hostile.content / "site.yaml", "name: Example Partnership", "name: Example & <Partnership>")
    code, text = hostile.run("build", "--base-url", "https://example.org/sub/path")
    assert code == 0, text
    xml_files = sorted(hostile.out.rglob("*.xml"))
    assert {p.name for p in xml_files} >= {"sitemap.xml", "feed.xml"}
    for path in xml_files:
        ET.fromstring(path.read_bytes())  # raises on anything not well-formed
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((hostile.out / "feed.xml").read_bytes())
    assert HOSTILE_TITLE in [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert feed.findtext(f"{atom}title").startswith("Example & <Partnership>")
    assert "https://example.org/sub/path/plans/" in (hostile.out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", ["https://example.org\nSitemap: https://evil.example/", "https://exa mple.org",
                                 "javascript:alert(1)", "ftp://example.org", "//example.org", "/plans",
                                 "https://user:password@example.org", "https://example.org\x00",
                                 "https://", "example.org", "https://example.org/?q=1", "https://example.org/#x"])
def test_the_base_address_option_is_checked(hostile, url):
    code, text = hostile.run("build", "--base-url", url)
    assert code == 2, text
    assert "--base-url" in text and "Traceback" not in text
    assert read_tree(hostile.out) == hostile.before
    assert "\x00" not in text and "\nSitemap" not in text


def test_a_good_base_address_option_is_used(hostile):
    code, text = hostile.run("build", "--base-url", "https://example.org/plans-site/")
    assert code == 0, text
    robots = (hostile.out / "robots.txt").read_text(encoding="utf-8")
    assert robots.endswith("Sitemap: https://example.org/plans-site/sitemap.xml\n")


@pytest.mark.parametrize("value", ["/", "mailto:team@example.test", "https://user:pw@example.test",
                                   "https://example.test/?a=1", "//example.test"])
def test_the_base_address_in_site_yaml_is_checked(hostile, value):
    write(hostile.content, "site.yaml", f"""\
        name: Example Partnership
        short_name: Example
        description: A small content tree for the builder's tests.
        base_url: '{value}'
        about: The Example Partnership exists only in tests.
        contact_email: team@example.test
        """)
    hostile.refused("content/site.yaml:4:11", "base_url: ")


# ---- links, as a browser reads them --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/\\evil.example", "\\\\evil.example", '"java\\tscript:alert(1)"',
                                 '"/\\t/evil.example"', "https:\\\\evil.example", "'/\\/evil.example'",
                                 '" //evil.example"', '"https://exa\\nmple.org"', "/plans\\..\\x"])
def test_a_link_is_judged_as_a_browser_reads_it(hostile, url):
    write_plan_2021(hostile.content, f"""\
          - title: Keep Safe relaunch
            lead: EP
            links:
              - title: Keep Safe
                url: {url}
        """)
    hostile.refused("content/plans/2021-22.yaml:13:14", "unsafe link", payload="evil.example", secret=False)


def test_a_navigation_link_with_a_backslash_is_refused(hostile):
    write(hostile.content, "site.yaml", """\
        name: Example Partnership
        short_name: Example
        description: A small content tree for the builder's tests.
        base_url: https://example.test
        about: The Example Partnership exists only in tests.
        contact_email: team@example.test
        navigation:
          - title: Agencies
            url: /\\evil.example
        """)
    hostile.refused("content/site.yaml:9:10", "unsafe link", payload="evil.example", secret=False)


def test_a_redirect_to_a_backslash_address_is_refused(hostile):
    (hostile.content / "redirects.yaml").write_text("redirects:\n  - from: /old/\n    to: /\\evil.example\n",
                                                    encoding="utf-8")
    hostile.refused("content/redirects.yaml:3:9", "redirects[0].to", payload="evil.example", secret=False)


def test_markdown_links_reach_the_page_as_browsers_read_them(hostile):
    edit(hostile.content / "plans/2020-21.yaml", "See [the plans](/plans/).",
         "See [the plans](/plans/) and [odd](/\\evil.example).")
    code, text = hostile.run()
    assert code == 0, text
    page = (hostile.out / "plans/2020-21/initiatives/keep-safe/index.html").read_text(encoding="utf-8")
    assert 'href="/%5Cevil.example"' in page and "/\\evil" not in page


def test_a_markdown_link_with_a_tab_in_its_scheme_is_refused(hostile):
    write_plan(hostile.content, f"""\
              - title: Keep Safe
                lead: [CBC]
                description: |
                  See [x](<java\tscript:alert(1)>).
        """)
    hostile.refused("content/plans/2020-21.yaml:12:11", "unsafe link", payload="script:alert", secret=False)


def test_a_new_plan_is_not_named_with_a_line_break(hostile):
    code, text = hostile.run_new_plan("2022-23\n")
    assert code == 2, text
    assert sorted(p.name for p in (hostile.content / "plans").iterdir()) == ["2020-21.yaml", "2021-22.yaml"]
