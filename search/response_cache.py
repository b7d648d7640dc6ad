"""Recent search responses, by index generation and request: a new generation misses them all.

A cached response keeps its per-report counts as a tuple in the manifest's order of reports:
as the contract's list of objects they were most of its memory (140 KB of 230 KB at 1,000
reports), and the cache held 60 MB of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from shuangyu.index.engines.manifest import Manifest


class ResponseCache:
    """At most ``size`` responses (none with 0), the least recently used forgotten first; safe
    to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, dict[str, Any]] = OrderedDict()

    def get(self, key: tuple, manifest: Manifest) -> dict[str, Any] | None:
        """The response kept under ``key`` (made with ``manifest``), or ``None``."""
        with self._lock:
            cached = self._kept.get(key)
            if cached is not None:
                self._kept.move_to_end(key)
        return None if cached is None else _expanded(cached, manifest)

    def keep(self, key: tuple, response: dict[str, Any], manifest: Manifest) -> None:
        """Keep ``response`` (made with ``manifest``) under ``key``."""
        if not self.size:
            return
        compact = _compacted(response, manifest)
        with self._lock:
            self._kept[key] = compact
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def _compacted(response: dict[str, Any], manifest: Manifest) -> dict[str, Any]:
    counts = {entry["id"]: entry["count"] for entry in response["reports"]}
    return {
        **response,
        "reports": tuple(counts.get(entry["id"], 0) for entry in manifest.reports),
    }


def _expanded(cached: dict[str, Any], manifest: Manifest) -> dict[str, Any]:
    return {
        **cached,
        "reports": [
            {
                "id": entry["id"],
                "title": entry["title"],
                "title_en": entry.get("title_en", ""),
                "count": count,
            }
            for entry, count in zip(manifest.reports, cached["reports"])
            if count
        ],
    }
