"""The content model: one frozen dataclass per thing a content file describes.

Each field's metadata carries the help text that the validator, the JSON Schemas and
docs/content-guide.md all use, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Annotated, Callable, Literal

from .markdown import Markdown
from .problems import Pos


# ---- kinds of value, for the validator and the schemas ------------------------------

MAX_ID = 80  # the longest id: the last part of a web address, and a file or folder name in the output


@dataclass(frozen=True)
class Pattern:
    """A text that must match a regular expression (and be at most max_length characters)."""

    regex: str
    expected: str
    example: str
    max_length: int | None = None
    calendar: bool = False  # a date: one the calendar has (no 30 February), checked beyond the regex


@dataclass(frozen=True)
class Ref:
    """A reference to another thing by its id, name or alias."""

    kind: str  # the registry: agency, topic, programme


class LinkUrl:
    """An address: http(s), mailto or a page of this site."""


class Email:
    """An email address."""

    pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # checked by the validator and by the JSON Schema


class Markdown3:
    """Markdown whose headings start at level 3 (inside a page that has h1 and h2)."""


Slug = Annotated[str, Pattern(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                              "an id of lower-case letters, digits and single hyphens", "keep-safe", MAX_ID)]
# The address the site is published at: http(s), a host name, perhaps a port and a path; no
# user name or password, query, fragment, space or backslash (it is written into robots.txt,
# the sitemap, the feed and every page's canonical link).
# A port, when given, is one that exists: 1 to 65535.
PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
BaseUrl = Annotated[str, Pattern(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::" + PORT + r")?"
                                 r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$",
                                 "an address starting with https:// (or http://), a host name, and no user name, "
                                 "password, query or fragment", "https://plans.safercolchester.co.uk")]
Period = Annotated[str, Pattern(r"^\d{4}-\d{2}$", "a period like 2021-22 (four digits, hyphen, two digits)",
                                "2021-22")]
Date = Annotated[str, Pattern(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
                              "a date written year-month-day, like 2026-12-04", "2026-12-04", calendar=True)]
# A personal name as site.yaml's blocked_names lists it (privacy.fingerprint): a name written there would
# block nothing, and be published in the repository.
Fingerprint = Annotated[str, Pattern(r"^[0-9a-f]{16}$", "a name's fingerprint: 16 digits and letters a to f, as "
                                     "make fingerprint NAME=\"First Last\" prints it", "3f2a9c0d1e4b5a67")]
# A year alone, a month or a day: how precisely an agency's change of name or end is known.
When = Annotated[str, Pattern(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
                              "a year, a month or a date, like 2014, 2014-06 or 2014-06-01", "2014-06-01",
                              calendar=True)]


def start_of(when: str) -> str:
    """The first day a year, month or date stands for, as YYYY-MM-DD (so strings compare as dates)."""
    return when + "-01-01"[len(when) - 4:] if len(when) < 10 else when


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def when(text: str) -> str:
    """Say a year, month or date as people write it: 2014, June 2014, 1 June 2014."""
    parts = text.split("-")
    if len(parts) == 1:
        return text
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def one_year(period: str) -> str:
    """The period of the plan year that starts when this one does: 2022-23 for 2022-24."""
    return f"{period[:4]}-{(int(period[:4]) + 1) % 100:02d}"


def plan_start(period: str) -> str:
    """The day a plan's year starts: plans run from 1 April (2021-22 from 2021-04-01)."""
    return f"{period[:4]}-04-01"


def plan_end(period: str) -> str:
    """The last day of a plan's period: 31 March (2021-22 ends on 2022-03-31, 1999-00 on 2000-03-31)."""
    start = int(period[:4])
    end = start - start % 100 + int(period[5:7])
    return f"{end + 100 if end <= start else end}-03-31"


def ended_by(agency: "Agency", period: str) -> bool:
    """Whether an agency had ended before a plan's period was over (the plan may name it as printed)."""
    return bool(agency.ended) and start_of(agency.ended) <= plan_end(period)
