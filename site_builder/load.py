"""Load every content file into a validated, linked Site, reusing what did not change."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import privacy, validate
from .contentfiles import MANIFEST, decode_text, display_path, list_folder, read_bytes, stray_files, unreadable
from .convert import INVALID, Converter, Earlier, column_of
from .markdown import marked, render as render_markdown
from .glossary import Abbreviator
from .model import (REGISTRIES, ContentPage, Glossary, PageMeta, PfccPlan, Plan, RedirectList, Site, SiteConfig,
                    Strategy)
from .problems import ContentError, Pos, Problem
from .registry import PartialRegistry, Registry, make_id, names_in
from .yamlfile import Node, compose

REGISTRY_FILES = {r.file: r.cls for r in REGISTRIES.values()}
FOLDERS = {"pfcc": PfccPlan, "plans": Plan, "strategies": Strategy}
OPTIONAL_FILES = {"redirects.yaml": RedirectList, "glossary.yaml": Glossary}  # a new site has neither
# Everything the content folder may hold beside the folders: what else is there is reported.
KNOWN_NAMES = {"site.yaml", *REGISTRY_FILES, *FOLDERS, *OPTIONAL_FILES, "pages", MANIFEST}
NO_FRONT_MATTER = "the page has no front matter"


@dataclass
class Source:
    """One content file: its text, converted value and problems."""

    rel: str
    text: str
    value: Any
    problems: list[Problem]
    depends: Any = None  # what besides the text the conversion read
    data: bytes = b""  # the file as read
    yaml: bool = True  # a YAML file, not a page or the address list
    # Its YAML nodes, kept only through the load that converted it (load() drops them): a large
    # site's nodes are millions of objects, which every full garbage collection of a preview walks.
    nodes: Node | None = None
    groups: dict | None = None  # its groups of fields as converted (convert.Earlier), for a preview's next load

    @property
    def root(self) -> Node | None:
        """The file's YAML nodes, composed again for the few messages that point into them after their load."""
        if self.nodes is None and self.yaml and self.text:
            self.nodes = compose(self.text, self.rel)[0]
        return self.nodes


def convert_text(text: str, rel: str, cls, resolver=None, abbreviate=None,
                 earlier: Earlier | None = None) -> tuple[Any, list[Problem], Node | None]:
    """Parse YAML text and convert it to a model object, Markdown marked by `abbreviate` (with problems and
    nodes), taking the groups of fields `earlier` has unchanged."""
    root, problems = compose(text, rel)
    if root is None:
        return None, problems, None
    conv = Converter(rel, text.splitlines(), resolver, abbreviate, earlier)
    value = conv.convert(root, cls, "")
    return (None if value is INVALID else value), conv.problems, root


def convert_content(text: str, rel: str, cls, registry, abbreviate=None,
                    earlier: Earlier | None = None) -> tuple[Any, list[Problem], Node | None]:
    """Convert a plan, strategy or PFCC plan file; plans get their derived fields."""
    value, problems, root = convert_text(text, rel, cls, registry, abbreviate, earlier)
    if cls is Plan and value is not None:
        value = finish_plan(value)
    return value, problems, root


