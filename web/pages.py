"""HTML pages: home, results, reader, help, OpenSearch. Views only fetch and render."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from store import (
    SYNTAX_HELP,
    ArchiveError,
    ArticleNotFound,
    QueryError,
    QuerySyntaxError,
    highlight,
)

from .archives import deadline, get_archive
from .capacity import if_free, search_work
from .params import BadParameter, search_params

bp = Blueprint("pages", __name__)

SIMILAR = 5


@bp.get("/")
def home():
    return render_template("home.html", stats=get_archive().counts())


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
        return render_template("search.html", q=q, error=str(e), help=SYNTAX_HELP,
                               params=params, result=e.plain), 400
    except (BadParameter, QueryError) as e:
        return render_template("search.html", q=q, error=str(e), help=SYNTAX_HELP), 400
    return render_template("search.html", q=q, params=params, result=result)


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
    response = Response(data, mimetype="application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.app_errorhandler(ArticleNotFound)
def not_found(e: ArticleNotFound):
    return render_template("error.html", title="找不到文章 Not found", message=str(e)), 404


@bp.app_errorhandler(ArchiveError)
def archive_error(e: ArchiveError):
    return render_template("error.html", title="文海暂时不可用 Archive unavailable",
                           message=str(e)), 503
