"""Files and folders → articles in the archive, incrementally.

An unchanged file costs one `stat` (same size and mtime) or, when only its mtime
moved, one hash. A bad file is recorded as a failure with its reason and the batch
goes on; nothing here aborts on one file's account. A `.zip` is a folder here: each
supported member is a file of its own, labelled `archive.zip!inner/path`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store import Archive, ArchiveError, process_pool

from . import files, removing, zipfiles
from .errors import IngestError
from .files import key_name, shown
from .language import Reason, _, ngettext
from .reading import (  # noqa: F401 - read_articles is this module's API too
    DEFAULT_MAX_CHARS,
    READABLE,
    TOO_DEEP,
    Job,
    Read,
    parse,
    read_ahead,
    read_articles,
    unexpected,
)

DEFAULT_MAX_BYTES = 50_000_000
#: Bring the search index up to date every this many files, so a long run is searchable
#: early. Each sync adds a segment per indexing process, and segments are merged as they
#: pile up (about 9 ms an article each time): at 100,000 articles, syncs of 2,000 on two
#: processes would move ~250,000 articles through merges, syncs of 10,000 ~75,000.
SYNC_EVERY = 10_000
#: Fewer files than this are read in the storing process: starting workers costs more.
PARALLEL_FILES = 64
ARCHIVES = {".zip"}
#: Bad records named one by one per file; the rest are counted on one more line.
RECORD_LINES = 10
SUPPORTED = READABLE | ARCHIVES


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class Report:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    #: Files seen at a new path whose old path is gone: the old one is forgotten.
    moved: int = 0
    skipped: int = 0
    indexed: int = 0
    failed: list[Failure] = field(default_factory=list)
    #: Left out on purpose, each named once: links leaving the folders, zip members
    #: leaving the zip. Not failures: nothing went wrong.
    left_out: list[Failure] = field(default_factory=list)
    #: Stored, with something the user should know (bad bytes replaced).
    notes: list[Failure] = field(default_factory=list)
    #: Records that could not be read in files whose other records were stored: the
    #: first `RECORD_LINES` of each file, then one line with how many more.
    bad_records: list[Failure] = field(default_factory=list)
    bad_record_count: int = 0

    @property
    def files(self) -> int:
        return (self.added + self.updated + self.unchanged + self.duplicate + self.moved
                + len(self.failed))

    def summary(self) -> str:
        """The counts on one line, as `wenhai ingest` and `wenhai watch` print them, in the
        terminal's language."""
        line = _("%(added)s added, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(duplicate)s duplicate, %(failed)s failed", added=self.added,
                 updated=self.updated, unchanged=self.unchanged, duplicate=self.duplicate,
                 failed=len(self.failed))
        if self.moved:
            line += _(", %(n)s moved", n=self.moved)
        if self.left_out:
            line += _(", %(n)s skipped", n=len(self.left_out))
        if n := self.bad_record_count:
            line += ngettext("; %(n)s bad record in files stored",
                             "; %(n)s bad records in files stored", n)
        return line

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.duplicate or self.moved or self.indexed)


def _no_progress(items: Iterable, total: int, label: str) -> Iterable:
    return items


def discover(paths: list[Path], report: Report, follow_symlinks: bool = False) -> list[str]:
    """Supported files under `paths` (`files.discover`); what is left out goes to `report`."""
    found = files.discover(paths, SUPPORTED, follow_symlinks=follow_symlinks)
    report.skipped += found.unsupported
    report.failed += [Failure(e.path, e.reason) for e in found.failed]
    report.left_out += [Failure(e.path, e.reason) for e in found.left_out]
    return found.files


def ingest(
    archive: Archive,
    paths: list[Path],
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    follow_symlinks: bool = False,
    progress=_no_progress,
) -> Report:
    """Ingest `paths` into `archive` (which must be held with `archive.writing()`).

    Files are read in `archive.jobs` worker processes (`reading`) and stored here, in
    the order `discover` lists them.
    """
    batch = _Batch(archive, encoding, max_bytes, max_chars, Report())
    found = discover(paths, batch.report, follow_symlinks)
    with _readers(archive.jobs if len(found) >= PARALLEL_FILES else 1) as pool:
        for f, read in progress(read_ahead(pool, batch.entries(found)), len(found), "reading"):
            if f.suffix.lower() in ARCHIVES:
                batch.attempt(shown(f), functools.partial(batch.zip, f))
            else:
                batch.tally(batch.attempt(shown(f), functools.partial(batch.finish, f, read)))
    batch.report.indexed += archive.sync_index(progress)
    return batch.report


