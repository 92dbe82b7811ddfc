"""Highlighted, HTML-escaped snippets cut at Chinese sentence punctuation.

Matching runs on the normalized text and marks the original characters: the
normalization is character for character, so offsets carry over unchanged and a
traditional article shows its own traditional characters, marked.

Spaces count for nothing, as in the index (`analysis.INLINE_SPACE`): a needle matches
across the stray spaces of a copied text and its mark covers them.

Everything here is linear in the text and its matches, whatever their number. The text
is one array of normalized code points; each needle's occurrences are found with array
comparisons (its first character over the text, the others at the candidates), longest
needle first, each keeping the places no longer needle took; each match's sentence is
found by binary search over the sentence ends, and the best sentence by counting per
sentence. (Checking every match against every other, and every sentence against every
match, took 4 s for 的 in a long statute.)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import numpy as np
from markupsafe import Markup, escape

from .analysis import INLINE_SPACE
from .normalize import CJK_RANGES, codes, normalize, normalized_points

_SENTENCE_END = "。！？；!?;\n"
_SENTENCE_RE = re.compile(f"[{_SENTENCE_END}]")
SNIPPET_CHARS = 120
_NONE = np.zeros(0, dtype=np.int64)
#: Texts shorter than this are matched with Python's string methods (a news article's
#: snippet and a title: numpy's per-call costs were most of a page of 100 hits).
SMALL = 2000


def _ordered(needles: list[str]) -> list[str]:
    """Distinct needles, longest first (then in code point order, so ties are stable)."""
    return sorted({n for n in needles if n}, key=lambda n: (-len(n), n))


def _occurrences(text: np.ndarray, needle: np.ndarray) -> np.ndarray:
    """Every start of `needle` in `text` (code point arrays), overlapping ones too."""
    size = len(needle)
    if size > len(text):
        return _NONE
    at = np.flatnonzero(text[: len(text) - size + 1] == needle[0])
    for i in range(1, size):
        at = at[text[at + i] == needle[i]]
    return at


def _has_border(needle: str) -> bool:
    """Whether two occurrences of `needle` can overlap (a proper prefix is also a suffix)."""
    return any(needle[:k] == needle[-k:] for k in range(1, len(needle)))


#: What a needle skips in the text, and in itself: spaces (`INLINE_SPACE`) for a needle,
#: anything but letters, digits and CJK characters for a loose one (a passage typed
#: without its punctuation): per code point for arrays (`_skipped`), and as patterns for
#: strings.
_LOOSE_SKIP = np.ones(0x30001, dtype=bool)
for _lo, _hi in (*CJK_RANGES, (ord("0"), ord("9")), (ord("a"), ord("z"))):
    _LOOSE_SKIP[_lo : _hi + 1] = False
_SKIP_CHARS = {False: re.compile(f"[{re.escape(INLINE_SPACE)}]"),
               True: re.compile("[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                                "\U00020000-\U0002ffff0-9a-z]")}


def _any_of(points: np.ndarray, chars: str) -> np.ndarray:
    """Which of `points` are one of the few `chars`: a comparison per character costs a
    tenth of a lookup per code point in a table."""
    found = np.zeros(len(points), dtype=bool)
    for c in chars:
        found |= points == ord(c)
    return found


def _skipped(norm: np.ndarray, loose: bool) -> np.ndarray:
    """The places of the characters a needle skips, in order."""
    if loose:
        return np.flatnonzero(np.take(_LOOSE_SKIP, norm, mode="clip"))  # past the table: skip
    return np.flatnonzero(_any_of(norm, INLINE_SPACE))


class _Kept:
    """The places in a text of the characters left when those at `skipped` are taken
    out, computed only for the places asked (a long text has a few spaces: copying the
    place of every other character cost more than finding the matches)."""

    def __init__(self, skipped: np.ndarray):
        # Where each skipped character would stand in the text without them.
        self._shift = skipped - np.arange(len(skipped))

    def __getitem__(self, places: np.ndarray) -> np.ndarray:
        return places + np.searchsorted(self._shift, places, side="right")


#: Runs of letters and of digits keep their boundaries, as in the index: a needle that
#: starts with a letter or digit starts where such a run starts (su not in usual, 2 not
#: in 12), and one ending in a digit ends where the number does (15 not in 150); letters
#: may go on (iphone in iphonex). Per code point: 1 letter, 2 digit, 0 anything else.
_RUN_KIND = np.zeros(0x30001, dtype=np.int8)
_RUN_KIND[ord("a") : ord("z") + 1] = 1
_RUN_KIND[ord("0") : ord("9") + 1] = 2


def _run_kind(c: str) -> int:
    return 1 if "a" <= c <= "z" else 2 if "0" <= c <= "9" else 0


class _Runs:
    """The run kind of the characters next to a kept character in the text itself
    (spaces between two runs part them there, as in the index), looked up only at the
    places asked: a needle of CJK characters never asks, and the others ask at their
    occurrences, not at every character of a long text."""

    def __init__(self, norm: np.ndarray, kept: _Kept | None):
        self.norm, self.kept = norm, kept

    def _kind(self, places: np.ndarray, step: int) -> np.ndarray:
        """The run kind of the character `step` away from each kept one at `places`."""
        at = (places if self.kept is None else self.kept[places]) + step
        inside = (at >= 0) & (at < len(self.norm))
        kinds = np.take(_RUN_KIND, self.norm[np.clip(at, 0, len(self.norm) - 1)], mode="clip")
        return np.where(inside, kinds, 0)

    def before(self, places: np.ndarray) -> np.ndarray:
        return self._kind(places, -1)

    def after(self, places: np.ndarray) -> np.ndarray:
        return self._kind(places, 1)


def _bounded(starts, size: int, needle: str, runs: _Runs):
    """The `starts` of a needle's occurrences that keep the runs' boundaries."""
    first, last = _run_kind(needle[0]), _run_kind(needle[-1])
    if first and len(starts):
        starts = starts[runs.before(starts) != first]
    if last == 2 and len(starts):
        starts = starts[runs.after(starts + size - 1) != 2]
    return starts


def _stripped(needle: str, loose: bool) -> str:
    return _SKIP_CHARS[loose].sub("", needle)


def _matches(norm: np.ndarray, needles: list[str],
             loose: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_unspaced_matches`, skipping what `_skipped` says in the text and the needles: a
    needle matches across the stray spaces of a copied text (a loose one across its
    punctuation too), and its mark covers them."""
    skipped = _skipped(norm, loose)
    needles = [_stripped(n, loose) for n in needles]
    if not len(skipped):
        return _unspaced_matches(norm, needles, _Runs(norm, None))
    kept = _Kept(skipped)
    starts, ends, numbers = _unspaced_matches(np.delete(norm, skipped), needles,
                                              _Runs(norm, kept))
    return kept[starts], kept[ends - 1] + 1, numbers


