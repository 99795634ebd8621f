"""Checks that need the whole site: references between files, duplicates, personal data."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path, PurePath
from typing import Iterable

from . import privacy
from .model import Agency, Initiative, Plan, Site, one_year, plan_start, start_of, when
from .problems import Pos, Problem, did_you_mean
from .urls import reserved_slugs
from .yamlfile import MappingNode, Node, ScalarNode, SequenceNode, pos_of

# Top-level addresses the builder makes; a content page may not take one of them.
RESERVED_SLUGS = reserved_slugs() | {"_redirects"}
MAX_SHORT_TITLE = 50
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def locate(root: Node | None, path: str) -> Node | None:
    """Find the node at a field path like 'priorities[1].initiatives[0].lead'."""
    node = root
    for name, index in _TOKEN.findall(path):
        if node is None:
            return None
        if name:
            if not isinstance(node, MappingNode):
                return node
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == name:
                    node = value
                    break
            else:
                return node  # a missing field: point at the item that lacks it
        else:
            if not isinstance(node, SequenceNode) or int(index) >= len(node.value):
                return node
            node = node.value[int(index)]
    return node


class Checker:
    """Collects problems, placing each at the field it is about."""

    def __init__(self, sources: dict):
        self.sources = sources
        self.problems: list[Problem] = []

    def at(self, pos: Pos | None, path: str, message: str, expected: str = "", hint: str = "",
           level: str = "error") -> None:
        """Record a problem at a field of the file where pos lies."""
        if pos is None:
            return
        node = self.node(pos, path)
        if node is not None:
            pos = pos_of(node, pos.file)
        self.problems.append(Problem(pos, path, message, expected, hint, level))

    def node(self, pos: Pos | None, path: str) -> Node | None:
        """The node at a field path of the file where pos lies, or None."""
        src = self.sources.get(pos.file) if pos else None
        return locate(src.root, path) if src is not None else None

    def has_key(self, pos: Pos | None, path: str, key: str) -> bool:
        """Whether the item at a field path writes this key itself."""
        node = self.node(pos, path)
        return isinstance(node, MappingNode) and any(isinstance(k, ScalarNode) and k.value == key
                                                     for k, _ in node.value)


def check_site(site: Site, sources: dict, unread_pfcc: frozenset[str] = frozenset(),
               personal_data: bool = True) -> list[Problem]:
    """Run every cross-file check; return problems (errors and warnings). unread_pfcc: the PFCC plans whose
    files did not load (their errors are reported already): a plan's references to them are not judged.
    Without personal_data, the files are not checked for it (the caller has them checked elsewhere)."""
    check = Checker(sources)
    _check_registries(site, check)
    pfcc = {plan.id: plan for plan in site.pfcc_plans}
    agencies = {agency.id: agency for agency in site.agencies}
    for plan in site.plans:
        _check_plan(plan, pfcc, check, unread_pfcc)
        if plan.members is not None:
            for group in ("statutory", "non_statutory"):
                _check_not_ended(check, plan, f"members.{group}", getattr(plan.members, group), agencies)
        for path, ini in plan_initiatives(plan):
            _check_not_ended(check, plan, f"{path}.lead", ini.lead, agencies)
            _check_not_ended(check, plan, f"{path}.partners", ini.partners, agencies)
    for plan in site.pfcc_plans:
        _check_file_name(plan.pos, "id", plan.id, check)
        _unique(check, plan.pos, "priorities", [p.number for p in plan.priorities], "priority number")
    for strategy in site.strategies:
        _check_file_name(strategy.pos, "period", strategy.period, check)
        _unique(check, strategy.pos, "sections", [s.id for s in strategy.sections], "section id", "id")
    for page in site.pages:
        if page.slug in RESERVED_SLUGS:
            check.problems.append(Problem(page.pos, "", f"the page name '{page.slug}' is taken by the site",
                                          "a file name not among: " + ", ".join(sorted(RESERVED_SLUGS)),
                                          "Rename the file."))
    _check_glossary(site, check)
    if personal_data:
        check.problems.extend(privacy.check_sources(sources.values(), site.config))
    return check.problems


def _check_glossary(site: Site, check: Checker) -> None:
    """Each abbreviation once, and each saying what it means."""
    if not site.glossary:
        return
    seen: dict[str, int] = {}
    for index, term in enumerate(site.glossary):
        # Each has an anchor on the glossary page: its abbreviation in lower case.
        first = seen.setdefault(term.abbreviation.lower(), index)
        if first != index:
            check.at(term.pos, f"terms[{index}].abbreviation", f"the abbreviation '{term.abbreviation}' is listed "
                     f"twice (as '{site.glossary[first].abbreviation}' too)", "each abbreviation once, whatever its case",
                     "Keep one of the two entries.")
        if not term.title:
            check.at(term.pos, f"terms[{index}]", f"the abbreviation '{term.abbreviation}' is not explained",
                     "an 'expansion:' (what it stands for), or a 'note:' when the sources do not spell it out",
                     "Add 'expansion:' with the words the sources spell out, or 'note:' saying what is known.")


def _check_file_name(pos: Pos | None, field: str, value: str, check: Checker) -> None:
    if pos is None:
        return
    stem = PurePath(pos.file).stem
    if value != stem and Path(pos.file).with_name(f"{value}.yaml").is_file():
        check.at(pos, field, f"another file, {value}.yaml, holds the {field} '{value}' already: this file looks like "
                 "a copy of it", f"one file for each {field}",
                 f"Remove this file if it is a copy, or give it its own {field} and name it after it.")
    elif value != stem:
        check.at(pos, field, f"'{value}' does not match the file name '{stem}.yaml'",
                 f"{field}: {stem} (the {field} and the file name must agree)",
                 f"Change the {field} or rename the file to {value}.yaml.")


def _unique(check: Checker, pos, list_path: str, values: Iterable, what: str, sub: str = "number",
            items: list | None = None) -> None:
    """Report a value given twice in a list, at the second; with the items (which know their place), the
    hint says where the first is."""
    counts = Counter(values)
    for index, value in enumerate(values):
        if counts[value] > 1:
            counts[value] = 0  # report once, at the second occurrence
            later = [i for i, v in enumerate(values) if v == value][1]
            first = items[index].pos if items and items[index].pos else None
            check.at(pos, f"{list_path}[{later}].{sub}", f"the {what} '{value}' is used twice",
                     f"each {what} once", (f"The first is at line {first.line}. " if first else "")
                     + f"Change one of them: each {what} names one entry.")


def _check_registries(site: Site, check: Checker) -> None:
    for name, items in (("agencies", site.agencies), ("topics", site.topics), ("programmes", site.programmes)):
        if items:
            _unique(check, items[0].pos, name, [item.id for item in items], "id", "id", list(items))
    ids = {agency.id for agency in site.agencies}
    for index, agency in enumerate(site.agencies):
        for n, successor in enumerate(agency.succeeded_by):
            if successor not in ids or successor == agency.id:
                check.at(agency.pos, f"agencies[{index}].succeeded_by[{n}]",
                         f"'{successor}' is not the id of another agency", "the id of an agency in this file",
                         did_you_mean(successor, ids - {agency.id}))
        if agency.succeeded_by and not agency.ended:
            check.at(agency.pos, f"agencies[{index}].succeeded_by", "succeeded_by is given but not when it ended",
                     "an 'ended:' line with the year or date the agency ended, like 'ended: 2014-05-31'")


def _check_not_ended(check: Checker, plan: Plan, path: str, agencies: tuple[Agency, ...],
                     by_id: dict[str, Agency]) -> None:
    """A plan may not name an agency that ended before the plan's year began."""
    start = plan_start(plan.period)
    for index, agency in enumerate(agencies):
        if agency.ended and start_of(agency.ended) <= start:
            successors = [by_id[s].name for s in agency.succeeded_by if s in by_id]
            hint = (f"Its work passed to {' and '.join(successors)}: name {'one of them' if len(successors) > 1 else 'it'} "
                    "instead." if successors else "Name the agency that does this work now.")
            check.at(plan.pos, f"{path}[{index}]",
                     f"{agency.name} ended in {when(agency.ended)}, before this plan's year began ({when(start)})",
                     f"an agency that existed in {plan.period}",
                     hint + " If it had not ended, correct 'ended:' in content/agencies.yaml.")


