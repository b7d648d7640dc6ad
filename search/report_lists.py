"""The reports a search response lists: those with the most results, and the counts of every
report summed by year."""

from __future__ import annotations

import heapq
from collections.abc import Collection


def most_results(
    counts: dict[str, int], most: int | None, position: dict[str, int], always: str | None = None
) -> Collection[str]:
    """The reports of ``counts`` to list: every one (``most`` ``None``), else the ``most`` with
    the most results, ties to the report that comes first in the collection (``position``),
    and ``always`` besides when it has results."""
    if most is None or len(counts) <= most:
        return counts
    listed = set(
        heapq.nsmallest(
            most, counts, key=lambda report_id: (-counts[report_id], position.get(report_id, 0))
        )
    )
    if always in counts:
        listed.add(always)
    return listed


def matches_by_year(counts: dict[str, int], years: dict[str, int]) -> list[dict[str, int]]:
    """The counts of the reports of each year (``years``: each dated report's year), oldest
    year first; reports without a date are left out. A facet every report counts in, however
    few reports a response lists."""
    by_year: dict[int, int] = {}
    for report_id, count in counts.items():
        year = years.get(report_id)
        if year is not None:
            by_year[year] = by_year.get(year, 0) + count
    return [{"year": year, "count": by_year[year]} for year in sorted(by_year)]
