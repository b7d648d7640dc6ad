"""The Flask application factory, the site's settings, and the absolute URLs they allow."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for

from index.settings import CORPUS_DIR, INDEX_DIR, SettingError
from search.searcher import TIME_BUDGET_SECONDS


@dataclass(frozen=True)
class SiteSetting:
    """A setting of the site: its config key, environment variable, default and help."""

    name: str
    env: str
    default: str
    help: str


SITE_SETTINGS = (
    SiteSetting("BASE_URL", "SHUANGYU_BASE_URL", "",
                "Public URL of the site (e.g. https://search.example.org), used for every absolute link. Empty: the "
                "request's host when it is an allowed host, else links stay relative."),
    SiteSetting("ALLOWED_HOSTS", "SHUANGYU_ALLOWED_HOSTS", "localhost,127.0.0.1,::1",
                "Comma-separated host names whose Host header may make absolute links when no base URL is set."),
    SiteSetting("RATE_LIMIT", "SHUANGYU_RATE_LIMIT", "",
                "Requests per client address to /api/, e.g. '120 per minute' or '10/second;1000/hour'. Empty: no limit."),
    SiteSetting("SEARCH_TIME_BUDGET", "SHUANGYU_SEARCH_TIME_BUDGET", str(TIME_BUDGET_SECONDS),
                "Seconds one search may walk its matches; past them it answers the best it has seen, marked partial."),
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Shuangyu app. Settings come from the environment (``SITE_SETTINGS``, the index
    and corpus folders); ``test_config`` overrides them. Raises ``SettingError`` for a bad value."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(CORPUS_DIR=CORPUS_DIR.value(), INDEX_DIR=INDEX_DIR.value(),
                            **{setting.name: os.environ.get(setting.env, setting.default) for setting in SITE_SETTINGS})
    if test_config:
        app.config.update(test_config)
    app.config["BASE_URL"] = checked_base_url(app.config["BASE_URL"])
    app.config["ALLOWED_HOSTS"] = allowed_hosts(app.config["ALLOWED_HOSTS"])
    app.config["SEARCH_TIME_BUDGET"] = checked_seconds(app.config["SEARCH_TIME_BUDGET"])
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from web import errors, headers, searching
    from web.api import api, limit_rate
    from web.i18n import switch_language_url, translate, ui_language
    from web.pages import citation_links, pages, passage_in_report_url

    searching.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    limit_rate(app, app.config["RATE_LIMIT"])
    app.jinja_env.globals.update(t=translate, ui_language=ui_language, citation_links=citation_links,
                                 switch_language_url=switch_language_url, absolute_url=absolute_url,
                                 passage_in_report_url=passage_in_report_url)
    return app


def checked_base_url(raw: str) -> str:
    """``raw`` as a base URL without a trailing slash (empty stays empty); ``SettingError`` unless
    it is an http(s) URL with a host and no query, fragment or credentials."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc \
            or re.search(r"[\s\"'<>\\{}]", raw):
        raise SettingError(f"SHUANGYU_BASE_URL must be an http(s) URL such as https://search.example.org, not {raw[:80]!r}")
    return raw.rstrip("/")


def checked_seconds(raw) -> float:
    """``raw`` as a number of seconds above zero; ``SettingError`` otherwise."""
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise SettingError(f"SHUANGYU_SEARCH_TIME_BUDGET must be a number of seconds above 0, not {str(raw)[:40]!r}")
    return seconds


def allowed_hosts(raw) -> tuple[str, ...]:
    """Host names (lower case, IPv6 without brackets) from a comma-separated string or a list."""
    names = raw.split(",") if isinstance(raw, str) else raw
    return tuple(name.strip().lower().strip("[]") for name in names if name.strip())


# A Host header: a name or a bracketed IPv6 address, then an optional port.
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?$")


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint``: under ``BASE_URL`` when one is set; else under the
    request's own scheme and host when that host is allowed; else the path alone. A response
    using the request's host is marked to vary by ``Host``."""
    path = url_for(endpoint, **values)
    base = current_app.config["BASE_URL"]
    if base:
        return base + path.removeprefix(request.script_root)
    g.varies_by_host = True
    match = _HOST.match(request.host)
    if match and match.group(1).lower().strip("[]") in current_app.config["ALLOWED_HOSTS"]:
        return f"{request.scheme}://{request.host}{path}"
    return path
