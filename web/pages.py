"""The HTML pages: search, passage permalinks, report view, embeddable results, health."""

from __future__ import annotations

import math
import mimetypes
import re
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from pypinyin import lazy_pinyin
from shuangyu.index.sources.corpus import parse_date, source_of
from shuangyu.index.sources.ids import REPORT_ID_PATTERN
from shuangyu.search.cite import (
    CITATION_NAMES,
    FORMATS,
    STYLE_LABELS,
    all_citations,
    citable,
    citations_html,
    csl_record,
    date_is_inferred,
    meta_tags,
)
from shuangyu.search.export import EXPORT_FORMATS, MAX_EXPORT
from shuangyu.search.query import QueryError
from shuangyu.search.searcher import newest_first, oldest_first
from shuangyu.web.api import passage_document
from shuangyu.web.api_docs import api_examples, api_operations, api_schemas
from shuangyu.web.app import absolute_url, settings_of
from shuangyu.web.i18n import EXAMPLES, STRINGS, duration, translate, translate_count, ui_language
from shuangyu.web.openapi import openapi_document
from shuangyu.web.params import parse_search
from shuangyu.web.searching import get_searcher, needs_no_index, run_search

pages = Blueprint("pages", __name__)
pages.add_app_template_global(translate_count, "tn")
pages.add_app_template_global(duration)

PAGE_SIZE = 10
# Page links shown on each side of the current page (with the first and the last always shown).
PAGE_LINKS_AROUND = 2
# The citations a reader copies from a result: the styles written as text, not the file formats.
COPY_STYLES = tuple(
    name for name in CITATION_NAMES if name not in {name for _, name in FORMATS.values()}
)
# Passages per page of the report view: a report of any size is sent a page at a time.
REPORT_PAGE_SIZE = 50


@pages.get("/")
@needs_no_index
def search():
    """The search page: the query stays in the URL (``/?q=…&page=2&sort=date``), so it can be
    shared. A page past the last says so and links back to the last one. Without an index, the
    page without a query says how to make one (a query gets the 503 page)."""
    args = request.args.to_dict()
    page = _page_number(args.pop("page", None))
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
        )
    pages_count = math.ceil(response["total"] / PAGE_SIZE) if response else 0
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
        past_end=bool(response and response["total"] and page > pages_count),
        citations=_result_citations(response["results"]) if response else {},
        copy_styles=[(style, style_label(style)) for style in COPY_STYLES],
        default_style=_default_style(),
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
    the reports with matches by year (newest first, undated last), and a histogram over every
    year from the collection's first to its last: the share of the year's passages that match
    (a year of thirty reports would dwarf the others by its count), in ``HISTOGRAM_STEPS``."""
    collection = {entry["id"]: entry for entry in get_searcher().manifest["reports"]}
    passages_in: dict[int, int] = {}
    for entry in collection.values():
        if parse_date(entry.get("date", "")):
            year = int(entry["date"][:4])
            passages_in[year] = passages_in.get(year, 0) + entry.get("passages", 0)
    entries = []
    for entry in response["reports"]:
        date = collection.get(entry["id"], {}).get("date", "")
        entries.append({**entry, "date": date, "year": date[:4] if parse_date(date) else ""})
    newest = newest_first(entries)
    by_count = sorted(entries, key=lambda entry: (-entry["count"], newest[entry["id"]]))
    active = response.get("report")
    top = by_count[:TOP_REPORTS]
    if active and all(entry["id"] != active for entry in top):
        top = [entry for entry in by_count if entry["id"] == active] + top[: TOP_REPORTS - 1]
    years: dict[str, list[dict]] = {}
    for entry in sorted(entries, key=lambda entry: newest[entry["id"]]):
        years.setdefault(entry["year"], []).append(entry)
    matches = {
        int(year): sum(entry["count"] for entry in group) for year, group in years.items() if year
    }
    shares = {
        year: matches.get(year, 0) / passages for year, passages in passages_in.items() if passages
    }
    most = max(shares.values(), default=0) or 1
    histogram = [
        {
            "year": year,
            "matches": matches.get(year, 0),
            "passages": passages_in.get(year, 0),
            "percent": round(100 * shares.get(year, 0)),
            "step": math.ceil(HISTOGRAM_STEPS * shares.get(year, 0) / most),
        }
        for year in range(min(passages_in, default=0), max(passages_in, default=-1) + 1)
    ]
    return {
        "active": active,
        "top": top,
        "count": len(entries),
        "histogram": histogram,
        "years": [
            {"year": year, "reports": years[year]}
            for year in sorted(years, key=lambda year: (bool(year), year), reverse=True)
        ],
    }


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


def _result_citations(results: list[dict]) -> dict[str, dict[str, str]]:
    """Each result's citations (``search.cite``) by passage id, for its copy button."""
    searcher = get_searcher()
    reports = {result["report_id"]: searcher.report(result["report_id"]) for result in results}
    # A build that switched in since the search may have removed a report: its results go uncopied.
    return {
        result["id"]: all_citations(
            citable(
                result,
                reports[result["report_id"]],
                absolute_url("pages.passage", passage_id=result["id"]),
            ),
            searcher.dictionary,
        )
        for result in results
        if reports[result["report_id"]] is not None
    }


