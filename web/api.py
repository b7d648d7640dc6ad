"""The JSON API: /api/search, /api/passages/<id>, /api/export, /api/reports, /api/openapi.json."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, jsonify, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from shuangyu.index.sources.ids import PASSAGE_ID_PATTERN
from shuangyu.search.citation.csl import citable, csl_record
from shuangyu.search.citation.styles import all_citations, citations_html
from shuangyu.search.export import EXPORT_FORMATS, MAX_EXPORT, export
from shuangyu.search.records import Passage, Source, passage_fields
from shuangyu.web.openapi import openapi_document
from shuangyu.web.params import SUGGEST_PARAMETER, parse_search
from shuangyu.web.searching import get_searcher, run_search
from shuangyu.web.urls import absolute_url

api = Blueprint("api", __name__, url_prefix="/api")


# The views that search, counted together: the same search through a page costs what it costs
# through the API, and would otherwise go around the limit.
SEARCHING_ENDPOINTS = frozenset({"api.search", "pages.search", "pages.embed"})


def limit_rate(app: Flask, rate: str) -> None:
    """Limit each client address to ``rate`` requests to each route of /api/ (Flask-Limiter's
    notation, e.g. ``"120 per minute"``; empty: no limit), and to ``rate`` searches in all, however
    asked: /api/search, and the search and embed pages with a query, share one count. Past it, a
    429 with ``Retry-After`` (a problem under /api/, a page elsewhere). Counts are kept in this
    process; behind a reverse proxy the client address is the one the server was told to trust
    (see ``shuangyu serve --trusted-proxy``)."""
    if not rate:
        return
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", key_prefix="api")
    limiter.shared_limit(rate, scope=_counted_as)(api)
    limiter.shared_limit(rate, scope=_counted_as, exempt_when=lambda: not _searches())(
        app.blueprints["pages"]
    )


def _counted_as(endpoint: str) -> str:
    """The count a request to ``endpoint`` adds to: the searches', or the endpoint's own."""
    return "search" if endpoint in SEARCHING_ENDPOINTS else endpoint


def _searches() -> bool:
    """True when the current request runs a search (a page without a query runs none)."""
    return request.endpoint in SEARCHING_ENDPOINTS and bool(request.args.get("q", "").strip())


@api.get("/search")
def search():
    """Search passages; the response object of the JSON contract."""
    params = parse_search(request.args)
    if not params["q"]:
        abort(400, description="q is required: the words to search for")
    return jsonify(
        run_search(
            params["q"],
            limit=params["limit"],
            offset=params["offset"],
            lang=params["lang"],
            report=params["report"],
            sort=params["sort"],
            mode=params["mode"],
            reports=params["reports"],
        )
    )


@api.get("/suggest")
def suggest():
    """Autocomplete for the search box: corpus words and names starting with ``q``."""
    prefix = SUGGEST_PARAMETER.parse(request.args.get("q"))
    return jsonify(
        {"query": prefix, "suggestions": get_searcher().complete(prefix) if prefix.strip() else []}
    )


@api.get("/passages/<path:passage_id>")
def passage(passage_id: str):
    """One passage with its neighbours, its report and its citations."""
    return jsonify(passage_document(passage_id))


def passage_document(passage_id: str) -> Passage:
    """The API object of a passage; 404 when the id is unknown or malformed."""
    searcher = get_searcher()
    found = searcher.passage(passage_id) if PASSAGE_ID_PATTERN.match(passage_id) else None
    if found is None:
        abort(404, description=f"no passage with id {passage_id[:100]!r}")
    report = searcher.report(found["report_id"])
    url = absolute_url("pages.passage", passage_id=found["id"])
    item = citable(found, report, url)
    return Passage(
        **passage_fields(found),
        ordinal=found["ordinal"],
        url=url,
        source=Source(file=report["file"], spans=found["spans"]),
        previous_id=found["previous_id"],
        next_id=found["next_id"],
        report=report,
        citations=all_citations(item, searcher.dictionary),
        citations_html=citations_html(item, searcher.dictionary),
        citation_record=csl_record(item),
    )


@api.get("/export")
def export_passages():
    """Passages exported together as one file to download: ``ids`` (comma-separated, or the
    parameter repeated; at most ``MAX_EXPORT``) in ``format`` ris, bib, json (CSL-JSON) or csv.
    A 400 names what was wrong: no ids, too many, a malformed or unknown id, an unknown format."""
    fmt = request.args.get("format", "")
    if fmt not in EXPORT_FORMATS:
        abort(400, description=f"format must be one of {', '.join(EXPORT_FORMATS)}")
    ids = list(
        dict.fromkeys(
            passage_id.strip()
            for value in request.args.getlist("ids")
            for passage_id in value.split(",")
            if passage_id.strip()
        )
    )
    if not ids:
        abort(400, description="ids is required: passage ids separated by commas")
    if len(ids) > MAX_EXPORT:
        abort(400, description=f"ids holds {len(ids)} passages; at most {MAX_EXPORT} at a time")
    searcher = get_searcher()
    unknown = [
        passage_id
        for passage_id in ids
        if not PASSAGE_ID_PATTERN.match(passage_id) or searcher.passage(passage_id) is None
    ]
    if unknown:
        shown = ", ".join(repr(passage_id[:100]) for passage_id in unknown[:5])
        abort(
            400,
            description=f"no passage with id {shown}"
            + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""),
        )
    body = export([passage_document(passage_id) for passage_id in ids], fmt)
    filename = f"shuangyu-{len(ids)}-passages.{fmt}"
    return Response(
        body,
        content_type=EXPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@api.get("/reports")
def reports():
    """Every report with its metadata and passage counts."""
    return jsonify({"reports": get_searcher().manifest.reports})


@api.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    report_ids = tuple(entry["id"] for entry in get_searcher().manifest.reports)
    return jsonify(openapi_document(absolute_url("pages.search").rstrip("/") or "/", report_ids))
