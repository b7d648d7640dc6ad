"""The pages of passages and reports: a passage's permalink and citation files, the report view a
page at a time, its source file, and the list of every report."""

from __future__ import annotations

import math
import mimetypes
import re
from urllib.parse import quote

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from pypinyin import lazy_pinyin
from shuangyu.index.sources.corpus import source_of
from shuangyu.index.sources.ids import REPORT_ID_PATTERN
from shuangyu.search.citation.csl import citable, csl_record
from shuangyu.search.citation.styles import FORMATS, citations_html
from shuangyu.search.query import QueryError
from shuangyu.search.report_dates import newest_first, oldest_first
from shuangyu.web.api import passage_document
from shuangyu.web.i18n import ui_language
from shuangyu.web.page_citations import citation_head, citation_styles, date_inferred, pdf_url
from shuangyu.web.params import page_number
from shuangyu.web.search_pages import reports_matching
from shuangyu.web.searching import get_searcher, settings_of
from shuangyu.web.urls import REPORT_PAGE_SIZE, absolute_url, citation_links


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


def report(report_id: str):
    """The report a page at a time (``?page=N``, ``REPORT_PAGE_SIZE`` passages each), with links
    to the other pages; ``#<passage-id>`` highlights one (``passage_in_report_url`` finds its page)."""
    searcher = get_searcher()
    found = searcher.report(report_id) if REPORT_ID_PATTERN.match(report_id) else None
    if found is None:
        abort(404, description=f"no report with id {report_id[:100]!r}")
    pages_count = max(1, math.ceil(found.get("passages", 0) / REPORT_PAGE_SIZE))
    page = page_number(request.args.get("page"), pages_count)
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


def report_index():
    """The folder of the report pages lists them: ``/reports``."""
    return redirect(url_for("pages.reports", ui=request.args.get("ui")), 301)


# The orders of the reports page, each with the direction it starts in: the newest, the first
# title (by pinyin in the Chinese interface, by the English in the English one), the longest.
REPORT_ORDERS = {"date": "desc", "title": "asc", "passages": "desc"}


def reports():
    """Every report of the collection with its title, date and passages, each linked to its
    page, in the order of ``?sort=`` (``date``, ``title`` or ``passages``) and ``?order=``
    (``asc`` or ``desc``; by default, the newest, A to Z, the longest first). With ``?q=``,
    the reports that match the query, by year (``search_pages.reports_matching``)."""
    if "q" in request.args:
        return reports_matching()
    sort = request.args.get("sort") or "date"
    if sort not in REPORT_ORDERS:
        raise QueryError(f"sort must be one of {', '.join(REPORT_ORDERS)}")
    order = request.args.get("order") or REPORT_ORDERS[sort]
    if order not in ("asc", "desc"):
        raise QueryError("order must be asc or desc")
    listed = sorted_reports(get_searcher().manifest.reports, sort, descending=order == "desc")
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
