"""wenhai's web front end: `create_app(config)` builds the Flask app; nothing runs at import."""

from __future__ import annotations

import threading
import weakref

from flask import Flask, current_app

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

    app.extensions["wenhai"] = _Archives(app.config["WENHAI_HOME"])
    return app


class _Archives:
    """One open `Archive` per server thread, kept for the life of the app.

    Opening a Whoosh searcher reads every segment into memory; doing it per request
    cost 100 ms at 1,000 articles and grew with the index. A kept archive refreshes
    its searcher only when a writer has committed, so readers see new articles.
    """

    def __init__(self, home: str):
        self.home = home
        self._local = threading.local()
        self._all: list[Archive] = []
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._all)

    def get(self) -> Archive:
        archive = getattr(self._local, "archive", None)
        if archive is None:
            archive = self._local.archive = Archive(self.home)
            with self._lock:
                self._all.append(archive)
        return archive

    def close(self) -> None:
        _close_all(self._all)


def _close_all(archives: list[Archive]) -> None:
    while archives:
        archives.pop().close()


def get_archive() -> Archive:
    """This thread's archive (see `_Archives`)."""
    return current_app.extensions["wenhai"].get()
