"""Analysis on every core: jieba and n-grams in worker processes, Whoosh fed in order.

Whoosh's writer is one Python thread; segmenting and counting n-grams is work of the
same size (profiled: a third of indexing). Worker processes turn article rows into
ready postings (`index.analyzed`) while the writer adds the previous batch, so the
two overlap. Results come back in row order, so the index is the same one a single
process builds, document numbers included. At most two batches are in flight: memory
stays bounded however large the archive.

`jobs` counts processes, the writer included: with N cores, N - 1 workers analyse.
The writer is the slower half (measured per article: ~15 ms writing, ~10 ms
analysing). On two cores a second worker is ~7% faster (3,000 articles: 55-58 s
against 61-63 s) but holds another copy of jieba's dictionary (140 MB), which at
100,000 articles is the difference between staying under 1 GB and not; `--jobs 3`
asks for it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from . import analysis, index
from .errors import StorageError

#: Fewer articles than this are analysed in this process: starting workers costs more.
PARALLEL_MIN = 200
#: Articles a worker analyses per task.
CHUNK = 16


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with(parent: int) -> None:
    """End this worker when `parent` ends, even by SIGKILL.

    A forked worker shares its parent's open files, the archive's write lock among
    them: an orphan would keep the archive locked. Linux can signal the child when the
    parent dies; elsewhere a thread watches for the parent to go.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _start(parent: int) -> None:
    _die_with(parent)
    analysis._jieba()  # load the dictionary once per worker, not per task


def _analyze(rows: list[dict]) -> list[dict]:
    return [index.analyzed(index.document(row)) for row in rows]


def _context():
    # fork where there is one: a worker starts in milliseconds, and unlike forkserver
    # and spawn it never re-runs the caller's __main__ (a script without a main guard
    # would run again in every worker). All workers are forked before the pool starts
    # its own thread; they never touch the SQLite connection or Whoosh files they inherit.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class Analyzers:
    """A pool of analysing processes, started on first need and kept until `close`."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or default_jobs())
        self._pool: ProcessPoolExecutor | None = None

    def documents(self, batches: Iterable[list], total: int) -> Iterator[dict]:
        """Whoosh documents for batches of article rows, in order.

        Serial when there is one job or fewer than `PARALLEL_MIN` rows; otherwise
        batch k+1 is analysed by the workers while batch k is yielded.
        """
        if self.jobs < 2 or total < PARALLEL_MIN:
            for batch in batches:
                yield from (index.document(row) for row in batch)
            return
        ahead = None
        for batch in batches:
            rows = [dict(row) for row in batch]
            chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
            submitted = self._executor().map(_analyze, chunks)
            if ahead is not None:
                yield from self._collect(ahead)
            ahead = submitted
        if ahead is not None:
            yield from self._collect(ahead)

    def _collect(self, results: Iterator[list[dict]]) -> Iterator[dict]:
        try:
            for docs in results:
                yield from docs
        except BrokenProcessPool as e:
            self.close()
            raise StorageError(
                "An indexing worker process stopped unexpectedly (out of memory?). Every "
                "article read so far is stored and waits to be indexed: run the same command "
                "again, with --jobs 1 to index in a single process."
            ) from e

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs - 1, mp_context=_context(), initializer=_start, initargs=(os.getpid(),)
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
