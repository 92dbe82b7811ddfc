"""Files and folders → articles in the archive, incrementally.

An unchanged file costs one `stat` (same size and mtime) or, when only its mtime
moved, one hash. A bad file is recorded as a failure with its reason and the batch
goes on; nothing here aborts on one file's account. A `.zip` is a folder here: each
supported member is a file of its own, labelled `archive.zip!inner/path`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store import Archive, ArchiveError, Article

from . import articles, decode, formats, word, zipfiles
from .errors import IngestError

DEFAULT_MAX_BYTES = 50_000_000
#: Longer bodies are cut (at a paragraph end where possible) and flagged in `extra`.
DEFAULT_MAX_CHARS = 500_000
#: Bring the search index up to date every this many files, so a long run is searchable
#: early. Each sync adds a segment per indexing process, and segments are merged as they
#: pile up (about 9 ms an article each time): at 100,000 articles, syncs of 2,000 on two
#: processes would move ~250,000 articles through merges, syncs of 10,000 ~75,000.
SYNC_EVERY = 10_000


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
    skipped: int = 0
    indexed: int = 0
    failed: list[Failure] = field(default_factory=list)

    @property
    def files(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicate + len(self.failed)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.duplicate or self.indexed)


#: Formats read from bytes, not decoded text.
BINARY_READERS = {".docx": word.read_docx}
ARCHIVES = {".zip"}
#: What a member of a zip may be (no zips in zips: that is how bombs nest).
READABLE = {*formats.READERS, *BINARY_READERS}
SUPPORTED = READABLE | ARCHIVES


def _no_progress(items: Iterable, total: int, label: str) -> Iterable:
    return items


def discover(paths: list[Path], report: Report) -> list[Path]:
    """Supported files under `paths` (folders recursively, hidden entries skipped), sorted."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    f = Path(root) / name
                    if name.startswith("."):
                        continue
                    if f.suffix.lower() in SUPPORTED:
                        found.append(f)
                    else:
                        report.skipped += 1
        elif p.exists():
            if p.suffix.lower() in SUPPORTED:
                found.append(p)
            else:
                kinds = ", ".join(sorted(SUPPORTED))
                report.failed.append(
                    Failure(str(p), f"unsupported file type; wenhai reads {kinds}")
                )
        else:
            report.failed.append(Failure(str(p), "no such file or folder"))
    return list(dict.fromkeys(found))


