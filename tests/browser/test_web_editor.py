"""The web editor, end to end and offline: Decap CMS at /admin/ on decap-server's git backend, in Chromium.

A copy of the real content is a git repository; decap-server (pinned in package.json, bound to
127.0.0.1) serves it as Decap's local backend; the built /admin/ is served with the site's headers.
An editor changes an initiative's title in the 2021-22 plan and adds an initiative under priority 2
with a lead picked from the list of agencies, and saves: the draft branch's diff is exactly those
lines, the content passes `site-builder check`, and the built pages show both. A save with an empty
required title is refused. The screenshots of docs/web-editor.md are taken on the way
(`make screenshots` writes them into docs/web-editor/). And every collection that the built
config.yml lists opens, from its list, into a form that holds the file, beside a preview in the
site's stylesheet, without saving anything (in CI every collection; elsewhere a sample: its test says).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from browser.conftest import ROOT, need_file
from browser.server import serve
from conftest import CONTENT, TEMPLATES, fresh, in_ci
from site_builder.cli import main
from site_builder.cms import BUNDLE
from site_builder.load import load_site, split_front_matter
from site_builder.registry import slugify
from site_builder.routes import all_initiatives

DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"
DECAP_DIST = ROOT / "node_modules" / "decap-cms" / "dist" / "decap-cms.js"
PLAN = "content/plans/2021-22.yaml"
BRANCH = "cms/plans/2021-22"  # decap-server's branch for an entry's draft: cms/<collection>/<slug>
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
SHOTS = Path(os.environ.get("WEB_EDITOR_SCREENSHOTS", "")) if os.environ.get("WEB_EDITOR_SCREENSHOTS") else None


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True,
                          check=True, timeout=60).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository holding a copy of the real content in the shared form, on branch main (one for the
    module: the collections test saves nothing, and the edit test saves on a branch of its own).

    The shared form as CI keeps main (`make fmt` after each merge): a hand edit on a branch may
    leave a file in another form, which the editor would rewrite whole on its first save.
    """
    repo = tmp_path_factory.mktemp("editor") / "repo"
    shutil.copytree(CONTENT, repo / "content")
    assert main(["fmt", "--content", str(repo / "content")]) == 0
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The content as it is")
    return repo


