"""The URLs the site writes: absolute ones (under the settings' base URL, or an allowed host of
the request), a passage's place in the report view, and its citation files."""

from __future__ import annotations

import re

from flask import current_app, g, request, url_for
from shuangyu.search.citation.styles import FORMATS
from shuangyu.web.searching import settings_of

# Passages per page of the report view: a report of any size is sent a page at a time.
REPORT_PAGE_SIZE = 50


# A Host header: a name or a bracketed IPv6 address, then an optional port.
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?$")


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint``: under ``BASE_URL`` when one is set; else under the
    request's own scheme and host when that host is allowed; else the path alone. A response
    using the request's host is marked to vary by ``Host``."""
    path = url_for(endpoint, **values)
    settings = settings_of(current_app)
    base = settings.base_url
    if base:
        return base + path.removeprefix(request.script_root)
    g.varies_by_host = True
    match = _HOST.match(request.host)
    if match and match.group(1).lower().strip("[]") in settings.allowed_hosts:
        return f"{request.scheme}://{request.host}{path}"
    return path


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


def citation_links(passage_id: str) -> dict[str, str]:
    """The download links of a passage's citation files, by extension."""
    return {fmt: url_for("pages.citation_file", passage_id=passage_id, fmt=fmt) for fmt in FORMATS}
