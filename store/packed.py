"""Frequent n-gram terms' postings, also saved as plain arrays beside their segment.

Whoosh stores a term's postings in blocks of 128, each a zlib-compressed pickle of
document numbers, weights and, per document, the positions pickled on their own. A
search for a 3–6 character string reads every posting and every position of its
bigrams: at 100,000 articles that was nearly all of an uncached search (unpickling and
decompressing 2,000 blocks for 民代表大, ~175 ms). Measured on a 25,000-article
segment: 发展's 13,000 postings and positions take 13.7 ms from Whoosh's blocks, 0.5 ms
from zlib-compressed arrays and a tenth of that from plain ones.

So when a segment is written, every term of the n-gram fields found in at least
`MIN_DOCS` documents is also written to ``MAIN_<segment>.postings``: document gaps and
weights, then position counts and gaps, each array in the narrowest unsigned type that
holds it, uncompressed (decompressing was a sixth of a search), with a directory of
the terms at the end. A search that needs no positions reads only the first half.
Whoosh's blocks stay as they are (Whoosh's own readers and merges read them); a
search reads a term from this file when it is there and from the blocks otherwise, so
the file is only a faster copy, and a segment without one (an older index, a full
disk) is searched as before. Each term's bytes carry a CRC-32 in the directory, which
`wenhai check` verifies (searches do not: it would cost a tenth of a search).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from itertools import chain
from pathlib import Path
from pickle import UnpicklingError, loads

import numpy as np

from . import saved

SUFFIX = "postings"
#: Terms found in fewer documents are read from Whoosh's blocks (one or two blocks).
MIN_DOCS = 128
_FOOTER = struct.Struct("<Q8s")
_MAGIC = b"WHPACK04"
#: The directory's arrays per field besides the sorted term bytes ("keys").
_COLUMNS = ("starts", "heads", "sizes", "docs", "positions", "kinds")
#: And each term's CRC-32, checked by `Packed.damaged` only.
_CRCS = "crcs"
_NONE = np.zeros(0, np.int64)
_WIDTHS = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"), np.dtype("<u8"))

#: (document numbers, weights, position counts, position gaps) of one term.
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def decode(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(position count, position gaps) of values in Whoosh's Positions encoding.

    Each value is a 4-byte count and a pickled list of gaps (the first from 0). The
    pickles are joined into one (a list of lists) and unpickled with one call instead
    of one call each; the counts check that every value had that shape.
    """
    if not values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    stated = np.frombuffer(b"".join([v[:4] for v in values]), ">u4").astype(np.int64)
    body = b"".join([v[6:-1] for v in values])  # without the count, protocol mark and stop
    try:
        lists = loads(b"\x80\x02(" + body + b"l.")
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        if len(lists) != len(values) or not np.array_equal(counts, stated):
            raise ValueError("not one list per value")
        gaps = np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
    except (ValueError, TypeError, UnpicklingError):  # another shape: one by one, as Whoosh does
        lists = [loads(v[4:] if v.endswith(b".") else v[4:] + b".") for v in values]
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        gaps = np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
    return counts, gaps


def _narrow(a: np.ndarray) -> tuple[int, bytes]:
    top = int(a.max()) if len(a) else 0
    code = 0 if top < 1 << 8 else 1 if top < 1 << 16 else 2 if top < 1 << 32 else 3
    return code, a.astype(_WIDTHS[code]).tobytes()


class Builder:
    """Writes a segment's file: `add` terms in index order, then `finish` or `discard`.

    Only a faster copy: if the file cannot be written (a full disk), the builder
    drops it and the segment is searched from its blocks.
    """

    def __init__(self, partial: Path, fields):
        self.fields = frozenset(fields)
        self.name = partial.name
        self._partial = partial
        self._at = 0
        self._terms: dict[str, tuple[list, ...]] = {}
        try:
            self._out = open(partial, "wb")
        except OSError:
            self._out = None

    def wants(self, fieldname: str, doc_count: int) -> bool:
        return self._out is not None and fieldname in self.fields and doc_count >= MIN_DOCS

    def add(self, fieldname: str, tbytes: bytes, docs, weights, values: list[bytes]) -> None:
        """A term's postings as the field writer gets them (values in Whoosh's encoding)."""
        counts, gaps = decode(values)
        self.add_arrays(fieldname, tbytes, (np.asarray(docs, dtype=np.int64),
                                            np.asarray(weights, dtype=np.float64), counts, gaps))

    def add_arrays(self, fieldname: str, tbytes: bytes, arrays: Arrays) -> None:
        docs, weights, counts, gaps = arrays
        if self._out is None or len(docs) < MIN_DOCS or tbytes.endswith(b"\0"):
            return  # (numpy's fixed-width bytes would drop a final NUL: read from the blocks)
        kinds, parts = 0, []
        for shift, a in enumerate((np.diff(docs, prepend=0), counts, gaps)):
            code, raw = _narrow(a)
            kinds |= code << (2 * shift)
            parts.append(raw)
        if (weights == np.round(weights)).all() and weights.min() >= 0:
            code, raw = _narrow(weights.astype(np.int64))  # frequencies: whole numbers
            code = min(code, 2) if weights.max() < 1 << 32 else 3
        else:
            code = 3
        kinds |= code << 6
        parts.insert(1, weights.astype("<f4").tobytes() if code == 3 else raw)
        head = len(parts[0]) + len(parts[1])
        blob = b"".join(parts)
        try:
            self._out.write(blob)
        except OSError:
            self.discard()
            return
        entry = self._terms.setdefault(fieldname, tuple([] for _ in range(len(_COLUMNS) + 2)))
        for column, value in zip(entry, (tbytes, self._at, head, len(blob), len(docs),
                                         len(gaps), kinds, zlib.crc32(blob))):
            column.append(value)
        self._at += len(blob)

    def finish(self, target: Path) -> None:
        """Write the directory and move the file to `target` (beside its segment)."""
        if self._out is None:
            return
        directory = {}
        for fieldname, columns in self._terms.items():
            keys = np.array(columns[0], dtype=bytes)
            order = np.argsort(keys, kind="stable")  # terms arrive sorted; made sure here
            directory[f"{fieldname}.keys"] = keys[order]
            for name, column in zip((*_COLUMNS, _CRCS), columns[1:]):
                directory[f"{fieldname}.{name}"] = np.array(column, dtype=np.int64)[order]
        raw = io.BytesIO()
        np.savez(raw, **directory)
        try:
            self._out.write(raw.getvalue())
            self._out.write(_FOOTER.pack(self._at, _MAGIC))
            self._out.close()
            os.replace(self._partial, target)
        except OSError:
            self.discard()
            return
        self._out = None

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            self._partial.unlink(missing_ok=True)


