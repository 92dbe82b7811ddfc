"""Whole posting lists and columns of a Whoosh segment, read into numpy arrays.

Whoosh's matchers hand out one posting at a time; a query that matches 37,000 of
100,000 articles then spends most of its time in per-posting Python calls. The text
fields' postings are arrays already (`store.engine.columnar`), read here as slices; the few ID
fields Whoosh stores itself (the date ranges search) come from its blocks of up to
128 postings (a pickled tuple of delta-coded document numbers and weights), read
block by block into arrays. This module is the only reader of those block internals
(`W3LeafMatcher`'s); tests compare it with Whoosh's own reading.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pickle import load, loads

import numpy as np
from whoosh.codec import whoosh3
from whoosh.reading import TermNotFound

from ..engine import columns, saved
from ..engine.columnar import Stretch, running
from ..engine.schema import TEXT_FIELDS

#: Decoded field length for every length byte (Whoosh stores lengths lossily in a byte).
_LENGTHS = columns.LENGTHS.astype(np.float64)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)


@dataclass
class Postings:
    """One term's postings in one segment, in document order, deleted documents kept."""

    docs: np.ndarray  # int64 segment document numbers, ascending
    weights: np.ndarray  # float64 term frequency per document
    counts: np.ndarray | None = None  # positions per document, when asked for,
    #: and the positions, ascending in each document (as stored: read through `positions`)
    absolute: Stretch | None = None

    @classmethod
    def empty(cls, positions: bool = False) -> Postings:
        return cls(_EMPTY_IDS, np.zeros(0), *((_EMPTY_IDS, Stretch(_EMPTY_IDS, 0, 0))
                                              if positions else ()))

    @property
    def has_positions(self) -> bool:
        return self.counts is not None

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index, position) for every position of the postings at `rows`."""
        assert self.counts is not None and self.absolute is not None
        if "_starts" not in self.__dict__:
            self._starts = np.concatenate(([0], np.cumsum(self.counts)))
        n = self.counts[rows]
        owner = np.repeat(rows.astype(np.int64), n)
        before = np.cumsum(n) - n  # where each row's positions start in the result
        index = np.arange(int(n.sum())) + np.repeat(self._starts[rows] - before, n)
        return owner, self.absolute.at(index, n)

    def keys(self, rows: np.ndarray, back: int = 0) -> np.ndarray:
        """Keys document << 32 | (position - back) of every position of the postings at
        `rows` (ascending), in order; all of them read as stored when `rows` are all."""
        assert self.counts is not None and self.absolute is not None
        if len(rows) == len(self.docs):
            return np.repeat(self.docs << 32, self.counts) + (self.absolute.whole(self.counts)
                                                              - back)
        owner, pos = self.positions(rows)
        return self.docs[owner] * (1 << 32) + (pos - back)


def read(reader, fieldname: str, text: str, *, values: bool = False) -> Postings:
    """The postings of `text` in `fieldname` of the segment `reader` (empty if absent);
    with `values`, their positions too (text fields)."""
    if fieldname in TEXT_FIELDS:
        field = reader._terms.text.fields.get(fieldname)
        t = field.find(text) if field is not None else None
        if t is None:
            return Postings.empty(values)
        docs, counts, positions = field.postings(t, positions=values, stored=True)
        weights = counts.astype(np.float64)
        return Postings(docs, weights, counts, positions) if values else Postings(docs, weights)
    tbytes = reader.schema[fieldname].to_bytes(text)
    try:
        info = reader._terms.term_info(fieldname, tbytes)  # one lookup, not `in` and then this
    except (TermNotFound, KeyError):
        return Postings.empty(values)
    return read_term(reader, fieldname, info)


def with_positions(reader, fieldname: str, text: str, found: Postings) -> Postings:
    """`found`, the postings of `text` in the text field `fieldname` read without
    positions, with them: its documents and counts as they are, the positions' stretch
    by the term's number. (Read again whole, a common gram's documents were decoded a
    second time: 们 in 800,000 of a million articles, to rank a few thousand by nearness.)"""
    field = reader._terms.text.fields.get(fieldname)
    t = field.find(text) if field is not None else None
    if t is None:
        return Postings.empty(True)
    return Postings(found.docs, found.weights, found.weights.astype(np.int64), field.stretch(t))


def continuations(reader, fieldname: str, term: str) -> tuple[list[str], np.ndarray]:
    """(terms, document frequencies) of the segment's gram terms that are `term` (ending
    in a Latin run) or go on from its last run with more letters: hold → hold, holdings."""
    field = reader._terms.text.fields.get(fieldname) if fieldname in TEXT_FIELDS else None
    if field is None:
        return [], _EMPTY_IDS
    numbers = field.continuations(term)
    frequencies = (np.asarray(field.tstart[numbers + 1], dtype=np.int64)
                   - np.asarray(field.tstart[numbers], dtype=np.int64))
    return [field.text(int(t)) for t in numbers], frequencies


def continued_stretch(reader, fieldname: str,
                      term: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(terms, documents, weights, which term) of every posting of the terms a one-word
    `term` goes on to (hold: hold, holdings…; 5 g: 5 g, 5 gw): for a unigram one stretch
    of the arrays, read whole; a bigram's continuations skip the parted spellings
    (5~gears) between them. In term order and document order within each."""
    field = reader._terms.text.fields.get(fieldname) if fieldname in TEXT_FIELDS else None
    numbers = field.continuations(term) if field is not None else _EMPTY_IDS
    if not len(numbers):
        return [], _EMPTY_IDS, np.zeros(0), _EMPTY_IDS
    starts = np.asarray(field.tstart[numbers], dtype=np.int64)
    sizes = np.asarray(field.tstart[numbers + 1], dtype=np.int64) - starts
    if int(numbers[-1]) - int(numbers[0]) + 1 == len(numbers):  # consecutive: one stretch
        stretches = [slice(int(starts[0]), int(starts[-1] + sizes[-1]))]
        docs = field.docs_of(int(numbers[0]), int(numbers[-1]) + 1)
    else:
        stretches = [slice(a, a + n) for a, n in zip(starts.tolist(), sizes.tolist(),
                                                       strict=True)]
        docs = np.concatenate([field.docs_of(t, t + 1) for t in numbers.tolist()])
    weights = np.concatenate([np.asarray(field.counts[part], dtype=np.float64)
                              for part in stretches])
    which = np.repeat(np.arange(len(numbers)), sizes)
    return [field.text(int(t)) for t in numbers], docs, weights, which


