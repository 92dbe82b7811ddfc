"""Searching one generation of the index (`Searcher`), and keeping one current (`Searchers`).

As Lucene's IndexSearcher over one IndexReader, a `Searcher` owns "search this
snapshot": every question the archive asks of the index — a ranked, filtered, faceted
page of matches, title suggestions, similar articles, every matching id — is answered
here, as article ids and scores, and all of them by one path (`matches.find`, whole
posting lists at a time). The archive turns those into articles and snippets.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh import searching

from ..engine import folder
from ..errors import Notice
from . import matches, occurrences
from .filters import Filters
from .matches import Matches
from .query import MAX_QUERY_CHARS, ParsedQuery, exact
from .similar import key_terms, like_query

#: The strings whose occurrences a searcher keeps (the concordance's next page, its sort
#: and its export start from them): at most 16 bytes per matching article each.
OCCURRENCES_KEPT = 8
#: A search stops after this long and shows what it found, asking for a narrower query.
SEARCH_SECONDS = 2.0


def deadline() -> float:
    """When a search starting now must answer with what it has (`time.perf_counter()`)."""
    return time.perf_counter() + SEARCH_SECONDS


class Searcher:
    """One commit of the index, searched (wraps Whoosh's searcher)."""

    def __init__(self, whoosh_searcher, folder: tuple[int, int] | None = None):
        self.whoosh = whoosh_searcher
        self.folder = folder
        self._occurrences: OrderedDict[tuple, Matches] = OrderedDict()

    @property
    def generation(self) -> tuple:
        """The index commit this searcher sees: a new one after every change, and after a
        rebuilt index replaced the folder (whose commits count from 1 again)."""
        return self.folder, self.whoosh.reader().generation()

    def find(
        self, parsed: ParsedQuery, *, filters: Filters, sort: str, collapse: bool,
        start: int, stop: int, seconds: float | None = None,
    ) -> Matches:
        """The matches ranked `start` to `stop` of the query, with facets over all of them.

        `collapse` shows a repost group as its best article (and counts groups). After
        `seconds` (default `SEARCH_SECONDS`) it answers with what it found, `partial`.
        """
        return matches.find(
            self.whoosh, parsed.query, exact=parsed.exact, loose=parsed.loose, near=parsed.near,
            narrow=filters.query(), sort=sort, collapse=collapse, start=start, stop=stop,
            seconds=SEARCH_SECONDS if seconds is None else seconds,
        )

    def suggest(self, text: str, limit: int) -> list[int]:
        """Ids of the `limit` articles whose titles contain `text` (normalized), ranked
        as a search of the title would rank them, one per repost group."""
        wanted = exact(text[:MAX_QUERY_CHARS], ("title_g",))
        if wanted is None:
            return []
        return [i for i, _ in matches.find(self.whoosh, wanted, stop=limit).window]

    def similar(self, text: str, exclude: list[int], limit: int) -> tuple[Matches, list[str]]:
        """Articles sharing the most characteristic words of `text` (see `similar`),
        but none of `exclude`, one per repost group; and those words."""
        terms = key_terms(self.whoosh, text)
        like = like_query(terms)
        if like is None:
            return Matches(0, [], {}), []
        hide = wq.Or([wq.Term("id", str(i)) for i in exclude])
        found = matches.find(self.whoosh, wq.AndNot(like, hide), stop=limit)
        return found, [w for w, _ in terms]

    def matching_ids(self, parsed: ParsedQuery, limit: int | None = None, *,
                     filters: Filters | None = None, sort: str = "relevance",
                     collapse: bool = False) -> list[int]:
        """Ids of every article matching the query (every copy of a repost unless
        `collapse`), in `sort` order as a search lists them, never cut short by the time
        limit."""
        found = matches.find(self.whoosh, parsed.query, exact=parsed.exact, loose=parsed.loose,
                             near=parsed.near, narrow=(filters or Filters()).query(),
                             sort=sort, collapse=collapse, stop=limit, seconds=float("inf"))
        return [i for i, _ in found.window]

    def containing(self, texts: list[str], fields: tuple[str, ...]) -> list[int]:
        """Ids of every article containing any of `texts` in `fields` (n-gram fields), as
        an exact search finds them: after normalization, spaces counting for nothing."""
        wanted = [q for t in texts if (q := exact(t[:MAX_QUERY_CHARS], fields)) is not None]
        if not wanted:
            return []
        found = matches.find(self.whoosh, wq.Or(wanted), collapse=False, stop=None,
                             seconds=float("inf"))
        return sorted(i for i, _ in found.window)

    def occurrences(self, text: str, field: str, *, filters: Filters | None = None,
                    sort: str = "newest", collapse: bool = True) -> Matches:
        """Every article containing `text` exactly in `field` (a grams field, e.g.
        body_g), in `sort` order, one per repost group if `collapse`: `order` the
        documents, `values` how often `text` occurs in each (`occurrences.counts`)."""
        key = (text, field, filters or Filters(), sort, collapse)
        if (kept := self._occurrences.get(key)) is not None:  # the next page, a sort
            self._occurrences.move_to_end(key)
            return kept
        wanted = exact(text[:MAX_QUERY_CHARS], (field,))
        if wanted is None:
            return Matches(0, [], {}, order=np.zeros(0, np.int64), values=np.zeros(0, np.int64))
        found = matches.find(self.whoosh, wanted, narrow=(filters or Filters()).query(),
                             sort=sort, collapse=collapse, stop=0, seconds=float("inf"),
                             per_doc=lambda seg, docs: occurrences.counts(wanted, seg, docs))
        self._occurrences[key] = found
        while len(self._occurrences) > OCCURRENCES_KEPT:
            self._occurrences.popitem(last=False)
        return found

    def article_ids(self, docs) -> list[int]:
        """The article ids of these global document numbers."""
        stored = self.whoosh.stored_fields
        return [int(stored(int(d))["id"]) for d in docs]

    def stored_parts(self) -> dict[str, dict[int, str]]:
        """Every indexed article's id and the content hash its document was built from,
        per part of the index: here one, the index."""
        return {"index": {int(f["id"]): f.get("hash", "")
                          for f in self.whoosh.all_stored_fields()}}

    def part_of(self, article_id: int) -> str:
        """The part of the index that holds (or should hold) the article."""
        return "index"

    def damage(self) -> str | None:
        """What is wrong with the index's files (their checksums), if anything."""
        damaged = folder.damaged_text(self.whoosh.reader())
        if not damaged:
            return None
        path = damaged[0][0].parent
        error = folder.damaged(path, ValueError("; ".join(
            f"{file.name}: {', '.join(names)} fail their checksums" for file, names in damaged)))
        return Notice(str(error), code=error.code, **error.details)

    def close(self) -> None:
        self.whoosh.close()


class Searchers:
    """The searcher of the index in `path` at its latest commit, reused while nothing
    has changed (Lucene's SearcherManager)."""

    def __init__(self, path: Path):
        self.path = path
        self._ix = None
        self._folder: tuple[int, int] | None = None  # `folder.folder_id` of the one open
        self._searcher: Searcher | None = None

    def exists(self) -> bool:
        return self._ix is not None or folder.exists(self.path)

    def current(self) -> Searcher | None:
        """A searcher on the latest commit; None if there is no index. Raises
        `IndexDamagedError` (with how to repair it) if its files cannot be read.

        A rebuilt index swapped into the folder (`reindex`, `check --repair`) is another
        folder: the one open is closed and the new one opened, whatever their commits.
        """
        if self._ix is not None and folder.folder_id(self.path) != self._folder:
            self.close()
        if self._ix is None:
            if not folder.exists(self.path):
                return None
            self._folder = folder.folder_id(self.path)
            self._ix = folder.open_index(self.path, probe=False, readonly=True)
        try:
            if self._searcher is None:
                self._searcher = Searcher(self._ix.searcher(), self._folder)
                self._searcher.whoosh.doc_count()  # reads the segments: fails here if damaged
            elif not self._searcher.whoosh.up_to_date():
                reader = folder.reopen(self._ix, self._searcher.whoosh.reader())
                self._searcher = Searcher(searching.Searcher(reader, fromindex=self._ix),
                                          self._folder)
                self._searcher.whoosh.doc_count()
        except Exception as e:  # noqa: BLE001 - Whoosh raises many types for broken files
            self._searcher = None
            raise folder.damaged(self.path, e) from e
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
