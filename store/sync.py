"""Keeping the index in step with SQLite: what is pending goes in, what was deleted goes out.

Articles are committed to SQLite first and marked pending; `IndexSync.sync` brings
the index up to date and only afterwards marks them indexed, so a crash between the
two leaves work for the next run, never a loss. `reindex` builds a whole new index
beside the old one and swaps it in: until then the old one answers searches, damaged
or not, and a rebuild that is stopped leaves it in place (and an ``index.new`` that
the next writer removes). Many articles are indexed by worker processes
(`engine.workers`), a few by the calling process.
"""

from __future__ import annotations

import functools
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import database, dictionary, suggestions
from .engine import folder, merging, saved, schema, vocabulary, workers
from .engine.writer import Writer
from .errors import IndexDamagedError, Notice, failed_writes
from .models import CheckReport
from .pauses import pause
from .text import segmenter
from .text.userwords import Entry

#: Wraps an iterable to show progress (e.g. a rich progress bar); the store never imports one.
IterWrapper = Callable[[Iterable, int, str], Iterable]

#: Grouped postings the writer of this process holds in memory before merging them into
#: a run on disk (`writer.Writer`; ~20 KB an article).
POOL_MB = 128
#: The same for each indexing worker process: they run side by side, and a run costs
#: little (a merge of arrays). 5,000 articles: peak RSS 292 MB with 128, 245 MB with 64,
#: in the same 10.7 s.
WORKER_POOL_MB = 64


#: Frequent words of the index the search box offers (`suggestions`): the 20,000 in most
#: articles cover what people type (the 20,000th is in ~0.1% of them at 10,000 articles).
WORDS = 20_000


def offer_words(db: sqlite3.Connection, index_path: Path, ix=None) -> None:
    """Offer the index's most frequent words as suggestions in place of those before:
    after an index commit, from `ix` if it is open."""
    opened = ix is None
    if opened:
        if not folder.exists(index_path):
            return
        ix = folder.open_index(index_path, probe=False, readonly=True)
    try:
        # Twice as many, as some are only parts of longer words.
        words = suggestions.frequent(
            vocabulary.frequent_words(ix, 2 * WORDS, suggestions.is_word), WORDS)
    finally:
        if opened:
            ix.close()
    db.execute("BEGIN IMMEDIATE")
    suggestions.set_words(db, words)
    db.execute("COMMIT")


def no_progress(items: Iterable, total: int, label: str) -> Iterable:
    return items


def ticker(progress: IterWrapper, total: int, label: str) -> Callable[[int], None]:
    """`tick(n)`: move a progress display over `total` items on by n."""
    bar = iter(progress(range(total), total, label))

    def tick(n: int) -> None:
        for _ in range(n):
            next(bar, None)

    return tick


def _documents(db_path: str, ids: list[int]) -> Iterator[dict]:
    """The index documents of the articles `ids`, read by a worker process of its own."""
    conn = database.reader(Path(db_path))
    try:
        for row in database.for_index(conn, ids):
            yield schema.document(row)
    finally:
        conn.close()


def _save_arrays(ix) -> None:
    """Save the search arrays (`saved`) segments lack.

    Only faster copies: if they cannot be written (a full disk), searches read the
    columns.
    """
    try:
        saved.save_arrays(ix)
    except OSError:
        pass