def plan_initiatives(plan: Plan) -> list[tuple[str, Initiative]]:
    """Every initiative of a plan with its field path in the plan file."""
    found = []
    for p_index, priority in enumerate(plan.priorities):
        for i_index, ini in enumerate(priority.initiatives):
            found.append((f"priorities[{p_index}].initiatives[{i_index}]", ini))
    found.extend((f"initiatives[{i}]", ini) for i, ini in enumerate(plan.initiatives))
    return found


def _check_plan(plan: Plan, pfcc: dict, check: Checker, unread_pfcc: frozenset[str] = frozenset()) -> None:
    _check_file_name(plan.pos, "period", plan.period, check)
    if plan.period != one_year(plan.period):
        check.at(plan.pos, "period", f"'{plan.period}' is not one year: a plan runs from April to March",
                 one_year(plan.period), "The second part is the last two digits of the next year.")
    numbers = [p.number for p in plan.priorities]
    _unique(check, plan.pos, "priorities", numbers, "priority number")
    _unique(check, plan.pos, "priorities", [p.id or f"#{n}" for n, p in enumerate(plan.priorities)],
            "priority id", "short_title")
    for index, priority in enumerate(plan.priorities):
        path = f"priorities[{index}]"
        if not priority.id:
            _no_id(check, plan, f"{path}.short_title", "short title", "priority")
        if len(priority.short_title) > MAX_SHORT_TITLE:
            check.at(plan.pos, f"{path}.short_title",
                     f"the short title is {len(priority.short_title)} characters long",
                     f"at most {MAX_SHORT_TITLE} characters", "Shorten it: it labels menus and tables.")
        if priority.source_table_empty and priority.initiatives:
            check.at(plan.pos, f"{path}.source_table_empty",
                     "the priority says its published table was empty, but it lists initiatives",
                     "either source_table_empty: true or initiatives, not both")

    pfcc_plan = None
    if plan.pfcc_plan:
        pfcc_plan = pfcc.get(plan.pfcc_plan)
        if pfcc_plan is None and plan.pfcc_plan not in unread_pfcc:
            check.at(plan.pos, "pfcc_plan", f"unknown PFCC plan '{plan.pfcc_plan}'",
                     "the name of a file in content/pfcc/ without .yaml", did_you_mean(plan.pfcc_plan, pfcc))
    pfcc_numbers = {p.number for p in pfcc_plan.priorities} if pfcc_plan else set()

    items = plan_initiatives(plan)
    ids: dict[str, str] = {}  # id -> path of the first initiative with it
    for path, ini in items:
        if not ini.id:
            _no_id(check, plan, f"{path}.title", "title", "initiative")
        elif ini.id in ids:
            this_has_id = check.has_key(plan.pos, path, "id")
            check.at(plan.pos, f"{path}.{'id' if this_has_id else 'title'}",
                     f"two initiatives of this plan have the id '{ini.id}'", "a different id for each initiative",
                     _duplicate_id_hint(check, plan, ini.id, ids[ini.id], this_has_id,
                                        {i.id for _, i in items}))
        else:
            ids[ini.id] = path
        for n_index, number in enumerate(ini.scp_priorities):
            if number not in numbers:
                check.at(plan.pos, f"{path}.scp_priorities[{n_index}]",
                         f"this plan has no priority {number}",
                         "one of this plan's priority numbers: " + ", ".join(map(str, numbers)))
        if ini.pfcc_priorities and not plan.pfcc_plan:
            check.at(plan.pos, f"{path}.pfcc_priorities", "PFCC priorities are given, but the plan names no PFCC plan",
                     "a 'pfcc_plan:' line at the top of the plan, like 'pfcc_plan: 2016-21'")
        elif pfcc_plan is not None:
            for n_index, number in enumerate(ini.pfcc_priorities):
                if number not in pfcc_numbers:
                    check.at(plan.pos, f"{path}.pfcc_priorities[{n_index}]",
                             f"the PFCC plan {pfcc_plan.id} has no priority {number}",
                             "one of its priority numbers: " + ", ".join(map(str, sorted(pfcc_numbers))))
        if not (ini.description or ini.outcomes or ini.updates):
            check.at(plan.pos, path, "the initiative has no description, outcomes or updates",
                     "a 'description:' with a sentence or two", level="warning")


