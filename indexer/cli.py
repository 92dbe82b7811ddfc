"""The `wenhai` command: a thin shell over `store` and `indexer.ingest`.

Results go to stdout, progress and problems to stderr. Library errors become
`click.ClickException` (exit 1) or `click.UsageError` (exit 2) here, at the edge.
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
        raise click.UsageError(str(e)) from e
    except ArchiveError as e:
        raise click.ClickException(str(e)) from e


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
            task = bar.add_task(label, total=total)
            for item in items:
                yield item
                bar.advance(task)

    return wrap


def _notices(archive: Archive) -> None:
    for notice in archive.notices:
        click.echo(f"notice: {notice}", err=True)
    archive.notices.clear()


def _terminal_html(fragment: str) -> str:
    """A highlighted snippet for the terminal: marks in bold, entities decoded."""
    styled = _MARK.sub(lambda m: click.style(m.group(1), bold=True, fg="yellow"), fragment)
    return html.unescape(styled)


#: How many processes index text (ingest, reindex).
JOBS = click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help="Processes that read files and index text, each indexing its share [default: one "
    "per core; 1 = everything in this process].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (archive.db + index/). Default: $WENHAI_HOME, "
    "else $XDG_DATA_HOME/wenhai, else ~/.local/share/wenhai.",
)
@click.option(
    "--cluster", metavar="HOST:PORT",
    help="Search and feed the Sphinx/Manticore cluster whose aggregator listens there "
    "instead of the archive's own index. Default: $WENHAI_CLUSTER, else the file "
    "`cluster` in the home, else none.",
)
@click.version_option(package_name="wenhai")
@click.pass_context
def main(ctx: click.Context, home: Path | None, cluster: str | None) -> None:
    """文海 wenhai — a searchable archive of Chinese articles."""
    ctx.obj = {"home": home or default_home(), "cluster": cluster}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--encoding", help="Force this encoding (e.g. gb18030, big5) instead of detecting it.",
)
@click.option(
    "--max-size", default=ingest_lib.DEFAULT_MAX_BYTES // 1_000_000, show_default=True,
    type=click.IntRange(1), help="Refuse files larger than this many MB.",
)
@click.option(
    "--max-chars", default=ingest_lib.DEFAULT_MAX_CHARS, show_default=True,
    type=click.IntRange(1000), help="Keep at most this many characters of one article's text.",
)
@click.option(
    "--follow-symlinks", is_flag=True,
    help="Read what symbolic links in the folders point to even outside those folders "
    "(by default such links are left out, each named on stderr).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-file failures.")
@click.option(
    "--prune", is_flag=True,
    help="Then list the articles whose files under PATHS are gone from the disk; with "
    "--yes, remove them (an article also stored from a file still there keeps that one).",
)
@click.option("-y", "--yes", is_flag=True, help="With --prune: remove what it lists.")
@JOBS
@click.pass_context
def ingest(ctx, paths, encoding, max_size, max_chars, follow_symlinks, quiet, prune, yes, jobs):
    """Add the articles in PATHS (files or folders, recursively) to the archive.

    Reads .txt, .md, .html/.htm, .json and .jsonl in UTF-8, UTF-16, GB18030 or Big5,
    Word .docx, and every such file inside a .zip (up to 10,000 files and 20 × --max-size
    unpacked per zip). Unchanged files are skipped; changed files update their articles;
    a file moved or renamed (same bytes, old path gone) keeps its articles under the new
    path. Exits 1 if any file or record failed (the others are stored all the same).
    """
    if yes and not prune:
        raise click.UsageError("--yes confirms what --prune removes: add --prune, or leave "
                               "out --yes.")
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
                click.echo("prune: no file of the archive under these paths is gone")
            else:
                _show_plan(plan, "prune: " + ("removing" if yes else "would remove"))
                if yes:
                    archive.remove(paths=plan.paths, progress=_progress(quiet))
                else:
                    click.echo("prune: nothing removed; run again with --yes to remove them")
    if not quiet:
        _file_lines(report)
    summary = report.summary()
    if report.files and not report.changed and not report.failed:
        summary += " — the archive is already up to date"
    click.echo(summary)
    if report.failed or report.bad_record_count:
        ctx.exit(1)


def _file_lines(report: ingest_lib.Report) -> None:
    """One line on stderr per file left out, stored with a note, or failed."""
    for failure in report.left_out:
        click.echo(f"skipped: {failure.path}: {failure.reason}", err=True)
    for note in report.notes:
        click.echo(f"note: {note.path}: {note.reason}", err=True)
    for failure in (*report.bad_records, *report.failed):
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)


def _show_plan(plan: removing.Plan, doing: str) -> None:
    """What a removal deletes and forgets, one line each, on stdout."""
    n = len(plan.deleted)
    click.echo(f"{doing} {n} article{'s' if n != 1 else ''}"
               + (f" and {len(plan.paths)} file{'s' if len(plan.paths) != 1 else ''}"
                  if plan.paths else "") + ":")
    for article in plan.deleted:
        click.echo(f"  [{article.id}] {article.title}  ({article.path or 'no file'})")
    for path in plan.paths:
        click.echo(f"  file {path}")
    for article in plan.kept:
        click.echo(f"  kept [{article.id}] {article.title}: also stored from another file")


@main.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Remove without asking.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def remove(ctx, targets, yes, quiet):
    """Remove articles from the archive and its index: each TARGET is an article's id or
    the path of an ingested file or folder (its files' articles; an article also stored
    from another file keeps that file). Lists what it removes and asks first, unless
    --yes. A file whose every article was removed is read again by the next ingest
    of its folder, if it is still there.
    """
    ids = [int(t) for t in targets if t.isdigit()]
    places = [Path(t) for t in targets if not t.isdigit()]
    with _errors(), _archive(ctx) as archive:
        try:
            plan = removing.plan(archive, ids, removing.recorded(archive, places))
        except IngestError as e:
            raise click.ClickException(str(e)) from e
        _show_plan(plan, "removing" if yes else "will remove")
        if not yes:
            click.confirm("Remove them?", abort=True, err=True)
        with archive.writing(jobs=1):
            _notices(archive)
            deleted = archive.remove(plan.ids, plan.paths, progress=_progress(quiet))
    click.echo(f"removed {len(deleted)} article{'s' if len(deleted) != 1 else ''}")


@main.command()
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Results per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page number.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_context
def search(ctx, query, limit, page, as_json):
    """Search the archive; QUERY uses the syntax in README (words, "phrases", -exclude, OR,
    title:/author:/source:, date:2024-01..2024-06)."""
    with _errors(), _archive(ctx) as archive:
        try:
            result: SearchResult = archive.search(query, page=page, per_page=limit)
        except QuerySyntaxError as e:  # the error, after the search of the text as plain text
            if e.plain is not None:
                _show_results(e.plain, page, as_json)
            raise
    _show_results(result, page, as_json)


def _show_results(result: SearchResult, page: int, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} results for «{result.query}» ({result.seconds * 1000:.0f} ms)")
    if result.notice:
        click.echo(("warning: " if result.reasons else "") + result.notice, err=True)
    for hit in result.hits:
        meta = " · ".join(
            x for x in (hit.source, hit.author, hit.published and hit.published.isoformat()) if x
        )
        click.echo(f"\n[{hit.id}] {_terminal_html(str(hit.title_html))}"
                   + (f"  — {meta}" if meta else ""))
        click.echo(f"    {_terminal_html(str(hit.snippet))}")
    if result.pages > page:
        click.echo(f"\npage {page} of {result.pages}: --page {page + 1} for more", err=True)


@main.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@click.pass_context
def show(ctx, article_id, as_json):
    """Print one article: its metadata (and where each value came from) and its text."""
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
            click.echo(f"{name}: {value}" + (f"  (from {how})" if how else ""))
    for name, value in article.extra.items():
        how = article.provenance.get(name)
        click.echo(f"{name}: {value}" + (f"  (from {how})" if how else ""))
    if article.added_tags:
        click.echo(f"tags added: {', '.join(article.added_tags)}  (from wenhai tag)")
    click.echo(f"file: {article.path}"
               + (f"  (+{len(article.paths) - 1} more)" if len(article.paths) > 1 else ""))
    click.echo(f"format: {article.format}, encoding: {article.encoding}")
    click.echo()
    for text, is_heading in article.paragraphs():
        click.echo(click.style(text, bold=True) if is_heading else text)


@main.command()
@click.argument("query", required=False, default="")
@click.option("--format", "fmt", type=click.Choice(export_lib.FORMATS), default="jsonl",
              show_default=True, help="JSON Lines (ingest reads it back), CSV or Markdown.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (replaced only once it is complete) [default: stdout].")
@click.pass_context
def export(ctx, query, fmt, output):
    """Write the articles QUERY selects (every article without one) with their metadata
    and text, in UTF-8, one article at a time. A query's matches come best first, every
    copy of a repost included; all articles come oldest first. `wenhai ingest` reads a
    jsonl export back as the same articles.
    """
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
                raise click.ClickException(
                    f"Cannot write {output} ({e.strerror or e}): choose another --output."
                ) from e
    click.echo(f"exported {n} article{'s' if n != 1 else ''}"
               + (f" to {output}" if output else ""), err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def stats(ctx, as_json):
    """Counts and sizes: articles, files, text, originals, index, top sources."""
    with _errors(), _archive(ctx) as archive:
        s = archive.stats()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    click.echo(f"archive:   {s['home']}")
    click.echo(f"articles:  {s['articles']} from {s['files']} files")
    click.echo(f"text:      {s['body_chars']:,} characters")
    click.echo(f"originals: {s['original_bytes'] / 1e6:.1f} MB")
    click.echo(f"index:     {s['index_bytes'] / 1e6:.1f} MB" + (
        f" ({s['pending_index']} articles not searchable yet: run `wenhai check --repair`)"
        if s["pending_index"] else ""))
    _copies(s["copies"])
    if s["sources"]:
        click.echo("sources:")
        for name, n in s["sources"]:
            click.echo(f"  {n:6d}  {name or '(unknown)'}")


def _copies(copies: list[dict]) -> None:
    """The copies of the index kept in the home, with their sizes and what to do."""
    if not copies:
        return
    total = sum(c["bytes"] for c in copies)
    click.echo(f"copies:    {len(copies)} of the index kept beside it, {total / 1e6:.1f} MB "
               "(`wenhai prune` deletes the damaged ones; the next write, the others)")
    for c in copies:
        click.echo(f"  {c['bytes'] / 1e6:8.1f} MB  {c['path']}  ({c['what']})")


@main.command()
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@JOBS
@click.pass_context
def reindex(ctx, quiet, jobs):
    """Rebuild the search index from the stored articles (after an upgrade, or if it is damaged).

    The new index is built beside the old one and swapped in when complete.
    """
    with _errors(), _archive(ctx) as archive, archive.writing(rebuilding=True, jobs=jobs):
        _notices(archive)
        n = archive.reindex(progress=_progress(quiet))
    click.echo(f"reindexed {n} articles")


@main.command()
@click.pass_context
def prune(ctx):
    """Delete the copies of the search index kept in the archive's folder: damaged
    indexes that `check --repair` or `ingest` set aside (index.damaged-*), and what a
    stopped rebuild left (index.new). Stored articles and the index in use are untouched.
    """
    with _errors(), _archive(ctx) as archive, archive.writing(rebuilding=True, jobs=1):
        _notices(archive)
        dropped = archive.prune()
    for path, size in dropped:
        click.echo(f"removed {path} ({size / 1e6:.1f} MB)")
    if dropped:
        click.echo(f"freed {sum(size for _, size in dropped) / 1e6:.1f} MB")
    else:
        click.echo(f"no damaged copies of the index in {archive.home}")


@main.command()
@click.option("--repair", is_flag=True, help="Fix what is found, from the stored articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def check(ctx, repair, as_json, quiet):
    """Compare the store with the search index: articles missing from the index or not
    indexed yet, index entries with no article, stale entries, the postings' checksums,
    and SQLite's own integrity check; list the copies of the index kept beside it.

    Exits 1 if anything is wrong or the index lags the store (after --repair: if
    anything could not be fixed).
    """
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
        click.echo(f"store:   {found.store_integrity} ({found.articles} articles, "
                   f"{found.pending} waiting to be indexed)")
        if found.index_problem:
            click.echo(f"index:   {found.index_problem}")
        else:
            click.echo(f"index:   {found.indexed} documents; {len(found.missing)} missing, "
                       f"{len(found.extra)} extra, {len(found.stale)} stale")
        for part in found.parts:
            click.echo(f"  {part['name']}: {part['documents']} documents; "
                       f"{len(part['missing'])} missing, {len(part['extra'])} extra")
        if found.dictionary_problem:
            click.echo(f"words:   {found.dictionary_problem}")
        if found.pending:
            click.echo(f"lag:     {found.pending} stored articles are not in the index yet, "
                       "so no search finds them")
        _copies(after.copies)
        if repair:
            click.echo("repaired" if after.healthy else "some problems remain: see above")
        elif not found.healthy:
            click.echo("run `wenhai check --repair` to fix the index from the stored articles")
    if not after.healthy:
        ctx.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(2, 64),
              help="Threads answering requests.")
@click.option("--searches", type=click.IntRange(1, 63),
              help="Searches run at once; more are answered 503 with Retry-After, so that "
              "the other threads keep answering pages [default: half of --threads].")
@click.pass_context
def serve(ctx, host, port, threads, searches):
    """Serve the search and reader pages and the JSON API (waitress, a production server)."""
    from web import create_app
    from web.server import server as web_server

    searches = searches or threads // 2
    if searches >= threads:
        raise click.UsageError(
            f"--searches {searches} leaves no thread for pages: give fewer than --threads "
            f"({threads}), or more threads."
        )
    home = ctx.obj["home"]
    app = create_app({"WENHAI_HOME": str(home), "SEARCH_SLOTS": searches,
                      "WENHAI_CLUSTER": ctx.obj["cluster"]})
    with _errors():
        try:
            # Fails now, with advice, if the index needs a rebuild; the archive opened
            # here answers the first request.
            count = app.extensions["wenhai"].warm("检查").counts()["articles"]
        except OSError as e:
            raise click.ClickException(
                f"Cannot open the archive at {home}: {e.strerror or e}."
            ) from e
    server = web_server(app, host=host, port=port, threads=threads)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"wenhai: {count} articles from {home}")
    click.echo(f"Serving on http://{shown}:{server.effective_port}/  (Ctrl+C to stop)")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@main.group()
def cluster():
    """Run a Sphinx/Manticore cluster on this machine, to try scale-out and to test.

    A convenience, not a deployment tool: see README, "Beyond one machine".
    """


@cluster.command("start")
@click.option("--shards", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Real-time indexes, each its own searchd.")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the configurations, data, logs and pid files (shard-K.pid).")
def cluster_start(shards, folder):
    """Start SHARDS shards and an aggregator on 127.0.0.1 from the installed searchd, and
    print the line to use them: WENHAI_CLUSTER=127.0.0.1:PORT."""
    from store.cluster import local

    with _errors():
        address = local.start(folder, shards)
    click.echo(f"WENHAI_CLUSTER={address}")


@cluster.command("stop")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder given to `wenhai cluster start`.")
def cluster_stop(folder):
    """Stop exactly the daemons `wenhai cluster start` started in --dir."""
    from store.cluster import local

    with _errors():
        stopped = local.stop(folder)
    click.echo(f"stopped {', '.join(stopped)}" if stopped else f"nothing was running in {folder}")


@main.command()
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--prune", is_flag=True,
              help="Remove the articles of files deleted from the folders (without it, "
              "they are listed and kept).")
@click.option("--quiet-seconds", default=watching.QUIET, show_default=True,
              type=click.FloatRange(0.05, 3600),
              help="Read a file once its size and mtime stayed the same this long.")
@click.option("--encoding", help="Force this encoding (e.g. gb18030, big5).")
@click.option("--max-size", default=ingest_lib.DEFAULT_MAX_BYTES // 1_000_000,
              show_default=True, type=click.IntRange(1),
              help="Refuse files larger than this many MB.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that read and index a large batch (1: all in this process, "
              "which Ctrl+C in a terminal stops most cleanly).")
@click.pass_context
def watch(ctx, folders, prune, quiet_seconds, encoding, max_size, jobs):
    """Keep the archive in step with FOLDERS: ingest what changed while no one watched,
    then each new or changed file once it has stopped changing, a burst of files in one
    batch (one line each on stdout). A moved file keeps its articles; articles of a
    deleted file are listed, and removed with --prune. Ctrl+C or SIGTERM stops after
    the batch under way.
    """
    stop = threading.Event()

    def on_batch(batch: watching.Batch) -> None:
        _file_lines(batch.report)
        line = f"{time.strftime('%H:%M:%S')} {batch.report.summary()}"
        if batch.gone:
            n = len(batch.gone)
            line += f"; {n} file{'s' if n != 1 else ''} gone"
            if prune:
                line += f", {len(batch.removed)} article{'s' if len(batch.removed) != 1 else ''}" \
                        " removed"
            else:
                for path in batch.gone:
                    click.echo(f"gone: {path}: its articles stay; `wenhai watch --prune` or "
                               "`wenhai ingest FOLDER --prune --yes` removes them", err=True)
        click.echo(line)

    def on_busy(error) -> None:
        click.echo(f"waiting: {error} (the batch is tried again shortly)", err=True)

    def started() -> None:
        click.echo(f"watching {', '.join(str(f) for f in folders)} (Ctrl+C to stop)")

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
        raise click.ClickException(str(e)) from e
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("stopped")


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
               + (" ".join(done) if done else "no change")
               + f"; tags: {', '.join(article.tags) or '(none)'}")


@main.command()
@click.argument("article_id", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def tag(ctx, article_id, tags):
    """Give article ARTICLE_ID the TAGS (each an argument: 新能源 小米). `tag:新能源`
    finds them, the results page counts them, and they stay when the article's file
    changes."""
    _tagging(ctx, article_id, tags, ())


@main.command()
@click.argument("article_id", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.pass_context
def untag(ctx, article_id, tags):
    """Take TAGS given with `wenhai tag` away from article ARTICLE_ID (a tag its file
    names is dropped by editing the file)."""
    _tagging(ctx, article_id, (), tags)


@main.group("dict")
def dictionary() -> None:
    """The archive's own words for jieba: names, brands, new slang it splits (小米汽车,
    米粉). Kept in dictionary.txt in the archive's folder, one word a line in jieba's
    format (词 [词频] [词性]); used to segment articles and queries alike.
    """


def _entries(args: tuple[str, ...]) -> list[tuple[str, int | None, None]]:
    """`词 [词频] 词 …` as entries: a number after a word is its frequency."""
    entries: list[tuple[str, int | None, None]] = []
    for arg in args:
        if arg.isdigit() and arg.isascii() and entries and entries[-1][1] is None:
            entries[-1] = (entries[-1][0], int(arg), None)
        elif arg.isdigit() and arg.isascii():
            raise click.UsageError(
                f"{arg}: a frequency must follow a word (wenhai dict add 小米汽车 100).")
        else:
            entries.append((arg, None, None))
    return entries


def _change_dictionary(ctx, quiet: bool, jobs: int | None, done: str, **change) -> None:
    """Change the dictionary (`Archive.change_dictionary(**change)`), then say what was
    `done` and how many articles were segmented again."""
    with _errors(), _archive(ctx) as archive, archive.writing(jobs=jobs):
        _notices(archive)
        changed = archive.change_dictionary(**change, progress=_progress(quiet))
    n = len(changed.updated)
    click.echo(done)
    click.echo(f"updated {n} article{'s' if n != 1 else ''} (those containing "
               f"{'、'.join(changed.words) or 'no changed word'})")


@dictionary.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@JOBS
@click.pass_context
def dict_add(ctx, words, quiet, jobs):
    """Add WORDS to the dictionary, each optionally followed by its frequency (jieba's:
    higher keeps it whole more often; default: just enough), then segment again the
    articles that contain them — only those — and say how many.

        wenhai dict add 小米汽车 米粉 YU7 1000
    """
    entries = _entries(words)
    _change_dictionary(ctx, quiet, jobs, f"added {'、'.join(w for w, _, _ in entries)}",
                       add=entries)


@dictionary.command("remove")
@click.argument("words", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@JOBS
@click.pass_context
def dict_remove(ctx, words, quiet, jobs):
    """Remove WORDS from the dictionary, then segment again the articles that contain
    them, as jieba alone would."""
    _change_dictionary(ctx, quiet, jobs, f"removed {'、'.join(words)}", remove=words)


@dictionary.command("list")
@click.pass_context
def dict_list(ctx):
    """Print the dictionary's words as they are written in its file."""
    with _errors(), _archive(ctx) as archive:
        entries = archive.user_dictionary()
        click.echo(f"{len(entries)} word{'s' if len(entries) != 1 else ''} in "
                   f"{archive.home / 'dictionary.txt'}", err=True)
    for word, freq, tag in entries:
        click.echo(" ".join(str(p) for p in (word, freq, tag) if p is not None))


