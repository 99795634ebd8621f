"""The shared YAML form: fmt keeps every value, is idempotent, and equals the web editor's serializer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import CONTENT, FIXTURE, TEMPLATES, write
from site_builder.cli import main
from site_builder.fmt import absent, content_files, format_data, format_text, node_data, root_class, shapes_json
from site_builder.load import load_site, split_front_matter
from site_builder.model import Plan
from site_builder.yamlfile import compose

SERIALIZER = TEMPLATES / "admin" / "scp-yaml.js"


def data_of(text: str, rel: str):
    """The plain data of a content file's text, with nothing and empty texts left out (the builder's reading)."""
    if rel.endswith(".md"):
        front, body, _ = split_front_matter(text)
        return {"front": data_of(front, "x.yaml"), "body": body}
    node, problems = compose(text, rel)
    assert not problems
    found: list = []
    return pruned(node_data(node, rel, found))


def pruned(value):
    if isinstance(value, dict):
        return {k: pruned(v) for k, v in value.items() if not absent(v)}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value


def real_files():
    return [(p, p.relative_to(CONTENT).as_posix()) for p in content_files(CONTENT)]


@pytest.mark.content
def test_fmt_keeps_every_value_and_is_idempotent_on_the_real_content():
    files = real_files()
    assert len(files) > 10
    for path, rel in files:
        text = path.read_text(encoding="utf-8")
        once = format_text(text, rel)
        assert not once.problems, rel
        assert data_of(once.canonical, rel) == data_of(text, rel), rel
        twice = format_text(once.canonical, rel)
        assert twice.canonical == once.canonical, rel


@pytest.mark.content
def test_fmt_leaves_the_built_model_equal(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    before = load_site(content, drafts=True)
    for path in content_files(content):
        path.write_text("# a comment fmt removes\n" + path.read_text(encoding="utf-8") if path.suffix == ".yaml"
                        else path.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["fmt", "--content", str(content)]) == 0
    assert load_site(content, drafts=True) == before
    assert not any("# a comment" in p.read_text(encoding="utf-8") for p in content_files(content))
    assert main(["fmt", "--check", "--content", str(content)]) == 0


def test_fmt_check_names_the_file_and_line_and_check_warns(site_dir, capsys):
    assert main(["fmt", "--content", "content"]) == 0
    topics = site_dir / "topics.yaml"
    lines = topics.read_text().splitlines()
    topics.write_text("\n".join(lines + ["  - {id: extra, name: Extra}", ""]))
    capsys.readouterr()
    assert main(["fmt", "--check", "--content", "content"]) == 1
    out = capsys.readouterr().out
    assert (f"content/topics.yaml:{len(lines) + 1}:1: error: the file is not in the shared YAML form that the web "
            "editor writes; expected the form `site-builder fmt` writes. Run `make fmt` (site-builder fmt) to write "
            "it in the shared form.") in out
    assert "1 of " in out
    assert main(["check", "--no-cache", "--templates", str(TEMPLATES)]) == 0  # a warning: the form never stops a build
    assert f"content/topics.yaml:{len(lines) + 1}:1: warning: the file is not in the shared" in capsys.readouterr().out
    assert main(["fmt", "--content", "content"]) == 0
    assert topics.read_text().splitlines()[len(lines):] == ["  - id: extra", "    name: Extra"]
    assert main(["fmt", "--check", "--content", "content"]) == 0


def test_fmt_refuses_a_file_with_a_value_tools_read_differently(site_dir, capsys):
    write(site_dir, "topics.yaml", """\
        topics:
          - id: asb
            name: yes
        """)
    before = (site_dir / "topics.yaml").read_text()
    assert main(["fmt", "--content", "content"]) == 1
    assert "content/topics.yaml:3:11: error: the value 'yes' is read differently by YAML tools" in capsys.readouterr().err
    assert (site_dir / "topics.yaml").read_text() == before


# Values a form may hold that YAML tools read in more than one way, or that need quotes or escapes.
AWKWARD = ["No", "yes", "on", "OFF", "y", "null", "~", "true", "010", "1_000", "0o17", "0x1F", "1e3", ".5", ".inf",
           "-.NaN", "+3", "2021-22", "2026-12-04", "2026-4-1", "0800 555 111", "1:20", "- a dash", "# hash",
           "a # comment", "key: value", "ends with colon:", "'quoted'", '"double"', "back\\slash", " leading",
           "trailing ", "tab\there", "[bracket", "{brace", "a, b", "& anchor", "* alias", "! tag", "| bar",
           "> fold", "% pct", "@ at", "` tick", "? q", "=", "<< merge", "É accented", "日本語", "emoji 🙂",
           "nbsp\u00a0here", "line\u2028sep", "bell\x07", "del\x7f", "bom\ufeff", "£3k SCP (via PCC)",
           "two\nlines\n", "no final break\nhere", "blank line\n\nbetween\n", "trailing\n\n", "\nstarts with break",
           " indented\nblock\n", "trailing space \nline\n", "tab\tin\nblock\n", "- list\n- in text\n",
           "### heading\n\nbody\n"]


def awkward_plan():
    initiatives = [{"title": value, "timing": value, "description": value, "lead": [value, "Essex Police"],
                    "scp_priorities": [1, 2], "editorial_title": True} for value in AWKWARD]
    return {"period": "2021-22", "title": "T", "document": "D",
            "priorities": [{"number": 1, "title": "P", "short_title": "S", "initiatives": initiatives,
                            "topics": [], "summary": "One\n\nTwo\n"}],
            "members": {"statutory": ["A " * 30 + str(i) for i in range(3)], "non_statutory": []}}


def test_every_awkward_value_is_read_back_by_the_builder_as_written():
    data = awkward_plan()
    text = format_data(data, Plan)
    assert data_of(text, "plans/2021-22.yaml") == data
    assert format_text(text, "plans/2021-22.yaml").canonical == text
    assert '  - number: 1\n' in text and "        lead: [No, Essex Police]" not in text
    assert '      - title: "No"\n' in text and "        lead: [\"No\", Essex Police]\n" in text
    assert "        timing: 2026-12-04\n" in text and '        timing: "2021-22"\n' in text


def test_keys_follow_the_model_whatever_order_a_form_fills_them_in():
    typed = {"topics": ["asb"], "description": "Text\n", "lead": ["EP"], "title": "New"}
    assert format_data({"priorities": [{"initiatives": [typed]}]}, Plan).splitlines()[2:] == [
        "      - title: New", "        lead: [EP]", "        description: |", "          Text",
        "        topics: [asb]"]


def node(script: str, payload) -> str:
    """Run the web editor's serializer in Node on a JSON payload; return what it prints."""
    done = subprocess.run(["node", "-e", script, str(SERIALIZER)], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


ROUND_TRIP = """
const S = require(process.argv[1]);
const {shapes, cases} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(c => {
  const make = c.page ? S.pageFormatter : S.formatter;
  const f = make(shapes.roots[c.root], c.root, shapes.width);
  const data = c.data === undefined ? f.fromFile(c.text) : c.data;
  return {data: c.data === undefined ? data : null, text: f.toFile(data)};
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.content
def test_the_web_editors_serializer_reads_and_writes_every_content_file_as_fmt_does():
    shapes = json.loads(shapes_json())
    cases, expected = [], []
    for path, rel in real_files():
        canonical = format_text(path.read_text(encoding="utf-8"), rel).canonical
        cases.append({"root": root_class(rel).__name__, "page": rel.endswith(".md"), "text": canonical})
        expected.append((rel, canonical))
    results = json.loads(node(ROUND_TRIP, {"shapes": shapes, "cases": cases}))
    for (rel, canonical), result in zip(expected, results):
        assert result["text"] == canonical, rel  # a form save of an unchanged file changes no byte
        data = result["data"]
        if rel.endswith(".md"):
            front, body, _ = split_front_matter(canonical)
            assert data.pop("body") == body, rel
            assert data == data_of(front, "x.yaml"), rel
        else:
            assert data == data_of(canonical, rel), rel


def test_the_web_editors_serializer_writes_awkward_values_as_fmt_does():
    data = awkward_plan()
    shapes = json.loads(shapes_json())
    [result] = json.loads(node(ROUND_TRIP, {"shapes": shapes, "cases": [{"root": "Plan", "data": data}]}))
    assert result["text"] == format_data(data, Plan)
    # and an initiative a form adds, fields in the order they were filled, empty ones as the form leaves them
    added = {"description": "", "lead": ["Essex Police"], "title": "Street Safe Walks", "status": None}
    [result] = json.loads(node(ROUND_TRIP, {"shapes": shapes, "cases": [
        {"root": "Plan", "data": {"priorities": [{"initiatives": [added]}]}}]}))
    assert result["text"] == format_data({"priorities": [{"initiatives": [added]}]}, Plan)
    assert "description" not in result["text"] and "status" not in result["text"]


def test_the_web_editor_refuses_a_file_not_in_the_shared_form():
    script = """
const S = require(process.argv[1]);
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(texts.map(t => { try { S.parse(t); return ''; } catch (e) { return e.message; } })));
"""
    found = json.loads(node(script, ["# a comment\ntitle: x\n", "title: >-\n  folded\n", "title: 'single'\n",
                                     "title: x\n", "a:\n      b: c\n"]))
    assert found[0].startswith("line 1: a comment. This file is not in the shared form")
    assert "run `make fmt`" in found[1] and found[2]
    assert found[3] == ""
    assert found[4].startswith("line 2: a line indented 6 spaces where 2 were expected")


def test_the_fixture_site_keeps_its_values_under_fmt():
    for path in content_files(FIXTURE):
        rel = path.relative_to(FIXTURE).as_posix()
        text = path.read_text(encoding="utf-8")
        result = format_text(text, rel)
        if result.problems:  # fixtures of errors may hold values the builder refuses
            continue
        assert data_of(result.canonical, rel) == data_of(text, rel), rel


def test_the_characters_refused_are_the_complements_of_what_xml_and_yaml_allow():
    """The sitemap's and feed's guard and the shared form's are written as the characters refused, each
    the complement of a standard's set: XML 1.0's Char; YAML's printable characters, less the carriage
    return, YAML 1.1's line breaks and the byte-order mark."""
    from site_builder.extras import _NOT_XML
    from site_builder.fmt import _UNPRINTABLE

    xml_char = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    printable = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    left_out = "\r\x85\u2028\u2029\ufeff"
    for code in range(0x110000):
        char = chr(code)
        assert bool(_NOT_XML.match(char)) is not bool(xml_char.match(char)), hex(code)
        assert bool(_UNPRINTABLE.match(char)) is not (bool(printable.match(char)) and char not in left_out), hex(code)


