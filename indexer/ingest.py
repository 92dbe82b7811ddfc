"""Files and folders → articles in the archive, incrementally.

An unchanged file costs one `stat` (same size and mtime) or, when only its mtime
moved, one hash. A bad file is recorded as a failure with its reason and the batch
goes on; nothing here aborts on one file's account.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from store import Archive, ArchiveError, Article

from . import articles, decode, formats
from .errors import IngestError

DEFAULT_MAX_BYTES = 50_000_000
#: Longer bodies are cut (at a paragraph end where possible) and flagged in `extra`.
DEFAULT_MAX_CHARS = 500_000
#: Bring the search index up to date every this many files, so a long run is searchable early.
SYNC_EVERY = 1000


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
                    if f.suffix.lower() in formats.READERS:
                        found.append(f)
                    else:
                        report.skipped += 1
        elif p.exists():
            if p.suffix.lower() in formats.READERS:
                found.append(p)
            else:
                kinds = ", ".join(sorted(formats.READERS))
                report.failed.append(Failure(str(p), f"unsupported file type; wenhai reads {kinds}"))
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
    reader = formats.READERS.get(Path(path).suffix.lower())
    if reader is None:
        raise IngestError(path, "unsupported file type")
    if not data.strip():
        raise IngestError(path, "is empty")
    text, used = decode.decode(data, path, encoding)
    if "\x00" in text:
        raise IngestError(path, "contains NUL characters: it looks like a binary file, not text")
    good: list[Article] = []
    bad: list[IngestError] = []
    for item in reader(text, data, path):
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
    report = Report()
    files = discover(paths, report)
    since_sync = 0
    for f in progress(files, len(files), "reading"):
        key = str(f.resolve())
        try:
            outcome = _ingest_file(archive, f, key, encoding, max_bytes, max_chars, report)
        except IngestError as e:
            report.failed.append(Failure(str(f), e.reason))
            continue
        except ArchiveError:
            raise  # the archive itself cannot be written: stop, nothing is lost
        except OSError as e:
            report.failed.append(Failure(str(f), f"cannot be read ({e.strerror or e})"))
            continue
        except Exception as e:  # noqa: BLE001 - one file must never abort the batch
            report.failed.append(
                Failure(str(f), f"unexpected {type(e).__name__}: {e} (please report this file)")
            )
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome != "unchanged":
            since_sync += 1
        if since_sync >= SYNC_EVERY:
            report.indexed += archive.sync_index()
            since_sync = 0
    report.indexed += archive.sync_index(progress)
    return report


def _ingest_file(
    archive: Archive,
    f: Path,
    key: str,
    encoding: str | None,
    max_bytes: int,
    max_chars: int,
    report: Report,
) -> str:
    st = f.stat()
    known = archive.file_state(key)
    if known is not None and known["size"] == st.st_size and known["mtime_ns"] == st.st_mtime_ns:
        return "unchanged"
    if st.st_size > max_bytes:
        raise IngestError(
            str(f),
            f"is {st.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit: "
            "split it, or raise the limit with --max-size",
        )
    data = f.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if known is not None and known["file_hash"] == digest:
        archive.touch_file(key, st.st_size, st.st_mtime_ns)
        return "unchanged"
    good, bad = read_articles(data, str(f), encoding, max_chars)
    if not good and len(bad) == 1:
        raise bad[0]
    for e in bad:
        report.failed.append(Failure(str(f), e.reason))
    if not good:
        raise IngestError(str(f), "no article could be read from it" if bad else "holds no articles")
    return archive.store_file(key, st.st_size, st.st_mtime_ns, digest, good)