Url = Annotated[str, LinkUrl]
EmailAddress = Annotated[str, Email]
Text3 = Annotated[Markdown, Markdown3]


def f(doc: str, default=..., *, example=None, derived: bool = False, data: str = "",
      if_missing: tuple[str, str, str] | None = None, key: str = ""):
    """Declare a field with its help text (and default, when it is optional).

    data: what the field's column in the open data means, where the help text speaks to editors.
    if_missing: (message, expected, hint) of the warning given when an item has no line for it.
    key: the field's YAML key, where it cannot be its Python name ('from' is a Python keyword).
    """
    meta = {"doc": doc, "example": example, "derived": derived, "data": data, "if_missing": if_missing, "key": key}
    return field(metadata=meta) if default is ... else field(default=default, metadata=meta)


def pos_field():
    """Where the item starts in its file (for messages; not part of equality)."""
    return field(default=None, compare=False, repr=False,
                 metadata={"doc": "", "example": None, "derived": True})


def hash_field():
    """Where a class that is hashed often keeps its hash (not part of equality): see hashed_once."""
    return field(default=0, init=False, compare=False, repr=False,
                 metadata={"doc": "", "example": None, "derived": True})


def hashed_once(self) -> int:
    """The hash of a frozen model object by its compared fields, worked out once.

    reuse.Reuse finds a partial's earlier HTML by its arguments' hash: a list of 10,000
    initiatives hashes each, and an initiative's hash reaches its agencies and texts.
    """
    if not self._hash:
        compared = _COMPARED.get(type(self)) or _compared(type(self))
        object.__setattr__(self, "_hash", hash(compared(self)) or 1)
    return self._hash


_COMPARED: dict[type, Callable] = {}  # each hashed class's reader of its compared fields


def _compared(cls: type) -> Callable:
    """What a class's hash is made of: its compared fields' values (read by one attrgetter, made once per
    class: dataclasses.fields() walks the class's fields at every call)."""
    _COMPARED[cls] = getter = attrgetter(*(fl.name for fl in fields(cls) if fl.compare))
    return getter


# ---- registries ---------------------------------------------------------------------

AgencyKind = Literal["council", "police", "fire", "probation", "health", "housing", "education",
                     "voluntary", "business", "military", "government", "other"]


@dataclass(frozen=True, slots=True)
class FormerName:
    """A name an agency had before it was renamed."""

    name: str = f("The name it had, as plans of that time print it.", example="Colchester Borough Council")
    until: When = f("When the new name took effect: a year, a month or a date. Plans whose year began "
                    "before this show the former name.", example="2022-11-22")
    short_name: str = f("The short name it had then, if different.", "", example="CBC")


@dataclass(frozen=True, slots=True)
class Agency:
    """A partner organisation."""

    id: Slug = f("The agency's id, used in its web address (/agencies/<id>/).", example="essex-police")
    name: str = f("The agency's full name.", example="Essex Police")
    kind: AgencyKind = f("What sort of organisation it is.", example="police")
    short_name: str = f("A short name or abbreviation that plans use.", "", example="EP")
    aliases: tuple[str, ...] = f(
        "Other ways the plans write this agency's name; each resolves to this agency.", (),
        example=["ExPol", "Police"])
    website: Url = f("The agency's public website.", "", example="https://www.essex.police.uk/")
    description: Text3 | None = f("A sentence or two about the agency (Markdown).", None,
                                  example="The police force for the county of Essex.")
    former_names: tuple[FormerName, ...] = f(
        "Names the agency had before a rename, each with the date it changed. Plans may still use them, and "
        "pages of older plans show the name of their time.", ())
    ended: When = f("When the agency closed or merged into another: a year, a month or a date. Keep the "
                    "agency: older plans still credit it and its page stays. Plans that begin after this "
                    "date may not name it.", "", example="2014-05-31")
    succeeded_by: tuple[Slug, ...] = f("The ids of the agencies that took over its work when it ended.", (),
                                       example=["probation-service"])
    pos: Pos | None = pos_field()
    _hash: int = hash_field()
    __hash__ = hashed_once

    def name_in(self, period: str) -> str:
        """The agency's name in the year a plan began (its former name, if renamed since)."""
        if not self.former_names:  # most agencies: asked for on every credit a page gives
            return self.name
        start = plan_start(period)
        for former in sorted(self.former_names, key=lambda n: start_of(n.until)):
            if start < start_of(former.until):
                return former.name
        return self.name

    def names(self) -> tuple[str, ...]:
        """Every name a plan may use for it: id, name, short name, aliases and former names."""
        return REGISTRIES["agency"].names(self)


