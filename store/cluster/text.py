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
does. Digits and Latin letters are still one token each (`1 0` is found by `10`, 23 inside
2023), where wenhai keeps a number or a word whole: queries with them are decided
from the stored text (`cluster.verify`).
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
_MARKS = str.maketrans({**{c: chr(PUNCTUATION_BASE + ord(c)) for c in string.punctuation},
                        **{c: " " for c in INLINE_SPACE}})
#: The characters indexed, each a token: the searchd `ngram_chars` setting. Sphinx
#: 2.2.11 crashes at start on a range past U+2FFFF (wenhai's own units end there too).
NGRAM_CHARS = "U+30..U+39, U+61..U+7A, U+A1..U+2FFFF"
_NO_TOKEN = re.compile("[^ 0-9a-z\u00a1-\U0002ffff]")


def indexed(text: str) -> str:
    """`text` as a shard stores it: normalized, ASCII marks in the private use area,
    other parting characters `PART`, skipped spaces spaces."""
    return _NO_TOKEN.sub(PART, normalize(text).translate(_MARKS))


def phrase(text: str) -> str | None:
    """A phrase query (`"a b c"`) for the characters of already normalized `text`, or
    None if none of them is indexed. Spaces between tokens are the engine's; every
    other character stands as the token it is."""
    chars = [c for c in text.translate(_MARKS) if _is_token(c)]
    return f'"{" ".join(chars)}"' if chars else None


def _is_token(c: str) -> bool:
    code = ord(c)
    return "0" <= c <= "9" or "a" <= c <= "z" or 0xA1 <= code <= 0x2FFFF
