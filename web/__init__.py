"""wenhai's web front end: `create_app(config)` builds the Flask app; nothing runs at import."""

from __future__ import annotations

import os

from flask import Flask

from store import default_home

from . import api, errors, i18n, pages, security
from .archives import Archives, give_back, start_clock
from .capacity import HOLD_VARIABLE, SearchSlots


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        WENHAI_HOME=str(default_home()),
        # A search cluster's address (HOST:PORT); None: $WENHAI_CLUSTER, the home's
        # setting, or the archive's own index (`store.backends`).
        WENHAI_CLUSTER=None,
        PER_PAGE=10,
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_AS_ASCII=False,
        # Searches run at once; more are answered 503 (`capacity`). `wenhai serve`
        # sets it from --searches, below its thread count.
        SEARCH_SLOTS=4,
        HOLD_SEARCHES=os.environ.get(HOLD_VARIABLE) or None,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    app.extensions["wenhai"] = Archives(app.config["WENHAI_HOME"],
                                           app.config["WENHAI_CLUSTER"])
    app.extensions["wenhai.slots"] = SearchSlots(app.config["SEARCH_SLOTS"],
                                                 hold=app.config["HOLD_SEARCHES"])
    app.before_request(start_clock)
    app.teardown_appcontext(give_back)
    return app