@dataclass(frozen=True, slots=True)
class AgencyRegistry:
    """content/agencies.yaml: every partner organisation."""

    agencies: tuple[Agency, ...] = f("The partner organisations, one item per agency.")


@dataclass(frozen=True, slots=True)
class Topic:
    """A theme that runs across years, such as county lines or hate crime."""

    id: Slug = f("The topic's id, used in web addresses (/topics/<id>/).", example="county-lines")
    name: str = f("The topic's name as residents would say it.", example="County lines and gangs")
    description: Text3 | None = f("A sentence or two explaining the topic (Markdown).", None,
                                  example="Drug dealing networks that exploit children.")
    pos: Pos | None = pos_field()


@dataclass(frozen=True, slots=True)
class TopicRegistry:
    """content/topics.yaml: the shared list of topics."""

    topics: tuple[Topic, ...] = f("The topics, one item per topic.")


@dataclass(frozen=True, slots=True)
class Programme:
    """A scheme that recurs across years, such as Keep Safe."""

    id: Slug = f("The programme's id, used in web addresses and in initiatives' programme field.",
                 example="keep-safe")
    name: str = f("The programme's name.", example="Keep Safe")
    summary: Text3 | None = f("What the scheme is, in a sentence or two (Markdown).", None,
                              example="A scheme helping vulnerable people feel safer in town.")
    pos: Pos | None = pos_field()


@dataclass(frozen=True, slots=True)
class ProgrammeRegistry:
    """content/programmes.yaml: schemes that recur across years."""

    programmes: tuple[Programme, ...] = f("The programmes, one item per scheme.")


@dataclass(frozen=True)
class RegistryFile:
    """A registry: the kind of thing plans refer to, its file, its model and the fields that name an entry."""

    kind: str  # what a Ref names
    file: str  # in the content folder
    cls: type
    field: str  # the list of entries, in the file and in Site
    keys: tuple[str, ...]  # the fields whose values name an entry, besides an agency's former names

    def names(self, entry) -> tuple[str, ...]:
        """Every name a plan may use for an entry."""
        values = (getattr(entry, key) for key in self.keys)
        found = [n for value in values for n in (value if isinstance(value, tuple) else (value,))]
        return (*found, *(n for former in getattr(entry, "former_names", ()) for n in (former.name, former.short_name)))


REGISTRIES = {r.kind: r for r in (
    RegistryFile("agency", "agencies.yaml", AgencyRegistry, "agencies", ("id", "name", "short_name", "aliases")),
    RegistryFile("topic", "topics.yaml", TopicRegistry, "topics", ("id", "name")),
    RegistryFile("programme", "programmes.yaml", ProgrammeRegistry, "programmes", ("id", "name")))}

AgencyRef = Annotated[Agency, Ref("agency")]
# A list of agency references keeps, in its '<list>_printed' field, each name as the file writes it: the
# plan's own (pages show it beside the registry's name when the two differ; an id is no printed name).
PRINTED = "The names as the file writes them, one per agency: the document's own (set by the builder)."


