"""The `wenhai` command: a thin shell over `store` and `indexer.ingest`.

Results go to stdout, progress and problems to stderr. Library errors become
`click.ClickException` (exit 1) or `click.UsageError` (exit 2) here, at the edge. Every
message and help text is said in the terminal's language (`language`, `translated`);
the prefixes scripts look for (`failed:`, `note:`, `Error:` …) and `--json` stay as they
are.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import click

from store import (
    KWIC_SORT_LIMIT,
    KWIC_SORTS,
    REPOST_MODES,
    TIMELINE_BY,
    TREND_MEASURES,
    Archive,
    ArchiveError,
    Filters,
    QueryError,
    QuerySyntaxError,
    SearchResult,
    default_home,
)
from store import export as export_lib

from . import ingest as ingest_lib
from . import removing, watching
from .errors import IngestError
from .language import N_, _, error, ngettext, number, said
from .translated import Group, confirm, option

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _archive(ctx: click.Context) -> Archive:
    """The archive in --home; it opens its database when first asked (a writer only once
    it holds the write lock)."""
    return Archive(ctx.obj["home"], ctx.obj["cluster"])


@contextlib.contextmanager
def _errors():
    """Translate the store's errors into click's, with their advice intact."""
    try:
        yield
    except QueryError as e:
        raise click.UsageError(error(e)) from e
    except ArchiveError as e:
        raise click.ClickException(error(e)) from e


# what the store's and ingest's progress bars are labelled (translated when drawn)
N_("reading"), N_("indexing"), N_("reindexing"), N_("feeding the cluster")


def _progress(quiet: bool):
    """A progress wrapper drawing a rich bar on stderr when it is a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return ingest_lib._no_progress

    def wrap(items: Iterable, total: int, label: str) -> Iterable:
        if total < 20:
            yield from items
            return
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=console, transient=True,
        ) as bar:
            task = bar.add_task(_(label), total=total)
            for item in items:
                yield item
                bar.advance(task)

    return wrap


def _notices(archive: Archive) -> None:
    for notice in archive.notices:
        click.echo(f"notice: {said(notice)}", err=True)
    archive.notices.clear()


def _terminal_html(fragment: str) -> str:
    """A highlighted snippet for the terminal: marks in bold, entities decoded."""
    styled = _MARK.sub(lambda m: click.style(m.group(1), bold=True, fg="yellow"), fragment)
    return html.unescape(styled)


#: How many processes index text (ingest, reindex).
JOBS = option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help=N_("Processes that read files and index text, each indexing its share [default: "
            "one per core; 1 = everything in this process]."),
)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("文海 wenhai — a searchable archive of Chinese articles."))
@option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Archive folder (archive.db + index/). Default: $WENHAI_HOME, "
            "else $XDG_DATA_HOME/wenhai, else ~/.local/share/wenhai."),
)
@option(
    "--cluster", metavar="HOST:PORT",
    help=N_("Search and feed the Sphinx/Manticore cluster whose aggregator listens there "
            "instead of the archive's own index. Default: $WENHAI_CLUSTER, else the file "
            "`cluster` in the home, else none."),
)
@click.version_option(package_name="wenhai")
@click.pass_context
def main(ctx: click.Context, home: Path | None, cluster: str | None) -> None:
    ctx.obj = {"home": home or default_home(), "cluster": cluster}


