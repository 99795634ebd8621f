"""Work done in a forked copy meanwhile (processes.aside): its result, or None and the caller does it."""

from __future__ import annotations

import os

from site_builder import processes


def test_the_work_is_done_in_a_copy_and_its_result_given(forks):
    with processes.aside(lambda: {"pid": str(os.getpid()).encode(), "big": b"x" * (8 << 20), "é/": b""}) as result:
        done = result()
    assert done == {"pid": done["pid"], "big": b"x" * (8 << 20), "é/": b""} and len(forks) == 1
    assert int(done["pid"]) != os.getpid()


def test_work_that_fails_gives_none(forks):
    with processes.aside(lambda: 1 / 0) as failed, processes.aside(lambda: {"a": "not bytes"}) as odd:
        assert (failed(), odd()) == (None, None)


def test_without_a_fork_the_result_is_none(monkeypatch):
    monkeypatch.setattr(processes, "fork", lambda target: None)
    with processes.aside(lambda: {}) as result:
        assert result() is None


def test_a_copy_still_working_when_the_block_ends_is_stopped(forks):
    with processes.aside(lambda: __import__("time").sleep(60)):
        pass
    with __import__("pytest").raises(ChildProcessError):  # stopped and waited for: no zombie
        os.waitpid(forks[0], 0)


def test_a_copy_ends_when_the_builder_is_killed(tmp_path):
    """A build killed at once (SIGKILL: no clean-up runs) leaves no copy working on for nothing: the kernel
    ends each copy with its builder. The builder here is a Python of its own, whose copy would sleep a
    minute; it writes the copy's process id, then is killed."""
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "copy.pid"
    builder = subprocess.Popen([sys.executable, "-c", f"""
import os, time
from site_builder import processes
def work():
    open({str(pid_file)!r}, "w").write(str(os.getpid()))
    time.sleep(60)
    return {{}}
with processes.aside(work) as result:
    time.sleep(60)
"""])
    try:
        for _ in range(200):
            if pid_file.exists() and pid_file.read_text():
                break
            time.sleep(0.05)
        copy = int(pid_file.read_text())
        os.kill(builder.pid, signal.SIGKILL)
        builder.wait()
        for _ in range(40):  # its end is the kernel's to deliver: a moment, not a minute
            try:  # ended: gone, or a zombie left for the system to reap
                if open(f"/proc/{copy}/stat").read().rsplit(")", 1)[1].split()[0] in "ZX":
                    break
            except FileNotFoundError:
                break
            time.sleep(0.05)
        else:
            os.kill(copy, signal.SIGKILL)
            raise AssertionError("the copy worked on after its builder was killed")
    finally:
        builder.kill()
