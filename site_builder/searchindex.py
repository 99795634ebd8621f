"""The search index: the words of every marked page, cut into small files that templates/assets/search.js reads.

A page is indexed when an element of it carries `data-search-body` (base.html marks <main> on the
pages search lists). What is indexed is that element's text, less any element marked
`data-search-ignore` and the text of scripts, styles and form choices. Its first <h1> is the
result's title (its `data-search-place` says where a row sits in its plan), and the
`data-search-filter="facet:choice"` elements inside it are what the filters choose by.

The index is written into search-index/: index.json, the one file a first search reads whole (the
number of pages, the first word of each word file), and beside it a folder named by the hash of
everything else, so a visitor never mixes two builds' files:

    <hash>/w/N.json   words in order, each with its pages: [page, weight, page, weight, ...], each
                      page number given as the difference from the one before (smaller to send)
    <hash>/p/N.json   PER pages each, in the order of their addresses: [url, title, about, text]
    <hash>/f/F.json   for filter F, each choice with its pages (numbered as in the word files)

A word's weight is how often the page says it, and ten times more in its title. Pages are
numbered by address once all are given, so the same site gives the same files in any order.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import sys
from array import array
from collections import Counter
from pathlib import Path

FOLDER = "search-index"  # under the site's root; also urls.py's "search_index"
PER = 4  # pages per page file: a result list of 20 fetches at most 20 small files
TEXT = 1200  # characters of each page's text kept for result excerpts
WORDS_PER_FILE = 24_000  # about this many bytes of JSON per word file
TITLE_WEIGHT = 10

# A tag's attributes are read one at a time, each whole with its quoted value: a value that holds
# the words of a mark (an editor's text in a description) is never taken for the mark itself.
START_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"=>/]+(?:="[^"]*")?)*)\s*/?>')
ATTRIBUTE = re.compile(r'\s([^\s"=>/]+)(?:="([^"]*)")?')
SKIPPED = re.compile(r"<(script|style|template|select|noscript)\b")  # no visible words of their own
H1 = re.compile(r"<h1\b([^>]*)>(.*?)</h1>", re.S)
BLOCKS = ("address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "fieldset",
          "figcaption", "figure", "footer", "h[1-6]", "header", "li", "main", "nav", "ol", "p", "pre", "section",
          "summary", "table", "td", "th", "tr", "ul")
BLOCK_END = re.compile(rf"</(?:{'|'.join(BLOCKS)})>")
TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
ENDS = ".,:;!?…"  # a block ending without one of these is ended with a full stop in the excerpt text
_BLOCK, _TERM = "\x00", "\x01"  # where a block and a <dt> end, until the text is cut from the tags
SEPARATOR = re.compile(r"\s*([\x00\x01][\s\x00\x01]*)")
WORD = re.compile(r"[^\W_]+")
MARKS = re.compile("[\u0300-\u036f]")  # combining accents, dropped as search.js drops them
_ENDINGS: dict[str, re.Pattern] = {}


def words(text: str) -> list[str]:
    """The words of a text as the index keeps them: case and accents folded (search.js folds a query alike)."""
    import unicodedata

    text = text.casefold()
    if not text.isascii():
        text = MARKS.sub("", unicodedata.normalize("NFKD", text))
    return WORD.findall(text)


class Record:
    """What the index keeps of one page besides its words."""

    __slots__ = ("url", "title", "about", "text", "filters", "weights")

    def __init__(self, url: str, title: str, about: str, text: str, filters: list[tuple[str, str]],
                 weights: Counter):
        self.url, self.title, self.about, self.text = url, title, about, text
        self.filters, self.weights = filters, weights


def read_page(url: str, page: str) -> Record | None:
    """The record of one page's marked element, or None for a page without one."""
    body = next(_marked(page, "data-search-body"), None)
    if body is None:
        return None
    start, name, _ = body
    part = page[start:_end(page, name, start)].replace(_BLOCK, "").replace(_TERM, "")
    filters = []
    for _, _, marks in _marked(part, "data-search-filter"):
        key, _, value = htmllib.unescape(marks["data-search-filter"] or "").partition(":")
        if key:
            filters.append((key, value))
    left_out = sorted([(start, name) for start, name, _ in _marked(part, "data-search-ignore")]
                      + [(tag.start(), tag[1]) for tag in SKIPPED.finditer(part)])
    kept, at = [], 0
    for start, name in left_out:
        if start >= at:  # not inside an element left out already
            kept.append(part[at:start])
            at = _end(part, name, start)
    part = "".join(kept) + part[at:]
    heading = H1.search(part)
    title = _text(heading[2]) if heading else ""
    place = htmllib.unescape(dict(ATTRIBUTE.findall(heading[1])).get("data-search-place") or "") if heading else ""
    text = _text(BLOCK_END.sub(_BLOCK, part.replace("</dt>", _TERM)).replace("<br>", " "))
    weights = Counter(words(text))
    for word in words(title):
        weights[word] += TITLE_WEIGHT
    kinds = dict(filters)
    about = ", ".join(part for part in (kinds.get("type", ""), place or kinds.get("year", "")) if part)
    return Record(url, title or url, about, text[:TEXT], filters, weights)


