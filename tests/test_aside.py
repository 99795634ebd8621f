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
