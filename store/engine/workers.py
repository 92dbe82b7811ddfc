"""Indexing on every core: worker processes each analyse and write a segment of their own.

Whoosh's writer is one Python thread, and a commit (sorting the postings and writing
them out) is work the size of the analysis itself (measured per article: ~9 ms
segmenting and counting n-grams, ~4 ms adding, ~11 ms committing). Feeding one writer
from analysing workers leaves every core but one idle during the commit, so a
`sync` of many articles is split instead: each of `jobs` worker processes reads its
share of the pending articles (from SQLite: the caller says how, with a function of
the ids that gives their documents), analyses them and writes a whole segment
(Whoosh's multi-segment pattern); the process holding the lock applies the deletions
and adds the new segments in one commit. Shares are consecutive runs of article ids,
so the index holds the same documents in the same order a single process writes.

Each worker holds a copy of jieba's dictionary (~35 MB, jieba-rs's) and a posting pool of
`WORKER_POOL_MB` that spills to disk, so memory stays bounded however large a share.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import StorageError
from ..text import segmenter
from . import folder, writer

#: Fewer pending articles than this are indexed by the calling process: every share
#: becomes a segment, and small segments cost more in merges than they save.
PARALLEL_MIN = 1000


def give_back_memory() -> None:
    """Return the memory freed since to the system (glibc's `malloc_trim`; elsewhere
    nothing). glibc keeps freed heap memory for reuse, and after a sync with a merge
    the writing process held ~70 MB more each time it merged (measured at 30,000)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: glibc's mallopt parameter for the number of arenas.
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int) -> None:
    """Have glibc's malloc keep at most `arenas` arenas, unless `MALLOC_ARENA_MAX` in the
    environment says otherwise (elsewhere nothing). Call it before starting threads.

    glibc gives each thread that allocates under contention an arena of its own (up to
    8 per core), and what a thread frees stays in its arena for reuse, where
    `malloc_trim` cannot give much of it back: after 2,000 searches from 4 clients a
    server's heap grew 82 → 149 MB with glibc's arenas, 82 → 114 MB with 2
    (bench/server_memory.py at 7,108 articles), no slower (the GIL serialises most of
    a search).
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        pass


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with(caller: int) -> None:
    """End this worker when `caller` (the process that started the pool) ends, even by
    SIGKILL: an orphan would go on writing segments into an index that is no longer its
    own, and would keep the fork server alive (each worker holds the server's
    keep-alive pipe). A thread waits on a pidfd for the caller to exit (Linux 5.3+);
    elsewhere it looks every half second.
    """
    try:
        handle = os.pidfd_open(caller)
    except ProcessLookupError:  # gone already
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd here (not Linux, or a kernel before 5.3)
        handle = None

    def watch() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while _alive(caller):
                time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="wenhai-die-with-caller", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True




def _start(caller: int, done) -> None:
    global _done
    _die_with(caller)
    _done = done
    segmenter.load()  # load the dictionary once per worker, not per task


#: In a worker: how many articles the workers have analysed (shared with the parent).
_done = None


def process_pool(
    jobs: int, initializer: Callable[[], None] | None = None, preload: Iterable[str] = (),
) -> ProcessPoolExecutor:
    """`jobs` worker processes for other work (reading files, say), started as the
    indexing workers are, each ending when this process ends. `preload`: the modules
    the work needs, imported once in the fork server rather than in every worker."""
    return ProcessPoolExecutor(jobs, mp_context=_context(preload), initializer=_start_other,
                               initargs=(os.getpid(), initializer))


def _start_other(caller: int, initializer: Callable[[], None] | None) -> None:
    _die_with(caller)
    if initializer is not None:
        initializer()


#: `documents(ids)`: the Whoosh documents of the articles `ids`, in that order. Sent to
#: the workers, so a module-level function (or a partial of one).
Documents = Callable[[list[int]], Iterable[dict]]


def _write_segment(index_path: str, documents: Documents, ids: list[int], limitmb: int,
                   words: tuple = ()):
    """Index the articles `ids` as a new segment of the index at `index_path`, segmenting
    with jieba's dictionary and the user's `words` (`segmenter.using`: loaded once per
    worker; the fork server preloads only jieba's own)."""
    ix = folder.open_index(Path(index_path), probe=False)
    try:
        with segmenter.using(words):
            return writer.write(ix, _counted(documents(ids)), limitmb)
    finally:
        ix.close()


def _counted(docs: Iterable[dict]) -> Iterator[dict]:
    for doc in docs:
        yield doc
        with _done.get_lock():
            _done.value += 1


#: Imported in the fork server before any worker starts: jieba's dictionary is loaded
#: when the segmenter is imported, so a worker starts with it in memory.
PRELOAD = ("store.engine.workers",)
#: How workers start where the system can fork: "forkserver" (below). A test that
#: patches a function the workers run sets "fork", so that they inherit the patch.
START = "forkserver"


def _context(preload: Iterable[str] = ()):
    """Workers forked from a fork server: a small process started once, with the
    modules (and jieba's dictionary) already imported, and without the caller's threads
    (a progress bar, a pool's own) or open files (the archive's write lock among them).
    Forking the caller itself is unsafe once it has threads (deprecated from Python
    3.12); spawning a fresh interpreter per worker costs ~0.7 s of imports each."""
    methods = multiprocessing.get_all_start_methods()
    if START not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context(START)
    if START == "forkserver":
        # the first pool of a process starts the server: its preloads are the ones kept
        context.set_forkserver_preload([*PRELOAD, *preload])
    return context


def shares(ids: list[int], count: int) -> list[list[int]]:
    """`ids` cut into `count` consecutive runs of (nearly) equal length."""
    size, extra = divmod(len(ids), count)
    out, start = [], 0
    for k in range(count):
        end = start + size + (k < extra)
        out.append(ids[start:end])
        start = end
    return [share for share in out if share]


class Writers:
    """A pool of segment-writing processes, started for each batch of segments and ended
    after it: a worker's memory (~300 MB at its peak) then goes back to the system while
    the files are read and the segments merged, instead of idling in the pool."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or default_jobs())
        self._pool: ProcessPoolExecutor | None = None
        self._done = None

    def parallel(self, count: int) -> bool:
        """Whether `count` pending articles are worth splitting among processes."""
        return self.jobs > 1 and count >= PARALLEL_MIN

    def segments(
        self, index_path: Path, documents: Documents, ids: list[int], limitmb: int,
        tick: Callable[[int], None] = lambda n: None, words: tuple = (),
    ) -> list:
        """New segments (not yet committed) holding the articles `ids` (as `documents`
        gives them), one per process, segmented with the user dictionary `words`.

        `tick(n)` is called as the workers get through n more articles. If a worker
        fails, the others are waited for and its error is raised; the segments written
        are left for the next commit to remove.
        """
        try:
            return self._segments(index_path, documents, ids, limitmb, tick, words)
        finally:
            self.close()

    def _segments(self, index_path, documents, ids, limitmb, tick, words) -> list:
        pool = self._executor()
        with self._done.get_lock():
            self._done.value = 0
        jobs = [
            pool.submit(_write_segment, str(index_path), documents, share, limitmb, words)
            for share in shares(ids, self.jobs)
        ]
        seen, waiting = 0, set(jobs)
        while waiting:
            _, waiting = futures.wait(waiting, timeout=0.2, return_when=futures.FIRST_EXCEPTION)
            now = self._done.value
            tick(now - seen)
            seen = now
            if any(job.done() and job.exception() for job in jobs):
                futures.wait(waiting)
                break
        try:
            return [s for s in (job.result() for job in jobs) if s is not None]
        except BrokenProcessPool as e:
            self.close()
            raise StorageError(
                "An indexing worker process stopped unexpectedly (out of memory?). Every "
                "article read so far is stored and waits to be indexed: run the same command "
                "again, with --jobs 1 to index in a single process."
            ) from e

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = _context()
            self._done = context.Value("q", 0)
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_start,
                initargs=(os.getpid(), self._done),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
