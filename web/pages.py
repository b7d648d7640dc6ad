"""The HTML pages: search, passage permalinks, report view, embeddable results, health."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from search.cite import FORMATS
from search.query import QueryError
from web.api import passage_document
from web.i18n import EXAMPLES
from web.params import parse_search
from web.searching import REPORT_ID, get_searcher

pages = Blueprint("pages", __name__)

PAGE_SIZE = 10


@pages.get("/")
def search():
    """The search page: the query stays in the URL (``/?q=…&page=2``), so it can be shared."""
    args = request.args.to_dict()
    page = _page_number(args.pop("page", None))
    args["offset"], args["limit"] = str((page - 1) * PAGE_SIZE), str(PAGE_SIZE)
    params = parse_search(args)
    response = None
    if params["q"]:
        response = get_searcher().search(params["q"], limit=PAGE_SIZE, offset=params["offset"],
                                         lang=params["lang"], report=params["report"])
    return render_template("search.html", params=params, response=response, page=page, page_size=PAGE_SIZE,
                           examples=EXAMPLES)


def _page_number(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise QueryError("page must be a whole number between 1 and 1000")
    return int(raw)


@pages.get("/embed")
def embed():
    """Compact results for an <iframe> on another site (the only page that may be framed)."""
    params = parse_search(request.args)
    response = get_searcher().search(params["q"], limit=min(params["limit"], 20), lang=params["lang"],
                                     report=params["report"]) if params["q"] else None
    return render_template("embed.html", params=params, response=response)


@pages.get("/p/<path:passage_id>")
def passage(passage_id: str):
    """A passage's permalink: the passage in both languages, its context and its citations."""
    document = passage_document(passage_id)
    searcher = get_searcher()
    context = [searcher.passage(other) for other in (document["previous_id"], document["next_id"]) if other]
    fragment = quote(document["text"][:30], safe="")
    return render_template("passage.html", passage=document, context=context, fragment=fragment)


@pages.get("/p/<path:passage_id>/cite.<fmt>")
def citation_file(passage_id: str, fmt: str):
    """A citation to download: BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)."""
    if fmt not in FORMATS:
        abort(404, description=f"no citation format {fmt[:20]!r}; use bib, ris or json")
    document = passage_document(passage_id)
    mimetype, name = FORMATS[fmt]
    body = document["citations"][name]
    filename = f"{document['id'].replace(':', '-')}.{fmt}"
    return Response(body, mimetype=mimetype.split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Content-Type": mimetype})


@pages.get("/r/<report_id>")
def report(report_id: str):
    """The whole report as passages; ``#<passage-id>`` highlights one."""
    searcher = get_searcher()
    found = searcher.report(report_id) if REPORT_ID.match(report_id) else None
    if found is None:
        abort(404, description=f"no report with id {report_id[:100]!r}")
    return render_template("report.html", report=found, passages=searcher.report_passages(report_id))


@pages.get("/healthz")
def healthz():
    """200 with the index's build time and size when the service can answer; a 503 problem
    otherwise."""
    manifest = get_searcher().manifest  # IndexUnavailable becomes a 503 problem
    return jsonify({"status": "ok", "built_at": manifest["built_at"], "passages": manifest["passages"],
                    "reports": len(manifest["reports"]), "engines": manifest["engines"]})


def citation_links(passage_id: str) -> dict[str, str]:
    """The download links of a passage's citation files, by extension."""
    return {fmt: url_for("pages.citation_file", passage_id=passage_id, fmt=fmt) for fmt in FORMATS}

