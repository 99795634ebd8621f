"""Which files of the content folder are read, and how one is read without trusting it.

Only ordinary files inside content/ are content. A link is refused, wherever it points: a
link to a file outside the repository would publish it, and one to /dev/zero or a named
pipe would never end. So is a named pipe, a device, a socket, or a file larger than any
content file could be. Each is looked at with lstat, before it is opened, and checked
again on the open file (it may be swapped in between).

Files in the content folders that the builder does not read are reported, never passed
over in silence: a file that looks meant as content (a plan saved as .YAML, a folder
named like a plan, a name that cannot be an address) is an error; an editor's backup,
autosave or lock file, or any other stray file, a warning that `check` shows. Hidden
system files such as .DS_Store are passed over quietly: nobody writes them by hand.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
import unicodedata
from pathlib import Path

from .model import MAX_ID as MAX_NAME
from .problems import Pos, Problem, did_you_mean, printable

MAX_BYTES = 5_000_000  # the largest plan is about 40 kB; a file this big is a mistake (or /dev/zero)
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Names editors give the files they keep beside the one being edited: Emacs' lock (.#name, a
# link to nowhere), autosave (#name#) and backup (name~), Vim's swap files, JetBrains' safe writes.
EDITOR_FILES = (".#*", "#*#", "*~", ".*.sw?", "*___jb_tmp___", "*___jb_old___")
# Characters that no content may hold: they are invisible, break the XML feed and sitemap
# (C0 controls other than tab and line breaks, DEL, C1 controls, U+FFFE, U+FFFF, lone
# surrogates), end lines in YAML but not for editors (U+2028, U+2029), or reorder what a reader
# sees without showing themselves (the direction overrides and isolates, U+202A-202E, U+2066-2069).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                       "\ud800-\udfff\ufffe\uffff]")
FORBIDDEN_IN_VALUES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                                 "\ud800-\udfff\ufffe\uffff]")

MANIFEST = "published.txt"  # every address the site has published (addresses.py keeps it)


class Refused(OSError):
    """A content file that is not read: a link, a pipe, a device, too large."""

    def __init__(self, message: str, hint: str, expected: str = "an ordinary file in the content folder"):
        super().__init__(message)
        self.message, self.hint, self.expected = message, hint, expected


def display_path(path: Path) -> str:
    """Name a file as the user will recognise it (relative to where they ran the command)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def refusal(path: Path, st: os.stat_result) -> Refused | None:
    """Why a file that lstat describes is not read as content, or None when it may be."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return _link_refusal(path)
    if stat.S_ISDIR(mode):
        return Refused("the file cannot be read: it is a folder",
                       "Rename the folder: names ending .yaml or .md are for content files.")
    if not stat.S_ISREG(mode):
        what = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device")
        return Refused(f"the file cannot be read: it is {what}, not a file",
                       "Remove it, and save the content as an ordinary file.")
    if st.st_size > MAX_BYTES:
        return _too_large(st.st_size)
    return None


def _too_large(size: int) -> Refused:
    return Refused(f"the file is {size / 1e6:.1f} MB, more than the {MAX_BYTES // 1_000_000} MB a content file "
                   "may be", "Check that it is the right file: a plan is a few tens of kB.",
                   f"a file of at most {MAX_BYTES // 1_000_000} MB")


def _link_refusal(path: Path) -> Refused:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Refused("the file cannot be read: it is a link that leads round in a loop",
                           "Remove the link, and put the file itself here.")
        if isinstance(exc, FileNotFoundError):
            return Refused(f"the file cannot be read: it is a link to {printable(os.readlink(path))}, "
                           "which does not exist", "Point the link at an existing file, or remove it.",
                           "a file the builder can read")
    return Refused("the file is a link to another file, and content is read only from ordinary files",
                   "Put the file itself here instead of a link: a link could publish a file from outside "
                   "the content folder.")


def read_bytes(path: Path) -> bytes:
    """Read an ordinary file of at most MAX_BYTES, never following a link or waiting on a pipe.

    Raises Refused for anything else, or the OSError of a file that went away.
    """
    st = os.lstat(path)
    refused = refusal(path, st)
    if refused is not None:
        raise refused
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # it became a link since lstat
            raise _link_refusal(path) from None
        raise
    with os.fdopen(fd, "rb") as file:
        refused = refusal(path, os.fstat(fd))  # it may have been swapped for a pipe since lstat
        if refused is not None:
            raise refused
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # it grew since fstat
        raise _too_large(len(data))
    return data


def read_excerpt_text(file: str) -> str:
    """A file's text for quoting in a message: '' unless it is an ordinary content file."""
    try:
        return read_bytes(Path(file)).decode("utf-8", errors="replace")
    except OSError:
        return ""


