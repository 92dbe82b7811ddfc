"""Text as the cluster's shards index it: one token per character, in positions.

The shards use `ngram_len = 1` over `NGRAM_CHARS` (digits, Latin letters and every
character from U+00A1 on), so every substring of an article is a phrase of tokens and
is found by a phrase query. The text is normalized first as wenhai normalizes it
(traditional → simplified, full → half width, case), and what stands between two
characters is made to part them in the engine exactly when it parts them for wenhai
(`text.analysis.parted`): each ASCII punctuation mark becomes a private-use character
(marks keep their positions: 中，国 is not 中国, and no query ever needs the engine's
syntax escaped); every other character the engine would not index — a line break, a
control character, one past U+2FFFF — becomes the token `PART`; and the spaces wenhai
skips (`INLINE_SPACE`, zero-width ones too) are spaces, which the engine skips. So a
phrase of Chinese characters matches in a shard exactly where wenhai's exact match
does. A run of digits or of Latin letters — one unit for wenhai, which keeps numbers and
words whole — is one token per character between the tokens `RUN_START` and `RUN_END`:
`1 0` is not `10` there, 15 is not inside 150 nor su inside usual, and a phrase of the
query's units, marked alike (`phrase`), matches exactly where wenhai's exact match does.
"""

from __future__ import annotations

import re
import string

from ..text.analysis import INLINE_SPACE
from ..text.normalize import normalize

#: Where the ASCII punctuation marks go: U+E100 + their code (the private use area).
PUNCTUATION_BASE = 0xE100
#: What stands for a character that parts two others but is no token of the engine.
PART = chr(PUNCTUATION_BASE)
#: The tokens around each run of digits or Latin letters (after the punctuation marks'
#: characters): its boundaries, which the engine, one token per character, keeps no other way.
RUN_START, RUN_END = chr(PUNCTUATION_BASE + 0x80), chr(PUNCTUATION_BASE + 0x81)
_MARKS = str.maketrans({**{c: chr(PUNCTUATION_BASE + ord(c)) for c in string.punctuation},
                        **{c: " " for c in INLINE_SPACE},
                        RUN_START: PART, RUN_END: PART})  # in a text: parting, as for wenhai
#: A run as wenhai's units have it (`text.analysis.units`).
_RUN = re.compile("[a-z]+|[0-9]+")
#: The characters indexed, each a token: the searchd `ngram_chars` setting. Sphinx
#: 2.2.11 crashes at start on a range past U+2FFFF (wenhai's own units end there too).
NGRAM_CHARS = "U+30..U+39, U+61..U+7A, U+A1..U+2FFFF"
_NO_TOKEN = re.compile("[^ 0-9a-z\u00a1-\U0002ffff]")


def indexed(text: str) -> str:
    """`text` as a shard stores it: normalized, ASCII marks in the private use area,
    other parting characters `PART`, skipped spaces spaces, runs of digits or letters
    between `RUN_START` and `RUN_END`."""
    return _NO_TOKEN.sub(PART, _runs_marked(normalize(text).translate(_MARKS)))


def _runs_marked(text: str, *, open_end: bool = False) -> str:
    """`text` with each run of digits or letters between `RUN_START` and `RUN_END`; with
    `open_end`, a last run of letters without its end (it may go on: iphone, iphonex)."""
    marked = _RUN.sub(lambda m: RUN_START + m.group() + RUN_END, text)
    if open_end and marked.endswith(RUN_END) and "a" <= text.rstrip()[-1:] <= "z":
        marked = marked[: -len(RUN_END)]
    return marked


def phrase(text: str, *, open_end: bool = False) -> str | None:
    """A phrase query (`"a b c"`) for the characters of already normalized `text`, or
    None if none of them is indexed. Spaces between tokens are the engine's (so `1 0`
    is two runs, `10` one); every other character stands as the token it is, and each
    run of digits or letters between its boundaries as the shards hold it (`indexed`),
    its end left open with `open_end` if it is the last run and of letters."""
    chars = [c for c in _runs_marked(text.translate(_MARKS), open_end=open_end)
             if _is_token(c)]
    return f'"{" ".join(chars)}"' if chars else None


def _is_token(c: str) -> bool:
    code = ord(c)
    return "0" <= c <= "9" or "a" <= c <= "z" or 0xA1 <= code <= 0x2FFFF
