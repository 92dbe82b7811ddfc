"""Errors raised outside one view, answered as JSON under /api/ and as a page elsewhere.

The API's own errors (bad parameters, unknown article) are in `api`; the pages' in
`pages`. Here: addresses too long to be a search (414), a server too busy to search
(503 with Retry-After), and every other HTTP error (404, 405, 413 …), so that no client
of the API ever gets an HTML page.

A page says the error in the reader's language (`messages`); the API in English, its
messages' own language, unless the client's Accept-Language names one of ours, and
always with a stable `code`.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import messages
from .capacity import RETRY_AFTER, Busy
from .i18n import asked

#: The longest address (path and query string) answered: a query is cut at 1,000
#: characters, 9 bytes each once percent-encoded, and a few filters fit beside it.
MAX_URL_BYTES = 16 * 1024


def _for_api() -> bool:
    return request.path.startswith("/api/")


def _answer(status: int, code: str, english: str, translated: str, headers: dict | None = None):
    if _for_api():
        response = jsonify({"error": translated if asked() else english, "code": code,
                            "status": status})
    else:
        response = render_template("error.html", title=messages.status_title(status),
                                   message=translated)
    return response, status, headers or {}


class AddressTooLong(HTTPException):
    code = 414

    def __init__(self, length: int) -> None:
        super().__init__(f"The address is {length:,} bytes long, over the limit of "
                         f"{MAX_URL_BYTES:,}: search for fewer words or with fewer filters.")
        self.length = length


def check_url_length() -> None:
    environ = request.environ  # as sent: the path and the query string still encoded
    length = len(environ.get("PATH_INFO", "")) + 1 + len(environ.get("QUERY_STRING", ""))
    if length > MAX_URL_BYTES:
        raise AddressTooLong(length)


def busy(e: Busy):
    return _answer(503, "server.busy", str(e), messages.too_busy(RETRY_AFTER),
                   {"Retry-After": str(RETRY_AFTER)})


def http_error(e: HTTPException):
    status = e.code or 500
    if status == 404:
        english = "No API endpoint at this address." if _for_api() else \
            "There is no page at this address."
    else:
        english = e.description or e.name
    if isinstance(e, AddressTooLong):
        translated = messages.url_too_long(e.length, MAX_URL_BYTES)
    else:
        translated = messages.http_message(status, _for_api(), english)
    headers = {k: v for k, v in e.get_headers() if k.lower() != "content-type"}
    return _answer(status, f"http.{status}", english, translated, headers)


def init_app(app: Flask) -> None:
    app.before_request(check_url_length)
    app.register_error_handler(Busy, busy)
    app.register_error_handler(HTTPException, http_error)
