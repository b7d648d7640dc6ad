"""One pass over a query's matches: the best passages and the number of passages per report.

Whoosh's collectors cannot skip documents once a weighting rescales scores (ours does, by kind
of passage), so its top-k search scores every match anyway; counting in a second walk over the
same matches doubled the time of every query. Here one walk scores, counts and ranks.
"""

from __future__ import annotations

import heapq
import time

# How many matches between two attempts to simplify the matcher (Whoosh's collectors use 10):
# a union whose one side is exhausted becomes the other side.
REPLACE_EVERY = 10
# How many matches between two looks at the clock.
CLOCK_EVERY = 32


def collect(searcher, query, columns, wanted: int, report: int | None = None,
            deadline: float | None = None) -> tuple[list[tuple[int, float]], list[int], bool]:
    """The ``wanted`` best (docnum, score), best first, the count of matching passages per
    report index of ``columns``, and whether every match was seen. A passage repeated word for
    word counts once, in the report where it is met first, and is listed once, by its best
    score; ties go to the passage that comes first (report id, then place in the report), not to
    the lower docnum, which depends on how a build cut the index into segments. With ``report``, only that report's
    passages are listed; every report is still counted. At ``deadline`` (a
    ``time.perf_counter()`` value) the walk stops: what was seen so far is returned, marked
    incomplete."""
    report_of, content_of, ordinal_of = columns.report_of, columns.content_of, columns.ordinal_of
    final = searcher.weighting.final if searcher.weighting.use_final else None
    counts = [0] * len(columns.report_ids)
    counted: set[int] = set()
    # content -> (score, -report, -ordinal, docnum) of its best passage
    best: dict[int, tuple[float, int, int, int]] = {}
    context = searcher.context()
    seen = 0
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        countdown = 0
        while matcher.is_active():
            seen += 1
            if deadline is not None and seen % CLOCK_EVERY == 0 and time.perf_counter() > deadline:
                return _best(best, wanted), counts, False
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
                if content not in counted:
                    counted.add(content)
                    counts[in_report] += 1
                if report is None or in_report == report:
                    score = matcher.score()
                    if final is not None:
                        score = final(searcher, docnum, score)
                    key = (score, -in_report, -ordinal_of[docnum], docnum)
                    if key > best.get(content, _NOTHING):
                        best[content] = key
            matcher.next()
    return _best(best, wanted), counts, True


_NOTHING = (float("-inf"), 0, 0, 0)


def _best(best: dict[int, tuple[float, int, int, int]], wanted: int) -> list[tuple[int, float]]:
    top = heapq.nlargest(wanted, best.values())
    return [(docnum, score) for score, _, _, docnum in top]
