"""Recent search results, shared by every reader in the process, keyed by index generation.

A server sees the same queries again and again (a results page and its next page,
the facet a reader just clicked, the same query from several people). Whoosh
answers a common word at 100,000 articles by scoring and faceting every match;
an answer already given for the same index generation is still right, since any
change to the index makes a new generation and so a new key.

`WENHAI_RESULT_CACHE=0` in a server's environment keeps nothing, so that a benchmark
measures searches rather than the cache; another number sets how many results are kept.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

#: Results kept; a SearchResult with 10 hits and facets is a few kilobytes.
SIZE = 512
#: The environment variable that overrides SIZE (0: keep nothing).
SIZE_VARIABLE = "WENHAI_RESULT_CACHE"


def size_from_environment() -> int:
    """SIZE, or the number of results `WENHAI_RESULT_CACHE` asks for."""
    value = os.environ.get(SIZE_VARIABLE, "").strip()
    if not value:
        return SIZE
    if not value.isdigit():
        raise ValueError(f"{SIZE_VARIABLE}={value!r}: give the number of search results to "
                         f"keep, 0 to keep none (unset: {SIZE}).")
    return int(value)


class ResultCache:
    """The `size` answers used last; with size 0 every answer is dropped as it is put."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


#: One cache per process: server threads each hold an Archive, and share answers.
results = ResultCache(size_from_environment())