def _truncate(article: Article, max_chars: int) -> Article:
    total = len(article.body)
    if total <= max_chars:
        return article
    cut = article.body.rfind("\n", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    article.body = article.body[:cut]
    article.headings = [h for h in article.headings if h < article.body.count("\n") + 1]
    article.extra["truncated"] = f"kept the first {cut:,} of {total:,} characters"
    article.provenance["truncated"] = "size limit (--max-chars)"
    return article


def read_articles(
    data: bytes, path: str, encoding: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[list[Article], list[IngestError]]:
    """Parse one file's bytes into articles; per-record problems come back as errors."""
    suffix = Path(path).suffix.lower()
    if suffix not in READABLE:
        raise IngestError(path, "unsupported file type")
    if not data.strip():
        raise IngestError(path, "is empty")
    if suffix in BINARY_READERS:
        items, used = BINARY_READERS[suffix](data, path), "utf-8"  # Office XML is UTF-8
    else:
        text, used = decode.decode(data, path, encoding)
        if "\x00" in text:
            raise IngestError(
                path, "contains NUL characters: it looks like a binary file, not text"
            )
        items = formats.READERS[suffix](text, data, path)
    good: list[Article] = []
    bad: list[IngestError] = []
    for item in items:
        if isinstance(item, IngestError):
            bad.append(item)
            continue
        try:
            good.append(_truncate(articles.build(item, path, used), max_chars))
        except IngestError as e:
            bad.append(e)
    return good, bad


def ingest(
    archive: Archive,
    paths: list[Path],
    *,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress=_no_progress,
) -> Report:
    """Ingest `paths` into `archive` (which must be held with `archive.writing()`)."""
    batch = _Batch(archive, encoding, max_bytes, max_chars, Report())
    files = discover(paths, batch.report)
    for f in progress(files, len(files), "reading"):
        if f.suffix.lower() in ARCHIVES:
            batch.attempt(str(f), functools.partial(batch.zip, f))
        else:
            batch.tally(batch.attempt(str(f), functools.partial(batch.file, f)))
    batch.report.indexed += archive.sync_index(progress)
    return batch.report


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

    def key(self, f: Path) -> str:
        """The file's real path, the archive's key for it.

        `Path.resolve` costs a system call per path component; an unchanged re-run is
        mostly this, so each folder is resolved once (a symlinked file still follows
        its link).
        """
        if f.is_symlink():
            return str(f.resolve())
        parent = str(f.parent)
        if (real := self.real_dirs.get(parent)) is None:
            real = self.real_dirs[parent] = os.path.realpath(parent)
        return os.path.join(real, f.name)

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
            self.report.failed.append(Failure(label, f"cannot be read ({e.strerror or e})"))
        except Exception as e:  # noqa: BLE001 - one file must never abort the batch
            self.report.failed.append(
                Failure(label, f"unexpected {type(e).__name__}: {e} (please report this file)")
            )
        return None

    def file(self, f: Path) -> str:
        key = self.key(f)
        st = f.stat()
        known = self.archive.file_state(key)
        if _same(known, st.st_size, st.st_mtime_ns):
            return "unchanged"
        if st.st_size > self.max_bytes:
            raise IngestError(
                str(f),
                f"is {st.st_size / 1e6:.1f} MB, over the {self.max_bytes / 1e6:.0f} MB limit: "
                "split it, or raise the limit with --max-size",
            )
        return self.store(key, st.st_size, st.st_mtime_ns, f.read_bytes(), str(f), known)

    def zip(self, f: Path) -> None:
        """Each supported member as a file of its own; the zip's mtime stands for theirs."""
        key = self.key(f)
        mtime_ns = f.stat().st_mtime_ns
        with zipfiles.Unpacker(f, READABLE, self.max_bytes) as zf:
            self.report.skipped += zf.skipped
            for member in zf.members:
                if zf.exhausted:
                    return  # the read that crossed the limit was reported with the reason
                member_key = f"{key}!{member.name}"

                def step(member: zipfiles.Member = member, member_key: str = member_key) -> str:
                    known = self.archive.file_state(member_key)
                    if _same(known, member.size, mtime_ns):
                        return "unchanged"
                    data = zf.read(member)
                    return self.store(member_key, member.size, mtime_ns, data, member.label, known)

                self.tally(self.attempt(member.label, step))

    def store(
        self, key: str, size: int, mtime_ns: int, data: bytes, label: str, known: FileState
    ) -> str:
        """Read `data` into articles and store them under `key`, unless the bytes are known."""
        digest = hashlib.sha256(data).hexdigest()
        if known is not None and known["file_hash"] == digest:
            self.archive.touch_file(key, size, mtime_ns)
            return "unchanged"
        good, bad = read_articles(data, label, self.encoding, self.max_chars)
        if not good and len(bad) == 1:
            raise bad[0]
        for e in bad:
            self.report.failed.append(Failure(label, e.reason))
        if not good:
            raise IngestError(
                label, "no article could be read from it" if bad else "holds no articles"
            )
        return self.archive.store_file(key, size, mtime_ns, digest, good)


#: What the archive recorded about a file (size, mtime_ns, file_hash), or None.
FileState = Mapping[str, Any] | None


def _same(known: FileState, size: int, mtime_ns: int) -> bool:
    return known is not None and known["size"] == size and known["mtime_ns"] == mtime_ns
