"""Render a one-off build's pages on both cores: a forked copy of the builder renders every other page.

Rendering is most of a big build (10 s of 22 at 10,000 initiatives) and Python renders on one
core. A fork shares the loaded site with the copy at no cost, so the copy needs nothing sent but
the pages it makes: it renders the odd pages and pipes them back; the builder renders the even
ones and hands all of them on in order, so what is written is what one core would have written.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import signal
import struct
import threading
from typing import Callable, Sequence, TypeVar

from .processes import F_SETPIPE_SZ, write_all

T = TypeVar("T")
_SIZE = struct.Struct("<q")  # a page's length; -1: the copy could not render the page (the builder says why)


def render_in_two(items: Sequence[tuple[str, T]], render: Callable[[T], bytes],
                  on_page: Callable[[str, bytes], None]) -> None:
    """on_page(name, render(item)) for every (name, item), in order, the odd ones rendered by a forked copy."""
    copy = _fork(items[1::2], render)
    try:
        shared = copy is not None  # until the copy stops: then the builder renders the rest itself
        for number, (name, item) in enumerate(items):
            data = _received(copy[1]) if number % 2 and shared else None
            shared = shared and (data is not None or number % 2 == 0)
            # A page the copy could not render is rendered here, raising its error.
            on_page(name, render(item) if data is None else data)
    except BaseException:
        if copy is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(copy[0], signal.SIGKILL)
        raise
    finally:
        if copy is not None:
            copy[1].close()
            os.waitpid(copy[0], 0)
            gc.unfreeze()


def _fork(items: Sequence[tuple[str, T]], render: Callable[[T], bytes]):
    """Start the copy rendering the items: its process id and the pipe its pages come through.

    None where there is no fork (Windows), where other threads run (a fork copies the locks they
    hold, and the copy could wait on one for ever), or where the system refuses one.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError):  # a dozen pages ahead before the copy waits
        fcntl.fcntl(write_end, F_SETPIPE_SZ, 1 << 20)
    # The collector writes into every object it looks at: a page of memory written by either process
    # becomes two. The site lives to the end anyway, so it is left out of collections until then.
    gc.freeze()
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the copy: never returns
        os.close(read_end)
        _copy(items, render, write_end)
    os.close(write_end)
    return pid, open(read_end, "rb")


def _copy(items: Sequence[tuple[str, T]], render: Callable[[T], bytes], pipe: int) -> None:
    """The forked copy: render each item into the pipe, then leave at once (none of the builder's exits run)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the builder stops the copy
        for _, item in items:
            try:
                data = render(item)
            except Exception:  # the builder renders this page again itself, and reports what is wrong
                write_all(pipe, _SIZE.pack(-1))
                break
            write_all(pipe, _SIZE.pack(len(data)) + data)
        code = 0
    finally:
        os._exit(code)


def _received(pipe) -> bytes | None:
    """The copy's next page, or None where it stopped (it failed to render the page, or died)."""
    head = pipe.read(_SIZE.size)
    size = _SIZE.unpack(head)[0] if len(head) == _SIZE.size else -1
    data = pipe.read(size) if size >= 0 else b""
    return data if size >= 0 and len(data) == size else None

