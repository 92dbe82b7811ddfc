"""Whoosh's codec with the text fields' postings in `columnar` files.

Whoosh lets a codec decide how a segment's terms and postings are stored. This one is
Whoosh 3's own for everything but the text fields (`schema.TEXT_FIELDS`): their terms
and postings live in the segment's `columnar` file, and `TermsReader` answers Whoosh's
questions about them from it — term statistics, lexicons, and matchers over the arrays
— so Whoosh's searcher, queries and scorers work on them unchanged. Per-document
values are Whoosh 3's too, read whole into memory (`columns.PerDocReader`).
`store.search` reads the arrays directly.

Segments remember their codec (Whoosh pickles it into the table of contents), so this
class's import path is part of the index format: segments written before the engine
moved here name it `store.codec.Codec`, which `store/__init__.py` keeps importable.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec import base, whoosh3
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.reading import TermInfo, TermNotFound
from whoosh.system import pack_uint

from . import columnar
from .columns import LENGTHS, PerDocReader, stored_lengths
from .schema import TEXT_FIELDS


def text_file_path(storage, segment) -> Path:
    """Where a segment's `columnar` file is (beside the segment, never in its compound file)."""
    storage = getattr(storage, "b", storage)  # a compound segment's files over the folder
    return Path(storage.folder) / f"{segment.segment_id()}.{columnar.SUFFIX}"


class Codec(whoosh3.W3Codec):
    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)

    def terms_reader(self, storage, segment):
        terms = super().terms_reader(storage, segment)
        try:
            text = columnar.shared(text_file_path(storage, segment))
        except BaseException:
            terms.close()
            if hasattr(storage, "a"):  # the compound file the failing SegmentReader opened
                storage.a.close()
            raise
        return TermsReader(terms, text, lambda: self.per_document_reader(storage, segment))