class IndexSync:
    """The index in `home/index`, written from the articles in `db` (holding the lock)."""

    def __init__(self, home: Path, db: sqlite3.Connection, jobs: int | None = None):
        self.home = home
        self.db = db
        self.path = home / "index"
        self.writers = workers.Writers(jobs)

    def prepare(self) -> str | None:
        """Make sure there is a readable index to write to, rebuilding a lost or damaged
        one; returns what the user should hear about it, if anything."""
        notice = None
        if folder.exists(self.path):
            try:
                folder.open_index(self.path).close()
                return None
            except IndexDamagedError as e:
                kept = folder.set_aside(self.path)
                notice = Notice(
                    f"The search index in {self.path} was damaged ({e.__cause__!r}). "
                    f"It was moved to {kept} (`wenhai prune` deletes it) and a new index is being "
                    "built from the archive.", code="index.damaged_moved", path=str(self.path),
                    error=repr(e.__cause__), kept=str(kept))
        elif database.has_articles(self.db):
            notice = Notice(
                f"The search index in {self.path} was missing; it is being rebuilt "
                "from the archive.", code="index.rebuilding", path=str(self.path))
        # The index is derived data: build it again from the store.
        folder.create(self.path)
        dictionary.record(self.path, dictionary.users(self.home))
        database.mark_all_unindexed(self.db)
        return notice

    def drop_dead_copies(self) -> list[str]:
        """Remove what a stopped rebuild or swap left (``index.new``, ``index.old``): no
        one is writing them while we hold the lock. Returns what to tell the user."""
        notices = []
        for copy, size, kind in folder.copies(self.path):
            if kind in ("new", "old"):
                with failed_writes(self.home):
                    shutil.rmtree(copy)
                notices.append(Notice(
                    f"Removed {copy} ({size / 1e6:.1f} MB), left by a "
                    f"{'rebuild' if kind == 'new' else 'swap'} that was stopped.",
                    code=f"index.{'rebuild' if kind == 'new' else 'swap'}_left", copy=str(copy),
                    mb=f"{size / 1e6:.1f}"))
        return notices

    def drop_damaged_copies(self) -> list[tuple[Path, int]]:
        """Remove the damaged indexes repairs set aside; returns (folder, bytes) of each."""
        dropped = []
        for copy, size, kind in folder.copies(self.path):
            if kind == "damaged":
                with failed_writes(self.home):
                    shutil.rmtree(copy)
                dropped.append((copy, size))
        return dropped

    @property
    def jobs(self) -> int:
        return self.writers.jobs

    def pending(self) -> int:
        return database.pending_changes(self.db)

    def sync(self, progress: IterWrapper = no_progress,
             words: tuple[Entry, ...] | None = None, again: Iterable[int] = ()) -> int:
        """Index every pending article and drop deleted ones; returns how many changed.

        Words are segmented with the dictionary the index records (`dictionary`), or
        with `words`, which the index then records, after its commit; the articles
        `again` are indexed again in the same commit. (They need not be marked pending
        first: until the dictionary is recorded, `check` finds it differs, and `check
        --repair` indexes them again.)
        """
        recorded = dictionary.applied(self.path)
        segmenting = recorded if words is None else words
        with segmenter.using(segmenting):
            changed = self._sync(progress, segmenting, set(again))
        if segmenting != recorded:
            with failed_writes(self.home):
                dictionary.record(self.path, segmenting)
        return changed

    def _sync(self, progress: IterWrapper, words: tuple[Entry, ...], again: set[int]) -> int:
        total = self.pending() + len(again)
        if not total:
            return 0
        pause("indexing")
        folder.clear_temporary(self.path)
        ix = folder.open_index(self.path)
        tick = ticker(progress, total, "indexing")
        try:
            with failed_writes(self.home):
                # One commit: every commit adds segments that repeat most of the gram
                # lexicon, and segments cost index size and reader memory.
                writer = Writer(ix, limitmb=POOL_MB)
                try:
                    deletes = database.pending_deletes(self.db)
                    for article_id in deletes:
                        writer.delete_by_term("id", str(article_id))
                    tick(len(deletes))
                    ids = sorted(again.union(database.pending_ids(self.db)))
                    new = self._add(writer, self.path, ids, tick, words, replacing=True)
                    writer.commit(mergetype=lambda w, old: merging.policy(w, old + new))
                except BaseException:
                    writer.cancel()
                    raise
                # Only now, after the commit: a crash before it leaves them pending.
                database.mark_indexed(self.db, ids, deletes)
                offer_words(self.db, self.path, ix)
            _save_arrays(ix)
        finally:
            ix.close()
            workers.give_back_memory()  # what the merge used, before the next files
        return len(ids) + len(deletes)

    def _add(self, writer, index_path: Path, ids: list[int], tick, words: tuple[Entry, ...],
             *, replacing: bool) -> list:
        """Index the articles `ids` for `writer`'s commit.

        Many articles are written by worker processes as new segments, returned for the
        commit to take in; a few go through `writer` itself. `replacing` drops a copy
        of an article the index may hold already (say, from a run that stopped
        between its commit and marking the articles indexed).
        """
        if self.writers.parallel(len(ids)):
            if replacing:
                for article_id in ids:
                    writer.delete_by_term("id", str(article_id))
            documents = functools.partial(_documents, str(self.home / "archive.db"))
            return self.writers.segments(index_path, documents, ids, WORKER_POOL_MB, tick,
                                         words)
        add = writer.update_document if replacing else writer.add_document
        for row in database.for_index(self.db, ids):
            add(**schema.document(row))
            tick(1)
        return []

    def reindex(self, progress: IterWrapper, before_swap: Callable[[], None],
                keep: Path | None = None) -> int:
        """Rebuild the search index from the store into a new folder, then swap it in
        (after `before_swap`, which closes what reads the old one); the old one is
        deleted, or moved to `keep`.

        The old index keeps answering searches until the swap.
        """
        with failed_writes(self.home):  # a full disk is one line, not a worker's traceback
            return self._rebuild(progress, before_swap, keep)

    def _rebuild(self, progress: IterWrapper, before_swap: Callable[[], None],
                 keep: Path | None) -> int:
        building = self.home / "index.new"
        if building.exists():
            shutil.rmtree(building)
        ix = folder.create(building)
        pause("rebuilding")
        ids = [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY id")]
        words = dictionary.users(self.home)
        writer = Writer(ix, limitmb=POOL_MB)
        try:
            with segmenter.using(words):
                new = self._add(writer, building, ids, ticker(progress, len(ids), "reindexing"),
                                words, replacing=False)
            writer.commit(mergetype=lambda w, old: old + new)
            dictionary.record(building, words)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            ix.close()
            shutil.rmtree(building, ignore_errors=True)
            raise
        _save_arrays(ix)
        ix.close()
        before_swap()
        folder.swap_in(building, self.path, keep)
        database.mark_all_indexed(self.db)
        suggestions.refill(self.db)
        offer_words(self.db, self.path)
        return len(ids)

    def repair(self, report: CheckReport, progress: IterWrapper,
               before_swap: Callable[[], None]) -> str | None:
        """Fix what `report` found, from the store: a problem with the index as a whole
        by rebuilding it (a damaged one kept aside once the new one is in place, which
        the returned notice says), missing, stale or extra articles by indexing them
        again. The damaged index answers searches until then."""
        if not report.index_problem:
            database.mark_unindexed(self.db, report.missing + report.stale, report.extra)
            self.sync(progress)
            return None
        keep = folder.aside(self.path) if report.index_damaged else None
        self.reindex(progress, before_swap, keep)
        return None if keep is None else Notice(
            f"The damaged index was moved to {keep} (`wenhai prune` deletes it).",
            code="index.damaged_kept", kept=str(keep))

    def close(self) -> None:
        self.writers.close()
