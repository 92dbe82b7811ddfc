"""Merging segments: which ones (`policy`), and how (`merge`).

Whoosh copies each live document's stored fields, lengths and column values; the text
fields' `columnar` arrays are merged a range of keys at a time, each segment's
documents renumbered in segment order and deleted ones dropped.
"""

from __future__ import annotations

import numpy as np
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from . import columnar, columns
from .schema import TEXT_FIELDS
from .writer import Writer

#: More segments than this and a commit merges the smaller half of them.
MAX_SEGMENTS = 10
#: This many segments of about the same size (the smallest, and any less than FAN_IN
#: times its size) are merged into one.
FAN_IN = 4


def policy(writer, segments):
    """Keep the index at a few segments: merge the small ones as they pile up.

    Whoosh's own MERGE_SMALL leaves equal-sized segments alone, so an archive fed in
    batches piles them up; each repeats most of the n-gram lexicon (measured: 14
    segments made an index 1.9x the size of one, and readers' memory grows with them),
    and a search pays for each: at 100,000 articles, with the page cache empty, the
    first round of the benchmark's queries read 2,120 pages in 8 segments and 272 in
    one (p50 31.8 against 18.9 ms). A merge costs about a third of indexing the
    documents again (`merge`), so segments are merged by size, FAN_IN of about
    the same size at a time, each level FAN_IN times the one below: every article is
    merged once per level (log_FAN_IN of the archive's size in syncs), and syncs of
    10,000 files in two workers leave 100,000 articles in 2 segments. Should there
    still be MAX_SEGMENTS, the smaller half is merged into one.
    """
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


class Merger(Writer):
    """Writes the live documents of some segments as one new segment.

    Each document's stored fields, lengths and column values are copied (each column
    read once: Whoosh's `write_per_doc` asks the file system about every field of
    every document), its ID fields' postings are made again from those values, and
    the text fields' arrays are merged by `columnar`, each segment's documents
    renumbered in segment order and deleted ones dropped.
    """

    def __init__(self, ix, readers: list):
        super().__init__(ix, _lk=False)  # the writer that asked holds the lock
        self._readers = readers
        self._sources: dict[str, list[columnar.Source]] = {name: [] for name in TEXT_FIELDS}

    def merged(self):
        """The new segment (written, not yet in the index's table of contents)."""
        for reader in self._readers:
            base, count = self.docnum, reader.doc_count_all()
            renumber = self._copy_documents(reader)
            text = reader._terms.text
            for name in TEXT_FIELDS:
                if name in text.fields:
                    self._sources[name].append(columnar.Source(
                        text.fields[name].part(), base, None if renumber is None else renumber))
            assert self.docnum == base + (count if renumber is None else int((renumber >= 0).sum()))
        self._added = True
        return self._finalize_segment()

    def _copy_documents(self, reader) -> np.ndarray | None:
        """Copy the reader's live documents; their new numbers (-1: deleted), or None if
        none was deleted (then they follow in order)."""
        schema, pdw = self.schema, self.perdocwriter
        names = sorted(schema.names())
        lengths = {n: columns.raw_lengths(reader, n) for n in names if schema[n].scorable}
        values = {n: columns.raw_column(reader, n) for n in names
                  if schema[n].column_type and reader.has_column(n)}
        rebuilt = [n for n in names if schema[n].indexed and n not in TEXT_FIELDS]
        for name in rebuilt:
            if not (schema[name].stored or schema[name].column_type):
                raise ValueError(f"{name}: neither stored nor a column, cannot be merged")
        renumber = np.full(reader.doc_count_all(), -1, np.int64) if reader.has_deletions() else None
        for docnum, stored in reader.iter_docs():
            new = self.docnum
            if renumber is not None:
                renumber[docnum] = new
            pdw.start_doc(new)
            for name in names:
                field = schema[name]
                found = lengths.get(name)
                pdw.add_field(name, field, stored.get(name),
                              byte_to_length(int(found[docnum])) if found is not None else 0)
                if name in values:
                    pdw.add_column_value(name, field.column_type, values[name][docnum])
            pdw.finish_doc()
            for name in rebuilt:
                if schema[name].stored:
                    value = stored.get(name)
                else:
                    value = values[name][docnum].decode() if name in values else None
                if value:
                    for tbytes, _, weight, vbytes in schema[name].index(value):
                        self.pool.add((name, tbytes, new, weight, vbytes))
            self.docnum += 1
        return renumber

    def _flush_segment(self):
        self._flush_documents()
        self._write_text(self._sources.__getitem__)


def merge(writer, segments: list):
    """One new segment holding the live documents of `segments`, in order."""
    ix = FileIndex(writer.storage, writer.schema, writer.indexname)
    readers = [SegmentReader(writer.storage, writer.schema, seg) for seg in segments]
    try:
        return Merger(ix, readers).merged()
    finally:
        for reader in readers:
            reader.close()
