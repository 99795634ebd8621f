"""Keep the preview's terminal to plain lines: no Python traceback, whatever happens.

A browser tab that closes while the preview talks to it is normal, and says nothing. Anything
else unexpected (in tornado, livereload, asyncio or a background thread) is one line.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time

from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError

# A connection the other side closed: a tab closed or reloaded, not a fault.
CLOSED = (WebSocketClosedError, StreamClosedError, ConnectionError)


def one_line(exc: BaseException) -> str:
    """An exception in words, on one line, without a traceback."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def say(text: str, stream=None) -> None:
    """Print one stamped line."""
    print(f"{time.strftime('%H:%M:%S')} {text}", file=stream or sys.stderr, flush=True)


class _PlainFormatter(logging.Formatter):
    """The first line of the message, and the exception in words instead of its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().splitlines()
        text = lines[0] if lines else record.levelname.lower()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({one_line(record.exc_info[1])})"
        return f"{time.strftime('%H:%M:%S')} {text}"


class _DropClosed(logging.Filter):
    """Say nothing about connections a browser closed, nor about requests refused (4xx).

    A refused request (an odd path, another site's Host) is the asker's business: the access
    log is off too, so a 404 says nothing either.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], CLOSED):
            return False
        refused = (record.msg == "%d %s: %s" and isinstance(record.args, tuple) and record.args
                   and isinstance(record.args[0], int) and 400 <= record.args[0] < 500)
        return not refused


def _on_loop_exception(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    exc = context.get("exception")
    if isinstance(exc, CLOSED):
        return
    message = str(context.get("message") or "an error in the web server").splitlines()[0]
    say(message + (f" ({one_line(exc)})" if exc is not None else ""))


def _on_thread_exception(args) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "a background thread"
    say(f"The preview's {name} thread stopped ({one_line(args.exc_value)}). Restart `make serve` if "
        "saves are no longer noticed.")


def _on_uncaught(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        return
    say(f"The preview stopped ({one_line(exc)}).")


def quiet_terminal(loop: asyncio.AbstractEventLoop) -> None:
    """Route everything the server, its libraries and its threads might print through one-line messages."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PlainFormatter())
    handler.addFilter(_DropClosed())
    for name in ("tornado", "livereload", "asyncio"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
    logging.getLogger("livereload").setLevel(logging.WARNING)
    # The error page is served with status 500 on purpose; a log line per request is noise.
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    loop.set_exception_handler(_on_loop_exception)
    threading.excepthook = _on_thread_exception
    sys.excepthook = _on_uncaught
