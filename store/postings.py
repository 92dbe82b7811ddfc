"""Whole posting lists and columns of a Whoosh segment, read into numpy arrays.

Whoosh's matchers hand out one posting at a time; a query that matches 37,000 of
100,000 articles then spends most of its time in per-posting Python calls. The
postings are stored in blocks of up to 128 (a pickled tuple of delta-coded document
numbers, weights and encoded positions), so reading them block by block into arrays
costs per block instead. This module is the only reader of those block internals
(`W3LeafMatcher`'s), as `segments` is the only writer; tests compare both with
Whoosh's own reading.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pickle import load, loads

import numpy as np
from whoosh.codec import whoosh3
from whoosh.filedb.filetables import _lengths as _KEY_VALUE
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, pack_ushort
from whoosh.util.numeric import byte_to_length

from . import packed, saved

#: Decoded field length for every length byte (Whoosh stores lengths lossily in a byte).
_LENGTHS = np.array([0.0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)


@dataclass
class Postings:
    """One term's postings in one segment, in document order, deleted documents kept.

    Positions, when asked for, come either as Whoosh's encoded values (read from its
    blocks) or as counts and gaps (read from the `packed` file).
    """

    docs: np.ndarray  # int64 segment document numbers, ascending
    weights: np.ndarray  # float64 term frequency per document
    values: list[bytes] | None = None  # encoded positions, when asked for
    counts: np.ndarray | None = None  # or: positions per document,
    gaps: np.ndarray | None = None  # and their gaps, from 0 in each document

    @classmethod
    def empty(cls, values: bool = False) -> Postings:
        return cls(_EMPTY_IDS, np.zeros(0), [] if values else None)

    @property
    def has_positions(self) -> bool:
        return self.values is not None or self.counts is not None

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index, position) for every position of the postings at `rows`."""
        if self.counts is not None:
            return self._packed_positions(rows)
        assert self.values is not None
        counts, deltas = [], []
        for r in rows.tolist():
            found = loads(self.values[r][_INT_SIZE:])  # Positions' encoding: count + deltas
            counts.append(len(found))
            deltas.extend(found)
        owner = np.repeat(rows.astype(np.int64), counts)
        return owner, _running(deltas, counts)

    def _packed_positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if "_absolute" not in self.__dict__:
            self._starts = np.concatenate(([0], np.cumsum(self.counts)))
            self._absolute = _running(self.gaps, self.counts)
        n = self.counts[rows]
        owner = np.repeat(rows.astype(np.int64), n)
        before = np.cumsum(n) - n  # where each row's positions start in the result
        index = np.arange(int(n.sum())) + np.repeat(self._starts[rows] - before, n)
        return owner, self._absolute[index]


def _running(deltas, counts) -> np.ndarray:
    """Delta-decoded values of consecutive runs (of `counts` items, each ≥ 1), each from 0."""
    if not len(deltas):
        return _EMPTY_IDS
    total = np.cumsum(np.asarray(deltas, dtype=np.int64))
    ends = np.cumsum(counts)
    before = np.concatenate(([0], total[ends[:-1] - 1]))
    return total - np.repeat(before, counts)


def read(reader, fieldname: str, text: str, *, values: bool = False) -> Postings:
    """The postings of `text` in `fieldname` of the segment `reader` (empty if absent)."""
    return read_bytes(reader, fieldname, reader.schema[fieldname].to_bytes(text), values=values)


def read_bytes(reader, fieldname: str, tbytes: bytes, *, values: bool = False) -> Postings:
    """`read` for a term given as the index's bytes."""
    if (file := packed.load(reader)) is not None:
        found = file.get(fieldname, tbytes, positions=values)
        if found is not None:
            docs, weights, counts, gaps = found
            return Postings(docs, weights, None, counts, gaps) if values else Postings(docs, weights)
    try:
        info = reader._terms.term_info(fieldname, tbytes)  # one lookup, not `in` and then this
    except (TermNotFound, KeyError):
        return Postings.empty(values)
    return read_term(reader, fieldname, info, values)


def leaves(reader) -> list:
    """The segment readers of `reader` with their first document numbers (empty ones left out)."""
    found = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    return [(r, base) for r, base in found if r.doc_count_all()]


def doc_frequency(reader, fieldname: str, tbytes: bytes) -> int:
    """Whoosh's document frequency of a term in a segment, from the packed file if it has it."""
    if (file := packed.load(reader)) is not None:
        found = file.doc_frequency(fieldname, tbytes)
        if found is not None:
            return found
    try:
        return reader._terms.doc_frequency(fieldname, tbytes)
    except KeyError:
        return 0


