"""Keep slow results that depend only on their input between runs, in .cache/site-builder/.

Rendered Markdown (keyed by its text) and personal-data findings (keyed by a file's sha256
and the allow-lists) are stored as JSON, data that cannot run code, and compiled templates
as Jinja's bytecode, which is code by design. Every file is signed with a key that this
user keeps outside the project (~/.cache/site-builder/key, made on first use, or the host's secret in
SITE_BUILDER_CACHE_KEY, which Netlify's production builds share): a cache made
elsewhere or planted (say, committed to a branch) is ignored unread, since its findings
could wave personal data through and its bytecode would run. The store is keyed by the code
that made it: every file of this package and the versions of the libraries it runs on. A
missing, stale, damaged or foreign cache is ignored: it can make a build quicker, never
different.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import markdown, privacy
from .problems import Pos, Problem

RESULTS = "results.signed"
FORMAT = 1
SIGNED = b"site-builder signed 1\n"  # then the HMAC-SHA256 of the role and the payload, then the payload
MAX_RESULTS = 256 << 20  # far above any real site's results: a larger file is not read
MAX_TEMPLATE = 16 << 20
PACKAGE = Path(__file__).resolve().parent
# The libraries whose behaviour the stored values depend on.
LIBRARIES = ("markdown-it-py", "mdurl", "jinja2", "markupsafe", "pyyaml")
KEY_BYTES = 32
# A host's secret key (64 hex digits), set for production builds only (README, Publishing): deploy previews
# build a pull request's code, and what they write is then signed with another key and never read.
KEY_VARIABLE = "SITE_BUILDER_CACHE_KEY"
# The cache folder says it is one (https://bford.info/cachedir/), so that the builder only ever
# writes into, or removes from, a folder that is its own: never one a user pointed it at by mistake.
TAG = "CACHEDIR.TAG"
TAG_TEXT = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
            b"# site-builder's cache: rendered Markdown, personal-data findings, compiled templates.\n"
            b"# Remove it whenever you like: the next build is only slower.\n")
# What the cache itself writes (older versions too): a folder of nothing else is also its own. Its
# compiled templates' folders are its own only while they hold nothing but its signed files: a folder
# of the user's of the same name ('templates', a theme's) is never taken for one, nor removed.
OWN_NAMES = re.compile(r"^(?:results\.(?:signed|pickle)(?:\..+)?|CACHEDIR\.TAG)$")
TEMPLATES_NAME = re.compile(r"^templates-[0-9a-f]{16}$")
TEMPLATE_FILE = re.compile(r"[0-9a-f]{40}\.cache")  # a compiled template, by its bucket's key (Jinja's SHA-1)
TEMPLATE_TEMPORARY = re.compile(rf"{TEMPLATE_FILE.pattern}\.[a-z0-9_]{{8}}")  # write_signed's, left by a stopped write


# ---- what made the values ---------------------------------------------------------------

def code_files(package: Path = PACKAGE) -> list[Path]:
    """Every file of the package but Python's compiled copies, in a fixed order."""
    return sorted((p for p in Path(package).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"),
                  key=lambda p: p.relative_to(package).as_posix())


def code_version(package: Path = PACKAGE) -> str:
    """A digest of the package's files and of the versions of Python and the libraries it uses."""
    from importlib import metadata

    digest = hashlib.sha256(f"{FORMAT}|{sys.version}|{sys.implementation.cache_tag}\n".encode())
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "missing"
        digest.update(f"{library} {version}\n".encode())
    for path in code_files(package):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(package).as_posix()} {len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def _this_code() -> str:
    return code_version(PACKAGE)


# ---- signed files -----------------------------------------------------------------------

def machine_key() -> bytes | None:
    """The key that signs cache files: the host's secret where it is set, so that a build on a fresh machine
    (every Netlify build) reads the last one's cache; else this user's, made on first use; None if it cannot
    be had (or the secret is not 64 hex digits)."""
    secret = os.environ.get(KEY_VARIABLE)
    if secret is not None:
        try:
            key = bytes.fromhex(secret.strip())
        except ValueError:
            return None
        return key if len(key) == KEY_BYTES else None
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return _key_at(Path(home) / "site-builder" / "key")


@functools.lru_cache(maxsize=4)
def _key_at(path: Path) -> bytes | None:
    try:
        key = _read_regular(path, KEY_BYTES)
        if key is None or len(key) != KEY_BYTES:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".key.", dir=path.parent)  # private to this user
            try:
                os.write(fd, secrets.token_bytes(KEY_BYTES))
                os.close(fd)
                if key is None and not os.path.lexists(path):
                    try:
                        os.link(tmp, path)  # never replaces a key another build made meanwhile
                    except FileExistsError:
                        pass
                else:
                    os.replace(tmp, path)  # a damaged key: the cache it signed is lost, nothing else
            finally:
                if os.path.lexists(tmp):
                    os.unlink(tmp)
            key = _read_regular(path, KEY_BYTES)
    except (OSError, RuntimeError):  # no home folder, a read-only one, ...
        return None
    return key if key is not None and len(key) == KEY_BYTES else None