@contextlib.contextmanager
def _readers(jobs: int) -> Iterator:
    """Worker processes to read files in, or None to read them here."""
    if jobs < 2:
        yield None
        return
    pool = process_pool(jobs, preload=("indexer.reading", *Archive.PREPARE_MODULES))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Batch:
    """One ingest run: where articles go, the limits, and the running report."""

    archive: Archive
    encoding: str | None
    max_bytes: int
    max_chars: int
    report: Report
    since_sync: int = 0
    real_dirs: dict[str, str] = field(default_factory=dict)
    #: What `check` found of each file sent to be read: (key, size, mtime_ns, known).
    checked: dict[str, tuple] = field(default_factory=dict)

    def key(self, f: Path) -> str:
        """The file's real path, the archive's key for it.

        `Path.resolve` costs a system call per path component; an unchanged re-run is
        mostly this, so each folder is resolved once (a symlinked file still follows
        its link).
        """
        if f.is_symlink():
            return key_name(os.path.realpath(f))
        parent = str(f.parent)
        if (real := self.real_dirs.get(parent)) is None:
            real = self.real_dirs[parent] = key_name(os.path.realpath(parent))
        return os.path.join(real, key_name(f.name))

    def tally(self, outcome: str | None) -> None:
        """Count an outcome; bring the index up to date every `SYNC_EVERY` changes."""
        if outcome is None:
            return
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        if outcome != "unchanged":
            self.since_sync += 1
        if self.since_sync >= SYNC_EVERY:
            self.report.indexed += self.archive.sync_index()
            self.since_sync = 0

    def attempt(self, label: str, step: Callable[[], str | None]) -> str | None:
        """Run one file's `step`; a failure is recorded under `label` and never escapes."""
        try:
            return step()
        except IngestError as e:
            where = e.path if e.path.startswith(label) else label
            self.report.failed.append(Failure(where, e.reason))
        except ArchiveError:
            raise  # the archive itself cannot be written: stop, nothing is lost
        except OSError as e:
            self.report.failed.append(Failure(label, Reason("cannot be read (%(error)s)",
                                                            error=e.strerror or str(e))))
        except RecursionError:
            self.report.failed.append(Failure(label, TOO_DEEP))
        except Exception as e:  # noqa: BLE001 - one file must never abort the batch
            self.report.failed.append(Failure(label, unexpected(e)))
        return None

    def entries(self, files: list[str]) -> Iterator[tuple[Path, object]]:
        """(file, what to do with it) for `read_ahead`: a `Job` to read it, "unchanged",
        the error that stops it, or None (a zip, opened when its turn comes). Each
        file's `Path` is made here, as its turn nears."""
        for name in files:
            f = Path(name)
            if f.suffix.lower() in ARCHIVES:
                yield f, None
                continue
            try:
                yield f, self.check(f)
            except Exception as e:  # noqa: BLE001 - reported by `attempt` in its turn
                yield f, e

    def check(self, f: Path) -> Job | str:
        """What reading `f` needs: nothing if it is unchanged, else a `Job`."""
        key = self.key(f)
        st = f.stat()
        known = self.archive.file_state(key)
        if _same(known, st.st_size, st.st_mtime_ns):
            return "unchanged"
        if st.st_size > self.max_bytes:
            raise files.too_big(shown(f), self.max_bytes, st.st_size)
        self.checked[str(f)] = (key, st.st_size, st.st_mtime_ns, known)
        return Job(str(f), shown(f), known["file_hash"] if known else None, self.encoding,
                   self.max_chars, self.max_bytes)

    def finish(self, f: Path, found: object) -> str:
        """Store what reading `f` found (the outcome of `entries` after `read_ahead`)."""
        if isinstance(found, Exception):
            raise found
        if found == "unchanged":
            return "unchanged"
        assert isinstance(found, Read)
        key, size, mtime_ns, known = self.checked.pop(str(f))
        if found.failure is not None:
            raise found.failure
        return self.stored(key, size, mtime_ns, shown(f), known, found)

    def zip(self, f: Path) -> None:
        """Each supported member as a file of its own; the zip's mtime stands for theirs."""
        mtime_ns = f.stat().st_mtime_ns
        with zipfiles.Unpacker(f, READABLE, self.max_bytes) as zf:
            self.members(zf, self.key(f), mtime_ns)

    def members(self, zf: zipfiles.Unpacker, key: str, mtime_ns: int) -> None:
        """Store the members of the open zip `zf` (recorded under `key`), zips in it too."""
        self.report.skipped += zf.contents.skipped
        self.report.left_out += [Failure(e.path, e.reason) for e in zf.contents.escaping]
        for member in zf.members:
            if zf.exhausted:
                return  # the read that crossed the limit was reported with the reason
            member_key = f"{key}!{member.name}"
            if member.is_zip:
                self.attempt(member.label, functools.partial(
                    self.nested, zf, member, member_key, mtime_ns))
                continue

            def step(member: zipfiles.Member = member, member_key: str = member_key) -> str:
                known = self.archive.file_state(member_key)
                if _same(known, member.size, mtime_ns):
                    return "unchanged"
                data = zf.read(member)
                return self.store(member_key, member.size, mtime_ns, data, member.label, known)

            self.tally(self.attempt(member.label, step))

    def nested(self, zf: zipfiles.Unpacker, member: zipfiles.Member, key: str,
               mtime_ns: int) -> None:
        with zipfiles.Unpacker.nested(zf, member, zf.read(member)) as inner:
            self.members(inner, key, mtime_ns)

    def store(
        self, key: str, size: int, mtime_ns: int, data: bytes, label: str, known: FileState
    ) -> str:
        """Read `data` into articles and store them under `key`, unless the bytes are known."""
        digest = hashlib.sha256(data).hexdigest()
        if known is not None and known["file_hash"] == digest:
            found = Read(digest)
        else:
            parsed = parse(data, label, self.encoding, self.max_chars)
            found = Read(digest, parsed.articles, parsed.errors, note=parsed.note)
        return self.stored(key, size, mtime_ns, label, known, found)

    def stored(
        self, key: str, size: int, mtime_ns: int, label: str, known: FileState, found: Read
    ) -> str:
        """Store the articles `found` in a file under `key` (or note it is unchanged)."""
        if found.articles is None:
            self.archive.touch_file(key, size, mtime_ns)
            return "unchanged"
        good, bad, digest = found.articles, found.errors, found.digest
        if not good and len(bad) == 1:
            raise bad[0]
        if not good:
            raise IngestError(label, Reason(
                "none of its %(n)s records could be read; the first: %(first)s", n=len(bad),
                first=bad[0].reason) if bad else Reason("holds no articles"))
        outcome = self.archive.store_file(key, size, mtime_ns, digest, good)
        if outcome == "duplicate" and (moved := [
            old for old in self.archive.same_file_elsewhere(key) if not removing.exists(old)
        ]):
            # The same bytes at a new path, the old path gone: the file was moved or
            # renamed, and its articles now live here only.
            self.archive.forget_files(moved)
            outcome = "moved"
        if found.note:
            self.report.notes.append(Failure(label, found.note))
        self.report.bad_record_count += len(bad)
        for e in bad[:RECORD_LINES]:
            self.report.bad_records.append(Failure(label, e.reason))
        if len(bad) > RECORD_LINES:
            self.report.bad_records.append(Failure(label, Reason(
                "%(n)s more records could not be read (%(good)s of %(all)s records stored)",
                n=len(bad) - RECORD_LINES, good=len(good), all=len(good) + len(bad))))
        return outcome


#: What the archive recorded about a file (size, mtime_ns, file_hash), or None.
FileState = Mapping[str, Any] | None


def _same(known: FileState, size: int, mtime_ns: int) -> bool:
    return known is not None and known["size"] == size and known["mtime_ns"] == mtime_ns
