"""Dates as Chinese text writes them → `datetime.date`.

Articles write the same day as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, with
full-width digits (２０２４年), or in Chinese numerals (二〇二四年三月五日, 十二月三十一日).
Chinese numerals are rewritten as Arabic digits first, so one pattern covers all forms.
News datelines (新华社北京12月31日电) give only month and day; `month_day` finds those,
and the year has to come from elsewhere in the file.
"""

from __future__ import annotations

import datetime as dt
import re

from store import normalize

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
#: A run of Chinese numerals directly before 年, 月, 日 or 号 (where it is a date part).
_CN_NUMBER = re.compile(r"[〇○零一二两三四五六七八九十]+(?=[年月日号])")
#: The day may run into the time when a page drops the space: 2018-12-2409:35.
_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:(?!\d)|(?=\d{2}:\d{2}))"
)
#: A full date as written, in the original text's own digits (folded or not), for cutting it out.
WRITTEN_DATE = re.compile(
    r"[0-9０-９]{4}\s*[-/.－／．年]\s*[0-9０-９]{1,2}\s*[-/.－／．月]\s*[0-9０-９]{1,2}\s*日?"
    r"|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
)
_MONTH_DAY = re.compile(r"(?<![\d年/.-])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
#: Years outside this range are version numbers or typos, not publication dates.
YEARS = range(1900, 2101)


def _cn_to_int(numerals: str) -> str:
    """一九九八 → 1998 (digit by digit); 三十一 → 31, 十二 → 12, 二十 → 20 (with 十)."""
    if "十" not in numerals:
        return "".join(str(_CN_DIGITS[c]) for c in numerals)
    tens, _, units = numerals.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return numerals  # not a number a date is written with
    return str(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(units, 0))


def arabic(text: str) -> str:
    """`text` with full-width digits folded and Chinese date numerals written as digits."""
    return _CN_NUMBER.sub(lambda m: _cn_to_int(m.group()), normalize(text))


def _valid(year: int, month: int, day: int) -> dt.date | None:
    if year not in YEARS:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The first valid full date (year, month and day) in `text`, if any."""
    for m in _DATE.finditer(arabic(text)):
        date = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if date:
            return date
    return None


def month_day(text: str) -> tuple[int, int] | None:
    """(month, day) of the first 12月31日-style date without a year in `text`."""
    for m in _MONTH_DAY.finditer(arabic(text)):
        month, day = int(m.group(1)), int(m.group(2))
        if _valid(2000, month, day):  # a leap year, so 2月29日 is a day
            return month, day
    return None


def with_year(month: int, day: int, year: int | None) -> dt.date | None:
    """The day in `year`, or None when the year is unknown or the day does not exist."""
    return _valid(year, month, day) if year else None
