"""The archives a server keeps open, and the one lent to each request."""

from __future__ import annotations

import threading
import weakref

from flask import current_app, g

from store import Archive, search_deadline


class Archives:
    """Open `Archive`s kept for the life of the app, one lent to each request at a time.

    Opening a Whoosh searcher reads every segment's tables, and the first search on it
    reads the columns it sorts and counts by (at 100,000 articles, about a second in
    all); doing it per request cost 100 ms at 1,000 articles and grew with the index.
    A kept archive refreshes its searcher only when a writer has committed, so readers
    see new articles. An archive is used by one request at a time (Whoosh's readers
    seek and read shared files); a busy server opens more, up to one per thread.
    """

    def __init__(self, home: str, cluster: str | None = None):
        self.home = home
        self.cluster = cluster
        self._free: list[Archive] = []
        self._all: list[Archive] = []
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._all)

    def lend(self) -> Archive:
        with self._lock:
            if self._free:
                return self._free.pop()
        archive = Archive(self.home, self.cluster)
        with self._lock:
            self._all.append(archive)
        return archive

    def give_back(self, archive: Archive) -> None:
        with self._lock:
            self._free.append(archive)

    def warm(self, query: str) -> Archive:
        """Open an archive and search once, so the first request finds it ready."""
        archive = self.lend()
        try:
            archive.search(query)
        finally:
            self.give_back(archive)
        return archive

    def close(self) -> None:
        _close_all(self._all)


def _close_all(archives: list[Archive]) -> None:
    while archives:
        archives.pop().close()


def get_archive() -> Archive:
    """The archive lent to this request (see `Archives`)."""
    if "archive" not in g:
        g.archive = current_app.extensions["wenhai"].lend()
    return g.archive


def give_back(exc: BaseException | None = None) -> None:
    archive = g.pop("archive", None)
    if archive is not None:
        current_app.extensions["wenhai"].give_back(archive)


def start_clock() -> None:
    """Note when this request began: its search must be answered by `deadline()`."""
    g.deadline = search_deadline()


def deadline() -> float:
    """When this request's search must stop and answer with what it has: the whole
    request — matching, ranking, facets, snippets — counts against one limit."""
    return g.get("deadline") or search_deadline()
