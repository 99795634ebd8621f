"""Find agencies, topics and programmes by id, name, short name or alias."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Callable

from .model import MAX_ID, REGISTRIES
from .problems import Problem, did_you_mean

# Letters that look Latin but are not: PDF extractions produce them ("СВН" for CBH), and a name can be
# typed in them to pass for another (Cyrillic and Greek capitals, dotless i, small capitals).
_LOOKALIKE_LETTERS = ("АВСЕНКМОРТХаеорсухіІѕјЈЅһԁԛԝҮԚԜӏӀ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν" "ıȷ"
                      "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ")
_LOOKALIKES = str.maketrans(_LOOKALIKE_LETTERS, "ABCEHKMOPTXaeopcyxiIsjJShdqwYQWlI" "ABEZHIKMNOPTYXoiv" "ij"
                            "abcdefghijklmnoprstuvwyz")
_LOOKALIKE = re.compile(f"[{_LOOKALIKE_LETTERS}]")  # any of them: a scan for one is quicker than translating
_SPACES = re.compile(r"\s+")
_THE = re.compile(r"^\s*the\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)  # a pure function of the text, asked thousands of times a build
def normalise(text: str) -> str:
    """Fold case, accents and spacing so that lookups forgive small differences."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", straight_apostrophes(text)).strip()


def straight_apostrophes(text: str) -> str:
    """Every apostrophe a name may be typed with, as the straight one: 'Smithʼs' (a modifier letter
    apostrophe, which is a letter) is Smith's. (str.replace for each: translate took 40 us a text.)"""
    if not text.isascii():
        for apostrophe in "’ʼʻʽ‛′":
            if apostrophe in text:
                text = text.replace(apostrophe, "'")
    return text


@functools.lru_cache(maxsize=65536)  # asked for every name every row prints, in every build
def same_name(one: str, other: str) -> bool:
    """Whether two names of an agency are one as printed: case, spacing and a leading 'The' aside."""
    return normalise(_THE.sub("", one)) == normalise(_THE.sub("", other))


def short_form(agency, printed: str, shown: str) -> str:
    """The short name the registry records that a document printed ('CBC', or 'Colchester Borough Council
    (CBC)' after the name shown), or ''."""
    shorts = (agency.short_name, *(former.short_name for former in agency.former_names))
    return next((n for n in shorts if n and (same_name(printed, n) or same_name(printed, f"{shown} ({n})"))), "")


def latin(text: str) -> str:
    """Letters from another alphabet that look Latin, as the Latin ones, when a word has no other
    letters: PDF copies make 'СВН' of 'CBH', while 'Профилактика' is Russian and stays so."""
    translated = text.translate(_LOOKALIKES)
    if translated == text or any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in translated):
        return text
    return translated


_WORD = re.compile(r"[^\W\d_]+")


def latin_words(text: str) -> str:
    """latin() for each word of a text (letters keep their places)."""
    if text.isascii() or _LOOKALIKE.search(text) is None:  # most text: no lookalike to change
        return text
    # Only a word with a letter outside ASCII can hold a lookalike: the others are kept as they are.
    return _WORD.sub(lambda m: m.group() if m.group().isascii() else latin(m.group()), text)


def slugify(text: str) -> str:
    """Make a web-address id from a title."""
    text = unicodedata.normalize("NFKD", latin_words(text))
    text = text.encode("ascii", "ignore").decode().lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def make_id(title: str) -> str:
    """The id a title gives when no 'id:' is written: its slug, cut after the last whole word that fits.

    The cut keeps the address of a long title stable while only its end is edited; '' when the
    title has no Latin letter or digit (the content must then give an id).
    """
    slug = slugify(title)
    if len(slug) <= MAX_ID:
        return slug
    head = slug[:MAX_ID + 1]
    return head[:head.rfind("-")] if "-" in head else slug[:MAX_ID]


