"""The search layer's caches and their bounds, each a setting of the environment.

* Recent search results, shared by every reader in the process, keyed by index
  generation. A server sees the same queries again and again (a results page and its
  next page, the facet a reader just clicked, the same query from several people).
  Whoosh answers a common word at 100,000 articles by scoring and faceting every match;
  an answer already given for the same index generation is still right, since any
  change to the index makes a new generation and so a new key. Bounded by count
  (`WENHAI_RESULT_CACHE`; 0 keeps nothing, so that a benchmark measures searches rather
  than the cache) and by size (`WENHAI_RESULT_CACHE_MB`): a result carries every facet
  value of its matches, and a common word at 100,000 articles has thousands of authors.
* Each searcher's term weights (BM25's idf, `evaluate`), kept for the life of the
  searcher — until the next commit, which on a server that only reads is never: one
  entry per distinct term and field ever searched. `WENHAI_TERM_CACHE` bounds it.

* Each searcher's last `searcher.OCCURRENCES_KEPT` (8) strings' occurrences (the
  concordance and trends: 16 bytes per matching article each), for the life of the
  searcher.

Everything else kept in memory is bounded by the index itself: each segment's field
lengths and facet columns, once per open searcher, and the segments' memory maps, once
per process (`engine.columnar.shared`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from ..errors import SettingError


@dataclass(frozen=True)
class Setting:
    """A bound read from the environment: `variable`, else `default`."""

    variable: str
    default: int
    what: str  # "the number of …", for the message on a bad value

    def value(self) -> int:
        raw = os.environ.get(self.variable, "").strip()
        if not raw:
            return self.default
        if not raw.isdigit():
            raise SettingError(f"{self.variable}={raw!r}: give {self.what}, 0 to keep none "
                               f"(unset: {self.default}).")
        return int(raw)


RESULTS = Setting("WENHAI_RESULT_CACHE", 512, "the number of search results to keep")
RESULTS_MB = Setting("WENHAI_RESULT_CACHE_MB", 64, "the megabytes of search results to keep")
TERMS = Setting("WENHAI_TERM_CACHE", 20_000,
                "the number of term weights each searcher keeps")
SETTINGS = (RESULTS, RESULTS_MB, TERMS)

#: Results kept by default; a SearchResult with 10 hits and a few facet values is a few
#: kilobytes.
SIZE = RESULTS.default
#: The environment variable that overrides SIZE (0: keep nothing).
SIZE_VARIABLE = RESULTS.variable


def size_from_environment() -> int:
    """SIZE, or the number of results `WENHAI_RESULT_CACHE` asks for."""
    return RESULTS.value()


class ResultCache:
    """The answers used last, at most `size` of them and `megabytes` in all (as the
    `nbytes` given with each reckons them); with size 0 every answer is dropped as it is
    put."""

    def __init__(self, size: int = SIZE, megabytes: int = RESULTS_MB.default):
        self.size = size
        self.limit = megabytes * 1_000_000
        self.nbytes = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.nbytes = 0

    def put(self, key: Hashable, value: Any, nbytes: int = 0) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.nbytes -= old[1]
            self._items[key] = (value, nbytes)
            self.nbytes += nbytes
            while self._items and (len(self._items) > self.size or self.nbytes > self.limit):
                self.nbytes -= self._items.popitem(last=False)[1][1]


_MADE = threading.Lock()


def __getattr__(name: str) -> Any:
    """`results` — one cache per process: server threads each hold an Archive, and
    share answers — and `terms_kept`, how many term weights a searcher keeps; made from
    the environment when first used, not at import, so that a bad value is an error the
    command line and the server show as one line (`SettingError`)."""
    with _MADE:
        if name in globals():
            return globals()[name]
        if name == "results":
            value: Any = ResultCache(RESULTS.value(), RESULTS_MB.value())
        elif name == "terms_kept":
            value = TERMS.value()
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value
