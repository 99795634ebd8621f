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
import marshal
import operator
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from array import array
from collections import Counter
from pathlib import Path
from typing import BinaryIO

from . import processes
from .alternation import alternation

FOLDER = "search-index"  # under the site's root; also urls.py's "search_index"
PER = 8  # pages per page file: a result list of 20 fetches at most 20 small files (at 10,000, 1,316 of them)
TEXT = 1200  # characters of each page's text kept for result excerpts
WORDS_PER_FILE = 24_000  # about this many bytes of JSON per word file
TITLE_WEIGHT = 10

# A page is read as the UTF-8 it is written in, and only the text cut from its tags is decoded: the
# patterns that find the tags read a byte a character, where a decoded page (most have a curly quote
# or a dash) takes two or four. A tag's attributes are read one at a time, each whole with its quoted
# value: a value that holds the words of a mark (an editor's text in a description) is never taken
# for the mark itself.
_VALUE = rb"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
START_TAG = re.compile(rb'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'=<>/]+' + _VALUE + rb')*)\s*(/?)>')
ATTRIBUTE = re.compile(rb'\s([^\s"\'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'=<>`]+)))?')
COMMENT = re.compile(rb"<!--.*?-->", re.S)
SCRIPT = re.compile(rb"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.IGNORECASE)  # never shown
SKIPPED = re.compile(rb"<(template|select|noscript)\b", re.IGNORECASE)  # no visible words of their own
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
H1 = re.compile(rb"<h1\b", re.IGNORECASE)
BLOCKS = ("address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "fieldset",
          "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "label", "legend", "li", "main", "nav", "ol", "p",
          "pre", "section", "summary", "table", "td", "th", "tr", "ul")
BLOCK_END = re.compile(rf"</(?:{alternation(BLOCKS)})\s*>".encode(), re.IGNORECASE)
SPACES = re.compile(rb"<(?:br|hr|img|wbr)\b[^>]*>", re.IGNORECASE)  # a line or a picture between words
TAG = re.compile(rb"<[^>]*>")
ENDS = ".,:;!?…"  # a block ending without one of these is ended with a full stop in the excerpt text
_BLOCK, _TERM = b"\x00", b"\x01"  # where a block and a <dt> end, until the text is cut from the tags
SEPARATOR = re.compile(r"([\x00\x01])[\s\x00\x01]*")  # a run of block ends: the first says which
WORD = re.compile(r"[^\W_]+")
# WORD for lower-case ASCII: every other character made a space, then split there (findall's match
# objects and strings took twice as long).
BETWEEN_ASCII_WORDS = str.maketrans(dict.fromkeys(
    (chr(c) for c in range(128) if not chr(c).isdigit() and not "a" <= chr(c) <= "z"), " "))
# Dropped before words are cut, as search.js drops them: combining accents, and the invisible
# characters a paste from a document leaves inside words (soft hyphen, zero-width spaces and joiners).
UNSEEN = re.compile("[\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff]")
# Typographic spaces, dashes, quotes, the ellipsis and the pound and euro signs: between words, never
# part of one, however folded. Most pages' only characters outside ASCII (curly quotes, a sum of
# money): made spaces, such a text takes the ASCII way, at a third of the cost.
BETWEEN_WORDS = re.compile("[\u00a0\u00a3\u2002\u2003\u2009\u200a\u202f\u2010-\u2015\u2018-\u201f\u2022\u2026\u20ac]")
# A search filter as base.html writes it: read so, where every mark is in such a tag (else tag by tag).
FILTER = re.compile(rb'<span data-search-filter="([^"<>]*)">')
_ENDINGS: dict[str, re.Pattern] = {}


def words(text: str) -> list[str]:
    """The words of a text as the index keeps them, folded as search.js folds a query: NFKD, accents
    and invisible characters dropped, then lower case."""
    if not text.isascii():
        text = BETWEEN_WORDS.sub(" ", text)
    if text.isascii():
        return text.lower().translate(BETWEEN_ASCII_WORDS).split()
    return WORD.findall(UNSEEN.sub("", unicodedata.normalize("NFKD", text)).lower())


class Record:
    """What the index keeps of one page besides its words."""

    __slots__ = ("url", "title", "about", "text", "filters", "weights")

    def __init__(self, url: str, title: str, about: str, text: str, filters: list[tuple[str, str]],
                 weights: Counter):
        self.url, self.title, self.about, self.text = url, title, about, text
        self.filters, self.weights = filters, weights


def read_page(url: str, page: bytes | str) -> Record | None:
    """The record of one page's marked element (the page as UTF-8, or as text), or None for a page without one."""
    if isinstance(page, str):
        page = page.encode()
    if b"<!--" in page:
        page = COMMENT.sub(b"", page)
    body = next(_marked(page, b"data-search-body"), None)
    if body is None:
        return None
    start, name, _ = body
    if page.find(b"<script", start) >= 0 or page.find(b"<style", start) >= 0:  # their text may hold an end tag
        page = page[:start] + SCRIPT.sub(b"", page[start:])
    part = page[start:_end(page, name, start)].replace(_BLOCK, b"").replace(_TERM, b"")
    left_out = sorted([(start, name) for start, name, _ in _marked(part, b"data-search-ignore")]
                      + [(tag.start(), tag[1].decode()) for tag in SKIPPED.finditer(part)])
    kept, at = [], 0
    for start, name in left_out:
        if start >= at:  # not inside an element left out already
            kept.append(part[at:start])
            at = _end(part, name, start)
    part = b"".join(kept) + part[at:]
    filters = []
    marks = [mark.decode("utf-8", "replace") for mark in FILTER.findall(part)]
    if len(marks) != part.count(b"data-search-filter"):  # a mark written otherwise, or in a text
        marks = [found["data-search-filter"] for _, _, found in _marked(part, b"data-search-filter")]
    for mark in marks:
        key, _, value = htmllib.unescape(mark).partition(":")
        if key:
            filters.append((key, value))
    title, place = "", ""
    heading = H1.search(part)
    if heading and (tag := START_TAG.match(part, heading.start())):
        place = htmllib.unescape(_attributes(tag[2]).get("data-search-place", ""))
        title = _text(part[tag.end():_end(part, "h1", heading.start()) - len(b"</h1>")])
    text = _text(BLOCK_END.sub(_BLOCK, part.replace(b"</dt>", _TERM)))
    weights = Counter(words(text))
    for word in words(title):
        weights[word] += TITLE_WEIGHT
    kinds = dict(filters)
    about = ", ".join(part for part in (kinds.get("type", ""), place or kinds.get("year", "")) if part)
    return Record(url, title or url, about, text[:TEXT], filters, weights)


def _attributes(text: bytes) -> dict[str, str]:
    """A start tag's attributes by name, whichever way each value is quoted (or not at all)."""
    return {name.decode("utf-8", "replace"): (a or b or c).decode("utf-8", "replace")
            for name, a, b, c in ATTRIBUTE.findall(text)}


def _marked(page: bytes, mark: bytes):
    """Each start tag of a page that has the attribute `mark`: where it starts, its name, and its attributes."""
    at, name = page.find(mark), mark.decode()
    while at >= 0:
        start = page.rfind(b"<", 0, at)
        tag = START_TAG.match(page, start) if start >= 0 else None
        if tag and tag.end() > at:
            marks = _attributes(tag[2])
            if name in marks:
                yield start, tag[1].decode(), marks
            at = tag.end()  # the rest of this tag is read: a value that repeats the mark is not read again
        at = page.find(mark, at + 1)


def _end(page: bytes, name: str, start: int) -> int:
    """Where the element that starts at `start` ends (after its end tag; the page's end if it has none)."""
    name = name.lower()
    tag = START_TAG.match(page, start)
    if name in VOID or (tag and tag[3]):  # an element without content: <input ...>, <div ... />
        return tag.end() if tag else start + 1
    if name not in _ENDINGS:
        _ENDINGS[name] = re.compile(rf"<(/?){name}\b[^>]*>".encode(), re.IGNORECASE)
    depth = 0
    for tag in _ENDINGS[name].finditer(page, start):
        depth += -1 if tag[1] else 1
        if not depth:
            return tag.end()
    return len(page)


def _text(html: bytes) -> str:
    """The words of some HTML, spaced; each block ended with a full stop, each <dt> with a colon, where
    they do not end with punctuation already (a dt ran into its dd in excerpts: "LeadEssex Police")."""
    text = TAG.sub(b"", SPACES.sub(b" ", html)).decode("utf-8", "replace")
    pieces = SEPARATOR.split(htmllib.unescape(text))  # text, end, text, ...
    spaced, term = [], _TERM.decode()
    for at in range(0, len(pieces) - 1, 2):
        text = pieces[at].rstrip()
        before = text[-1:]
        spaced += text, " " if not before or before in ENDS else ": " if pieces[at + 1] == term else ". "
    spaced.append(pieces[-1])
    return " ".join("".join(spaced).split())


def reading(rel: str, data: bytes) -> bytes:
    """What the index takes of one file of the site, by its name in the output folder: the reading of
    its marked element (Index.add_reading), which the process that rendered a page makes; b"" for a file
    the index leaves out (not a page, or a page without the mark)."""
    record = None
    if rel.endswith(".html") and b"data-search-body" in data:
        record = read_page("/" + rel.removesuffix("index.html"), data)
    if record is None:
        return b""
    return marshal.dumps((record.url, _json([record.url, record.title, record.about, record.text]),
                          tuple(dict.fromkeys(record.filters)), dict(record.weights)))


class Index:
    """The search index of a site, given its pages one at a time in any order."""

    def __init__(self) -> None:
        # Each page as little as it can be kept (100,000 of them wait for the last): its address, where
        # its page-file row lies in `rows`, and its filters, each name and choice kept once for all pages.
        self.records: list[tuple[str, int, int, tuple[tuple[str, str], ...]]] = []
        self.postings: dict[str, array] = {}  # each word's pages as they came: [page, weight, ...]
        self._strings: dict[str, str] = {}
        # The rows, as JSON, in a temporary file: each is its page's text for excerpts, and all of them
        # are read only once the last page is in (at 100,000 initiatives 150 MB, which would be held
        # through the rendering beside the site).
        self.rows = tempfile.TemporaryFile()

    def add(self, rel: str, data: bytes) -> None:
        """Index one file of the site by its name in the output folder (a page without the mark is left out)."""
        self.add_reading(reading(rel, data))

    def add_reading(self, read: bytes) -> None:
        """Index one file from its reading (reading())."""
        if not read:
            return
        url, row, filters, weights = marshal.loads(read)
        number, postings = len(self.records), self.postings
        for word, weight in weights.items():
            if word in postings:
                postings[word].extend((number, weight))
            else:
                postings[word] = array("I", (number, weight))
        same = self._strings.setdefault
        at = self.rows.tell()
        self.rows.write(row)
        self.records.append((url, at, len(row), tuple((same(key, key), same(value, value)) for key, value in filters)))

    def files(self) -> dict[str, bytes]:
        """The index's files by their names under the site's root, as write() writes them (once: it uses the index up)."""
        info: dict = {}
        halves = [dict(half) for half in self._halves(info)]
        build = _build_name(*(_digest(half.items()) for half in halves))
        files = {f"{FOLDER}/{build}/{name}": data for half in halves for name, data in half.items()}
        files[f"{FOLDER}/index.json"] = _entry(build, info)
        return files

    def write(self, folder: Path) -> None:
        """Write the index into folder/search-index/, each file as soon as it is made (once: it uses the index up).

        The word files are written here while a forked copy writes the page and filter files (on one
        core, the index took 6.4 s after the last page at 100,000 initiatives). The files go into a
        folder named by their hash, then index.json, which names it, replaces the old one; the
        preview serves the folder meanwhile, so an old index stays whole until then.
        """
        base = Path(folder) / FOLDER
        new = base / ".new"
        shutil.rmtree(new, ignore_errors=True)
        info: dict = {}
        words, pages = self._halves(info)

        def written(parts) -> bytes:
            def each():
                for name, data in parts:
                    (new / name).parent.mkdir(parents=True, exist_ok=True)
                    (new / name).write_bytes(data)
                    yield name, data
            return _digest(each())

        with processes.aside(lambda: {"digest": written(pages)}) as copied:
            own = written(words)
            theirs = copied()  # None where the copy failed, or could not be made: its files are written here
        build = _build_name(own, theirs["digest"] if theirs is not None else written(pages))
        if (base / build).exists():  # the same index is there already (a save that changed no page's words)
            shutil.rmtree(new)
        else:
            new.rename(base / build)
        (base / "index.json.partial").write_bytes(_entry(build, info))
        (base / "index.json.partial").replace(base / "index.json")
        for old in base.iterdir():
            if old.is_dir() and old.name != build:
                shutil.rmtree(old, ignore_errors=True)

    def _halves(self, info: dict):
        """The files of the index's folder in two halves, each made as it is asked for, with its name in the
        folder: the word files, and the page and filter files. `info` gets what index.json says once both are made.

        Pages are numbered by address; each word's pages, and the pages' records, are let go as
        soon as their file is made.
        """
        records, self.records = self.records, []
        self.rows.flush()  # read by os.pread, in this process or a forked copy
        rows = self.rows.fileno()
        order = sorted(range(len(records)), key=lambda n: records[n][0])
        arrived_in_order = order == list(range(len(order)))  # as a build gives them: nothing to renumber
        records = [records[n] for n in order]
        renumbered = array("I", bytes(4 * len(order)))
        for new, old in enumerate(order):
            renumbered[old] = new
        chosen: dict[str, dict[str, list[int]]] = {}
        for number, (*_, filters) in enumerate(records):
            for key, value in filters:
                chosen.setdefault(key, {}).setdefault(value, []).append(number)
        info.update(pages=len(records), words=[], filters=sorted(chosen))
        postings, self.postings = self.postings, {}

        def words():
            batch: dict[str, list[int]] = {}
            size = 0
            for word in sorted(postings):
                flat = postings.pop(word)
                if not arrived_in_order:
                    pairs = sorted(zip((renumbered[n] for n in flat[0::2]), flat[1::2]))
                    flat = [item for pair in pairs for item in pair]
                batch[word] = _gaps(flat)
                size += len(word) + 3 * len(flat)
                if size >= WORDS_PER_FILE:
                    info["words"].append(next(iter(batch)))
                    yield f"w/{len(info['words']) - 1}.json", _json(batch)
                    batch, size = {}, 0
            if batch:
                info["words"].append(next(iter(batch)))
                yield f"w/{len(info['words']) - 1}.json", _json(batch)

        def pages():
            for start in range(0, len(records), PER):
                yield f"p/{start // PER}.json", b"[" + b",".join(os.pread(rows, size, at) for _, at, size, _ in
                                                               records[start:start + PER]) + b"]"
                records[start:start + PER] = [None] * len(records[start:start + PER])
            for key, values in sorted(chosen.items()):
                yield f"f/{key}.json", _json({value: _gaps(numbers, step=1) for value, numbers in sorted(values.items())})

        return words(), pages()


def _digest(files) -> bytes:
    """The hash of some of an index's files: names and contents, in the order made."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.digest()


def _build_name(words: bytes, pages: bytes) -> str:
    """The name of an index's folder: the hash of the digests of its two halves (Index._halves)."""
    return hashlib.sha256(words + pages).hexdigest()[:16]


def _entry(build: str, info: dict) -> bytes:
    """index.json: the folder of this index, the number of pages, the first word of each word file, the filters."""
    return _json({"build": build, "pages": info["pages"], "per": PER, "words": info["words"],
                  "filters": info["filters"]})


def _gaps(numbers, step: int = 2) -> list[int]:
    """A list of page numbers (every `step`th item) as differences from the one before."""
    numbers = list(numbers)
    pages = numbers[::step]
    numbers[::step] = list(map(operator.sub, pages, [0, *pages[:-1]]))  # a loop in C: 4 times as quick
    return numbers


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_folder(folder: Path) -> None:
    """Index a built folder: write its search-index/ afresh from every page in it."""
    folder = Path(folder)
    _index_of(_readings(folder, None)).write(folder)


def follow(folder: Path, messages: BinaryIO, replies: BinaryIO) -> None:
    """The preview's indexer: index the folder after each line of `messages`, a JSON list of the pages
    (file names in the folder) that changed or went since the line before, or null for every page;
    answer each with a line, "ok" or "error: why". Each page's reading is kept, so a save that
    changed three pages reads three (at 10,000 initiatives every page took 3 s).
    """
    folder = Path(folder)
    readings: dict[str, bytes | None] = {}
    whole = True  # read every page: at the start, and after a failure
    for line in messages:
        names = json.loads(line)
        try:
            if names is None or whole:
                readings, names = {}, None
            readings.update(_readings(folder, names))  # a page removed is None: left out of the index
            _index_of(readings).write(folder)
        except Exception as exc:  # noqa: BLE001 - a full disk, a folder removed: said, and read whole next time
            whole = True
            replies.write(f"error: {' '.join(str(exc).split())}\n".encode("utf-8", "replace"))
        else:
            whole = False
            replies.write(b"ok\n")
        replies.flush()


def _readings(folder: Path, names: list[str] | None) -> dict[str, bytes | None]:
    """Each page's reading by its file name; None for a named page that is not there (removed). Every
    page of the folder where names is None."""
    if names is None:
        names = [path.relative_to(folder).as_posix() for path in folder.rglob("*.html")]
    found: dict[str, bytes | None] = {}
    for rel in names:
        if rel.endswith(".html") and not rel.startswith(FOLDER + "/"):
            try:
                found[rel] = reading(rel, (folder / rel).read_bytes())
            except FileNotFoundError:  # removed (or removed meanwhile: the next line names it again)
                found[rel] = None
    return found


def _index_of(readings: dict[str, bytes | None]) -> Index:
    """An index of the readings, given in the order of their pages' addresses (nothing to renumber)."""
    index = Index()
    for rel in sorted(readings, key=lambda rel: rel.removesuffix("index.html")):
        index.add_reading(readings[rel] or b"")
    return index


if __name__ == "__main__":  # the preview's indexer, in a process of its own beside the server (serve.py)
    follow(Path(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)
