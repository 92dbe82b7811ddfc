"""A segment's per-document values, read whole: field lengths, sortable columns, deletions.

Every match of a search reads, per scored field, the document's field length, and per
facet (source, author, year, repost group) one column value. Whoosh reads each with a
seek and a read on the segment's file (profiled: a sixth of a search's time at 10,000
articles). A segment reader now reads such a column whole the first time it is asked
for it (0.7 µs a value) and answers from a list after that (`PerDocReader`, which
`codec.Codec` reads segments with). Stored fields and other
columns are left on disk. The functions below read the same values for a merge and for
the arrays saved beside each segment (`saved`).
"""

from __future__ import annotations

import numpy as np
from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length


def all_leaves(reader) -> list:
    """The segment readers of `reader` with their first document numbers."""
    return reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]


def leaves(reader) -> list:
    """`all_leaves` but the empty ones."""
    return [(r, base) for r, base in all_leaves(reader) if r.doc_count_all()]


#: The field length each stored length byte stands for (Whoosh keeps lengths lossily).
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


def raw_lengths(reader, fieldname: str) -> np.ndarray | None:
    """Each document's length of `fieldname` as stored (one byte), or None if not stored."""
    return stored_lengths(reader._perdoc, fieldname, reader.doc_count_all())


def stored_lengths(perdoc, fieldname: str, count: int) -> np.ndarray | None:
    """`raw_lengths` from a segment's per-document reader holding `count` documents."""
    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return None
    return np.fromiter(column, dtype=np.uint8, count=count)


def column(reader, fieldname: str) -> list[str]:
    """Every document's value of the sortable field `fieldname` ("" where it has none)."""
    return [v.decode("utf-8") for v in raw_column(reader, fieldname)]


def raw_column(reader, fieldname: str) -> list[bytes]:
    """`column`'s values as the index stores them (UTF-8)."""
    field = reader.schema[fieldname]
    if not reader.has_column(fieldname):
        return [b""] * reader.doc_count_all()
    return [v or b"" for v in reader._perdoc.column_reader(fieldname, field.column_type)]


def deleted(reader) -> np.ndarray | None:
    """Document numbers deleted from the segment, sorted, or None if there are none."""
    found = reader.deleted_docs_set if reader.has_deletions() else None
    return np.array(sorted(found), dtype=np.int64) if found else None


# -- columns in memory ------------------------------------------------------------------


class _MemoryColumn(columns.ColumnReader):
    """A column reader answering from a list; reversing falls back to Whoosh's own reader."""

    def __init__(self, values: list, reopen):
        self._values = values
        self._doccount = len(values)
        self._reopen = reopen
        self._reversed = None

    def __getitem__(self, docnum):
        if self._reversed is not None:
            return self._reversed[docnum]
        return self._values[docnum]

    def sort_key(self, docnum):
        if self._reversed is not None:
            return self._reversed.sort_key(docnum)
        return self._values[docnum]

    def __iter__(self):
        return iter(self._reversed) if self._reversed is not None else iter(self._values)

    def load(self):
        return list(self._values)

    def set_reverse(self):
        self._reversed = self._reopen()
        self._reversed.set_reverse()


class PerDocReader(whoosh3.W3PerDocReader):
    """Whoosh 3's per-document reader, with lengths and text columns kept in memory
    (`codec.Codec` reads segments with it)."""

    def column_reader(self, fieldname, column):
        disk = super().column_reader
        if not (column is whoosh3.LENGTHS_COLUMN or type(column) is columns.VarBytesColumn):
            return disk(fieldname, column)
        cache = self.__dict__.setdefault("_wenhai_columns", {})
        if fieldname not in cache:
            cache[fieldname] = list(disk(fieldname, column))
        return _MemoryColumn(cache[fieldname], lambda: disk(fieldname, column))