def _no_id(check: Checker, plan: Plan, path: str, what: str, kind: str) -> None:
    """A title with no Latin letter or digit makes no address: the content must give the id."""
    check.at(plan.pos, path, f"the {what} has no Latin letter or digit to make the {kind}'s web address from",
             f"an 'id:' line in the {kind}, with an id of lower-case letters, digits and hyphens, like 'id: keep-safe'",
             f"Write an id in a few English words that say what the {kind} is: it becomes part of its address.")


def _duplicate_id_hint(check: Checker, plan: Plan, id_: str, other: str, this_has_id: bool,
                       taken: set[str]) -> str:
    """What to do about a second initiative with an id, depending on which of the two wrote it."""
    n = 2
    while f"{id_}-{n}" in taken:
        n += 1
    new = f"'id: {id_}-{n}'"
    node = check.node(plan.pos, other)
    where = other if node is None else f"line {node.start_mark.line + 1}"
    other_has_id = check.has_key(plan.pos, other, "id")
    if this_has_id and other_has_id:
        return f"The other, at {where}, has the same 'id:' line. Change one of them, like {new}."
    if this_has_id:
        return f"The other, at {where}, gets this id from its title. Change this 'id:' line, like {new}."
    if other_has_id:
        return (f"The other, at {where}, has the line 'id: {id_}', and this one gets the same id from its title. "
                f"Give this one an 'id:' line, like {new}, or change the other's.")
    return f"The other is at {where}. Give one of them an 'id:' line, like {new}."
