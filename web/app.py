"""The Flask application factory."""

from __future__ import annotations

from flask import Flask

from index.settings import CORPUS_DIR, INDEX_DIR


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Shuangyu app. ``test_config`` overrides the settings (e.g. ``INDEX_DIR``)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(CORPUS_DIR=CORPUS_DIR.value(), INDEX_DIR=INDEX_DIR.value())
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from web import errors, headers, searching
    from web.api import api
    from web.i18n import switch_language_url, translate, ui_language
    from web.pages import citation_links, pages

    searching.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.jinja_env.globals.update(t=translate, ui_language=ui_language, citation_links=citation_links,
                                 switch_language_url=switch_language_url)
    return app