def finish_plan(plan: Plan) -> Plan:
    """Fill in derived ids, periods, priority numbers and timing labels."""
    period = plan.period

    def finish(ini, number):
        return replace(ini, id=ini.id or make_id(ini.title), period=period, priority=number,
                       timing_label=plan.timing_label)

    priorities = tuple(
        replace(p, id=p.id or make_id(p.short_title), period=period,
                initiatives=tuple(finish(i, p.number) for i in p.initiatives))
        for p in plan.priorities)
    return replace(plan, priorities=priorities, initiatives=tuple(finish(i, None) for i in plan.initiatives))


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split a Markdown page into its YAML front matter and body (and the body's first line)."""
    if not text.startswith("---\n"):
        return "", text, 0
    end = text.find("\n---\n", 3)
    if end < 0:
        return "", text, 0
    front = text[4:end + 1]
    body = text[end + 5:]
    return front, body, text[: end + 5].count("\n")


def convert_page(text: str, rel: str, slug: str, abbreviate=None) -> tuple[Any, list[Problem]]:
    """Convert a Markdown page with front matter."""
    front, body, body_line = split_front_matter(text)
    if not front:
        return None, [Problem(Pos(rel, 1, 1), "", NO_FRONT_MATTER,
                              "a first line '---', then 'title:' and 'description:' lines, then '---'")]
    # Pad so that YAML positions are the file's own line numbers.
    meta, problems, _ = convert_text("\n" + front, rel, PageMeta)
    rendered, findings = render_markdown(body, 2)
    lines = body.split("\n")
    for finding in findings:
        line = lines[finding.line] if finding.line < len(lines) else ""
        problems.append(Problem(Pos(rel, body_line + finding.line + 1, column_of(line, finding.typed)), "body",
                                finding.message, finding.expected, finding.hint))
    if meta is None or findings:
        return None, problems
    return ContentPage(slug, meta, marked(rendered, abbreviate) if abbreviate else rendered, Pos(rel, 1, 1)), problems


def _partial_registry(registries: dict[str, Source | None]) -> PartialRegistry:
    """Judge references by the names the registry files hold, broken or not."""
    return PartialRegistry({r.kind: names_in(src.root, r.kind) if src is not None else None
                            for r in REGISTRIES.values() for src in [registries[r.file]]})


class ContentLoader:
    """Loads the content folder; call load() again after edits to reload only what changed.

    Draft plans are loaded and checked like the others, and kept only when `drafts` is true
    (previews): the published site leaves them out of every page, list, feed and file.
    """

    def __init__(self, content_dir: Path, drafts: bool = False):
        self.content_dir = Path(content_dir)
        self.drafts = drafts
        self.sources: dict[Path, Source] = {}
        self.registry: Registry | None = None
        self._registry_key: tuple | None = None
        self.site: Site | None = None
        self.warnings: list[Problem] = []
        self.abbreviator = Abbreviator(())
        # A one-off build's load (the build command): files are checked for personal data by a second
        # process while the next ones load and the pages are made (privacy.Helper; the build asks for
        # the findings with personal_data()), and their bytes are not kept for a next load. A preview,
        # which loads again at each save, does neither.
        self.once = False
        self._helper: privacy.Helper | None = None

    def _source(self, path: Path, convert, depends=None, yaml: bool = True, read=None) -> Source:
        """Return the file's Source, converting it again unless its bytes and `depends` equal the last load's.

        `depends` is everything else the conversion reads (the registries, for a plan), so
        reuse is decided by value: a Source is the same whenever its inputs are the same.
        read(text, rel), if given, is called with a file's text before it is converted.
        """
        try:
            data = read_bytes(path)  # Refused for a link (never followed), a pipe, a file too large
        except OSError as exc:
            return self._unreadable(path, exc)
        old = self.sources.get(path)
        if old is not None and old.data == data and old.depends == depends:
            return old
        rel = display_path(path)
        text, problems = decode_text(data, rel)
        if read is not None and text:
            read(text, rel)
        # A preview's next load converts again only the groups of fields an edit changed (convert.Earlier).
        same_inputs = old is not None and old.depends == depends
        earlier = None if self.once else Earlier(text, old.groups if same_inputs else None)
        if problems:  # not UTF-8 (no text), or control characters: the file is refused, its other mistakes told
            value, nodes, problems = None, None, problems + _other_mistakes(convert, text, rel, problems)
        else:
            value, problems, nodes = convert(text, rel, earlier)
        # The bytes tell a next load whether the file changed; a one-off build's 83 MB of them at 100,000
        # initiatives are not kept (were it loaded again, each file would be converted again).
        source = Source(rel, text, value, problems, depends, b"" if self.once else data, yaml, nodes,
                        earlier.made if earlier is not None else None)
        self.sources[path] = source
        return source

    def _unreadable(self, path: Path, exc: OSError) -> Source:
        """A file listed but not readable: removed since (an editor saving), a broken link, a folder."""
        self.sources.pop(path, None)  # read it afresh next time
        rel = display_path(path)
        problem = unreadable(rel, exc)
        return Source(rel, "", None, [problem])

    def load(self) -> Site:
        """Load, validate and link the whole site; raise ContentError listing every problem.

        But for one: a one-off build's load that finds no other mistake leaves the check for personal
        data going on in the helper, and its caller asks for the findings (personal_data()) before it
        publishes anything.
        """
        try:
            return self._load()
        except BaseException:
            self.close()
            raise
        finally:
            for source in self.sources.values():
                source.nodes = None

    def personal_data(self) -> list[Problem]:
        """The personal-data errors a one-off build's load left to the helper, waited for now, in the order
        a ContentError gives them; none otherwise (a load reports them itself)."""
        if self._helper is None or self.site is None:
            return []
        try:
            return sorted(self._personal_data(self.site.config), key=Problem.sort_key)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the helper, if it is still at work."""
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.close()

    def _load(self) -> Site:
        base = self.content_dir
        if not base.is_dir():
            raise ContentError([Problem(Pos(display_path(base), 1, 1), "", "the content folder does not exist",
                                        "a folder with site.yaml, agencies.yaml and plans/")])
        problems: list[Problem] = []
        warnings: list[Problem] = stray_files(base, KNOWN_NAMES)
        seen: set[Path] = set()

        def report(found: list[Problem]) -> None:
            problems.extend(p for p in found if p.level == "error")
            warnings.extend(p for p in found if p.level != "error")

        def listed(folder: str, suffix: str, looks_like: tuple[str, ...]) -> list[Path]:
            paths, found = list_folder(base / folder, suffix, looks_like)
            report(found)
            return paths

        config_src: Source | None = None
        helper = self._helper = privacy.Helper() if self.once else None
        sent: set[str] = set()  # the files the helper has, or whose findings are known

        def send(text: str, rel: str) -> None:
            """Have the helper check a file for personal data while this process converts it (were
            it sent once converted, the load would end waiting for the last file's check)."""
            if helper is not None and config_src is not None and config_src.value is not None:
                if helper.check(text, rel, config_src.value):
                    sent.add(rel)

        def checked(src: Source) -> Source:
            """Check a converted file for personal data now, unless the helper has it, and let its nodes go.

            The findings are remembered by the file's text (privacy.memo), where the whole site's
            check below finds them; the nodes, millions of objects on a large site, are not kept
            through the rest of the load for it.
            """
            if src.text and config_src is not None and config_src.value is not None:
                if src.rel not in sent and src.nodes is not None:  # no helper, or it was behind
                    privacy.check_sources((src,), config_src.value, again=not self.once)
                src.nodes = None
            return src

        def required(name: str, cls) -> Source | None:
            path = base / name
            if not os.path.lexists(path):  # a link, a folder or a pipe of that name is refused by _source
                problems.append(Problem(Pos(display_path(path), 1, 1), "", f"{name} is missing",
                                        f"a file {name} in the content folder"))
                return None
            seen.add(path)
            src = checked(self._source(path, lambda text, rel, earlier: convert_text(text, rel, cls, earlier=earlier),
                                         read=send))
            report(src.problems)
            return src

        config_src = required("site.yaml", SiteConfig)
        if config_src is not None and config_src.text:  # read before the helper could be told what it allows
            send(config_src.text, config_src.rel)
        registries = {name: required(name, cls) for name, cls in REGISTRY_FILES.items()}
        registry = self._registry_for(registries, self._published_agencies(seen))
        if registry is not None:
            problems.extend(registry.problems)
        resolver = registry or _partial_registry(registries)
        # What a plan's conversion reads besides its text, as values: the registries' contents.
        resolved_by = self._registry_key if registry is not None else resolver.known
        optional = {name: required(name, cls) for name, cls in OPTIONAL_FILES.items()
                    if os.path.lexists(base / name)}
        glossary = optional["glossary.yaml"].value if "glossary.yaml" in optional else None
        terms = glossary.terms if glossary is not None else ()
        if terms != self.abbreviator.terms:
            self.abbreviator = Abbreviator(terms)
        abbreviate = self.abbreviator

        folders: dict[str, list[Source]] = {}
        for folder, cls in FOLDERS.items():
            folders[folder] = []
            for path in listed(folder, ".yaml", (".yaml", ".yml")):
                seen.add(path)
                needs_registry = cls is not PfccPlan
                convert = (lambda text, rel, earlier, cls=cls:
                           convert_content(text, rel, cls, resolver, abbreviate, earlier))
                # What the conversion reads besides the text: the registries (but for PFCC plans) and the glossary.
                src = checked(self._source(path, convert, (resolved_by if needs_registry else None, terms), read=send))
                report(src.problems)
                folders[folder].append(src)

        pages = []
        for path in listed("pages", ".md", (".md", ".markdown")):
            seen.add(path)
            convert = (lambda text, rel, earlier, slug=path.stem: (*convert_page(text, rel, slug, abbreviate), None))
            src = self._source(path, convert, terms, yaml=False, read=send)
            report(src.problems)
            if src.value is not None:
                pages.append(src.value)
        if helper is not None:
            helper.done()  # every file sent

        for path in list(self.sources):
            if path not in seen:
                del self.sources[path]  # deleted files
        if config_src is None or config_src.value is None or registry is None:
            raise ContentError(problems + self._personal_data(config_src and config_src.value))

        # The files that loaded, checked across one another even where others did not load: all of a run's
        # errors together (each check judges only what it is given; a plan naming a PFCC plan whose file did
        # not load is not told that plan is unknown).
        values = {name: src.value for name, src in registries.items()}
        redirects = optional["redirects.yaml"].value if "redirects.yaml" in optional else None
        site = Site(
            config=config_src.value,
            **{r.field: getattr(values[r.file], r.field) for r in REGISTRIES.values()},
            pfcc_plans=tuple(s.value for s in folders["pfcc"] if s.value is not None),
            plans=tuple(sorted((s.value for s in folders["plans"] if s.value is not None), key=lambda p: p.period,
                               reverse=True)),
            strategies=tuple(s.value for s in folders["strategies"] if s.value is not None),
            pages=tuple(pages),
            redirects=redirects.redirects if redirects is not None else (),
            glossary=terms,
        )
        sources = {src.rel: src for src in self.sources.values()}
        # Every file in pfcc/ that did not load, listed or refused for its name ('2016-21.yml').
        unread_pfcc = frozenset(name.partition(".")[0] for name in _names_in(base / "pfcc")) - {
            plan.id for plan in site.pfcc_plans}
        # With the helper, the personal data found is told with the other errors, if there are any, else
        # asked for once the pages are made (personal_data()): nothing waits for its last files till then.
        checked = validate.check_site(site, sources, unread_pfcc, personal_data=helper is None)
        errors = problems + [p for p in checked if p.level == "error"]
        if errors:
            raise ContentError(errors + (self._personal_data(site.config) if helper is not None else []))
        problems = checked
        if not self.drafts:
            site = replace(site, plans=tuple(plan for plan in site.plans if not plan.draft))
        self.site = site
        self.warnings = warnings + [p for p in problems if p.level != "error"]
        return site

    def _personal_data(self, config: SiteConfig | None) -> list[Problem]:
        """The personal-data errors in every file read, the helper's waited for; none where site.yaml,
        which allows some, did not load."""
        if config is None:
            return []
        if self._helper is not None:
            self._helper.collect()
        return [p for p in privacy.check_sources(self.sources.values(), config) if p.level == "error"]

    def _registry_for(self, registries: dict[str, Source | None], published: frozenset[str]) -> Registry | None:
        """Build the reference index, keeping the old one while the registries and published agencies are equal."""
        if any(src is None or src.value is None for src in registries.values()):
            return None
        key = (*(src.value for src in registries.values()), published)
        if self.registry is not None and key == self._registry_key:
            return self.registry
        self.registry = Registry({r.kind: getattr(registries[r.file].value, r.field) for r in REGISTRIES.values()},
                                 lambda: published)
        self._registry_key = key
        return self.registry

    def _published_agencies(self, seen: set[Path]) -> frozenset[str]:
        """The ids of the agencies whose pages content/published.txt records (its own problems are the addresses check's)."""
        path = self.content_dir / MANIFEST
        if not os.path.lexists(path):
            return frozenset()
        seen.add(path)
        found = self._source(path, lambda text, rel, earlier: (frozenset(re.findall(r"(?m)^/agencies/([^/\s]+)/$", text)),
                                                      [], None), yaml=False)
        return found.value or frozenset()


def _other_mistakes(convert, text: str, rel: str, problems: list[Problem]) -> list[Problem]:
    """The mistakes of a file refused for its control characters, read with each made a space: none on
    their lines, nor a YAML syntax error (a space that opens a line shifts its indentation), which the
    characters may have made."""
    found = convert(text, rel, None)[1] if text else []
    if any(p.message.startswith("YAML syntax error") for p in found):
        return []
    lines = {p.pos.line for p in problems}
    return [p for p in found if p.pos.line not in lines]


def _names_in(folder: Path) -> list[str]:
    """The names in a folder, or none if it cannot be read (its problem is list_folder's to report)."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def load_site(content_dir: Path, drafts: bool = False) -> Site:
    """Load and validate the content folder once."""
    return ContentLoader(content_dir, drafts).load()