class Packed:
    """A segment's file, open for reading terms."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            f.seek(-_FOOTER.size, os.SEEK_END)
            end = f.tell()
            start, magic = _FOOTER.unpack(f.read(_FOOTER.size))
            if magic != _MAGIC:
                raise ValueError(f"{path} is not a postings file")
            f.seek(start)
            with np.load(io.BytesIO(f.read(end - start)), allow_pickle=False) as npz:
                self._dir = {name: npz[name] for name in npz.files}
        for name in self._dir:
            field = name.rpartition(".")[0]
            if any(f"{field}.{column}" not in self._dir for column in (*_COLUMNS, _CRCS)):
                raise ValueError(f"{path} lacks columns of {field}")
            ends = self._dir[f"{field}.starts"] + self._dir[f"{field}.sizes"]
            if len(ends) and (ends.max() > start or self._dir[f"{field}.starts"].min() < 0):
                raise ValueError(f"{path}: terms of {field} point outside the file")

    def damaged(self) -> list[tuple[str, bytes]]:
        """(field, term) of every term whose bytes no longer match their checksum."""
        found = []
        with open(self.path, "rb") as f:
            for name in self._dir:
                field, _, column = name.rpartition(".")
                if column != "keys":
                    continue
                starts, sizes = self._dir[f"{field}.starts"], self._dir[f"{field}.sizes"]
                for key, start, size, crc in zip(
                    self._dir[name].tolist(), starts.tolist(), sizes.tolist(),
                    self._dir[f"{field}.{_CRCS}"].tolist(), strict=True,
                ):
                    f.seek(start)
                    if zlib.crc32(f.read(size)) != crc:
                        found.append((field, key))
        return found

    def _find(self, fieldname: str, tbytes: bytes) -> int | None:
        keys = self._dir.get(f"{fieldname}.keys")
        if keys is None or not len(keys):
            return None
        i = int(np.searchsorted(keys, tbytes))
        return i if i < len(keys) and keys[i] == tbytes else None

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int | None:
        """In how many documents the term is (as Whoosh counts: deleted ones too), or None."""
        i = self._find(fieldname, tbytes)
        return None if i is None else int(self._dir[f"{fieldname}.docs"][i])

    def get(self, fieldname: str, tbytes: bytes, positions: bool = True) -> Arrays | None:
        """The term's arrays (without positions: empty counts and gaps), or None if the
        file does not have the term."""
        i = self._find(fieldname, tbytes)
        if i is None:
            return None
        start, head, size, ndocs, npos, kinds = (int(self._dir[f"{fieldname}.{name}"][i])
                                                 for name in _COLUMNS)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            raw = os.pread(fd, size if positions else head, start)
        finally:
            os.close(fd)
        at = 0

        def take(dtype: np.dtype, n: int) -> np.ndarray:
            nonlocal at
            a = np.frombuffer(raw, dtype, n, at)
            at += a.nbytes
            return a

        docs = np.cumsum(take(_WIDTHS[kinds & 3], ndocs), dtype=np.int64)
        code = kinds >> 6
        weights = take(np.dtype("<f4") if code == 3 else _WIDTHS[code], ndocs).astype(np.float64)
        if not positions:
            return docs, weights, _NONE, _NONE
        counts = take(_WIDTHS[(kinds >> 2) & 3], ndocs).astype(np.int64)
        gaps = take(_WIDTHS[(kinds >> 4) & 3], npos).astype(np.int64)
        return docs, weights, counts, gaps


def file(reader) -> Path:
    return saved.file(reader, SUFFIX)


def load(reader) -> Packed | None:
    """The segment's file, or None if it has none or it is damaged (then the segment is
    searched from its blocks); read once per segment reader."""
    return saved.once(reader, SUFFIX, Packed,
                      (OSError, ValueError, EOFError, struct.error, zipfile.BadZipFile))
