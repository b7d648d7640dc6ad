"""The reports a search response lists: those with the most results, and the counts of every
report summed by year."""

from __future__ import annotations

import heapq
from collections.abc import Iterable


def most_results(
    counts: dict[str, int], most: int | None, position: dict[str, int], always: str | None = None
) -> list[str]:
    """The reports of ``counts`` to list, in the collection's order (``position``): every one
    (``most`` ``None``), else the ``most`` with the most results, ties to the report that comes
    first in the collection, and ``always`` besides when it has results."""
    unplaced = len(position)
    if most is None or len(counts) <= most:
        if len(counts) * 4 < len(position):  # a few of the reports: sorted, not looked for
            return sorted(counts, key=lambda report_id: position.get(report_id, unplaced))
        placed = [report_id for report_id in position if report_id in counts]
        return placed + [report_id for report_id in counts if report_id not in position]
    places: dict[str, int] = {}
    if most:
        # The fewest results a listed report can have, found among the counts alone (in C):
        # only the reports with as many are weighed by their place.
        least = heapq.nlargest(most, counts.values())[-1]
        contenders = sorted(
            (-count, position.get(report_id, unplaced), report_id)
            for report_id, count in counts.items()
            if count >= least
        )
        places = {report_id: place for _, place, report_id in contenders[:most]}
    if always in counts:
        places.setdefault(always, position.get(always, unplaced))
    return sorted(places, key=places.__getitem__)


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


def report_entries(
    listed: Iterable[tuple[str, int]], titles: dict[str, tuple[str, str]]
) -> list[dict[str, str | int]]:
    """A response's ``reports``: each listed (report id, count) with the report's title and
    English title (``titles``); a report the index does not name is left out."""
    return [
        {
            "id": report_id,
            "title": titles[report_id][0],
            "title_en": titles[report_id][1],
            "count": count,
        }
        for report_id, count in listed
        if report_id in titles
    ]