def _unspaced_matches(norm: np.ndarray, needles: list[str],
                      runs: _Runs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, needle number in `_ordered(needles)`) of the matches, by start.

    Longest needles first: each takes, from the left, its occurrences that overlap
    nothing taken before, so where needles overlap the longest wins. An occurrence
    inside a number or at a word's middle is none (`_bounded`).
    """
    taken_starts, taken_ends = _NONE, _NONE  # what longer needles took, by start
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for number, needle in enumerate(_ordered(needles)):
        starts = _bounded(_occurrences(norm, codes(needle)), len(needle), needle, runs)
        if len(taken_starts) and len(starts):
            # The last match taken that starts before this one ends must end before it starts.
            before = np.searchsorted(taken_starts, starts + len(needle)) - 1
            starts = starts[(before < 0) | (taken_ends[np.maximum(before, 0)] <= starts)]
        if _has_border(needle) and len(starts) > 1:  # self-overlapping: leftmost first
            kept, free_from = [], -1
            for at in starts.tolist():
                if at >= free_from:
                    kept.append(at)
                    free_from = at + len(needle)
            starts = np.array(kept, dtype=np.int64)
        if not len(starts):
            continue
        found.append((starts, starts + len(needle), np.full(len(starts), number)))
        taken_starts = np.concatenate((taken_starts, starts))
        order = np.argsort(taken_starts, kind="stable")
        taken_starts = taken_starts[order]
        taken_ends = np.concatenate((taken_ends, starts + len(needle)))[order]
    if not found:
        return _NONE, _NONE, _NONE
    starts, ends, numbers = (np.concatenate(part) for part in zip(*found, strict=True))
    order = np.argsort(starts, kind="stable")
    return starts[order], ends[order], numbers[order]


def _small_matches(norm: str, needles: list[str],
                   loose: bool = False) -> list[tuple[int, int, int]]:
    """`_matches` for a short text, with `str.find`: (start, end, needle number), by start."""
    needles = [_stripped(n, loose) for n in needles]
    skip = _SKIP_CHARS[loose]
    if not skip.search(norm):
        return _small_unspaced_matches(norm, needles, norm, range(len(norm)))
    kept = [i for i, c in enumerate(norm) if not skip.match(c)]
    found = _small_unspaced_matches("".join(norm[i] for i in kept), needles, norm, kept)
    return [(kept[a], kept[b - 1] + 1, number) for a, b, number in found]


def _small_unspaced_matches(squeezed: str, needles: list[str], norm: str,
                            kept: Sequence[int]) -> list[tuple[int, int, int]]:
    """`_unspaced_matches` with `str.find` in `squeezed`, the characters of `norm` at
    `kept`."""
    taken: list[tuple[int, int, int]] = []
    for number, needle in enumerate(_ordered(needles)):
        first, last = _run_kind(needle[0]), _run_kind(needle[-1])
        at = squeezed.find(needle)
        while at != -1:
            end = at + len(needle)
            start, stop = kept[at], kept[end - 1] + 1
            if ((first and start and _run_kind(norm[start - 1]) == first)
                    or (last == 2 and stop < len(norm) and _run_kind(norm[stop]) == 2)):
                at = squeezed.find(needle, at + 1)
                continue  # inside a number, or in the middle of a word
            before = bisect.bisect_left(taken, (end,)) - 1  # the last taken starting before end
            if before < 0 or taken[before][1] <= at:
                taken.insert(before + 1, (at, end, number))
            at = squeezed.find(needle, at + 1)
    return taken


_Found = tuple[Sequence[int], Sequence[int], Sequence[int], int]


def _with_loose(found: list[tuple[int, int, int]], loose: list[tuple[int, int, int]],
                shift: int) -> list[tuple[int, int, int]]:
    """`found` and the `loose` matches that overlap none of them (numbered after)."""
    for a, b, number in loose:
        before = bisect.bisect_left(found, (b,)) - 1
        if before < 0 or found[before][1] <= a:
            found.insert(before + 1, (a, b, number + shift))
    return found


def _with_loose_arrays(found, loose, shift: int):
    """`_with_loose` for arrays of (starts, ends, numbers)."""
    starts, ends, numbers = found
    if len(starts) and len(loose[0]):
        before = np.searchsorted(starts, loose[1]) - 1
        free = (before < 0) | (ends[np.maximum(before, 0)] <= loose[0])
        loose = tuple(part[free] for part in loose)
    merged = [np.concatenate((mine, theirs)) for mine, theirs in zip(found, loose, strict=True)]
    merged[2][len(starts):] += shift
    order = np.argsort(merged[0], kind="stable")
    return tuple(part[order] for part in merged)


def _all_matches(text: str, needles: list[str], loose: list[str],
                 points: np.ndarray | None = None):
    """The matches of `needles`, then of `loose` needles where they overlap none: lists of
    (start, end, number) for a short text, a tuple of arrays for a long one."""
    if len(text) < SMALL:
        norm = normalize(text)
        found = _small_matches(norm, needles)
        if loose:
            found = _with_loose(found, _small_matches(norm, loose, True), len(needles))
        return found
    norm = normalized_points(codes(text) if points is None else points)
    found = _matches(norm, needles)
    if loose:
        found = _with_loose_arrays(found, _matches(norm, loose, True), len(needles))
    return found


def _found(text: str, needles: list[str], loose: list[str]) -> _Found:
    """(match starts, match ends, sentence ends, the best sentence) of `text`: lists for
    a short text, arrays for a long one (bisected alike, never converted whole)."""
    if len(text) < SMALL:
        found = _all_matches(text, needles, loose)
        ends = [m.end() for m in _SENTENCE_RE.finditer(text)]
        if not ends or ends[-1] != len(text):
            ends.append(len(text))
        return ([a for a, _, _ in found], [b for _, b, _ in found], ends,
                _small_best_sentence(found, ends))
    points = codes(text)
    starts, stops, numbers = _all_matches(text, needles, loose, points)
    ends = _sentence_ends(points)
    best = _best_sentence(starts, stops, numbers, ends) if len(starts) else 0
    return starts, stops, ends, best


def spans(text: str, needles: list[str], loose: list[str] = ()) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) matches of `needles` (normalized strings) in `text`,
    the longest needles first; then of the `loose` needles, which also match with
    punctuation and line breaks between their characters, where nothing else matched."""
    found = _all_matches(text, needles, list(loose))
    if len(text) < SMALL:
        return [(a, b) for a, b, _ in found]
    return list(zip(found[0].tolist(), found[1].tolist(), strict=True))


