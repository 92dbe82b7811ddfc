"""The Whoosh side of the archive: derived data, always rebuildable from SQLite.

The schema is given explicitly whenever the index is opened: Whoosh pickles
analyzers into its table of contents, and unpickling them would tie the on-disk
format to import paths. A sidecar file records the schema version and the analyzer
fingerprint; an index built by anything else is refused with advice to reindex.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from whoosh import index as windex
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from . import analysis
from .errors import IndexDamagedError, IndexVersionError

#: 2: a sortable `year` for the year facet, and each document's content `hash`.
#: 3: the repost `group`, to show one result per group.
#: 4: the text fields' postings in `columnar` files (`codec.Codec`).
INDEX_SCHEMA_VERSION = 4
SIDECAR = "wenhai-index.json"


def words_field() -> TEXT:
    return TEXT(analyzer=analysis.WordTokenizer(), phrase=True)


def grams_field() -> TEXT:
    return TEXT(analyzer=analysis.GramTokenizer(), phrase=True)


#: Which of the document's fields each kind of analysis fills.
WORD_FIELDS = ("title", "body")
GRAM_FIELDS = ("title_g", "body_g", "author_g", "source_g")
#: The fields whose postings `columnar` stores (see `codec`), and how their terms are keyed.
TEXT_FIELDS = {**{name: "words" for name in WORD_FIELDS}, **{name: "grams" for name in GRAM_FIELDS}}


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        # The content hash the document was built from: `wenhai check` finds stale ones.
        hash=ID(stored=True),
        title=words_field(),
        body=words_field(),
        title_g=grams_field(),
        body_g=grams_field(),
        author_g=grams_field(),
        source_g=grams_field(),
        author=ID(sortable=True),
        source=ID(sortable=True),
        date=ID(sortable=True),
        year=ID(sortable=True),
        group=ID(sortable=True),
    )


def identity() -> dict:
    return {"schema_version": INDEX_SCHEMA_VERSION, "analyzer": analysis.fingerprint()}


def exists(path: Path) -> bool:
    return path.is_dir() and windex.exists_in(str(path))


class _Storage(FileStorage):
    """Whoosh's file storage, with temporary folders of this process's own.

    Whoosh names a writer's temporary folder after the index, and a finishing writer
    removes it: writers in two processes (`workers`) would remove each other's files.
    """

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'tmp'}-{os.getpid()}")


def _storage(path: Path) -> FileStorage:
    # Whoosh's mmap path copies each whole segment file into memory when a reader
    # opens (BytesIO over the map): measured 0.7 s for a first search on 3,000
    # articles against 40 ms with plain file reads, and it grows with the index.
    return _Storage(str(path), supports_mmap=False)


class _Index(windex.FileIndex):
    """Whoosh's index whose writer is wenhai's (`segments.Writer`): every segment it
    writes has its text fields' `columnar` file, which readers of the codec need."""

    def writer(self, procs=1, **kwargs):
        from .segments import Writer

        return Writer(self, **kwargs)


def clear_temporary(path: Path) -> None:
    """Remove writers' temporary folders and files a killed run left (call holding the
    write lock)."""
    for folder in path.glob("*.tmp-*"):
        shutil.rmtree(folder, ignore_errors=True)
    for partial in path.glob("*.tmp"):
        partial.unlink(missing_ok=True)


def create(path: Path) -> windex.Index:
    path.mkdir(parents=True, exist_ok=True)
    ix = _storage(path).create_index(schema(), indexclass=_Index)
    (path / SIDECAR).write_text(json.dumps(identity()), encoding="utf-8")
    return ix


