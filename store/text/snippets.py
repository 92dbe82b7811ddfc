"""Highlighted, HTML-escaped snippets cut at Chinese sentence punctuation.

Matching runs on the normalized text and marks the original characters: the
normalization is character-for-character, so offsets carry over unchanged and a
traditional article shows its own traditional characters, marked.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .normalize import normalize

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
SNIPPET_CHARS = 120


def spans(text: str, needles: list[str], norm: str | None = None) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) matches of `needles` in `text` (whose `normalize`d
    form is `norm`, if the caller has it already), longest first."""
    norm = normalize(text) if norm is None else norm
    taken: list[tuple[int, int]] = []
    for needle in sorted({n for n in needles if n}, key=len, reverse=True):
        start = norm.find(needle)
        while start != -1:
            end = start + len(needle)
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
            start = norm.find(needle, start + 1)
    return sorted(taken)


def mark(text: str, needles: list[str], marked: list[tuple[int, int]] | None = None) -> Markup:
    """`text` escaped, with every match wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for s, e in marked if marked is not None else spans(text, needles):
        out.append(str(escape(text[pos:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def snippet(text: str, needles: list[str], length: int = SNIPPET_CHARS) -> Markup:
    """The passage of `text` that best shows the matches, about `length` characters."""
    normalized = normalize(text)
    found = spans(text, needles, normalized)
    sentences = _sentences(text)
    if not sentences:
        return Markup("")
    if not found:
        best = 0
    else:
        def score(i: int) -> tuple[int, int]:
            s, e = sentences[i]
            inside = [normalized[a:b] for a, b in found if a >= s and b <= e]
            return (len(set(inside)), len(inside))

        best = max(range(len(sentences)), key=lambda i: (score(i), -i))
    # Grow from the best sentence until the passage is long enough.
    start, end = sentences[best]
    j = best + 1
    while end - start < length and j < len(sentences):
        end = sentences[j][1]
        j += 1
    if end - start > length:
        # One long sentence: centre the window on its first match.
        first = next((a for a, b in found if a >= start), start)
        start = max(start, first - length // 3)
        end = min(end, start + length)
    piece = text[start:end].replace("\n", " ").strip()
    offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
    marked = [
        (a - offset, b - offset) for a, b in found if a >= offset and b <= offset + len(piece)
    ]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix) + mark(piece, needles, marked) + Markup(suffix)
