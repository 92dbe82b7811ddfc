"""The text fields' postings of a segment, as arrays in one file beside it.

Whoosh writes a term's postings as pickled blocks and each term into an on-disk hash
table, a few Python calls per posting and per term: for the n-gram fields, which have
~3.7 times stock Whoosh's postings and over 300 distinct terms per article, that was
most of the cost of indexing (profiled: 49 of 87 seconds for 2,000 articles, with the
analysis that fed it most of the rest). Here a field's postings are a few arrays:

* ``keys`` — the terms, as integers in ascending order (`occurrences.gram_key` for
  n-grams; for words, the rank in the field's sorted vocabulary, ``strings``);
* ``tstart``, ``pstart`` — where each term's postings and positions begin;
* ``dgaps``, ``dwidth``, ``dat`` — per posting, the document (`Gaps`): as the gap from
  the term's posting before (the first, the document itself), in blocks of `BLOCK`
  postings of 1 to 32 bits each, as the widest gap of the terms in the block needs
  (written before 1fb7b2c: the block's own largest; ``WHTEXT02`` files: 8, 16, 24 or
  32), and where each block begins (files before kept ``docs``, the
  documents in the segment's narrowest type: 32 bits in a segment of 65,536 articles
  or more);
* ``cbits``, ``cwidth``, ``cat`` — per posting, how often the term occurs in the
  document, less one, in blocks the same way (`Blocks`) of 0, 1, 2, 4 or 8 bits each:
  most counts are 1, and a block of them takes no bytes at all (files before kept
  ``counts``, a byte each);
* ``pgaps``, ``pwidth``, ``pat`` — every position, ascending within each posting (not
  in a field that keeps none: the word fields): a posting's first as it is, the rest as
  the gap from the one before, in blocks of 4 to 32 bits (`Positions`; files before
  kept ``positions``, in the narrowest type for the segment's longest text);
* ``wide_at``, ``wide`` — the counts of 255 or more: the counts above hold 255 there,
  and the count is in ``wide`` (`Counts`).

They are built with numpy from `occurrences` (`group`), merged with numpy (`Writer`:
a few key ranges at a time, so memory stays bounded however large the segments), and
read as slices of a memory map (`TextFile`): a term's postings are two binary searches
and a few slices away (its blocks' bytes, viewed and summed), with no unpickling. Each
array carries a CRC-32, which `wenhai check` verifies.

File: ``WHTEXT03`` (``WHTEXT02`` files are read too), the arrays at 8-byte boundaries,
a JSON directory (name → offset, dtype, length, CRC-32), and a footer (directory offset
and length, magic).
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import mmap
import os
import shutil
import struct
import tempfile
import threading
import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .occurrences import (
    BIGRAM,
    LatinTable,
    Occurrences,
    continued_keys,
    gram_key,
    gram_term,
    remap_latin,
)

SUFFIX = "text"
#: The magic of the files written now; files before (``WHTEXT02``: documents' blocks of
#: 8 to 32 bits only) are read as they are.
_MAGIC = b"WHTEXT03"
_MAGICS = (b"WHTEXT02", _MAGIC)
_FOOTER = struct.Struct("<QQ8s")
#: Postings merged at a time (plus their positions): bounds a merge's memory (~100 bytes
#: a posting while merging).
CHUNK_POSTINGS = 1 << 18
_POSITION_TYPES = (np.uint16, np.uint32, np.uint64)
#: Postings per block of `Gaps`: a block's gaps all take the bits its largest needs.
BLOCK = 128
_BLOCK_BITS = BLOCK.bit_length() - 1  # BLOCK is a power of two: an item's block is a shift
#: A count this high or higher is stored apart (`Counts`); a byte holds the rest.
WIDE = 255
_START_TYPES = (np.uint32, np.uint64)
#: Postings looked at a time when counting a source's live ones.
_SCAN = 1 << 22
#: Every this many terms, one is kept in memory by readers: a lookup then reads one
#: stretch of the term table instead of a page per step of a binary search (from disk,
#: when the page cache has let the index go: ~20 reads of a few ms each).
SAMPLE = 128
_EMPTY = np.zeros(0, np.int64)
#: Above every key (keys use 61 bits).
_NO_KEY = np.iinfo(np.int64).max


@dataclass
class Part:
    """One field's postings, grouped by term: what a file holds per field."""

    keys: np.ndarray
    tstart: np.ndarray
    pstart: np.ndarray
    docs: np.ndarray
    counts: np.ndarray
    positions: np.ndarray
    strings: list[str]
    #: For a part read from a file: `release(column, stop)` says the column's items before
    #: `stop` will not be read again, so their pages can leave this process's memory.
    release: Callable[[str, int], None] | None = None

    @property
    def nbytes(self) -> int:
        arrays = (self.keys, self.tstart, self.pstart, self.docs, self.counts, self.positions)
        return sum(a.nbytes for a in arrays) + 60 * len(self.strings)


def group(occ: Occurrences, base: int = 0) -> Part:
    """`occ` grouped into posting lists, documents numbered from `base`."""
    order = np.argsort(occ.keys, kind="stable")  # documents and positions stay in order
    keys, docs = occ.keys[order], occ.docs[order] + base
    new_term = _changes(keys)
    new_posting = new_term | _changes(docs)
    term_rows, posting_rows = np.flatnonzero(new_term), np.flatnonzero(new_posting)
    counts = np.diff(np.append(posting_rows, len(keys)))
    positions = occ.positions[order]
    return Part(  # kept until the segment is written: in the file's narrow types
        keys=keys[term_rows],
        tstart=np.append(np.searchsorted(posting_rows, term_rows), len(posting_rows)),
        pstart=np.append(term_rows, len(keys)),
        docs=docs[posting_rows].astype(np.uint32),
        counts=counts.astype(_narrowest(int(counts.max()) if len(counts) else 0)),
        positions=positions.astype(_narrowest(int(positions.max()) if len(positions) else 0,
                                              _POSITION_TYPES)),
        strings=occ.strings,
    )


def _blob(encoded: list[bytes]) -> np.ndarray:
    """Strings as one array: their count and lengths (uint32), then their bytes."""
    head = np.array([len(encoded), *map(len, encoded)], np.uint32).tobytes()
    return np.frombuffer(head + b"".join(encoded), np.uint8)


def _unblob(a: np.ndarray) -> list[str]:
    raw = a.tobytes()
    n = int(np.frombuffer(raw, np.uint32, 1)[0])
    sizes = np.frombuffer(raw, np.uint32, n, 4).tolist()
    at, out = 4 * (n + 1), []
    for size in sizes:
        out.append(raw[at : at + size].decode("utf-8", "surrogatepass"))
        at += size
    return out


