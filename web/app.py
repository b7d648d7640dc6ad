"""The Flask application factory: the settings, the blueprints, the hooks every request passes."""

from __future__ import annotations

import os

from flask import Flask, abort, current_app, request
from shuangyu.web import errors, headers, searching
from shuangyu.web.api import api, limit_rate
from shuangyu.web.i18n import switch_language_url, translate, ui_language
from shuangyu.web.json_provider import OrjsonProvider
from shuangyu.web.pages import pages
from shuangyu.web.settings import Settings, load_settings
from shuangyu.web.settings_declared import SETTINGS
from shuangyu.web.urls import absolute_url, citation_links, passage_in_report_url

# The longest URL the app answers, in bytes (its path, decoded, and its query string). The longest valid
# request is an export of MAX_EXPORT (100) passage ids of 80-character report ids, each character
# percent-encoded UTF-8 (9 bytes for most Chinese, 12 for the rarest): 73 to 98 KB. A query of
# MAX_QUERY_CHARS (500) Chinese characters takes about 4.5 KB.
MAX_URL_BYTES = 128 * 1024


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Create the Shuangyu app with ``settings`` (by default, read from the environment:
    ``web.settings``). In ``test_config``, a setting's name in capitals (``INDEX_DIR``) sets it;
    other keys go to Flask's config. Raises ``SettingError`` for a value that cannot be used."""
    test_config = dict(test_config or {})
    if settings is None:
        given = {
            setting.name: test_config.pop(setting.name.upper())
            for setting in SETTINGS
            if setting.name.upper() in test_config
        }
        settings = load_settings(os.environ, given)
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config["SETTINGS"] = settings
    app.config.update(test_config)
    app.json = OrjsonProvider(app)  # UTF-8, keys in order

    app.before_request(refuse_large_bodies)
    app.before_request(refuse_long_urls)
    searching.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    limit_rate(app, settings.rate_limit)
    app.jinja_env.globals.update(
        t=translate,
        ui_language=ui_language,
        citation_links=citation_links,
        switch_language_url=switch_language_url,
        absolute_url=absolute_url,
        passage_in_report_url=passage_in_report_url,
    )
    return app


def refuse_large_bodies() -> None:
    """Refuse with 413, unread, a request whose declared body is larger than the config's
    ``MAX_CONTENT_LENGTH`` (None: no limit). Flask checks it only when a body is read, and no
    view reads one; waitress refuses such a body itself, gunicorn has no limit."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(
            413,
            description=f"The request body is larger than {limit:,} bytes (the API is GET only).",
        )


def refuse_long_urls() -> None:
    """Refuse with 414 a request whose URL is longer than ``MAX_URL_BYTES`` (a problem under
    /api/, a page elsewhere): no valid request is longer, and the servers let longer ones through
    (waitress reads a request line of up to 256 KB, gunicorn as long a one as it is told to)."""
    length = len(request.environ.get("PATH_INFO", "")) + len(request.query_string)
    if length > MAX_URL_BYTES:
        abort(
            414,
            description=f"The URL is {length:,} bytes long; at most {MAX_URL_BYTES:,} are answered.",
        )
