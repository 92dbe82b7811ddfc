"""Responses that a browser saves as a file, named in any script."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response


def attachment(response: Response, name: str) -> Response:
    """Mark `response` as a file named `name` to save. HTTP headers are Latin-1: a name
    in Chinese goes in RFC 6266's `filename*` (UTF-8), with an ASCII `filename` beside it
    for old clients (as Werkzeug's send_file does); written raw, waitress cannot send
    the header and the download fails with a 500."""
    try:
        name.encode("ascii")
        names = {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple or "download", "filename*": f"UTF-8''{quote(name, safe='')}"}
    response.headers.set("Content-Disposition", "attachment", **names)
    return response
