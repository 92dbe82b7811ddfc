"""Rules written once for both scripts: patterns folded like the text they search.

Rules read an article's lines in their normalized twin (`store.normalize`: traditional →
simplified, full → half width, lower case, character for character), so one rule finds
记者 and 記者, ： and :, and a match's offsets are offsets in the original line: values
are cut from the original, in the article's own characters. A rule's pattern is folded
the same way, so it may be written in the script of the platform it is for (批踢踢實業坊,
報導): its non-ASCII characters are normalized (a full-width sign that folds to an ASCII
one is escaped, so a literal （ stays a literal), its ASCII syntax is left alone (folding
`\\S` would make it `\\s`), and it matches regardless of case.
"""

from __future__ import annotations

import re

from store import normalize


def fold(pattern: str) -> str:
    """`pattern` with its non-ASCII characters written as normalized text writes them."""
    out = []
    for c in pattern:
        n = normalize(c) if ord(c) > 0x7F else c
        out.append(re.escape(n) if n != c and n.isascii() else n)
    return "".join(out)


def compile_folded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A regex that finds in normalized text what `pattern` says, in either script."""
    return re.compile(fold(pattern), flags | re.IGNORECASE)
