"""/healthz: whether the service can answer, for load balancers and monitors."""

from __future__ import annotations

from flask import jsonify
from shuangyu.web.searching import get_searcher


def healthz():
    """200 with the index's build time and size and the searches under way when the service
    can answer; 503 with ``"status": "stuck"`` when a search has run far past its time budget,
    and a 503 problem when there is no usable index."""
    searcher = get_searcher()
    manifest = searcher.manifest  # IndexUnavailable becomes a 503 problem
    health = searcher.health()
    body = {
        "status": "stuck" if health["stuck"] else "ok",
        "built_at": manifest.built_at,
        "passages": manifest.passages,
        "reports": len(manifest.reports),
        "engines": manifest.translators,
        "searches_running": health["searches_running"],
        "longest_search_ms": health["longest_search_ms"],
        "semantic": searcher.semantic_status(),
    }
    return jsonify(body), 503 if health["stuck"] else 200