def named(agencies: tuple[Agency, ...], printed: tuple[str, ...] = ()) -> list[tuple[Agency, str]]:
    """Each agency of a list with the name the document printed for it ('' when not known)."""
    return [(agency, printed[i] if i < len(printed) else "") for i, agency in enumerate(agencies)]
TopicRef = Annotated[Topic, Ref("topic")]
ProgrammeRef = Annotated[Programme, Ref("programme")]


# ---- the site -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HelpNumber:
    """A phone number residents can call for help."""

    label: str = f("Who answers, in a few words.", example="Police non-emergency")
    number: str = f("The number as it should be dialled and shown.", example="101")
    note: str = f("When to call it, in a few words.", "", example="To report a crime that is not an emergency")


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link in the site's main navigation."""

    title: str = f("The link text.", example="Plans")
    url: Url = f("The page it goes to, starting with /.", example="/plans/")


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """content/site.yaml: the site's name, address, contacts and navigation."""

    name: str = f("The partnership's name.", example="Safer Colchester Partnership")
    short_name: str = f("The short name used in page titles.", example="Safer Colchester")
    description: str = f("One sentence describing the site, for search engines.",
                         example="The Safer Colchester Partnership's plans to reduce crime and disorder.")
    base_url: BaseUrl = f("The published address of the site, with https:// and no trailing slash.",
                      example="https://plans.safercolchester.co.uk")
    about: Text3 = f("Who the partnership is, for the home page (Markdown).",
                     example="The Safer Colchester Partnership is ...")
    contact_email: EmailAddress = f("The partnership team's shared mailbox, shown for contact; list it in "
                                    "allowed_emails too.", example="Safer.Colchester@colchester.gov.uk")
    allowed_emails: tuple[EmailAddress, ...] = f(
        "Email addresses that may appear in content (team mailboxes). Any other address is "
        "reported as possible personal data.", (), example=["Safer.Colchester@colchester.gov.uk"])
    help_numbers: tuple[HelpNumber, ...] = f(
        "Phone numbers shown on every page. Any other phone number in content is reported "
        "as possible personal data.", ())
    navigation: tuple[NavItem, ...] = f("The main navigation links, in order.", ())
    blocked_names: tuple[Fingerprint, ...] = f(
        "Fingerprints (SHA-256, first 16 hex digits) of personal names that must never be "
        "published; made with `site-builder fingerprint \"Name\"`, which prints two: the name's, and its "
        "first initial and surname's.", (), example=["3f2a9c0d1e4b5a67"])
    updated: Date = f("The day the site's content last changed, like 2026-12-04: every page's footer says "
                      "\"Last updated\" with it (or with a later date the content records, such as a row's "
                      "'added'). Set it to the day whenever you change content/.", "", example="2026-12-04")


# ---- the Police, Fire and Crime Commissioner's plan ---------------------------------

@dataclass(frozen=True, slots=True)
class PfccPriority:
    """One of the PFCC plan's numbered priorities."""

    number: int = f("The priority's number in the PFCC plan.", example=1)
    title: str = f("The priority as the plan words it.", example="More local, visible and accessible policing")


@dataclass(frozen=True, slots=True)
class PfccPlan:
    """content/pfcc/<id>.yaml: a Police, Fire and Crime Plan."""

    id: Slug = f("The plan's id; equals the file name.", example="2016-21")
    title: str = f("The plan's name as the partnership plans print it.", example="Police and Crime Plan 2016 – 2020")
    period: str = f("The years it covers, as printed.", example="2016 – 2020")
    introduction: Text3 = f("The plan's introduction as the partnership plans quote it (Markdown).")
    priorities: tuple[PfccPriority, ...] = f("The numbered priorities.")
    extension: str = f("A note that the plan was extended, as printed.", "", example="Extended to 2021")
    heading: str = f("The heading the partnership plans print its priorities under, as printed.", "",
                     example="Fire & Crime Plan Priorities 2016 – 2020")
    pos: Pos | None = pos_field()


# ---- annual partnership plans -------------------------------------------------------

