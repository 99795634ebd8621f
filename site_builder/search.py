"""Search: the search page (with an A to Z that needs no JavaScript) and the Pagefind index."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import queue
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .problems import ContentError, Pos, Problem
from .facets import Choice, Facet, search_form
from .urls import url_for
from .routes import HOME, Build, InitiativeRef, Page
from .write import write_files


@dataclass(frozen=True, slots=True)
class SearchView:
    """The search page: filter choices, and the A to Z of initiatives."""

    filters: tuple[tuple[Facet, tuple[tuple[str, tuple[Choice, ...]], ...]], ...]  # each facet's choices, in groups
    a_to_z: tuple[tuple[str, tuple[InitiativeRef, ...]], ...]


def _initial(item: InitiativeRef) -> str:
    first = item.title.lstrip("‘'\"“(")[:1].upper()
    return first if first.isalpha() else "#"


def search_pages(b: Build) -> list[Page]:
    """The search page, offering the filter choices that the pages made before it have."""
    searched = tuple(page.search for page in b.pages if page.indexed)
    items = tuple(item for plan in b.site.plans for item in b.refs[plan.period].values())
    # The last build's page while both are equal: the A to Z lists every initiative.
    return [b.reuse(_search_page, searched, items, slot="search")]


def _search_page(searched: tuple, items: tuple[InitiativeRef, ...]) -> Page:
    ordered = sorted(items, key=lambda i: (_initial(i), i.title.casefold(), i.period))
    a_to_z = tuple((letter, tuple(group)) for letter, group in groupby(ordered, key=_initial))
    return Page(url_for("search"), "search.html", "Search",
                "Search every plan's initiatives, priorities, programmes and agencies, or browse the A to Z.",
                (HOME,), SearchView(search_form(searched), a_to_z), "search")


def pagefind_executable() -> Path:
    """The Pagefind binary that the pagefind-bin package installs."""
    from pagefind_bin import get_executable

    return get_executable()


def index_folder(folder: Path) -> None:
    """Run Pagefind over a built folder, writing its index into folder/pagefind/."""
    folder = Path(folder).absolute()
    index = Indexer()
    try:
        for rel in sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html")
                          if path.relative_to(folder).parts[0] != "pagefind"):
            index.add(rel, (folder / rel).read_bytes())
        index.finish(folder)
    finally:
        index.close()


class Indexer:
    """A Pagefind service that indexes pages as they are given, in its own process: beside a build
    that is still rendering, it uses the second core.

    Pagefind numbers pages in the order it reads them, so pages are given in the order of their
    file names (as index_folder gives a built folder's), and the same site gives the same index
    whether it is indexed while rendering or after. Left to walk a folder itself, Pagefind reads
    in the file system's order (ext4 hashes names, tmpfs lists the newest first).

    Each message is base64 of JSON followed by a comma, both ways; the service answers them one
    at a time, in order.
    """

    def __init__(self):
        try:
            exe = pagefind_executable()
        except (ImportError, FileNotFoundError) as exc:
            raise ContentError([Problem(Pos("pyproject.toml", 1, 1), "", f"Pagefind is not installed ({exc})",
                                        "the pagefind-bin package", "Run `make build` again to reinstall.")])
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._errors)
        self._sent = 0
        self._answers: dict[int, dict] = {}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._send, name="pagefind-requests", daemon=True)
        self._reader = threading.Thread(target=self._receive, name="pagefind-answers", daemon=True)
        self._writer.start()
        self._reader.start()
        self._request({"type": "NewIndex", "config": None})

    def add(self, rel: str, html: bytes) -> None:
        """Index one page, by its file name in the output folder (a page without data-pagefind-body is left out)."""
        if MARK in html:  # the page itself waits in the queue (the build holds it anyway), not a copy
            self._request({"type": "AddFile", "index_id": 0, "file_path": rel, "url": None, "file_contents": html})

    def finish(self, folder: Path) -> None:
        """Write the index into folder/pagefind/, once every page is given."""
        self._request({"type": "GetFiles", "index_id": 0})
        # The files come back in the answer, to be written here: the service's own WriteFiles answers
        # before its writes are done, and the service stops, writes or not, when its input ends.
        self._queue.put(None)
        self._writer.join()
        self._reader.join()
        answers = [self._answers.get(number) for number in range(self._sent)]
        if None in answers or -1 in self._answers:
            self._errors.seek(0)
            said = " ".join(self._errors.read().decode("utf-8", "replace").split())[:300]
            self.close()
            raise ContentError([Problem(Pos(str(folder), 1, 1), "", "Pagefind could not index the site"
                                        + (f": {said}" if said else f" (it stopped with exit code {self._process.returncode})"),
                                        "a search index")])
        errors = [answer.get("message", "no message") for answer in answers if answer.get("type") == "Error"]
        if errors or answers[-1].get("type") != "GetFiles":
            raise ContentError([Problem(Pos(str(folder), 1, 1), "", "Pagefind could not index the site: "
                                        + ("; ".join(errors[:3]) or "it gave no files"), "a search index")])
        _write_bundle(Path(folder) / "pagefind", answers[-1]["files"])
        stabilise_index(Path(folder))

    def close(self) -> None:
        """Stop the service (at once, when the build failed before finishing)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._queue.put(None)
        for stream in (self._process.stdin, self._process.stdout, self._errors):
            with contextlib.suppress(OSError):
                stream.close()

    def _request(self, payload: dict) -> None:
        self._queue.put((self._sent, payload))
        self._sent += 1

    def _send(self) -> None:
        stdin = self._process.stdin
        try:
            while (item := self._queue.get()) is not None:
                number, payload = item
                if isinstance(payload.get("file_contents"), bytes):
                    payload = {**payload, "file_contents": for_index(payload["file_contents"])}
                message = json.dumps({"message_id": number, "payload": payload}).encode("utf-8")
                stdin.write(base64.b64encode(message) + b",")
            stdin.flush()
        except (OSError, ValueError):  # Pagefind stopped: the answers say why
            pass

    def _receive(self) -> None:
        buffer = bytearray()  # grown in place: the last answer (the whole index) is many megabytes
        try:
            while True:
                chunk = self._process.stdout.read1(1 << 16)
                if not chunk:
                    return
                buffer += chunk
                if b"," not in chunk:
                    continue
                *messages, rest = buffer.split(b",")
                buffer = bytearray(rest)
                for message in messages:
                    answer = json.loads(base64.b64decode(message))
                    self._answers[answer.get("message_id", -1)] = answer["payload"]
                    if answer.get("payload", {}).get("type") == "GetFiles":
                        self._process.stdin.close()  # the service stops when its input ends: after the last answer
        except (OSError, ValueError):
            return


# Pagefind ends a sentence after a block such as p, li, div or td, but not after dt or th, so in
# result excerpts a label ran into its value: "LeadEssex Police. TimingOngoing". The copy of a page
# it indexes (never the page published) ends each term with a colon and each header cell with a
# full stop, where they do not end with punctuation already: "Lead: Essex Police. Timing: Ongoing."
# (One pattern that starts with its literal "</": the regex engine leaps from one to the next,
# where a pattern starting with a look-behind is tried at every character of the page.)
_LABEL_END = re.compile(r"</(dt|th)>")
_ENDS = {"dt": ": </dt>", "th": ". </th>"}


MARK = b" data-pagefind-body"  # the attribute that marks the element Pagefind indexes


def for_index(html: bytes) -> str | None:
    """The part of a page Pagefind reads, or None for a page it does not index.

    Pagefind indexes only what is inside the element marked data-pagefind-body (and its page
    language), so it is given the document's start and that element: half a page, half the
    work of sending and reading it, and the same index (a test compares them). Where the
    element's end is not plain (it holds another of its kind, or the mark is on two elements),
    the page is given whole from the element on. In that part each <dt> ends with a colon and
    each <th> with a full stop.
    """
    mark = html.find(MARK)
    if mark < 0:
        return None  # Pagefind leaves out a page without the mark, when others have it
    head, element = html.find(b"<head"), html.rfind(b"<", 0, mark)
    if head < 0 or html.count(MARK) > 1:
        return readable(html.decode("utf-8"))
    name = (html[element + 1:mark].split(None, 1) or [b"?"])[0]  # the marked element's name, such as main
    end = html.find(b"</" + name + b">", element)
    if end < 0 or html.find(b"<" + name, element + 1, end) >= 0:  # no plain end: the rest of the page
        return readable((html[:head] + html[element:]).decode("utf-8"))
    return readable((html[:head] + html[element:end] + b"</" + name + b"></body></html>").decode("utf-8"))


def readable(html: str) -> str:
    """Each <dt> of a page ended with a colon and each <th> with a full stop, for Pagefind's excerpts."""
    def end(match: re.Match) -> str:
        before = html[match.start() - 1] if match.start() else " "
        return match.group() if before in ":.?!" or before.isspace() else _ENDS[match[1]]

    return _LABEL_END.sub(end, html)


def _write_bundle(bundle: Path, files: list[dict]) -> None:
    """Write the files Pagefind made (paths relative to its bundle folder, contents in base64).

    Through the builder's one check of output names: a name that could leave the folder is refused.
    """
    data = {file["path"]: base64.b64decode(file["content"]) for file in files}
    bundle.mkdir(exist_ok=True)
    write_files(data, sorted(data), bundle)


# ---- a stable index ------------------------------------------------------------------
# Pagefind writes its filter indexes in hash-map order, which changes from run to run
# (Pagefind issue #638). To keep the promise that the same content gives byte-identical
# files, the filter files and the metadata that names them are rewritten in sorted
# order, with names made from their new contents.

SIGNATURE = b"pagefind_dcd"
FILTERS_AT = 3  # the metadata is [version, pages, index chunks, filters, sorts, meta fields]


def _cbor_decode(data: bytes, at: int = 0):
    """Decode one CBOR item (the subset Pagefind writes); return (value, next offset)."""
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if info < 24:
        arg = info
    else:
        size = 1 << (info - 24)  # 24: 1 byte, 25: 2, 26: 4, 27: 8
        arg = int.from_bytes(data[at:at + size], "big")
        at += size
    if major == 0:
        return arg, at
    if major == 2:
        return data[at:at + arg], at + arg
    if major == 3:
        return data[at:at + arg].decode("utf-8"), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unexpected CBOR major type {major} in the search index")


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("number too large")


def _cbor_encode(value) -> bytes:
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    value, _ = _cbor_decode(data, len(SIGNATURE))
    return value


def _write(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write a value as a Pagefind file named by its content; return the name's hash part."""
    data = gzip.compress(SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def stabilise_index(folder: Path) -> None:
    """Rewrite Pagefind's filter indexes and metadata in a fixed order."""
    bundle = folder / "pagefind"
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[FILTERS_AT]  # [[name, file hash], ...]
        if not all((bundle / "filter" / f"{h}.pf_filter").is_file() for _, h in filters):
            raise ValueError("the search index's metadata has an unexpected layout")
        renamed = []
        for name, file_hash in filters:
            path = bundle / "filter" / f"{file_hash}.pf_filter"
            filter_name, values = _read(path)
            values.sort(key=lambda item: item[0])
            path.unlink()
            renamed.append([name, _write(bundle / "filter", f"{language}_", ".pf_filter",
                                         [filter_name, values], 7)])
        meta[FILTERS_AT] = sorted(renamed)
        meta_path.unlink()
        info["hash"] = _write(bundle, f"{language}_", ".pf_meta", meta, 13)
        # The metadata file is named pagefind.<hash>.pf_meta.
        (bundle / f"{info['hash']}.pf_meta").rename(bundle / f"pagefind.{info['hash']}.pf_meta")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