@pytest.fixture(scope="module")
def decap_server(repo):
    """decap-server on 127.0.0.1 in git mode (editorial workflow: a branch per draft); its API's address."""
    need_file(DECAP_SERVER, "decap-server")
    port = free_port()
    env = {**os.environ, **GIT_ENV, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "git",
           "GIT_REPO_DIRECTORY": str(repo), "LOG_LEVEL": "info"}
    process = subprocess.Popen(["node", str(DECAP_SERVER)], cwd=repo, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if "listening on 127.0.0.1" in line:
                break
            assert line or process.poll() is None, "decap-server stopped before it listened"
        else:
            pytest.fail("decap-server did not start within 30 s")
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def admin_url(repo, tmp_path_factory):
    """The site built from the repository's content (with /admin/), served with netlify.toml's headers."""
    out = tmp_path_factory.mktemp("admin") / "site"
    assert main(["build", "--content", str(repo / "content"), "--templates", str(TEMPLATES), "--out", str(out),
                 "--no-search", "--no-cache"]) == 0
    with serve(out) as url:
        yield url


@dataclass
class Editor:
    """A tab on /admin/, logged in to the test's decap-server, and what went wrong in it."""

    page: Any
    problems: list[str] = field(default_factory=list)  # page errors, and messages of the Content-Security-Policy
    outside: list[str] = field(default_factory=list)  # requests that left the machine


@contextmanager
def editor(browser, admin_url: str, decap_server: str, tmp_path: Path) -> Iterator[Editor]:
    """/admin/ in a fresh browser context, logged in (Decap's local backend); a screenshot if the block fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = Editor(context.new_page())
    page = tab.page
    page.on("pageerror", lambda exc: tab.problems.append(f"{exc} {exc.stack[:300]}"))
    page.on("console", lambda m: tab.problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: tab.outside.append(r.url) if not r.url.startswith(
        (admin_url, decap_server, "data:", "blob:", "about:")) else None)
    page.add_init_script(f"localStorage.setItem('scp-local-backend', {json.dumps(decap_server)})")
    try:
        page.goto(admin_url + "/admin/")
        page.get_by_role("button", name="Login").click()
        page.locator("a[href^='#/collections/']").first.wait_for(timeout=30_000)
        yield tab
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"))
        print(f"screenshot: {tmp_path / 'failure.png'}")
        raise
    finally:
        context.close()


def shot(page, name: str) -> None:
    """A screenshot for the staff guide, into docs/web-editor/ under `make screenshots`; else none (each costs
    up to 1.5 s here)."""
    if SHOTS:
        data = page.screenshot()
        assert data.startswith(b"\x89PNG")
        (SHOTS / name).write_bytes(data)


def list_item(scope, summary: str):
    """A list item of the form, by its summary line (exactly)."""
    return scope.locator(f"[class*=listControlItem]:has(> [class*=NestedObjectLabel]:text-is({json.dumps(summary)}))")


def expand(item) -> None:
    item.locator("> [class*=TopBar] > button").first.click()


def test_the_bundle_is_the_pinned_package():
    assert (TEMPLATES / "admin" / "vendor" / BUNDLE).read_bytes() == need_file(DECAP_DIST, "decap-cms").read_bytes()


@pytest.mark.content
def test_an_edit_and_an_added_initiative_are_a_draft_whose_diff_is_their_lines(browser, repo, decap_server,
                                                                               admin_url, tmp_path):
    plan_2021 = next(plan for plan in load_site(repo / "content").plans if plan.period == "2021-22")
    walks_title = fresh("Street Safe Walks", {ini.id for ini in all_initiatives(plan_2021)})
    with editor(browser, admin_url, decap_server, tmp_path) as tab:
        page, problems = tab.page, tab.problems
        page.get_by_role("link", name="Plans").first.wait_for(timeout=30_000)
        shot(page, "1-collections.png")
        page.goto(admin_url + "/admin/#/collections/plans/entries/2021-22")
        page.get_by_text("Priorities", exact=True).first.wait_for(timeout=30_000)

        # Change the title of a row under priority 1 (its id keeps its address).
        first = page.locator("[class*=listControlItem]:has(> [class*=NestedObjectLabel]:text-matches('^1 '))")
        expand(first)
        row = list_item(first, "Op Enlightenment")
        expand(row)
        row.get_by_label("Title", exact=True).first.fill("Op Enlightenment (schools)")
        preview = page.frame_locator("iframe").first
        preview.get_by_role("heading", name="Op Enlightenment (schools)").wait_for(timeout=10_000)
        assert preview.locator("link[rel=stylesheet][href^='/assets/site.']").count() == 1
        shot(page, "2-edit-title.png")

        # Add an initiative at the end of priority 2's list, its lead picked from the agencies.
        second = page.locator("[class*=listControlItem]:has(> [class*=NestedObjectLabel]:text-matches('^2 '))")
        expand(second)
        rows = second.locator("[aria-label='list field']:has(> div > label:text-matches('^Initiatives'))")
        rows.get_by_role("button", name=re.compile("^Add initiatives")).click()
        added = rows.locator("> div > div > [class*=listControlItem]").last
        added.get_by_label("Title", exact=True).first.fill(walks_title)
        added.get_by_label(re.compile("^Lead")).first.click()
        page.keyboard.type("Essex P")  # each key filters the list again (about 0.45 s here): no more than it needs
        option = page.get_by_role("option", name="Essex Police", exact=True)
        option.wait_for(timeout=10_000)
        shot(page, "3-pick-lead.png")
        option.click()

        # A mistake the form allows until saving: an empty required title. The save is refused.
        title = added.get_by_label("Title", exact=True).first
        title.click()  # first: the lead's list losing focus redraws the form, putting the title's cursor at its end
        title.fill("")  # (which would undo fill's select-all, deleting nothing)
        assert title.input_value() == ""
        before = len(problems)
        page.get_by_role("button", name="Save").first.click()
        page.get_by_text("you've missed a required field").first.wait_for(timeout=10_000)
        assert added.get_by_text(re.compile("^title is required", re.IGNORECASE)).count() == 1
        shot(page, "4-refused.png")
        # Decap refuses by rejecting its save's promise with nothing: the one error the page may throw.
        assert set(problems[before:]) <= {"undefined "}, problems[before:]
        del problems[before:]
        assert BRANCH not in git(repo, "branch", "--list"), "a draft was saved with an empty title"

        title.fill(walks_title)
        page.get_by_role("button", name="Save").first.click()
        page.get_by_text("Changes saved").first.wait_for(timeout=30_000)
        shot(page, "5-saved.png")
    assert not tab.problems, tab.problems
    assert not tab.outside, f"requests that left the machine: {tab.outside}"

    # The draft is a branch whose diff is the edited line and the added lines, and nothing else.
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    diff = git(repo, "diff", "-U0", "main", BRANCH, "--", PLAN)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-      - title: Op Enlightenment", "+      - title: Op Enlightenment (schools)",
                       f"+      - title: {walks_title}", "+        lead: [Essex Police]", "+"], diff
    assert git(repo, "diff", "--name-only", "main", BRANCH).split() == [PLAN]

    # The draft passes the checks, is in the shared form, and its pages show both changes.
    draft = tmp_path / "draft"
    git(repo, "worktree", "add", "-q", str(draft), BRANCH)
    try:
        assert main(["check", "--content", str(draft / "content"), "--templates", str(TEMPLATES), "--no-cache"]) == 0
        assert main(["fmt", "--check", "--content", str(draft / "content")]) == 0
        out = tmp_path / "draft-site"
        assert main(["build", "--content", str(draft / "content"), "--templates", str(TEMPLATES), "--out", str(out),
                     "--no-search", "--no-cache"]) == 0
    finally:  # decap-server cannot read a branch that another worktree has checked out
        git(repo, "worktree", "remove", "--force", str(draft))
    plan = (out / "plans" / "2021-22" / "index.html").read_text(encoding="utf-8")
    assert "Op Enlightenment (schools)" in plan and walks_title in plan
    walks = (out / "plans" / "2021-22" / "initiatives" / slugify(walks_title) / "index.html").read_text()
    assert "Essex Police" in walks


def decap_config(admin_url: str) -> dict:
    """/admin/config.yml as the site serves it: JSON under a comment line (JSON is YAML, as Decap reads it)."""
    with urllib.request.urlopen(admin_url + "/admin/config.yml", timeout=10) as response:
        text = response.read().decode()
    return json.loads("".join(line for line in text.splitlines(keepends=True) if not line.startswith("#")))


@dataclass
class Entry:
    """An entry to open: its collection, its slug (a folder entry's file name, a file's name), file and fields."""

    collection: str
    slug: str
    path: Path
    fields: list[dict]


def entries_to_open(config: dict, repo: Path) -> list[Entry]:
    """In CI, every collection: a folder collection's first file, and each file of a file collection. Elsewhere,
    the config's first folder collection's first file and its first file collection's first file."""
    collections = config["collections"]
    folders, files = [c for c in collections if "folder" in c], [c for c in collections if "files" in c]
    assert folders and files and len(folders) + len(files) == len(collections), [c["name"] for c in collections]
    entries = []
    for collection in (collections if in_ci() else [folders[0], files[0]]):
        if "folder" in collection:
            paths = sorted((repo / collection["folder"]).glob(f"*.{collection['extension']}"))
            assert paths, f"collection {collection['name']}: no entry in {collection['folder']}"
            entries.append(Entry(collection["name"], paths[0].stem, paths[0], collection["fields"]))
        else:
            entries += [Entry(collection["name"], file["name"], repo / file["file"], file["fields"])
                        for file in collection["files"]]
    return entries if in_ci() else entries[:2]


def first_text(path: Path) -> str:
    """A content file's first value (depth first, in the file's order), as written: its form must hold it."""
    text = path.read_text(encoding="utf-8")
    data = yaml.load(split_front_matter(text)[0] if path.suffix == ".md" else text, Loader=yaml.CBaseLoader)

    def texts(value):
        if isinstance(value, (dict, list)):
            for item in value.values() if isinstance(value, dict) else value:
                yield from texts(item)
        elif value:
            yield value

    return next(texts(data))


@pytest.mark.content
def test_every_collection_opens_with_its_fields_values_and_preview_and_saves_nothing(browser, repo, decap_server,
                                                                                     admin_url, tmp_path):
    """Each collection that the built config.yml lists opens: a folder collection's first entry, each file of
    a file collection; the first from its list, each other by its address straight from the entry before (as
    a pasted link goes). Its form has a label for each of the entry's fields (those of its top level) and
    holds the file's first value, and the preview beside it links the site's stylesheet; no page error, no message of the Content-Security-Policy, no request leaving the
    machine, and nothing saved (no branch, main and its working tree as they were).

    In CI, every collection. Elsewhere a sample: the first entry of the config's first folder collection and
    of its first file collection (today a plan and the agencies), the two ways Decap finds an entry (a file
    of a folder, a file named in the config). The others differ from these only by their format and fields, which other
    tests check on every run without a browser: the serializer reads and writes every content file as
    fmt does (tests/test_fmt.py), and each collection's fields are the model's (tests/test_cms.py). Each
    entry costs seconds of Decap on a loaded machine.
    """
    config = decap_config(admin_url)
    entries = entries_to_open(config, repo)
    if in_ci():
        assert {entry.collection for entry in entries} == {c["name"] for c in config["collections"]}
    main_before, branches = git(repo, "rev-parse", "main"), git(repo, "branch", "--format=%(refname:short)")
    with editor(browser, admin_url, decap_server, tmp_path) as tab:
        page = tab.page
        for number, entry in enumerate(entries):
            where = f"{entry.collection}/{entry.slug}"
            address = f"#/collections/{entry.collection}/entries/{entry.slug}"
            if number == 0:  # from the collection's list, as staff open it
                page.goto(f"{admin_url}/admin/#/collections/{entry.collection}")
                page.locator(f"a[href='{address}']").click(timeout=30_000)
            else:  # by its address, straight from the entry before, as a pasted or followed link goes: Decap
                # kept the last entry's values in the form (decaporg/decap-cms#4147) until cms.js reloaded
                page.goto(f"{admin_url}/admin/{address}")
            first = re.escape(entry.fields[0]["label"])
            page.locator("label").filter(has_text=re.compile(rf"^{first}( \(optional\))?$")).first.wait_for(
                timeout=30_000)
            labels = set(page.eval_on_selector_all("label", "els => els.map(e => e.textContent)"))
            missing = [f["label"] for f in entry.fields if not {f["label"], f"{f['label']} (optional)"} & labels]
            assert not missing, f"{where}: the form has no field {missing}"
            value = first_text(entry.path)
            assert value in page.eval_on_selector_all("input, textarea", "els => els.map(e => e.value)"), \
                f"{where}: the form does not hold the file's first value {value!r}"
            stylesheet = page.frame_locator("iframe").first.locator("link[rel=stylesheet][href^='/assets/site.']")
            stylesheet.first.wait_for(state="attached", timeout=10_000)
            assert stylesheet.count() == 1, where
    assert not tab.problems, tab.problems
    assert not tab.outside, f"requests that left the machine: {tab.outside}"
    assert git(repo, "branch", "--format=%(refname:short)") == branches, "a draft was saved"
    assert git(repo, "rev-parse", "main") == main_before and git(repo, "status", "--porcelain") == ""