@main.command(help=N_(
    "Add the articles in PATHS (files or folders, recursively) to the archive.\n\n"
    "Reads .txt, .md, .html/.htm, .json and .jsonl in UTF-8, UTF-16, GB18030 or Big5, "
    "Word .docx, and every such file inside a .zip (up to 10,000 files and 20 × --max-size "
    "unpacked per zip). Unchanged files are skipped; changed files update their articles; "
    "a file moved or renamed (same bytes, old path gone) keeps its articles under the new "
    "path. Exits 1 if any file or record failed (the others are stored all the same)."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--encoding", help=N_("Force this encoding (e.g. gb18030, big5) instead of detecting it."),
)
@option(
    "--max-size", default=ingest_lib.DEFAULT_MAX_BYTES // 1_000_000, show_default=True,
    type=click.IntRange(1), help=N_("Refuse files larger than this many MB."),
)
@option(
    "--max-chars", default=ingest_lib.DEFAULT_MAX_CHARS, show_default=True,
    type=click.IntRange(1000),
    help=N_("Keep at most this many characters of one article's text."),
)
@option(
    "--follow-symlinks", is_flag=True,
    help=N_("Read what symbolic links in the folders point to even outside those folders "
            "(by default such links are left out, each named on stderr)."),
)
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar and no per-file failures."))
@option(
    "--prune", is_flag=True,
    help=N_("Then list the articles whose files under PATHS are gone from the disk; with "
            "--yes, remove them (an article also stored from a file still there keeps "
            "that one)."),
)
@option("-y", "--yes", is_flag=True, help=N_("With --prune: remove what it lists."))
@JOBS
@click.pass_context
def ingest(ctx, paths, encoding, max_size, max_chars, follow_symlinks, quiet, prune, yes, jobs):
    if yes and not prune:
        raise click.UsageError(_("--yes confirms what --prune removes: add --prune, or "
                                 "leave out --yes."))
    with _errors(), _archive(ctx) as archive, archive.writing(jobs=jobs):
        _notices(archive)
        reading = list(paths)
        if prune:  # a folder deleted whole is pruned, not a failure to read it
            reading = [p for p in paths if os.path.lexists(p)
                       or not archive.files_under([removing.file_key(p)])]
        report = ingest_lib.ingest(
            archive, reading, encoding=encoding, max_bytes=max_size * 1_000_000,
            max_chars=max_chars, follow_symlinks=follow_symlinks, progress=_progress(quiet),
        )
        if prune:
            plan = removing.plan(archive, [], removing.gone(archive, list(paths)))
            if not plan:
                click.echo(_("prune: no file of the archive under these paths is gone"))
            else:
                n = len(plan.deleted)
                _show_plan(plan, ngettext("prune: removing %(n)s article",
                                          "prune: removing %(n)s articles", n) if yes else
                           ngettext("prune: would remove %(n)s article",
                                    "prune: would remove %(n)s articles", n))
                if yes:
                    archive.remove(paths=plan.paths, progress=_progress(quiet))
                else:
                    click.echo(_("prune: nothing removed; run again with --yes to remove "
                                 "them"))
    if not quiet:
        _file_lines(report)
    summary = report.summary()
    if report.files and not report.changed and not report.failed:
        summary = _("%(summary)s — the archive is already up to date", summary=summary)
    click.echo(summary)
    if report.failed or report.bad_record_count:
        ctx.exit(1)


def _file_lines(report: ingest_lib.Report) -> None:
    """One line on stderr per file left out, stored with a note, or failed."""
    for failure in report.left_out:
        click.echo(f"skipped: {failure.path}: {said(failure.reason)}", err=True)
    for note in report.notes:
        click.echo(f"note: {note.path}: {said(note.reason)}", err=True)
    for failure in (*report.bad_records, *report.failed):
        click.echo(f"failed: {failure.path}: {said(failure.reason)}", err=True)


def _show_plan(plan: removing.Plan, heading: str) -> None:
    """What a removal deletes and forgets, one line each, on stdout, under `heading`
    (which counts the articles)."""
    if plan.paths:
        heading += ngettext(" and %(n)s file", " and %(n)s files", len(plan.paths))
    click.echo(heading + ":")
    for article in plan.deleted:
        where = article.path or _("no file")
        click.echo(f"  [{article.id}] {article.title}  ({where})")
    for path in plan.paths:
        click.echo("  " + _("file %(path)s", path=path))
    for article in plan.kept:
        click.echo("  " + _("kept [%(id)s] %(title)s: also stored from another file",
                            id=str(article.id), title=article.title))


@main.command(help=N_(
    "Remove articles from the archive and its index: each TARGET is an article's id or "
    "the path of an ingested file or folder (its files' articles; an article also stored "
    "from another file keeps that file). Lists what it removes and asks first, unless "
    "--yes. A file whose every article was removed is read again by the next ingest "
    "of its folder, if it is still there."))
@click.argument("targets", nargs=-1, required=True)
@option("-y", "--yes", is_flag=True, help=N_("Remove without asking."))
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@click.pass_context
def remove(ctx, targets, yes, quiet):
    ids = [int(t) for t in targets if t.isdigit()]
    places = [Path(t) for t in targets if not t.isdigit()]
    with _errors(), _archive(ctx) as archive:
        try:
            plan = removing.plan(archive, ids, removing.recorded(archive, places))
        except IngestError as e:
            raise click.ClickException(f"{e.path}: {said(e.reason)}") from e
        n = len(plan.deleted)
        _show_plan(plan, ngettext("removing %(n)s article", "removing %(n)s articles", n)
                   if yes else
                   ngettext("will remove %(n)s article", "will remove %(n)s articles", n))
        if not yes:
            confirm(_("Remove them?"))
        with archive.writing(jobs=1):
            _notices(archive)
            deleted = archive.remove(plan.ids, plan.paths, progress=_progress(quiet))
    click.echo(ngettext("removed %(n)s article", "removed %(n)s articles", len(deleted)))


@main.command(help=N_(
    "Search the archive; QUERY uses the syntax in README (words, \"phrases\", -exclude, "
    "OR, title:/author:/source:, date:2024-01..2024-06)."))
@click.argument("query")
@option("--limit", default=10, show_default=True, type=click.IntRange(1, 100),
        help=N_("Results per page."))
@option("--page", default=1, show_default=True, type=click.IntRange(1),
        help=N_("Page number."))
@option("--json", "as_json", is_flag=True, help=N_("Print the results as JSON."))
@click.pass_context
def search(ctx, query, limit, page, as_json):
    with _errors(), _archive(ctx) as archive:
        try:
            result: SearchResult = archive.search(query, page=page, per_page=limit)
        except QuerySyntaxError as e:  # the error, after the search of the text as plain text
            if e.plain is not None:
                _show_results(e.plain, page, as_json)
            raise
    _show_results(result, page, as_json)


def _show_results(result: SearchResult, page: int, as_json: bool) -> None:
    if as_json:  # the same keys in every language; the notice is said in it
        answer = result.to_dict()
        answer["notice"] = answer["notice"] and _notice(result)
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    click.echo(_("%(n)s results for «%(query)s» (%(ms)s ms)", n=result.total,
                 query=result.query, ms=round(result.seconds * 1000)))
    if result.notice:
        click.echo(("warning: " if result.reasons else "") + _notice(result), err=True)
    for hit in result.hits:
        meta = " · ".join(
            x for x in (hit.source, hit.author, hit.published and hit.published.isoformat()) if x
        )
        click.echo(f"\n[{hit.id}] {_terminal_html(str(hit.title_html))}"
                   + (f"  — {meta}" if meta else ""))
        click.echo(f"    {_terminal_html(str(hit.snippet))}")
    if result.pages > page:
        click.echo("\n" + _more(page, result.pages), err=True)


def _notice(result: SearchResult) -> str:
    """What the user should know about these results (`SearchResult.notice`), said in
    the terminal's language."""
    parts = []
    if result.unpaired:
        parts.append(_("The query's unpaired %(marks)s was searched as a character of the "
                      "text, not as a quotation mark: to search an exact phrase, give it both "
                      "marks (“…” or \"…\").", marks=" ".join(dict.fromkeys(result.unpaired))))
    if result.plain:
        parts.append(_("«%(query)s» was searched as plain text, its syntax ignored.",
                      query=result.query))
    if result.reasons:
        parts += [said(reason) for reason in result.reasons]
    elif result.partial:
        parts.append(_("This search matches so many articles that only part of them could be "
                      "ranked and shown in time: the results and counts come from that part. "
                      "Narrow it down: add a word, quote a phrase, or filter by source or "
                      "year."))
    if result.unindexed:
        parts.append(ngettext(
            "%(n)s stored article is not in the search index yet, so no search finds it: "
            "run `wenhai check --repair` to index it (an ingest still running indexes it "
            "when it finishes).",
            "%(n)s stored articles are not in the search index yet, so no search finds "
            "them: run `wenhai check --repair` to index them (an ingest still running "
            "indexes them when it finishes).", result.unindexed))
    return " ".join(parts)


def _more(page: int, pages: int) -> str:
    return _("page %(page)s of %(pages)s: --page %(next)s for more", page=page, pages=pages,
             next=str(page + 1))


@main.command(help=N_(
    "Print one article: its metadata (and where each value came from) and its text."))
@click.argument("article_id", type=int)
@option("--json", "as_json", is_flag=True, help=N_("Print the article as JSON."))
@click.pass_context
def show(ctx, article_id, as_json):
    with _errors(), _archive(ctx) as archive:
        article = archive.get(article_id)
    if as_json:
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(click.style(article.title, bold=True))
    for name in ("author", "source", "published", "url"):
        value = getattr(article, name)
        if value:
            how = article.provenance.get(name)
            click.echo(f"{name}: {value}" + (_("  (from %(how)s)", how=how) if how else ""))
    for name, value in article.extra.items():
        how = article.provenance.get(name)
        click.echo(f"{name}: {value}" + (_("  (from %(how)s)", how=how) if how else ""))
    if article.added_tags:
        click.echo(_("tags added: %(tags)s  (from wenhai tag)",
                     tags=", ".join(article.added_tags)))
    click.echo(f"file: {article.path}"
               + (_("  (+%(n)s more)", n=len(article.paths) - 1) if len(article.paths) > 1
                  else ""))
    click.echo(f"format: {article.format}, encoding: {article.encoding}")
    click.echo()
    for text, is_heading in article.paragraphs():
        click.echo(click.style(text, bold=True) if is_heading else text)


@main.command(help=N_(
    "Write the articles QUERY selects (every article without one) with their metadata "
    "and text, in UTF-8, one article at a time. A query's matches come best first, every "
    "copy of a repost included; all articles come oldest first. `wenhai ingest` reads a "
    "jsonl export back as the same articles."))
@click.argument("query", required=False, default="")
@option("--format", "fmt", type=click.Choice(export_lib.FORMATS), default="jsonl",
        show_default=True, help=N_("JSON Lines (ingest reads it back), CSV or Markdown."))
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
        help=N_("Write to this file (replaced only once it is complete) [default: stdout]."))