class Registry:
    """Indexes of the registries, for resolving references in plans."""

    def __init__(self, entries: dict[str, tuple], published_agencies: Callable[[], set[str]] = set):
        """entries: each kind's entries (agencies, topics, programmes)."""
        # The ids of every agency the site has published a page for, asked only when a name is not
        # found: a name that belonged to an agency since removed needs that agency back, not another.
        self.published_agencies = published_agencies
        self.problems: list[Problem] = []
        self.index: dict[str, dict[str, object]] = {}
        self.choices: dict[str, list[str]] = {}
        for kind, items in entries.items():
            self._add(kind, items, REGISTRIES[kind].names)

    def _add(self, kind: str, items, keys_of) -> None:
        index: dict[str, object] = {}
        choices: list[str] = []
        for item in items:
            for key in keys_of(item):
                if not key:
                    continue
                norm = normalise(key)
                other = index.get(norm)
                if other is not None and other.id != item.id:
                    self.problems.append(Problem(
                        item.pos, "", f"the name '{key}' is used by two {kind} entries, "
                        f"'{other.id}' and '{item.id}'", "each id, name and alias to belong to one entry",
                        "Remove it from one of them; plans can then write the other's id."))
                    continue
                index[norm] = item
                choices.append(key)
        self.index[kind] = index
        self.choices[kind] = choices

    def lookup(self, kind: str, text: str) -> tuple[object | None, str]:
        """Find an entry, or explain what was meant."""
        found = self.index[kind].get(normalise(text))
        if found is not None:
            return found, ""
        latin = text.translate(_LOOKALIKES)
        if latin != text and normalise(latin) in self.index[kind]:
            return None, (f"'{text}' contains letters from another alphabet that look like Latin "
                          f"ones (often from copying out of a PDF). Did you mean '{latin}'?")
        removed = sorted(self.published_agencies() - {a.id for a in self.index["agency"].values()}) \
            if kind == "agency" else []
        if removed:
            return None, removed_agency_hint(text, removed)
        return None, did_you_mean(text, self.choices[kind])


def removed_agency_hint(text: str, removed: list[str]) -> str:
    """Say that the name may belong to an agency removed from the registry, and what to do instead."""
    import difflib

    close = removed if len(removed) == 1 else difflib.get_close_matches(slugify(text), removed, n=1, cutoff=0.3)
    which = (f"It may name the agency '{close[0]}', which has a published page but is no longer in "
             f"content/agencies.yaml" if close else
             f"Agencies with published pages are no longer in content/agencies.yaml ({', '.join(removed)}); "
             "it may name one of them")
    return (f"{which}. Put the agency back: plans that name it still need it. If it closed or merged, mark it "
            "with 'ended:' instead (docs/content-guide.md, \"When an agency closes, merges or changes its name\").")


def names_in(root, kind: str) -> set[str] | None:
    """Read every id, name and alias in a registry file's nodes without judging them."""
    from .yamlfile import MappingNode, ScalarNode, SequenceNode

    if not isinstance(root, MappingNode) or not root.value:
        return None
    names: set[str] = set()
    for _, items in root.value:
        for item in items.value if isinstance(items, SequenceNode) else ():
            for key, value in item.value if isinstance(item, MappingNode) else ():
                if key.value in REGISTRIES[kind].keys:
                    values = value.value if isinstance(value, SequenceNode) else [value]
                    names.update(normalise(v.value) for v in values if isinstance(v, ScalarNode))
                elif key.value == "former_names" and isinstance(value, SequenceNode):
                    names.update(normalise(v.value) for former in value.value if isinstance(former, MappingNode)
                                 for k, v in former.value if k.value in ("name", "short_name")
                                 and isinstance(v, ScalarNode))
    return names


class PartialRegistry:
    """Judges references while a registry file has errors: names that can be read are accepted.

    So that one run reports the plans' mistakes as well as the registry's, without
    calling a reference unknown only because its registry entry is broken.
    """

    def __init__(self, known: dict[str, set[str] | None]):
        self.known = known  # None: the file cannot be read at all, so accept everything

    def lookup(self, kind: str, text: str) -> tuple[object | None, str]:
        """Accept a readable name as it is, or explain what was meant."""
        names = self.known.get(kind)
        if names is None or normalise(text) in names:
            return text, ""
        return None, did_you_mean(text, names)
