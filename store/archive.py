"""`Archive`: one folder holding ``archive.db`` (SQLite, the truth) and ``index/`` (Whoosh).

Readers open it freely; writers go through `Archive.writing()`, which takes the
archive's write lock. Articles are committed to SQLite first and marked pending;
`sync_index` then brings the Whoosh index up to date and only afterwards marks them
indexed, so a crash between the two leaves work for the next run, never a loss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from whoosh import collectors, sorting
from whoosh import query as wq

from . import cache, collect, database, index, matches, query, reposts, segments, workers
from .errors import (
    ArticleNotFound,
    IndexDamagedError,
    IndexMissingError,
    IndexVersionError,
    QueryError,
    StorageError,
)
from .evaluate import Unsupported
from .filters import FACETS, Filters, facet_counts, facet_lists, ordering
from .lock import WriteLock
from .models import Article, CheckReport, Hit, SearchResult
from .similar import key_terms, like_query
from .snippets import mark, snippet

#: Wraps an iterable to show progress (e.g. a rich progress bar); the store never imports one.
IterWrapper = Callable[[Iterable, int, str], Iterable]

#: A search stops after this long and shows what it found, asking for a narrower query.
SEARCH_SECONDS = 2.0
MAX_PER_PAGE = 100
MAX_PAGE = 1000
#: Grouped postings the writer of this process holds in memory before merging them into
#: a run on disk (`segments.Writer`; ~20 KB an article).
POOL_MB = 128
#: The same for each indexing worker process: they run side by side, and a run costs
#: little (a merge of arrays). 5,000 articles: peak RSS 292 MB with 128, 245 MB with 64,
#: in the same 10.7 s.
WORKER_POOL_MB = 64
#: Files stored per SQLite transaction, each all or nothing within it (a savepoint): a
#: commit writes every page the file touched (its row, and the leaves of five indexes,
#: 32 of them the repost sketch's), ~0.5 ms a file at 2,000 articles when each file
#: committed alone, ~1 ms at 100,000.
STORE_BATCH = 1000
#: How search shows repost groups: the best copy only, or every copy.
REPOST_MODES = ("one", "all")


def default_home() -> Path:
    """`$WENHAI_HOME`, else `$XDG_DATA_HOME/wenhai`, else `~/.local/share/wenhai`."""
    if os.environ.get("WENHAI_HOME"):
        return Path(os.environ["WENHAI_HOME"]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "wenhai"


def _no_progress(items: Iterable, total: int, label: str) -> Iterable:
    return items


def _save_arrays(ix) -> None:
    """Save the search arrays (`saved`) segments lack.

    Only faster copies: if they cannot be written (a full disk), searches read the
    columns.
    """
    try:
        matches.save_arrays(ix)
    except OSError:
        pass


def _ticker(progress: IterWrapper, total: int, label: str) -> Callable[[int], None]:
    """`tick(n)`: move a progress display over `total` items on by n."""
    bar = iter(progress(range(total), total, label))

    def tick(n: int) -> None:
        for _ in range(n):
            next(bar, None)

    return tick


def _ranking(parsed: query.ParsedQuery) -> dict:
    """Exact matches strictly before scattered-word matches, each tier by score."""
    if parsed.exact is None:
        return {}
    tier = sorting.QueryFacet({0: parsed.exact}, other=1)
    return {"sortedby": sorting.MultiFacet([tier, sorting.ScoreFacet()])}


@contextlib.contextmanager
def _write_errors(home: Path) -> Iterator[None]:
    """A failed write (disk full, file size limit, I/O error) becomes a `StorageError`."""
    try:
        yield
    except (OSError, sqlite3.OperationalError, sqlite3.DatabaseError) as e:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            raise
        raise StorageError(
            f"Writing to the archive at {home} failed ({e}). Nothing stored so far is lost "
            "and searches still use the last complete index. Free some disk space (or fix "
            "the disk), then run the same command again to finish."
        ) from e


def _relevance(key) -> float:
    """The BM25F score of a hit; under tiered ranking Whoosh reports (tier, -score)."""
    return -key[-1] if isinstance(key, tuple) else key


class Archive:
    """The archive in `home` (created on first use)."""

    def __init__(self, home: Path | str):
        self.home = Path(home).expanduser()
        self.home.mkdir(parents=True, exist_ok=True)
        self.db = database.connect(self.home / "archive.db")
        self.index_path = self.home / "index"
        self._ix = None
        self._searcher = None
        self._lock: WriteLock | None = None
        self._writers = workers.Writers(1)
        self._stored = 0  # files stored in the open transaction (`store_file`)
        #: Things a writer noticed and repaired that the user should hear about.
        self.notices: list[str] = []

    # -- life cycle -------------------------------------------------------------

    def close(self) -> None:
        self.close_index()
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        found = database.get_articles(self.db, [article_id]).get(article_id)
        if found is None:
            raise ArticleNotFound(
                f"No article has id {article_id}: `wenhai search` lists the ids of what is stored."
            )
        found.reposts = database.group_members(self.db, article_id)
        return found

    def reposts_of(self, article: Article) -> list[Article]:
        """The other articles of `article`'s repost group, oldest first."""
        found = database.get_articles(self.db, article.reposts)
        return [found[i] for i in article.reposts if i in found]

    def original(self, article_id: int) -> tuple[str | None, bytes]:
        """The article's original file name and bytes, exactly as ingested."""
        found = database.get_original(self.db, article_id)
        if found is None:
            raise ArticleNotFound(f"No article has id {article_id}.")
        return found

    def counts(self) -> dict:
        """{"articles": n, "files": n}, without `stats`' pass over every text (1.7 s at
        100,000 articles) — for the home page and the server's start."""
        return database.counts(self.db)

    def stats(self) -> dict:
        s = database.stats(self.db)
        s["home"] = str(self.home)
        s["index_bytes"] = sum(
            f.stat().st_size for f in self.index_path.glob("*") if f.is_file()
        )
        return s

    def _index(self):
        if self._ix is None:
            if not index.exists(self.index_path):
                if database.has_articles(self.db):
                    raise IndexMissingError(
                        f"The archive at {self.home} has no search index. "
                        "Run `wenhai reindex` to build it from the stored articles."
                    )
                return None
            self._ix = index.open_index(self.index_path, probe=False)
        return self._ix

    def _current_searcher(self):
        """A searcher on the latest commit, reused while nothing has changed."""
        ix = self._index()
        if ix is None:
            return None
        try:
            if self._searcher is None:
                self._searcher = ix.searcher()
                self._searcher.doc_count()  # reads the segments: fails here if damaged
            elif not self._searcher.up_to_date():
                self._searcher = self._searcher.refresh()
                self._searcher.doc_count()
        except Exception as e:  # noqa: BLE001 - Whoosh raises many types for broken files
            self._searcher = None
            raise index.damaged(self.index_path, e) from e
        return self._searcher

    def search(
        self,
        text: str,
        page: int = 1,
        per_page: int = 10,
        *,
        sort: str = "relevance",
        filters: Filters | None = None,
        reposts: str = "one",
    ) -> SearchResult:
        """Ranked, highlighted results for the user's query `text` (see `store.query`).

        `sort` is relevance, newest or oldest; `filters` narrow the matches. Facet
        counts cover every match, not only the page returned. With `reposts="one"`
        a repost group shows as its best match; `"all"` lists every copy.
        """
        if reposts not in REPOST_MODES:
            raise QueryError(f"'reposts' must be one of {', '.join(REPOST_MODES)}.")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError(f"Results per page must be between 1 and {MAX_PER_PAGE}.")
        if not 1 <= page <= MAX_PAGE:
            raise QueryError(f"The page must be between 1 and {MAX_PAGE}.")
        ordering(sort)  # raises for an unknown order
        started = time.perf_counter()
        parsed = query.parse(text)
        filters = filters or Filters()
        searcher = self._current_searcher()
        if searcher is None:
            return SearchResult(
                text, 0, page, per_page, [], time.perf_counter() - started, sort=sort,
                filters=filters, facets={name: [] for name in FACETS},
            )
        key = (str(self.home), searcher.reader().generation(), text, page, per_page, sort,
               filters, reposts)
        if (found := cache.results.get(key)) is not None:
            return dataclasses.replace(found, seconds=time.perf_counter() - started)
        result = self._search(searcher, text, parsed, page, per_page, sort, filters, reposts)
        result.seconds = time.perf_counter() - started
        if not result.partial:  # a later, less busy moment may finish it
            cache.results.put(key, result)
        return result

    def _search(
        self, searcher, text, parsed, page, per_page, sort, filters, reposts
    ) -> SearchResult:
        try:
            found = matches.find(
                searcher, parsed.query, exact=parsed.exact, narrow=filters.query(), sort=sort,
                collapse=reposts == "one", start=(page - 1) * per_page, stop=page * per_page,
                seconds=SEARCH_SECONDS,
            )
        except Unsupported:
            return self._search_by_whoosh(
                searcher, text, parsed, page, per_page, sort, filters, reposts
            )
        return SearchResult(
            text, found.total, page, per_page, self._hits(found.window, parsed.needles),
            0.0, sort=sort, filters=filters, facets=found.facets, partial=found.partial,
        )

    def _search_by_whoosh(
        self, searcher, text, parsed, page, per_page, sort, filters, reposts
    ) -> SearchResult:
        """The same search through Whoosh's collectors, for queries `matches` cannot run."""
        order = ordering(sort) or _ranking(parsed)
        grouped = facet_counts()
        if reposts == "one":
            grouped.add_field("group", maptype=sorting.Count)  # to count groups, not copies
        gather = collect.collector(
            limit=page * per_page, seconds=SEARCH_SECONDS, groupedby=grouped,
            sortedby=order.get("sortedby"), collapse="group" if reposts == "one" else None,
            filter=filters.query(),
        )
        try:
            searcher.search_with_collector(parsed.query, gather)
            partial = False
        except collectors.TimeLimit:
            partial = True
        results = gather.results()
        total = len(results.groups("group")) if reposts == "one" else len(results)
        by_date = sort != "relevance"  # then Whoosh reports the date as the hit's score
        window = [
            (int(hit["id"]), 0.0 if by_date else _relevance(hit.score))
            for hit in results[(page - 1) * per_page : page * per_page]
        ]
        return SearchResult(
            text, total, page, per_page, self._hits(window, parsed.needles),
            0.0, sort=sort, filters=filters, facets=facet_lists(results), partial=partial,
        )

    def _hits(self, window: list[tuple[int, float]], needles: list[str]) -> list[Hit]:
        """Hits for (id, score) pairs, with snippets showing `needles`."""
        articles = database.get_articles(self.db, [i for i, _ in window])
        copies = database.group_sizes(self.db, [i for i, _ in window])
        hits = []
        for article_id, score in window:
            a = articles.get(article_id)
            if a is None:  # deleted since the index was written; the next sync drops it
                continue
            hits.append(
                Hit(
                    id=article_id,
                    title=a.title,
                    author=a.author,
                    source=a.source,
                    published=a.published,
                    path=a.path,
                    score=score,
                    snippet=snippet(a.body, needles),
                    title_html=mark(a.title, needles),
                    reposts=copies.get(article_id, 0),
                )
            )
        return hits

    def suggest(self, prefix: str, limit: int = 8) -> list[tuple[int, str]]:
        """(id, title) of up to `limit` articles whose title contains `prefix`, best first.

        For suggestions as the user types: never raises on half-typed input.
        """
        wanted = query.exact(prefix[: query.MAX_QUERY_CHARS], ("title_g",))
        searcher = self._current_searcher()
        if wanted is None or searcher is None:
            return []
        ids = [int(hit["id"]) for hit in searcher.search(wanted, limit=limit)]
        articles = database.get_articles(self.db, ids)
        return [(i, articles[i].title) for i in ids if i in articles]

    def similar(self, article_id: int, limit: int = 5) -> list[Hit]:
        """Articles sharing this one's most characteristic words (see `store.similar`)."""
        article = self.get(article_id)
        searcher = self._current_searcher()
        if searcher is None:
            return []
        terms = key_terms(searcher, f"{article.title}\n{article.body}")
        like = like_query(terms)
        if like is None:
            return []
        # Neither the article itself nor its reposts are "similar articles"; another
        # repost group shows once.
        hide = wq.Or([wq.Term("id", str(i)) for i in [article_id, *article.reposts]])
        found = matches.find(searcher, wq.AndNot(like, hide), stop=limit)
        return self._hits(found.window, [w for w, _ in terms])

    def matching_ids(self, text: str, limit: int | None = None) -> list[int]:
        """Ids of every article matching the query, best first (for export and benchmarks)."""
        parsed = query.parse(text)
        searcher = self._current_searcher()
        if searcher is None:
            return []
        results = searcher.search(parsed.query, limit=limit, **_ranking(parsed))
        return [int(hit["id"]) for hit in results]

    def needles(self, text: str) -> list[str]:
        """The normalized strings a query highlights (for marking a whole article)."""
        return query.parse(text).needles

    # -- writing ----------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, *, rebuilding: bool = False, jobs: int | None = None) -> Iterator[Archive]:
        """Hold the write lock; raises `ArchiveBusyError` if another process holds it.

        Unless `rebuilding`, an index built by another version is refused
        (`IndexVersionError`) before anything is written. `jobs` is how many processes
        analyse text for the index (default: one per core).
        """
        lock = WriteLock(self.home / "write.lock")
        lock.acquire()
        self._lock = lock
        self._writers = workers.Writers(jobs)
        try:
            if not rebuilding:
                self._prepare_index()
            with _write_errors(self.home):
                database.backfill_groups(self.db)
            try:
                yield self
            except BaseException:
                # Keep the files stored whole before the failure (the one that failed
                # was rolled back); if that fails too, the failure that stopped us is
                # the one to report, and those files are read again next time.
                try:
                    self.commit_stored()
                except StorageError:
                    self.db.execute("ROLLBACK")
                raise
            self.commit_stored()
        finally:
            self._writers.close()
            self._lock = None
            lock.release()

    def _prepare_index(self) -> None:
        """Make sure there is a readable index to write to, rebuilding a lost or damaged one."""
        if index.exists(self.index_path):
            try:
                index.open_index(self.index_path).close()
                return
            except IndexDamagedError as e:
                kept = index.set_aside(self.index_path)
                self.notices.append(
                    f"The search index in {self.index_path} was damaged ({e.__cause__!r}). "
                    f"It was moved to {kept} and a new index is being built from the archive."
                )
        elif database.has_articles(self.db):
            self.notices.append(
                f"The search index in {self.index_path} was missing; it is being rebuilt "
                "from the archive."
            )
        # The index is derived data: build it again from the store.
        index.create(self.index_path)
        database.mark_all_unindexed(self.db)

    def check(self) -> CheckReport:
        """Compare the store with the search index: what is missing, extra or stale."""
        report = CheckReport(store_integrity=database.integrity(self.db))
        states = database.index_states(self.db)
        report.articles = len(states)
        report.pending = sum(1 for _, indexed in states.values() if not indexed)
        try:
            ix = self._index()
        except (IndexDamagedError, IndexMissingError, IndexVersionError) as e:
            report.index_problem = str(e)
            report.index_damaged = isinstance(e, IndexDamagedError)
            return report
        seen: dict[int, str] = {}
        if ix is not None:
            with ix.searcher() as searcher:
                for fields in searcher.all_stored_fields():
                    seen[int(fields["id"])] = fields.get("hash", "")
        for article_id, (digest, indexed) in states.items():
            if article_id not in seen:
                if indexed:
                    report.missing.append(article_id)
            elif seen[article_id] != digest and indexed:
                report.stale.append(article_id)
        report.extra = sorted(set(seen) - set(states))
        report.indexed = len(seen)
        if ix is not None and (damaged := segments.damaged_text(ix)):
            report.index_problem = str(index.damaged(
                self.index_path, ValueError("; ".join(
                    f"{path.name}: {', '.join(names)} fail their checksums"
                    for path, names in damaged))))
            report.index_damaged = True
        return report

    def repair(self, progress: IterWrapper = _no_progress) -> CheckReport:
        """Fix what `check` finds, from the store; returns the report it acted on."""
        self._require_lock()
        self.commit_stored()
        report = self.check()
        if report.index_problem:
            self.close_index()
            if report.index_damaged:
                kept = index.set_aside(self.index_path)
                self.notices.append(f"The damaged index was moved to {kept}.")
            self.reindex(progress)
            return report
        database.mark_unindexed(self.db, report.missing + report.stale, report.extra)
        self.sync_index(progress)
        return report

    def _require_lock(self) -> None:
        if self._lock is None:
            raise RuntimeError("write outside Archive.writing()")

    def file_state(self, path: str):
        """(size, mtime_ns, file_hash) recorded for `path`, or None if never seen."""
        return database.file_state(self.db, path)

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        self._require_lock()
        database.touch_file(self.db, path, size, mtime_ns)

    @staticmethod
    def prepare(article: Article) -> Article:
        """Compute what storing `article` needs from its text alone (content hash, repost
        sketch), so that it can be done ahead in another process. Call it last: the
        values are not checked against the text again."""
        article.content_hash = database.content_hash(article)
        article.repost_sketch = reposts.sketch(article.body)
        return article

    @property
    def jobs(self) -> int:
        """How many processes the writer holding this archive uses (`writing(jobs=…)`)."""
        self._require_lock()
        return self._writers.jobs

    def store_file(
        self, path: str, size: int, mtime_ns: int, file_hash: str, articles: list[Article]
    ) -> str:
        """Store the articles read from one file; returns added/updated/duplicate/unchanged."""
        self._require_lock()
        with _write_errors(self.home):
            if not self.db.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
            outcome = database.store_file(self.db, path, size, mtime_ns, file_hash, articles)
            self._stored += 1
            if self._stored >= STORE_BATCH:
                self.commit_stored()
        return outcome

    def commit_stored(self) -> None:
        """Commit the files stored since the last commit (`store_file` batches them)."""
        self._stored = 0
        if self.db.in_transaction:
            with _write_errors(self.home):
                self.db.execute("COMMIT")

    def pending_count(self) -> int:
        return self.db.execute(
            "SELECT (SELECT count(*) FROM articles WHERE indexed = 0) "
            "+ (SELECT count(*) FROM index_deletes)"
        ).fetchone()[0]

    def sync_index(self, progress: IterWrapper = _no_progress) -> int:
        """Index every pending article and drop deleted ones; returns how many changed."""
        self._require_lock()
        self.commit_stored()  # the indexing workers read what is committed
        total = self.pending_count()
        if not total:
            return 0
        index.clear_temporary(self.index_path)
        ix = index.open_index(self.index_path)
        tick = _ticker(progress, total, "indexing")
        try:
            with _write_errors(self.home):
                # One commit: every commit adds segments that repeat most of the gram
                # lexicon, and segments cost index size and reader memory.
                writer = segments.Writer(ix, limitmb=POOL_MB)
                try:
                    deletes = database.pending_deletes(self.db)
                    for article_id in deletes:
                        writer.delete_by_term("id", str(article_id))
                    tick(len(deletes))
                    ids = database.pending_ids(self.db)
                    new = self._add(writer, self.index_path, ids, tick, replacing=True)
                    writer.commit(mergetype=lambda w, old: index.merge_policy(w, old + new))
                except BaseException:
                    writer.cancel()
                    raise
                # Only now, after the commit: a crash before it leaves them pending.
                database.mark_indexed(self.db, ids, deletes)
            _save_arrays(ix)
        finally:
            ix.close()
            workers.give_back_memory()  # what the merge used, before the next files
        return len(ids) + len(deletes)

    def _add(self, writer, index_path: Path, ids: list[int], tick, *, replacing: bool) -> list:
        """Index the articles `ids` for `writer`'s commit.

        Many articles are written by worker processes as new segments, returned for the
        commit to take in; a few go through `writer` itself. `replacing` drops a copy
        of an article the index may hold already (say, from a run that stopped
        between its commit and marking the articles indexed).
        """
        if self._writers.parallel(len(ids)):
            if replacing:
                for article_id in ids:
                    writer.delete_by_term("id", str(article_id))
            return self._writers.segments(
                index_path, self.home / "archive.db", ids, WORKER_POOL_MB, tick
            )
        add = writer.update_document if replacing else writer.add_document
        for row in database.for_index(self.db, ids):
            add(**index.document(row))
            tick(1)
        return []

    def reindex(self, progress: IterWrapper = _no_progress) -> int:
        """Rebuild the search index from the store into a new folder, then swap it in.

        The old index keeps answering searches until the swap.
        """
        self._require_lock()
        self.commit_stored()
        building = self.home / "index.new"
        if building.exists():
            shutil.rmtree(building)
        ix = index.create(building)
        ids = [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY id")]
        writer = segments.Writer(ix, limitmb=POOL_MB)
        try:
            new = self._add(
                writer, building, ids, _ticker(progress, len(ids), "reindexing"), replacing=False
            )
            writer.commit(mergetype=lambda w, old: old + new)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            ix.close()
            shutil.rmtree(building, ignore_errors=True)
            raise
        _save_arrays(ix)
        ix.close()
        self.close_index()
        index.swap_in(building, self.index_path)
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("UPDATE articles SET indexed = 1")
        self.db.execute("DELETE FROM index_deletes")
        self.db.execute("COMMIT")
        return len(ids)

    def close_index(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
