"""Dates as Chinese text writes them → `datetime.date`.

Articles write the same day as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, with
full-width digits (２０２４年), or in Chinese numerals (二〇二四年三月五日, 十二月三十一日).
Chinese numerals are rewritten as Arabic digits first, so one pattern covers all forms.
News datelines (新华社北京12月31日电) give only month and day; `month_day` finds those,
and the year has to come from elsewhere in the file; Taiwan's wire datelines
(中央社台北5日電) give only the day, and `in_month_of` dates it by a reference date.

Taiwan counts years of the Republic of China (ROC): 民國113年 is 2024 (ROC year + 1911),
written 民國113年3月5日, 113年3月5日, 113/03/05, 113.03.05 or 一一三年三月五日 /
民國一百一十三年三月五日. A year after 民國 is always an ROC year. A bare year of exactly
three digits — 100 to 189, or zero-padded 001 to 099 as forms print them (099/12/31) —
is an ROC year too (2011–2100, 1912–2010): no one writes a Common Era year of our
`YEARS` in three digits, while Taiwanese text writes every date since 2011 that way. A
bare two-digit year (99年) is not read: it is as often 1999 as ROC 99. Taiwan and Hong
Kong add a weekday (2024年3月5日（星期二）, 113/03/05(二)) and write times as 上午/下午
10:02; both are part of a `WRITTEN_DATE`, so a byline line that carries them is still a
byline. PTT prints a post's time as C's `ctime` does (Tue Mar  5 10:00:00 2024).
"""

from __future__ import annotations

import datetime as dt
import re

from store import normalize

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
#: A run of Chinese numerals directly before 年, 月, 日 or 号 (where it is a date part).
_CN_NUMBER = re.compile(r"[〇○零一二两三四五六七八九十百]+(?=[年月日号])")
#: The day may run into the time when a page drops the space: 2018-12-2409:35.
_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:(?!\d)|(?=\d{2}:\d{2}))"
)
#: ROC dates in arabic, normalized text: after 民国 any year; bare, three digits only.
_ROC_DATE = re.compile(
    r"民国\s*(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|(?<![a-z\d./-])(?<!公元)(?<!西元)(?<!公元前)(?<!西元前)(0\d\d|1[0-8]\d)"
    r"(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|/(\d{1,2})/(\d{1,2})|\.(\d{1,2})\.(\d{1,2}))"
    r"(?![\d./])"
)
ROC_OFFSET = 1911
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
#: C's ctime, as PTT prints a post's time: Tue Mar  5 10:00:00 2024 (normalized: lower case).
_CTIME = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"\s+(\d{1,2})\s+\d{1,2}:\d{2}:\d{2}\s+(\d{4})\b"
)
_WEEKDAY = (r"(?:\s*[(（]?\s*(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]\s*[)）]?"
            r"|\s*[(（][一二三四五六日][)）])?")
#: A full date as written, in the original text's own digits (folded or not), for cutting it
#: out: Arabic or Chinese numerals, ROC years, a weekday after it.
WRITTEN_DATE = re.compile(
    r"(?:(?:民国|民國)\s*)?[0-9０-９〇○零一二三四五六七八九十百]{2,5}\s*年\s*"
    r"[0-9０-９一二三四五六七八九十]{1,2}\s*月\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[日号]"
    + _WEEKDAY +
    r"|[0-9０-９]{4}\s*[-/.－／．]\s*[0-9０-９]{1,2}\s*[-/.－／．]\s*[0-9０-９]{1,2}\s*日?"
    + _WEEKDAY +
    r"|(?<![0-9０-９])[0０1１][0-9０-９]{2}\s*[/.／．]\s*[0-9０-９]{1,2}\s*[/.／．]\s*[0-9０-９]{1,2}"
    r"(?![0-9０-９])" + _WEEKDAY
)
#: A time of day as Chinese text writes it: 10:02, 10:02:35, 上午10:02, 下午 3:20, 3:20 PM.
TIME = re.compile(
    r"(?:(?:上午|下午|中午|晚上|凌晨|早上|傍晚|am|pm|AM|PM)\s*)?"
    r"(?<![\d:：])\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?![\d:：])(?:\s*(?:am|pm|AM|PM)\b)?"
)
_MONTH_DAY = re.compile(r"(?<![\d年/.-])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
#: Years outside this range are version numbers or typos, not publication dates.
YEARS = range(1900, 2101)


def _cn_to_int(numerals: str) -> str:
    """一九九八 → 1998 (digit by digit); 三十一 → 31, 十二 → 12, 二十 → 20 (with 十);
    一百一十三 → 113, 一百零五 → 105 (with 百, as ROC years are written)."""
    if "百" in numerals:
        hundreds, _, rest = numerals.partition("百")
        if len(hundreds) != 1 or hundreds not in _CN_DIGITS or "百" in rest:
            return numerals
        if not rest:
            return str(_CN_DIGITS[hundreds] * 100)
        if rest[0] in "〇○零":
            rest = rest[1:]
            if len(rest) != 1 or rest not in _CN_DIGITS:
                return numerals
        below = _cn_to_int(rest)
        return str(_CN_DIGITS[hundreds] * 100 + int(below)) if below.isdigit() else numerals
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


def _candidates(text: str):
    """(position, year, month, day) of every full date written in `text`."""
    text = arabic(text)
    for m in _DATE.finditer(text):
        yield m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))
    for m in _ROC_DATE.finditer(text):
        year, month, day = (int(g) for g in m.groups() if g is not None)
        yield m.start(), year + ROC_OFFSET, month, day
    for m in _CTIME.finditer(text):
        yield m.start(), int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2))


def parse_date(text: str) -> dt.date | None:
    """The first valid full date (year, month and day) in `text`, if any."""
    for _, year, month, day in sorted(_candidates(text)):
        date = _valid(year, month, day)
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


def in_month_of(day: int, reference: dt.date | None) -> dt.date | None:
    """A day of the month alone (中央社台北5日電) as a date, by a reference date.

    The reference is the file's date, or another date in it: the day is taken in the
    reference's month, or in the month before when it is later than the reference's day
    (a dispatch of the 31st in a file dated the 1st).
    """
    if reference is None or not 1 <= day <= 31:
        return None
    if day <= reference.day:
        return _valid(reference.year, reference.month, day)
    before = reference.replace(day=1) - dt.timedelta(days=1)
    return _valid(before.year, before.month, day)
