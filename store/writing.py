"""One writer's hold on the archive: the write lock, files stored in batches, the index synced.

`Writing` is what `Archive.writing()` holds while a command writes: files go into
SQLite `STORE_BATCH` to a transaction, each all or nothing within it (a savepoint),
and the index is kept in step by `sync.IndexSync`. On any failure the files stored
whole before it are kept, and the lock is always released.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from . import database, packing, suggestions
from .errors import ArchiveError, ArchiveReadOnlyError, StorageError, failed_writes
from .lock import WriteLock
from .models import Article
from .pauses import pause
from .sync import offer_words

#: Files stored per SQLite transaction: a commit writes every page the file touched (its
#: row, and the leaves of five indexes, 32 of them the repost sketch's), ~0.5 ms a file at
#: 2,000 articles when each file committed alone, ~1 ms at 100,000.
STORE_BATCH = 1000


class Writing:
    def __init__(self, home: Path, db: sqlite3.Connection, index):
        self.home = home
        self.db = db
        self.index = index
        self.notices: list[str] = []
        self._stored = 0  # files stored in the open transaction

    def store_file(
        self, path: str, size: int, mtime_ns: int, file_hash: str, articles: list[Article]
    ) -> str:
        """Store the articles read from one file; returns added/updated/duplicate/unchanged."""
        with failed_writes(self.home):
            if not self.db.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
            # Outside the file's savepoint: a dictionary stays once rows are packed with it.
            packing.train_if_due(self.db, database.highest_id(self.db))
            outcome = database.store_file(self.db, path, size, mtime_ns, file_hash, articles)
            self._stored += 1
            pause("storing")
            if self._stored >= STORE_BATCH:
                self.commit()
        return outcome

    def remove(self, *, ids: list[int] = (), paths: list[str] = ()) -> list[int]:
        """Delete the articles `ids` and forget the files `paths` (deleting the articles
        that came only from them), in the open transaction; returns the ids deleted."""
        with failed_writes(self.home):
            if not self.db.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
            deleted = database.remove_articles(self.db, list(ids))
            if paths:
                deleted += database.remove_files(self.db, list(paths))
        return deleted

    def change_tags(self, article_id: int, add: list[str],
                    drop: list[str]) -> tuple[list[str], list[str]]:
        """Give the article the tags `add`, take `drop` away, in the open transaction."""
        with failed_writes(self.home):
            if not self.db.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
            return database.change_tags(self.db, article_id, add, drop)

    def commit(self) -> None:
        """Commit the files stored since the last commit."""
        self._stored = 0
        if self.db.in_transaction:
            with failed_writes(self.home):
                self.db.execute("COMMIT")


@contextlib.contextmanager
def hold(home: Path, backend, *, rebuilding: bool, jobs: int | None) -> Iterator[Writing]:
    """The write lock on the archive in `home`, or `ArchiveBusyError` at once if another
    process holds it; then the writer's connection (creating or upgrading the database)
    and the index `backend` keeps (`backends`). Unless `rebuilding`, an index built by
    another version is refused (`IndexVersionError`) and a lost or damaged one rebuilt
    before anything is written.

    The lock comes first, before the database is touched: what waits for SQLite's own
    lock is only ever this process.
    """
    lock = WriteLock(home / "write.lock")
    with failed_writes(home):
        lock.acquire()
    try:
        with failed_writes(home):
            db = database.connect(home / "archive.db")
    except BaseException:
        lock.release()
        raise
    index = backend.index(home, db, jobs)
    writing = Writing(home, db, index)
    try:
        writing.notices += index.drop_dead_copies()
        if not rebuilding and (notice := index.prepare()):
            writing.notices.append(notice)
        with failed_writes(home):
            database.backfill_groups(db)
            if not rebuilding and not suggestions.has_words(db) and database.has_articles(db):
                offer_words(db, home / "index")  # an archive made before they were offered
        try:
            yield writing
        except BaseException:
            # Keep the files stored whole before the failure (the one that failed was
            # rolled back); if that fails too, the failure that stopped us is the one
            # to report, and those files are read again next time.
            try:
                writing.commit()
            except StorageError:
                db.execute("ROLLBACK")
            raise
        writing.commit()
    finally:
        index.close()
        db.close()
        lock.release()


def upgrade(home: Path) -> None:
    """Bring the database of an archive made by an earlier version up to this schema,
    holding the write lock for that moment, for a reader that found it outdated.

    A writer upgrades it first thing: if one holds the lock, `ArchiveBusyError`.
    """
    lock = WriteLock(home / "write.lock")
    try:
        with failed_writes(home):
            lock.acquire()
    except ArchiveReadOnlyError as e:
        raise ArchiveReadOnlyError(
            f"The archive at {home} was made by an earlier version of wenhai and must be "
            "upgraded once where it can be written: run `wenhai stats` there, or use the "
            "version that made it."
        ) from e
    try:
        with failed_writes(home), contextlib.closing(database.connect(home / "archive.db")) as db:
            if not suggestions.has_words(db) and database.has_articles(db):
                try:
                    offer_words(db, home / "index")
                except (ArchiveError, OSError, ValueError):
                    pass  # an index this version cannot read: its words come with the next
    finally:
        lock.release()
