"""Decide every page of the site and what each page's template receives.

A page's data holds only what its template shows, so that an edit re-renders only the
pages that show what changed: the builder compares each page with the last build's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .facets import (KINDS, Choice, Facet, kind_choice, list_filters, names_of, priority_choice, search_filters,
                     year_choice)
from .model import (Agency, Initiative, PfccPlan, PfccPriority, Plan, Priority, Programme, Site, Strategy, Topic,
                    ended_by, hash_field, hashed_once, named)
from .registry import same_name, short_form
from .reuse import Reuse
from .urls import plan_url, strategy_url, url_for


@dataclass(frozen=True, slots=True)
class Crumb:
    """A link in the breadcrumbs."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its address, template, titles and the data its template shows."""

    url: str
    template: str
    title: str
    description: str
    crumbs: tuple[Crumb, ...]
    data: Any
    kind: str = "page"  # plan, initiative, agency ...: what sort of page it is
    search: tuple[tuple[str, Choice], ...] = ()  # (facet name, choice) pairs for the search index
    draft: bool = False  # a page of a draft plan: only previews build it

    @property
    def indexed(self) -> bool:
        """Whether search indexes this page (only the pages search results link to: the kinds it filters by)."""
        return self.kind.capitalize() in KINDS


# ---- small views of big things, so pages depend on little --------------------------

@dataclass(frozen=True, slots=True)
class PlanRef:
    """A plan named by another page."""

    period: str
    title: str
    url: str
    draft: bool = False


@dataclass(frozen=True, slots=True)
class PriorityRef:
    """A plan priority named by another page."""

    period: str
    number: int
    title: str
    short_title: str
    url: str


@dataclass(frozen=True, slots=True)
class PlanView:
    """The plan page: the whole plan and the PFCC plan whose priorities its rows cite."""

    plan: Plan
    pfcc: PlanRef | None
    filters: tuple[tuple[Facet, tuple[Choice, ...]], ...]  # for the list filter
    refs: dict[str, InitiativeRef]  # by id: each card's filter choices
    latest: PlanRef | None = None  # the newest published plan, which the page names


@dataclass(frozen=True, slots=True)
class PriorityView:
    """A priority page: the priority in full and other rows that serve it."""

    plan: PlanRef
    priority: Priority
    serving: tuple[Initiative, ...]  # rows of a combined table that list this priority
    also: tuple[Initiative, ...]  # rows under other priorities that also list it
    siblings: tuple[PriorityRef, ...]


@dataclass(frozen=True, slots=True)
class InitiativeRef:
    """An initiative as other pages list it: what their rows print and filter by, and no more.

    So editing a row's text re-renders its own pages, not every list that names it.
    """

    title: str
    url: str
    period: str
    where: str  # the words that place it: "2021-22", or "2021-22, priority 2" beside a namesake
    lead: tuple[Agency, ...]
    lead_printed: tuple[str, ...]
    lead_as_written: str
    timing: str
    priority: int | None  # the priority it is listed under, or else the first it names
    choices: tuple[tuple[str, Choice], ...]  # its search filters, which list filters offer too
    # Partials are looked up by their arguments' hash: a row's is worked out once, not once per list
    # it is in (its programme's twelve nearest rows are a partial's argument on each of their pages).
    _hash: int = hash_field()

    __hash__ = hashed_once


@dataclass(frozen=True, slots=True)
class InitiativeView:
    """An initiative page."""

    initiative: Initiative
    plan: PlanRef
    priority: PriorityRef | None
    scp: tuple[PriorityRef, ...]
    pfcc: tuple[PfccPriority, ...]
    pfcc_plan: PlanRef | None
    programme_items: tuple[InitiativeRef, ...]  # its programme's rows nearest it, this one included
    programme_rows: int = 0  # how many rows its programme has in every plan
    place: str = ""  # its plan's period, and what tells it from a row of the same title (initiative_places)


@dataclass(frozen=True, slots=True)
class Membership:
    """An agency's membership as one document lists it."""

    document: PlanRef
    statutory: bool


@dataclass(frozen=True, slots=True)
class AgencyGroup:
    """What an agency led and joined under one priority of a plan."""

    priority: PriorityRef | None
    led: tuple[InitiativeRef, ...]
    joined: tuple[InitiativeRef, ...]


