"""Text as the cluster's shards index it: one token per character, in positions.

The shards use `ngram_len = 1` over `NGRAM_CHARS` (digits, Latin letters and every
character from U+00A1 on), so every substring of an article is a phrase of tokens and
is found by a phrase query. The text is normalized first as wenhai normalizes it
(traditional → simplified, full → half width, case), and then only wenhai's units
(`text.analysis.units`: Chinese characters, runs of digits, runs of Latin letters) are
kept, with what stands between two of them as wenhai sees it (`text.analysis.parted`):
nothing but spaces — a space, which the engine skips; anything else (punctuation, a
line break, any other character) — the one token `PART`, whatever it was, since wenhai
takes any mark between two characters for any other (中，国 and 中。国 are both 中~国).
A run of digits or of Latin letters, which wenhai keeps whole, is one token per
character between the tokens `RUN_START` and `RUN_END`: `1 0` is not `10` there, 15 is
not inside 150 nor su inside usual. So a phrase of a query's units and gaps, marked
alike (`phrase`), matches exactly where wenhai's exact match does.

Each text is also held in a loose field (`indexed(loose=True)`), with what stands
between two Chinese characters taken out: a phrase there is wenhai's loose match
(`search.query.Loose`: a passage typed without the punctuation of the text).
"""

from __future__ import annotations

import re

from ..text.analysis import INLINE_SPACE
from ..text.normalize import normalize

#: The private use area's characters the shards' tokens of their own are taken from.
PUNCTUATION_BASE = 0xE100
#: What stands between two units that wenhai sees parted (`text.analysis.parted`).
PART = chr(PUNCTUATION_BASE)
#: The tokens around each run of digits or Latin letters: its boundaries, which the
#: engine, one token per character, keeps no other way.
RUN_START, RUN_END = chr(PUNCTUATION_BASE + 0x80), chr(PUNCTUATION_BASE + 0x81)
#: Wenhai's Chinese units (`text.analysis.units`).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
#: What stands between units (or before the first, after the last): anything else.
_GAP = re.compile(f"[^{HAN}a-z0-9]+")
#: What a loose match passes over: anything between two Chinese units.
_LOOSE_GAP = re.compile(f"(?<=[{HAN}])[^{HAN}a-z0-9]+(?=[{HAN}])")
#: A run as wenhai's units have it.
_RUN = re.compile("[a-z]+|[0-9]+")
#: The characters indexed, each a token: the searchd `ngram_chars` setting. Sphinx
#: 2.2.11 crashes at start on a range past U+2FFFF (wenhai's own units end there too).
NGRAM_CHARS = "U+30..U+39, U+61..U+7A, U+A1..U+2FFFF"


def indexed(text: str, *, loose: bool = False) -> str:
    """`text` as a shard stores it (see the module): normalized, its units kept, each
    gap a space or `PART`, runs between `RUN_START` and `RUN_END`. With `loose`, as its
    loose field holds it: nothing between two Chinese characters (中，国 is 中国)."""
    norm = normalize(text)
    if loose:
        norm = _LOOSE_GAP.sub("", norm)
    return _marked(norm)


def _gap(m: re.Match) -> str:
    return PART if m.group().strip(INLINE_SPACE) else " "


def _marked(norm: str, *, open_end: bool = False) -> str:
    """Normalized text with each gap a space or `PART` and each run of digits or letters
    between `RUN_START` and `RUN_END`; with `open_end`, a last run of letters without
    its end (it may go on: iphone, iphonex)."""
    kept = _GAP.sub(_gap, norm)
    marked = _RUN.sub(lambda m: RUN_START + m.group() + RUN_END, kept)
    if open_end and marked.endswith(RUN_END) and "a" <= kept.rstrip()[-1:] <= "z":
        marked = marked[: -len(RUN_END)]
    return marked


def phrase(text: str, *, open_end: bool = False, loose: bool = False) -> str | None:
    """A phrase query (`"a b c"`) for already normalized `text` as the shards hold it
    (`indexed`: `PART` for a gap that parts two units), its last run of letters left
    open with `open_end`; as the loose fields hold it with `loose`; None if it has no
    unit."""
    if loose:
        text = _LOOSE_GAP.sub("", text)
    tokens = [c for c in _marked(text, open_end=open_end) if c != " "]
    if not any(c not in (PART, RUN_START, RUN_END) for c in tokens):
        return None
    while tokens and tokens[0] == PART:  # what stands before the first unit or after
        tokens.pop(0)                    # the last is no part of a match
    while tokens and tokens[-1] == PART:
        tokens.pop()
    return f'"{" ".join(tokens)}"'