def _changes(a: np.ndarray) -> np.ndarray:
    """True where an item differs from the one before (and at the first)."""
    out = np.ones(len(a), bool)
    if len(a) > 1:
        np.not_equal(a[1:], a[:-1], out=out[1:])
    return out


def _narrowest(top: int, choices=(np.uint8, np.uint16, np.uint32, np.uint64)) -> np.dtype:
    for dtype in choices:
        if top <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise ValueError(f"{top} does not fit in 64 bits")


@dataclass
class Source:
    """A field's postings to merge and the new number of each of its documents: `shift`
    added, or looked up in `renumber` (-1 for a deleted document)."""

    part: Part
    shift: int = 0
    renumber: np.ndarray | None = None

    def new_docs(self, docs: np.ndarray) -> np.ndarray:
        if self.renumber is None:
            return docs.astype(np.int64) + self.shift
        return self.renumber[docs]


class Writer:
    """Writes a segment's file: `add_field` for each field, then `finish` (or `discard`)."""

    def __init__(self, partial: Path):
        self.partial = partial
        self._f = open(partial, "wb")
        self._f.write(_MAGIC)
        self._dir: dict[str, dict] = {}

    # -- the file's arrays --

    def _align(self) -> int:
        at = self._f.tell()
        if at % 8:
            self._f.write(b"\0" * (8 - at % 8))
        return self._f.tell()

    def _array(self, name: str, a: np.ndarray) -> None:
        a = np.ascontiguousarray(a)
        at = self._align()
        self._f.write(a.data)
        self._dir[name] = {"at": at, "dtype": a.dtype.str, "n": len(a), "crc": zlib.crc32(a.data)}

    def _append(self, start: int, data: memoryview) -> None:
        """Write `data` where the stretch begun at `start` ends (`_appended` so far)."""
        self._f.seek(start + self._appended)
        self._f.write(data)
        self._appended += len(data)

    def _blocks(self, names: tuple[str, str, str], at: int, column: _BlockColumn,
                widths: np.ndarray, block_at: np.ndarray) -> None:
        """The directory entries of a finished `column` whose bytes begin at `at`, under
        `names` (its bytes, widths and block starts: see `Blocks`); the last two written."""
        stream, width, starts = names
        self._dir[stream] = {"at": at, "dtype": "|u1", "n": int(block_at[-1]), "crc": column.crc}
        self._f.seek(0, os.SEEK_END)
        self._array(width, widths)
        self._array(starts, block_at.astype(_narrowest(int(block_at[-1]), _START_TYPES)))

    # -- fields --

    def add_field(self, name: str, sources: list[Source], kind: str,
                  positions: bool = True) -> None:
        """Merge the sources' postings of field `name` into the file (`kind` "words" or
        "grams": how keys refer to `strings`). Sources come in document order. Without
        `positions`, the field keeps documents and counts only (sources' positions, if
        they have any, are left behind)."""
        sources = [s for s in sources if len(s.part.keys)]
        strings, sources = _union_strings(sources, kind)
        live = [_live(s, positions) for s in sources]
        n_postings = sum(p for p, _ in live)
        n_positions = sum(n for _, n in live)
        if not n_postings:
            return
        wide_at: list[np.ndarray] = []
        wide: list[np.ndarray] = []
        # The positions, the largest column, go into the file as their blocks fill; the
        # documents and the counts, packed the same way, wait in spooled files (in memory
        # up to 16 MB each) until the positions end, so a merge's memory stays bounded.
        positions_at = self._align()
        self._appended = 0
        kept = _PositionColumn(functools.partial(self._append, positions_at)) if positions else None
        spools = [tempfile.SpooledTemporaryFile(1 << 24, dir=self.partial.parent)
                  for _ in range(2)]
        docs, counts = _GapColumn(spools[0].write), _CountColumn(spools[1].write)
        keys, tstart, pstart = [], [], []
        for chunk in _merged_chunks(sources, positions):
            chunk_keys, chunk_tstart, chunk_pstart, chunk_docs, chunk_counts, chunk_pos = chunk
            keys.append(chunk_keys)
            tstart.append(chunk_tstart + docs.written)
            docs.write(chunk_docs, chunk_tstart)
            chunk_counts = np.asarray(chunk_counts)
            over = np.flatnonzero(chunk_counts >= WIDE)
            if len(over):
                wide_at.append(over + counts.written)
                wide.append(chunk_counts[over])
            counts.write(np.minimum(chunk_counts, WIDE), chunk_tstart)
            if kept is not None:
                pstart.append(chunk_pstart + kept.written)
                kept.write(chunk_pos, chunk_counts)
        assert docs.written == counts.written == n_postings
        if kept is not None:
            assert kept.written == n_positions
            self._blocks((f"{name}.pgaps", f"{name}.pwidth", f"{name}.pat"), positions_at, kept,
                         *kept.finish())
        for column, spool, stream in ((docs, spools[0], ("dgaps", "dwidth", "dat")),
                                      (counts, spools[1], ("cbits", "cwidth", "cat"))):
            with spool:
                widths, block_at = column.finish()
                spool.seek(0)
                self._f.seek(0, os.SEEK_END)
                column_at = self._align()
                shutil.copyfileobj(spool, self._f)
            self._blocks(tuple(f"{name}.{part}" for part in stream), column_at, column,
                         widths, block_at)
        all_keys = np.concatenate(keys)
        if kind == "words":  # only the words that are left, numbered afresh
            strings = [strings[i] for i in all_keys.tolist()]
            all_keys = np.arange(len(all_keys), dtype=_narrowest(len(all_keys), _START_TYPES))
        self._array(f"{name}.keys", all_keys)
        self._array(f"{name}.wide_at", np.concatenate([_EMPTY, *wide_at]).astype(
            _narrowest(n_postings, _START_TYPES)))
        self._array(f"{name}.wide", np.concatenate([_EMPTY, *wide]).astype(np.uint32))
        # Starts in the narrowest type that holds them (they are read one or two at a time).
        self._array(f"{name}.tstart", np.append(np.concatenate(tstart), n_postings).astype(
            _narrowest(n_postings, _START_TYPES)))
        if positions:
            self._array(f"{name}.pstart", np.append(np.concatenate(pstart), n_positions)
                        .astype(_narrowest(n_positions, _START_TYPES)))
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        self._array(f"{name}.strings", np.frombuffer(b"".join(encoded), np.uint8))
        self._array(f"{name}.offsets", offsets)
        if kind == "words":
            self._array(f"{name}.sample", _blob(encoded[::SAMPLE]))
        else:
            self._array(f"{name}.sample", all_keys[::SAMPLE])
        self._dir[f"{name}.kind"] = {"kind": kind, "positions": positions}

    def finish(self, target: Path) -> None:
        directory = json.dumps(self._dir).encode("utf-8")
        at = self._align()
        self._f.write(directory)
        self._f.write(_FOOTER.pack(at, len(directory), _MAGIC))
        self._f.close()
        os.replace(self.partial, target)

    def discard(self) -> None:
        if not self._f.closed:
            self._f.close()
        self.partial.unlink(missing_ok=True)