@dataclass(frozen=True, slots=True)
class AgencyYear:
    """What an agency led and joined in one plan, by priority."""

    plan: PlanRef
    groups: tuple[AgencyGroup, ...]
    count: int


@dataclass(frozen=True, slots=True)
class AgencyView:
    """An agency page."""

    agency: Agency
    memberships: tuple[Membership, ...]
    years: tuple[AgencyYear, ...]
    filters: tuple[tuple[Facet, tuple[Choice, ...]], ...]  # for the list filter
    successors: tuple[Agency, ...] = ()  # took over its work when it ended
    predecessors: tuple[Agency, ...] = ()  # whose work it took over
    ended_during: tuple[PlanRef, ...] = ()  # plans that name it although it ended before their year was over
    printed_as: tuple[tuple[str, tuple[PlanRef, ...]], ...] = ()  # other names documents print for it, and where


@dataclass(frozen=True, slots=True)
class AgencySummary:
    """A row of the agencies index."""

    agency: Agency
    led: int
    joined: int
    statutory: bool | None  # in the latest list that names it; None if never a listed member


@dataclass(frozen=True, slots=True)
class PfccView:
    """The PFCC plan page: each priority with the initiatives that serve it."""

    plan: PfccPlan
    serving: tuple[tuple[PfccPriority, tuple[InitiativeRef, ...]], ...]


@dataclass(frozen=True, slots=True)
class ProgrammeYear:
    """One year of a programme's timeline."""

    plan: PlanRef
    initiative: Initiative
    priority: PriorityRef | None


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    """A programme page: the scheme year by year."""

    programme: Programme
    years: tuple[ProgrammeYear, ...]


@dataclass(frozen=True, slots=True)
class ProgrammesView:
    """The programmes index: each programme with the periods that list it, and how many plans list each."""

    rows: tuple[tuple[Programme, tuple[str, ...]], ...]
    recurrence: str  # how many appear in more than one plan: recurrence()


@dataclass(frozen=True, slots=True)
class TopicYear:
    """What one plan did on a topic."""

    plan: PlanRef
    priorities: tuple[PriorityRef, ...]
    initiatives: tuple[InitiativeRef, ...]


@dataclass(frozen=True, slots=True)
class TopicView:
    """A topic page: the theme across the years."""

    topic: Topic
    years: tuple[TopicYear, ...]
    strategy: tuple[tuple[PlanRef, str], ...]  # strategy key priorities on this topic


@dataclass(frozen=True, slots=True)
class HomeView:
    """The home page."""

    latest: PlanRef
    priorities: tuple[tuple[PriorityRef, int], ...]  # the latest plan's, with its initiative counts
    plans: tuple[PlanRef, ...]
    strategies: tuple[PlanRef, ...]
    agencies: int
    initiatives: int


@dataclass(frozen=True, slots=True)
class PlansView:
    """The plans index."""

    plans: tuple[tuple[PlanRef, tuple[PriorityRef, ...], int], ...]
    strategies: tuple[PlanRef, ...]


def plan_ref(plan: Plan | Strategy) -> PlanRef:
    """Name a plan or strategy for another page."""
    is_plan = type(plan) is Plan
    return PlanRef(plan.period, plan.title, (plan_url if is_plan else strategy_url)(plan.period),
                   is_plan and plan.draft)


def priority_ref(priority: Priority) -> PriorityRef:
    """Name a priority for another page."""
    return PriorityRef(priority.period, priority.number, priority.title, priority.short_title, url_for(priority))


def all_initiatives(plan: Plan) -> list[Initiative]:
    """Every initiative of a plan, in the plan's order."""
    return [*(ini for priority in plan.priorities for ini in priority.initiatives), *plan.initiatives]


@dataclass
class Index:
    """Cross-references computed once per build."""

    by_programme: dict[str, list[Initiative]] = field(default_factory=lambda: defaultdict(list))
    led: dict[str, list[Initiative]] = field(default_factory=lambda: defaultdict(list))
    joined: dict[str, list[Initiative]] = field(default_factory=lambda: defaultdict(list))
    members: dict[str, list[Membership]] = field(default_factory=lambda: defaultdict(list))
    by_pfcc: dict[tuple[str, int], list[Initiative]] = field(default_factory=lambda: defaultdict(list))
    # By agency id: each name the documents print for it that is not its own, and which documents print it.
    printed: dict[str, dict[str, dict[str, PlanRef]]] = field(default_factory=lambda: defaultdict(dict))

    def note_printed(self, doc: Plan | Strategy, agencies: tuple[Agency, ...], printed: tuple[str, ...]) -> None:
        """Record the names a document prints for agencies, where they are not the names the site shows."""
        for agency, name in named(agencies, printed):
            shown = agency.name_in(doc.period)
            if name and not same_name(name, shown) and not short_form(agency, name, shown):
                self.printed[agency.id].setdefault(name, {})[doc.period] = plan_ref(doc)


