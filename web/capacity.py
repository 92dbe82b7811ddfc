"""How many searches a server runs at once; the requests beyond that are turned away.

A search holds a thread and a core until it answers (at most `SEARCH_SECONDS`, the
request deadline). Without a bound, 50 slow searches took every waitress thread and the
task queue grew behind them: a help page waited 8.3 s. With one, at most `slots`
searches run, the rest are answered at once with 503 and Retry-After, and the threads
beyond `slots` stay free for pages that only read an article or a template.

What counts as a search: the search page and API, title suggestions and similar
articles — everything that evaluates a query over the index.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import current_app

from store import SEARCH_SECONDS

#: Seconds a client is asked to wait: a running search answers within its deadline.
RETRY_AFTER = math.ceil(SEARCH_SECONDS)

#: Environment variable naming a FIFO every search waits on before it runs (tests only:
#: it makes searches slow on purpose, without a corpus large enough to be slow).
HOLD_VARIABLE = "WENHAI_TEST_HOLD_SEARCHES"

T = TypeVar("T")


class Busy(Exception):
    """Every search slot is taken; the message says when to try again."""

    def __init__(self) -> None:
        super().__init__(
            f"Too many searches are running at once: try again in {RETRY_AFTER} seconds."
        )


class SearchSlots:
    """At most `size` searches at a time; another is refused (`Busy`), never queued.

    Refusing rather than waiting keeps a thread from being held by a request that is
    not doing anything, and tells the client at once how long to wait.
    """

    def __init__(self, size: int, hold: str | None = None):
        if size < 1:
            raise ValueError(f"search slots must be at least 1, not {size}")
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        self._hold = hold

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if not self._free.acquire(blocking=False):
            raise Busy()
        try:
            if self._hold:
                with open(self._hold, "rb", buffering=0) as fifo:  # blocks until the test writes
                    fifo.read(1)
            yield
        finally:
            self._free.release()


def _slots() -> SearchSlots:
    return current_app.extensions["wenhai.slots"]


def search_work(view: Callable[..., T]) -> Callable[..., T]:
    """Run a view that searches in a slot, or raise `Busy`."""

    @functools.wraps(view)
    def in_slot(*args, **kwargs):
        with _slots().slot():
            return view(*args, **kwargs)

    return in_slot


def if_free(work: Callable[[], T], otherwise: T) -> T:
    """`work()` in a slot, or `otherwise` when none is free: for a page whose search is
    an extra (the reader's similar articles), so that the page itself still answers."""
    try:
        with _slots().slot():
            return work()
    except Busy:
        return otherwise
