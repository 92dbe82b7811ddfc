"""Whoosh analyzers for Chinese: jieba words and character n-grams.

Two views of the same normalized text are indexed:

* **words** — jieba's segmentation (computed by jieba-rs: `segmenter`) with one position
  per word, so that a phrase of words matches only when the words stand next to each
  other. (jieba's stock ``ChineseAnalyzer`` uses character offsets as positions, which
  makes consecutive words look two or more positions apart and breaks phrase queries.)
  At index time the shorter dictionary words inside a long word (人民 and 法院 inside
  最高人民法院) are added at the long word's position, as jieba's search mode does.
* **grams** — every CJK character, every run of digits and every run of Latin letters
  is a *unit*; each unit is indexed as itself and as a bigram with the next unit, both
  at the unit's position. A number is one unit, so it keeps its boundaries: 2月26日
  does not match 12月26日, nor 15 match 150. (A query's last Latin run may go on: see
  `search.query.Continued`.) Any run of units can then be found exactly: one unit is a term, two
  or more are a phrase of consecutive bigrams. Units with punctuation or a line break
  between them form a marked bigram (中~国), so an exact match means nothing in between
  but spaces: the stray spaces self-media copies are full of (小米 第三季度财报 显示,
  left by links and bold text) count for nothing. This is what makes a query find
  text inside a longer word or across word boundaries, the way Ctrl-F would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from . import segmenter
from .normalize import normalize

#: Bump whenever tokenization changes: it is part of the index fingerprint.
#: 4: units with only spaces between them are neighbours (bigram 中国, not 中~国).
#: 5: a run of digits is one unit (2019, not 2 0 1 9): numbers keep their boundaries.
ANALYZER_VERSION = 5
#: Characters between two units that do not part them (after `normalize`: the
#: ideographic and no-break spaces are spaces by then): spaces, tabs, zero-width ones.
INLINE_SPACE = " \t\u200b\u200c\u200d\u2060\ufeff"

_UNIT = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]|[a-z]+|[0-9]+"
)
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff]")


def units(norm: str) -> list[tuple[str, int, int]]:
    """The gram units of normalized text: (unit, start, end)."""
    return [(m.group(), m.start(), m.end()) for m in _UNIT.finditer(norm)]


def bigram(norm: str, a: tuple[str, int, int], b: tuple[str, int, int]) -> str:
    """The term for two neighbouring units of the normalized text `norm`."""
    return _joined(a[0], b[0], parted(norm[a[2] : b[1]]))


def parted(gap: str) -> bool:
    """Whether what stands between two units parts them: anything but spaces."""
    return bool(gap.strip(INLINE_SPACE))


def _joined(a: str, b: str, apart: bool) -> str:
    """Units separated by punctuation or spaces get a different joiner, so 中国 does
    not match 中，国: an exact match means the same characters with nothing between."""
    if apart:
        return f"{a}~{b}"
    # A space keeps "ab"+"c" apart from "a"+"bc" (runs of letters or digits).
    if a.isascii() or b.isascii():
        return f"{a} {b}"
    return a + b


def split_bigram(term: str) -> tuple[str, str, bool] | None:
    """(unit, unit, parted) as `_joined` spells a bigram term (中国, 中~国, su 7), or None
    for a term of one unit; the units are not checked."""
    if "~" in term:
        a, _, b = term.partition("~")
        return a, b, True
    if " " in term:
        a, _, b = term.partition(" ")
        return a, b, False
    if len(term) == 2 and term[0] > "\x7f" and term[1] > "\x7f":
        return term[0], term[1], False
    return None


def loosened(term: str) -> tuple[str, ...]:
    """A bigram of two CJK characters and its other spelling, parted or not: 中国 → (中国,
    中~国). Numbers and Latin words keep their one spelling: 4.2 is not 42."""
    pair = split_bigram(term)
    if pair is None or pair[0].isascii() or pair[1].isascii():
        return (term,)
    return (_joined(pair[0], pair[1], False), _joined(pair[0], pair[1], True))


def gram_terms(text: str) -> list[str]:
    """The terms a query for `text` must match, in order, on a grams field.

    One unit gives one unigram; more give their consecutive bigrams.
    """
    norm = normalize(text)
    us = units(norm)
    if len(us) <= 1:
        return [u for u, _, _ in us]
    return [bigram(norm, a, b) for a, b in zip(us, us[1:], strict=False)]


def words(text: str, *, subwords: bool = False) -> list[tuple[str, int, int, bool]]:
    """jieba words of `text` as (word, start, end, is_subword), normalized, no punctuation."""
    norm = normalize(text)
    out: list[tuple[str, int, int, bool]] = []
    for token, start, end in _tokenize(norm):
        word = _word(token)
        if word is None:
            continue
        out.append((word, start, end, False))
        if subwords:
            out.extend((sub, start + i, start + i + len(sub), True) for i, sub in _subwords(word))
    return out


def _word(token: str) -> str | None:
    """The word a jieba token stands for, or None for punctuation and spaces."""
    if not _WORDLIKE.search(token):
        return None
    return token.strip() or None


def _subwords(word: str) -> Iterator[tuple[int, str]]:
    """(offset, word) of the dictionary words of two and three characters inside a longer
    word, as jieba's search mode finds them."""
    if len(word) > 2:
        for n in (2, 3):
            for i in range(len(word) - n + 1 if len(word) > n else 0):
                sub = word[i : i + n]
                if segmenter.is_word(sub):
                    yield i, sub


#: jieba's memory grows with the length of an unpunctuated run; longer runs are cut.
CHUNK_CHARS = 4000
_BREAK = re.compile(r"[\s,.!?;:。，！？；：、…]")


