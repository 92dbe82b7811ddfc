"""jieba's segmentation, computed by jieba-rs (the `rjieba` binding): same words, ~10× faster.

jieba-rs carries jieba's dictionary and its DAG + HMM algorithm, and agrees with
Python jieba on every Chinese word; it differs only in how a run is split into the
blocks it segments. Python jieba segments runs of `[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]`
and yields anything else a character at a time, while jieba-rs also takes rarer CJK
characters (extension A, beyond the BMP) into its runs; and where jieba cuts a
non-word stretch of Latin letters, digits and signs at the signs ("2010-02-13" →
2010, -, 02, -, 13), jieba-rs keeps it whole. `tokenize` splits the text into jieba's
blocks itself and cuts such stretches the way jieba's `finalseg` does, so that its
output equals `jieba.tokenize(text, HMM=True)` (tests compare the two on real
articles and on random mixtures of scripts).

Measured on 6.6 MB of news text: Python jieba 1.5 MB/s, jieba-rs 17 MB/s. The
dictionary takes ~35 MB in memory against Python jieba's ~90 MB, and loads in 0.1 s.

An archive's own words (its user dictionary, `userwords`) are added to a jieba of
their own, chosen for a stretch of work with `using(entries)`: every function here
segments with the dictionary of the innermost `using` in this thread (a context
variable: a server's threads each answer for their own archive), else jieba's. jieba-rs
cannot remove a word, so each dictionary is a jieba loaded afresh (0.1 s, ~35 MB);
the last `KEPT` are kept.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Iterator
from importlib import metadata

import rjieba

from .userwords import Entry

#: Characters jieba-rs segments in its runs and Python jieba yields one at a time: CJK
#: extension A, the end of the unified block jieba's range leaves out, compatibility
#: ideographs and the ideographs beyond the BMP (`re_han_default` against jieba-rs's
#: `RE_HAN_DEFAULT`). Elsewhere the two split text into runs alike.
_APART = re.compile("([\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff])")
#: `finalseg`'s `re_skip`: how jieba cuts a stretch of Latin letters, digits and signs that
#: is not a word.
_ALNUM = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")

VERSION = metadata.version("rjieba")


#: Dictionaries (besides jieba's own) kept loaded in a process: a server's archive, and
#: the one a `wenhai dict add` just made it change to.
KEPT = 2

_current: contextvars.ContextVar[rjieba.Jieba] = contextvars.ContextVar(
    "wenhai_jieba", default=rjieba._DEFAULT_JIEBA)


@functools.lru_cache(maxsize=KEPT)
def _jieba(entries: tuple[Entry, ...]) -> rjieba.Jieba:
    jieba = rjieba.Jieba()
    for word, freq, tag in entries:
        jieba.add_word(word, freq, tag)
    return jieba


#: The jieba of the entries last used, by the tuple's identity: hashing a dictionary of
#: 10,000 words for the cache above took ~1.8 ms, at every search. Replaced whole (a
#: tuple), so a thread reading it never sees one's entries with another's jieba.
_last: tuple = ((), rjieba._DEFAULT_JIEBA)


@contextlib.contextmanager
def using(entries: tuple[Entry, ...]) -> Iterator[None]:
    """Segment with jieba's dictionary plus `entries` (words normalized, as
    `userwords.for_jieba` gives them) within this block, in this thread."""
    global _last
    last_entries, jieba = _last
    if not entries:
        jieba = rjieba._DEFAULT_JIEBA
    elif last_entries is not entries:
        jieba = _jieba(entries)
        _last = (entries, jieba)
    token = _current.set(jieba)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> rjieba.Jieba:
    """The jieba segmenting here now (one object per dictionary: a key for memos)."""
    return _current.get()


def load() -> None:
    """Load the dictionary now rather than at the first text."""
    rjieba.tokenize("中文", mode="default", hmm=True)


def is_word(text: str) -> bool:
    """Whether the dictionary in use has `text` as a word (jieba's `FREQ.get(text)`)."""
    return _current.get().has_word(text)


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) as `jieba.tokenize(text, HMM=True)` gives them."""
    at = 0
    for i, piece in enumerate(_APART.split(text)):
        if i % 2:  # one of the characters jieba yields alone
            yield piece, at, at + 1
        elif piece:
            yield from _run(piece, at)
        at += len(piece)


def cut(text: str) -> list[str]:
    """The words of `tokenize(text)`, without their offsets (a third less time)."""
    out: list[str] = []
    for i, piece in enumerate(_APART.split(text)):
        if i % 2:
            out.append(piece)
        elif piece:
            jieba = _current.get()
            for word in jieba.cut(piece, hmm=True):
                if (
                    word.isascii()
                    and len(word) > 1
                    and not _ALNUM.fullmatch(word)
                    and not jieba.has_word(word)
                ):
                    out.extend(p for p in _ALNUM.split(word) if p)
                else:
                    out.append(word)
    return out


def _run(text: str, at: int) -> Iterator[tuple[str, int, int]]:
    jieba = _current.get()
    for word, start, end in jieba.tokenize(text, mode="default", hmm=True):
        if (
            word.isascii()
            and len(word) > 1
            and not _ALNUM.fullmatch(word)
            and not jieba.has_word(word)
        ):
            start += at
            for piece in _ALNUM.split(word):
                if piece:
                    yield piece, start, start + len(piece)
                    start += len(piece)
        else:
            yield word, start + at, end + at
