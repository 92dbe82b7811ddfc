"""Words jieba does not know, found in the texts themselves: frequent strings that hold
together and stand among varied neighbours.

The classic new-word measures (Matrix67's "互联网时代的社会语言学"): a candidate
n-gram of 2–6 units (a CJK character, a run of Latin letters, a run of digits, as the
n-gram field counts them) must be frequent, *cohesive* — the least pointwise mutual
information over the ways to cut it in two, log p(w) / (p(a)·p(b)), is high: its parts
occur together far more than chance — and *free* — the entropy of the units to its
left and to its right is high: it is used in many contexts, where a piece of a longer
word (小米汽 before 车) always has the same neighbour. Score: cohesion × freedom.
Strings jieba keeps whole (with the dictionary in use: `segmenter.using`) are left out.

Counting is level by level (apriori): an n-gram can be frequent only where the two
(n−1)-grams in it are, so each level looks only at the positions the level below kept.
Memory and time grow with the text read, which the caller bounds (`SAMPLE_CHARS`):
on a 10,000-article archive of real news (bench/scale.py), 2 M characters (1,250
articles) took 10.7 s with a peak RSS of 291 MB for the whole command (20 s with the
2 cores at a load average of 12), 4 M took 41 s and 541 MB at that load
(bench/dictionary.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

from . import segmenter
from .normalize import normalize

#: Characters of text read by default: enough for a name repeated across articles to
#: stand out, and a bounded cost however large the archive.
SAMPLE_CHARS = 2_000_000
MIN_COUNT = 5
#: Least cohesion (natural log): the parts occur together e³ ≈ 20 times as often as chance.
MIN_COHESION = 3.0
MAX_UNITS = 6
#: Characters a word seldom begins or ends with: particles, conjunctions, measure words.
_EDGES = set("的了是在和与及或等也都就而对将把被从向于为之其这那个有着过不")
_RUN = re.compile(r"[a-z]+|[0-9]+")
#: What is no unit (after runs are coded): parts the units on either side.
_APART = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U000F0000-\U000FFFFD]+")
#: Between runs, in the text counted: no n-gram crosses it.
_GAP = "\n"
#: Latin and digit runs are coded as characters of the private use area while counting,
#: so that every unit is one character and an n-gram is a substring.
_PRIVATE = 0xF0000
_OWN_PRIVATE = re.compile("[\U000F0000-\U000FFFFD]+")


class Candidate(NamedTuple):
    text: str
    count: int
    score: float
    pieces: list[str]


class _Coder:
    """Each run of Latin letters or digits as one private character, and back."""

    def __init__(self):
        self.codes: dict[str, str] = {}
        self.runs: list[str] = []

    def code(self, norm: str) -> str:
        """`norm` as units, each one character; a gap where units do not touch (and for
        characters of the private use area the text itself has)."""
        return _APART.sub(_GAP, _RUN.sub(self._run, _OWN_PRIVATE.sub(_GAP, norm))) + _GAP

    def _run(self, m: re.Match) -> str:
        run = m.group()
        if (found := self.codes.get(run)) is None:
            found = self.codes[run] = chr(_PRIVATE + len(self.runs))
            self.runs.append(run)
        return found

    def units(self, coded: str) -> list[str]:
        return [self.runs[ord(c) - _PRIVATE] if ord(c) >= _PRIVATE else c for c in coded]


def candidates(texts: Iterable[str], limit: int = 50,
               min_count: int = MIN_COUNT) -> list[Candidate]:
    """The `limit` most word-like strings of `texts` that jieba splits, best first."""
    coder = _Coder()
    s = "".join(coder.code(normalize(t)) for t in texts)
    counts = Counter(s)
    del counts[_GAP]
    total = max(1, sum(counts.values()))
    frequent = {u for u, c in counts.items() if c >= min_count}
    positions = np.flatnonzero(
        np.fromiter(map(frequent.__contains__, s), bool, len(s))).astype(np.int32)
    found: dict[str, tuple[int, float, list[str]]] = {}  # n-gram: count, cohesion, pieces
    where: list[tuple[int, np.ndarray]] = []  # (n, where the frequent n-grams start)
    for n in range(2, MAX_UNITS + 1):
        # an n-gram can be frequent where the (n-1)-grams at i and i+1 both are
        starts = np.zeros(len(s) + 1, bool)
        starts[positions] = True
        positions = positions[starts[positions + 1]]
        level = {g: c for g, c in Counter(_substrings(s, positions, n)).items()
                 if c >= min_count}
        positions = positions[np.fromiter(map(level.__contains__, _substrings(s, positions, n)),
                                          bool, len(positions))]
        where.append((n, positions))
        counts.update(level)
        for gram, count in level.items():
            cohesion = min(math.log(count * total / (counts[gram[:k]] * counts[gram[k:]]))
                           for k in range(1, n))
            if cohesion < MIN_COHESION:
                continue
            units = coder.units(gram)
            if _plausible(units) and len(pieces := segmenter.cut("".join(units))) > 1:
                found[gram] = (count, cohesion, pieces)  # (else jieba keeps it whole)
    left: dict[str, list[str]] = {g: [] for g in found}
    right: dict[str, list[str]] = {g: [] for g in found}
    for n, at in where:
        grams = _substrings(s, at, n)
        for i in at[np.fromiter(map(found.__contains__, grams), bool, len(at))].tolist():
            gram = s[i : i + n]
            left[gram].append(s[i - 1] if i else _GAP)
            right[gram].append(s[i + n])
    out = []
    for gram, (count, cohesion, pieces) in found.items():
        freedom = min(_entropy(left[gram]), _entropy(right[gram]))
        if freedom > 0:
            out.append(Candidate("".join(coder.units(gram)), count,
                                 round(cohesion * freedom, 2), pieces))
    out.sort(key=lambda c: (-c.score, -c.count, c.text))
    return out[:limit]


def _substrings(s: str, starts: np.ndarray, n: int) -> Iterator[str]:
    """The `n` characters of `s` at each of `starts` (sliced in C, not in a Python loop)."""
    return map(s.__getitem__, map(slice, starts.tolist(), (starts + n).tolist()))


def _entropy(neighbours: list[str]) -> float:
    """Entropy of the neighbours; each gap (text's edge, punctuation) a neighbour of its
    own, as a word standing alone is free."""
    seen = Counter(neighbours)
    apart = seen.pop(_GAP, 0)
    n = len(neighbours)
    h = -sum(k / n * math.log(k / n) for k in seen.values())
    return h + apart * (math.log(n) / n)


def _plausible(units: list[str]) -> bool:
    """Whether `units` could be a word: no particle at either edge, no number standing
    alone (2018年, 10月: a number and its unit), at most 12 characters."""
    if units[0] in _EDGES or units[-1] in _EDGES or sum(map(len, units)) > 12:
        return False
    for k, unit in enumerate(units):
        if unit.isdigit() and not (k and units[k - 1].isascii() and units[k - 1].isalpha()):
            return False
    return True


def _joined(units: list[str]) -> str:
    """The text of touching units (a letter run and a digit run: su7)."""
    return "".join(units)