Status = Literal["planned", "ongoing", "completed", "cancelled"]


@dataclass(frozen=True, slots=True)
class Funding:
    """An initiative's funding, as the plan prints it."""

    scp: str = f("Funding from the partnership (the 'Funding SCP' column).", "", example="£3k SCP (via PCC)")
    other: str = f("Funding from elsewhere (the 'Funding OTHER' column).", "", example="CS Officer time")


@dataclass(frozen=True, slots=True)
class Link:
    """A link printed with an initiative."""

    title: str = f("The link text, saying where it goes.", example="Local Community Meetings")
    url: Url = f("The address, starting with https://.",
                 example="https://www.safercolchester.co.uk/local-community-meetings/")


@dataclass(frozen=True, slots=True)
class Initiative:
    """A project, operation, campaign or event: one row of a plan's table."""

    title: str = f("The initiative's name, as the plan prints it.", example="MAC Panel")
    id: Slug = f("The id in the initiative's web address. Made from the title when left out; needed "
                 "when two initiatives of one plan have the same title.", "", example="mac-panel",
                 data="The initiative's id, unique within its plan.")
    editorial_title: bool = f("true when the plan printed no title and the title is ours.", False,
                              example=True)
    lead: tuple[AgencyRef, ...] = f(
        "The lead agencies, each written as the plan prints it: a name, short name or alias from "
        "content/agencies.yaml. Pages show the printed name beside the agency's own.", (),
        example=["Essex Police"], data="The lead agencies' names.",
        # 'lead: []' says the plan names no lead; only a missing line may be an oversight.
        if_missing=("the initiative has no lead agency", "a 'lead:' line naming the lead agency",
                    "If the plan names no lead, write 'lead: []' to say so."))
    lead_as_written: str = f("The lead exactly as the plan prints it, when it says more than the "
                             "list of agencies.", "", example="CBC Community Safety Team")
    lead_printed: tuple[str, ...] = f(PRINTED, (), derived=True,
                                      data="The lead agencies' names as the plan prints them, in the order of lead "
                                           "(empty where the content names an agency by its id).")
    partners: tuple[AgencyRef, ...] = f(
        "Other agencies the row's text names as taking part in it (delivering, hosting, funding or joining "
        "it), besides its leads; not those only referred to, signposted or spoken to. Each written as the "
        "plan prints it.", (), example=["Open Road", "CBH"])
    partners_printed: tuple[str, ...] = f(PRINTED, (), derived=True)
    timing: str = f("When it runs, as the plan prints it.", "", example="October 2019 - Ongoing")
    status: Status | None = f("Only when the plan says so plainly: its page shows it, and lists and search "
                              "filter by it. Leave it out otherwise.", None, example="ongoing",
                              data="planned, ongoing, completed or cancelled, where the plan says so.")
    description: Text3 | None = f("What the initiative is and does (Markdown).", None)
    outcomes: Text3 | None = f("What it achieved, as the plan reports (Markdown).", None)
    updates: Text3 | None = f("Progress updates the plan records (Markdown).", None)
    scp_priorities: tuple[int, ...] = f("The numbers of this plan's priorities that it serves.", (),
                                        example=[1, 2])
    pfcc_priorities: tuple[int, ...] = f("The numbers of the Police, Fire and Crime Commissioner (PFCC) plan's "
                                         "priorities that it serves.", (),
                                         example=[4, 5, 6])
    funding: Funding | None = f("Funding, as the plan prints it.", None)
    programme: ProgrammeRef | None = f("The recurring scheme this is part of, from "
                                       "content/programmes.yaml.", None, example="keep-safe",
                                       data="The id of the recurring scheme it belongs to.")
    topics: tuple[TopicRef, ...] = f(
        "The topics the initiative is about, from content/topics.yaml: the site's own tagging, read from its "
        "text, not the plan's. It does not take its priority's topics: list every topic it is about (a row "
        "with none is on no topic page).", (), example=["weapons", "young-people"],
        data="The ids of the topics it is about (the site's tagging; not its priority's).")
    links: tuple[Link, ...] = f("Links printed with the initiative.", ())
    added: Date = f("Only for a row added to a plan that was already published: the date it was added. "
                    "The page then says it is not in the printed plan.", "", example="2026-12-04")
    period: str = f("The plan's period (set by the builder).", "", derived=True,
                    data="The plan's period, such as 2021-22.")
    priority: int | None = f("The number of the priority it is listed under (set by the builder).", None,
                             derived=True, data="The number of the plan priority the initiative is listed under; "
                             "empty when the plan lists its initiatives in one combined table.")
    timing_label: str = f("Its plan's heading for the timing column (set by the builder).", "Timing", derived=True)
    pos: Pos | None = pos_field()
    _hash: int = hash_field()
    __hash__ = hashed_once