@pytest.mark.parametrize("command", [["fmt", "--content", "content"], ["fmt", "--check", "--content", "content"],
                                     ["check", "--no-cache", "--templates", str(TEMPLATES)]])
@pytest.mark.parametrize("fault", ["not UTF-8", "unreadable"])
def test_fmt_and_check_report_a_file_they_cannot_read_without_a_traceback(site_dir, capsys, monkeypatch, command,
                                                                           fault):
    plan = site_dir / "plans/2020-21.yaml"
    if fault == "not UTF-8":
        plan.write_bytes(plan.read_bytes().replace(b"Keep Safe", b"Keep S\xe9fe", 1))
    else:  # as root a file's mode never stops a read: the read itself fails
        real = __import__("os").open

        def refuse(path, *args, **kwargs):
            if str(path).endswith("2020-21.yaml"):
                raise PermissionError(13, "Permission denied")
            return real(path, *args, **kwargs)
        monkeypatch.setattr("os.open", refuse)
    before = plan.read_bytes()
    assert main(command) == 1
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    assert "content/plans/2020-21.yaml:" in said.out + said.err
    assert ("not UTF-8" if fault == "not UTF-8" else "cannot be read") in said.out + said.err
    assert plan.read_bytes() == before


def test_an_alias_bomb_is_refused_by_fmt_and_check_at_once(site_dir, capsys):
    """Aliases of aliases nine deep stand for 10^9 values: fmt and check read each node once (the shared
    form has no aliases), so they answer at once instead of expanding them."""
    bomb = "\n".join(["bomb0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
                     + [f"bomb{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 10)]) + "\n"
    topics = site_dir / "topics.yaml"
    topics.write_text(topics.read_text() + bomb)
    assert main(["fmt", "--check", "--content", "content"]) == 1
    said = capsys.readouterr()
    assert "content/topics.yaml:" in said.err and "All " not in said.out and "The other " in said.out
    assert main(["check", "--no-cache", "--templates", str(TEMPLATES)]) == 1
    assert "unknown field 'bomb0'" in capsys.readouterr().out



def test_an_alias_is_written_out_by_fmt_as_before():
    """A list given once with an anchor and used again by an alias: fmt writes it out in full (the shared
    form has no aliases), as it did before aliases of aliases were bounded."""
    text = (FIXTURE / "plans/2020-21.yaml").read_text()
    assert "        lead: [CBC]\n        partners: [Open Road]\n" in text
    aliased = text.replace("        lead: [CBC]\n        partners: [Open Road]\n",
                           "        lead: &who [CBC]\n        partners: *who\n", 1)
    result = format_text(aliased, "plans/2020-21.yaml")
    assert result.problems == [] and result.canonical is not None and "*who" not in result.canonical
    assert data_of(result.canonical, "plans/2020-21.yaml")["priorities"] is not None