def index_site(site: Site) -> Index:
    """Compute the cross-references between plans, agencies and programmes."""
    index = Index()
    for plan in sorted(site.plans, key=lambda p: p.period):
        for ini in all_initiatives(plan):
            if ini.programme is not None:
                index.by_programme[ini.programme.id].append(ini)
            for agency in ini.lead:
                index.led[agency.id].append(ini)
            for agency in ini.partners:
                if agency not in ini.lead:
                    index.joined[agency.id].append(ini)
            index.note_printed(plan, ini.lead, ini.lead_printed)
            index.note_printed(plan, ini.partners, ini.partners_printed)
            for number in ini.pfcc_priorities:
                index.by_pfcc[(plan.pfcc_plan, number)].append(ini)
    documents: list[Plan | Strategy] = [*site.plans, *site.strategies]
    for doc in sorted(documents, key=lambda d: d.period):
        if doc.members is None:
            continue
        members = doc.members
        for statutory, agencies, printed in ((True, members.statutory, members.statutory_printed),
                                             (False, members.non_statutory, members.non_statutory_printed)):
            for agency in agencies:
                index.members[agency.id].append(Membership(plan_ref(doc), statutory))
            index.note_printed(doc, agencies, printed)
    return index


HOME = Crumb("Home", url_for("home"))
PROGRAMME_ROWS = 12  # an initiative page lists at most this many of its programme's rows; its page lists all
PLANS = Crumb("Plans", url_for("plans"))


@dataclass
class Build:
    """What every family of pages is made from: the site, its cross-references and the pages made before."""

    site: Site
    pages: list[Page] = field(default_factory=list)
    reuse: Reuse = field(default_factory=Reuse)  # the last build's results of pure functions
    index: Index = field(init=False)

    def __post_init__(self):
        self.index = index_site(self.site)

    @cached_property
    def refs(self) -> dict[str, dict[str, InitiativeRef]]:
        """Every initiative as lists show it, by plan period and id (the last build's while its plan is equal)."""
        pfcc = {p.id: p for p in self.site.pfcc_plans}
        return {plan.period: self.reuse(initiative_refs, plan, pfcc.get(plan.pfcc_plan), slot=plan.period)
                for plan in self.site.plans}

    def ref(self, ini: Initiative) -> InitiativeRef:
        """An initiative as lists show it."""
        return self.refs[ini.period][ini.id]

    @cached_property
    def outline(self) -> tuple[tuple[PlanRef, tuple[PriorityRef, ...]], ...]:
        """Each plan named, with its priorities, newest first."""
        return tuple((plan_ref(plan), tuple(map(priority_ref, plan.priorities))) for plan in self.site.plans)

    @cached_property
    def topic_items(self) -> dict[str, dict[str, tuple[Initiative, ...]]]:
        """Each plan's initiatives by topic id, by plan period."""
        return {plan.period: self.reuse(plan_topic_items, plan, slot=plan.period) for plan in self.site.plans}


def home_pages(b: Build) -> list[Page]:
    """The home page and the plans index."""
    site, config, pages = b.site, b.site.config, []
    total = sum(len(all_initiatives(plan)) for plan in site.plans)
    latest = latest_plan(site)
    if latest is not None:
        pages.append(Page(url_for("home"), "home.html", config.name, config.description, (),
                          HomeView(plan_ref(latest),
                                   tuple((priority_ref(p), len(p.initiatives)) for p in latest.priorities),
                                   tuple(plan_ref(p) for p in site.plans),
                                   tuple(plan_ref(s) for s in site.strategies), len(site.agencies), total),
                          "home"))
    pages.append(Page(
        url_for("plans"), "plans.html", "Plans", "Every Annual Partnership Plan of the Safer Colchester Partnership, "
        "newest first, and the partnership strategy.", (HOME,),
        PlansView(tuple((plan_ref(p), tuple(priority_ref(pr) for pr in p.priorities), len(all_initiatives(p)))
                        for p in site.plans), tuple(plan_ref(s) for s in site.strategies)), "index"))
    return pages


