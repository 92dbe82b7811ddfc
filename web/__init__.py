"""wenhai's web front end: `create_app(config)` builds the Flask app; nothing runs at import."""

from __future__ import annotations

from flask import Flask, g

from store import Archive, default_home


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        WENHAI_HOME=str(default_home()),
        PER_PAGE=10,
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_AS_ASCII=False,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False

    from . import api, pages, security

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    security.init_app(app)

    @app.teardown_appcontext
    def close_archive(exc: BaseException | None) -> None:
        archive = g.pop("archive", None)
        if archive is not None:
            archive.close()

    return app


def get_archive() -> Archive:
    """The archive for this request, opened on first use and closed at teardown."""
    from flask import current_app

    if "archive" not in g:
        g.archive = Archive(current_app.config["WENHAI_HOME"])
    return g.archive