@click.pass_context
def export(ctx, query, fmt, output):
    with _errors(), _archive(ctx) as archive:
        articles = archive.articles(query)
        if output is None:
            sys.stdout.flush()  # UTF-8 whatever the locale says: written under stdout's
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            try:
                n = export_lib.write(articles, fmt, stream)
            finally:
                stream.flush()
                stream.detach()
        else:
            part = output.with_name(output.name + ".part")
            try:
                with open(part, "w", encoding="utf-8", newline="") as out:
                    n = export_lib.write(articles, fmt, out)
                os.replace(part, output)
            except OSError as e:
                part.unlink(missing_ok=True)
                raise click.ClickException(_(
                    "Cannot write %(path)s (%(error)s): choose another --output.",
                    path=str(output), error=e.strerror or str(e))) from e
    click.echo(ngettext("exported %(n)s article to %(path)s",
                        "exported %(n)s articles to %(path)s", n, path=str(output))
               if output else ngettext("exported %(n)s article", "exported %(n)s articles", n),
               err=True)


@main.command(help=N_(
    "Counts and sizes: articles, files, text, originals, index, top sources."))
@option("--json", "as_json", is_flag=True, help=N_("Print the figures as JSON."))
@click.pass_context
def stats(ctx, as_json):
    with _errors(), _archive(ctx) as archive:
        s = archive.stats()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    click.echo(_("archive:   %(home)s", home=str(s["home"])))
    click.echo(_("articles:  %(articles)s from %(files)s files", articles=s["articles"],
                 files=s["files"]))
    click.echo(_("text:      %(n)s characters", n=s["body_chars"]))
    click.echo(_("originals: %(mb)s MB", mb=_mb(s["original_bytes"])))
    click.echo(_("index:     %(mb)s MB", mb=_mb(s["index_bytes"])) + (
        _(" (%(n)s articles not searchable yet: run `wenhai check --repair`)",
          n=s["pending_index"]) if s["pending_index"] else ""))
    _copies(s["copies"])
    if s["sources"]:
        click.echo(_("sources:"))
        for name, n in s["sources"]:
            name = name or _("(unknown)")
            click.echo(f"  {number(n):>6}  {name}")


