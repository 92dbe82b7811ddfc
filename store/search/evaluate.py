"""Evaluating a query over one segment, whole posting lists at a time.

The queries `query`, `filters` and `similar` build — Term, Phrase (and its `Loose` and
`Continued` kinds), And, Or, AndNot, TermRange, and Every for browsing — become a sorted
array of matching document numbers and an array of their scores, computed the way
Whoosh's matchers compute them: BM25F per term (Whoosh's formula, with the searcher's
idf and average field length), a phrase scoring as the sum of its terms, And and Or
adding their parts' scores, AndNot keeping the left side's, ranges scoring their boost,
and every node multiplying by its boost.
These are every shape the archive builds, so every search takes this one path (the
tests compare it with Whoosh's collectors and with a stock Whoosh index); anything
else raises `Unsupported`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from ..engine import saved
from ..engine.columns import leaves
from ..engine.schema import COLUMNS, TAG_JOIN, TEXT_FIELDS
from ..text.analysis import loosened
from . import cache as caches
from . import postings
from .query import Continued, Loose

_NONE = np.zeros(0, dtype=np.int64)


class Unsupported(Exception):
    """A query shape this evaluator does not know (the archive never builds one)."""


class Segment:
    """One segment of a searcher, with the searcher's collection statistics for scoring.

    Postings read once are kept for the rest of the search (an exact query and its
    scattered form share terms).
    """

    def __init__(self, searcher, reader):
        self.searcher = searcher
        self.reader = reader
        self.weighting = searcher.weighting
        if type(self.weighting) is not BM25F or self.weighting._field_B:
            raise Unsupported("only plain BM25F scoring is reproduced")
        self._postings: dict[tuple, postings.Postings] = {}
        self._scores: dict[tuple, np.ndarray] = {}
        self._phrases: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._continued: dict[tuple[str, str], tuple[list[str], bool]] = {}
        self._frequencies: dict[tuple[str, str], int] = {}
        self.size = reader.doc_count_all()

    def postings(self, fieldname: str, text: str, values: bool = False) -> postings.Postings:
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is None:
            found = self._postings[key] = postings.read(self.reader, fieldname, text,
                                                        values=values)
        elif values and not found.has_positions:
            found = self._postings[key] = postings.with_positions(self.reader, fieldname,
                                                                  text, found)
        return found

    def phrase(self, q: wq.Phrase, among: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """`_phrase`, once per phrase (a query's exact form is also its first tier);
        in `among` only, worked out there unless the whole is known."""
        key = (type(q), q.fieldname, tuple(q.words), q.slop)
        found = self._phrases.get(key)
        if found is not None:
            return found if among is None else _restricted(*found, among, self.size)
        if among is not None:
            return _phrase(q, self, among)
        found = self._phrases[key] = _phrase(q, self)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents of the segment have the term (deleted ones count)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = postings.doc_frequency(self.reader, fieldname,
                                                                     text)
        return found

    def continuations(self, fieldname: str, term: str, values: bool) -> list[str]:
        """The terms of this segment that are `term` or go on from its last Latin run
        (`query.Continued`), their postings read at once (with positions if `values`);
        the idf of each, over every segment, is worked out at once too."""
        key = (fieldname, term)
        found = self._continued.get(key)
        if found is None or (values and not found[1]):
            read = postings.read_continuations(self.reader, fieldname, term, values=values)
            for text, found_postings in read.items():
                have = self._postings.get((fieldname, text))
                if have is None or (values and not have.has_positions):
                    self._postings[(fieldname, text)] = found_postings
            found = self._continued[key] = (list(read), values)
            _continued_idf(self.searcher, fieldname, term)
        return found[0]

    def bm25_at(self, fieldname: str, text: str, found: postings.Postings,
                rows: np.ndarray) -> np.ndarray:
        """`bm25` of `found`'s postings at `rows` only, unless the term's are all known:
        a phrase of a title's 35 bigrams matches a few documents, and scoring every
        posting of each bigram was a tenth of such a search."""
        scores = self._scores.get((fieldname, text))
        if scores is not None:
            return scores[rows]
        return _bm25(self, fieldname, text, found.docs[rows], found.weights[rows])

    def bm25(self, fieldname: str, text: str, found: postings.Postings) -> np.ndarray:
        """Whoosh's BM25F score of each of `found`'s postings (computed once per term: a
        term's scores serve its exact and its scattered form, and each phrase it is in;
        its postings read again with positions have the same documents and weights)."""
        key = (fieldname, text)
        scores = self._scores.get(key)
        if scores is None:
            scores = self._scores[key] = _bm25(self, fieldname, text, found.docs, found.weights)
        return scores


def _bm25(seg: Segment, fieldname: str, text: str, docs: np.ndarray,
          tf: np.ndarray) -> np.ndarray:
    """Whoosh's BM25F score of the term `text` in each of `docs`, appearing `tf` times."""
    w = seg.weighting
    idf = _idf(seg.searcher, fieldname, text)
    avgfl = _avg_field_length(seg.searcher, fieldname) or 1
    fl = postings.lengths(seg.reader, fieldname)[docs]
    return idf * ((tf * (w.K1 + 1)) / (tf + w.K1 * ((1 - w.B) + w.B * fl / avgfl)))


def _avg_field_length(searcher, fieldname: str) -> float:
    """`searcher.avg_field_length`, once per searcher: Whoosh sums every segment's total
    each time it is asked."""
    cache = searcher.__dict__.setdefault("_wenhai_avgfl", {})
    if fieldname not in cache:
        cache[fieldname] = searcher.get_parent().avg_field_length(fieldname)
    return cache[fieldname]


def _idf(searcher, fieldname: str, text: str) -> float:
    """`searcher.idf` (cached the same way), counting documents in the segments' arrays
    (`postings.doc_frequency`) rather than through Whoosh's readers."""
    cache = searcher._idf_cache
    key = (fieldname, text)
    if key not in cache:
        if len(cache) >= caches.terms_kept:  # bounded: a server's searcher lives long
            cache.clear()
        parent = searcher.get_parent()
        n = sum(postings.doc_frequency(leaf, fieldname, text)
                for leaf, _ in leaves(parent.reader()))
        cache[key] = log(parent.doc_count_all() / (n + 1)) + 1  # BM25F's idf, as Whoosh's
    return cache[key]


def _continued_idf(searcher, fieldname: str, term: str) -> None:
    """`_idf` of every term going on from `term` (`query.Continued`), counted in each
    segment's arrays in one stretch of keys instead of one lookup per term and segment
    (hold may go on in thousands of ways)."""
    done = searcher.__dict__.setdefault("_wenhai_continued", set())
    if (fieldname, term) in done:
        return
    parent = searcher.get_parent()
    counts: dict[str, int] = {}
    for leaf, _ in leaves(parent.reader()):
        texts, frequencies = postings.continuations(leaf, fieldname, term)
        for text, n in zip(texts, frequencies.tolist(), strict=True):
            counts[text] = counts.get(text, 0) + n
    cache, total = searcher._idf_cache, parent.doc_count_all()
    for text, n in counts.items():
        cache.setdefault((fieldname, text), log(total / (n + 1)) + 1)  # as `_idf`
    done.add((fieldname, term))


def evaluate(q: wq.Query, seg: Segment,
             among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers ascending, scores) of the documents in `seg` matching `q`; of
    those in `among` (sorted) only, if given, with the scores they have in the whole.

    Deleted documents are included; the caller drops them once.
    """
    kind = type(q)
    if kind is wq.Term and q.fieldname in COLUMNS:
        docs = _column_term(q, seg)
        docs, scores = _restricted(docs, np.ones(len(docs)), among, seg.size)
    elif kind is wq.Term:
        docs, scores = _term(q, seg, among)
    elif kind is wq.Phrase or kind is Loose or kind is Continued:
        docs, scores = seg.phrase(q, among)
    elif kind is wq.Or:
        docs, scores = _union([evaluate(s, seg, among) for s in q.subqueries], seg.size)
    elif kind is wq.And:
        docs, scores = _all_of(q.subqueries, seg, among)
    elif kind is wq.AndNot:
        docs, scores = evaluate(q.a, seg, among)
        keep = ~within(docs, evaluate(q.b, seg, docs)[0], seg.size)
        docs, scores = docs[keep], scores[keep]
    elif kind is wq.TermRange:
        docs = _range(q, seg)
        docs, scores = _restricted(docs, np.ones(len(docs)), among, seg.size)
    elif kind is wq.Every and q.fieldname in (None, "*"):  # browsing: every article
        docs = np.arange(seg.size, dtype=np.int64) if among is None else among
        scores = np.ones(len(docs))
    else:
        raise Unsupported(type(q).__name__)
    if q.boost != 1.0:
        scores = scores * q.boost
    return docs, scores


def _all_of(subqueries: list[wq.Query], seg: Segment,
            among: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The documents matching every one of `subqueries`, scoring the sum of their scores
    (in the subqueries' order, as Whoosh adds them). The one estimated to match the
    fewest is worked out first, and each next one only in the documents left: in a
    title's eleven words, 也 is in 600,000 of a million articles, and scoring each of
    them was most of the search when the title's rarest word leaves 2,000."""
    parts: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(subqueries)
    docs = among
    for i in sorted(range(len(subqueries)), key=lambda i: _estimate(subqueries[i], seg)):
        parts[i] = evaluate(subqueries[i], seg, docs)
        docs = parts[i][0]
        if not len(docs):
            return _NONE, np.zeros(0)
    scores = np.zeros(len(docs))
    for d, s in parts:  # each part's documents hold `docs`
        scores += s if len(d) == len(docs) else s[np.searchsorted(d, docs)]
    return docs, scores


def _estimate(q: wq.Query, seg: Segment) -> int:
    """At most how many documents of `seg` match `q`, from the terms' document counts
    (the segment's size where they do not tell)."""
    kind = type(q)
    if kind is wq.Term and q.fieldname in TEXT_FIELDS:
        return seg.doc_frequency(q.fieldname, q.text)
    if kind is wq.Phrase or kind is Loose:
        spelled = [loosened(w) if kind is Loose else (w,) for w in q.words]
        return min(sum(seg.doc_frequency(q.fieldname, t) for t in texts) for texts in spelled)
    if kind is wq.Or:
        return min(seg.size, sum(_estimate(s, seg) for s in q.subqueries))
    if kind is wq.And:
        return min(_estimate(s, seg) for s in q.subqueries)
    if kind is wq.AndNot:
        return _estimate(q.a, seg)
    return seg.size


def _restricted(docs: np.ndarray, scores: np.ndarray, among: np.ndarray | None,
                size: int) -> tuple[np.ndarray, np.ndarray]:
    """`docs` and their `scores`, of those in `among` only (all if None)."""
    if among is None:
        return docs, scores
    rows = _rows(docs, among, size)
    return docs[rows], scores[rows]


def _rows(docs: np.ndarray, among: np.ndarray, size: int) -> np.ndarray:
    """Where in `docs` (sorted, distinct) the documents of `among` (the same) are."""
    if not len(docs) or not len(among):
        return _NONE
    if _dense(len(docs) + len(among), size):
        return np.flatnonzero(within(docs, among, size))
    if len(among) < len(docs):  # the fewer looked up among the more
        at = np.searchsorted(docs, among)
        at[at == len(docs)] = 0
        return at[docs[at] == among]
    at = np.searchsorted(among, docs)
    at[at == len(among)] = 0
    return np.flatnonzero(among[at] == docs)


def _term(q: wq.Term, seg: Segment, among: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    field = seg.reader.schema[q.fieldname]
    found = seg.postings(q.fieldname, q.text)
    if among is not None:  # scored where asked only
        rows = _rows(found.docs, among, seg.size)
        if not field.scorable:
            return found.docs[rows], found.weights[rows]
        return found.docs[rows], seg.bm25_at(q.fieldname, q.text, found, rows)
    if not field.scorable:
        return found.docs, found.weights.copy()
    return found.docs, seg.bm25(q.fieldname, q.text, found)


def _phrase(q: wq.Phrase, seg: Segment,
            among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Documents (of `among`, if given) with the words at consecutive positions (Whoosh's
    slop 1); for a `Loose` phrase, each word or its other spelling (parted by
    punctuation, or not)."""
    if q.slop != 1:
        raise Unsupported("phrase with slop")
    if type(q) is Loose:
        return _spelled(q, seg, [loosened(w) for w in q.words], among)
    if type(q) is Continued:
        *head, last = q.words
        if not head:
            return _restricted(*_continued_word(q, seg), among, seg.size)
        going_on = tuple(seg.continuations(q.fieldname, last, values=True))
        if not going_on:
            return _NONE, np.zeros(0)
        return _spelled(q, seg, [(w,) for w in head] + [going_on], among)
    words, docs = _read(seg, q.fieldname, [(w,) for w in q.words], among)
    if words is None:
        return _NONE, np.zeros(0)
    return _scored(q, seg, [found for found, in words], _matching_positions(words, docs))


def _read(seg: Segment, fieldname: str, spellings: list[tuple[str, ...]],
          among: np.ndarray | None = None
          ) -> tuple[list[list[postings.Postings]] | None, np.ndarray]:
    """The postings, with positions, of each word's spellings, and the documents (of
    `among`, if given) having every word; (None, no documents) as soon as a word leaves
    none, without reading the words after it (most fields have none of a title's 35
    bigrams past the first few)."""
    words, docs = [], among
    for texts in spellings:
        found = [seg.postings(fieldname, t, values=True) for t in texts]
        having = _merged([f.docs for f in found])
        docs = having if docs is None else _intersect(docs, having)
        if not len(docs):
            return None, _NONE
        words.append(found)
    return words, docs


def _continued_word(q: Continued, seg: Segment) -> tuple[np.ndarray, np.ndarray]:
    """A `Continued` of one word (hold: hold, holdings…), its terms' postings read as one
    stretch and scored at once: a single letter goes on in hundreds of ways. A document
    scores the sum of its terms' scores, in term order, as `_spelled` adds them."""
    texts, docs, tf, which = postings.continued_stretch(seg.reader, q.fieldname, q.words[0])
    if not texts:
        return _NONE, np.zeros(0)
    _continued_idf(seg.searcher, q.fieldname, q.words[0])
    w = seg.weighting
    idf = np.array([_idf(seg.searcher, q.fieldname, t) for t in texts])[which]
    avgfl = _avg_field_length(seg.searcher, q.fieldname) or 1
    fl = postings.lengths(seg.reader, q.fieldname)[docs]
    scores = idf * ((tf * (w.K1 + 1)) / (tf + w.K1 * ((1 - w.B) + w.B * fl / avgfl)))
    order = np.argsort(docs, kind="stable")  # each document's terms stay in term order
    docs, scores = docs[order], scores[order]
    firsts = np.flatnonzero(_firsts(docs))
    return docs[firsts], np.add.reduceat(scores, firsts)


def _spelled(q: wq.Phrase, seg: Segment, spellings: list[tuple[str, ...]],
             among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A phrase whose words each stand for several terms (`Loose`: parted by punctuation
    or not; `Continued`: the last Latin word going on): consecutive positions as for a
    phrase, each word any of its terms; a document (of `among`, if given) scores the sum
    of the terms' scores it has at all."""
    if len(spellings) == 1:  # no positions needed, however many terms
        docs = _merged([seg.postings(q.fieldname, t).docs for t in spellings[0]])
        if among is not None:
            docs = docs[_rows(docs, among, seg.size)]
    else:
        words, having = _read(seg, q.fieldname, spellings, among)
        if words is None:
            return _NONE, np.zeros(0)
        docs = _matching_positions(words, having)
    scores = np.zeros(len(docs))
    for texts in spellings:
        for text in texts:
            found = seg.postings(q.fieldname, text)
            if len(found.docs):
                rows = np.searchsorted(found.docs, docs)
                rows[rows == len(found.docs)] = 0
                present = found.docs[rows] == docs
                scores[present] += seg.bm25_at(q.fieldname, text, found, rows[present])
    return docs, scores


def _matching_positions(words: list[list[postings.Postings]], docs: np.ndarray) -> np.ndarray:
    """Of `docs` (those having every word, as `_read` gives them), the documents where a
    posting list of the i-th word has a position p + i, for some p (each word: the
    posting lists of its spellings)."""
    if len(words) == 1:
        return docs
    starts = _in_sequence(words, docs)
    return _sorted_unique(starts >> 32) if len(starts) else _NONE


def _starts(words: list[list[postings.Postings]], among: np.ndarray | None = None) -> np.ndarray:
    """Where the words stand in sequence, as sorted keys document << 32 | position
    (positions of word i, moved back by i, in every word; a word is any of its spellings'
    posting lists); only in the documents `among` (sorted), if given. The documents
    having every word are found first, from the document lists alone, so that only
    their positions are read: a common gram has millions."""
    docs = among
    for spellings in words:
        having = _merged([found.docs for found in spellings])
        docs = having if docs is None else _intersect(docs, having)
    return _in_sequence(words, docs)


def _in_sequence(words: list[list[postings.Postings]], docs: np.ndarray) -> np.ndarray:
    """`_starts` in `docs`, documents that have every word."""
    starts = _NONE
    for i, spellings in enumerate(words):
        if not len(docs):
            return _NONE
        if len(spellings) == 1:  # one posting list's keys come sorted and distinct
            keys = _keys(spellings[0], docs, i, every=True)
        else:
            keys = _sorted_unique(np.concatenate([_keys(found, docs, i) for found in spellings]))
        starts = keys if i == 0 else _intersect(starts, keys)
        docs = _sorted_unique(starts >> 32) if len(starts) else _NONE
    return starts


def _keys(found: postings.Postings, docs: np.ndarray, back: int,
          every: bool = False) -> np.ndarray:
    """Keys document << 32 | (position - back) of `found`'s positions in those of `docs`
    (sorted) it has (`every`: it has them all)."""
    if not len(found.docs):
        return _NONE
    rows = np.searchsorted(found.docs, docs)
    if not every:
        rows[rows == len(found.docs)] = 0
        rows = rows[found.docs[rows] == docs]
    return found.keys(rows, back)


#: Words of a query this many units or fewer apart (after the first word's end) count
#: as near each other.
NEAR = 4


def nearness(near: list[tuple[tuple[str, ...], list[list[str]]]], seg: Segment,
             docs: np.ndarray) -> np.ndarray:
    """For each of `docs`, how many pairs of consecutive words of the terms in `near`
    ((fields, each word's gram terms) per term) stand in order, at most `NEAR` units
    apart, in one of the fields: the words-apart tier ranks by it."""
    pairs = np.zeros(len(docs), dtype=np.int64)
    for fields, words in near:
        # Each word's start positions, once per field (a word is in two pairs).
        starts = {f: [_starts([[seg.postings(f, g, values=True)] for g in w], docs)
                      for w in words]
                  for f in fields}
        for i, first in enumerate(words[:-1]):
            units = len(first) + 1 if len(first) > 1 else 1  # in the first word
            close = [_followed(starts[f][i], starts[f][i + 1], units) for f in fields]
            pairs += within(docs, _merged(close), seg.size)
    return pairs


def _followed(a: np.ndarray, b: np.ndarray, units: int) -> np.ndarray:
    """The documents where a start in `b` comes `units` to `units + NEAR` after one in
    `a` (sorted keys document << 32 | position): for each start of the shorter array,
    the nearest start of the other on the side that counts (in `b` the first at least
    `units` after, in `a` the last at least `units` before), checked once, instead of a
    set operation per gap."""
    if not len(a) or not len(b):
        return _NONE
    if len(a) < len(b):  # the fewer starts looked up among the more
        after = np.searchsorted(b, a + units)
        near = after < len(b)
        near[near] = b[after[near]] <= a[near] + (units + NEAR)
        return _sorted_unique(a[near] >> 32)
    before = np.searchsorted(a, b - units, side="right") - 1
    near = before >= 0
    near[near] = a[before[near]] >= b[near] - (units + NEAR)
    return _sorted_unique(b[near] >> 32)


def _scored(q: wq.Phrase, seg: Segment, lists, docs: np.ndarray):
    """A phrase scores as the sum of its words' scores (Whoosh's intersection matcher)."""
    scores = np.zeros(len(docs))
    for word, found in zip(q.words, lists, strict=True):
        scores += seg.bm25_at(q.fieldname, word, found, np.searchsorted(found.docs, docs))
    return docs, scores


def _dense(count: int, size: int) -> bool:
    """Whether arrays over all `size` documents of a segment are cheaper than sorting and
    searching for sets of `count` documents in all."""
    return count * DENSE >= size


def _union(parts: list[tuple[np.ndarray, np.ndarray]], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every document of the parts, scoring the sum of its scores (in the parts' order)."""
    parts = [p for p in parts if len(p[0])]
    if len(parts) < 2:
        return parts[0] if parts else (_NONE, np.zeros(0))
    if _dense(sum(len(d) for d, _ in parts), size):
        total, seen = np.zeros(size), np.zeros(size, dtype=bool)
        for d, s in parts:
            total[d] += s  # a part's documents are distinct
            seen[d] = True
        docs = np.flatnonzero(seen)
        return docs, total[docs]
    docs = np.concatenate([d for d, _ in parts])
    order = np.argsort(docs, kind="stable")  # Timsort merges the sorted runs
    docs, scores = docs[order], np.concatenate([s for _, s in parts])[order]
    starts = np.flatnonzero(_firsts(docs))
    return docs[starts], np.add.reduceat(scores, starts)


def _column_term(q: wq.Term, seg: Segment) -> np.ndarray:
    """Documents whose value of the column `q.fieldname` is `q.text` (for `tag`, whose
    set of tags holds it), from the segment's columns: a filter's term (人民日报 in
    `source`) is a few hundred thousand postings at a million articles, which Whoosh's
    blocks gave in 7 ms and the column gives in one. The fields are ID fields, a value a
    term as it is, and `tag`, a term per tag between commas, stripped (Whoosh's
    KEYWORD); their postings weigh 1, as the ones scored here."""
    values, ords = saved.segment_columns(seg.reader)[q.fieldname]
    if q.fieldname == "tag":
        wanted = [i for i, v in enumerate(values)
                  if q.text in {t.strip() for t in v.split(TAG_JOIN)}]
        return np.flatnonzero(np.isin(ords, wanted)) if wanted else _NONE
    at = bisect_left(values, q.text)
    if at == len(values) or values[at] != q.text or not q.text:
        return _NONE
    return np.flatnonzero(ords == at)


def _range(q: wq.TermRange, seg: Segment) -> np.ndarray:
    """Documents with any term of the field between the bounds (as Whoosh's TermRange;
    for a column, its values between them: a year of dates is 365 terms to read)."""
    if q.fieldname in COLUMNS and q.fieldname != "tag":
        values, ords = saved.segment_columns(seg.reader)[q.fieldname]
        lo = 1 if values[:1] == [""] else 0  # no value: no term
        if q.start is not None:
            lo = max(lo, (bisect_right if q.startexcl else bisect_left)(values, q.start))
        hi = len(values)
        if q.end is not None:
            hi = (bisect_left if q.endexcl else bisect_right)(values, q.end)
        return np.flatnonzero((ords >= lo) & (ords < hi)) if lo < hi else _NONE
    texts = [t.decode("utf-8") for t in q._btexts(seg.reader)]
    return _merged([seg.postings(q.fieldname, t).docs for t in texts])


# Document numbers come sorted and unique from every posting list and every node, so
# sets of them are combined by merging and binary search (np.unique and intersect1d
# sort again: 18 of 60 ms of a search for 民代表大 at 100,000 articles) — or, when the
# sets are large for their segment, in arrays with a place for every document, which
# costs a pass over the segment instead of a sort (济 AND 发展 at 100,000 articles:
# 3.0 -> 0.7 ms).

#: Sets holding more than 1/DENSE of a segment's documents are combined in dense arrays.
DENSE = 16


def within(docs: np.ndarray, other: np.ndarray, size: int) -> np.ndarray:
    """Which of `docs` (distinct document numbers below `size`) are in `other` (the same)."""
    if not _dense(len(docs) + len(other), size):
        return np.isin(docs, other, assume_unique=True)
    marked = np.zeros(size, dtype=bool)
    marked[other] = True
    return marked[docs]


def _merged(arrays: list[np.ndarray]) -> np.ndarray:
    """The sorted union of sorted, duplicate-free arrays."""
    if len(arrays) < 2:
        return arrays[0] if arrays else _NONE
    return _sorted_unique(np.concatenate(arrays))


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The items of sorted, duplicate-free `a` that are in sorted, duplicate-free `b`."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not len(small):
        return small
    at = np.searchsorted(large, small)
    at[at == len(large)] = 0
    return small[large[at] == small] if len(large) else large


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """`a` sorted, without duplicates (positions come sorted: only checked; joined sorted
    runs are merged by Timsort)."""
    if len(a) < 2:
        return a
    if (a[1:] < a[:-1]).any():
        a = np.sort(a, kind="stable")
    return a[_firsts(a)]


def _firsts(a: np.ndarray) -> np.ndarray:
    """Where each run of equal values of sorted, non-empty `a` starts."""
    return np.concatenate(([True], a[1:] != a[:-1]))
