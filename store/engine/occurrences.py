"""Where each term occurs: a batch of texts analysed at once into arrays.

Indexing used to turn each document into a dictionary of terms and lists of positions,
a few Python objects per character (n-grams were ~3 ms of an article's ~25 ms; the
writer's per-term and per-posting work most of the rest). Here a whole batch of texts
becomes three arrays — term key, document, position — one entry per occurrence, which
`columnar` sorts and groups into posting lists with numpy.

* **grams**: the batch is joined and encoded as code points; normalization is a table
  lookup (`normalize.code_table`, the same mapping as `normalize`), units and bigrams
  are found with array comparisons, and each term is an integer (`gram_key`) rather
  than a string. Runs of Latin letters and runs of digits, the only units longer than
  one character, are numbered through a sorted table of their own (`strings`).
* **words**: jieba's words as before (`analysis.words`), numbered by their rank in the
  batch's sorted vocabulary (`strings`).

The terms are exactly those of `analysis.GramTokenizer` and `analysis.WordTokenizer`,
at the same positions (tested).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from itertools import chain

import numpy as np

from ..text import analysis, segmenter
from ..text.normalize import CJK_RANGES, code_table, normalize

#: Units are coded in 27 bits: CJK characters by their code point, runs of Latin letters
#: or of digits as LATIN + their rank in the field's table of runs.
LATIN = 0x40000
_UNIT_BITS = 27
_UNIT_MASK = (1 << _UNIT_BITS) - 1
#: Bigram keys have this bit set: (first unit, second unit, apart) below it.
BIGRAM = 1 << 60
_OTHER, _CJK, _DIGIT, _LATIN = 0, 1, 2, 3
_INLINE_SPACE = np.array([ord(c) for c in analysis.INLINE_SPACE], dtype=np.uint32)


@dataclass
class Occurrences:
    """Every occurrence of every term in a batch of texts, in document and position order."""

    keys: np.ndarray  # int64 term key
    docs: np.ndarray  # int64 document, from 0 in the batch
    positions: np.ndarray  # int64 position in its document
    #: What keys refer to: words by rank; for grams, the Latin runs (LATIN + rank).
    strings: list[str]
    #: Each document's field length as Whoosh counts it (occurrences).
    lengths: np.ndarray


@functools.lru_cache(maxsize=1)
def _classes() -> np.ndarray:
    table = np.zeros(len(code_table()), np.uint8)
    for lo, hi in CJK_RANGES:
        table[lo : hi + 1] = _CJK
    table[ord("0") : ord("9") + 1] = _DIGIT
    table[ord("a") : ord("z") + 1] = _LATIN
    return table


def _shifted(a: np.ndarray, fill) -> np.ndarray:
    """`a` moved one place right: each item's predecessor."""
    return np.concatenate(([fill], a[:-1]))


def grams(texts: list[str]) -> Occurrences:
    """The unigrams and bigrams of `texts` (see `analysis.GramTokenizer`)."""
    n = len(texts)
    sizes = np.fromiter(map(len, texts), np.int64, n)
    # Joined by a character that is no unit: it parts the last unit of one text from
    # the first of the next, and bigrams never cross texts anyway.
    raw = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), "<u4")
    table = code_table()
    inside = raw < len(table)
    norm = np.where(inside, table[np.minimum(raw, len(table) - 1)], raw)
    kind = np.where(inside, _classes()[np.minimum(norm, len(table) - 1)], _OTHER)
    # A run is letters or digits, one kind: a1 is two runs.
    run_start = (kind >= _DIGIT) & (kind != _shifted(kind, _OTHER))
    is_unit = (kind == _CJK) | run_start
    at = np.flatnonzero(is_unit)
    codes = norm[at].astype(np.int64)
    ends = at + 1
    strings: list[str] = []
    if run_start.any():
        starts = np.flatnonzero(run_start)
        stops = np.flatnonzero((kind >= _DIGIT) & (kind != np.append(kind[1:], _OTHER))) + 1
        text = norm.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
        runs = [text[a:b] for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]
        strings = sorted(set(runs))
        rank = {s: i for i, s in enumerate(strings)}
        which = np.searchsorted(at, starts)
        codes[which] = LATIN + np.fromiter((rank[r] for r in runs), np.int64, len(runs))
        ends[which] = stops
    # Each unit's document and position within it.
    text_starts = np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))
    docs = np.searchsorted(text_starts, at, side="right") - 1
    first = np.searchsorted(docs, np.arange(n))
    positions = np.arange(len(at)) - first[docs]
    # Bigrams: each unit with the next one in the same text, parted by anything in
    # between but spaces (`analysis.parted`): count the characters that part, up to each.
    parting = np.concatenate(([0], np.cumsum(~np.isin(norm, _INLINE_SPACE))))
    pair = docs[1:] == docs[:-1]
    apart = (parting[at[1:]] > parting[ends[:-1]])[pair]
    bigrams = BIGRAM | (codes[:-1][pair] << (_UNIT_BITS + 1)) | (codes[1:][pair] << 1) | apart
    pair_docs = docs[:-1][pair]
    all_docs = np.concatenate((docs, pair_docs))
    return Occurrences(
        keys=np.concatenate((codes, bigrams)),
        docs=all_docs,
        positions=np.concatenate((positions, positions[:-1][pair])),
        strings=strings,
        lengths=np.bincount(all_docs, minlength=n),
    )