def _mb(size: int) -> str:
    """A size in MB with one decimal, as the terminal's language writes it."""
    return number(size / 1e6, "#,##0.0")


def _copies(copies: list[dict]) -> None:
    """The copies of the index kept in the home, with their sizes and what to do."""
    if not copies:
        return
    total = sum(c["bytes"] for c in copies)
    click.echo(_("copies:    %(n)s of the index kept beside it, %(mb)s MB (`wenhai prune` "
                 "deletes the damaged ones; the next write, the others)",
                 n=len(copies), mb=_mb(total)))
    for c in copies:
        click.echo(f"  {_mb(c['bytes']):>8} MB  {c['path']}  "
                   + _("(%(what)s)", what=said(c["what"])))


@main.command(help=N_(
    "Rebuild the search index from the stored articles (after an upgrade, or if it is "
    "damaged).\n\nThe new index is built beside the old one and swapped in when complete."))
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@JOBS
@click.pass_context
def reindex(ctx, quiet, jobs):
    with _errors(), _archive(ctx) as archive, archive.writing(rebuilding=True, jobs=jobs):
        _notices(archive)
        n = archive.reindex(progress=_progress(quiet))
    click.echo(_("reindexed %(n)s articles", n=n))


@main.command(help=N_(
    "Delete the copies of the search index kept in the archive's folder: damaged "
    "indexes that `check --repair` or `ingest` set aside (index.damaged-*), and what a "
    "stopped rebuild left (index.new). Stored articles and the index in use are "
    "untouched."))
@click.pass_context
def prune(ctx):
    with _errors(), _archive(ctx) as archive, archive.writing(rebuilding=True, jobs=1):
        _notices(archive)
        dropped = archive.prune()
    for path, size in dropped:
        click.echo(_("removed %(path)s (%(mb)s MB)", path=str(path), mb=_mb(size)))
    if dropped:
        click.echo(_("freed %(mb)s MB", mb=_mb(sum(size for _path, size in dropped))))
    else:
        click.echo(_("no damaged copies of the index in %(home)s", home=str(archive.home)))


@main.command(help=N_(
    "Compare the store with the search index: articles missing from the index or not "
    "indexed yet, index entries with no article, stale entries, the postings' checksums, "
    "and SQLite's own integrity check; list the copies of the index kept beside it.\n\n"
    "Exits 1 if anything is wrong or the index lags the store (after --repair: if "
    "anything could not be fixed)."))
