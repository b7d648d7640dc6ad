"""Recent search responses, by index generation and request: a new generation misses them all.

A cached response keeps its listed reports as (place in the index's reports, count) pairs: as the
contract's list of objects they were most of its memory (140 KB of 230 KB at 1,000 reports),
and the cache held 60 MB of them; pairs cost what the listed reports do, not what the
collection's do, to keep and to give back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from shuangyu.search.report_lists import report_entries

if TYPE_CHECKING:
    from shuangyu.search.opened import OpenIndex


class ResponseCache:
    """At most ``size`` responses (none with 0), the least recently used forgotten first; safe
    to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, dict[str, Any]] = OrderedDict()

    def get(self, key: tuple, opened: OpenIndex) -> dict[str, Any] | None:
        """The response kept under ``key`` (made with the index ``opened``), or ``None``."""
        with self._lock:
            cached = self._kept.get(key)
            if cached is not None:
                self._kept.move_to_end(key)
        return None if cached is None else _expanded(cached, opened)

    def keep(self, key: tuple, response: dict[str, Any], opened: OpenIndex) -> None:
        """Keep ``response`` (made with the index ``opened``) under ``key``."""
        if not self.size:
            return
        compact = _compacted(response, opened)
        with self._lock:
            self._kept[key] = compact
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def _compacted(response: dict[str, Any], opened: OpenIndex) -> dict[str, Any]:
    place = opened.report_position
    return {
        **response,
        "reports": tuple((place[entry["id"]], entry["count"]) for entry in response["reports"]),
    }


def _expanded(cached: dict[str, Any], opened: OpenIndex) -> dict[str, Any]:
    listed = ((opened.report_ids[place], count) for place, count in cached["reports"])
    return {**cached, "reports": report_entries(listed, opened.titles)}
