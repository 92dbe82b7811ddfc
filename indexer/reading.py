"""Reading files into articles, in worker processes while the archive stores them.

Reading a file — decoding, parsing, cleaning, metadata, the content hash and the
repost sketch — needs no archive, and was ~60% of an ingest's time in the one process
that may write SQLite (profiled at 2,000 articles: 2.4 ms an article in all, once the
index was written in bulk). `read_ahead` hands the files that need reading to worker
processes in chunks, in order, and gives the results back in the same order, a
bounded number of chunks ahead, so memory stays small however many files there are.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from store import Archive, Article, StorageError

from . import articles, decode, files, formats, word
from .drafts import Draft
from .errors import IngestError
from .language import Reason

#: Files a worker reads per task (a task costs ~0.2 ms to hand over and back).
CHUNK = 16
#: Chunks read ahead of the one being stored, per worker.
AHEAD = 4

#: Formats read from bytes, not decoded text.
BINARY_READERS = {".docx": word.read_docx}
#: What a member of a zip may be (no zips in zips: that is how bombs nest).
READABLE = {*formats.READERS, *BINARY_READERS}
#: Why a file that exhausted Python's recursion limit (markup or data nested in itself
#: thousands deep, where no reader caught it first) could not be read.
TOO_DEEP = Reason("is nested too deeply to read (more than about 1,000 levels of markup or "
                  "data inside each other): flatten it, or leave it out")
#: Longer bodies are cut (at a paragraph end where possible) and flagged in `extra`.
DEFAULT_MAX_CHARS = 500_000


def _shorten(draft: Draft, max_chars: int) -> int | None:
    """Cut `draft`'s text to what can make a body of `max_chars` (twice that, at a line
    end where possible, leaves room for boilerplate), so that cleaning a 16-million-
    character line never holds it whole; returns its length before, if it was cut."""
    limit = 2 * max_chars
    if len(draft.text) <= limit:
        return None
    text = draft.text
    start, end = 0, len(text)  # its length stripped, without a copy of it
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    total = end - start
    cut = draft.text.rfind("\n", 0, limit)
    draft.text = draft.text[:cut if cut > limit // 2 else limit]
    return total


def _truncate(article: Article, max_chars: int, total: int | None = None) -> Article:
    """`article` with its body cut to `max_chars`, and flagged. `total` is the length of
    the text it came from, when that was cut before cleaning (`_shorten`)."""
    total = total or len(article.body)
    if total <= max_chars:
        return article
    cut = article.body.rfind("\n", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    article.body = article.body[:cut]
    article.headings = [h for h in article.headings if h < article.body.count("\n") + 1]
    article.extra["truncated"] = f"kept the first {cut:,} of {total:,} characters"
    article.provenance["truncated"] = "size limit (--max-chars)"
    return article


@dataclass
class Parsed:
    """What one file's bytes gave: articles, the records that could not be read, and a
    note for the user (bad bytes replaced), if any."""

    articles: list[Article]
    errors: list[IngestError]
    note: str | None = None


def read_articles(
    data: bytes, path: str, encoding: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[list[Article], list[IngestError]]:
    """Parse one file's bytes into articles; per-record problems come back as errors."""
    parsed = parse(data, path, encoding, max_chars)
    return parsed.articles, parsed.errors


def parse(
    data: bytes, path: str, encoding: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> Parsed:
    """`read_articles`, with the note on bytes replaced in decoding."""
    suffix = Path(path).suffix.lower()
    if suffix not in READABLE:
        raise IngestError(path, Reason("unsupported file type"))
    if not data.strip():
        raise IngestError(path, Reason("is empty"))
    note = None
    if suffix in BINARY_READERS:
        items, used = BINARY_READERS[suffix](data, path), "utf-8"  # Office XML is UTF-8
    else:
        declared = decode.declared_charset(data) if suffix in (".html", ".htm") else None
        found = decode.decode(data, path, encoding, declared)
        used, note = decode.described(found), decode.note(found)
        items = formats.READERS[suffix](found.text, data, path)
    good: list[Article] = []
    bad: list[IngestError] = []
    for item in items:
        if isinstance(item, IngestError):
            bad.append(item)
            continue
        try:
            total = _shorten(item, max_chars)
            good.append(_truncate(articles.build(item, path, used), max_chars, total))
        except IngestError as e:
            bad.append(e)
    return Parsed(good, bad, note)


@dataclass
class Job:
    """One file to read, with what the archive knows of it."""

    path: str
    label: str
    known_hash: str | None
    encoding: str | None
    max_chars: int
    max_bytes: int


@dataclass
class Read:
    """A file read: its hash, and its articles (None when the hash is the known one), or
    the reason it could not be read."""

    digest: str = ""
    articles: list[Article] | None = None
    errors: list[IngestError] = field(default_factory=list)
    failure: Exception | None = None
    note: str | None = None


def read_file(job: Job) -> Read:
    """Read one file (in a worker or not). Failures come back, to be reported where the
    file is stored, as if it had been read there."""
    try:
        data = files.read_bounded(job.path, job.label, job.max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if digest == job.known_hash:
            return Read(digest)
        parsed = parse(data, job.label, job.encoding, job.max_chars)
        return Read(digest, [Archive.prepare(a) for a in parsed.articles], parsed.errors,
                    note=parsed.note)
    except (IngestError, OSError) as e:
        return Read(failure=e)
    except RecursionError:
        return Read(failure=IngestError(job.label, TOO_DEEP))
    except Exception as e:  # noqa: BLE001 - one file must never abort the batch
        return Read(failure=IngestError(job.label, unexpected(e)))


def unexpected(e: Exception) -> str:
    """The reason for an error no one foresaw."""
    return Reason("unexpected %(error)s (please report this file)",
                  error=f"{type(e).__name__}: {e}")


def read_files(jobs: list[Job]) -> list[Read]:
    return [read_file(job) for job in jobs]


class _Chunk:
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.future: Future | None = None


def read_ahead(
    pool: Executor | None, entries: Iterable[tuple[Path, object]]
) -> Iterator[tuple[Path, object]]:
    """(file, thing) for each entry, in order, where a `Job` has become its `Read`.

    Jobs are read in `pool`, `CHUNK` at a time and at most `AHEAD` chunks per worker
    ahead; without a pool, each when its turn comes. Anything else passes through.
    """
    window: deque[tuple[Path, _Chunk | None, object]] = deque()
    limit = CHUNK * AHEAD * max(1, getattr(pool, "_max_workers", 1))
    chunk = _Chunk()

    def send() -> None:
        nonlocal chunk
        if chunk.jobs:
            chunk.future = pool.submit(read_files, chunk.jobs)
            chunk = _Chunk()

    def take() -> tuple[Path, object]:
        f, owner, thing = window.popleft()
        if owner is None:
            return f, read_file(thing) if isinstance(thing, Job) else thing
        if owner.future is None:
            send()
        try:
            return f, owner.future.result()[thing]
        except BrokenProcessPool as e:
            raise StorageError(
                "A process reading files stopped unexpectedly (out of memory?). Every "
                "article stored so far is kept: run the same command again, with --jobs 1 "
                "to read in a single process."
            ) from e

    for f, thing in entries:
        if isinstance(thing, Job) and pool is not None:
            chunk.jobs.append(thing)
            window.append((f, chunk, len(chunk.jobs) - 1))
            if len(chunk.jobs) >= CHUNK:
                send()
        else:
            window.append((f, None, thing))
        while len(window) > limit:
            yield take()
    send()
    while window:
        yield take()