class TermsReader(base.TermsReader):
    """Whoosh's terms reader for the other fields, the `columnar` file for text fields."""

    def __init__(self, whoosh, text: columnar.TextFile, perdoc: Callable[[], Any]):
        self.whoosh = whoosh
        self.text = text
        self._open_perdoc = perdoc  # the segment's per-document reader, when first needed
        self._perdoc = None
        self._lengths: dict[str, np.ndarray] = {}
        self._orders: dict[str, Sequence[int]] = {}

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of a text field as Whoosh's scorers read it (its length
        byte decoded), read once: term statistics and posting blocks give the shortest
        and longest document of a term as Whoosh's own codec writes them."""
        found = self._lengths.get(fieldname)
        if found is None:
            if self._perdoc is None:
                self._perdoc = self._open_perdoc()
            count = self._perdoc.doc_count_all()
            raw = stored_lengths(self._perdoc, fieldname, count)
            found = self._lengths[fieldname] = LENGTHS[
                np.zeros(count, np.uint8) if raw is None else raw]
        return found

    def _info(self, field: columnar.Field, fieldname: str, t: int) -> TermInfo:
        return _term_info(field, t, self._field_lengths(fieldname))

    def _field(self, fieldname: str) -> columnar.Field | None:
        return self.text.fields.get(fieldname) if fieldname in TEXT_FIELDS else None

    def _find(self, fieldname: str, tbytes: bytes) -> tuple[columnar.Field, int]:
        field = self._field(fieldname)
        try:
            t = field.find(tbytes.decode("utf-8")) if field is not None else None
        except UnicodeDecodeError:  # no term of the index: Whoosh's table has none either
            t = None
        if t is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return field, t

    def __contains__(self, term) -> bool:
        fieldname, tbytes = term
        if fieldname not in TEXT_FIELDS:
            return term in self.whoosh
        try:
            self._find(fieldname, tbytes)
        except TermNotFound:
            return False
        return True

    def indexed_field_names(self):
        return self._fields()

    def _fields(self) -> list[str]:
        """The fields with terms in this segment, in Whoosh's order of terms: Whoosh 3
        numbers a segment's fields as its writer meets them, which is in order of name
        (its pool of postings is sorted), and orders terms by field number, then bytes."""
        text = [name for name in self.text.fields if name in TEXT_FIELDS]
        return sorted({*self.whoosh.indexed_field_names(), *text})

    def cursor(self, fieldname, fieldobj):
        if fieldname in TEXT_FIELDS:
            return TextCursor(self, fieldname, fieldobj)
        return self.whoosh.cursor(fieldname, fieldobj)

    def _order(self, fieldname: str) -> Sequence[int]:
        """A text field's term numbers in Whoosh's order of terms (by their UTF-8 bytes),
        worked out once: n-grams are numbered by key, words are stored in order."""
        found = self._orders.get(fieldname)
        if found is None:
            field = self._field(fieldname)
            if field is None:
                found = range(0)
            elif field.kind == "words":
                found = range(len(field.keys))
            else:
                found = np.array(sorted(range(len(field.keys)), key=lambda t: _bytes(field, t)),
                                 np.int64)
            self._orders[fieldname] = found
        return found

    def _seek(self, fieldname: str, tbytes: bytes) -> int:
        """Where in `_order` the first term at or after `tbytes` is."""
        field = self._field(fieldname)
        if field is None:
            return 0
        return bisect.bisect_left(self._order(fieldname), tbytes,
                                  key=lambda t: _bytes(field, t))

    def _field_terms(self, fieldname: str, prefix: bytes):
        """(term, term number or None) of one field from `prefix` on, in Whoosh's order."""
        if fieldname not in TEXT_FIELDS:
            for (name, tbytes) in self.whoosh.terms_from(fieldname, prefix):
                if name != fieldname:  # Whoosh's goes on into the next fields
                    return
                yield tbytes, None
            return
        field, order = self._field(fieldname), self._order(fieldname)
        for at in range(self._seek(fieldname, prefix), len(order)):
            t = int(order[at])
            yield _bytes(field, t), t

    def terms(self):
        for fieldname in self._fields():
            for tbytes, _ in self._field_terms(fieldname, b""):
                yield fieldname, tbytes

    def terms_from(self, fieldname, prefix):
        """The terms from `prefix` in `fieldname` on, through the fields after it, as
        Whoosh's terms reader walks its table (nothing for a field the segment lacks)."""
        fields = self._fields()
        if fieldname not in fields:
            return
        for name in fields[fields.index(fieldname):]:
            for tbytes, _ in self._field_terms(name, prefix if name == fieldname else b""):
                yield name, tbytes

    def items(self):
        for fieldname in self._fields():
            yield from self._field_items(fieldname, b"")

    def items_from(self, fieldname, prefix):
        fields = self._fields()
        if fieldname not in fields:
            return
        for name in fields[fields.index(fieldname):]:
            yield from self._field_items(name, prefix if name == fieldname else b"")

    def _field_items(self, fieldname: str, prefix: bytes):
        if fieldname not in TEXT_FIELDS:
            for (name, tbytes), info in self.whoosh.items_from(fieldname, prefix):
                if name != fieldname:
                    return
                yield (name, tbytes), info
            return
        field = self._field(fieldname)
        for tbytes, t in self._field_terms(fieldname, prefix):
            yield (fieldname, tbytes), self._info(field, fieldname, t)

    def term_info(self, fieldname, tbytes):
        if fieldname not in TEXT_FIELDS:
            return self.whoosh.term_info(fieldname, tbytes)
        field, t = self._find(fieldname, tbytes)
        return self._info(field, fieldname, t)

    def frequency(self, fieldname, tbytes):
        if fieldname not in TEXT_FIELDS:
            return self.whoosh.frequency(fieldname, tbytes)
        try:
            field, t = self._find(fieldname, tbytes)
        except TermNotFound:
            return 0
        return float(field.postings(t, positions=False)[1].sum())

    def doc_frequency(self, fieldname, tbytes):
        if fieldname not in TEXT_FIELDS:
            return self.whoosh.doc_frequency(fieldname, tbytes)
        try:
            field, t = self._find(fieldname, tbytes)
        except TermNotFound:
            return 0
        return field.doc_frequency(t)

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        if fieldname not in TEXT_FIELDS:
            return self.whoosh.matcher(fieldname, tbytes, format_, scorer=scorer)
        field, t = self._find(fieldname, tbytes)
        docs, counts, positions = field.postings(t, positions=field.has_positions)
        lengths = self._field_lengths(fieldname)
        return ArrayMatcher(docs, counts, positions, format_, scorer, (fieldname, tbytes),
                            _term_info(field, t, lengths), lengths)

    def close(self):
        self.whoosh.close()
        if self._perdoc is not None:
            self._perdoc.close()
        self.text.done()
        self.text = None


def _term_info(field: columnar.Field, t: int, lengths: np.ndarray) -> TermInfo:
    docs, counts, _ = field.postings(t, positions=False)
    found = lengths[docs]
    # The shortest length bounds the term's best score (`max_quality`) as Whoosh's does.
    return TermInfo(weight=float(counts.sum()), df=len(docs), minlength=int(found.min()),
                    maxlength=int(found.max()), maxweight=float(counts.max()),
                    minid=int(docs[0]), maxid=int(docs[-1]))


def _bytes(field: columnar.Field, t: int) -> bytes:
    return field.text(t).encode("utf-8")


class TextCursor(base.FieldCursor):
    """Whoosh's cursor over a field's terms, for a text field: `W3FieldCursor`'s moves
    over the `columnar` terms in Whoosh's order. Whoosh's `terms_within` (and with it
    `FuzzyTerm`) walks a segment's terms with one, led by a Levenshtein automaton."""

    def __init__(self, terms: TermsReader, fieldname: str, fieldobj):
        self._terms = terms
        self._fieldname = fieldname
        self._fieldobj = fieldobj
        self._field = terms._field(fieldname)
        self._order = terms._order(fieldname)
        self._at = 0

    def first(self):
        self._at = 0
        return self.text()

    def find(self, term):
        """Moves to the first term at or after `term`; that term, or None past the last."""
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._at = self._terms._seek(self._fieldname, term)
        return self.text()

    def next(self):
        if self._at < len(self._order):
            self._at += 1
        return self.text()

    def text(self):
        if not self.is_valid():
            return None
        return self._fieldobj.from_bytes(_bytes(self._field, int(self._order[self._at])))

    def term_info(self):
        if not self.is_valid():
            return None
        return self._terms._info(self._field, self._fieldname, int(self._order[self._at]))

    def is_valid(self):
        return self._at < len(self._order)