#: Stand for <mark> and </mark> while a text is escaped whole (private-use characters;
#: a text that has them is escaped piece by piece instead).
_OPEN, _CLOSE = "\ue000", "\ue001"


def mark(text: str, needles: list[str], marked: list[tuple[int, int]] | None = None,
         loose: list[str] = ()) -> Markup:
    """`text` escaped, with every match (see `spans`) wrapped in <mark>."""
    found = marked if marked is not None else spans(text, needles, loose)
    if not found:
        return escape(text)
    out: list[str] = []
    pos = 0
    if _OPEN in text or _CLOSE in text:
        for s, e in found:
            out += [str(escape(text[pos:s])), "<mark>", str(escape(text[s:e])), "</mark>"]
            pos = e
        return Markup("".join([*out, str(escape(text[pos:]))]))
    for s, e in found:  # one escape of the whole text, not two per match
        out += [text[pos:s], _OPEN, text[s:e], _CLOSE]
        pos = e
    escaped = str(escape("".join([*out, text[pos:]])))
    return Markup(escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


def _sentence_ends(points: np.ndarray) -> np.ndarray:
    """Where each sentence of the text with code points `points` ends (exclusive), the
    last one at the text's end."""
    ends = np.flatnonzero(_any_of(points, _SENTENCE_END)) + 1
    if not len(ends) or ends[-1] != len(points):
        ends = np.append(ends, len(points))
    return ends


def _best_sentence(starts: np.ndarray, stops: np.ndarray, numbers: np.ndarray,
                   ends: np.ndarray) -> int:
    """The sentence with the most distinct needles wholly inside it, then the most
    matches, then the first."""
    sentence = np.searchsorted(ends, starts, side="right")
    inside = stops <= ends[np.minimum(sentence, len(ends) - 1)]
    if not inside.any():
        return 0
    sentence, numbers = sentence[inside], numbers[inside]
    count = np.bincount(sentence, minlength=len(ends))
    present = np.zeros((len(ends), int(numbers.max()) + 1), dtype=bool)
    present[sentence, numbers] = True
    distinct = present.sum(axis=1)
    return int(np.argmax(distinct * (int(count.max()) + 1) + count))  # the first of the best


def _small_best_sentence(found: list[tuple[int, int, int]], ends: list[int]) -> int:
    """`_best_sentence` for a short text's matches."""
    count: dict[int, int] = {}
    kinds: dict[int, set[int]] = {}
    for a, b, number in found:
        sentence = bisect.bisect_right(ends, a)
        if b <= ends[min(sentence, len(ends) - 1)]:
            count[sentence] = count.get(sentence, 0) + 1
            kinds.setdefault(sentence, set()).add(number)
    return max(count, key=lambda i: (len(kinds[i]), count[i], -i), default=0)


def snippet(text: str, needles: list[str], length: int = SNIPPET_CHARS,
            loose: list[str] = ()) -> Markup:
    """The passage of `text` that best shows the matches (see `spans`), about `length`
    characters."""
    if not text:
        return Markup("")
    starts, stops, ends, best = _found(text, needles, list(loose))
    # Grow from the best sentence until the passage is long enough.
    start, end = (int(ends[best - 1]) if best else 0), int(ends[best])
    j = best + 1
    while end - start < length and j < len(ends):
        end = int(ends[j])
        j += 1
    if end - start > length:
        # One long sentence: centre the window on its first match.
        at = bisect.bisect_left(starts, start)
        first = int(starts[at]) if at < len(starts) else start
        start = max(start, first - length // 3)
        end = min(end, start + length)
    piece = text[start:end].replace("\n", " ").strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    lo = bisect.bisect_left(starts, offset)
    hi = bisect.bisect_left(starts, offset + len(piece))
    marked = [(int(a) - offset, int(b) - offset)
              for a, b in zip(starts[lo:hi], stops[lo:hi], strict=True)
              if b <= offset + len(piece)]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix) + mark(piece, needles, marked) + Markup(suffix)
