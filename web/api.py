"""JSON API: search, timelines, concordances, trends, suggestions as you type, articles
and similar articles.

Errors are JSON with an `error` message a user can act on, and the HTTP status; a
query whose syntax is wrong also gets `plain`, the search of its text as plain text.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from store import (
    KWIC_SORTS,
    MAX_PER_PAGE,
    SORTS,
    TIMELINE_BY,
    TREND_MEASURES,
    ArchiveError,
    ArticleNotFound,
    QueryError,
    QuerySyntaxError,
)

from . import errors
from .archives import deadline, get_archive
from .capacity import search_work
from .i18n import asked
from .messages import error_message, reason
from .params import BadParameter, choice, integer, search_params

bp = Blueprint("api", __name__)

MAX_SUGGESTIONS = 8
MAX_SIMILAR = 20
MAX_KWIC_LINES = 500


def _error(status: int, e: Exception, **more):
    """The API's error: a stable `code` beside the message, which is in the language the
    client's Accept-Language names, else in English (the store's own message)."""
    message = error_message(e) if asked() else str(e)
    code = getattr(e, "code", None) or "error"
    response = jsonify({"error": message, "code": code, "status": status, **more})
    response.status_code = status
    return response


def _required_q(example: str) -> str:
    q = request.args.get("q", "").strip()
    if not q:
        raise BadParameter(f"Missing 'q': pass the text to search for, e.g. {example}.",
                           code="param.missing_q", example=example)
    return q


@bp.get("/search")
@search_work
def search():
    q = _required_q("/api/search?q=小米")
    limit = integer(request.args, "limit", 10, 1, MAX_PER_PAGE)
    params = search_params(request.args)
    result = get_archive().search(
        q, page=params.page, per_page=limit, sort=params.sort, filters=params.filters,
        reposts=params.reposts, deadline=deadline(),
    )
    return jsonify({**result.to_dict(), "reason": reason(result.reasons)})


@bp.get("/timeline")
@search_work
def timeline():
    """Articles per month or year of a search, or of the whole archive without `q`."""
    params = search_params(request.args, SORTS)
    by = choice(request.args, "by", TIMELINE_BY)
    found = get_archive().timeline(params.q or None, filters=params.filters, by=by,
                                   reposts=params.reposts, deadline=deadline())
    return jsonify({"query": params.q, "filters": params.filters.active(), **found.to_dict(),
                    "reason": reason(found.reasons)})


@bp.get("/kwic")
@search_work
def kwic():
    """A page of the concordance of the exact string `q`: every occurrence in context."""
    q = _required_q("/api/kwic?q=碳纤维")
    limit = integer(request.args, "limit", 50, 1, MAX_KWIC_LINES)
    params = search_params(request.args, KWIC_SORTS)
    found = get_archive().kwic(q, params.page, limit, sort=params.sort, filters=params.filters,
                               reposts=params.reposts)
    return jsonify(found.to_dict())


@bp.get("/trends")
@search_work
def trends():
    """Up to 6 comma-separated terms, each one's articles or occurrences per period."""
    q = _required_q("/api/trends?q=雷军,小米汽车,SU7")
    by = choice(request.args, "by", TIMELINE_BY)
    measure = choice(request.args, "measure", TREND_MEASURES)
    params = search_params(request.args)
    found = get_archive().trends(q, by=by, measure=measure, filters=params.filters)
    return jsonify(found.to_dict())


@bp.get("/suggest")
@search_work
def suggest():
    q = _required_q("/api/suggest?q=碳纤")
    shape = choice(request.args, "format", ("json", "opensearch"))
    found = get_archive().suggestions(q, limit=MAX_SUGGESTIONS)
    if shape == "opensearch":  # what browsers' search bars ask for: the searches
        return jsonify([q, [s.query for s in found]])
    return jsonify({"query": q, "suggestions": [s.to_dict() for s in found]})


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    return jsonify(get_archive().get(article_id).to_dict())


@bp.get("/articles/<int:article_id>/similar")
@search_work
def similar(article_id: int):
    limit = integer(request.args, "limit", 5, 1, MAX_SIMILAR)
    hits = get_archive().similar(article_id, limit=limit)
    return jsonify({"id": article_id, "similar": [h.to_dict() for h in hits]})


@bp.errorhandler(BadParameter)
@bp.errorhandler(QueryError)
def bad_request(e: Exception):
    if isinstance(e, QuerySyntaxError):  # with the search of the text as plain text beside
        return _error(400, e, plain=e.plain.to_dict() if e.plain is not None else None)
    return _error(400, e)


@bp.errorhandler(ArticleNotFound)
def article_not_found(e: ArticleNotFound):
    return _error(404, e)


@bp.errorhandler(ArchiveError)
def archive_error(e: ArchiveError):
    return _error(503, e)


@bp.errorhandler(HTTPException)
def http_error(e: HTTPException):
    return errors.http_error(e)
