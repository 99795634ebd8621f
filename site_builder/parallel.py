"""Render many pages on two processes at once, where the system allows it."""

from __future__ import annotations

import os
import pickle
import threading

from .problems import ContentError
from .render import Globals, Renderer
from .routes import Page

# Below this many pages a second process costs more than it saves.
PARALLEL_FROM = 400


def render_pages(renderer: Renderer, pages: list[Page], g: Globals) -> dict[str, bytes]:
    """Render pages; a large batch is split with a forked child process."""
    if len(pages) < PARALLEL_FROM or not can_fork():
        return {page.url: renderer.render(page, g) for page in pages}
    # Compile every template before forking, so that neither process compiles twice.
    for name in sorted({page.template for page in pages}):
        renderer.env.get_template(name)
    mine, theirs = pages[0::2], pages[1::2]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child renders its half and sends it back through the pipe
        os.close(read_end)
        try:
            result = ("ok", [(p.url, renderer.render(p, g)) for p in theirs])
        except ContentError as exc:
            result = ("error", exc.problems)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            result = ("crash", repr(exc))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os._exit(0)
    os.close(write_end)
    try:
        html = {page.url: renderer.render(page, g) for page in mine}
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
    kind, value = pickle.loads(data) if data else ("crash", "the second process ended without a result")
    if kind == "error":
        raise ContentError(value)
    if kind == "crash":
        raise RuntimeError(f"rendering in the second process failed: {value}")
    html.update(value)
    return html  # the caller puts them in the pages' order


def can_fork() -> bool:
    """Fork only on a system that has it, with two cores, and with no other threads running."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
