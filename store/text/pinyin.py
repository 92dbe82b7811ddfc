"""Pinyin: how a name or title is typed on a Latin keyboard, in full and by initials.

Chinese users type names in pinyin, as every phone's contact list lets them: 雷军 as
leijun, lei jun or lj, 重庆 as chongqing, 新华社 as xinhuashe or xhs. Readings come from
pypinyin, whose phrase dictionary picks the reading of a polyphonic character from the
word it is in (重庆 chongqing, 银行 yinhang, 长沙 changsha). A person's name is not a
dictionary word: its first character is read as a surname where the surname's reading
differs from the character's usual one (曾敏 zengmin, not cengmin: `SURNAMES`).

Spellings are lower case without tones or spaces, ü as v (绿 lv, as pinyin keyboards take
it). Latin letters and digits stand for themselves (BBC中文网 bbczhongwenwang); other
characters are left out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import is_cjk, normalize

#: Characters of a value read in pinyin: a prefix typed in pinyin is rarely longer, and
#: reading a whole long title would cost ingest time for nothing (~20 µs a character).
READ_CHARS = 16

#: Surnames whose reading differs from the character's usual one (pypinyin's): the
#: first character of a person's name is read so. Compound surnames (万俟 moqi, 尉迟
#: yuchi, 长孙 zhangsun, 单于 chanyu) are words in pypinyin's phrase dictionary already.
SURNAMES = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "覃": "qin", "翟": "zhai",
    "召": "shao", "祭": "zhai", "种": "chong", "秘": "bi", "能": "nai", "薄": "bo",
    "繁": "po", "员": "yun", "句": "gou", "阚": "kan", "都": "du", "重": "chong",
    "便": "pian", "卜": "bu", "洗": "xian", "宓": "fu", "郇": "xun", "折": "she",
    "么": "yao",
}
#: Compound surnames that begin with one of `SURNAMES`: pypinyin reads them right.
COMPOUND_SURNAMES = {"单于"}

#: Latin words and numbers in a run of other characters: a word's initial is its first
#: letter, a number stands whole.
_LATIN_WORD = re.compile(r"[a-z]+|[0-9]+")
#: What a typed pinyin prefix may hold: letters, with spaces or apostrophes (xi'an)
#: between syllables.
_TYPED = re.compile(r"^[a-zü' ]+$")


@dataclass(frozen=True)
class Spelling:
    """How a value is typed: `spelled` is its own characters (normalized, no spaces),
    `pinyin` its full pinyin, `initials` the first letter of each syllable or word."""

    spelled: str
    pinyin: str
    initials: str


def squeeze(text: str) -> str:
    """`text` normalized (simplified, half width, lower case) without spaces."""
    return "".join(normalize(text).split())


def spell(value: str, *, person: bool = False) -> Spelling:
    """How `value` is typed. `person`: read its first character as a surname."""
    text = squeeze(value)
    return Spelling(text, *_read(text[:READ_CHARS], person))


@lru_cache(maxsize=4096)
def _read(text: str, person: bool) -> tuple[str, str]:
    """(full pinyin, initials) of squeezed `text`."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries load on first use

    syllables: list[str] = []  # each a syllable, a Latin word or a number
    for cjk, chars in itertools.groupby(text, is_cjk):
        run = "".join(chars)
        if cjk:
            # The whole run at once: the phrase dictionary reads each character in its word.
            syllables += [s for s in lazy_pinyin(run, style=Style.NORMAL) if s.isascii()
                          and s.isalpha()]
        else:
            syllables += _LATIN_WORD.findall(run)
    if person and (surname := SURNAMES.get(text[:1])) and text[:2] not in COMPOUND_SURNAMES:
        syllables[0] = surname
    return "".join(syllables), "".join(s[:1] if s.isalpha() else s for s in syllables)


def typed_pinyin(text: str) -> str | None:
    """What the user typed as a pinyin prefix (letters, spaces and apostrophes between
    syllables dropped, ü as v), or None if it cannot be pinyin."""
    lowered = text.strip().lower()
    if not lowered or not _TYPED.match(lowered):
        return None
    letters = lowered.replace("'", "").replace(" ", "").replace("ü", "v")
    return letters or None