def style_label(style: str) -> str:
    """The name of a citation style in the interface (a style ``web.i18n`` has no name for
    is shown by its own name)."""
    return translate(f"style_{style}") if f"style_{style}" in STRINGS else style


def _default_style() -> str:
    """The style a copy button copies unless the reader picks another: GB/T 7714-2025 (in force
    since 2026-07-01) in the Chinese interface, APA as a paper in English cites a Chinese work
    (pinyin, the Chinese in brackets) in the English one (the first style when the preferred
    one is missing)."""
    preferred = "gb_t_7714_2025" if ui_language() == "zh" else "apa_en"
    return preferred if preferred in COPY_STYLES else COPY_STYLES[0]


def citation_styles() -> list[tuple[str, str]]:
    """The styles a passage or report page shows, as (name, label in the interface language):
    the English-language forms first in the English interface, last in the Chinese one."""
    english_first = ui_language() == "en"
    names = sorted(STYLE_LABELS, key=lambda name: name.endswith("_en") != english_first)
    return [(name, style_label(name)) for name in names]


def date_inferred(report_id: str) -> bool:
    """True when the metadata says the report's date is inferred, not printed in it."""
    report = get_searcher().report(report_id) or {}
    return date_is_inferred(report.get("date_basis", ""))  # as the citations say it


# The date bases the build writes for a report without metadata (index.sources.corpus,
# index.sources.inferred_metadata), by their opening words: the interface says them in its language.
_BUILT_DATE_BASES = (
    ("inferred from the report's opening line", "basis_opening_line"),
    ("inferred from the file name", "basis_file_name"),
    ("inferred from the date its web copy", "basis_web_copy"),
    ("inferred from", "basis_file_made"),
    ("from", "basis_file_properties"),
)
_BUILT_BASIS_END = "(no metadata file)."


@pages.app_template_global()
def date_basis_note(basis: str) -> tuple[str, bool]:
    """How a report's date is known, as an interface text key, and whether the basis says more
    than the key (an editor's reasoning in its metadata file, written in English)."""
    words = " ".join(basis.split()).lower()
    if words.endswith(_BUILT_BASIS_END):
        key = next((key for opening, key in _BUILT_DATE_BASES if words.startswith(opening)), None)
        if key:
            return key, False
    return ("basis_editor" if date_is_inferred(basis) else "basis_metadata"), True


# The fields a build may read from a report's own text, in the order the note names them (the
# date has its own note, ``date_basis_note``).
_INFERRED_SHOWN = ("title", "subtitle", "authors", "publisher")


@pages.app_template_global()
def inferred_fields(report: dict) -> str:
    """A sentence saying which of the report's title, subtitle, speaker and publisher were read
    from its own text (it came without a metadata file), or "" when none was."""
    fields = [
        translate(f"field_{name}") for name in _INFERRED_SHOWN if name in report.get("inferred", ())
    ]
    if not fields:
        return ""
    return translate("inferred_fields", fields=translate("list_separator").join(fields))


def _page_number(raw: str | None, last: int = 1000) -> int:
    """The page number ``raw`` (1 when absent); ``QueryError`` unless it is 1 to ``last``."""
    if raw in (None, ""):
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= last:
        raise QueryError(f"page must be a whole number between 1 and {last}")
    return int(raw)


@pages.get("/embed")
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


@pages.get("/favicon.ico")
@needs_no_index
def favicon():
    """The site's icon where browsers and feed readers look for it without a <link rel="icon">
    (API documents, downloads): the SVG the pages link to."""
    return current_app.send_static_file("favicon.svg")


@pages.get("/p/<path:passage_id>")
def passage(passage_id: str):
    """A passage's permalink: the passage in both languages, its context and its citations."""
    document = passage_document(passage_id)
    searcher = get_searcher()
    context = [
        searcher.passage(other) for other in (document["previous_id"], document["next_id"]) if other
    ]
    fragment = quote(document["text"][:30], safe="")
    return render_template(
        "passage.html",
        passage=document,
        context=context,
        fragment=fragment,
        citation_styles=citation_styles(),
        head=citation_head(
            document["citation_record"],
            document["url"],
            document["text"],
            citation_links(document["id"]),
            pdf_url=pdf_url(document["report"]),
        ),
    )