#: Postings per block in Whoosh 3's posting files (`W3Codec`'s blocklimit).
BLOCK = 128


class ArrayMatcher(ListMatcher):
    """Whoosh's leaf matcher over a term's arrays; positions decoded only when asked.

    Whoosh 3 writes a term's postings in blocks of BLOCK, each with its largest weight
    and its shortest and longest document, and a search with a limit uses them to skip
    what cannot make the cut: `skip_to_quality`, `block_quality`, and `next` telling when
    a new block begins. Here the blocks are the same stretches of the arrays with the same
    statistics, so every matcher above decides as it would over Whoosh's own postings,
    and a limited search finds the same documents — even where Whoosh misjudges (a
    boosted query's cutoff reaches its parts' `replace` undivided by the boost).
    """

    def __init__(self, docs, counts, positions, format_, scorer, term, terminfo, lengths,
                 i=0):
        self._arrays = (docs, counts, positions)
        self._lengths = lengths
        self._blocks: tuple[list, list, list] | None = None
        self._last: int | None = None  # where skipping by quality left the last block
        self._starts = np.concatenate(([0], np.cumsum(counts))).tolist()
        super().__init__(docs.tolist(), [float(c) for c in counts.tolist()], None, format_,
                         scorer, i, term=term, terminfo=terminfo)

    def _positions(self) -> list[int]:
        i = self._i
        return self._arrays[2][self._starts[i] : self._starts[i + 1]].tolist()

    def value(self):
        if not self._format.supports("positions"):  # a word field: its frequency
            return pack_uint(int(self._weights[self._i]))
        return self._format.encode(self._positions())

    def value_as(self, astype):
        if astype == "positions":
            return self._positions()
        if astype == "frequency":
            return int(self._weights[self._i])
        return super().value_as(astype)

    def all_items(self):
        positions, starts = self._arrays[2], self._starts
        for i, doc in enumerate(self._ids):
            if not self._format.supports("positions"):
                yield doc, pack_uint(int(self._weights[i]))
            else:
                yield doc, self._format.encode(positions[starts[i] : starts[i + 1]].tolist())

    def copy(self):
        return ArrayMatcher(*self._arrays, self._format, self._scorer, self._term,
                            self._terminfo, self._lengths, self._i)

    # -- moving: as `W3LeafMatcher` moves --

    def next(self):
        """True when the next posting begins a block (or the postings end)."""
        self._i += 1
        return self._i % BLOCK == 0 or self._i == len(self._ids)

    def skip_to(self, id):
        if not self.is_active():
            raise ReadTooFar
        self._i = bisect.bisect_left(self._ids, id, self._i)

    def replace(self, minquality=0):
        """Itself: Whoosh's leaf matchers are never dropped for quality. (`ListMatcher`
        drops itself when its best score is under the cutoff, but a boosting wrapper
        passes the cutoff down without dividing it by the boost: a boosted term lost
        its best hits.) Skipping what cannot make the cut is `skip_to_quality`'s."""
        return self

    # -- quality: per block, as `W3LeafMatcher` estimates it --

    def _block(self) -> int:
        return min(self._i, len(self._ids) - 1) // BLOCK  # past the end: the last block

    def _block_stats(self) -> tuple[list, list, list]:
        """Each block's largest weight, shortest and longest document."""
        if self._blocks is None:
            docs, counts, _ = self._arrays
            starts = np.arange(0, len(docs), BLOCK)
            found = self._lengths[docs]
            self._blocks = (np.maximum.reduceat(counts, starts).astype(float).tolist(),
                            np.minimum.reduceat(found, starts).tolist(),
                            np.maximum.reduceat(found, starts).tolist())
        return self._blocks

    def block_max_weight(self):
        return self._block_stats()[0][self._block()]

    def block_min_length(self):
        return self._block_stats()[1][self._block()]

    def block_max_length(self):
        return self._block_stats()[2][self._block()]

    def max_quality(self):
        return self._scorer.max_quality()

    def skip_to_quality(self, minquality):
        """Skip whole blocks whose quality is not above `minquality`; how many."""
        if self.block_quality() > minquality:
            return 0
        skipped, n = 0, len(self._ids)
        while self._i < n and self.block_quality() <= minquality:
            self._last = self._i
            self._i = min(n, (self._i // BLOCK + 1) * BLOCK)
            skipped += 1
        return skipped

    def id(self):
        """The current document. Past the end after skipping the last block, the one
        it was skipped from: `W3LeafMatcher` keeps its place in that block, and Whoosh's
        AndNot matcher reads it (`AndNotMatcher.skip_to_quality`)."""
        if self._i >= len(self._ids) and self._last is not None:
            return self._ids[self._last]
        return self._ids[self._i]

    def reset(self):
        self._i = 0
        self._last = None