@dataclass(frozen=True, slots=True)
class Priority:
    """One of a plan's priorities."""

    number: int = f("The priority's number in the plan.", example=1)
    title: str = f("The priority as the plan words it.",
                   example="Driving down Anti-Social Behaviour and Violent Crime in public")
    short_title: str = f("A short label for menus and tables (at most 50 characters).",
                         example="Anti-social behaviour and violent crime")
    summary: Text3 | None = f("The plan's paragraph about this priority (Markdown).", None)
    id: Slug = f("The id in the priority's web address; made from short_title when left out.", "",
                 example="anti-social-behaviour")
    editorial_title: bool = f("true when the plan printed no title and the title is ours.", False)
    topics: tuple[TopicRef, ...] = f("The topics this priority covers, from content/topics.yaml. Its "
                                     "initiatives do not take them: each lists the topics it is about.", (),
                                     example=["asb", "violence", "hate-crime"])
    source_table_empty: bool = f("true when the published plan printed this priority's table "
                                 "with no rows.", False)
    initiatives: tuple[Initiative, ...] = f("The rows of this priority's table, in the plan's order.", ())
    period: str = f("The plan's period (set by the builder).", "", derived=True)
    pos: Pos | None = pos_field()


@dataclass(frozen=True, slots=True)
class Members:
    """The partnership's members as a plan lists them."""

    statutory: tuple[AgencyRef, ...] = f("Statutory members (responsible authorities), each named as the "
                                         "document prints it.", ())
    statutory_printed: tuple[str, ...] = f(PRINTED, (), derived=True)
    non_statutory: tuple[AgencyRef, ...] = f("Non-statutory members, each named as the document prints it.", ())
    non_statutory_printed: tuple[str, ...] = f(PRINTED, (), derived=True)


@dataclass(frozen=True, slots=True)
class RiskMatrix:
    """The plan's ranking of offence types."""

    introduction: Text3 | None = f("How the ranking was made (Markdown).", None)
    offences: tuple[str, ...] = f("The highest-scoring offence types, highest first.", (),
                                  example=["Violence with Injury", "Rape"])


@dataclass(frozen=True, slots=True)
class FundingItem:
    """A row of a plan's funding table."""

    recipient: str = f("Who received the money.", example="Open Road")
    purpose: str = f("What it paid for.", example="Provision of drug wipes")
    amount: str = f("How much, as printed.", example="£115")


@dataclass(frozen=True, slots=True)
class FundingHeadings:
    """The column headings of a plan's funding table, as printed."""

    recipient: str = f("The heading of the column naming who received the money.", "Recipient", example="Funding")
    purpose: str = f("The heading of the column saying what it paid for.", "Purpose", example="Purpose")
    amount: str = f("The heading of the column giving how much.", "Amount", example="Cost")