@pages.get("/p/<path:passage_id>/cite.<fmt>")
def citation_file(passage_id: str, fmt: str):
    """A citation to download: BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)."""
    if fmt not in FORMATS:
        abort(404, description=f"no citation format {fmt[:20]!r}; use bib, ris or json")
    document = passage_document(passage_id)
    content_type, name = FORMATS[fmt]
    body = document["citations"][name]
    filename = f"{document['id'].replace(':', '-')}.{fmt}"
    return Response(
        body, content_type=content_type, headers={"Content-Disposition": attachment(filename)}
    )


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` for downloading ``filename``: an ASCII ``filename`` every client
    reads (other characters as ``_``), and the exact name as RFC 5987 ``filename*``."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@pages.get("/r/<report_id>")
def report(report_id: str):
    """The report a page at a time (``?page=N``, ``REPORT_PAGE_SIZE`` passages each), with links
    to the other pages; ``#<passage-id>`` highlights one (``passage_in_report_url`` finds its page)."""
    searcher = get_searcher()
    found = searcher.report(report_id) if REPORT_ID_PATTERN.match(report_id) else None
    if found is None:
        abort(404, description=f"no report with id {report_id[:100]!r}")
    pages_count = max(1, math.ceil(found.get("passages", 0) / REPORT_PAGE_SIZE))
    page = _page_number(request.args.get("page"), pages_count)
    first = (page - 1) * REPORT_PAGE_SIZE + 1
    passages = searcher.report_passages(report_id, first, REPORT_PAGE_SIZE)
    item = citable(None, found, absolute_url("pages.report", report_id=report_id))
    head = citation_head(
        csl_record(item),
        absolute_url("pages.report", report_id=report_id, page=page if page > 1 else None),
        " ".join(passage["text"] for passage in passages[:3]),
        pdf_url=pdf_url(found),
    )
    return render_template(
        "report.html",
        report=found,
        passages=passages,
        page=page,
        pages_count=pages_count,
        head=head,
        citations=citations_html(item, searcher.dictionary),
        citation_styles=citation_styles(),
    )


@pages.get("/r/<report_id>/source")
def report_source(report_id: str):
    """The file the report was read from (a PDF, a Word file, a web page, a text), as received,
    while it is in the corpus folder unchanged since the index was built; else a 404 that says so."""
    found = get_searcher().report(report_id) if REPORT_ID_PATTERN.match(report_id) else None
    if found is None:
        abort(404, description=f"no report with id {report_id[:100]!r}")
    path = source_of(settings_of(current_app).corpus_dir, found)
    if path is None:
        abort(
            404,
            description="the file this report was read from is no longer in the corpus folder as it was indexed",
        )
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/"):
        mimetype += "; charset=" + (found.get("encoding") or "utf-8").replace("-sig", "")
    response = send_file(path, mimetype=mimetype, download_name=path.name, conditional=True)
    response.headers["Content-Disposition"] = attachment(path.name).replace(
        "attachment", "inline", 1
    )
    # A received HTML file is shown as text, never run in the site's origin.
    if mimetype.startswith("text/html"):
        response.headers["Content-Type"] = response.headers["Content-Type"].replace(
            "text/html", "text/plain"
        )
    return response


def pdf_url(report: dict) -> str:
    """The absolute URL of a PDF report's own file, for ``citation_pdf_url`` (Zotero saves it with
    the item); "" for another format or when the file is not served (``report_source``)."""
    if (
        report.get("format") != "pdf"
        or source_of(settings_of(current_app).corpus_dir, report) is None
    ):
        return ""
    return absolute_url("pages.report_source", report_id=report["id"])


@pages.get("/r/")
def report_index():
    """The folder of the report pages lists them: ``/reports``."""
    return redirect(url_for("pages.reports", ui=request.args.get("ui")), 301)


# The orders of the reports page, each with the direction it starts in: the newest, the first
# title (by pinyin in the Chinese interface, by the English in the English one), the longest.
REPORT_ORDERS = {"date": "desc", "title": "asc", "passages": "desc"}


@pages.get("/reports")
def reports():
    """Every report of the collection with its title, date and passages, each linked to its
    page, in the order of ``?sort=`` (``date``, ``title`` or ``passages``) and ``?order=``
    (``asc`` or ``desc``; by default, the newest, A to Z, the longest first)."""
    sort = request.args.get("sort") or "date"
    if sort not in REPORT_ORDERS:
        raise QueryError(f"sort must be one of {', '.join(REPORT_ORDERS)}")
    order = request.args.get("order") or REPORT_ORDERS[sort]
    if order not in ("asc", "desc"):
        raise QueryError("order must be asc or desc")
    listed = sorted_reports(get_searcher().manifest["reports"], sort, descending=order == "desc")
    return render_template(
        "reports.html",
        reports=listed,
        sort=sort,
        order=order,
        orders=REPORT_ORDERS,
        passages=sum(entry.get("passages", 0) for entry in listed),
        date_inferred=date_inferred,
    )


def sorted_reports(entries: list[dict], sort: str, descending: bool) -> list[dict]:
    """``entries`` (the manifest's reports) in the order of ``sort``; undated reports come last
    in either direction of a sort by date, and ties go to the newest."""
    newest = newest_first(entries)
    if sort == "date":
        ranks = newest if descending else oldest_first(entries)
        return sorted(entries, key=lambda entry: ranks[entry["id"]])
    if sort == "title":
        key = _english_title_key if ui_language() == "en" else _chinese_title_key
    else:
        key = _passages_key
    # Python's sort is stable, reversed too: equal keys keep the newest first.
    by_date = sorted(entries, key=lambda entry: newest[entry["id"]])
    return sorted(by_date, key=key, reverse=descending)


def _chinese_title_key(entry: dict) -> list[str]:
    """A title's place in a Chinese list: by its pinyin, as dictionaries order words."""
    return lazy_pinyin(entry["title"].casefold())


def _english_title_key(entry: dict) -> str:
    return (entry.get("title_en") or " ".join(lazy_pinyin(entry["title"]))).casefold()


def _passages_key(entry: dict) -> int:
    return entry.get("passages", 0)


@pages.get("/api")
@needs_no_index
def api_docs():
    """The JSON API for a reader: the OpenAPI document of ``/api/openapi.json`` as a page, with a
    request to try for each operation (those about a passage only when there is an index)."""
    document = openapi_document(absolute_url("pages.search").rstrip("/") or "/", ())
    searcher = get_searcher()
    reports = searcher.manifest["reports"] if searcher.has_index() else []
    examples = api_examples(url_for, f"{reports[0]['id']}:p001" if reports else None)
    return render_template(
        "api_docs.html",
        document=document,
        operations=api_operations(document, examples),
        schemas=api_schemas(document),
    )


# The description a page gives of itself (<meta name="description">), in characters.
DESCRIPTION_CHARS = 160
FORMAT_NAMES = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}


def citation_head(
    record: dict,
    canonical: str,
    text: str,
    downloads: dict[str, str] | None = None,
    pdf_url: str = "",
) -> dict:
    """What the <head> of a page that shows one citable item carries, so that reference
    managers read it: its meta tags (``search.cite.meta_tags``), its canonical URL, a
    description (the opening of its text) and links to its citation files by type."""
    description = " ".join(text.split())
    if len(description) > DESCRIPTION_CHARS:
        description = description[: DESCRIPTION_CHARS - 1] + "…"
    alternates = [
        (FORMATS[fmt][0].split(";")[0], FORMAT_NAMES[fmt], href)
        for fmt, href in (downloads or {}).items()
    ]
    return {
        "meta": meta_tags(record, pdf_url=pdf_url),
        "canonical": canonical,
        "description": description,
        "alternates": alternates,
    }


def passage_in_report_url(passage_id: str, anchor: str | None = None) -> str:
    """The link to a passage (``<report-id>:pNNN``) in the report view: the page that holds it,
    anchored at the passage (or at ``anchor``, such as a text fragment)."""
    report_id, _, ordinal = passage_id.rpartition(":p")
    page = (int(ordinal) - 1) // REPORT_PAGE_SIZE + 1
    return url_for(
        "pages.report",
        report_id=report_id,
        page=page if page > 1 else None,
        _anchor=anchor or passage_id,
    )


@pages.get("/healthz")
def healthz():
    """200 with the index's build time and size and the searches under way when the service
    can answer; 503 with ``"status": "stuck"`` when a search has run far past its time budget,
    and a 503 problem when there is no usable index."""
    searcher = get_searcher()
    manifest = searcher.manifest  # IndexUnavailable becomes a 503 problem
    health = searcher.health()
    body = {
        "status": "stuck" if health["stuck"] else "ok",
        "built_at": manifest["built_at"],
        "passages": manifest["passages"],
        "reports": len(manifest["reports"]),
        "engines": manifest["engines"],
        "searches_running": health["searches_running"],
        "longest_search_ms": health["longest_search_ms"],
        "semantic": searcher.semantic_status(),
    }
    return jsonify(body), 503 if health["stuck"] else 200


def citation_links(passage_id: str) -> dict[str, str]:
    """The download links of a passage's citation files, by extension."""
    return {fmt: url_for("pages.citation_file", passage_id=passage_id, fmt=fmt) for fmt in FORMATS}
