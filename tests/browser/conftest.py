"""Browser fixtures: the sites built and served with netlify.toml's headers, and one Chromium.

Two sites are served: the real one (`site_url`, for axe-core and the Nu Html Checker on every
page, in tests marked `content`) and the rich fixture site (`rich_url`, for the features: search,
list filters, keyboard), whose titles and counts the tests may name. Every test here is marked
`browser` (tests/conftest.py does it by folder).

These tests never skip. A missing Chromium, Java or node_modules fails them loudly, with what
to install: `make test` checks for the tools first and `.ci/run` installs them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser.server import serve

ROOT = Path(__file__).resolve().parents[2]
FAULTY = Path(__file__).resolve().parent / "faulty"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = (375, 1280)
HEIGHT = 800
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
INSTALL_HINT = "`bash .ci/run` installs the test tools on Debian, then runs `make test`"


def chromium_path() -> str:
    """Debian's Chromium: /usr/bin/chromium, or chromium on PATH."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    found = shutil.which("chromium")
    if not found:
        pytest.fail(f"Chromium not found at /usr/bin/chromium nor on PATH: {INSTALL_HINT}", pytrace=False)
    return found


def need_file(path: Path, what: str) -> Path:
    """Fail loudly when a tool from node_modules is missing."""
    if not path.is_file():
        pytest.fail(f"{what} not found at {path.relative_to(ROOT)}: run `npm ci` (make test does); "
                    f"{INSTALL_HINT}", pytrace=False)
    return path


def page_urls(folder: Path) -> list[str]:
    """The URL path of every page of the site in a built folder, sorted: dir/index.html is /dir/.

    Not the web editor's /admin/ (Decap CMS's own page, for staff: tests/browser/test_web_editor.py).
    """
    urls = []
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith("admin/"):
            continue
        urls.append("/" + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel))
    return sorted(urls)


def page_html(folder: Path, url: str) -> str:
    """The HTML of a page of a built folder, by its URL path."""
    return (folder / (url.lstrip("/") + ("index.html" if url.endswith("/") else ""))).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site_url(built_site):
    """The real site served on 127.0.0.1 with netlify.toml's headers."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def rich_url(built_rich):
    """The rich fixture site served the same way."""
    with serve(built_rich) as url:
        yield url


@pytest.fixture(scope="session")
def faulty_url():
    """tests/browser/faulty/, pages with known faults, served the same way."""
    with serve(FAULTY) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run, with a fresh temporary profile."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, from node_modules."""
    return need_file(AXE_JS, "axe-core").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Loading a page and checking it with axe, while watching the console and the network.

@dataclass
class PageReport:
    """What went wrong on one page: axe violations, console errors, failed requests."""

    url: str
    violations: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class PageChecker:
    """One tab that loads page after page and runs axe on each; console and network are watched."""

    RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))"""

    def __init__(self, context, base_url: str, axe_source: str):
        self.page = context.new_page()
        self.base_url = base_url
        if axe_source:
            # Into every document the tab opens, before the page's own scripts, through the DevTools
            # protocol, which the page's Content-Security-Policy does not govern (a <script> element
            # with the same text would be blocked as inline script, as it should be). Given once: put
            # into each page after it loaded, the script's half megabyte took a third of each check.
            self.page.add_init_script(axe_source)
        self.problems: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)

    def _on_request_failed(self, request) -> None:
        # A request the browser itself cancelled because the tab moved on (a reload, a new
        # address) says nothing about the site; one the server or a policy refused does.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _on_console(self, message) -> None:
        if message.type in ("error", "assert"):
            where = message.location.get("url")
            self.problems.append(f"console {message.type}: {message.text}" + (f" ({where})" if where else ""))

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def load(self, path: str) -> list[str]:
        """Open a page and wait until it has loaded; return the problems seen on the way."""
        self.problems = []
        response = self.page.goto(self.base_url + path, wait_until="load")
        if response is None:
            self.problems.append("no response")
        return self.problems

    def axe(self) -> list[dict]:
        """Run axe-core on the page loaded; return its violations."""
        return self.page.evaluate(self.RUN_AXE, AXE_TAGS)

    def check(self, path: str) -> PageReport:
        """Load a page and run axe on it."""
        report = PageReport(path)
        self.load(path)
        report.violations = self.axe()
        self.page.wait_for_timeout(0)  # let events of the load reach the listeners
        report.problems = list(self.problems)
        return report


def describe(reports: list[PageReport], width: int | None = None) -> str:
    """A failure message listing each violation and problem by page."""
    at = f" at {width}px" if width else ""
    lines = []
    for report in reports:
        for v in report.violations:
            lines.append(f"{report.url}{at}: axe {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"]:
                summary = " ".join(node["summary"].split()) if node["summary"] else ""
                lines.append(f"    {node['target']}  {summary}")
        for problem in report.problems:
            lines.append(f"{report.url}{at}: {problem}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The Nu Html Checker.

# Java's options for a run of seconds: the quick first-tier compiler only (the optimising one costs more
# CPU than it saves in so short a run: 3.7 s against 0.9 s on the faulty pages, 7.7 s against 4.2 s on
# the real site, here), the serial collector, and the larger thread stack the checker then needs (it
# refuses to run, saying so, without). The same checker on the same files: the same messages.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


def run_vnu(folder: Path) -> list[dict]:
    """Check every HTML file under a folder with the Nu Html Checker; return its error messages."""
    java = shutil.which("java")
    if not java:
        pytest.fail(f"java not found on PATH: the Nu Html Checker needs a Java runtime; {INSTALL_HINT}",
                    pytrace=False)
    jar = need_file(VNU_JAR, "vnu-jar (the Nu Html Checker)")
    result = subprocess.run([java, *JAVA_OPTIONS, "-jar", str(jar), "--errors-only", "--format", "json",
                             "--skip-non-html", str(folder)], capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu Html Checker exited {result.returncode} without a JSON report:\n"
                    f"{result.stdout}\n{result.stderr}", pytrace=False)
    if result.returncode not in (0, 1):
        pytest.fail(f"the Nu Html Checker exited {result.returncode}:\n{result.stderr}", pytrace=False)
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def vnu_file(message: dict, folder: Path) -> str:
    """The file a Nu Html Checker message is about, relative to the checked folder."""
    url = message.get("url", "")
    path = Path(url.removeprefix("file:"))
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return url


def describe_vnu(messages: list[dict], folder: Path) -> str:
    """One line per message: file:line:column: message, then the extract."""
    lines = []
    for m in messages:
        line = m.get("lastLine", m.get("firstLine", "?"))
        col = m.get("firstColumn", m.get("lastColumn", "?"))
        lines.append(f"{vnu_file(m, folder)}:{line}:{col}: {m.get('message', '').strip()}")
        if m.get("extract"):
            lines.append("    " + " ".join(m["extract"].split()))
    return "\n".join(lines)


def no_problems(checker: "PageChecker") -> None:
    """Fail on any console error or failed request the tab has seen."""
    checker.page.wait_for_timeout(0)  # let the last events reach the listeners
    assert checker.problems == [], "\n".join(checker.problems)


@pytest.fixture(scope="module")
def context(browser):
    """One desktop-sized browser context for a test module."""
    context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})
    yield context
    context.close()


@pytest.fixture
def checker(context, rich_url):
    """A fresh tab on the rich fixture site that collects console errors and failed requests; the test fails on any."""
    checker = PageChecker(context, rich_url, axe_source="")
    yield checker
    checker.page.close()