def plan_pages(b: Build) -> list[Page]:
    """Each plan's page, its priorities' and its initiatives'."""
    pfcc = {p.id: p for p in b.site.pfcc_plans}
    programmes = {key: tuple(map(b.ref, items)) for key, items in b.index.by_programme.items()}
    position = {item.url: (items, i) for items in programmes.values() for i, item in enumerate(items)}
    pages = []
    latest = latest_plan(b.site)
    latest = latest and plan_ref(latest)
    for plan in b.site.plans:
        # A plan's pages are a function of the plan alone, and so the last build's while it is equal,
        # but for each initiative's list of its programme's rows in every plan: added after.
        pages_of_plan = b.reuse(_plan_pages, plan, pfcc.get(plan.pfcc_plan), b.refs[plan.period], (HOME, PLANS),
                                latest, slot=plan.period)
        for page in pages_of_plan:
            view = page.data
            if isinstance(view, InitiativeView) and view.initiative.programme is not None:
                items, i = position[page.url]
                # The rows nearest it, at most PROGRAMME_ROWS: a page's size does not grow with the site.
                start = max(0, min(i - PROGRAMME_ROWS // 2, len(items) - PROGRAMME_ROWS))
                page = b.reuse(_with_programme, page, items[start:start + PROGRAMME_ROWS], len(items), slot=page.url)
            pages.append(page)
    return pages


def _with_programme(page: Page, items: tuple[InitiativeRef, ...], rows: int) -> Page:
    return replace(page, data=replace(page.data, programme_items=items, programme_rows=rows))


def agency_pages(b: Build) -> list[Page]:
    """Each agency's page and the agencies index."""
    site, index, pages = b.site, b.index, []
    agencies = sorted(site.agencies, key=lambda a: a.name.casefold())
    by_id = {agency.id: agency for agency in agencies}
    summaries = []
    for agency in agencies:
        memberships = tuple(index.members.get(agency.id, ()))
        led, joined = index.led.get(agency.id, []), index.joined.get(agency.id, [])
        summaries.append(AgencySummary(agency, len(led), len(joined),
                                       memberships[-1].statutory if memberships else None))
        # The last build's page while what it shows is equal: an agency may list thousands of rows.
        printed = tuple((name, tuple(docs[p] for p in sorted(docs)))
                        for name, docs in sorted(index.printed.get(agency.id, {}).items()))
        pages.append(b.reuse(_agency_page, agency, memberships, b.outline, tuple(map(b.ref, led)),
                             tuple(map(b.ref, joined)), tuple(by_id[i] for i in agency.succeeded_by if i in by_id),
                             tuple(a for a in agencies if agency.id in a.succeeded_by), printed, slot=agency.id))
    pages.append(Page(url_for("agencies"), "agencies.html", "Agencies",
                      "The partner agencies of the Safer Colchester Partnership and what each leads.",
                      (HOME,), tuple(summaries), "index"))
    return pages


def _agency_page(agency: Agency, memberships: tuple[Membership, ...], outline, led: tuple[InitiativeRef, ...],
                 joined: tuple[InitiativeRef, ...], successors: tuple[Agency, ...],
                 predecessors: tuple[Agency, ...], printed: tuple[tuple[str, tuple[PlanRef, ...]], ...]) -> Page:
    years = _agency_years(outline, led, joined)
    return Page(url_for(agency), "agency.html", agency.name,
                f"{agency.name} in the Safer Colchester Partnership: membership by year and the "
                f"initiatives it leads or joins.",
                (HOME, Crumb("Agencies", url_for("agencies"))),
                AgencyView(agency, memberships, years, list_filters((*led, *joined)), successors, predecessors,
                           _ended_during(agency, years, memberships, {plan.period for plan, _ in outline}), printed),
                "agency", (kind_choice("Agency"),))


def pfcc_pages(b: Build) -> list[Page]:
    """Each PFCC plan's page, with the initiatives that serve each of its priorities."""
    pages = []
    for plan in b.site.pfcc_plans:
        serving = tuple((p, tuple(map(b.ref, b.index.by_pfcc.get((plan.id, p.number), ())))) for p in plan.priorities)
        pages.append(Page(url_for(plan), "pfcc.html", plan.title,
                          f"The {plan.title} priorities and the partnership initiatives that serve each.",
                          (HOME,), PfccView(plan, serving), "pfcc"))
    return pages


def document_pages(b: Build) -> list[Page]:
    """The strategies, the Markdown pages and the page for addresses the site lacks."""
    return [*(Page(url_for(strategy), "strategy.html", strategy.title, strategy.summary, (HOME, PLANS), strategy,
                   "strategy") for strategy in b.site.strategies),
            *(Page(url_for(page), "page.html", page.meta.title, page.meta.description, (HOME,), page, "page")
              for page in b.site.pages),
            Page(url_for("not_found"), "404.html", "Page not found", "The page you asked for is not on this site.",
                 (), None, "error")]


def latest_plan(site: Site) -> Plan | None:
    """The newest plan that is published, never a draft: the one the home page and every plan page name."""
    return next((plan for plan in site.plans if not plan.draft), None)


def _plan_pages(plan: Plan, pfcc: PfccPlan | None, refs: dict[str, InitiativeRef],
                crumbs: tuple[Crumb, ...], latest: PlanRef | None = None) -> tuple[Page, ...]:
    """A plan's pages, each initiative's without its programme's other rows (plan_pages adds them)."""
    ref = plan_ref(plan)
    everything = all_initiatives(plan)
    name = plan_name(plan)
    pages = [Page(ref.url, "plan.html", name,
                  f"The Safer Colchester Partnership's {name}: its priorities and initiatives.",
                  crumbs, PlanView(plan, plan_ref_pfcc(pfcc), list_filters(tuple(refs.values())), refs, latest),
                  "plan")]
    plan_crumbs = (*crumbs, Crumb(plan.title, ref.url))
    siblings = tuple(priority_ref(p) for p in plan.priorities)
    for priority, sibling in zip(plan.priorities, siblings):
        serving = tuple(i for i in plan.initiatives if priority.number in i.scp_priorities)
        also = tuple(i for i in everything
                     if i.priority not in (None, priority.number) and priority.number in i.scp_priorities)
        # A new plan copies the last one's priorities: the year tells their pages apart.
        pages.append(Page(sibling.url, "priority.html",
                          f"Priority {priority.number}: {priority.short_title} ({plan.period})",
                          f"{name}, priority {priority.number}: {priority.title}"[:300],
                          plan_crumbs, PriorityView(ref, priority, serving, also, siblings),
                          "priority", (kind_choice("Priority"), ("year", year_choice(plan.period)),
                                       ("priority", priority_choice(plan.period, priority.number,
                                                                    priority.short_title)))))
    by_number = {p.number: p for p in siblings}
    pfcc_by_number = {p.number: p for p in pfcc.priorities} if pfcc else {}
    for ini in everything:
        row = refs[ini.id]
        view = InitiativeView(
            ini, ref, by_number.get(ini.priority),
            tuple(by_number[n] for n in ini.scp_priorities if n in by_number),
            tuple(pfcc_by_number[n] for n in ini.pfcc_priorities if n in pfcc_by_number),
            plan_ref_pfcc(pfcc), (), place=row.where)
        pages.append(Page(row.url, "initiative.html", f"{ini.title} ({row.where})",
                          _describe_initiative(ini, plan, row.where), plan_crumbs, view, "initiative", row.choices))
    if plan.draft:  # said on every page of the plan, and in its title
        pages = [replace(page, title=f"{page.title} – draft", draft=True) for page in pages]
    return tuple(pages)


def initiative_refs(plan: Plan, pfcc: PfccPlan | None) -> dict[str, InitiativeRef]:
    """A plan's initiatives as lists show them, by id."""
    names = names_of(plan, pfcc)
    places = initiative_places(plan)
    return {ini.id: InitiativeRef(ini.title, url_for(ini), ini.period, places[ini.id], ini.lead, ini.lead_printed,
                                  ini.lead_as_written, ini.timing, primary_priority(ini), search_filters(ini, names))
            for ini in all_initiatives(plan)}


def plan_name(plan: Plan) -> str:
    """A plan's title, with its period when the title lacks it, so that its pages' titles name the year."""
    return plan.title if plan.period in plan.title else f"{plan.title} ({plan.period})"


def initiative_places(plan: Plan) -> dict[str, str]:
    """Each initiative's id with the words that place it, for its page title and lists across plans.

    The plan's period; where the plan has two rows of one title, also the priority each is
    under, and where that is shared too, its place among them: "2021-22, priority 1, 2 of 2".
    """
    everything = all_initiatives(plan)
    titles, shared, seen = Counter(i.title for i in everything), Counter((i.title, i.priority) for i in everything), Counter()
    places = {}
    for ini in everything:
        words = [plan.period]
        if titles[ini.title] > 1:
            key = (ini.title, ini.priority)
            words += [f"priority {ini.priority}"] if ini.priority else []
            if shared[key] > 1:
                seen[key] += 1
                words.append(f"{seen[key]} of {shared[key]}")
        places[ini.id] = ", ".join(words)
    return places


def plan_ref_pfcc(pfcc: PfccPlan | None) -> PlanRef | None:
    """Name a PFCC plan for another page."""
    return PlanRef(pfcc.id, pfcc.title, url_for(pfcc)) if pfcc else None


def _describe_initiative(ini: Initiative, plan: Plan, where: str) -> str:
    text = next((str(t) for t in (ini.description, ini.outcomes, ini.updates) if t), "")
    # The lead as the plan printed it: a description quotes no name the plan did not print.
    lead = ini.lead_as_written or ", ".join(p or a.name_in(ini.period) for a, p in named(ini.lead, ini.lead_printed))
    apart = where.removeprefix(plan.period)  # ", priority 2" when the plan has two rows of this title
    head = f"{ini.title}, {plan_name(plan)}{apart}" + (f", led by {lead}" if lead else "") + "."
    if text:
        head += " " + text
    return head if len(head) <= 200 else head[:197].rsplit(" ", 1)[0] + "…"


def primary_priority(ini: Initiative) -> int | None:
    """The priority an initiative is listed under, or else the first it names."""
    return ini.priority if ini.priority is not None else (ini.scp_priorities[0] if ini.scp_priorities else None)


def _ended_during(agency: Agency, years: tuple[AgencyYear, ...], memberships: tuple[Membership, ...],
                  plans: set[str]) -> tuple[PlanRef, ...]:
    """The plans that name an agency although it ended before their year was over (a strategy has no year)."""
    named = {ref.period: ref for ref in (*(y.plan for y in years), *(m.document for m in memberships))}
    return tuple(ref for period, ref in sorted(named.items()) if period in plans and ended_by(agency, period))


def _agency_years(outline, led: tuple[InitiativeRef, ...], joined: tuple[InitiativeRef, ...]) -> tuple[AgencyYear, ...]:
    """What an agency led and joined, by plan (outline: each plan's PlanRef and PriorityRefs) and priority."""
    groups: dict[tuple[str, int | None], tuple[list, list]] = defaultdict(lambda: ([], []))
    for role, items in ((0, led), (1, joined)):
        for item in items:
            groups[(item.period, item.priority)][role].append(item)
    years = []
    for plan, priorities in outline:
        mine = [(p, groups[(plan.period, p.number)]) for p in priorities if (plan.period, p.number) in groups]
        if (plan.period, None) in groups:
            mine.append((None, groups[(plan.period, None)]))
        if mine:
            years.append(AgencyYear(plan, tuple(AgencyGroup(p, tuple(l), tuple(j)) for p, (l, j) in mine),
                                    sum(len(l) + len(j) for _, (l, j) in mine)))
    return tuple(years)


def programme_pages(b: Build) -> list[Page]:
    """Each programme's timeline and the programmes index."""
    pages, rows, plan_counts = [], [], []
    for programme in sorted(b.site.programmes, key=lambda p: p.name.casefold()):
        items = tuple(b.index.by_programme.get(programme.id, ()))
        rows.append((programme, period_ranges(ini.period for ini in items)))
        plan_counts.append(len({ini.period for ini in items}))
        pages.append(b.reuse(_programme_page, programme, items, b.outline, slot=programme.id))
    pages.append(Page(url_for("programmes"), "programmes.html", "Programmes",
                      "Schemes that the partnership's plans name, each followed through the plans that list it.",
                      (HOME,), ProgrammesView(tuple(rows), recurrence(plan_counts)), "index"))
    return pages


def recurrence(plan_counts: list[int]) -> str:
    """How many programmes the plans list more than once, from how many plans list each, in words.

    "2 of these 3 schemes appear in more than one plan, 1 in one plan only"; "all 4 appear in more than one plan".
    """
    groups = [(n, words) for n, words in ((sum(c > 1 for c in plan_counts), "in more than one plan"),
                                          (plan_counts.count(1), "in one plan only"),
                                          (plan_counts.count(0), "in no plan yet")) if n]
    if len(groups) <= 1:
        total = len(plan_counts)
        return ("the one scheme here appears " if total == 1 else f"all {total} appear ") + groups[0][1] if groups else ""
    (first, words), *rest = groups
    return (f"{first} of these {len(plan_counts)} schemes {'appears' if first == 1 else 'appear'} {words}, "
            + ", ".join(f"{n} {words}" for n, words in rest))


def _programme_page(programme: Programme, items: tuple[Initiative, ...], outline) -> Page:
    plans = {plan.period: (plan, {p.number: p for p in priorities}) for plan, priorities in outline}
    years = tuple(ProgrammeYear(plans[ini.period][0], ini, plans[ini.period][1].get(ini.priority)) for ini in items)
    periods = ", ".join(period_ranges(ini.period for ini in items))
    return Page(url_for(programme), "programme.html", f"{programme.name} (programme)",
                f"{programme.name} across the Safer Colchester Partnership's plans" + (f": {periods}." if periods else "."),
                (HOME, Crumb("Programmes", url_for("programmes"))), ProgrammeView(programme, years), "programme",
                (kind_choice("Programme"),))


def period_ranges(periods) -> tuple[str, ...]:
    """Periods once each, in order, with each run of three or more consecutive years as 'first to last'.

    Twenty years of a programme read as '2012-13 to 2031-32' rather than twenty periods.
    """
    runs: list[list[str]] = []
    for period in dict.fromkeys(periods):
        if runs and period == _next_period(runs[-1][-1]):
            runs[-1].append(period)
        else:
            runs.append([period])
    out: list[str] = []
    for run in runs:
        out.extend([f"{run[0]} to {run[-1]}"] if len(run) >= 3 else run)
    return tuple(out)


def _next_period(period: str) -> str | None:
    """The year after a period such as 2021-22 (2022-23), or None for other shapes."""
    start, _, end = period.partition("-")
    if not (start.isdigit() and end.isdigit() and len(start) == 4 and int(end) == (int(start) + 1) % 100):
        return None
    return f"{int(start) + 1}-{(int(start) + 2) % 100:02d}"


def plan_topic_items(plan: Plan) -> dict[str, tuple[Initiative, ...]]:
    """A plan's initiatives by topic id: each under its own topics only, never its priority's.

    A priority's topics say what the priority names; a row under it may be about something
    else (a Covid testing row under a hate crime priority), so the topic pages and the
    compare page count a row only where its own tagging puts it.
    """
    found: dict[str, list[Initiative]] = defaultdict(list)
    for ini in all_initiatives(plan):
        for topic in ini.topics:
            found[topic.id].append(ini)
    return {topic_id: tuple(found_items) for topic_id, found_items in found.items()}


def topic_pages(b: Build) -> list[Page]:
    """Each topic's page and the topics index."""
    site = b.site
    crumbs = (HOME, Crumb("Topics", url_for("topics")))
    plans = sorted(site.plans, key=lambda p: p.period)
    items = {(topic_id, plan.period): found for plan in plans
             for topic_id, found in b.topic_items[plan.period].items()}
    pages, rows = [], []
    for topic in sorted(site.topics, key=lambda t: t.name.casefold()):
        years = []
        for plan in plans:
            priorities = tuple(priority_ref(p) for p in plan.priorities if topic in p.topics)
            found = tuple(map(b.ref, items.get((topic.id, plan.period), ())))
            if priorities or found:
                years.append(TopicYear(plan_ref(plan), priorities, found))
        strategy = tuple((plan_ref(s), f"KP{kp.number}: {kp.title}") for s in site.strategies
                         for kp in s.key_priorities if topic in kp.topics)
        rows.append((topic, sum(len(y.initiatives) for y in years), len(years)))
        pages.append(Page(url_for(topic), "topic.html", f"{topic.name} (topic)",
                          f"{topic.name}: the partnership's priorities and initiatives on this theme, year by year.",
                          crumbs, TopicView(topic, tuple(years), strategy), "topic"))
    pages.append(Page(url_for("topics"), "topics.html", "Topics",
                      "Themes across the partnership's plans, from county lines to hate crime.",
                      (HOME,), tuple(rows), "index"))
    return pages
