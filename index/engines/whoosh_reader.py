"""The Whoosh engine's reader (``index.engines.seam.Reader``): walks a query's matches once to
rank, count per report and drop repeated passages (``_collect``); reads stored passages and the
words of a field."""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping

from shuangyu.index.engines.seam import Matches
from shuangyu.index.engines.whoosh_query import compile_tree
from whoosh import query as wq


class _DocumentColumns:
    """Per-document report, place in it and text identity, read once per opened index, for
    counting and for ranking ties."""

    def __init__(self, reader):
        report_column = list(reader.column_reader("report_id"))
        self.report_ids = sorted(set(report_column))
        self.report_index = {report_id: index for index, report_id in enumerate(self.report_ids)}
        self.report_of = [self.report_index[value] for value in report_column]
        hashes: dict[str, int] = {}
        self.content_of = [
            hashes.setdefault(value, len(hashes)) for value in reader.column_reader("content_hash")
        ]
        self.ordinal_of = list(reader.column_reader("ordinal"))
        self._reader = reader
        self._has_deletions = reader.has_deletions()

    def deleted(self, docnum: int) -> bool:
        return self._has_deletions and self._reader.is_deleted(docnum)


class WhooshReader:
    """``index.engines.seam.Reader`` over one Whoosh searcher. Whoosh's readers keep file positions
    and caches that threads must not share at the same time (eight threads searching at once
    read garbled blocks, with or without mmap): one thread uses it at a time."""

    concurrent = False

    def __init__(self, searcher):
        self._searcher = searcher
        self._reader = searcher.reader()
        # Per reader: an update in place may commit a newer generation between two readers'
        # openings, and each must count the documents it sees.
        self._columns = _DocumentColumns(self._reader)

    def search(
        self,
        query,
        depth: int,
        report: str | None = None,
        deadline: float | None = None,
        order: Mapping[str, int] | None = None,
        counted: bool = True,
        exact_up_to: int | None = None,
    ) -> Matches:
        # ``counted`` and ``exact_up_to`` change nothing: the walk over every match that ranks
        # them counts them.
        columns = self._columns
        wanted_report = columns.report_index.get(report, -1) if report else None
        ranks = None
        if order is not None:
            unranked = len(order)
            ranks = [order.get(report_id, unranked) for report_id in columns.report_ids]
        top, total, counts, complete = _collect(
            self._searcher, compile_tree(query), columns, depth, wanted_report, deadline, ranks
        )
        by_report = {
            report_id: counts[index]
            for index, report_id in enumerate(columns.report_ids)
            if counts[index]
        }
        return Matches(top, by_report, complete, total)

    def stored(self, key) -> dict:
        return self._searcher.stored_fields(key)

    def document(self, passage_id: str) -> dict | None:
        return self._searcher.document(id=passage_id)

    def report_passages(self, report_id: str, first: int, last: int | None) -> list[dict]:
        query = wq.And([wq.Term("report_id", report_id), wq.NumericRange("ordinal", first, last)])
        limit = None if last is None else max(0, last - first + 1)
        return [
            hit.fields() for hit in self._searcher.search(query, limit=limit, sortedby="ordinal")
        ]

    def doc_frequency(self, field: str, word: str) -> int:
        return self._reader.doc_frequency(field, word)

    def words(self, field: str, prefix: str = "") -> list[str]:
        found = self._reader.expand_prefix(field, prefix) if prefix else self._reader.lexicon(field)
        return [word.decode() if isinstance(word, bytes) else word for word in found]

    def most_frequent(self, field: str, count: int) -> list[tuple[str, int]]:
        return [
            (word.decode() if isinstance(word, bytes) else word, int(frequency))
            for frequency, word in self._reader.most_frequent_terms(field, count)
        ]

    def doc_count(self) -> int:
        return self._reader.doc_count()

    def segment_count(self) -> int:
        return len(self._reader.leaf_readers())

    def close(self) -> None:
        self._searcher.close()


# How many matches between two attempts to simplify the matcher (Whoosh's collectors use 10):
# a union whose one side is exhausted becomes the other side.
REPLACE_EVERY = 10
# How many matches between two looks at the clock.
CLOCK_EVERY = 32


def _collect(
    searcher,
    query,
    columns: _DocumentColumns,
    wanted: int,
    report: int | None = None,
    deadline: float | None = None,
    ranks: list[int] | None = None,
) -> tuple[list[tuple[int, float]], int, list[int], bool]:
    """One pass over a query's matches: the ``wanted`` best (docnum, score), how many texts
    are listed (of ``report`` alone when given), the count of matching texts per report index
    of ``columns``, and whether every match was seen (see ``index.engines.seam.Reader.search``).
    With ``ranks`` (a rank per report index), the best are those of the lowest-ranked
    reports first, then by score.

    Whoosh's collectors cannot skip documents once a weighting rescales scores (ours does, by
    kind of passage), so its top-k search scores every match anyway; counting in a second walk
    over the same matches doubled the time of every query. Here one walk scores, counts and
    ranks."""
    report_of, content_of, ordinal_of = columns.report_of, columns.content_of, columns.ordinal_of
    final = searcher.weighting.final if searcher.weighting.use_final else None
    reports = len(columns.report_ids)
    # Each (text, report) pair once, as ``content * reports + report``: a report counts the
    # texts a search within it lists, whatever other reports repeat them.
    counted: set[int] = set()
    # content -> (-rank, score, -report, -ordinal, docnum) of its best passage
    best: dict[int, tuple[int, float, int, int, int]] = {}
    context = searcher.context()
    seen = 0
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        countdown = 0
        while matcher.is_active():
            seen += 1
            if deadline is not None and seen % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
                return _best(best, wanted), len(best), _counts(counted, reports), False
            if countdown == 0:
                matcher = matcher.replace(0)
                if not matcher.is_active():
                    break
                countdown = REPLACE_EVERY
            countdown -= 1
            docnum = offset + matcher.id()
            if not columns.deleted(docnum):
                content = content_of[docnum]
                in_report = report_of[docnum]
                counted.add(content * reports + in_report)
                if report is None or in_report == report:
                    score = matcher.score()
                    if final is not None:
                        score = final(searcher, docnum, score)
                    key = (
                        -ranks[in_report] if ranks else 0,
                        score,
                        -in_report,
                        -ordinal_of[docnum],
                        docnum,
                    )
                    if key > best.get(content, _NOTHING):
                        best[content] = key
            matcher.next()
    return _best(best, wanted), len(best), _counts(counted, reports), True


def _counts(counted: set[int], reports: int) -> list[int]:
    counts = [0] * reports
    for pair in counted:
        counts[pair % reports] += 1
    return counts


_NOTHING = (float("-inf"), float("-inf"), 0, 0, 0)


def _best(
    best: dict[int, tuple[int, float, int, int, int]], wanted: int
) -> list[tuple[int, float]]:
    top = heapq.nlargest(wanted, best.values())
    return [(docnum, score) for _, score, _, _, docnum in top]
