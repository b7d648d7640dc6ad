"""The process's one Searcher, wired into the Flask app."""

from __future__ import annotations

import re

from flask import Flask, current_app, g

from search.searcher import MAX_READERS, TIME_BUDGET_SECONDS, Searcher

EXTENSION = "shuangyu.searcher"
PASSAGE_ID = re.compile(r"^[\w-]{1,80}:p\d{3,7}$")
REPORT_ID = re.compile(r"^[\w-]{1,80}$")


def init_app(app: Flask) -> None:
    """Give ``app`` a Searcher over its ``INDEX_DIR``, shared by all its threads; the config's
    ``SEARCH_TIME_BUDGET`` (seconds) bounds each search, ``SEARCH_READERS`` how many run at once,
    ``SEARCH_STUCK_AFTER`` (seconds) when /healthz calls a search stuck."""
    app.extensions[EXTENSION] = Searcher(app.config["INDEX_DIR"],
                                         time_budget=app.config.get("SEARCH_TIME_BUDGET", TIME_BUDGET_SECONDS),
                                         max_readers=int(app.config.get("SEARCH_READERS", MAX_READERS)),
                                         stuck_after=app.config.get("SEARCH_STUCK_AFTER"))


def searcher_of(app: Flask) -> Searcher:
    """The Searcher of ``app``."""
    return app.extensions[EXTENSION]


def get_searcher() -> Searcher:
    """The Searcher of the app handling the current request."""
    return searcher_of(current_app)


def run_search(text: str, **options) -> dict:
    """The Searcher's response to the current request. One cut short by the time budget is
    marked so that no cache keeps it (``web.headers``): asked again, it may be whole."""
    response = get_searcher().search(text, **options)
    if response.get("partial"):
        g.uncacheable = True
    return response
