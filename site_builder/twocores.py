"""Render a one-off build's pages on both cores: a forked copy of the builder renders some of them.

Rendering is most of a big build (10 s of 22 at 10,000 initiatives) and Python renders on one
core. A fork shares the loaded site with the copy at no cost, so the copy needs nothing sent but
the pages it makes. The pages are cut into runs of a few; each process takes the next run's number
from a pipe they share whenever it is free, so neither waits while work is left (pages differ in
cost, and the two processes share their cores with others). The copy pipes its pages back; the
builder hands every page on in order, so what is written is what one core would have written.
The builder has frozen its site out of garbage collections first (build.py): the collector writes
into every object it looks at, and each page of memory written in either process becomes two.
"""

from __future__ import annotations

import os
import struct
from typing import Callable, Sequence, TypeVar

from . import processes
from .processes import write_all

T = TypeVar("T")
_SIZE = struct.Struct("<q")  # a page's length; -1: the copy could not render the page (the builder says why)
_RUN = struct.Struct("<I")  # a run's number, in the pipe of runs and before the copy's pages of it
MOST_RUNS = 8192  # their numbers fill 32 KB: a pipe takes them all before either process reads one


def render_in_two(items: Sequence[tuple[str, T]], render: Callable[[T], bytes],
                  on_page: Callable[[str, bytes], None]) -> None:
    """on_page(name, render(item)) for every (name, item), in order, some rendered by a forked copy."""
    size = max(4, -(-len(items) // MOST_RUNS))
    runs = [items[start:start + size] for start in range(0, len(items), size)]
    copy = _fork(runs, render)
    if copy is None:
        for name, item in items:
            on_page(name, render(item))
        return
    process, numbers = copy
    try:
        _in_order(runs, render, on_page, process.stdout, numbers)
    finally:
        processes.stop(process)  # at once, if this process failed: nothing is left of the copy
        os.close(numbers)


def _in_order(runs: list, render: Callable, on_page: Callable, pages, numbers: int) -> None:
    """Give every run's pages in order: the builder's as it renders them, the copy's as they come."""
    for name, item in runs[0]:  # the first run is the builder's: it is given first
        on_page(name, render(item))
    taken = 1  # the runs numbered below this are taken, by one process or the other
    ahead: tuple[int, list] | None = None  # a run the builder rendered while the copy had the ones before it
    shared = True  # until the copy stops: then the builder renders the copy's runs itself
    for number, run in enumerate(runs[1:], start=1):
        if ahead is not None and ahead[0] == number:
            for name, data in ahead[1]:
                on_page(name, data)
            ahead = None
            continue
        if number >= taken:  # the builder takes the next run: this one, or a later one if the copy has this one
            head = os.read(numbers, _RUN.size)
            if len(head) < _RUN.size:  # none left: the copy has the rest
                taken = len(runs)
            elif (mine := _RUN.unpack(head)[0]) == number:
                taken = number + 1
                for name, item in run:
                    on_page(name, render(item))
                continue
            else:
                taken = mine + 1
                ahead = (mine, [(name, render(item)) for name, item in runs[mine]])
        # The copy's run. A page the copy could not render is rendered here, raising its error.
        if shared:
            head = pages.read(_RUN.size)
            shared = len(head) == _RUN.size and _RUN.unpack(head)[0] == number
        for name, item in run:
            data = _received(pages) if shared else None
            shared = shared and data is not None
            on_page(name, render(item) if data is None else data)


def _fork(runs: list, render: Callable[[T], bytes]):
    """Start the copy (processes.fork): it, and the pipe of runs' numbers it takes from. None where
    there is one run only, or where processes.fork makes no copy."""
    if len(runs) < 2:
        return None
    numbers, to_take = os.pipe()
    write_all(to_take, b"".join(_RUN.pack(number) for number in range(1, len(runs))))
    os.close(to_take)  # taking from an empty pipe then ends at once
    copy = processes.fork(lambda read, write: _copy(runs, render, numbers, write.fileno()))
    if copy is None:
        os.close(numbers)
        return None
    return copy, numbers


def _copy(runs: list, render: Callable[[T], bytes], numbers: int, pipe: int) -> None:
    """The forked copy: render each run it takes into the pipe (a page it cannot render ends it)."""
    while len(head := os.read(numbers, _RUN.size)) == _RUN.size:
        write_all(pipe, head)
        for _, item in runs[_RUN.unpack(head)[0]]:
            try:
                data = render(item)
            except Exception:  # the builder renders this page again itself, and reports what is wrong
                write_all(pipe, _SIZE.pack(-1))
                return
            write_all(pipe, _SIZE.pack(len(data)) + data)


def _received(pipe) -> bytes | None:
    """The copy's next page, or None where it stopped (it failed to render the page, or died)."""
    head = pipe.read(_SIZE.size)
    size = _SIZE.unpack(head)[0] if len(head) == _SIZE.size else -1
    data = pipe.read(size) if size >= 0 else b""
    return data if size >= 0 and len(data) == size else None
