"""JSON API: /api/search and /api/articles/<id>. Errors are JSON with an `error` message."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from store import MAX_PAGE, MAX_PER_PAGE, ArchiveError, ArticleNotFound, QueryError

from . import get_archive
from .params import BadParameter, integer

bp = Blueprint("api", __name__)


def _error(status: int, message: str):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()
    if not q:
        return _error(400, "Missing 'q': pass the text to search for, e.g. /api/search?q=小米.")
    try:
        limit = integer(request.args, "limit", 10, 1, MAX_PER_PAGE)
        page = integer(request.args, "page", 1, 1, MAX_PAGE)
        result = get_archive().search(q, page=page, per_page=limit)
    except (BadParameter, QueryError) as e:
        return _error(400, str(e))
    return jsonify(result.to_dict())


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    try:
        found = get_archive().get(article_id)
    except ArticleNotFound as e:
        return _error(404, str(e))
    return jsonify(found.to_dict())


@bp.errorhandler(ArchiveError)
def archive_error(e: ArchiveError):
    return _error(503, str(e))


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException):
    return _error(e.code or 500, e.description or e.name)
