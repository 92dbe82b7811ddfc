"""Serving the app with waitress, so that the API's errors are JSON even before Flask.

waitress answers some requests itself, before the app sees them: a request line and
headers over `max_request_header_size` (431), a malformed request (400), a body over
its limit (413), an unknown transfer coding (501). Its answer is a plain-text page; a
client of the API expects JSON. The channel below remembers how each request began, and
when that was a path under /api/ the error is the API's JSON (`{"error", "code", "status"}`;
the message in English: the request was not read far enough to know its language).
The app's own limit on an address (`errors.MAX_URL_BYTES`, 414) is far below waitress's,
so an over-long address normally gets the app's answer; this is for what is left.
"""

from __future__ import annotations

import json
import re

from flask import Flask
from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask

from store import limit_malloc_arenas

#: waitress's own limit on the request line and headers (its default, 256 KB).
MAX_HEADER_BYTES = 256 * 1024
#: glibc malloc arenas a server keeps (`store.limit_malloc_arenas`; `MALLOC_ARENA_MAX`
#: in the environment overrides it).
MALLOC_ARENAS = 2

_API_REQUEST = re.compile(rb"\s*[A-Z]+ /api/")
_START = 64  # bytes of a request kept to tell whether it was for the API

_ADVICE = {
    400: "send a well-formed HTTP request",
    413: "send a smaller request body",
    431: "send a shorter address and fewer or shorter headers",
    501: "send the body with Content-Length or chunked transfer coding",
}


class _Request(HTTPRequestParser):
    """waitress's request, remembering its first bytes (its own parse of a request it
    refuses is a stand-in `GET /`)."""

    start = b""

    def received(self, data: bytes) -> int:
        if len(self.start) < _START:
            self.start += data[: _START - len(self.start)]
        return super().received(data)


class _Error(ErrorTask):
    """waitress's error answer, as the API's JSON for a request under /api/."""

    def execute(self) -> None:
        if not _API_REQUEST.match(getattr(self.request, "start", b"")):
            super().execute()
            return
        e = self.request.error
        advice = _ADVICE.get(e.code, "try again")
        message = f"{e.reason} ({e.body}): {advice}."
        body = json.dumps({"error": message, "code": f"http.{e.code}",
                           "status": e.code}).encode()
        self.status = f"{e.code} {e.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    parser_class = _Request
    error_task_class = _Error


def server(app: Flask, *, host: str, port: int, threads: int):
    """A waitress server for `app` (not yet running: call `.run()`); one per address
    `host` stands for, all in one socket map."""
    limit_malloc_arenas(MALLOC_ARENAS)  # before waitress starts its threads
    sockets: dict = {}
    made = create_server(app, map=sockets, host=host, port=port, threads=threads,
                         max_request_header_size=MAX_HEADER_BYTES)
    for listening in sockets.values():
        if isinstance(listening, BaseWSGIServer):
            listening.channel_class = _Channel
    return made
