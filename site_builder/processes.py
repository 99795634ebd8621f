"""The builder's own helper processes, fed through a pipe: a forked copy of the builder running a function,
or a module of this package run by a new Python."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from typing import BinaryIO, Callable, Iterator

F_SETPIPE_SZ = 1031  # Linux's fcntls to set a pipe's size, and to read it
F_GETPIPE_SZ = 1032


def command(module: str, *args: str) -> list[str]:
    """`python -P -m site_builder.<module> ARGS`: -P, because Python would otherwise look for the
    module in the working folder first, and run any site_builder/ found there."""
    return [sys.executable, "-P", "-m", f"site_builder.{module}", *args]


# Linux fills a pipe a page at a time: a write's bytes go into new pages but for a last part that fits in
# the page the last write left part full (F_GETPIPE_SZ / page size pages in all).
PAGE = os.sysconf("SC_PAGE_SIZE") if "SC_PAGE_SIZE" in os.sysconf_names else 4096


def pipe_pages(size: int) -> int:
    """The most pages a write of so many bytes takes in a pipe."""
    return size // PAGE + 1


def pipe_size(pipe) -> int:
    """How many bytes a pipe holds (start and fork make them 1 MB), or the smallest any system gives."""
    try:
        return fcntl.fcntl(pipe.fileno(), F_GETPIPE_SZ)
    except (OSError, AttributeError, ValueError):
        return 4096


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


_LENGTH = struct.Struct("<I")  # a message's length, before its bytes


def message(data: bytes) -> bytes:
    """One message for a helper to send through a pipe, which Messages reads whole: its length, then its bytes."""
    return _LENGTH.pack(len(data)) + data


class Messages:
    """The messages (see message()) a helper sends through a pipe, each taken whole, as they come."""

    def __init__(self, pipe: int):
        self.pipe = pipe
        self.ended = False  # the pipe is closed: the helper finished, or stopped
        self._came = bytearray()  # read, but not yet a whole message
        os.set_blocking(pipe, False)

    def take(self, wait: bool = False) -> list[bytes]:
        """The messages that have come whole; with wait, at least one, unless the pipe ends first."""
        while True:
            try:
                while piece := os.read(self.pipe, 1 << 20):
                    self._came += piece
                self.ended = True
            except BlockingIOError:  # nothing more for now
                pass
            found, start, came = [], 0, self._came
            while len(came) - start >= _LENGTH.size and (end := start + _LENGTH.size +
                                                          _LENGTH.unpack_from(came, start)[0]) <= len(came):
                found.append(bytes(came[start + _LENGTH.size:end]))
                start = end
            del came[:start]
            if found or not wait or self.ended:
                return found
            select.select([self.pipe], [], [])


class Forked:
    """A forked copy of the builder: the part of subprocess.Popen that stop() and the helpers use."""

    def __init__(self, pid: int, stdin: BinaryIO, stdout: BinaryIO):
        self.pid, self.stdin, self.stdout, self.stderr = pid, stdin, stdout, None
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def fork(target: Callable[[BinaryIO, BinaryIO], None]) -> Forked | None:
    """Run target(input, output) in a forked copy of the builder, with 1 MB pipes to and from it.

    The copy has every module the builder imported, where a new Python (start) takes a fifth of
    a second to import them. None where there is no fork (Windows), where other threads run (a
    fork copies the locks they hold, and the copy could wait on one for ever), or where the
    system refuses one: start() does the work then.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    to_copy, from_copy = os.pipe(), os.pipe()
    with contextlib.suppress(OSError):  # a dozen pages or files ahead before either side waits
        fcntl.fcntl(to_copy[1], F_SETPIPE_SZ, 1 << 20)
        fcntl.fcntl(from_copy[1], F_SETPIPE_SZ, 1 << 20)
    builder = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        for end in (*to_copy, *from_copy):
            os.close(end)
        return None
    if pid == 0:  # the copy: never returns, and none of the builder's exits run
        code = 1
        try:
            _end_with(builder)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the builder stops the copy
            os.close(to_copy[1])
            os.close(from_copy[0])
            target(open(to_copy[0], "rb"), open(from_copy[1], "wb"))
            code = 0
        finally:
            os._exit(code)
    os.close(to_copy[0])
    os.close(from_copy[1])
    return Forked(pid, open(to_copy[1], "wb"), open(from_copy[0], "rb"))


PR_SET_PDEATHSIG = 1  # Linux's prctl: a signal for this process when its parent ends


def _end_with(builder: int) -> None:
    """Have the kernel kill this copy when the builder ends, however it ends (SIGKILL runs no clean-up): a
    copy compiling templates or making the open data would otherwise work on, for nothing, and a copy
    making pages would write into the folder the next build clears. Elsewhere than Linux the copy ends at
    its next write into the builder's closed pipe, or when its work is done."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl here
        return
    if os.getppid() != builder:  # the builder ended before the kernel was asked
        os._exit(1)


_ITEM = struct.Struct("<II")  # aside's result file: each name's length and its data's, then both


@contextlib.contextmanager
def aside(work: Callable[[], dict[str, bytes]]) -> Iterator[Callable[[], dict[str, bytes] | None]]:
    """Do work() in a forked copy meanwhile; the block gets a function that waits for its result.

    The result, bytes by name, comes through an unnamed temporary file, an item at a time: the copy
    leaves as soon as it is done, and nothing big is copied whole. It is None where the copy failed
    or could not be made: the caller then does the work itself (and meets its error, if any).
    """
    with tempfile.TemporaryFile() as file:
        def work_into_file(read, write) -> None:
            for name, data in work().items():
                key = name.encode()
                file.write(_ITEM.pack(len(key), len(data)) + key)
                file.write(data)
            file.flush()  # the copy leaves without Python's exit, which would flush it

        copy = fork(work_into_file)

        def result() -> dict[str, bytes] | None:
            if copy is None or copy.wait() != 0:
                return None
            file.seek(0)
            found = {}
            while head := file.read(_ITEM.size):
                key_size, size = _ITEM.unpack(head)
                name = file.read(key_size).decode()
                found[name] = file.read(size)
            return found

        try:
            yield result
        finally:
            if copy is not None:
                stop(copy)


def stop(process: subprocess.Popen | Forked) -> None:
    """Stop a helper at once (if it has not ended) and close its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