def _tokenize(norm: str) -> Iterator[tuple[str, int, int]]:
    """jieba.tokenize over pieces of at most CHUNK_CHARS, cut at punctuation when possible.

    jieba splits at punctuation itself, so for ordinary text the result is the same;
    only a run longer than CHUNK_CHARS with no punctuation is cut at an arbitrary point.
    """
    for pos, piece in pieces(norm):
        for word, start, stop in segmenter.tokenize(piece):
            yield word, pos + start, pos + stop


def pieces(norm: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) of `_tokenize`'s pieces of at most CHUNK_CHARS."""
    pos = 0
    while pos < len(norm):
        end = min(len(norm), pos + CHUNK_CHARS)
        if end < len(norm):
            cut = None
            for m in _BREAK.finditer(norm, pos + CHUNK_CHARS // 2, end):
                cut = m.end()
            end = cut or end
        yield pos, norm[pos:end]
        pos = end


def index_words(token: str) -> tuple[str, ...]:
    """What `words(..., subwords=True)` indexes for one token jieba gave: nothing for
    punctuation and spaces, else the word and the dictionary words inside it."""
    found = _word(token)
    return () if found is None else (found, *(sub for _, sub in _subwords(found)))


class _SpanTokenizer(Tokenizer):
    """Turns (text, position, start, end) spans into the Token stream Whoosh expects."""

    def spans(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in self.spans(value, mode):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class WordTokenizer(_SpanTokenizer):
    """jieba words, one position per word; sub-words stacked at index time only."""

    def spans(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        pos = -1
        for word, start, end, is_sub in words(value, subwords=(mode == "index")):
            if not is_sub:
                pos += 1
            yield word, pos, start, end


class GramTokenizer(_SpanTokenizer):
    """CJK unigrams and bigrams (numbers and Latin words as units), one position per unit."""

    def spans(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        norm = normalize(value)
        us = units(norm)
        for i, (unit, start, end) in enumerate(us):
            yield unit, i, start, end
            if i + 1 < len(us):
                yield bigram(norm, us[i], us[i + 1]), i, start, us[i + 1][2]


# -- postings without Token objects ---------------------------------------------------
#
# Whoosh's generic path makes a Token per term occurrence and runs it through its
# Positions format; for n-grams that is most of the indexing work outside Whoosh's
# own writer (measured: 21 of 77 profiled seconds for 1,000 articles). These build the
# same (term bytes, frequency, weight, encoded positions) tuples directly, byte for byte,
# and are cheap to ship from a worker process.

#: (term as UTF-8, frequency, weight, positions as Whoosh's Positions format encodes them)
Posting = tuple[bytes, int, float, bytes]
_encode_positions = Positions().encode
#: Most of a document's terms occur once: their encoded positions are made once per process.
_ONE_POSITION: dict[int, bytes] = {}
_ONE_POSITION_MAX = 1 << 16


def _encoded(positions: list[int]) -> bytes:
    if len(positions) == 1 and (pos := positions[0]) < _ONE_POSITION_MAX:
        if (found := _ONE_POSITION.get(pos)) is None:
            found = _ONE_POSITION[pos] = _encode_positions(positions)
        # A new object each time: Whoosh pickles a block's values together, and pickle
        # writes an object met twice as a back-reference, so shared objects would make
        # a block's bytes depend on which values happened to be shared.
        return found[:4] + found[4:]
    return _encode_positions(positions)


def _postings(poses: dict[str, list[int]]) -> list[Posting]:
    return [(term.encode("utf-8"), len(p), float(len(p)), _encoded(p)) for term, p in poses.items()]


def _collect(poses: dict[str, list[int]], terms: Iterable[str]) -> None:
    """Adds each term's position (its index in `terms`) to `poses`."""
    get = poses.get
    for pos, term in enumerate(terms):
        if (found := get(term)) is None:
            poses[term] = [pos]
        else:
            found.append(pos)


def word_postings(text: str) -> list[Posting]:
    """What `WordTokenizer` indexes for `text`, as postings."""
    poses: dict[str, list[int]] = {}
    for word, pos, _, _ in WordTokenizer().spans(text, "index"):
        if (found := poses.get(word)) is None:
            poses[word] = [pos]
        else:
            found.append(pos)
    return _postings(poses)


#: `_UNIT` for `re.split`: the text between units and the units, alternately.
_UNIT_SPLIT = re.compile(f"({_UNIT.pattern})")


def gram_postings(text: str) -> list[Posting]:
    """What `GramTokenizer` indexes for `text`, as postings.

    The same terms as `units` and `bigram` give, made from one `re.split` instead of a
    match object per character: between two units is "" when they touch, and a unit is
    ASCII exactly when it is below DEL (a CJK unit is one character above it).
    """
    parts = _UNIT_SPLIT.split(normalize(text))
    us = parts[1::2]
    between = parts[2:-1:2]
    poses: dict[str, list[int]] = {}
    _collect(poses, us)
    _collect(
        poses,
        [
            a + b if not gap and a > "\x7f" and b > "\x7f" else _joined(a, b, parted(gap))
            for a, b, gap in zip(us, us[1:], between, strict=False)
        ],
    )
    return _postings(poses)


def fingerprint() -> str:
    """What built an index's terms: changes here mean the index must be rebuilt."""
    from .normalize import fingerprint as norm_fp

    # jieba's words, by jieba-rs: the same words (see `segmenter`), but recorded all the same.
    return f"a{ANALYZER_VERSION}-rjieba{segmenter.VERSION}-n{norm_fp()}"
