"""Errors raised outside one view, answered as JSON under /api/ and as a page elsewhere.

The API's own errors (bad parameters, unknown article) are in `api`; the pages' in
`pages`. Here: addresses too long to be a search (414), a server too busy to search
(503 with Retry-After), and every other HTTP error (404, 405, 413 …), so that no client
of the API ever gets an HTML page.
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .capacity import RETRY_AFTER, Busy

#: The longest address (path and query string) answered: a query is cut at 1,000
#: characters, 9 bytes each once percent-encoded, and a few filters fit beside it.
MAX_URL_BYTES = 16 * 1024

#: Titles of error pages, in Chinese and English.
TITLES = {
    404: "找不到页面 Not found",
    405: "不支持此请求方法 Method not allowed",
    413: "请求太大 Request too large",
    414: "网址太长 Address too long",
    503: "文海正忙 Too busy",
}


def _for_api() -> bool:
    return request.path.startswith("/api/")


def _answer(status: int, message: str, headers: dict | None = None):
    if _for_api():
        response = jsonify({"error": message, "status": status})
    else:
        title = TITLES.get(status, f"出错了 Error {status}")
        response = render_template("error.html", title=title, message=message)
    return response, status, headers or {}


def check_url_length() -> None:
    environ = request.environ  # as sent: the path and the query string still encoded
    length = len(environ.get("PATH_INFO", "")) + 1 + len(environ.get("QUERY_STRING", ""))
    if length > MAX_URL_BYTES:
        abort(414, f"The address is {length:,} bytes long, over the limit of "
                   f"{MAX_URL_BYTES:,}: search for fewer words or with fewer filters.")


def busy(e: Busy):
    chinese = f"同时进行的搜索太多，请 {RETRY_AFTER} 秒后再试。"
    message = str(e) if _for_api() else f"{chinese} {e}"
    return _answer(503, message, {"Retry-After": str(RETRY_AFTER)})


def http_error(e: HTTPException):
    if e.code == 404:
        message = "No API endpoint at this address." if _for_api() else \
            "There is no page at this address."
    else:
        message = e.description or e.name
    headers = {k: v for k, v in e.get_headers() if k.lower() != "content-type"}
    return _answer(e.code or 500, message, headers)


def init_app(app: Flask) -> None:
    app.before_request(check_url_length)
    app.register_error_handler(Busy, busy)
    app.register_error_handler(HTTPException, http_error)