def terms(reader, fieldname: str, window: int = 1 << 22):
    """(term bytes, term info) of every term of `fieldname` in the segment, in order.

    The terms file is read in windows of `window` bytes and parsed here: Whoosh's
    own iteration makes three file reads per term (4 µs; a merge reads millions).
    """
    table = reader._terms._tindex  # an OrderedHashReader: (key length, value length, key, value)
    fieldmap = table.extras["fieldmap"]
    if fieldname not in fieldmap:
        return
    prefix = pack_ushort(fieldmap[fieldname])
    pos, end = table.closest_key_pos(prefix), table.endofdata
    if pos is None:
        return
    head = _KEY_VALUE.size
    buf, base = b"", pos
    while pos < end:
        at = pos - base
        if at + head > len(buf):
            buf, base, at = table.dbfile.get(pos, min(window, end - pos)), pos, 0
        keylen, valuelen = _KEY_VALUE.unpack_from(buf, at)
        if at + head + keylen + valuelen > len(buf):
            need = head + keylen + valuelen
            buf, base, at = table.dbfile.get(pos, min(max(window, need), end - pos)), pos, 0
        key = buf[at + head : at + head + keylen]
        if key[:2] != prefix:
            return
        value = buf[at + head + keylen : at + head + keylen + valuelen]
        yield key[2:], whoosh3.W3TermInfo.from_bytes(value)
        pos += head + keylen + valuelen


def read_term(reader, fieldname: str, info, values: bool = False) -> Postings:
    """The postings of the term whose term info (from `terms`) is `info`."""
    if info.is_inlined():  # one posting, in the term's entry
        terms_reader = reader._terms
        m = terms_reader._codec.postings_reader(terms_reader._postfile, info,
                                                reader.schema[fieldname].format)
        docs = np.array(list(m.all_ids()), dtype=np.int64)
        weights = np.array(m._weights if m._weights is not None else [1.0] * len(docs),
                           dtype=np.float64)
        vals = list(m._values or ()) if values else None
        if vals is not None and len(vals) != len(docs):  # formats without values (IDs)
            vals = [None] * len(docs)
        return Postings(docs, weights, vals)
    deltas: list[int] = []
    counts: list[int] = []
    weights: list[float] = []
    vals: list[bytes] = []
    for header, data, _ in raw_blocks(reader, info):
        block_ids, block_weights, block_values = loads(
            zlib.decompress(data) if header[3] else data)[:3]
        n = header[0]
        deltas.extend(block_ids)  # delta-coded from 0 in every block
        counts.append(n)
        if block_weights is None:
            weights.extend([1.0] * n)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * n)
        else:
            weights.extend(block_weights)
        if values:  # None for formats without values (ID fields)
            vals.extend(block_values if block_values is not None else [None] * n)
    return Postings(_running(deltas, counts), np.array(weights, dtype=np.float64),
                    vals if values else None)


def lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length of `fieldname` in the segment, as Whoosh's scorer sees it."""
    cache = reader.__dict__.setdefault("_wenhai_lengths", {})
    if fieldname not in cache:
        arrays = saved.load(reader)
        raw = arrays.get(f"length.{fieldname}") if arrays else None
        if raw is None:
            raw = raw_lengths(reader, fieldname)
        cache[fieldname] = np.zeros(reader.doc_count_all()) if raw is None else _LENGTHS[raw]
    return cache[fieldname]


def raw_lengths(reader, fieldname: str) -> np.ndarray | None:
    """Each document's length of `fieldname` as stored (one byte), or None if not stored."""
    column = reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None:
        return None
    return np.fromiter(column, dtype=np.uint8, count=reader.doc_count_all())


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


_BLOCK_LENGTH = struct.Struct("!i")


def raw_blocks(reader, info):
    """(header, data, last) of each posting block of a term stored in blocks.

    The header is Whoosh's (count, last id, max weight, compression, min length byte,
    max length byte); data is the block's pickled (ids, weights, values), compressed if
    the header says so. The term's postings are read with one read, not Whoosh's
    several small reads per block (a fifth of a search on frequent bigrams at 100,000).
    """
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it unpacked
        length = length[0]
    raw = io.BytesIO(reader._terms._postfile.get(offset, length))
    raw.seek(len(whoosh3.WHOOSH3_HEADER_MAGIC))
    last = False
    while not last:
        size = _BLOCK_LENGTH.unpack(raw.read(_BLOCK_LENGTH.size))[0]
        last = size < 0
        start = raw.tell()
        header = load(raw)
        yield header, raw.read(abs(size) - (raw.tell() - start)), last