#: What `analysis.index_words` gave each token seen (a word's sub-words need dictionary
#: lookups, and words repeat), for the dictionary in use (`segmenter.current`): cleared
#: when it grows past `_MEMO_MAX` tokens or the dictionary changes.
_MEMO: dict[str, tuple[str, ...]] = {}
_MEMO_MAX = 100_000
_MEMO_OF: list = [None]


def words(texts: list[str]) -> Occurrences:
    """jieba's words of `texts` with the sub-words of long words (`analysis.WordTokenizer`,
    index mode): one position per word, sub-words at their word's position."""
    if len(_MEMO) > _MEMO_MAX or _MEMO_OF[0] is not segmenter.current():
        _MEMO.clear()
        _MEMO_OF[0] = segmenter.current()
    memo = _MEMO
    entries: list[tuple[str, ...]] = []
    per_doc = np.zeros(len(texts), np.int64)
    for doc, text in enumerate(texts):
        before = len(entries)
        for _, piece in analysis.pieces(normalize(text)):
            for token in segmenter.cut(piece):
                found = memo.get(token)
                if found is None:
                    found = memo[token] = analysis.index_words(token)
                if found:
                    entries.append(found)
        per_doc[doc] = len(entries) - before
    sizes = np.fromiter(map(len, entries), np.int64, len(entries))
    flat = list(chain.from_iterable(entries))
    ids: dict[str, int] = {}
    numbered = np.fromiter((ids.setdefault(w, len(ids)) for w in flat), np.int64, len(flat))
    strings = sorted(ids)
    rank = np.empty(len(ids), np.int64)
    rank[np.fromiter((ids[s] for s in strings), np.int64, len(strings))] = np.arange(len(strings))
    token_docs = np.repeat(np.arange(len(texts)), per_doc)
    first = np.concatenate(([0], np.cumsum(per_doc)[:-1]))
    token_positions = np.arange(len(entries)) - first[token_docs]
    docs = np.repeat(token_docs, sizes)
    return Occurrences(
        keys=rank[numbered] if len(flat) else numbered,
        docs=docs,
        positions=np.repeat(token_positions, sizes),
        strings=strings,
        lengths=np.bincount(docs, minlength=len(texts)),
    )


# -- gram terms as keys ---------------------------------------------------------------


def _unit_code(unit: str, latin: LatinTable) -> int | None:
    if not unit.isascii():  # a CJK character; runs of letters or digits are ASCII
        return ord(unit)
    found = latin.rank(unit)
    return None if found is None else LATIN + found


class LatinTable:
    """A field's sorted table of runs (of Latin letters or digits), for looking a run's
    rank up."""

    def __init__(self, strings):
        self._strings = strings

    def ranks_from(self, run: str) -> tuple[int, int]:
        """The ranks [lo, hi) of the runs that are `run` or go on from it with more
        letters (the table is sorted, and a run's letters are below "{")."""
        return bisect.bisect_left(self._strings, run), bisect.bisect_left(self._strings, run + "{")

    def rank(self, run: str) -> int | None:
        strings = self._strings
        lo, hi = 0, len(strings)
        while lo < hi:
            mid = (lo + hi) // 2
            if strings[mid] < run:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(strings) and strings[lo] == run else None


