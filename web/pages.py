"""The HTML pages (and /healthz) as one blueprint, ``pages``: its routes, each to the view of the
module that holds it, and the helpers its templates call."""

from __future__ import annotations

from flask import Blueprint, current_app
from shuangyu.web import api_docs, health, report_pages, search_pages
from shuangyu.web.i18n import duration, results_summary, translate_count
from shuangyu.web.page_citations import date_basis_note, inferred_fields
from shuangyu.web.searching import needs_no_index

pages = Blueprint("pages", __name__)
pages.add_app_template_global(translate_count, "tn")
pages.add_app_template_global(duration)
pages.add_app_template_global(results_summary)
pages.add_app_template_global(date_basis_note)
pages.add_app_template_global(inferred_fields)


@needs_no_index
def favicon():
    """The site's icon where browsers and feed readers look for it without a <link rel="icon">
    (API documents, downloads): the SVG the pages link to."""
    return current_app.send_static_file("favicon.svg")


ROUTES = (
    ("/", search_pages.search),
    ("/embed", search_pages.embed),
    ("/favicon.ico", favicon),
    ("/p/<path:passage_id>", report_pages.passage),
    ("/p/<path:passage_id>/cite.<fmt>", report_pages.citation_file),
    ("/r/<report_id>", report_pages.report),
    ("/r/<report_id>/source", report_pages.report_source),
    ("/r/", report_pages.report_index),
    ("/reports", report_pages.reports),
    ("/api", api_docs.api_docs),
    ("/healthz", health.healthz),
)
for rule, view in ROUTES:
    pages.add_url_rule(rule, view_func=view, methods=["GET"])