@option("--repair", is_flag=True, help=N_("Fix what is found, from the stored articles."))
@option("--json", "as_json", is_flag=True, help=N_("Print the findings as JSON."))
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@click.pass_context
def check(ctx, repair, as_json, quiet):
    with _errors(), _archive(ctx) as archive:
        if repair:
            with archive.writing(rebuilding=True):
                found = archive.repair(progress=_progress(quiet))
                _notices(archive)
            after = archive.check()
        else:
            found = after = archive.check()
    if as_json:
        click.echo(json.dumps({"found": found.to_dict(), "after": after.to_dict()}, indent=2))
    else:
        click.echo(_("store:   %(integrity)s (%(articles)s articles, %(pending)s waiting to "
                     "be indexed)", integrity=said(found.integrity), articles=found.articles,
                     pending=found.pending))
        if found.index_problem:
            click.echo(_("index:   %(problem)s", problem=said(found.index_problem)))
        else:
            click.echo(_("index:   %(indexed)s documents; %(missing)s missing, %(extra)s extra, "
                         "%(stale)s stale", indexed=found.indexed, missing=len(found.missing),
                         extra=len(found.extra), stale=len(found.stale)))
        for part in found.parts:
            click.echo("  " + _("%(name)s: %(documents)s documents; %(missing)s missing, "
                                "%(extra)s extra", name=part["name"],
                                documents=part["documents"], missing=len(part["missing"]),
                                extra=len(part["extra"])))
        if found.dictionary_problem:
            click.echo(_("words:   %(problem)s", problem=said(found.dictionary_problem)))
        if found.pending:
            click.echo(_("lag:     %(n)s stored articles are not in the index yet, so no "
                         "search finds them", n=found.pending))
        _copies(after.copies)
        if repair:
            click.echo(_("repaired") if after.healthy else _("some problems remain: see above"))
        elif not found.healthy:
            click.echo(_("run `wenhai check --repair` to fix the index from the stored "
                         "articles"))
    if not after.healthy:
        ctx.exit(1)


@main.command(help=N_(
    "Serve the search and reader pages and the JSON API (waitress, a production server)."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Interface to listen on."))
@option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@option("--threads", default=8, show_default=True, type=click.IntRange(2, 64),
        help=N_("Threads answering requests."))
@option("--searches", type=click.IntRange(1, 63),
        help=N_("Searches run at once; more are answered 503 with Retry-After, so that "
                "the other threads keep answering pages [default: half of --threads]."))
@click.pass_context
def serve(ctx, host, port, threads, searches):
    from web import create_app
    from web.server import server as web_server

    searches = searches or threads // 2
    if searches >= threads:
        raise click.UsageError(_(
            "--searches %(searches)s leaves no thread for pages: give fewer than --threads "
            "(%(threads)s), or more threads.", searches=str(searches), threads=str(threads)))
    home = ctx.obj["home"]
    app = create_app({"WENHAI_HOME": str(home), "SEARCH_SLOTS": searches,
                      "WENHAI_CLUSTER": ctx.obj["cluster"]})
    with _errors():
        try:
            # Fails now, with advice, if the index needs a rebuild; the archive opened
            # here answers the first request.
            count = app.extensions["wenhai"].warm("检查").counts()["articles"]
        except OSError as e:
            raise click.ClickException(_(
                "Cannot open the archive at %(home)s: %(error)s.", home=str(home),
                error=e.strerror or str(e))) from e
    server = web_server(app, host=host, port=port, threads=threads)
    shown = f"[{host}]" if ":" in host else host
    click.echo(_("wenhai: %(n)s articles from %(home)s", n=count, home=str(home)))
    # "Serving on" is what scripts (and tests) wait for: it stays as it is
    click.echo(f"Serving on http://{shown}:{server.effective_port}/  "
               + _("(Ctrl+C to stop)"))
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@main.group(help=N_(
    "Run a Sphinx/Manticore cluster on this machine, to try scale-out and to test.\n\n"
    "A convenience, not a deployment tool: see README, \"Beyond one machine\"."))
def cluster():
    pass


@cluster.command("start", help=N_(
    "Start SHARDS shards and an aggregator on 127.0.0.1 from the installed searchd, and "
    "print the line to use them: WENHAI_CLUSTER=127.0.0.1:PORT."))
@option("--shards", default=2, show_default=True, type=click.IntRange(1, 64),
        help=N_("Real-time indexes, each its own searchd."))
@option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
        help=N_("Folder for the configurations, data, logs and pid files (shard-K.pid)."))
def cluster_start(shards, folder):
    from store.cluster import local

    with _errors():
        address = local.start(folder, shards)
    click.echo(f"WENHAI_CLUSTER={address}")


@cluster.command("stop", help=N_(
    "Stop exactly the daemons `wenhai cluster start` started in --dir."))
@option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
        help=N_("The folder given to `wenhai cluster start`."))