def gram_key(term: str, latin: LatinTable) -> int | None:
    """The key of a gram term as `analysis` spells it (国, 中国, 中~国, su 7, 2019 年),
    or None if the field has no such term (an unknown run, not a gram at all)."""
    parsed = _parsed(term)
    if parsed is None:
        return None
    if len(parsed) == 1:
        return _unit_code(parsed[0], latin)
    a, b, apart = parsed
    ca, cb = _unit_code(a, latin), _unit_code(b, latin)
    if ca is None or cb is None:
        return None
    return BIGRAM | (ca << (_UNIT_BITS + 1)) | (cb << 1) | apart


def continued_keys(term: str, latin: LatinTable) -> tuple[int, int, int] | None:
    """(lo, hi, apart) of the keys of the gram terms that are `term` (ending in a run of
    Latin letters: hold, 用 iphone) or go on from its last run with more letters
    (holdings, 用 iphonexs): every key in [lo, hi) with its lowest bit `apart`
    (a bigram's; 0 for unigrams, whose keys are all in the range). None if the term
    cannot go on."""
    parsed = _parsed(term)
    last = None if parsed is None else parsed[0] if len(parsed) == 1 else parsed[1]
    if last is None or not (last.isascii() and last.isalpha()):
        return None
    if len(parsed) == 1:
        lo, hi = latin.ranks_from(parsed[0])
        return LATIN + lo, LATIN + hi, 0
    a, b, apart = parsed
    ca = _unit_code(a, latin)
    if ca is None:
        return None
    lo, hi = latin.ranks_from(b)
    head = BIGRAM | (ca << (_UNIT_BITS + 1))
    return head | ((LATIN + lo) << 1), head | ((LATIN + hi) << 1), apart


@functools.lru_cache(maxsize=4096)
def _parsed(term: str) -> tuple | None:
    """(unit,) or (unit, unit, apart) for a gram term, None for anything else. A term is
    looked up in each field of each segment: parsed once.

    Only the spelling `analysis._joined` gives is a term: 中国, su 7, 中 a, 中~国; the
    same units joined otherwise (中 国, su7) are no term of the index.
    """
    pair = analysis.split_bigram(term)
    if pair is None:
        return (term,) if _is_unit(term) else None
    a, b, parted = pair
    if not (_is_unit(a) and _is_unit(b)):
        return None
    return (a, b, int(parted)) if analysis._joined(a, b, parted) == term else None


def _is_unit(text: str) -> bool:
    return analysis.units(text) == [(text, 0, len(text))]


def gram_term(key: int, strings) -> str:
    """The term `gram_key` gives `key` for."""
    if key < BIGRAM:
        return _unit_text(key, strings)
    a = _unit_text((key >> (_UNIT_BITS + 1)) & _UNIT_MASK, strings)
    b = _unit_text((key >> 1) & _UNIT_MASK, strings)
    return analysis._joined(a, b, bool(key & 1))


def _unit_text(code: int, strings) -> str:
    return strings[code - LATIN] if code >= LATIN else chr(code)


def remap_latin(keys: np.ndarray, new_rank: np.ndarray) -> np.ndarray:
    """`keys` with each Latin run's rank replaced by `new_rank[rank]` (a merged table).

    `new_rank` is increasing, so keys in order stay in order.
    """
    if not len(new_rank):
        return keys
    out = keys.copy()
    uni = keys < BIGRAM
    code = keys[uni]
    hit = code >= LATIN
    code[hit] = LATIN + new_rank[code[hit] - LATIN]
    out[uni] = code
    big = ~uni
    if big.any():
        a = (keys[big] >> (_UNIT_BITS + 1)) & _UNIT_MASK
        b = (keys[big] >> 1) & _UNIT_MASK
        for part in (a, b):
            hit = part >= LATIN
            part[hit] = LATIN + new_rank[part[hit] - LATIN]
        out[big] = BIGRAM | (a << (_UNIT_BITS + 1)) | (b << 1) | (keys[big] & 1)
    return out
