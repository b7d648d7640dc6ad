"""Caches kept in an object rather than in a module: those of one index's ``Language``, of one
instance folder's ``Dictionary``. A function whose answers depend on such an object takes it
as its last argument and is decorated with ``cached_in``: its answers are kept in that object,
and go with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

Function = TypeVar("Function", bound=Callable)


class CacheOwner:
    """An object that keeps the caches of the functions whose last argument it is."""

    def __init__(self) -> None:
        self._caches: dict[Callable, Callable] = {}
        self._caches_lock = threading.Lock()

    def cached(self, function: Callable, maxsize: int) -> Callable:
        """``function`` with this object as its last argument, its answers kept here (at most
        ``maxsize`` of them, the least recently used dropped first)."""
        found = self._caches.get(function)
        if found is None:
            with self._caches_lock:
                found = self._caches.get(function)
                if found is None:
                    found = self._caches[function] = lru_cache(maxsize=maxsize)(
                        lambda *arguments: function(*arguments, self)
                    )
        return found

    def preset(self, function: Callable, answers: dict) -> None:
        """Keep ``answers`` ({argument: answer}) of ``function``, a function of one argument and
        of this object, worked out elsewhere (a build works out its words before it forks its
        workers, ``index.build_words``). Other arguments are worked out when asked, and every
        answer is kept: no bound, no eviction, for an object that lives as long as one build."""
        with self._caches_lock:
            self._caches[function] = _Answers(function, self, answers).__getitem__

    def clear_caches(self) -> None:
        """Forget every answer kept here."""
        with self._caches_lock:
            self._caches.clear()


class _Answers(dict):
    """The answers of a function of one argument and an owner; one not known yet is worked
    out (``__missing__``) and kept. Looking one up is a dict's own (C) lookup."""

    def __init__(self, function: Callable, owner: CacheOwner, answers: dict):
        super().__init__(answers)
        self._function = function
        self._owner = owner

    def __missing__(self, argument):
        answer = self[argument] = self._function(argument, self._owner)
        return answer


def cached_in(maxsize: int) -> Callable[[Function], Function]:
    """A function whose last (positional) argument is a ``CacheOwner``, its answers cached in
    that object (``CacheOwner.cached``)."""

    def decorate(function: Function) -> Function:
        @wraps(function)
        def cached(*arguments):
            owner = arguments[-1]
            found = owner._caches.get(function)
            if found is None:
                found = owner.cached(function, maxsize)
            return found(*arguments[:-1])

        def of(owner: CacheOwner) -> Callable:
            """The function's answers in ``owner``, to call with the other arguments: for a loop
            that calls it for many words of one owner (one lookup of the cache, not one a call)."""
            return owner.cached(function, maxsize)

        def preset(owner: CacheOwner, answers: dict) -> None:
            """Keep ``answers`` of the function, worked out elsewhere, in ``owner``
            (``CacheOwner.preset``; for a function of one argument and the owner)."""
            owner.preset(function, answers)

        cached.of = of  # type: ignore[attr-defined]
        cached.preset = preset  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
