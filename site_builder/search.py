"""Search: the search page (with an A to Z that needs no JavaScript) and the Pagefind index."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from .model import Initiative, Site
from .problems import ContentError, Pos, Problem
from .routes import Crumb, Page, all_initiatives, initiative_places, pfcc_filter, priority_filter, priority_ref


@dataclass(frozen=True, slots=True)
class SearchView:
    """The search page: filter choices, and the A to Z of initiatives."""

    years: tuple[str, ...]
    leads: tuple[str, ...]
    priorities: tuple[tuple[str, tuple[str, ...]], ...]  # per plan: its priorities' filter values
    pfcc: tuple[str, ...]
    types: tuple[str, ...]
    a_to_z: tuple[tuple[str, tuple[tuple[Initiative, str], ...]], ...]  # each with its place: "2021-22"


def _initial(ini: Initiative) -> str:
    first = ini.title.lstrip("‘'\"“(")[:1].upper()
    return first if first.isalpha() else "#"


def search_page(site: Site) -> Page:
    """The search page."""
    initiatives = sorted((i for plan in site.plans for i in all_initiatives(plan)),
                         key=lambda i: (_initial(i), i.title.casefold(), i.period))
    places = {plan.period: initiative_places(plan) for plan in site.plans}
    a_to_z = tuple((letter, tuple((i, places[i.period][i.id]) for i in group))
                   for letter, group in groupby(initiatives, key=_initial))
    leads = sorted({a.name for i in initiatives for a in i.lead}, key=str.casefold)
    priorities = tuple((plan.period, tuple(priority_filter(priority_ref(p)) for p in plan.priorities))
                       for plan in site.plans if plan.priorities)
    pfcc = tuple(pfcc_filter(p) for plan in site.pfcc_plans for p in plan.priorities)
    view = SearchView(tuple(p.period for p in site.plans), tuple(leads), priorities, pfcc,
                      ("Initiative", "Priority", "Programme", "Agency"), a_to_z)
    return Page("/search/", "search.html", "Search",
                "Search every plan's initiatives, priorities, programmes and agencies, or browse the A to Z.",
                (Crumb("Home", "/"),), view, "search")


def pagefind_executable() -> Path:
    """The Pagefind binary that the pagefind[bin] package installs."""
    from pagefind_bin import get_executable

    return get_executable()


def index_folder(folder: Path) -> None:
    """Run Pagefind over a built folder, writing its index into folder/pagefind/."""
    try:
        exe = pagefind_executable()
    except (ImportError, FileNotFoundError) as exc:
        raise ContentError([Problem(Pos("pyproject.toml", 1, 1), "", f"Pagefind is not installed ({exc})",
                                    "the pagefind[bin] package", "Run `make build` again to reinstall.")])
    result = subprocess.run([str(exe), "--site", str(folder), "--silent"], capture_output=True, text=True)
    if result.returncode != 0:
        raise ContentError([Problem(Pos(str(folder), 1, 1), "", "Pagefind could not index the site: "
                                    + (result.stderr or result.stdout).strip(), "a search index")])
    stabilise_index(folder)


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
    import gzip

    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    value, _ = _cbor_decode(data, len(SIGNATURE))
    return value


def _write(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write a value as a Pagefind file named by its content; return the name's hash part."""
    import gzip
    import hashlib

    data = gzip.compress(SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def stabilise_index(folder: Path) -> None:
    """Rewrite Pagefind's filter indexes and metadata in a fixed order."""
    import json

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