def cluster_stop(folder):
    from store.cluster import local

    with _errors():
        stopped = local.stop(folder)
    click.echo(_("stopped %(names)s", names=", ".join(stopped)) if stopped
               else _("nothing was running in %(folder)s", folder=str(folder)))


@main.command(help=N_(
    "Keep the archive in step with FOLDERS: ingest what changed while no one watched, "
    "then each new or changed file once it has stopped changing, a burst of files in one "
    "batch (one line each on stdout). A moved file keeps its articles; articles of a "
    "deleted file are listed, and removed with --prune. Ctrl+C or SIGTERM stops after "
    "the batch under way."))
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@option("--prune", is_flag=True,
        help=N_("Remove the articles of files deleted from the folders (without it, "
                "they are listed and kept)."))
@option("--quiet-seconds", default=watching.QUIET, show_default=True,
        type=click.FloatRange(0.05, 3600),
        help=N_("Read a file once its size and mtime stayed the same this long."))
@option("--encoding", help=N_("Force this encoding (e.g. gb18030, big5)."))
@option("--max-size", default=ingest_lib.DEFAULT_MAX_BYTES // 1_000_000,
        show_default=True, type=click.IntRange(1),
        help=N_("Refuse files larger than this many MB."))
@option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
        help=N_("Processes that read and index a large batch (1: all in this process, "
                "which Ctrl+C in a terminal stops most cleanly)."))
@click.pass_context
def watch(ctx, folders, prune, quiet_seconds, encoding, max_size, jobs):
    stop = threading.Event()

    def on_batch(batch: watching.Batch) -> None:
        _file_lines(batch.report)
        line = f"{time.strftime('%H:%M:%S')} {batch.report.summary()}"
        if batch.gone:
            line += ngettext("; %(n)s file gone", "; %(n)s files gone", len(batch.gone))
            if prune:
                line += ngettext(", %(n)s article removed", ", %(n)s articles removed",
                                 len(batch.removed))
            else:
                for path in batch.gone:
                    click.echo(f"gone: {path}: " + _(
                        "its articles stay; `wenhai watch --prune` or `wenhai ingest FOLDER "
                        "--prune --yes` removes them"), err=True)
        click.echo(line)

    def on_busy(e) -> None:
        click.echo("waiting: " + _("%(error)s (the batch is tried again shortly)",
                                   error=error(e)), err=True)

    def started() -> None:
        click.echo(_("watching %(folders)s (Ctrl+C to stop)",
                     folders=", ".join(str(f) for f in folders)))

    watcher = watching.Watcher(
        ctx.obj["home"], list(folders), quiet=quiet_seconds, prune=prune, jobs=jobs,
        ingest_options={"encoding": encoding, "max_bytes": max_size * 1_000_000},
        cluster=ctx.obj["cluster"], on_batch=on_batch, on_busy=on_busy)
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with _errors():
            watcher.run(stop, started)
    except watching.WatchError as e:
        raise click.ClickException(said(e.args[0])) from e
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(_("stopped"))


def _tagging(ctx: click.Context, article_id: int, add: tuple[str, ...],
             drop: tuple[str, ...]) -> None:
    """`tag` and `untag`: change the tags, then say what changed and the tags now."""
    with _errors(), _archive(ctx) as archive:
        with archive.writing(jobs=1):
            _notices(archive)
            added, dropped = archive.tag(article_id, list(add), list(drop))
        article = archive.get(article_id)
    done = [f"+{t}" for t in added] + [f"-{t}" for t in dropped]
    click.echo(f"[{article_id}] {article.title}: "
               + (" ".join(done) if done else _("no change"))
               + _("; tags: %(tags)s", tags=", ".join(article.tags) or _("(none)")))


@main.command(help=N_(
    "Give article ARTICLE_ID the TAGS (each an argument: 新能源 小米). `tag:新能源` "
    "finds them, the results page counts them, and they stay when the article's file "
    "changes."))