@dictionary.command("suggest")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 1000),
              help="How many candidates to print.")
@click.option("--sample", default=2_000_000, show_default=True, type=click.IntRange(10_000),
              help="Characters of text to read at most, from articles spread over the "
              "whole archive (time and memory grow with it).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def dict_suggest(ctx, limit, sample, quiet):
    """Propose words for the dictionary: strings the archive repeats that jieba splits,
    most word-like first (cohesion: how much more its parts occur together than by
    chance; freedom: how varied its neighbours are). Prints each with its count, its
    score and how jieba cuts it now; accept one with `wenhai dict add`.
    """
    with _errors(), _archive(ctx) as archive:
        found = archive.word_candidates(limit, sample, progress=_progress(quiet))
    if not found:
        click.echo("no candidates: the archive repeats no string jieba splits often enough",
                   err=True)
    for c in found:
        click.echo(f"{c.text}\t{c.count}\t{c.score:.2f}\t{' / '.join(c.pieces)}")


def _filter_options(command):
    """--source, --author, --from and --to: the search page's filters."""
    for name, text in reversed([("source", "Only articles from this source (exactly)."),
                                ("author", "Only articles by this author (exactly)."),
                                ("from", "Published on or after: 2024, 2024-01 or 2024-03-05."),
                                ("to", "Published on or before, the same way.")]):
        command = click.option(f"--{name}", f"filter_{name}", metavar="TEXT", help=text)(command)
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


@main.command()
@click.argument("text")
@click.option("--sort", type=click.Choice(KWIC_SORTS), default="text", show_default=True,
              help="text: newest article first, occurrences in order; left/right: by the "
              "context on that side, read from the string outwards.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="Lines per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page number.")
@click.option("--csv", "fmt", flag_value="csv", help="Every line as CSV, streamed (no paging).")
@click.option("--tsv", "fmt", flag_value="tsv", help="Every line as TSV, streamed (no paging).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@click.option("--reposts", type=click.Choice(REPOST_MODES), default="one", show_default=True,
              help="one: a repost group's newest copy only; all: every copy.")
@_filter_options
@click.pass_context
def kwic(ctx, text, sort, limit, page, fmt, as_json, reposts, **filters):
    """A concordance: every occurrence of the exact string TEXT in the articles' texts, one
    per line — about 20 characters of left context, the string, 20 of right context —
    with the article's id and which occurrence of it this is."""
    from rich.cells import cell_len

    with _errors(), _archive(ctx) as archive:
        concordance = archive.concordance(text, filters=_filters(**filters), reposts=reposts)
        if fmt:
            _export_to_stdout(concordance.export(sort, fmt))
            return
        found = concordance.page(page, limit, sort)
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"«{found.query}»: {found.total} occurrence{'s' if found.total != 1 else ''} in "
               f"{found.articles} article{'s' if found.articles != 1 else ''}", err=True)
    if found.notice:
        click.echo(found.notice, err=True)
    width = max((cell_len(line.left) for line in found.lines), default=0)
    for line in found.lines:
        pad = " " * (width - cell_len(line.left))
        click.echo(f"{pad}{line.left}  {click.style(line.match, bold=True, fg='yellow')}  "
                   f"{line.right}  [{line.article_id}#{line.occurrence}]")
    if found.pages > page:
        click.echo(f"page {page} of {found.pages}: --page {page + 1} for more", err=True)


@main.command()
@click.argument("terms", nargs=-1, required=True)
@click.option("--by", type=click.Choice(TIMELINE_BY), default="auto", show_default=True,
              help="Count per month or per year (auto: years over more than 48 months).")
@click.option("--measure", type=click.Choice(TREND_MEASURES), default="articles",
              show_default=True, help="Articles whose text has the term, or its occurrences.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the series as JSON.")
@_filter_options
@click.pass_context
def trends(ctx, terms, by, measure, as_csv, as_json, **filters):
    """How often each of up to 6 TERMS (exact strings; also `雷军,小米汽车`) appears in the
    articles' texts per month or year: a column per term, a row per period."""
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
    header = ["period", *found.terms]
    rows = [[p, *map(str, counts)] for p, counts in found.rows()]
    totals = ["total", *(str(s.total) for s in found.series)]
    widths = [max(cell_len(r[i]) for r in [header, *rows, totals]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(" " * (w - cell_len(c)) + c for c, w in zip(cells, widths, strict=True))

    click.echo(line(header))
    for row in rows:
        click.echo(line(row))
    click.echo(line(totals))
    click.echo(f"{'articles' if measure == 'articles' else 'occurrences'} per {found.by}",
               err=True)