def _read_regular(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes, or None for a missing, larger or special one (a FIFO, a device)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not keep the build waiting
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        data = file.read(limit + 1)
    return data if len(data) <= limit else None


def _mac(key: bytes, role: str, payload: bytes) -> bytes:
    return hmac.new(key, role.encode() + b"\0" + payload, hashlib.sha256).digest()


def read_signed(path: Path, role: str, limit: int = MAX_RESULTS) -> bytes | None:
    """The payload of a file this user's key signed for this role, or None for any other file."""
    key = machine_key()
    try:
        data = _read_regular(path, limit) if key is not None else None
    except OSError:
        return None
    if data is None or not data.startswith(SIGNED):
        return None
    mac, payload = data[len(SIGNED):len(SIGNED) + 32], data[len(SIGNED) + 32:]
    return payload if hmac.compare_digest(mac, _mac(key, role, payload)) else None


def write_signed(path: Path, role: str, payload: bytes) -> None:
    """Sign and write a file atomically; a cache that cannot be written is only slower."""
    key = machine_key()
    if key is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(SIGNED + _mac(key, role, payload) + payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only checkout still builds, only without the head start


# ---- the results, as JSON ---------------------------------------------------------------

def _fields(value, *types) -> list:
    """value as a list of exactly these types (a bool is not an int), or ValueError."""
    if not isinstance(value, list) or len(value) != len(types):
        raise ValueError("unexpected shape")
    for item, kind in zip(value, types):
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise ValueError("unexpected type")
    return value


def _list(value) -> list:
    if not isinstance(value, list):
        raise ValueError("unexpected shape")
    return value


def _encode() -> bytes:
    md = [[source, level, str(done.html), done.text, [[f.line, f.message, f.expected, f.hint] for f in findings]]
          for (source, level), (done, findings) in markdown.memo.used.items()]
    found = [[digest.hex(), file, allowed,
              [[p.pos.file, p.pos.line, p.pos.col, p.field, p.message, p.expected, p.hint, p.level] for p in problems]]
             for (digest, file, allowed), problems in privacy.memo.used.items()]
    data = {"format": FORMAT, "version": _this_code(), "markdown": md, "privacy": found}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode(payload: bytes) -> tuple[dict, dict]:
    """The stored results, checked field by field; ValueError for anything unexpected."""
    data = json.loads(payload)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != _this_code():
        raise ValueError("another format or version")
    md = {}
    for entry in _list(data.get("markdown")):
        source, level, html, text, findings = _fields(entry, str, int, str, str, list)
        md[(source, level)] = (markdown.Markdown(source, Markup(html), text),
                               tuple(markdown.Finding(*_fields(f, int, str, str, str)) for f in findings))
    found = {}
    for entry in _list(data.get("privacy")):
        digest, file, allowed, problems = _fields(entry, str, str, str, list)
        found[(bytes.fromhex(digest), file, allowed)] = tuple(
            Problem(Pos(*p[:3]), *p[3:])
            for p in (_fields(p, str, int, int, str, str, str, str, str) for p in problems))
    return md, found


def own_folder(folder: Path) -> Path | None:
    """The folder, if it is the cache's own (tagged by it, not there yet, or holding only its files), else None."""
    try:
        if folder.is_symlink():  # a link (planted, say) would lead the cache's writes elsewhere
            return None
        if not folder.exists():
            return folder
        if folder.is_dir():
            names = os.listdir(folder)
            if _tagged_by_us(folder / TAG) or all(OWN_NAMES.match(name) or _compiled_here(folder / name)
                                                  for name in names):
                return folder
    except OSError:
        pass
    return None


def _tagged_by_us(tag: Path) -> bool:
    """Whether the folder's CACHEDIR.TAG is this builder's (other tools tag their caches with the same name)."""
    data = _read_regular(tag, 4096)
    return data is not None and data.startswith(TAG_TEXT.split(b"\n")[0]) and b"site-builder's cache" in data


def _compiled_here(folder: Path) -> bool:
    """Whether a folder is one of the cache's compiled templates: so named, and holding only files in its
    signed form (and the temporary files of writes that were stopped)."""
    if not TEMPLATES_NAME.match(folder.name) or folder.is_symlink() or not folder.is_dir():
        return False
    for entry in folder.iterdir():
        if TEMPLATE_TEMPORARY.fullmatch(entry.name):
            continue
        if not TEMPLATE_FILE.fullmatch(entry.name):
            return False
        try:  # not following a link, nor waiting on a FIFO
            fd = os.open(entry, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            return False
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or file.read(len(SIGNED)) != SIGNED:
                return False
    return True


def _make(folder: Path) -> None:
    """Create the cache folder, tagged as a cache (OSError if it cannot be)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / TAG).is_file():
        (folder / TAG).write_bytes(TAG_TEXT)


class DiskCache:
    """The cache folder, or None for no cache (also when the folder is not the cache's own)."""

    def __init__(self, folder: Path | None):
        self.folder = own_folder(Path(folder)) if folder is not None else None
        self._loaded: tuple[int, int] | None = None  # entries read, per store

    def load(self) -> None:
        """Offer the stored results to the Markdown renderer and the personal-data check."""
        if self.folder is None:
            return
        payload = read_signed(self.folder / RESULTS, RESULTS)
        if payload is None:
            return
        try:
            md, found = _decode(payload)
        except (ValueError, TypeError, RecursionError):  # any unexpected cache is no cache
            return
        markdown.memo.stored.update(md)
        privacy.memo.stored.update(found)
        self._loaded = (len(md), len(found))

    def save(self) -> None:
        """Store the results this run used (dropping the rest), unless that is what was read."""
        if self.folder is None:
            return
        unchanged = (self._loaded == (len(markdown.memo.used), len(privacy.memo.used))
                     and not markdown.memo.stored and not privacy.memo.stored)
        if unchanged:  # every stored entry was used and nothing new was made
            return
        try:
            _make(self.folder)
            (self.folder / "results.pickle").unlink(missing_ok=True)  # left by an older version; never read
        except OSError:
            return  # a read-only checkout still builds, only without the head start
        write_signed(self.folder / RESULTS, RESULTS, _encode())
        self._loaded = (len(markdown.memo.used), len(privacy.memo.used))

    def templates(self) -> jinja2.BytecodeCache | None:
        """Jinja's bytecode cache in the folder, for this code and these libraries, or None."""
        if self.folder is None or machine_key() is None:
            return None
        name = f"templates-{_this_code()[:16]}"
        folder = self.folder / name
        try:
            _make(self.folder)
            folder.mkdir(exist_ok=True)
            for other in self.folder.iterdir():  # made by other code: of no use again
                if other.name != name and _compiled_here(other):
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            return None
        return _SignedBytecodeCache(folder)


class _SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, each signed: Jinja unpickles and unmarshals them, so only ours are read.

    Compiling every template takes about 0.15 s, a fifth of a clean build of the site: worth
    keeping, once a planted file can no longer run.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = read_signed(self._path(bucket), "template " + bucket.key, MAX_TEMPLATE)
        if payload is not None:
            bucket.bytecode_from_string(payload)  # Jinja checks the source's checksum itself

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_signed(self._path(bucket), "template " + bucket.key, bucket.bytecode_to_string())