def _marked(page: str, mark: str):
    """Each start tag of a page that has the attribute `mark`: where it starts, its name, and its attributes."""
    at = page.find(mark)
    while at >= 0:
        start = page.rfind("<", 0, at)
        tag = START_TAG.match(page, start) if start >= 0 else None
        if tag and tag.end() > at:
            marks = dict(ATTRIBUTE.findall(tag[2]))
            if mark in marks:
                yield start, tag[1], marks
        at = page.find(mark, at + len(mark))


def _end(page: str, name: str, start: int) -> int:
    """Where the element that starts at `start` ends (after its end tag; the page's end if it has none)."""
    name = name.lower()
    if name not in _ENDINGS:
        _ENDINGS[name] = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 0
    for tag in _ENDINGS[name].finditer(page, start):
        depth += -1 if tag[1] else 1
        if not depth:
            return tag.end()
    return len(page)


def _text(html: str) -> str:
    """The words of some HTML, spaced; each block ended with a full stop, each <dt> with a colon, where
    they do not end with punctuation already (a dt ran into its dd in excerpts: "LeadEssex Police")."""
    text = htmllib.unescape(TAG_OR_COMMENT.sub("", html))
    return " ".join(SEPARATOR.sub(_separate, text).split())


def _separate(run: re.Match) -> str:
    before = run.string[run.start() - 1] if run.start() else ""
    if not before or before in ENDS:
        return " "
    return ": " if run[1][0] == _TERM else ". "


class Index:
    """The search index of a site, given its pages one at a time in any order."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.postings: dict[str, array] = {}  # each word's pages as they came: [page, weight, ...]

    def add(self, rel: str, data: bytes) -> None:
        """Index one file of the site by its name in the output folder (a page without the mark is left out)."""
        if not rel.endswith(".html") or b"data-search-body" not in data:
            return
        record = read_page("/" + rel.removesuffix("index.html"), data.decode("utf-8", "replace"))
        if record is None:
            return
        number, postings = len(self.records), self.postings
        for word, weight in record.weights.items():
            if word in postings:
                postings[word].extend((number, weight))
            else:
                postings[word] = array("I", (number, weight))
        record.weights = None  # its words are in the postings now
        self.records.append(record)

    def files(self) -> dict[str, bytes]:
        """The index's files, by their names under the site's root."""
        order = sorted(range(len(self.records)), key=lambda n: self.records[n].url)
        records = [self.records[n] for n in order]
        renumbered = array("I", bytes(4 * len(order)))
        for new, old in enumerate(order):
            renumbered[old] = new
        files: dict[str, bytes] = {}
        firsts: list[str] = []
        batch: dict[str, list[int]] = {}
        size = 0
        for word in sorted(self.postings):
            flat = self.postings[word]
            pairs = sorted(zip((renumbered[n] for n in flat[0::2]), flat[1::2]))
            batch[word] = _gaps([item for pair in pairs for item in pair])
            size += len(word) + 6 * len(pairs)
            if size >= WORDS_PER_FILE:
                firsts.append(next(iter(batch)))
                files[f"w/{len(firsts) - 1}.json"] = _json(batch)
                batch, size = {}, 0
        if batch:
            firsts.append(next(iter(batch)))
            files[f"w/{len(firsts) - 1}.json"] = _json(batch)
        for start in range(0, len(records), PER):
            files[f"p/{start // PER}.json"] = _json([[r.url, r.title, r.about, r.text]
                                                    for r in records[start:start + PER]])
        chosen: dict[str, dict[str, list[int]]] = {}
        for number, record in enumerate(records):
            for key, value in dict.fromkeys(record.filters):
                chosen.setdefault(key, {}).setdefault(value, []).append(number)
        for key, values in sorted(chosen.items()):
            files[f"f/{key}.json"] = _json({value: _gaps(pages, step=1) for value, pages in sorted(values.items())})
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name] + b"\0")
        build = digest.hexdigest()[:16]
        entry = {"build": build, "pages": len(records), "per": PER, "words": firsts, "filters": sorted(chosen)}
        out = {f"{FOLDER}/{build}/{name}": data for name, data in files.items()}
        out[f"{FOLDER}/index.json"] = _json(entry)
        return out


def _gaps(numbers, step: int = 2) -> list[int]:
    """A list of page numbers (every `step`th item) as differences from the one before."""
    numbers = list(numbers)
    previous = 0
    for at in range(0, len(numbers), step):
        numbers[at], previous = numbers[at] - previous, numbers[at]
    return numbers


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_folder(folder: Path) -> None:
    """Index a built folder: write its search-index/ afresh (the preview's way; a build indexes as it writes)."""
    from .write import write_files

    folder = Path(folder)
    index = Index()
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        if not rel.startswith(FOLDER + "/"):
            try:
                index.add(rel, path.read_bytes())
            except FileNotFoundError:  # the preview removed it meanwhile: its next index will not have it
                continue
    files = index.files()
    entry = f"{FOLDER}/index.json"
    fresh = {name for name in files if name != entry}
    write_files(files, sorted(fresh), folder)
    write_files(files, [entry], folder, suffix=".partial")
    (folder / (entry + ".partial")).replace(folder / entry)  # the preview serves the folder meanwhile
    build = json.loads(files[entry])["build"]
    for old in (folder / FOLDER).iterdir():
        if old.is_dir() and old.name != build:
            import shutil

            shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":  # the preview indexes its folder in a process of its own, beside the server
    index_folder(Path(sys.argv[1]))
