"""`site-builder` commands, each in a process of its own, forked from one that has imported the builder.

A build run as `make build` runs it pays Python's start and the builder's imports first: about
half a second here, most of such a test's time when it builds the small fixture site again and
again. `run` starts each command as a new process all the same, with its own memory, working
directory, environment and exit code, so what one run keeps in memory never reaches another and
what it stores on disk is read back by the next, as between two `make build`s; but it forks it
from a server process (multiprocessing's forkserver) that has imported the builder's modules
and run nothing. The command runs as the console script runs it (`sys.exit(main(argv))`), with
its output caught in files; a run past the timeout is killed and raises TimeoutExpired, as
subprocess.run does.

A test of what starting the program involves (the copy of the package that runs, the console
script, its environment at start) still runs the real command.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import tempfile
from pathlib import Path

FORKS = multiprocessing.get_context("forkserver")
# Modules imported once by the server, before any fork. tests/test_output_safety.py forks its fault-injected
# builds from the same server (one per test process), so its module is loaded here too.
FORKS.set_forkserver_preload(["site_builder.cli", "site_builder.build", "site_builder.write", "site_builder.serve",
                              "site_builder.check", "site_builder.diskcache", "forked", "test_output_safety"])


def _command(argv: list[str], cwd: str | None, env: dict[str, str], stdout: str, stderr: str) -> None:
    """In the forked process: the environment, working directory and output files, then the command."""
    import sys
    import traceback

    os.environ.clear()
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        from site_builder.cli import main

        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - as the interpreter would: the traceback, exit 1
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run(argv: list[str], cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `site-builder *argv` in a new forked process; its exit code and output, as subprocess.run gives them.

    env is the whole environment (default: this process's, as it is now); output is text.
    """
    with tempfile.TemporaryDirectory(prefix="forked-") as folder:
        stdout, stderr = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
        process = FORKS.Process(target=_command, args=(list(argv), None if cwd is None else os.fspath(cwd),
                                                       dict(os.environ if env is None else env), stdout, stderr))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(["site-builder", *argv], timeout)
        read = lambda path: Path(path).read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return subprocess.CompletedProcess(["site-builder", *argv], process.exitcode, read(stdout), read(stderr))
