"""The search page and the embeddable results: the query in the URL, pages of results, the report
filter with its year histogram."""

from __future__ import annotations

import math
import re

from flask import current_app, render_template, request
from shuangyu.index.sources.corpus import parse_date
from shuangyu.search.export import EXPORT_FORMATS, MAX_EXPORT
from shuangyu.search.query import QueryError
from shuangyu.search.report_dates import newest_first
from shuangyu.search.searcher import MAX_OFFSET
from shuangyu.web.i18n import translate
from shuangyu.web.interface_text import EXAMPLES
from shuangyu.web.page_citations import (
    COPY_STYLES,
    date_inferred,
    default_style,
    result_citations,
    style_label,
)
from shuangyu.web.params import page_number, parse_search
from shuangyu.web.searching import get_searcher, needs_no_index, run_search, settings_of

PAGE_SIZE = 10
# Page links shown on each side of the current page (with the first and the last always shown).
PAGE_LINKS_AROUND = 2


@needs_no_index
def search():
    """The search page: the query stays in the URL (``/?q=…&page=2&sort=date``), so it can be
    shared. A page past the last says so and links back to the last one. Without an index, the
    page without a query says how to make one (a query gets the 503 page)."""
    args = request.args.to_dict()
    page = page_number(args.pop("page", None))
    args["offset"], args["limit"] = str((page - 1) * PAGE_SIZE), str(PAGE_SIZE)
    params = parse_search(args)
    response = None
    if params["q"]:
        response = run_search(
            params["q"],
            limit=PAGE_SIZE,
            offset=params["offset"],
            lang=params["lang"],
            report=params["report"],
            sort=params["sort"],
            mode=params["mode"],
            # The filter names these; the others are listed by ``reports_matching``.
            reports=TOP_REPORTS,
        )
    pages_count = math.ceil(response["total"] / PAGE_SIZE) if response else 0
    if response and response["total_relation"] == "gte" and len(response["results"]) == PAGE_SIZE:
        # At least the total: while full pages come, there is a next one (up to the deepest
        # offset a search serves).
        pages_count = min(max(pages_count, page + 1), MAX_OFFSET // PAGE_SIZE + 1)
    return render_template(
        "search.html",
        params=params,
        response=response,
        page=page,
        page_size=PAGE_SIZE,
        report_filter=report_filter(response) if response else None,
        query_without_report=query_without_report(params["q"]),
        pages_count=pages_count,
        page_numbers=page_numbers(page, pages_count),
        # Past the last page: beyond the total when it is exact, else where no result is left.
        past_end=bool(
            response
            and response["total"]
            and page > pages_count
            and (response["total_relation"] == "eq" or not response["results"])
        ),
        citations=result_citations(response["results"]) if response else {},
        copy_styles=[(style, style_label(style)) for style in COPY_STYLES],
        default_style=default_style(),
        export_formats=EXPORT_FORMATS,
        max_export=MAX_EXPORT,
        date_inferred=date_inferred,
        examples=EXAMPLES,
        no_index=None
        if response or get_searcher().has_index()
        else str(settings_of(current_app).corpus_dir),
    )


# Reports named above the results (those with the most matches); the others are one click away,
# by year. A common word is in every report: a hundred names would push the results off the screen.
TOP_REPORTS = 5
# Steps of a bar of the year histogram (CSS classes; the Content-Security-Policy allows no inline style).
HISTOGRAM_STEPS = 10
_REPORT_IN_QUERY = re.compile(r"(?<!\S)report:\S+", re.IGNORECASE)


def query_without_report(query: str) -> str:
    """``query`` without its ``report:<id>`` filter, for the links that choose another report or all."""
    return " ".join(_REPORT_IN_QUERY.sub(" ", query).split())


def report_filter(response: dict) -> dict:
    """The report filter of a search: the report searched in (``report=`` or ``report:`` in the
    query), the ``TOP_REPORTS`` reports with the most matches (the one searched in among them),
    how many reports have matches, and the histogram of ``year_histogram``. The response lists
    only those reports; ``reports_matching`` lists them all."""
    entries = dated(response["reports"])
    newest = newest_first(entries)
    by_count = sorted(entries, key=lambda entry: (-entry["count"], newest[entry["id"]]))
    active = response.get("report")
    top = by_count[:TOP_REPORTS]
    if active and all(entry["id"] != active for entry in top):
        top = [entry for entry in by_count if entry["id"] == active] + top[: TOP_REPORTS - 1]
    return {
        "active": active,
        "top": top,
        "count": len(response["reports"]) + response["reports_more"],
        "estimated": response["report_counts"] == "estimated",
        "histogram": year_histogram(response["matches_by_year"]),
    }


def reports_matching():
    """Every report with matches for ``?q=`` (with the search's ``lang`` and ``mode``), by year,
    newest first, undated last, each linked to the search in it, under the histogram of
    ``year_histogram``: what the report filter of the search page opens."""
    params = parse_search(request.args)
    if not params["q"]:
        raise QueryError("q must be a query: /reports?q=… lists the reports that match it")
    response = run_search(params["q"], limit=1, lang=params["lang"], mode=params["mode"])
    entries = dated(response["reports"])
    newest = newest_first(entries)
    years: dict[str, list[dict]] = {}
    for entry in sorted(entries, key=lambda entry: newest[entry["id"]]):
        years.setdefault(entry["year"], []).append(entry)
    return render_template(
        "report_matches.html",
        params=params,
        response=response,
        query_without_report=query_without_report(params["q"]),
        estimated=response["report_counts"] == "estimated",
        histogram=year_histogram(response["matches_by_year"]),
        years=[
            {"year": year, "reports": years[year]}
            for year in sorted(years, key=lambda year: (bool(year), year), reverse=True)
        ],
    )


def dated(entries: list[dict]) -> list[dict]:
    """``entries`` (reports of a response) with the ``date`` and ``year`` of their report."""
    collection = {entry["id"]: entry for entry in get_searcher().manifest.reports}
    with_dates = []
    for entry in entries:
        date = collection.get(entry["id"], {}).get("date", "")
        with_dates.append({**entry, "date": date, "year": date[:4] if parse_date(date) else ""})
    return with_dates


def year_histogram(matches_by_year: list[dict]) -> list[dict]:
    """A bar for every year from the collection's first to its last: the share of the year's
    passages that match (a year of thirty reports would dwarf the others by its count), in
    ``HISTOGRAM_STEPS``."""
    passages_in: dict[int, int] = {}
    for entry in get_searcher().manifest.reports:
        if parse_date(entry.get("date", "")):
            year = int(entry["date"][:4])
            passages_in[year] = passages_in.get(year, 0) + entry.get("passages", 0)
    matches = {bar["year"]: bar["count"] for bar in matches_by_year}
    shares = {
        year: matches.get(year, 0) / passages for year, passages in passages_in.items() if passages
    }
    most = max(shares.values(), default=0) or 1
    return [
        {
            "year": year,
            "matches": matches.get(year, 0),
            "passages": passages_in.get(year, 0),
            "percent": round(100 * shares.get(year, 0)),
            "step": math.ceil(HISTOGRAM_STEPS * shares.get(year, 0) / most),
        }
        for year in range(min(passages_in, default=0), max(passages_in, default=-1) + 1)
    ]


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links to show around ``page`` of ``pages``: the first, the last, and
    ``PAGE_LINKS_AROUND`` on each side of ``page``; ``None`` stands for a gap."""
    shown = sorted(
        {1, pages, *range(page - PAGE_LINKS_AROUND, page + PAGE_LINKS_AROUND + 1)}
        & set(range(1, pages + 1))
    )
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None if number - numbers[-1] > 2 else number - 1)
        numbers.append(number)
    return numbers


def embed():
    """Compact results for an <iframe> on another site (the only page that may be framed): each
    with its report's title, linked to the passage. A query that cannot be run gets a 400 whose
    page says so in one line of the interface language, inside the frame, without the
    site's header or the error's own text."""
    try:
        params = parse_search(request.args)
        response = (
            run_search(
                params["q"],
                limit=min(params["limit"], 20),
                lang=params["lang"],
                report=params["report"],
                reports=0,  # an embedded search shows no report filter
            )
            if params["q"]
            else None
        )
    except QueryError:
        return render_template(
            "embed.html",
            params={"q": request.args.get("q", "")[:500]},
            response=None,
            error=translate("embed_error"),
        ), 400
    return render_template("embed.html", params=params, response=response, error=None)
