"""Make a one-off build's pages on both cores: a forked copy of the builder makes some of them.

Making the pages (rendering each, and writing it) is most of a big build, and Python renders on one
core; making a file or a folder costs the kernel 0.03 to 1 ms on this project's machine. A fork
shares the loaded site with the copy at no cost, so the copy needs nothing sent, and it writes the
pages it renders itself: all it sends back is what the work returned for each page (the search
index's reading of it, a few KB, or nothing). The pages are cut into runs of a few; each process
takes the next run's number from a pipe they share whenever it is free, and neither ever waits for
the other, so both are busy while work is left (pages differ in cost, and the two processes share
their cores with others). The pages are made in no set order, which changes no file; what the work
returned is handed on in the pages' order (the search index numbers pages by address: given them in
order, it has nothing to renumber). What the copy leaves undone (it failed on a page, or died), the
builder does itself, meeting the error if there is one.
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
_DONE = struct.Struct("<I?")  # before what an item's work returned (a message): its number, and False where the copy failed on it
_RUN = struct.Struct("<I")  # a run's number, in the pipe of runs
MOST_RUNS = 8192  # their numbers fill 32 KB: a pipe takes them all before either process reads one


def make_in_two(items: Sequence[tuple[str, T]], work: Callable[[str, T], bytes],
                on_done: Callable[[str, bytes], None], meanwhile: Callable[[], None] = lambda: None) -> None:
    """on_done(name, work(name, item)) for every (name, item), in order: on_done in this process, work in
    this one or in a forked copy, in no set order. The first run's work is done here before any copy is made;
    meanwhile() is called here once the copy is at work, before this process takes runs of its own."""
    size = max(4, -(-len(items) // MOST_RUNS))
    runs = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    given = _InOrder(items, on_done)

    def do(number: int) -> None:
        given(number, work(*items[number]))

    for number in runs[0] if runs else ():
        do(number)
    copy = _fork(items, runs, work)
    if copy is None:
        meanwhile()
        for number in range(runs[0].stop if runs else 0, len(items)):
            do(number)
        return
    process, numbers = copy
    try:
        meanwhile()
        returned = processes.Messages(process.stdout.fileno())
        while len(head := os.read(numbers, _RUN.size)) == _RUN.size:
            for number in runs[_RUN.unpack(head)[0]]:
                do(number)
            _take(returned.take(), given, do)
        while not returned.ended:
            _take(returned.take(wait=True), given, do)
        for number in range(len(items)):  # what the copy took and left undone: it died
            if not given.has(number):
                do(number)
    finally:
        processes.stop(process)  # at once, if this process failed: nothing is left of the copy
        os.close(numbers)


class _InOrder:
    """Gives on_done each item's result in the items' order, as soon as every item before it has its own.

    The two processes take runs in order from the same pipe, so few results wait: those of the runs
    this process did while the copy was still on an earlier one."""

    def __init__(self, items: Sequence[tuple[str, T]], on_done: Callable[[str, bytes], None]):
        self.items, self.on_done = items, on_done
        self.waiting: dict[int, bytes] = {}
        self.next = 0  # the number of the next item to give

    def __call__(self, number: int, data: bytes) -> None:
        self.waiting[number] = data
        while self.next in self.waiting:
            self.on_done(self.items[self.next][0], self.waiting.pop(self.next))
            self.next += 1

    def has(self, number: int) -> bool:
        """Whether the item's result came (given on, or waiting for those before it)."""
        return number < self.next or number in self.waiting


def _take(returned: list[bytes], given: _InOrder, do: Callable[[int], None]) -> None:
    """Give what the copy returned; an item the copy failed on is done here, raising its error."""
    for reply in returned:
        number, done = _DONE.unpack_from(reply)
        if done:
            given(number, reply[_DONE.size:])
        else:
            do(number)


def _fork(items: Sequence, runs: list[range], work: Callable):
    """Start the copy (processes.fork): it, and the pipe of runs' numbers it takes from. None where
    there is no run left after the first, or where processes.fork makes no copy."""
    if len(runs) < 2:
        return None
    numbers, to_take = os.pipe()
    write_all(to_take, b"".join(_RUN.pack(number) for number in range(1, len(runs))))
    os.close(to_take)  # taking from an empty pipe then ends at once
    copy = processes.fork(lambda read, write: _copy(items, runs, work, numbers, write.fileno()))
    if copy is None:
        os.close(numbers)
        return None
    return copy, numbers


def _copy(items: Sequence, runs: list[range], work: Callable, numbers: int, pipe: int) -> None:
    """The forked copy: do each run it takes, returning each item's result (an item it fails on ends it).

    What the pipe has no room for waits here while the copy goes on: the builder reads the pipe between its
    own runs, and not while it does other work (make_in_two's meanwhile: a build's open data, 4 s at 100,000
    initiatives, in which a 1 MB pipe fills with the search index's readings of 200 pages). If the builder
    dies, the next result meets a closed pipe, and the copy ends with it."""
    waiting = _Waiting(pipe)
    try:
        while len(head := os.read(numbers, _RUN.size)) == _RUN.size:
            for number in runs[_RUN.unpack(head)[0]]:
                try:
                    data = work(*items[number])
                except Exception:  # the builder does this item again itself, and reports what is wrong
                    waiting.send(processes.message(_DONE.pack(number, False)))
                    return
                waiting.send(processes.message(_DONE.pack(number, True) + data))
    finally:
        waiting.flush()


class _Waiting:
    """Messages for a pipe, each written as far as the pipe has room now; the rest kept, in order, till then."""

    def __init__(self, pipe: int):
        self.pipe = pipe
        self.kept = bytearray()
        os.set_blocking(pipe, False)

    def send(self, message: bytes) -> None:
        self.kept += message
        try:
            del self.kept[:os.write(self.pipe, self.kept)]
        except BlockingIOError:  # full: kept for the next send, or the flush
            pass

    def flush(self) -> None:
        """Write all that is kept, waiting for room."""
        os.set_blocking(self.pipe, True)
        write_all(self.pipe, self.kept)
        self.kept.clear()
