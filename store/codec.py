"""Whoosh's codec with the text fields' postings in `columnar` files.

Whoosh lets a codec decide how a segment's terms and postings are stored. This one is
Whoosh 3's own for everything but the text fields (`index.TEXT_FIELDS`): their terms
and postings live in the segment's `columnar` file, and `TermsReader` answers Whoosh's
questions about them from it — term statistics, lexicons, and matchers over the arrays
— so Whoosh's searcher, queries and scorers work on them unchanged. `store.evaluate`
reads the arrays directly (`postings`).

Segments remember their codec (Whoosh pickles it into the table of contents), so this
class's import path is part of the index format.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from whoosh.codec import base, whoosh3
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo, TermNotFound

from . import columnar
from .index import TEXT_FIELDS


def text_file_path(storage, segment) -> Path:
    """Where a segment's `columnar` file is (beside the segment, never in its compound file)."""
    storage = getattr(storage, "b", storage)  # a compound segment's files over the folder
    return Path(storage.folder) / f"{segment.segment_id()}.{columnar.SUFFIX}"


class Codec(whoosh3.W3Codec):
    def terms_reader(self, storage, segment):
        terms = super().terms_reader(storage, segment)
        try:
            text = columnar.TextFile(text_file_path(storage, segment))
        except BaseException:
            terms.close()
            if hasattr(storage, "a"):  # the compound file the failing SegmentReader opened
                storage.a.close()
            raise
        return TermsReader(terms, text)


class TermsReader(base.TermsReader):
    """Whoosh's terms reader for the other fields, the `columnar` file for text fields."""

    def __init__(self, whoosh, text: columnar.TextFile):
        self.whoosh = whoosh
        self.text = text
        self._orders: dict[str, Sequence[int]] = {}

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
            yield (fieldname, tbytes), _term_info(field, t)

    def term_info(self, fieldname, tbytes):
        if fieldname not in TEXT_FIELDS:
            return self.whoosh.term_info(fieldname, tbytes)
        return _term_info(*self._find(fieldname, tbytes))

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
        docs, counts, positions = field.postings(t)
        return ArrayMatcher(docs, counts, positions, format_, scorer, (fieldname, tbytes),
                            _term_info(field, t))

    def close(self):
        self.whoosh.close()
        self.text.release()
        self.text = None


def _term_info(field: columnar.Field, t: int) -> TermInfo:
    docs, counts, _ = field.postings(t, positions=False)
    # Field lengths are not at hand here: 1 and the largest length bound every document
    # the term is in, which is all Whoosh's quality estimates need (an upper bound).
    return TermInfo(weight=float(counts.sum()), df=len(docs), minlength=1,
                    maxlength=1 << 31, maxweight=float(counts.max()),
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
        return _term_info(self._field, int(self._order[self._at]))

    def is_valid(self):
        return self._at < len(self._order)


class ArrayMatcher(ListMatcher):
    """Whoosh's list matcher over a term's arrays; positions decoded only when asked."""

    def __init__(self, docs, counts, positions, format_, scorer, term, terminfo, i=0):
        self._arrays = (docs, counts, positions)
        self._starts = np.concatenate(([0], np.cumsum(counts))).tolist()
        super().__init__(docs.tolist(), [float(c) for c in counts.tolist()], None, format_,
                         scorer, i, term=term, terminfo=terminfo)

    def _positions(self) -> list[int]:
        i = self._i
        return self._arrays[2][self._starts[i] : self._starts[i + 1]].tolist()

    def value(self):
        return self._format.encode(self._positions())

    def value_as(self, astype):
        if astype == "positions":
            return self._positions()
        if astype == "frequency":
            return int(self._weights[self._i])
        return super().value_as(astype)

    def replace(self, minquality=0):
        """Itself: Whoosh's leaf matchers are never dropped for quality. (`ListMatcher`
        drops itself when its best score is under the cutoff, but a boosting wrapper
        passes the cutoff down without dividing it by the boost: a boosted term lost
        its best hits.) Skipping what cannot make the cut is `skip_to_quality`'s."""
        return self

    def all_items(self):
        positions, starts = self._arrays[2], self._starts
        for i, doc in enumerate(self._ids):
            yield doc, self._format.encode(positions[starts[i] : starts[i + 1]].tolist())

    def copy(self):
        return ArrayMatcher(*self._arrays, self._format, self._scorer, self._term,
                            self._terminfo, self._i)