def check(path: Path) -> None:
    """Raise `IndexVersionError` unless the index at `path` was built by this version."""
    try:
        found = json.loads((path / SIDECAR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    if found != identity():
        raise IndexVersionError(
            f"The search index in {path} was built by another version of wenhai "
            f"(schema {found.get('schema_version', '?')}, analyzer {found.get('analyzer', '?')}; "
            f"this version uses schema {INDEX_SCHEMA_VERSION}, analyzer {analysis.fingerprint()}). "
            "Run `wenhai reindex` to rebuild it from the archive; no article is lost."
        )


def damaged(path: Path, e: Exception) -> IndexDamagedError:
    return IndexDamagedError(
        f"The search index in {path} is damaged ({type(e).__name__}: {e}). Run "
        "`wenhai check --repair` to rebuild it from the archive; no article is lost."
    )


def open_index(path: Path, *, probe: bool = True) -> windex.Index:
    """Open the index, or raise `IndexDamagedError` if its files cannot be read.

    `probe` reads every segment once to find damage now; a searcher that will read
    them anyway can skip it and check its own first read.
    """
    check(path)
    try:
        ix = _storage(path).open_index(schema=schema(), indexclass=_Index)
        if probe:
            with ix.reader() as reader:
                reader.doc_count()
    except Exception as e:  # noqa: BLE001 - Whoosh raises many types for broken files
        raise damaged(path, e) from e
    return ix


def set_aside(path: Path) -> Path:
    """Move a damaged index out of the way, keeping it for inspection."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    return target


def document(row) -> dict:
    """The Whoosh document for one article row."""
    doc = {
        "id": str(row["id"]),
        "hash": row["content_hash"],
        "group": str(row["group_id"] or row["id"]),
        "title": row["title"],
        "title_g": row["title"],
        "body": row["body"],
        "body_g": row["body"],
    }
    if row["author"]:
        doc["author_g"] = row["author"]
        doc["author"] = row["author"]
    if row["source"]:
        doc["source_g"] = row["source"]
        doc["source"] = row["source"]
    if row["published"]:
        doc["date"] = row["published"]
        doc["year"] = row["published"][:4]
    return doc


#: More segments than this and a commit merges the smaller half of them.
MAX_SEGMENTS = 10
#: This many segments of about the same size (the smallest, and any less than FAN_IN
#: times its size) are merged into one.
FAN_IN = 4


def merge_policy(writer, segments):
    """Keep the index at a few segments: merge the small ones as they pile up.

    Whoosh's own MERGE_SMALL leaves equal-sized segments alone, so an archive fed in
    batches piles them up; each repeats most of the n-gram lexicon (measured: 14
    segments made an index 1.9x the size of one, and readers' memory grows with them),
    and a search pays for each: at 100,000 articles, with the page cache empty, the
    first round of the benchmark's queries read 2,120 pages in 8 segments and 272 in
    one (p50 31.8 against 18.9 ms). A merge costs about a third of indexing the
    documents again (`segments.merge`), so segments are merged by size, FAN_IN of about
    the same size at a time, each level FAN_IN times the one below: every article is
    merged once per level (log_FAN_IN of the archive's size in syncs), and syncs of
    10,000 files in two workers leave 100,000 articles in 2 segments. Should there
    still be MAX_SEGMENTS, the smaller half is merged into one.
    """
    from .segments import merge

    kept = list(segments)  # in their order: documents keep theirs where nothing merges
    while kept:
        smallest = max(1, min(s.doc_count_all() for s in kept))
        level = [s for s in kept if s.doc_count_all() < smallest * FAN_IN]
        if len(level) < FAN_IN:
            break
        kept = [s for s in kept if s not in level] + [merge(writer, level)]
    if len(kept) < MAX_SEGMENTS:
        return kept
    ordered = sorted(kept, key=lambda s: s.doc_count_all())
    half = max(2, len(ordered) // 2)
    return ordered[half:] + [merge(writer, ordered[:half])]


def swap_in(new: Path, current: Path) -> None:
    """Replace `current` by `new` with renames, so a reader never sees half an index."""
    old = current.with_name(current.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        current.rename(old)
    new.rename(current)
    if old.exists():
        shutil.rmtree(old)
