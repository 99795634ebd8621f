"""Output safety: which folder a build may replace, where each output file may go, and the swap.

A build replaces its output folder whole, so it must never be given the project, its content,
templates or .git, nor a folder of someone else's files. Every tree the builder publishes
holds a marker file, by which a later build knows the folder as its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .problems import UsageError

# A dotfile, so Netlify leaves it out of a deploy (it publishes no dotfiles but .well-known).
LOCK_TEXT = b"site-builder's build lock: a build of the folder beside it is running, or was stopped.\n"
MARKER = ".site-builder"
MARKER_TEXT = (b"site-builder made this folder and replaces all of it on every build: keep no files of\n"
               b"your own here. This file tells it that the folder is its own to replace.\n")
MAX_NAME = 255  # bytes in one name: ext4, xfs, btrfs and tmpfs take no more


class UnsafeName(ValueError):
    """An output file name that could land outside the output folder, or that no file system takes."""


def _problem(rel: str) -> str:
    """Why an output file name is refused, or '' for a plain relative path."""
    if not isinstance(rel, str) or not rel:
        return "it is empty"
    if "\0" in rel or "\\" in rel:
        return "it holds a NUL character or a backslash"
    if rel.startswith("/"):
        return "it is absolute"
    wrapped = f"/{rel}/"
    if "//" in wrapped or "/./" in wrapped or "/../" in wrapped:
        return "it has an empty, '.' or '..' part"
    # A UTF-8 character takes at most 4 bytes: only a long name can have a part too long.
    if len(rel) > MAX_NAME // 4 and any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME
                                        for part in rel.split("/")):
        return f"a part of it is longer than {MAX_NAME} bytes"
    if wrapped.startswith(f"/{MARKER}/"):
        return "the name is the builder's own marker"
    return ""


def _shown(rel) -> str:
    text = repr(rel)
    return text if len(text) <= 80 else text[:77] + "..."


def output_file(root: str, rel: str) -> str:
    """The path of an output file under root; refuse any name that could leave root."""
    problem = _problem(rel)
    if problem:
        raise UnsafeName(f"the output file name {_shown(rel)} is refused: {problem}")
    return f"{root}/{rel}"


def check_names(names: Iterable[str]) -> None:
    """Refuse a set of output names with an unsafe one, or one that would be a file and a folder."""
    names = set(names)
    bad = [rel for rel in names if _problem(rel)]
    if bad:
        output_file("", min(bad, key=str))  # the first in order raises, so the message is always the same
    folders: set[str] = set()
    for rel in names:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    both = names & folders
    if both:
        raise UnsafeName(f"the output file name {_shown(min(both))} is refused: it would be both a file and a folder")


def _repository(folder: Path) -> Path | None:
    """The git repository around a folder, if any."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def check_out(out: Path, keep: Mapping[str, Path]) -> None:
    """Refuse (UsageError) an output folder that a build must not replace.

    keep names the folders a build must leave alone, such as {"the content folder": content}:
    the output may not be one, hold one or lie inside one; nor hold the git repository around
    them, lie inside any .git, or be a folder of files that the builder did not write.
    """
    check_place(out, keep, "build into", "--out")
    check_own(out.resolve(), str(out))


def check_place(out: Path, keep: Mapping[str, Path], doing: str, option: str) -> None:
    """Refuse (UsageError) a folder of the builder's that is, holds or lies inside one it must leave alone."""
    def refuse(why: str):
        raise UsageError(f"cannot {doing} '{out}': {why}; choose another {option}, such as a new folder")

    try:
        real = out.resolve()  # through symlinks: the checks are about where files would really go
    except RuntimeError:  # Python 3.11 says so of a symlink loop
        refuse("it is a loop of symbolic links")

    if ".git" in real.parts:
        refuse("it is inside a git repository's own folder (.git)")
    for label, folder in keep.items():
        place = folder.resolve()
        named = f"{label} {str(folder).rstrip('/')}/"  # 'content/', and '/' for the root, not '//'
        if real == place:
            refuse(f"it is {named}")
        if real in place.parents:
            refuse(f"it holds {named}")
        if place in real.parents:
            refuse(f"it is inside {named}")
        repository = _repository(place)
        if repository is not None and (real == repository or real in repository.parents):
            refuse(f"it holds the git repository {repository}")


def check_own(real: Path, shown: str) -> None:
    """Refuse (UsageError) a path that is a file, or a folder with files but no marker."""
    if not os.path.lexists(real):
        return
    if not real.is_dir():
        raise UsageError(f"cannot build into '{shown}': it is a file, not a folder")
    entries = os.listdir(real)
    if entries and not (real / MARKER).is_file():
        raise UsageError(f"cannot build into '{shown}': it holds files that site-builder did not write "
                         f"(it has no {MARKER} file); choose a new or empty folder, or move those files away")


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the build lock of an output folder: a lock file beside it, removed afterwards.

    The holder removes the file while it holds the lock; a build that was waiting then finds
    its lock on a removed file and takes the file now there, so two never hold it at once.
    """
    path = out.parent / f".{out.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held = os.fstat(fd)
            current = os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
            break
        os.close(fd)
    # The builder's lock file holds LOCK_TEXT, or nothing where a build was killed before writing it; a
    # file of that name holding anything else is someone's: it is left as it is, and the build stops.
    try:
        theirs = os.pread(fd, len(LOCK_TEXT) + 1, 0) not in (b"", LOCK_TEXT)
        if not theirs:
            os.pwrite(fd, LOCK_TEXT, 0)
    except BaseException:  # not a file (a FIFO): the build stops, saying it cannot write
        os.close(fd)
        raise
    if theirs:
        os.close(fd)
        raise UsageError(f"{path} is not the builder's lock file, and a build would remove it; move it away")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def temporary_prefix(out: Path) -> str:
    """The start of the name of a build's temporary tree beside out."""
    return f".{out.name}.new-"


def remove_tree(path: Path) -> None:
    """Remove a tree of the builder's, its marker last: a removal stopped part way (a build killed while
    it removes the tree it replaced) leaves a tree that the next build still knows for its own."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path / MARKER)
        path.rmdir()


def remove_leftovers(out: Path) -> None:
    """Remove the temporary trees of builds that were killed; only under the lock. A tree is one only
    if named as a build names it (mkdtemp's eight characters, a process id) and holding the marker, or
    nothing (a build killed before writing it): a folder of the user's named alike ('.output.old-backup',
    a copy of the output) is kept, and one that cannot be looked into is left alone."""
    name = re.compile(rf"{re.escape(temporary_prefix(out))}[a-z0-9_]{{8}}|{re.escape(f'.{out.name}.old-')}[0-9]+")
    for entry in os.scandir(out.parent):
        if name.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            path = Path(entry.path)
            with contextlib.suppress(OSError):
                if os.path.isfile(path / MARKER) and not os.path.islink(path / MARKER):
                    remove_tree(path)
                else:
                    path.rmdir()  # only if empty


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, or a C library without it
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; return False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # an old kernel, or a file system without it
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap(new: Path, out: Path) -> Path | None:
    """Put the tree at new in out's place; return where the old tree now is, if there was one.

    On Linux one renameat2(RENAME_EXCHANGE): out is at every moment the old tree or the new,
    a real folder (which Netlify's publish setting needs). Elsewhere two renames, under the
    lock: a build killed between them leaves no out, until the next build.
    """
    if not os.path.lexists(out):
        os.rename(new, out)
        return None
    if exchange(new, out):
        return new
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    return old
