"""Rankings of compiled queries: walked by the engine within a time budget, cached by index
generation and query (whatever page was asked for: another limit or offset of the same query
costs a page of highlighting, not a new search), and deepened by ``RANKING_DEPTH`` at a time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shuangyu.index.engines import seam as tree
from shuangyu.index.engines.schema import StoredPassage
from shuangyu.index.engines.seam import Matches
from shuangyu.search.opened import Reader

# Rankings are computed and cached this many results deep at a time.
RANKING_DEPTH = 50


@dataclass(frozen=True)
class Ranked:
    """A query's ranking, before highlighting: the best ``depth`` (docnum, score), the total, the
    counts per report, whether the time budget cut the walk short, and whether the total and
    the counts are exact (else: at least the total, estimated counts; ``Matches``)."""

    top: list[tuple[Any, float]]
    depth: int
    total: int
    counts: dict[str, int]
    partial: bool
    total_exact: bool = True
    counts_exact: bool = True


class Rankings:
    """Recent rankings (and the fused heads of ``search.hybrid``) by key, at most ``size`` (none
    with 0), the ``time_budget`` (seconds) of each walk over a query's matches, and how many
    matches a ranking counts exactly (``exact_up_to``; ``None``: all of them); safe to share
    between threads."""

    def __init__(self, size: int, time_budget: float, exact_up_to: int | None = None):
        self.size = size
        self.time_budget = time_budget
        self.exact_up_to = exact_up_to
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, Any] = OrderedDict()

    def deadline(self) -> float:
        """When a walk starting now must stop (a ``time.perf_counter()`` value)."""
        return time.perf_counter() + self.time_budget

    def get(self, key: tuple, touch: bool = True) -> Any:
        """What is kept under ``key`` (``None``: nothing), made the most recent with ``touch``."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and touch:
                self._kept.move_to_end(key)
        return kept

    def keep(self, key: tuple, value: Any) -> None:
        """Keep ``value`` under ``key``, forgetting the oldest beyond ``size``."""
        if not self.size:
            return
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def ranking(
        self,
        reader: Reader,
        query: tree.Node,
        key: tuple,
        report: str | None,
        order: Mapping[str, int] | None,
        wanted: int,
    ) -> Ranked:
        """The ranking of ``query`` (a query tree; ``key`` names it in the cache) at least ``wanted`` deep: from the cache, else computed to the
        next multiple of ``RANKING_DEPTH`` (and cached unless the time budget cut it short)."""
        ranked: Ranked | None = self.get(key)
        if ranked is not None and (ranked.depth >= wanted or len(ranked.top) < ranked.depth):
            return ranked
        depth = -(-wanted // RANKING_DEPTH) * RANKING_DEPTH
        # The budget starts once this search has its reader, not while it waited for one.
        ranked = run(reader, query, report, order, depth, self.deadline(), self.exact_up_to)
        if not ranked.partial:
            self.keep(key, ranked)
        return ranked

    def search(
        self,
        reader: Reader,
        node: tree.Node,
        count: int,
        report: str | None,
        counted: bool = True,
    ) -> Matches:
        """The engine's search of ``node`` (``count`` best; of ``report`` alone when given),
        within the time budget; its counts per report unless ``counted`` is False (then the
        engine may spare them: see ``index.engines.seam.Reader.search``)."""
        return reader.engine.search(node, count, report, self.deadline(), counted=counted)

    def texts(
        self,
        reader: Reader,
        node: tree.Node,
        count: int,
        report: str | None,
        counted: bool = True,
    ) -> tuple[dict[str, StoredPassage], dict[str, int]]:
        """The passages that query tree ``node`` lists (at most ``count``; of ``report`` alone when
        given), by content hash, and how many texts it matches in each report (none unless
        ``counted``)."""
        found = self.search(reader, node, count, report, counted)
        passages = {}
        for key, _ in found.top:
            fields = reader.engine.stored(key)
            passages[fields["content_hash"]] = fields
        return passages, found.counts


def run(
    reader: Reader,
    query: tree.Node,
    report: str | None,
    order: Mapping[str, int] | None,
    depth: int,
    deadline: float,
    exact_up_to: int | None = None,
) -> Ranked:
    """The best ``depth`` results, the total and the counts per report over the whole query
    (so the user can switch reports). The total is the engine's count of the passages it
    lists, never a sum of the counts per report: a text printed in two reports is listed
    once in a search of both, and once in a search of either. Past ``exact_up_to`` matches
    the engine may answer a lower bound and estimates (``index.engines.seam.Reader.search``)."""
    matches = reader.engine.search(query, depth, report, deadline, order, exact_up_to=exact_up_to)
    return Ranked(
        matches.top,
        depth,
        matches.total,
        matches.counts,
        partial=not matches.complete,
        total_exact=matches.total_exact,
        counts_exact=matches.counts_exact,
    )


def with_content(contents: list[str]) -> tree.Any:
    """The passages whose text is one of ``contents`` (content hashes)."""
    return tree.Any([tree.Term("content_hash", content) for content in contents])
