"""Response headers for every route: security, CORS on the API, ETags, the UI-language cookie."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request
from shuangyu.web.i18n import ui_language
from shuangyu.web.interface_text import UI_LANGUAGES
from shuangyu.web.searching import get_searcher

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
# Paths whose answer depends only on the index and the request: they get an ETag.
CACHEABLE_PREFIXES = ("/api/", "/p/", "/r/", "/embed")
FRAMEABLE = ("/embed",)


def init_app(app: Flask) -> None:
    """Add the header hooks to ``app``."""

    @app.after_request
    def add_headers(response: Response) -> Response:
        path = request.path
        frameable = path.startswith(FRAMEABLE)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
            ancestors="*" if frameable else "'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if not frameable:
            response.headers["X-Frame-Options"] = "DENY"
        if path.startswith("/api/") or path == "/healthz":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        else:
            response.vary.update(("Accept-Language", "Cookie"))
        if g.get("varies_by_host"):
            response.vary.add("Host")
        asked = request.args.get("ui")
        if asked in UI_LANGUAGES and request.cookies.get("ui") != asked:
            response.set_cookie("ui", asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if path == "/healthz" or g.get("uncacheable"):
            # Health changes from one moment to the next; a partial answer may be whole next time.
            response.headers["Cache-Control"] = "no-store"
        elif (
            response.status_code == 200
            and request.method in ("GET", "HEAD")
            and path.startswith(CACHEABLE_PREFIXES)
        ):
            _make_conditional(response)
        return response


def _make_conditional(response: Response) -> None:
    """ETag from the index build, its vectors and the request: clients revalidate and get 304
    until a new index (or its vectors) is switched in."""
    searcher = get_searcher()
    manifest = searcher.manifest
    host = request.host if g.get("varies_by_host") else ""
    # The vectors come after the index is switched in: an answer made before them differs.
    semantic = searcher.semantic_status()
    key = "\0".join(
        (
            manifest.built_at,
            manifest.corpus_fingerprint,
            request.full_path,
            ui_language(),
            host,
            semantic["state"],
            str(semantic.get("passages", "")),
        )
    )
    response.set_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, no-cache"
    response.make_conditional(request)
