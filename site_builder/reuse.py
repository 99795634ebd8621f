"""Reuse the results of pure functions between builds, found by the value of their arguments.

The builder's one mechanism for incremental work besides comparing each page's data with
the last build's. A result is reused only when the function and every argument are equal
(==) to those of a call in this build or the last one, so it cannot go stale while the
function reads nothing but its arguments: there is no list of dependencies to keep.
Results unused for a whole build are dropped, so memory follows the size of the site.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

_BY_ARGS: Any = object()  # Reuse: look a call up by its arguments
TRIAL = 256  # calls of a kind a one-off build looks up before it stops, if none was found again
_MISSING: Any = object()  # Memo: no result for a key


class Reuse:
    """Calls pure functions, remembering their results for this build and the next."""

    def __init__(self, keep: int | None = None):
        self.keep = keep  # a one-off build: only this many results, the most recently used
        self._now: dict = {}
        self._before: dict = {}
        self._tally: dict = {}  # a one-off build: each kind of call's (calls, results used again)

    def next_build(self) -> None:
        """Start a build: what the build before last used and this one has not is forgotten."""
        self._before, self._now = self._now, {}

    def __call__(self, fn: Callable[..., Any], *args: Any, slot: Hashable = _BY_ARGS) -> Any:
        """fn(*args), or the result of a call in this build or the last with equal arguments.

        Calls are looked up by their arguments' hash, or by `slot` where hashing them would
        cost more than comparing: a plan's rows, say, are looked up by its period and then
        compared with the last call's plan (the very object, when its file did not change).
        """
        if self.keep is not None:
            # A kind of call (a function, and a partial's name) that has not once been answered
            # from memory in its first TRIAL calls of a one-off build is called directly: looking
            # it up costs hashing every argument (an initiative field by field), for nothing.
            kind = (fn, args[0]) if args and type(args[0]) is str else fn
            calls, again = self._tally.get(kind, (0, 0))
            if calls >= TRIAL and not again:
                return fn(*args)
        try:
            # By the arguments' hash, worked out once (a tuple does not keep its hash, and each look-up
            # below would hash every argument again): an equal hash is a hit only if the arguments
            # are equal too.
            key = (fn, hash(args) if slot is _BY_ARGS else slot)
            hit = self._now.get(key) or self._before.get(key)
        except TypeError:  # an argument that cannot be hashed (a list, a dict): worked out afresh
            return fn(*args)
        found = hit is not None and hit[0] == args
        if not found:
            hit = (args, fn(*args))
        if self.keep is not None:  # no build comes next: keep what this one may use again soon
            self._tally[kind] = (calls + 1, again + found)
            self._now.pop(key, None)
            if len(self._now) >= self.keep:
                del self._now[next(iter(self._now))]
        self._now[key] = hit
        return hit[1]


class Memo:
    """Results of one pure function by key, the least recently used dropped first past `keep`.

    Markdown rendered by its text, personal-data findings by a file's digest: a long preview
    makes one for every saved version of a text, so the memo is bounded. Results read from
    the disk cache wait in `stored` until a build asks for them; `used` is what this process
    asked for, which the disk cache writes back.
    """

    def __init__(self, keep: int):
        self.keep = keep
        self.used: dict = {}
        self.stored: dict = {}

    def get(self, key, make: Callable[[], Any]) -> Any:
        """The result for key: kept, stored, or made now."""
        hit = self.used.pop(key, _MISSING)  # put back last: the most recently used
        if hit is _MISSING:
            hit = self.stored.pop(key, _MISSING)
            if hit is _MISSING:
                hit = make()
            if len(self.used) >= self.keep:
                del self.used[next(iter(self.used))]
        self.used[key] = hit
        return hit