# ---- characters ------------------------------------------------------------------------

def char_name(char: str) -> str:
    """Name a character as U+0007, with its Unicode name where it has one."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code


def forbidden_characters(text: str, rel: str, limit: int = 5) -> list[Problem]:
    """A problem at each line (up to `limit`) that holds a control or other forbidden character."""
    problems: list[Problem] = []
    line, counted, at = 1, 0, 0  # lines are counted on from the last problem's: 80,000 on one line took 1.5 s
    while len(problems) < limit and (match := FORBIDDEN.search(text, at)):
        at = match.start()
        line, counted = line + text.count("\n", counted, at), at
        problems.append(control_problem(Pos(rel, line, at - (text.rfind("\n", 0, at) + 1) + 1), "", match.group()))
        at = text.find("\n", at)  # the next line: one problem a line
        if at < 0:
            break
    return problems


def control_problem(pos: Pos, field: str, char: str, escaped: bool = False) -> Problem:
    """The problem of one forbidden character, said so that a comms officer can find and delete it."""
    how = " written as an escape" if escaped else ""
    return Problem(pos, field, f"the text holds an invisible control character ({char_name(char)}){how}",
                   "text without control characters",
                   "Delete it: such characters often come from copying out of a PDF or a word processor, "
                   "and they would break the site's feed." + (" Look for a backslash in the quoted text."
                                                             if escaped else ""))


# ---- which files a folder holds -----------------------------------------------------------

def is_editor_file(name: str) -> bool:
    """Is this the name of an editor's backup, autosave, swap or lock file?"""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in EDITOR_FILES)


def name_problem(path: Path, suffix: str) -> Problem | None:
    """A content file's name becomes part of a web address: say why it cannot, or None."""
    name, stem = path.name, path.name[: -len(suffix)]
    if NAME.fullmatch(stem) and len(stem) <= MAX_NAME:
        return None
    better = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:MAX_NAME].strip("-")
    hint = f"Rename it to {better}{suffix}." if better else f"Rename it, like example{suffix}."
    why = (f"it is {len(stem)} characters long" if NAME.fullmatch(stem) else
           "it starts with a dot" if stem.startswith(".") else "it holds characters other than these")
    return Problem(Pos(display_path(path), 1, 1), "",
                   f"the file name '{printable(name)}' cannot be a web address: {why}",
                   f"a file name of lower-case letters, digits and single hyphens (at most {MAX_NAME} "
                   f"characters) ending {suffix}", hint)


def _warning(path: Path, message: str, hint: str) -> Problem:
    return Problem(Pos(display_path(path), 1, 1), "", message, "", hint, level="warning")


def _error(path: Path, message: str, expected: str, hint: str) -> Problem:
    return Problem(Pos(display_path(path), 1, 1), "", message, expected, hint)


def list_folder(folder: Path, suffix: str, looks_like: tuple[str, ...]) -> tuple[list[Path], list[Problem]]:
    """The content files of one folder (plans/, pages/ ...) and a problem for every other entry.

    `suffix` is the ending content files have (.yaml); `looks_like` the endings, in any case,
    of names that were probably meant to be content files (.yaml, .yml).
    """
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return [], []  # a folder a site does not need (no pages yet)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        what = "a link" if stat.S_ISLNK(st.st_mode) else "not a folder"
        return [], [_error(folder, f"{folder.name}/ is {what}: its files are not read",
                           f"a folder {folder.name}/ in the content folder",
                           "Put the folder itself here: content is read only from ordinary files and folders "
                           "inside the content folder.")]
    files: list[Path] = []
    problems: list[Problem] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        return [], [_error(folder, f"the folder cannot be read: {exc.strerror or exc}", "a folder the builder can read",
                           "Check its permissions.")]
    for name in names:
        path = folder / name
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue  # removed since it was listed (an editor saving)
        problem = _judge(path, st, suffix, looks_like)
        if problem is None:
            files.append(path)
        elif problem is not _QUIET:
            problems.append(problem)
    return files, problems