def read_continuations(reader, fieldname: str, term: str, *,
                       values: bool = False) -> dict[str, Postings]:
    """The postings of each term `continuations` gives, read by the term's number (a
    single letter may go on in hundreds of ways: one lookup each would be most of it)."""
    field = reader._terms.text.fields.get(fieldname) if fieldname in TEXT_FIELDS else None
    if field is None:
        return {}
    out = {}
    for t in field.continuations(term).tolist():
        docs, counts, positions = field.postings(t, positions=values, stored=True)
        weights = counts.astype(np.float64)
        out[field.text(t)] = (Postings(docs, weights, counts, positions) if values
                              else Postings(docs, weights))
    return out


def doc_frequency(reader, fieldname: str, text: str) -> int:
    """Whoosh's document frequency of a term in a segment (deleted documents count)."""
    if fieldname in TEXT_FIELDS:
        field = reader._terms.text.fields.get(fieldname)
        t = field.find(text) if field is not None else None
        return 0 if t is None else field.doc_frequency(t)
    try:
        return reader._terms.doc_frequency(fieldname, reader.schema[fieldname].to_bytes(text))
    except KeyError:
        return 0


def read_term(reader, fieldname: str, info) -> Postings:
    """The postings (documents and weights) of an ID field's term whose term info is `info`."""
    terms = reader._terms.whoosh
    if info.is_inlined():  # one posting, in the term's entry
        m = terms._codec.postings_reader(terms._postfile, info, reader.schema[fieldname].format)
        docs = np.array(list(m.all_ids()), dtype=np.int64)
        weights = np.array(m._weights if m._weights is not None else [1.0] * len(docs),
                           dtype=np.float64)
        return Postings(docs, weights)
    deltas: list[int] = []
    counts: list[int] = []
    weights: list[float] = []
    for header, data, _ in raw_blocks(reader, info):
        block_ids, block_weights = loads(zlib.decompress(data) if header[3] else data)[:2]
        n = header[0]
        deltas.extend(block_ids)  # delta-coded from 0 in every block
        counts.append(n)
        if block_weights is None:
            weights.extend([1.0] * n)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * n)
        else:
            weights.extend(block_weights)
    return Postings(running(deltas, counts), np.array(weights, dtype=np.float64))


def lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length of `fieldname` in the segment, as Whoosh's scorer sees it."""
    cache = reader.__dict__.setdefault("_wenhai_lengths", {})
    if fieldname not in cache:
        arrays = saved.load(reader)
        raw = arrays.get(f"length.{fieldname}") if arrays else None
        if raw is None:
            raw = columns.raw_lengths(reader, fieldname)
        cache[fieldname] = np.zeros(reader.doc_count_all()) if raw is None else _LENGTHS[raw]
    return cache[fieldname]


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
    raw = io.BytesIO(reader._terms.whoosh._postfile.get(offset, length))
    raw.seek(len(whoosh3.WHOOSH3_HEADER_MAGIC))
    last = False
    while not last:
        size = _BLOCK_LENGTH.unpack(raw.read(_BLOCK_LENGTH.size))[0]
        last = size < 0
        start = raw.tell()
        header = load(raw)
        yield header, raw.read(abs(size) - (raw.tell() - start)), last
