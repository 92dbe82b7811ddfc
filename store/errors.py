"""Errors the archive raises. Each message is safe to show a user and says what to do."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path


class ArchiveError(Exception):
    """Base class for every error wenhai's store raises on purpose.

    `code` names what went wrong, stable across versions and languages ("query.empty"),
    and `details` the values its message names: an interface that speaks another
    language than the message's English says it from these (the web's catalogs). Errors
    raised without a code have their class's."""

    code = "archive.error"

    def __init__(self, message: str = "", *, code: str | None = None, **details) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.details = details


class Notice(str):
    """What the user should hear about a write (an index rebuilt, a copy removed): the
    English text, with a stable `code` and the values it names (`details`), so that an
    interface speaking another language says it from the code (`error_messages`), as it
    says an `ArchiveError`."""

    def __new__(cls, message: str, *, code: str, **details) -> Notice:
        notice = super().__new__(cls, message)
        notice.code, notice.details = code, details
        return notice

    def __reduce__(self):
        return _notice, (str(self), self.code, self.details)


def _notice(message: str, code: str, details: dict) -> Notice:
    return Notice(message, code=code, **details)


class ArchiveBusyError(ArchiveError):
    """Another process is writing to the archive."""

    code = "archive.busy"


class ArchiveReadOnlyError(ArchiveError):
    """The archive cannot be written here (a read-only disk, files not the user's); it
    can still be searched."""

    code = "archive.read_only"


class IndexVersionError(ArchiveError):
    """The search index was built by another version of the analyzer or schema."""

    code = "index.version"


class IndexDamagedError(ArchiveError):
    """The search index's files cannot be read; it can be rebuilt from the store."""

    code = "index.damaged"


class IndexMissingError(ArchiveError):
    """The archive has articles but no search index."""

    code = "index.missing"


class StorageError(ArchiveError):
    """Writing to the archive failed (disk full, I/O error); what was committed is intact."""

    code = "storage.failed"


class QueryError(ArchiveError):
    """The search query cannot be understood; the message explains the syntax."""

    code = "query.invalid"


class QuerySyntaxError(QueryError):
    """The query uses the syntax wrongly (`author:` with nothing after it, a date that is
    none). Its text can still be searched as plain text: `Archive.search` puts that
    search's result in `plain` (None when the plain text finds nothing to search for)."""

    code = "query.syntax"

    plain = None


class DictionaryError(ArchiveError, ValueError):
    """The user dictionary cannot be read, or a word given for it is no word."""

    code = "dictionary.invalid"


class ArticleNotFound(ArchiveError, LookupError):
    """No article has that id."""

    code = "article.not_found"


class TagError(ArchiveError):
    """A tag cannot be given or taken away as asked; the message says why and what to do."""

    code = "tag.invalid"


def _what_failed(e: Exception) -> str:
    """The reason a write failed, as a user reads it: a full disk says so, whether the
    error came from the OS (ENOSPC) or from SQLite (SQLITE_FULL)."""
    full = (getattr(e, "sqlite_errorname", "") == "SQLITE_FULL"  # Python 3.11+
            or "database or disk is full" in str(e))  # SQLITE_FULL's message, any Python
    if full or (isinstance(e, OSError) and e.errno == errno.ENOSPC):
        return ": no space left on device"
    if isinstance(e, OSError) and e.errno == errno.EFBIG:
        return ": a file grew past the size this process may write (ulimit -f)"
    return f" ({e})"


class SettingError(ArchiveError, ValueError):
    """A setting in the environment (`WENHAI_RESULT_CACHE` …) is not a value it can take."""

    code = "setting.invalid"


@contextlib.contextmanager
def failed_writes(home: Path) -> Iterator[None]:
    """A failed write (disk full, file size limit, I/O error) becomes a `StorageError`."""
    try:
        yield
    except (OSError, sqlite3.OperationalError, sqlite3.DatabaseError) as e:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            raise
        raise StorageError(
            f"Writing to the archive at {home} failed{_what_failed(e)}. Nothing stored so far "
            "is lost and searches still use the last complete index. Free some disk space "
            "(or fix the disk), then run the same command again to finish."
        ) from e


class ClusterError(ArchiveError):
    """A search cluster (`WENHAI_CLUSTER`) cannot be reached or refused a request: the
    message names the node and says what to do."""


class NotOnClusterError(ClusterError):
    """A feature the cluster backend does not have yet (`backends`), in one line."""

    def __init__(self, feature: str, cluster: str = "a cluster"):
        super().__init__(
            f"{feature} is not available on a cluster yet: this archive searches {cluster}. "
            "Unset WENHAI_CLUSTER (and --cluster, the home's `cluster` file) to use it on "
            "the embedded index.")
