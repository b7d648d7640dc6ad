"""One place that turns errors into responses: problem+json under /api/, an HTML page elsewhere.

Nothing a user sends produces a 500 with a traceback: unexpected errors are logged and answered
with a plain 500 problem or page, and an error page that cannot be rendered falls back to a
minimal one.
"""

from __future__ import annotations

import math
from html import escape

from flask import Flask, Response, current_app, json, render_template, request
from flask_limiter.errors import RateLimitExceeded
from shuangyu.index.engines.store import IndexUnavailable
from shuangyu.search.query import QueryError
from shuangyu.web.interface_text import EXAMPLES, STRINGS
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
# The error statuses whose page title the interface has in both languages (web.i18n: error_<status>).
ERROR_TITLES = frozenset(key for key in STRINGS if key.startswith("error_") and key[6:].isdigit())


def problem(status: int, title: str, detail: str) -> Response:
    """An RFC 9457 problem response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


FALLBACK_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>{status} {title}</title></head>'
    '<body><h1>{status} {title}</h1><p>{detail}</p><p><a href="/">Search</a></p></body></html>'
)


def _respond(status: int, title: str, detail: str):
    if _wants_json():
        return problem(status, title, detail)
    try:
        return render_template(
            "error.html",
            status=status,
            title=title,
            detail=detail,
            examples=EXAMPLES,
            error_titles=ERROR_TITLES,
        ), status
    except Exception:  # the error page itself failed: answer with one that has nothing to fail
        current_app.logger.exception("the error page failed on %s", request.path)
        page = FALLBACK_PAGE.format(status=status, title=escape(title), detail=escape(detail))
        return Response(page, status=status, mimetype="text/html")


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""

    @app.errorhandler(QueryError)
    def bad_query(error: QueryError):
        return _respond(400, "Bad Request", str(error))

    @app.errorhandler(IndexUnavailable)
    def no_index(error: IndexUnavailable):
        return _respond(503, "Service Unavailable", str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = app.make_response(
            _respond(error.code or 500, error.name, error.description or error.name)
        )
        # A 405 must say which methods are allowed (RFC 9110), as Werkzeug's own page does.
        for name, value in error.get_headers():
            if name == "Allow":
                response.headers["Allow"] = value
        if isinstance(error, RateLimitExceeded):
            # The window of the limit that was exceeded: by then the client is surely allowed again.
            response.headers["Retry-After"] = str(math.ceil(error.limit.limit.get_expiry()))
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        return _respond(
            500, "Internal Server Error", "Something went wrong on our side; the error was logged."
        )
