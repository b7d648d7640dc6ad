"""The process's one Searcher, wired into the Flask app, and the settings the app was made with."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request
from shuangyu.index.english.dictionary import Dictionary
from shuangyu.index.semantic.embedding import load_embedder
from shuangyu.search.searcher import MAX_READERS, Searcher
from shuangyu.web.settings import Settings

EXTENSION = "shuangyu.searcher"


def init_app(app: Flask) -> None:
    """Give ``app`` a Searcher over the index of its settings, shared by all its threads; the
    settings' search time budget bounds each search. The config's ``SEARCH_READERS`` is how
    many run at once, ``SEARCH_STUCK_AFTER`` (seconds) when /healthz calls a search stuck. The
    settings' embedder embeds the queries of the semantic side (its model loads at the first)."""
    settings = settings_of(app)
    app.extensions[EXTENSION] = Searcher(
        settings.index_dir,
        Dictionary(settings.instance_dir),
        time_budget=settings.search_time_budget,
        max_readers=int(app.config.get("SEARCH_READERS", MAX_READERS)),
        stuck_after=app.config.get("SEARCH_STUCK_AFTER"),
        embedder=load_embedder(settings.embedder),
        cluster=settings.cluster,
        exact_up_to=settings.exact_counts or None,
    )
    app.before_request(require_index)


def needs_no_index(view: Callable) -> Callable:
    """Mark ``view`` as one that answers without an index (``require_index`` lets it run)."""
    view.needs_no_index = True
    return view


def require_index() -> None:
    """Refuse a request to a view that reads the index, when there is none, with the 503 of
    ``IndexUnavailable`` (a problem under /api/, a page elsewhere): checked before the view, not
    when a view or the ETag hook (``web.headers``) first reads the index, which some answers
    never do (an empty query). Static files, views marked ``needs_no_index``, preflight requests
    and URLs that match no route pass."""
    view = current_app.view_functions.get(request.endpoint or "")
    if (
        view is None
        or request.endpoint == "static"
        or request.method == "OPTIONS"
        or getattr(view, "needs_no_index", False)
    ):
        return
    _ = get_searcher().manifest  # IndexUnavailable when there is no usable index


def searcher_of(app: Flask) -> Searcher:
    """The Searcher of ``app``."""
    return app.extensions[EXTENSION]


def get_searcher() -> Searcher:
    """The Searcher of the app handling the current request."""
    return searcher_of(current_app)


def run_search(text: str, **options) -> dict:
    """The Searcher's response to the current request. One cut short by the time budget, or
    made while the passages' vectors are being made, is marked so that no cache keeps it
    (``web.headers``)."""
    response = get_searcher().search(text, **options)
    # Cut short, or answered while the vectors are being made: asked again, it may be whole.
    if response.get("partial") or response["semantic"]["state"] == "embedding":
        g.uncacheable = True
    return response


def settings_of(app: Flask) -> Settings:
    """The settings ``app`` was made with."""
    return app.config["SETTINGS"]
