"""The builder's own helper processes: a module of this package run by a new Python, fed through a pipe."""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys

F_SETPIPE_SZ = 1031  # Linux's fcntl for a pipe's size


def command(module: str, *args: str) -> list[str]:
    """`python -P -m site_builder.<module> ARGS`: -P, because Python would otherwise look for the
    module in the working folder first, and run any site_builder/ found there."""
    return [sys.executable, "-P", "-m", f"site_builder.{module}", *args]


def write_all(fd: int, data: bytes) -> None:
    """Write all the bytes to a file or pipe (os.write may take only some of them at a time)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def start(module: str, *args: str, stdout=None) -> subprocess.Popen:
    """Run a module of this package (`command`) with a 1 MB pipe to its input.

    The large pipe lets the builder give it a dozen pages or files before it waits for them to
    be taken.
    """
    process = subprocess.Popen(command(module, *args), stdin=subprocess.PIPE, stdout=stdout,
                               stderr=subprocess.PIPE)
    with contextlib.suppress(OSError):  # not Linux, or a system that refuses: the default pipe
        fcntl.fcntl(process.stdin.fileno(), F_SETPIPE_SZ, 1 << 20)
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop a helper at once (if it has not ended) and close its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
