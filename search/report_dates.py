"""Reports in the order of their dates, as the date sorts of a search and the reports page list
them: report entries (``index.engines.manifest.ReportEntry``) by their ``id`` and ``date``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shuangyu.index.sources.corpus import parse_date


def newest_first(reports: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """A rank per report id: the newest report first (a more precise date before a bare year
    of the same year), reports without a valid date last, ties by id."""

    def key(entry: Mapping[str, Any]) -> tuple:
        parts = parse_date(entry.get("date", "")) or ()
        # Missing month and day sort after every real one of the same year (0 > -1).
        return (not parts, (*(-part for part in parts), *(0,) * (3 - len(parts))), entry["id"])

    return {entry["id"]: rank for rank, entry in enumerate(sorted(reports, key=key))}


def oldest_first(reports: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """A rank per report id: the oldest report first (a bare year before the dates within it),
    reports without a valid date last, ties by id."""

    def key(entry: Mapping[str, Any]) -> tuple:
        parts = parse_date(entry.get("date", "")) or ()
        return (not parts, (*parts, *(0,) * (3 - len(parts))), entry["id"])

    return {entry["id"]: rank for rank, entry in enumerate(sorted(reports, key=key))}


def iso_date(text: str) -> str:
    """``text`` when it is a valid ISO date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), else empty."""
    parts = parse_date(text)
    return "-".join(f"{part:02d}" for part in parts) if parts else ""
