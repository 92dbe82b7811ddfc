"""Keeping the archive in step with folders as files change in them (`wenhai watch`).

watchdog's observer (inotify on Linux) reports what happens in the folders; a file is
read only once it has stopped changing: its size and mtime the same across a quiet
interval, however many events it raised. Files that settle together go in one batch:
one ingest, one index commit, one line of output. A batch runs when the folders have
been quiet for the interval, or when settled files have waited `max_delay` during a
long stream of changes.

When the kernel drops events (its queue overflowed), the folder is read again
whole, as at the start: unchanged files cost a `stat`.

A file deleted before it settled is forgotten; one deleted or renamed while a batch
reads it is one failure of that batch (`ingest`'s own). A moved file is read at its new
path, where `ingest` recognises its bytes and keeps its articles and ids. Articles whose
files were deleted are listed, and removed only when the watch was started with
`prune` (as `ingest --prune --yes` would): removal is never done unasked.

The write lock is taken per batch, so other writers (`remove`, `tag`) can work between
batches; a batch that finds the archive busy waits and tries again.
"""

from __future__ import annotations

import errno
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from store import Archive, ArchiveBusyError

from . import ingest as ingest_lib
from . import removing
from .language import Reason

#: Seconds a file must keep its size and mtime before it is read.
QUIET = 2.0
#: Seconds settled files wait at most for a stream of changes elsewhere to pause.
MAX_DELAY = 10.0
#: Longest wait between looks at the stop flag.
_TICK = 0.25


class WatchError(Exception):
    """The folders cannot be watched; the message says why and what to do."""


@dataclass
class Batch:
    """What one batch did: the ingest's report, and the recorded files found deleted
    (removed with their articles if `removed`)."""

    report: ingest_lib.Report
    gone: list[str] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    started: float = 0.0


@dataclass
class _Seen:
    """A path waiting to settle: its (size, mtime_ns) when last looked at, and since when."""

    state: tuple[int, int] | None
    since: float