@dataclass(frozen=True, slots=True)
class Plan:
    """content/plans/<period>.yaml: one Annual Partnership Plan."""

    period: Period = f("The plan's year; must equal the file name.", example="2021-22")
    title: str = f("The plan's title.", example="Annual Partnership Plan 2021-22")
    document: str = f("The published document's title, as printed.",
                      example="Annual Partnership Plan 2021-22")
    priorities: tuple[Priority, ...] = f("The plan's priorities, in order.")
    draft: bool = f("true while the plan is being written: previews show it, marked as a draft, and the "
                    "published site leaves it out. Delete the line to publish the plan.", False, example=True)
    date: str = f("When the document was dated, as printed.", "", example="April 2018")
    pfcc_plan: str = f("The id of the PFCC plan whose priorities pfcc_priorities refer to "
                       "(a file in content/pfcc/).", "", example="2016-21")
    timing_label: str = f("The heading of the plan's timing column.", "Timing", example="Project end date")
    introduction: Text3 | None = f("The plan's opening text (Markdown).", None)
    members: Members | None = f("The partnership's members as this plan lists them.", None)
    risk_matrix: RiskMatrix | None = f("The plan's risk matrix.", None)
    priorities_introduction: Text3 | None = f("Text introducing the priorities (Markdown).", None)
    priorities_conclusion: Text3 | None = f("Text after the priorities (Markdown).", None)
    initiatives: tuple[Initiative, ...] = f(
        "Rows of a combined table not grouped under one priority (each row's scp_priorities "
        "say which priorities it serves).", ())
    funding: tuple[FundingItem, ...] = f("The plan's funding table.", ())
    funding_headings: FundingHeadings | None = f("The funding table's column headings, when the plan prints "
                                                 "its own.", None)
    pos: Pos | None = pos_field()


# ---- the strategy -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Group:
    """A governance group of the partnership."""

    abbreviation: str = f("The group's abbreviation.", example="RASG")
    name: str = f("The group's full name.", example="Responsible Authorities Strategic Group")
    description: Text3 = f("What the group is and does (Markdown).")


@dataclass(frozen=True, slots=True)
class Theme:
    """One of the strategy's themes."""

    name: str = f("The theme's name.", example="Protect")
    description: str = f("The theme in a sentence.",
                         example="Prevent crime, encourage reporting of crime and support victims")


@dataclass(frozen=True, slots=True)
class KeyPriority:
    """A key priority named by the strategy."""

    number: int = f("The priority's number.", example=1)
    title: str = f("The priority as the strategy words it.", example="To protect vulnerable people")
    short_title: str = f("A short label for tables.", example="Protecting vulnerable people")
    summary: Text3 | None = f("The strategy's paragraph about it (Markdown).", None)
    topics: tuple[TopicRef, ...] = f("Topics it covers.", ())


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a document, as Markdown."""

    id: Slug = f("The section's id, used as its anchor on the page.", example="vision")
    title: str = f("The section heading.", example="Vision")
    body: Text3 = f("The section's text (Markdown; headings start at ###).")
    editorial_title: bool = f("true when the document printed no heading here and the heading is ours.", False)


@dataclass(frozen=True, slots=True)
class Strategy:
    """content/strategies/<period>.yaml: the partnership's multi-year strategy."""

    period: str = f("The years it covers; must equal the file name.", example="2016-19")
    title: str = f("The strategy's title.", example="Safer Colchester Partnership Strategy 2016-2019")
    document: str = f("The published document's title, as printed.")
    summary: str = f("One or two sentences saying what the strategy is.")
    sections: tuple[Section, ...] = f("Every section of the document, in order.")
    members: Members | None = f("The members the strategy lists.", None)
    governance: tuple[Group, ...] = f("The partnership's governance groups.", ())
    themes: tuple[Theme, ...] = f("The vision's themes.", ())
    key_priorities_year: str = f("The year the key priorities are for.", "", example="2016-17")
    key_priorities: tuple[KeyPriority, ...] = f("The key priorities for that year.", ())
    pos: Pos | None = pos_field()


