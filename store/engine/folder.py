"""The index folder: created, opened, checked against this version, set aside, swapped.

The index is derived data, always rebuildable from SQLite. The schema is given
explicitly whenever the index is opened: Whoosh pickles analyzers into its table of
contents, and unpickling them would tie the on-disk format to import paths. A sidecar
file records the schema version and the analyzer fingerprint (`schema.identity`); an
index built by anything else is refused with advice to reindex.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import MultiReader, SegmentReader

from ..errors import IndexDamagedError, IndexVersionError
from .columns import all_leaves, leaves
from .schema import INDEX_SCHEMA_VERSION, identity, schema
from .writer import Writer

SIDECAR = "wenhai-index.json"


def exists(path: Path) -> bool:
    return path.is_dir() and windex.exists_in(str(path))


def folder_id(path: Path) -> tuple[int, int] | None:
    """Which folder is at `path` now (device, inode): another once `swap_in` has run."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


class _Storage(FileStorage):
    """Whoosh's file storage, with temporary folders of this process's own.

    Whoosh names a writer's temporary folder after the index, and a finishing writer
    removes it: writers in two processes (`workers`) would remove each other's files.
    """

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'tmp'}-{os.getpid()}")


def _storage(path: Path, readonly: bool = False) -> FileStorage:
    # Whoosh's mmap path copies each whole segment file into memory when a reader
    # opens (BytesIO over the map): measured 0.7 s for a first search on 3,000
    # articles against 40 ms with plain file reads, and it grows with the index.
    return _Storage(str(path), supports_mmap=False, readonly=readonly)


class _Index(windex.FileIndex):
    """Whoosh's index whose writer is wenhai's (`writer.Writer`): every segment it
    writes has its text fields' `columnar` file, which readers of the codec need."""

    def writer(self, procs=1, **kwargs):
        return Writer(self, **kwargs)


def clear_temporary(path: Path) -> None:
    """Remove writers' temporary folders and files a killed run left (call holding the
    write lock)."""
    for folder in path.glob("*.tmp-*"):
        shutil.rmtree(folder, ignore_errors=True)
    for partial in path.glob("*.tmp"):
        partial.unlink(missing_ok=True)


def create(path: Path) -> windex.Index:
    """A new, empty index at `path`. Its sidecar is in place, whole (a rename), before
    Whoosh's table of contents makes the folder an index: a run killed between the two
    left an index that the next run took for another version's."""
    path.mkdir(parents=True, exist_ok=True)
    partial = path / f"{SIDECAR}.tmp"
    partial.write_text(json.dumps(identity()), encoding="utf-8")
    os.replace(partial, path / SIDECAR)
    return _storage(path).create_index(schema(), indexclass=_Index)


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
            f"this version uses schema {INDEX_SCHEMA_VERSION}, analyzer {identity()['analyzer']}). "
            "Run `wenhai reindex` to rebuild it from the archive; no article is lost."
        )


def damaged(path: Path, e: Exception) -> IndexDamagedError:
    return IndexDamagedError(
        f"The search index in {path} is damaged ({type(e).__name__}: {e}). Run "
        "`wenhai check --repair` to rebuild it from the archive; no article is lost."
    )


def open_index(path: Path, *, probe: bool = True, readonly: bool = False) -> windex.Index:
    """Open the index, or raise `IndexDamagedError` if its files cannot be read.

    `probe` reads every segment once to find damage now; a searcher that will read
    them anyway can skip it and check its own first read. A `readonly` index refuses
    to write a file (a searcher's: readers never write).
    """
    check(path)
    try:
        ix = _storage(path, readonly).open_index(schema=schema(), indexclass=_Index)
        if probe:
            with ix.reader() as reader:
                reader.doc_count()
    except Exception as e:  # noqa: BLE001 - Whoosh raises many types for broken files
        raise damaged(path, e) from e
    return ix


def aside(path: Path) -> Path:
    """Where a damaged index at `path` is kept for inspection (`index.damaged-<time>`)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():  # two repairs in one second
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    return target


def set_aside(path: Path) -> Path:
    """Move a damaged index out of the way, keeping it for inspection."""
    target = aside(path)
    path.rename(target)
    return target


def swap_in(new: Path, current: Path, keep: Path | None = None) -> None:
    """Replace `current` by `new` with renames, so a reader never sees half an index;
    the one replaced is deleted, or moved to `keep`."""
    old = keep or current.with_name(current.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        current.rename(old)
    new.rename(current)
    if keep is None and old.exists():
        shutil.rmtree(old)


#: The copies of an index kept beside it (``index.<suffix>``), by what they are.
COPIES = {"damaged": "set aside when found damaged",
          "new": "a rebuild stopped before it finished (or still running)",
          "old": "the index a stopped swap was replacing"}


def copies(path: Path) -> list[tuple[Path, int, str]]:
    """(folder, bytes, what it is) of each copy of the index at `path` kept beside it:
    damaged indexes set aside by repairs, a rebuild's `.new`, a swap's `.old`."""
    found = []
    for copy in sorted(path.parent.glob(f"{path.name}.*")):
        kind = copy.name[len(path.name) + 1:].partition("-")[0]
        if kind in COPIES and copy.is_dir():
            found.append((copy, _size(copy), kind))
    return found


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # removed while we look
                total += os.stat(os.path.join(root, name)).st_size
    return total


def damaged_text(reader) -> list[tuple[Path, list[str]]]:
    """(file, damaged arrays) of each segment's `columnar` file that fails its checksums."""
    found = []
    for leaf, _ in leaves(reader):
        text = leaf._terms.text
        if bad := text.damaged():
            found.append((text.path, bad))
    return found


def reopen(ix, old):
    """A reader of `ix`'s latest commit that reuses the segment readers of the reader
    `old` whose segments are unchanged, closing the others.

    Whoosh's own reuse (`Searcher.refresh`) keeps every segment of the old reader,
    merged away or not, and reuses a segment's reader although new deletions were
    committed to it: after a merge a kept server counted the merged articles twice,
    and an updated article's old version stayed findable. A segment's deletions only
    grow, so a reader is reused only where the count of deletions is still the same.
    """
    toc = ix._read_toc()
    kept = {r.segment().segment_id(): r for r, _ in all_leaves(old)}
    readers = []
    for segment in toc.segments:
        reader = kept.pop(segment.segment_id(), None)
        if reader is not None and reader.segment().deleted_count() != segment.deleted_count():
            reader.close()
            reader = None
        readers.append(reader or SegmentReader(ix.storage, toc.schema, segment,
                                               generation=toc.generation))
    for reader in kept.values():
        reader.close()
    return MultiReader(readers, generation=toc.generation)
