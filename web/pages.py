"""HTML pages: home, results, reader, help, OpenSearch. Views only fetch and render."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from store import (
    KWIC_SORT_LIMIT,
    KWIC_SORTS,
    SORTS,
    ArchiveError,
    ArticleNotFound,
    QueryError,
    QuerySyntaxError,
    concordable,
    export,
    highlight,
)

from .archives import deadline, get_archive
from .capacity import if_free, search_work
from .downloads import attachment
from .i18n import gettext as _
from .messages import error_message, syntax_help
from .params import (
    BROWSE_SORTS,
    DOWNLOADS,
    KWIC_EXPORTS,
    BadParameter,
    SearchParams,
    choice,
    search_params,
)

bp = Blueprint("pages", __name__)

SIMILAR = 5
#: What the home page lists of the archive: recently added articles, top sources, authors.
RECENT = 8
TOP = 8
#: Concordance lines per page.
KWIC_LINES = 50


@bp.get("/")
def home():
    archive = get_archive()
    overview = if_free(lambda: archive.browse(per_page=1, reposts="all", deadline=deadline()),
                       None)
    return render_template("home.html", stats=archive.counts(), overview=overview,
                           browse_params=SearchParams(q="", sort="newest"),
                           recent=archive.recent(RECENT), top=TOP)


@bp.get("/browse")
@search_work
def browse():
    try:
        params = search_params(request.args, BROWSE_SORTS)
        result = get_archive().browse(
            page=params.page, per_page=current_app.config["PER_PAGE"], sort=params.sort,
            filters=params.filters, reposts=params.reposts, deadline=deadline(),
        )
    except (BadParameter, QueryError) as e:
        return render_template("search.html", q="", error=error_message(e), help=syntax_help(),
                               endpoint="pages.browse"), 400
    return render_template("search.html", q="", params=params, result=result,
                           endpoint="pages.browse")


@bp.get("/download")
@search_work
def download():
    """Every result of a search (or of browsing, without q) as CSV or JSON Lines, in the
    order the results page lists them, streamed an article at a time."""
    fmt = choice(request.args, "format", DOWNLOADS)
    params = search_params(request.args,
                           SORTS if request.args.get("q", "").strip() else BROWSE_SORTS)
    archive = get_archive()
    ids = archive.matching_ids(params.q, filters=params.filters, sort=params.sort,
                               reposts=params.reposts)
    body = stream_with_context(export.chunks(archive.read(ids), fmt))
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return attachment(Response(body, mimetype=mimetype), f"wenhai-{params.q or 'all'}.{fmt}")


@bp.get("/kwic")
@search_work
def kwic():
    q = request.args.get("q", "").strip()
    if not q:
        return render_template("kwic.html", q="")
    reader_q = q if '"' in q else f'"{q}"'  # the reader highlights the exact string
    try:
        params = search_params(request.args, KWIC_SORTS)
        result = get_archive().kwic(q, params.page, KWIC_LINES, sort=params.sort,
                                    filters=params.filters, reposts=params.reposts)
    except (BadParameter, QueryError) as e:
        return render_template("kwic.html", q=q, error=error_message(e)), 400
    return render_template("kwic.html", q=q, params=params, result=result, reader_q=reader_q,
                           sort_limit=KWIC_SORT_LIMIT)


@bp.get("/kwic/download")
@search_work
def kwic_download():
    """Every line of a concordance as CSV or TSV, streamed."""
    fmt = choice(request.args, "format", KWIC_EXPORTS)
    q = request.args.get("q", "").strip()
    params = search_params(request.args, KWIC_SORTS)
    lines = get_archive().concordance(q, filters=params.filters,
                                      reposts=params.reposts).export(params.sort, fmt)
    mimetype = "text/csv" if fmt == "csv" else "text/tab-separated-values"
    return attachment(Response(stream_with_context(lines), mimetype=mimetype), f"kwic-{q}.{fmt}")


@bp.get("/trends")
@search_work
def trends():
    q = request.args.get("q", "").strip()
    by = request.args.get("by") or "auto"
    measure = request.args.get("measure") or "articles"
    if not q:
        return render_template("trends.html", q="", by=by, measure=measure)
    try:
        params = search_params(request.args)
        result = get_archive().trends(q, by=by, measure=measure, filters=params.filters)
    except (BadParameter, QueryError) as e:
        return render_template("trends.html", q=q, by=by, measure=measure,
                               error=error_message(e)), 400
    return render_template("trends.html", q=q, by=by, measure=measure, params=params,
                           result=result, extra=params.args(q=None))


@bp.get("/trends/download")
@search_work
def trends_download():
    """The trends table as CSV: a period column, then one column per term."""
    choice(request.args, "format", ("csv",))
    params = search_params(request.args)
    found = get_archive().trends(request.args.get("q", ""), by=request.args.get("by") or "auto",
                                 measure=request.args.get("measure") or "articles",
                                 filters=params.filters)
    return attachment(Response(found.csv(), mimetype="text/csv"),
                      f"trends-{'-'.join(found.terms)}.csv")


@bp.errorhandler(BadParameter)
@bp.errorhandler(QueryError)
def bad_parameter(e: Exception):
    """A download (or another page) asked for with a bad parameter: the page says which and why."""
    return render_template("error.html", title=_("无法下载"), message=error_message(e)), 400


@bp.get("/search")
@search_work
def search():
    q = request.args.get("q", "").strip()
    if not q:
        return redirect(url_for("pages.home"))
    try:
        params = search_params(request.args)
        result = get_archive().search(
            q, page=params.page, per_page=current_app.config["PER_PAGE"],
            sort=params.sort, filters=params.filters, reposts=params.reposts,
            deadline=deadline(),
        )
    except QuerySyntaxError as e:  # the error, and the search of the text as plain text
        return render_template("search.html", q=q, error=error_message(e), help=syntax_help(),
                               params=params, result=e.plain), 400
    except (BadParameter, QueryError) as e:
        return render_template("search.html", q=q, error=error_message(e), help=syntax_help()), 400
    return render_template("search.html", q=q, params=params, result=result,
                           concordable=concordable(q))


@bp.get("/help")
def help_page():
    return render_template("help.html")


@bp.get("/opensearch.xml")
def opensearch():
    xml = render_template("opensearch.xml")
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    archive = get_archive()
    found = archive.get(article_id)
    q = request.args.get("q", "").strip()
    try:
        needles = archive.needles(q) if q else []
    except QueryError:
        needles = []
    paragraphs = [(highlight(text, needles), is_heading) for text, is_heading in found.paragraphs()]
    return render_template(
        "article.html", article=found, paragraphs=paragraphs, q=q, marked=bool(needles),
        similar=if_free(lambda: archive.similar(article_id, limit=SIMILAR), []),
        reposts=archive.reposts_of(found),
    )


@bp.get("/articles/<int:article_id>/original")
def original(article_id: int):
    name, data = get_archive().original(article_id)
    filename = name or f"article-{article_id}.txt"
    return attachment(Response(data, mimetype="application/octet-stream"), filename)


@bp.app_errorhandler(ArticleNotFound)
def not_found(e: ArticleNotFound):
    return render_template("error.html", title=_("找不到文章"), message=error_message(e)), 404


@bp.app_errorhandler(ArchiveError)
def archive_error(e: ArchiveError):
    return render_template("error.html", title=_("文海暂时不可用"),
                           message=error_message(e)), 503