# ---- Markdown pages -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PageMeta:
    """The front matter of a page in content/pages/."""

    title: str = f("The page's title (its heading).", example="Accessibility statement")
    description: str = f("One sentence describing the page, for search engines.")
    updated: Date = f("When the page was last reviewed, as a date like 2026-11-23.", "",
                     example="2026-11-23")
    footer: bool = f("true to link the page from every page's footer.", False)


@dataclass(frozen=True, slots=True)
class ContentPage:
    """A page written in Markdown, such as the accessibility statement."""

    slug: str
    meta: PageMeta
    body: Markdown
    pos: Pos | None = pos_field()


# ---- the whole site -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Site:
    """Everything the content describes, validated and linked."""

    config: SiteConfig
    agencies: tuple[Agency, ...]
    topics: tuple[Topic, ...]
    programmes: tuple[Programme, ...]
    pfcc_plans: tuple[PfccPlan, ...]
    plans: tuple[Plan, ...]  # newest first
    strategies: tuple[Strategy, ...]
    pages: tuple[ContentPage, ...]
    redirects: tuple[Redirect, ...] = ()  # content/redirects.yaml, when there is one
    glossary: tuple[Term, ...] = ()  # content/glossary.yaml, when there is one


# ---- redirects ----------------------------------------------------------------------

# No backslash, and no '//' at the start: browsers read '/\host' and '//host' as another site's address.
OldAddress = Annotated[str, Pattern(r"^/(?![/\\])[^\s?#*:\\]*$",
                                    "an address of this site starting with /, like /old-page/",
                                    "/key-priorities-safer-colchester-partnership-2018-2019/")]
NewAddress = Annotated[str, Pattern(r"^(/(?![/\\])[^\s?#*:\\]*|https://[^\s\\]+)$",
                                    "an address of this site starting with /, or a web address starting "
                                    "with https://", "/plans/2018-19/")]


@dataclass(frozen=True, slots=True)
class Redirect:
    """An old address that now leads to another page."""

    from_: OldAddress = f("The old address, starting with /. No page of the site may have it.",
                          example="/key-priorities-safer-colchester-partnership-2018-2019/", key="from")
    to: NewAddress = f("Where visitors to the old address now go: a page of this site, starting with /, "
                       "or a web address starting with https://.", example="/plans/2018-19/")
    pos: Pos | None = pos_field()


@dataclass(frozen=True, slots=True)
class RedirectList:
    """content/redirects.yaml: old addresses, and the pages they now lead to."""

    redirects: tuple[Redirect, ...] = f("The redirects, one item per old address.", ())


# ---- the glossary -------------------------------------------------------------------

# Letters, digits and hyphens only: it is found in rendered HTML, where other characters are escaped.
Abbreviation = Annotated[str, Pattern(r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                                      "an abbreviation of letters, digits and hyphens, as the plans print it",
                                      "PFCC", 20)]


@dataclass(frozen=True, slots=True)
class Term:
    """An abbreviation the plans use, and what it stands for."""

    abbreviation: Abbreviation = f(
        "The abbreviation as the plans print it. Pages mark its first use in each text with its expansion.",
        example="PFCC")
    expansion: str = f("What it stands for, as the source documents spell it out. Leave it out when they do not "
                       "and it is not certain; say what is known in 'note' instead.", "",
                       example="Police, Fire and Crime Commissioner")
    note: str = f("A sentence more: what it is, or that the sources do not spell it out. Shown on the "
                  "glossary page, and as the abbreviation's explanation when there is no expansion.", "",
                  example="The plans do not spell it out.")
    pos: Pos | None = pos_field()

    @property
    def title(self) -> str:
        """What a reader is told the abbreviation means: its expansion, or else the note."""
        return self.expansion or self.note


@dataclass(frozen=True, slots=True)
class Glossary:
    """content/glossary.yaml: the abbreviations the plans use, spelled out, for the glossary page."""

    terms: tuple[Term, ...] = f("The abbreviations, one item each.", ())