@click.argument("article_id", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def tag(ctx, article_id, tags):
    _tagging(ctx, article_id, tags, ())


@main.command(help=N_(
    "Take TAGS given with `wenhai tag` away from article ARTICLE_ID (a tag its file "
    "names is dropped by editing the file)."))
@click.argument("article_id", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def untag(ctx, article_id, tags):
    _tagging(ctx, article_id, (), tags)


@main.group("dict", help=N_(
    "The archive's own words for jieba: names, brands, new slang it splits (小米汽车, "
    "米粉). Kept in dictionary.txt in the archive's folder, one word a line in jieba's "
    "format (词 [词频] [词性]); used to segment articles and queries alike."))
def dictionary() -> None:
    pass


def _entries(args: tuple[str, ...]) -> list[tuple[str, int | None, None]]:
    """`词 [词频] 词 …` as entries: a number after a word is its frequency."""
    entries: list[tuple[str, int | None, None]] = []
    for arg in args:
        if arg.isdigit() and arg.isascii() and entries and entries[-1][1] is None:
            entries[-1] = (entries[-1][0], int(arg), None)
        elif arg.isdigit() and arg.isascii():
            raise click.UsageError(
                _("%(arg)s: a frequency must follow a word (wenhai dict add 小米汽车 100).",
                  arg=arg))
        else:
            entries.append((arg, None, None))
    return entries


def _change_dictionary(ctx, quiet: bool, jobs: int | None, done: str, **change) -> None:
    """Change the dictionary (`Archive.change_dictionary(**change)`), then say what was
    `done` and how many articles were segmented again."""
    with _errors(), _archive(ctx) as archive, archive.writing(jobs=jobs):
        _notices(archive)
        changed = archive.change_dictionary(**change, progress=_progress(quiet))
    click.echo(done)
    click.echo(ngettext("updated %(n)s article (those containing %(words)s)",
                        "updated %(n)s articles (those containing %(words)s)",
                        len(changed.updated),
                        words="、".join(changed.words) or _("no changed word")))


@dictionary.command("add", help=N_(
    "Add WORDS to the dictionary, each optionally followed by its frequency (jieba's: "
    "higher keeps it whole more often; default: just enough), then segment again the "
    "articles that contain them — only those — and say how many.\n\n"
    "    wenhai dict add 小米汽车 米粉 YU7 1000"))
@click.argument("words", nargs=-1, required=True)
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@JOBS
@click.pass_context
def dict_add(ctx, words, quiet, jobs):
    entries = _entries(words)
    _change_dictionary(ctx, quiet, jobs,
                       _("added %(words)s", words="、".join(w for w, _f, _t in entries)),
                       add=entries)


@dictionary.command("remove", help=N_(
    "Remove WORDS from the dictionary, then segment again the articles that contain "
    "them, as jieba alone would."))
@click.argument("words", nargs=-1, required=True)
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@JOBS
@click.pass_context
def dict_remove(ctx, words, quiet, jobs):
    _change_dictionary(ctx, quiet, jobs, _("removed %(words)s", words="、".join(words)),
                       remove=words)


@dictionary.command("list", help=N_(
    "Print the dictionary's words as they are written in its file."))
@click.pass_context
def dict_list(ctx):
    with _errors(), _archive(ctx) as archive:
        entries = archive.user_dictionary()
        click.echo(ngettext("%(n)s word in %(path)s", "%(n)s words in %(path)s", len(entries),
                            path=str(archive.home / "dictionary.txt")), err=True)
    for word, freq, tag in entries:
        click.echo(" ".join(str(p) for p in (word, freq, tag) if p is not None))


@dictionary.command("suggest", help=N_(
    "Propose words for the dictionary: strings the archive repeats that jieba splits, "
    "most word-like first (cohesion: how much more its parts occur together than by "
    "chance; freedom: how varied its neighbours are). Prints each with its count, its "
    "score and how jieba cuts it now; accept one with `wenhai dict add`."))
@option("--limit", default=30, show_default=True, type=click.IntRange(1, 1000),
        help=N_("How many candidates to print."))
@option("--sample", default=2_000_000, show_default=True, type=click.IntRange(10_000),
        help=N_("Characters of text to read at most, from articles spread over the "
                "whole archive (time and memory grow with it)."))
@option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
@click.pass_context
def dict_suggest(ctx, limit, sample, quiet):
    with _errors(), _archive(ctx) as archive:
        found = archive.word_candidates(limit, sample, progress=_progress(quiet))
    if not found:
        click.echo(_("no candidates: the archive repeats no string jieba splits often enough"),
                   err=True)
    for c in found:
        click.echo(f"{c.text}\t{c.count}\t{c.score:.2f}\t{' / '.join(c.pieces)}")


def _kwic_notice(found) -> str:
    """A concordance's notice (sorting by context was refused: too many lines) in the
    terminal's language."""
    return _("«%(query)s» occurs %(n)s times: sorting by context works up to %(limit)s "
             "occurrences, so the lines are in article order. Narrow it by source, author or "
             "a date range to sort them.", query=found.query, n=found.total,
             limit=KWIC_SORT_LIMIT)


def _filter_options(command):
    """--source, --author, --from and --to: the search page's filters."""
    for name, text in reversed([
            ("source", N_("Only articles from this source (exactly).")),
            ("author", N_("Only articles by this author (exactly).")),
            ("from", N_("Published on or after: 2024, 2024-01 or 2024-03-05.")),
            ("to", N_("Published on or before, the same way."))]):
        command = option(f"--{name}", f"filter_{name}", metavar="TEXT", help=text)(command)
    return command


def _filters(filter_source, filter_author, filter_from, filter_to) -> Filters:
    return Filters(source=filter_source, author=filter_author, date_from=filter_from,
                   date_to=filter_to)


def _export_to_stdout(chunks: Iterable[str]) -> None:
    """Text chunks to stdout in UTF-8 whatever the locale says, as they come."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        for chunk in chunks:
            stream.write(chunk)
    finally:
        stream.flush()
        stream.detach()


@main.command(help=N_(
    "A concordance: every occurrence of the exact string TEXT in the articles' texts, one "
    "per line — about 20 characters of left context, the string, 20 of right context — "
    "with the article's id and which occurrence of it this is."))
@click.argument("text")
@option("--sort", type=click.Choice(KWIC_SORTS), default="text", show_default=True,
        help=N_("text: newest article first, occurrences in order; left/right: by the "
                "context on that side, read from the string outwards."))
@option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
        help=N_("Lines per page."))
@option("--page", default=1, show_default=True, type=click.IntRange(1),
        help=N_("Page number."))
@option("--csv", "fmt", flag_value="csv", help=N_("Every line as CSV, streamed (no paging)."))
@option("--tsv", "fmt", flag_value="tsv", help=N_("Every line as TSV, streamed (no paging)."))
@option("--json", "as_json", is_flag=True, help=N_("Print the page as JSON."))
@option("--reposts", type=click.Choice(REPOST_MODES), default="one", show_default=True,
        help=N_("one: a repost group's newest copy only; all: every copy."))
@_filter_options
@click.pass_context
def kwic(ctx, text, sort, limit, page, fmt, as_json, reposts, **filters):
    from rich.cells import cell_len

    with _errors(), _archive(ctx) as archive:
        concordance = archive.concordance(text, filters=_filters(**filters), reposts=reposts)
        if fmt:
            _export_to_stdout(concordance.export(sort, fmt))
            return
        found = concordance.page(page, limit, sort)
    if as_json:  # the same keys in every language; the notice is said in it
        answer = found.to_dict()
        answer["notice"] = answer["notice"] and _kwic_notice(found)
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    click.echo(ngettext("«%(query)s»: %(n)s occurrence in %(articles)s",
                        "«%(query)s»: %(n)s occurrences in %(articles)s", found.total,
                        query=found.query, articles=ngettext("%(n)s article", "%(n)s articles",
                                                             found.articles)), err=True)
    if found.notice:
        click.echo(_kwic_notice(found), err=True)
    width = max((cell_len(line.left) for line in found.lines), default=0)
    for line in found.lines:
        pad = " " * (width - cell_len(line.left))
        click.echo(f"{pad}{line.left}  {click.style(line.match, bold=True, fg='yellow')}  "
                   f"{line.right}  [{line.article_id}#{line.occurrence}]")
    if found.pages > page:
        click.echo(_more(page, found.pages), err=True)


@main.command(help=N_(
    "How often each of up to 6 TERMS (exact strings; also `雷军,小米汽车`) appears in the "
    "articles' texts per month or year: a column per term, a row per period."))
@click.argument("terms", nargs=-1, required=True)
@option("--by", type=click.Choice(TIMELINE_BY), default="auto", show_default=True,
        help=N_("Count per month or per year (auto: years over more than 48 months)."))
@option("--measure", type=click.Choice(TREND_MEASURES), default="articles",
        show_default=True, help=N_("Articles whose text has the term, or its occurrences."))
@option("--csv", "as_csv", is_flag=True, help=N_("Print the table as CSV."))
@option("--json", "as_json", is_flag=True, help=N_("Print the series as JSON."))
@_filter_options
@click.pass_context
def trends(ctx, terms, by, measure, as_csv, as_json, **filters):
    from rich.cells import cell_len

    with _errors(), _archive(ctx) as archive:
        found = archive.trends(list(terms), by=by, measure=measure,
                               filters=_filters(**filters))
    if as_csv:
        _export_to_stdout([found.csv()])
        return
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    header = [_("period"), *found.terms]
    rows = [[p, *map(number, counts)] for p, counts in found.rows()]
    totals = [_("total"), *(number(s.total) for s in found.series)]
    widths = [max(cell_len(r[i]) for r in [header, *rows, totals]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(" " * (w - cell_len(c)) + c for c, w in zip(cells, widths, strict=True))

    click.echo(line(header))
    for row in rows:
        click.echo(line(row))
    click.echo(line(totals))
    click.echo({("articles", "month"): _("articles per month"),
                ("articles", "year"): _("articles per year"),
                ("occurrences", "month"): _("occurrences per month"),
                ("occurrences", "year"): _("occurrences per year")}[measure, found.by],
               err=True)