_QUIET: Problem = Problem(Pos("", 0, 0), "", "")  # passed over without a word


def _judge(path: Path, st: os.stat_result, suffix: str, looks_like: tuple[str, ...]) -> Problem | None:
    """None for a content file to read; else its problem, or _QUIET."""
    name = path.name
    meant = name.lower().endswith(looks_like)
    if is_editor_file(name):
        return _warning(path, EDITOR_FILE, EDITOR_HINT + f" If it is meant as content, rename it to end in {suffix}.")
    if not meant:
        if name.startswith("."):
            return _QUIET  # hidden files of the system or of tools (.DS_Store, .gitkeep)
        if stat.S_ISDIR(st.st_mode):
            return _warning(path, "a sub-folder: the builder does not read files in sub-folders here",
                            f"Move any content files it holds up into {path.parent.name}/, or the folder out "
                            "of the content folder.")
        return _warning(path, f"not a content file: the builder leaves it out (content files here end in {suffix})",
                        "Move it out of the content folder, or rename it if it is meant as content.")
    refused = refusal(path, st)
    if refused is not None:
        return _error(path, refused.message, refused.expected, refused.hint)
    if not name.endswith(suffix):
        return _error(path, f"content files must end in {suffix}", f"a name ending {suffix}",
                      f"Rename it to {name[: name.rfind('.')]}{suffix}.")
    return name_problem(path, suffix)


EDITOR_FILE = "an editor's backup, autosave or lock file: the builder leaves it out"
EDITOR_HINT = ("Nothing to do: the editor removes its lock and autosave files itself; delete a backup file when "
               "you no longer need it.")


def stray_files(base: Path, known: set[str]) -> list[Problem]:
    """Warnings for files beside site.yaml that the builder does not read (a misspelt agencies.yaml)."""
    problems = []
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    for name in names:
        if name in known or (name.startswith(".") and not is_editor_file(name)):
            continue
        path = base / name
        if is_editor_file(name):
            problems.append(_warning(path, EDITOR_FILE, EDITOR_HINT))
            continue
        close = did_you_mean(name, sorted(known))
        problems.append(_warning(path, "the builder does not read this file",
                                 close or f"Files it reads here: {', '.join(sorted(known))}."))
    return problems


def decode_text(data: bytes, rel: str) -> tuple[str, list[Problem]]:
    """A file's text, reporting bytes that are not UTF-8 and control characters ('' for the first; for the
    second, the text with each made a space, so that the file's other mistakes can be found too)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [Problem(Pos(rel, line, 1), "", "the file is not UTF-8 text",
                            "a file saved as UTF-8", "Save the file with UTF-8 encoding.")]
    problems = forbidden_characters(text, rel)
    return (FORBIDDEN.sub(" ", text) if problems else text), problems


REMOVED = "the file cannot be read: it was removed while the site was being built"


def unreadable(rel: str, exc: OSError) -> Problem:
    """Why a listed file could not be read (refused, removed since, a folder, no permission), at its line 1."""
    expected = "a file the builder can read"
    if isinstance(exc, Refused):
        message, hint, expected = exc.message, exc.hint, exc.expected
    elif isinstance(exc, FileNotFoundError):
        message, hint = REMOVED, "If it should be there, save it again."
    elif isinstance(exc, IsADirectoryError):
        message = "the file cannot be read: it is a folder"
        hint = "Rename the folder: names ending .yaml or .md are for content files."
    else:
        message = f"the file cannot be read: {exc.strerror or exc}"
        hint = "Check that the file can be opened."
    return Problem(Pos(rel, 1, 1), "", message, expected, hint)