def _state(path: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of `path`, or None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class _Events(FileSystemEventHandler):
    """Passes watchdog's events, from its thread, to the watcher's queue as
    (kind, path, dest, is_directory): nothing else is done in the observer's thread."""

    def __init__(self, events: queue.SimpleQueue):
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        self.events.put((event.event_type, os.fsdecode(event.src_path),
                         os.fsdecode(event.dest_path) if event.dest_path else "",
                         event.is_directory))


class Watcher:
    """Watch `folders` and ingest into the archive at `home` as they change.

    `on_batch(batch)` is called after each batch; `on_busy(error)` when a batch found
    another writer holding the archive (it is tried again after the quiet interval).
    """

    def __init__(self, home: Path, folders: list[Path], *, quiet: float = QUIET,
                 max_delay: float = MAX_DELAY, prune: bool = False, jobs: int = 1,
                 ingest_options: dict | None = None, cluster: str | None = None,
                 on_batch: Callable[[Batch], None] = lambda batch: None,
                 on_busy: Callable[[ArchiveBusyError], None] = lambda error: None):
        self.home = home
        self.cluster = cluster  # `wenhai --cluster`: the backend its ingests feed
        self.folders = [Path(os.path.abspath(f)) for f in folders]
        self.quiet = quiet
        self.max_delay = max_delay
        self.prune = prune
        self.jobs = jobs
        self.options = ingest_options or {}
        self.on_batch = on_batch
        self.on_busy = on_busy
        self.events: queue.SimpleQueue = queue.SimpleQueue()
        self.pending: dict[str, _Seen] = {}
        self.deleted: set[str] = set()
        self.last_event = 0.0
        self._busy = False

    # -- the loop -----------------------------------------------------------------

    def run(self, stop: threading.Event, started: Callable[[], None] = lambda: None) -> None:
        """Catch up with the folders (one ingest of them all), then follow their changes
        until `stop` is set; the batch under way when it is set is finished first.
        `started` is called once the folders are watched."""
        observer = Observer()
        handler = _Events(self.events)
        try:
            for f in self.folders:
                observer.schedule(handler, str(f), recursive=True)
            observer.start()  # before the catch-up: nothing changed during it is missed
        except OSError as e:
            observer.stop()
            folders, error = ", ".join(map(str, self.folders)), e.strerror or str(e)
            if e.errno in (errno.ENOSPC, errno.EMFILE):
                raise WatchError(Reason(
                    "Cannot watch %(folders)s (%(error)s): the system limits how many "
                    "folders one user watches: raise it (sysctl "
                    "fs.inotify.max_user_watches=524288 and fs.inotify.max_user_instances) "
                    "or watch fewer folders.", folders=folders, error=error)) from e
            raise WatchError(Reason(
                "Cannot watch %(folders)s (%(error)s): check that they exist and can be "
                "read.", folders=folders, error=error)) from e
        try:
            folders = [str(f) for f in self.folders]
            self._batch(folders, folders)  # what changed while no one watched
            started()
            while not stop.is_set():
                self._wait()
                self._step(time.monotonic())
        finally:
            observer.stop()
            observer.join()

    def _wait(self) -> None:
        """Take in events until the next moment a path may have settled (at most a tick)."""
        now = time.monotonic()
        due = min((s.since + self.quiet for s in self.pending.values()), default=now + _TICK)
        if self.deleted:
            due = min(due, self.last_event + self.quiet)
        try:
            event = self.events.get(timeout=min(max(due - now, 0.0), _TICK))
        except queue.Empty:
            return
        while True:
            self._take(*event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    def _take(self, kind: str, path: str, dest: str, is_dir: bool) -> None:
        now = self.last_event = time.monotonic()
        if kind == "deleted":
            self.pending.pop(path, None)
            self.deleted.add(path)
        elif kind == "events_lost":  # the kernel's queue overflowed: look at it all again
            self._touch(path, True, now)
            self.deleted.add(path)
        elif kind == "moved":
            self.pending.pop(path, None)
            self.deleted.add(path)  # unless the move is recognised at `dest` by ingest
            self._touch(dest, is_dir, now)
        elif not is_dir:  # created, modified, closed
            self._touch(path, is_dir, now)
        elif kind == "created":  # a folder's own changes are its files' events
            self._touch(path, is_dir, now)

    def _touch(self, path: str, is_dir: bool, now: float) -> None:
        if not is_dir and not path.lower().endswith(tuple(ingest_lib.SUPPORTED)):
            return
        self.deleted.discard(path)
        self.pending[path] = _Seen(_state(path), now)

    def _step(self, now: float) -> None:
        """Run a batch of the settled paths, if the moment has come."""
        settled = []
        for path, seen in list(self.pending.items()):
            if now - seen.since < self.quiet:
                continue
            state = _state(path)
            if state is None:  # deleted before it was read
                del self.pending[path]
                self.deleted.add(path)
            elif state != seen.state:  # changed without an event (or since the last)
                self.pending[path] = _Seen(state, now)
            else:
                settled.append(path)
        if not settled and not self.deleted:
            return
        calm = now - self.last_event >= self.quiet
        overdue = any(now - self.pending[p].since >= self.max_delay for p in settled)
        if not (calm or overdue):
            return
        for path in settled:
            del self.pending[path]
        deleted, self.deleted = sorted(self.deleted), set()
        self._batch(settled, deleted)

    def _batch(self, paths: list[str], deleted: list[str]) -> None:
        """One ingest of `paths`, then the recorded files among `deleted` that are still
        gone; on a busy archive, everything waits for the next try."""
        batch = Batch(ingest_lib.Report(), started=time.monotonic())
        try:
            with Archive(self.home, self.cluster) as archive, archive.writing(jobs=self.jobs):
                if there := [Path(p) for p in paths if os.path.lexists(p)]:
                    batch.report = ingest_lib.ingest(archive, there, **self.options)
                if gone := [*deleted, *(p for p in paths if not os.path.lexists(p))]:
                    batch.gone = removing.gone(archive, [Path(p) for p in gone])
                if self.prune and batch.gone:
                    plan = removing.plan(archive, [], batch.gone)
                    batch.removed = archive.remove(paths=plan.paths)
        except ArchiveBusyError as e:
            now = time.monotonic()
            for path in paths:
                self.pending.setdefault(path, _Seen(_state(path), now))
            self.deleted.update(deleted)
            self.last_event = now
            if not self._busy:
                self.on_busy(e)
            self._busy = True
            return
        self._busy = False
        if paths or batch.gone:
            self.on_batch(batch)