class _BlockColumn:
    """A column of non-negative integers in blocks of `BLOCK`, each block at the bit
    width (of `WIDTHS`) its largest value needs, written to `sink` as blocks fill
    (`put`); `finish` writes the last, partial block."""

    WIDTHS: tuple[int, ...] = ()

    def __init__(self, sink: Callable[[memoryview], None]):
        self._sink = sink
        self._pending = self._need = _EMPTY
        self._widths: list[np.ndarray] = []
        self._sizes: list[np.ndarray] = []
        self.written = 0
        self.crc = 0

    def put(self, values: np.ndarray, need: np.ndarray | None = None) -> None:
        """`values` to store; `need`, if given, the value each one's block must be wide
        enough for (at least the value itself)."""
        self.written += len(values)
        pending = np.concatenate([self._pending, values])
        needs = np.concatenate([self._need, values if need is None else need])
        whole = len(pending) // BLOCK * BLOCK
        self._blocks(pending[:whole], needs[:whole])
        self._pending, self._need = pending[whole:], needs[whole:]

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """(bits per value of each block, where each block begins and the last ends)."""
        if len(self._pending):
            pad = np.zeros(BLOCK - len(self._pending), np.int64)
            self._blocks(np.concatenate([self._pending, pad]), np.concatenate([self._need, pad]))
        sizes = np.concatenate([_EMPTY, *self._sizes])
        block_at = np.zeros(len(sizes) + 1, np.int64)
        np.cumsum(sizes, out=block_at[1:])
        return np.concatenate([np.zeros(0, np.uint8), *self._widths]), block_at

    def _blocks(self, values: np.ndarray, need: np.ndarray) -> None:
        if not len(values):
            return
        rows = values.reshape(-1, BLOCK)
        top = need.reshape(-1, BLOCK).max(axis=1)
        choices = np.array(self.WIDTHS)
        widths = choices[np.searchsorted(choices[:-1], _bit_length(top))].astype(np.uint8)
        sizes = widths.astype(np.int64) * (BLOCK // 8)
        if not (widths != widths[0]).any():  # one width: most chunks of common terms
            out = _pack(rows, int(widths[0])).ravel() if widths[0] else np.zeros(0, np.uint8)
        else:
            starts = np.cumsum(sizes) - sizes
            out = np.empty(int(sizes.sum()), np.uint8)
            for width in np.unique(widths).tolist():
                chosen = np.flatnonzero(widths == width)
                if width:
                    out[starts[chosen, None] + np.arange(BLOCK // 8 * width)] = _pack(
                        rows[chosen], width)
        self._sink(out.data)
        self.crc = zlib.crc32(out.data, self.crc)
        self._widths.append(widths)
        self._sizes.append(sizes)


class _GapColumn(_BlockColumn):
    """A field's documents as `Gaps`: chunks of whole terms (`write`). A common term's
    gaps are a few units, a rare one's thousands: widths in bytes took 12 bits a posting
    of `body_g` at 100,000 articles where these take 9.6 (`_GROUPED`: every width that
    packs whole values in a 64-bit word). A block is as wide as the widest gap of the
    terms it holds (a term's first document aside), so that a common term's blocks are
    of one width but for its first and last, read in one stretch: each block at its own
    width (9.1 bits a posting) had 的's blocks change width every few, unpacked a width
    at a time, and p95 at a million articles 14% slower."""

    WIDTHS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 32)

    def write(self, docs: np.ndarray, firsts: np.ndarray) -> None:
        """`docs` of postings of whole terms, each term's first at `firsts`."""
        if not len(docs):
            return
        gaps = _gaps(docs, firsts)
        inner = gaps.copy()
        inner[firsts] = 0
        need = _term_widest(inner, firsts)
        need[firsts] = np.maximum(need[firsts], gaps[firsts])
        self.put(gaps, need)


class _CountColumn(_BlockColumn):
    """A field's counts (at most `WIDE`) less one: most blocks are all 0, and take none.
    A block is as wide as the widest term it holds needs, so that a term's blocks are
    of one width but for its first and last (read in one stretch: a common term's
    blocks, each at its own width, were read a few at a time, six times as long)."""

    WIDTHS = (0, 1, 2, 4, 8)

    def write(self, counts: np.ndarray, firsts: np.ndarray) -> None:
        """`counts` of postings of whole terms, each term's first at `firsts`."""
        if not len(counts):
            return
        values = np.asarray(counts, np.int64) - 1
        self.put(values, _term_widest(values, firsts))


def _term_widest(values: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """For each of `values` (of whole terms, each term's first at `firsts`), the largest
    of its term's: what its block must be wide enough for, so that a term's blocks are
    of one width."""
    return np.repeat(np.maximum.reduceat(values, firsts), np.diff(np.append(firsts, len(values))))


class _PositionColumn(_BlockColumn):
    """A field's positions: each posting's first as it is, the rest as the gap from the
    one before, in blocks of 4, 8, 12, 16, 24 or 32 bits (a gram's positions are below
    a text's length, ~11 bits in a news article, where they took 16: the width is the
    block's own, as phrases read the blocks of a few postings, not a term's run)."""

    WIDTHS = (4, 8, 12, 16, 24, 32)

    def write(self, positions: np.ndarray, counts: np.ndarray) -> None:
        """`positions` of whole postings, `counts` of them each."""
        if len(positions):
            self.put(_gaps(positions, np.cumsum(counts) - counts))


def _gaps(values: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Each of `values` less the one before, but those at `firsts` (where runs begin,
    the first among them) as they are."""
    values = np.asarray(values, np.int64)
    gaps = np.empty(len(values), np.int64)
    gaps[0] = values[0]
    np.subtract(values[1:], values[:-1], out=gaps[1:])
    gaps[firsts] = values[firsts]
    return gaps


def _bit_length(values: np.ndarray) -> np.ndarray:
    """Bits each of `values` (non-negative, below 2**32) needs: 0 for 0."""
    return np.where(values > 0, np.frexp(values.astype(np.float64))[1], 0)


#: Widths packed as groups of values that fill whole bytes of one little-endian 64-bit
#: word (the group's size, the bytes it takes): the widths without a path of their own.
_GROUPED = {bits: (8 // math.gcd(bits, 8), bits // math.gcd(bits, 8))
            for bits in (3, 5, 6, 7, 10, 14, 20)}


def _pack(rows: np.ndarray, bits: int) -> np.ndarray:
    """Blocks of values (one a row) at `bits` each, little-endian, a row of bytes each."""
    if bits in _GROUPED:
        per, size = _GROUPED[bits]
        values = rows.reshape(-1, per).astype(np.uint64)
        word = values[:, 0].copy()
        for j in range(1, per):
            word |= values[:, j] << np.uint64(j * bits)
        groups = word.astype("<u8", copy=False).view(np.uint8).reshape(-1, 8)
        return groups[:, :size].reshape(len(rows), -1)
    if bits == 1:
        return np.packbits(rows.astype(np.uint8), axis=1, bitorder="little")
    if bits < 8:  # in bytes, not int64: a merge packs every posting's count
        per = 8 // bits
        parts = rows.astype(np.uint8).reshape(len(rows), -1, per)
        out = parts[:, :, 0].copy()
        for j in range(1, per):
            out |= parts[:, :, j] << (j * bits)
        return out
    if bits == 12:  # two values in three bytes
        even, odd = rows[:, 0::2].astype(np.uint16), rows[:, 1::2].astype(np.uint16)
        out = np.empty((len(rows), BLOCK // 2, 3), np.uint8)
        out[:, :, 0] = even & 0xFF
        out[:, :, 1] = (even >> 8) | ((odd & 0xF) << 4)
        out[:, :, 2] = odd >> 4
        return out.reshape(len(rows), -1)
    if bits == 24:
        return rows.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3].reshape(len(rows), -1)
    return rows.astype(f"<u{bits // 8}").view(np.uint8).reshape(len(rows), -1)


#: The values a byte holds at 1, 2 or 4 bits each, lowest bits first: unpacking is a
#: lookup (one numpy call, where shifting and masking took four).
_BYTE_VALUES = {bits: ((np.arange(256)[:, None] >> np.arange(0, 8, bits)) & ((1 << bits) - 1))
                .astype(np.uint8) for bits in (1, 2, 4)}


#: From how many blocks a width other than 8, 16 or 32 bits is unpacked a column of its
#: groups at a time (`_unpack_columns`): fewer take more numpy calls than they save.
_COLUMNS_FROM = 64


def _unpack(raw: np.ndarray, bits: int, blocks: int) -> np.ndarray:
    """`_pack`'s bytes (of `blocks` whole blocks of one width) as int64 values."""
    if bits == 0:
        return np.zeros(blocks * BLOCK, np.int64)
    if blocks >= _COLUMNS_FROM and bits not in (8, 16, 32):
        return _unpack_columns(raw, bits)
    if bits in _GROUPED:
        per, size = _GROUPED[bits]
        words = np.zeros((len(raw) // size, 8), np.uint8)
        words[:, :size] = raw.reshape(-1, size)
        shifts = np.arange(0, per * bits, bits, dtype=np.uint64)
        found = (words.view("<u8") >> shifts) & np.uint64((1 << bits) - 1)
        return found.ravel().astype(np.int64)
    if bits < 8:
        return _BYTE_VALUES[bits][raw].reshape(-1).astype(np.int64)
    if bits == 12:
        b = raw.reshape(-1, 3).astype(np.int64)
        out = np.empty(2 * len(b), np.int64)
        out[0::2] = b[:, 0] | ((b[:, 1] & 0xF) << 8)
        out[1::2] = (b[:, 1] >> 4) | (b[:, 2] << 4)
        return out
    if bits == 24:
        b = raw.reshape(-1, 3).astype(np.int64)
        return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return raw.view(f"<u{bits // 8}").astype(np.int64)


def _unpack_columns(raw: np.ndarray, bits: int) -> np.ndarray:
    """Values of `bits` each (not 8, 16 or 32), as `_pack` packs them: in
    groups of whole bytes (`_GROUPED`'s), each value of a group read from the two to
    four bytes it spans, for all groups at once, in 16- or 32-bit integers. A
    common gram's documents, 100,000 values at 1 to 24 bits: 0.05–0.16 ms, against
    0.1–0.5 shifting whole 64-bit words or looking bytes up in a table (bytes: 0.02)."""
    per, size = 8 // math.gcd(bits, 8), bits // math.gcd(bits, 8)
    groups = raw.reshape(-1, size)
    kind = np.uint16 if bits <= 8 else np.uint32
    out = np.empty((len(groups), per), kind)
    for j in range(per):
        first, last = j * bits // 8, (j * bits + bits - 1) // 8
        value = groups[:, first].astype(kind)
        for k in range(first + 1, last + 1):
            value |= groups[:, k].astype(kind) << kind(8 * (k - first))
        value >>= kind(j * bits % 8)
        value &= kind((1 << bits) - 1)
        out[:, j] = value
    return out.ravel().astype(np.int64)


def running(gaps: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Values from gaps in consecutive runs (of `lengths` items, each ≥ 1), each run's
    first item a value itself."""
    if len(gaps) == len(lengths):  # runs of one item (most postings' positions): as they are
        return np.asarray(gaps, dtype=np.int64)
    total = np.cumsum(np.asarray(gaps, dtype=np.int64))
    ends = np.cumsum(lengths)
    before = np.concatenate(([0], total[ends[:-1] - 1]))
    return total - np.repeat(before, lengths)


class Blocks:
    """A column stored by `_BlockColumn`: ``stream`` (the blocks' bytes), ``widths`` (bits
    per value of each block) and ``block_at`` (where each begins, and the last ends)."""

    def __init__(self, stream: np.ndarray, widths: np.ndarray, block_at: np.ndarray, n: int):
        self.stream, self.widths, self.block_at, self.n = stream, widths, block_at, n

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        return self.stream.nbytes + self.widths.nbytes + self.block_at.nbytes

    def byte_range(self, p0: int, p1: int) -> tuple[int, int]:
        """The stretch of the stream holding items `p0` to `p1`."""
        if p1 <= p0:
            return 0, 0
        return int(self.block_at[p0 // BLOCK]), int(self.block_at[(p1 - 1) // BLOCK + 1])

    def values(self, p0: int, p1: int) -> np.ndarray:
        """The stored values of items `p0` to `p1`, as int64: the bytes of their blocks,
        unpacked a run of blocks of one width at a time."""
        if p1 <= p0:
            return _EMPTY
        b0, b1 = p0 // BLOCK, (p1 - 1) // BLOCK + 1
        if b1 - b0 == 1:  # most terms: a few postings
            a, b = self.block_at[b0 : b0 + 2].tolist()
            found = _unpack(self.stream[a:b], int(self.widths[b0]), 1)
        else:
            widths = self.widths[b0:b1]
            at = self.block_at[b0 : b1 + 1]
            cuts = np.flatnonzero(widths[1:] != widths[:-1]) + 1
            if len(cuts) < 4:  # a few runs of blocks of one width: a stretch each
                bounds = [0, *cuts.tolist(), b1 - b0]
                found = np.concatenate([
                    _unpack(self.stream[int(at[a]) : int(at[b])], int(widths[a]), b - a)
                    for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
            else:  # widths changing from block to block: the blocks of each width at once
                found = self._decoded(np.arange(b0, b1)).ravel()
        start = p0 - b0 * BLOCK
        return found[start : start + (p1 - p0)]

    def _decoded(self, blocks: np.ndarray) -> np.ndarray:
        """The values of the blocks numbered `blocks`, a row each: the blocks of each
        width at once."""
        found = np.zeros((len(blocks), BLOCK), np.int64)
        widths = self.widths[blocks]
        for width in np.unique(widths).tolist():
            if not width:
                continue
            chosen = np.flatnonzero(widths == width)
            where = (np.asarray(self.block_at[blocks[chosen]], np.int64)[:, None]
                     + np.arange(BLOCK // 8 * width)).ravel()
            found[chosen] = _unpack(self.stream[where], width, len(chosen)).reshape(-1, BLOCK)
        return found

    def take(self, items: np.ndarray) -> np.ndarray:
        """The stored values of `items`, each read where it lies in its block: the four
        bytes from its first (the last four of the stream, near its end), shifted and
        masked; a phrase reads a few postings here and there in a common gram's blocks,
        and unpacking each block holding one was seven times the 16-bit arrays' reading.
        Items that are a quarter or more of their stretch (ascending) are read as the
        stretch, unpacked a block at a time."""
        items = np.asarray(items, np.int64)
        if not len(items):
            return _EMPTY
        lo, hi = int(items[0]), int(items[-1]) + 1
        if len(items) * 4 >= hi - lo:
            return self.values(lo, hi)[items - lo]
        block = items >> _BLOCK_BITS
        place = items & (BLOCK - 1)
        widths = self.widths[block]
        bit = place * widths  # from its block's first byte (no value crosses 32 bits)
        byte = np.asarray(self.block_at[block], np.int64) + (bit >> 3)
        four = self._four()
        start = np.minimum(byte, len(four) - 1)
        words = four[start].view("<u4").ravel().astype(np.int64)
        return (words >> ((bit & 7) + ((byte - start) << 3))) & _MASKS[widths]

    def _four(self) -> np.ndarray:
        """The stream as rows of the four bytes from each (a view; a padded copy of a
        stream shorter than four bytes), made once."""
        four = self.__dict__.get("_four_bytes")
        if four is None:
            stream = self.stream
            if len(stream) < 4:
                stream = np.append(stream, np.zeros(4 - len(stream), np.uint8))
            four = self._four_bytes = np.lib.stride_tricks.as_strided(
                stream, (len(stream) - 3, 4), (1, 1), writeable=False)
        return four


#: The mask of each width's bits.
_MASKS = (1 << np.arange(33, dtype=np.int64)) - 1


class Gaps(Blocks):
    """A field's documents as stored (``dgaps``, ``dwidth``, ``dat``): each posting's gap
    from the posting before of its term (a term's first: the document), in blocks of
    `BLOCK` of 1 to 32 bits each. A term's documents are its blocks' bytes, viewed and
    summed (`Field.docs_of`); `np.asarray` gives every posting's document."""

    def __init__(self, stream: np.ndarray, widths: np.ndarray, block_at: np.ndarray,
                 tstart: np.ndarray):
        super().__init__(stream, widths, block_at, int(tstart[-1]) if len(tstart) else 0)
        self.tstart = tstart

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = term_docs(self, self.tstart)
        return whole if dtype is None else whole.astype(dtype)


class Positions(Blocks):
    """A field's positions as stored (``pgaps``, ``pwidth``, ``pat``): each posting's
    first, then the gap from the one before, in blocks of `BLOCK` (`_PositionColumn`).
    A posting's positions are its values summed; `np.asarray` gives every one (it needs
    the field's `counts`: where each posting's begin)."""

    def __init__(self, stream: np.ndarray, widths: np.ndarray, block_at: np.ndarray, n: int,
                 counts):
        super().__init__(stream, widths, block_at, n)
        self.counts = counts

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = stretch_positions(self, 0, self.n, np.asarray(self.counts, np.int64))
        return whole if dtype is None else whole.astype(dtype)


class Stretch:
    """One term's positions as the file keeps them (`Field.postings` with `stored`),
    turned into positions only for the postings read: a phrase reads those of a few
    documents out of a common gram's millions."""

    def __init__(self, positions, q0: int, q1: int):
        self._positions, self._q0, self._q1 = positions, q0, q1

    def __len__(self) -> int:
        return self._q1 - self._q0

    def at(self, items: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The positions at `items` (ascending, from the term's first): whole postings,
        of `lengths` (each ≥ 1) in turn."""
        if isinstance(self._positions, Positions):
            return running(self._positions.take(items + self._q0), lengths)
        return np.asarray(self._positions[self._q0 : self._q1][items], np.int64)

    def whole(self, lengths: np.ndarray) -> np.ndarray:
        """Every position of the term, its postings of `lengths` each."""
        return stretch_positions(self._positions, self._q0, self._q1, lengths)


def stretch_positions(positions, q0: int, q1: int, lengths: np.ndarray) -> np.ndarray:
    """Positions `q0` to `q1` (int64) of `Positions` or a plain array of them: whole
    postings, of `lengths` each."""
    if isinstance(positions, Positions):
        return running(positions.values(q0, q1), lengths)
    return np.asarray(positions[q0:q1], np.int64)


def term_docs(docs, tstart: np.ndarray) -> np.ndarray:
    """The documents (int64) of the consecutive terms whose postings begin at `tstart`
    (and the last ends at its last item): from `Gaps`, or from a plain array of them."""
    bounds = np.asarray(tstart, np.int64)
    p0, p1 = int(bounds[0]), int(bounds[-1])
    if not isinstance(docs, Gaps):
        return np.asarray(docs[p0:p1], np.int64)
    gaps = docs.values(p0, p1)
    if len(bounds) == 2:
        return np.cumsum(gaps) if p1 - p0 > 1 else gaps  # one posting: its document
    return running(gaps, np.diff(bounds))


def _union_strings(sources: list[Source], kind: str) -> tuple[list[str], list[Source]]:
    """One table of strings for all sources, and the sources with their keys renumbered."""
    tables = [s.part.strings for s in sources]
    if len(sources) < 2 and kind == "grams":
        return (list(tables[0]) if tables else []), sources
    union = sorted(set().union(*tables))
    if kind == "words" and len(sources) == 1:
        return union, sources
    rank = {s: i for i, s in enumerate(union)}
    out = []
    for source, table in zip(sources, tables, strict=True):
        new_rank = np.fromiter((rank[s] for s in table), np.int64, len(table))
        part = source.part
        keys = (new_rank[part.keys] if kind == "words"
                else remap_latin(np.asarray(part.keys), new_rank))
        out.append(Source(Part(keys, part.tstart, part.pstart, part.docs, part.counts,
                               part.positions, union, part.release),
                          source.shift, source.renumber))
    return union, out


def _live(source: Source, positions: bool = True) -> tuple[int, int]:
    """How many postings and positions of `source` belong to documents not deleted."""
    part = source.part
    if source.renumber is None:
        return len(part.docs), len(part.positions) if positions else 0
    postings = positions = 0
    tstart = np.asarray(part.tstart, np.int64)
    total = int(tstart[-1])
    # A segment's postings can run to 10^8: whole terms at a time, about _SCAN postings.
    cuts = np.unique(np.append(np.searchsorted(tstart, np.arange(0, total, _SCAN)),
                               len(tstart) - 1))
    for t0, t1 in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        at, stop = int(tstart[t0]), int(tstart[t1])
        alive = source.renumber[term_docs(part.docs, tstart[t0 : t1 + 1])] >= 0
        postings += int(alive.sum())
        positions += int(part.counts[at:stop][alive].sum())
        if part.release is not None:
            part.release("docs", stop)
            part.release("counts", stop)
    return postings, positions


def _merged_chunks(sources: list[Source], with_positions: bool = True):
    """The sources' postings merged in key order, a range of keys at a time:
    (keys, tstart, pstart, docs, counts, positions) with starts relative to the chunk
    (no positions, and pstart None, unless `with_positions`)."""
    bounds = _bounds(sources)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        pieces = [_slice(s, lo, hi, with_positions) for s in sources]  # copies: pages can go
        pieces = [p for p in pieces if len(p[1])]
        if not pieces:
            continue
        keys, docs, counts, positions = (np.concatenate(c) for c in zip(*pieces, strict=True))
        if (docs < 0).any():  # deleted documents
            alive = docs >= 0
            if with_positions:
                positions = positions[np.repeat(alive, counts)]
            keys, docs, counts = keys[alive], docs[alive], counts[alive]
            if not len(keys):
                continue
        if len(pieces) > 1:
            order = np.argsort(keys, kind="stable")  # sources in document order stay so
            keys, docs = keys[order], docs[order]
            if with_positions:
                positions = positions[_gather(counts, order)]
            counts = counts[order]
        firsts = np.flatnonzero(_changes(keys))
        starts = np.append(0, np.cumsum(counts)[:-1])[firsts] if with_positions else None
        yield keys[firsts], firsts, starts, docs, counts, positions


def _gather(counts: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Indexes that put runs of `counts` items (runs in order) into the order `order`."""
    starts = np.cumsum(counts) - counts
    moved = counts[order]
    offset = starts[order] - (np.cumsum(moved) - moved)
    return np.arange(int(moved.sum())) + np.repeat(offset, moved)


def _bounds(sources: list[Source]) -> list[int]:
    """Key boundaries such that between two of them lie at most ~CHUNK_POSTINGS postings."""
    step = max(1, CHUNK_POSTINGS // max(1, len(sources)))
    cuts = set()
    for s in sources:
        total = int(s.part.tstart[-1])
        rows = np.searchsorted(s.part.tstart[:-1], np.arange(step, total, step), side="right") - 1
        cuts.update(np.asarray(s.part.keys)[rows].tolist())
    low = min(int(s.part.keys[0]) for s in sources)
    return sorted(cuts | {low}) + [_NO_KEY]


def _slice(s: Source, lo: int, hi: int, with_positions: bool = True):
    """(key per posting, new document, count, positions) of the terms lo ≤ key < hi
    (positions empty unless `with_positions`)."""
    part = s.part
    t0, t1 = np.searchsorted(part.keys, [lo, hi])
    p0, p1 = int(part.tstart[t0]), int(part.tstart[t1])
    q0, q1 = (int(part.pstart[t0]), int(part.pstart[t1])) if with_positions else (0, 0)
    bounds = np.asarray(part.tstart[t0 : t1 + 1], np.int64)
    per_term = np.diff(bounds)
    counts = np.asarray(part.counts[p0:p1], np.int64)
    found = (
        np.repeat(np.asarray(part.keys[t0:t1], np.int64), per_term),
        s.new_docs(term_docs(part.docs, bounds) if t1 > t0 else _EMPTY),
        counts,
        stretch_positions(part.positions, q0, q1, counts) if with_positions else _EMPTY,
    )
    if part.release is not None:
        for column, stop in (("docs", p1), ("counts", p1), ("positions", q1)):
            if stop:
                part.release(column, stop)
    return found


# -- reading ----------------------------------------------------------------------


class _Strings:
    """A file's table of strings, read one at a time (for binary search)."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self._blob, self._offsets = blob, offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> str:
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._blob[a:b].tobytes().decode("utf-8", "surrogatepass")

    def __iter__(self):
        blob = self._blob.tobytes()
        bounds = self._offsets.tolist()
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            yield blob[a:b].decode("utf-8", "surrogatepass")


class Counts:
    """A field's counts read as one array: each at most `WIDE` in `narrow` (less one, in
    `Blocks` of at most a byte each; files before: a byte each, as they are), those of
    `WIDE` or more looked up in (`at`, `wide`). Slices (step 1) give int64 arrays; so does
    `np.asarray`."""

    def __init__(self, narrow: np.ndarray | Blocks, at: np.ndarray, wide: np.ndarray):
        self.narrow, self.at, self.wide = narrow, at, wide

    def __len__(self) -> int:
        return len(self.narrow)

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop, step = key.indices(len(self.narrow))
        assert step == 1, "counts are read in stretches"
        if isinstance(self.narrow, Blocks):
            found = self.narrow.values(start, stop) + 1
        else:
            found = self.narrow[start:stop].astype(np.int64)
        if len(self.at):
            lo, hi = np.searchsorted(self.at, [start, stop])
            if hi > lo:
                found[np.asarray(self.at[lo:hi], np.int64) - start] = self.wide[lo:hi]
        return found

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)


class Field:
    """One field of a segment's file: its arrays (memory-mapped) and term lookups."""

    def __init__(self, arrays: dict[str, np.ndarray], kind: str, release=None, advise=None):
        self.kind = kind
        self._release = release
        self._advise = advise
        # In memory: every SAMPLE-th term (a word, or a gram's key).
        sample = arrays["sample"]
        self._sample = _unblob(sample) if kind == "words" else np.array(sample)
        self.keys = arrays["keys"]
        self.tstart = arrays["tstart"]
        #: `Gaps`, or in files before, the documents themselves.
        self.docs = (Gaps(arrays["dgaps"], arrays["dwidth"], arrays["dat"], self.tstart)
                     if "dgaps" in arrays else arrays["docs"])
        if "cbits" in arrays:
            narrow = Blocks(arrays["cbits"], arrays["cwidth"], arrays["cat"], len(self.docs))
            self.counts = Counts(narrow, arrays["wide_at"], arrays["wide"])
        else:  # files before: a byte each (and before those, plain)
            self.counts = (Counts(arrays["counts"], arrays["wide_at"], arrays["wide"])
                           if "wide" in arrays else arrays["counts"])
        #: Whether the field keeps its terms' positions (a word field does not: it is
        #: only ever searched a term at a time).
        self.has_positions = "positions" in arrays or "pgaps" in arrays
        self.pstart = arrays.get("pstart")
        #: `Positions`, or in files before, the positions themselves.
        self.positions = (Positions(arrays["pgaps"], arrays["pwidth"], arrays["pat"],
                                    int(self.pstart[-1]), self.counts)
                          if "pgaps" in arrays else arrays.get("positions", _EMPTY))
        self.table = _Strings(arrays["strings"], arrays["offsets"])
        #: Columns kept in `Blocks`: the name in the file of their bytes, and the blocks.
        self._blocks = {column: (stream, found) for column, stream, found in (
            ("docs", "dgaps", self.docs),
            ("counts", "cbits", getattr(self.counts, "narrow", None)),
            ("positions", "pgaps", self.positions)) if isinstance(found, Blocks)}

    @property
    def strings(self) -> list[str]:
        """The whole table of strings (for merging)."""
        return list(self.table)

    def find(self, text: str) -> int | None:
        """The number of the term `text` in this field, or None if it has none."""
        if self.kind == "words":
            lo = max(0, bisect.bisect_right(self._sample, text) - 1) * SAMPLE
            hi = min(len(self.table), lo + SAMPLE)
            t = bisect.bisect_left(self.table, text, lo, hi)
            return t if t < len(self.table) and self.table[t] == text else None
        key = gram_key(text, LatinTable(self.table))
        if key is None:
            return None
        lo = max(0, int(np.searchsorted(self._sample, key, side="right")) - 1) * SAMPLE
        t = lo + int(np.searchsorted(self.keys[lo : lo + SAMPLE], key))
        return t if t < len(self.keys) and int(self.keys[t]) == key else None

    def continuations(self, term: str) -> np.ndarray:
        """The numbers of the gram terms that are `term` (ending in a Latin run) or go
        on from its last run with more letters (`occurrences.continued_keys`): one
        stretch of the sorted keys, so however many there are they cost two binary
        searches."""
        found = continued_keys(term, LatinTable(self.table)) if self.kind == "grams" else None
        if found is None:
            return _EMPTY
        lo, hi, apart = found
        t0, t1 = (int(np.searchsorted(self.keys, k)) for k in (lo, hi))
        numbers = np.arange(t0, t1, dtype=np.int64)
        if lo >= BIGRAM:  # bigrams: parted and unparted keys alternate
            numbers = numbers[(np.asarray(self.keys[t0:t1]) & 1) == apart]
        return numbers

    def text(self, t: int) -> str:
        """The term number `t` as the index spells it."""
        return self.table[t] if self.kind == "words" else gram_term(int(self.keys[t]), self.table)

    def doc_frequency(self, t: int) -> int:
        return int(self.tstart[t + 1] - self.tstart[t])

    def postings(self, t: int, positions: bool = True, *, stored: bool = False):
        """(documents, counts, positions) of term `t`, as int64 arrays; with `stored`, the
        positions as the file stores them, uncopied (a phrase reads those of a few
        documents out of a common gram's millions)."""
        if positions and not self.has_positions:
            raise ValueError("this field keeps no positions: search it a term at a time")
        bounds = self.tstart[t : t + 2]
        p0, p1 = int(bounds[0]), int(bounds[1])
        q0, q1 = (int(self.pstart[t]), int(self.pstart[t + 1])) if positions else (0, 0)
        if self._advise is not None:  # ask for each stretch at once, not a page at a time
            stretches = [self._stretch("docs", p0, p1), self._stretch("counts", p0, p1),
                         self._stretch("positions", q0, q1)]
            for column, start, stop in stretches:
                if stop > start:
                    self._advise(column, start, stop, mmap.MADV_WILLNEED)
        docs = term_docs(self.docs, bounds)
        counts = self.counts[p0:p1].astype(np.int64)
        if not positions:
            return docs, counts, _EMPTY
        if stored:
            return docs, counts, Stretch(self.positions, q0, q1)
        return docs, counts, stretch_positions(self.positions, q0, q1, counts)

    def stretch(self, t: int) -> Stretch:
        """The positions of term `t` as the file stores them, uncopied (its documents and
        counts read already)."""
        if not self.has_positions:
            raise ValueError("this field keeps no positions: search it a term at a time")
        return Stretch(self.positions, int(self.pstart[t]), int(self.pstart[t + 1]))

    def part(self) -> Part:
        """The field's arrays for a merge, which reads them in order (and tells as it goes
        what it has read)."""
        if self._advise is not None:
            for column, _, size in (self._stretch("docs", 0, len(self.docs)),
                                    self._stretch("counts", 0, len(self.counts)),
                                    self._stretch("positions", 0, len(self.positions))):
                if size:
                    self._advise(column, 0, size, mmap.MADV_SEQUENTIAL)
        release = None
        if self._release is not None:
            def release(column: str, stop: int) -> None:
                column, _, stop = self._stretch(column, 0, stop)
                self._release(column, stop)
        return Part(self.keys, self.tstart, self.pstart, self.docs, self.counts,
                    self.positions, self.strings, release)

    def _stretch(self, column: str, start: int, stop: int) -> tuple[str, int, int]:
        """(column in the file, start, stop) of items `start` to `stop` of `column`: for
        a column kept in `Blocks`, the stretch of its blocks' bytes."""
        if column not in self._blocks:
            return column, start, stop
        stream, blocks = self._blocks[column]
        return (stream, *blocks.byte_range(start, stop))

    def docs_of(self, t0: int, t1: int) -> np.ndarray:
        """The documents of the terms numbered `t0` to `t1` (int64, term by term)."""
        return term_docs(self.docs, self.tstart[t0 : t1 + 1])


def _release(map_: mmap.mmap, directory: dict, field: str, column: str, stop: int) -> None:
    """Let the pages of a column's items before `stop` go (they are read again from the
    file if asked for): a merge reads each page once, and mapped pages count in the
    process's memory for as long as it keeps the map."""
    if not hasattr(mmap, "MADV_DONTNEED"):
        return
    entry, page = directory[f"{field}.{column}"], mmap.PAGESIZE
    start = entry["at"] // page * page
    end = (entry["at"] + stop * np.dtype(entry["dtype"]).itemsize) // page * page
    if end > start:
        map_.madvise(mmap.MADV_DONTNEED, start, end - start)


def _advise(map_: mmap.mmap, directory: dict, field: str, column: str, start: int,
            stop: int, advice: int) -> None:
    """`madvise` for the pages holding a column's items `start` to `stop` (none to ask
    for ahead when they are one page: its fault reads it)."""
    entry, page = directory[f"{field}.{column}"], mmap.PAGESIZE
    size = _itemsize(entry["dtype"])
    first = (entry["at"] + start * size) // page * page
    end = min(len(map_), entry["at"] + stop * size)
    if end - first > (page if advice == _WILLNEED else 0):
        map_.madvise(advice, first, end - first)


@functools.cache
def _itemsize(dtype: str) -> int:
    """`np.dtype(dtype).itemsize`, once per type (it is asked on every term read)."""
    return np.dtype(dtype).itemsize

_WILLNEED = getattr(mmap, "MADV_WILLNEED", None)


class TextFile:
    """A segment's file, memory-mapped."""

    def __init__(self, path: Path):
        self.path = path
        self.users = 0  # readers holding it (`shared`)
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < len(_MAGIC) + _FOOTER.size:
                raise ValueError(f"{path} is too short to be a postings file")
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if hasattr(mmap, "MADV_RANDOM"):
            # No read-around on a page fault: a search touches small stretches here and
            # there (asked for ahead with MADV_WILLNEED), and the kernel's read-around is
            # the device's readahead (8 MB on the machine measured: 100 MB read for one
            # uncached substring query at 100,000 articles).
            self._map.madvise(mmap.MADV_RANDOM)
        at, length, magic = _FOOTER.unpack_from(self._map, size - _FOOTER.size)
        if (magic not in _MAGICS or self._map[: len(_MAGIC)] != magic
                or at + length > size):
            raise ValueError(f"{path} is not a wenhai postings file")
        self._dir = json.loads(self._map[at : at + length])
        self.fields: dict[str, Field] = {}
        for name, entry in self._dir.items():
            field, _, column = name.rpartition(".")
            if column == "kind":
                names = ("keys", "tstart", "strings", "offsets", "sample")
                # Files before: the documents themselves, the counts a byte each.
                names += (("dgaps", "dwidth", "dat") if f"{field}.dgaps" in self._dir
                          else ("docs",))
                names += (("cbits", "cwidth", "cat") if f"{field}.cbits" in self._dir
                          else ("counts",))
                if f"{field}.pgaps" in self._dir:
                    names += ("pstart", "pgaps", "pwidth", "pat")
                elif entry.get("positions", True):  # files written before always had them
                    names += ("pstart", "positions")
                if f"{field}.wide" in self._dir:
                    names += ("wide_at", "wide")
                arrays = {c: self._array(f"{field}.{c}") for c in names}
                self.fields[field] = Field(
                    arrays, entry["kind"], functools.partial(_release, self._map, self._dir, field),
                    functools.partial(_advise, self._map, self._dir, field)
                    if hasattr(mmap, "MADV_WILLNEED") else None)

    def _array(self, name: str) -> np.ndarray:
        entry = self._dir.get(name)
        if entry is None:
            raise ValueError(f"{self.path} lacks {name}")
        dtype = np.dtype(entry["dtype"])
        if entry["at"] + entry["n"] * dtype.itemsize > len(self._map):
            raise ValueError(f"{self.path}: {name} runs past the end of the file")
        return np.frombuffer(self._map, dtype, entry["n"], entry["at"])

    def release(self) -> None:
        """Let every page of the file go from this process's memory (the file stays
        readable: pages are read again if asked for). For a reader being closed, whose
        arrays may outlive it a while."""
        if hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def done(self) -> None:
        """One reader of a `shared` file is closed; with the last, its pages go."""
        with _OPEN_LOCK:
            self.users -= 1
            last = self.users <= 0
        if last:
            self.release()

    def damaged(self) -> list[str]:
        """The arrays whose bytes no longer match their CRC-32."""
        found = []
        for name, entry in self._dir.items():
            if "crc" in entry and zlib.crc32(self._array(name).data) != entry["crc"]:
                found.append(name)
        return found


_OPEN: weakref.WeakValueDictionary[tuple, TextFile] = weakref.WeakValueDictionary()
# Reentrant: a reader closed by the garbage collector (an archive's finalizer) while
# `shared` holds it calls `TextFile.done` in the same thread.
_OPEN_LOCK = threading.RLock()


def shared(path: Path) -> TextFile:
    """The process's one map of the segment file at `path`, however many readers use it
    (each calls `TextFile.done` when it closes).

    A server keeps an archive per busy thread, each with readers of every segment; with a
    map each, a page two of them had read was resident twice: after 2,000 searches on 4
    archives, 411 MB of maps over a 146 MB index. A file is known by its inode, size and
    time, so a segment written again under the same name is a new map.
    """
    st = os.stat(path)
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _OPEN_LOCK:
        found = _OPEN.get(key)
        if found is None:
            found = _OPEN[key] = TextFile(path)
        found.users += 1
    return found
