"""Metadata found in the text itself: bylines, dates, titles, section headings."""

from __future__ import annotations

import datetime as dt
import re

from store import normalize

_SEP = r"\s*[|｜:：/]\s*"
#: (pattern, field names) tried on the first lines of a body; a matching line is a byline.
BYLINES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    # 作者 | 张逸 报道 | TOP电商
    (re.compile(rf"^作者{_SEP}(?P<author>[^|｜\s]+)\s+报道{_SEP}(?P<source>[^|｜\s]+)\s*$"),
     ("author", "source")),
    # 来源：某某晚报 | 作者：某某 | 2024年3月5日 10:02
    (re.compile(rf"^来源{_SEP}(?P<source>[^|｜\s]+)(\s*[|｜]\s*作者{_SEP}(?P<author>[^|｜\s]+))?"),
     ("source", "author")),
    (re.compile(rf"^(作者|文|撰文|记者){_SEP}(?P<author>[^|｜\s]+)(\s*[|｜]\s*来源{_SEP}(?P<source>[^|｜\s]+))?"),
     ("author", "source")),
)
BYLINE_LINES = 6

_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_SENTENCE_END = "。！？；!?;，,：:…"
TITLE_MAX = 60
HEADING_MAX = 30


def parse_date(text: str) -> dt.date | None:
    """The first valid date in `text` (2024-03-05, 2024/3/5, 2024年3月5日, full-width digits)."""
    for m in _DATE.finditer(normalize(text)):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def find_byline(lines: list[str]) -> tuple[int, dict[str, str]] | None:
    """(line index, fields) of a byline among the first lines, if any."""
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > BYLINE_LINES:
            break
        for pattern, names in BYLINES:
            m = pattern.search(line.strip())
            if m:
                fields = {n: m.group(n) for n in names if m.group(n)}
                date = parse_date(line)
                if date:
                    fields["published"] = date.isoformat()
                return i, fields
    return None


def is_title_like(line: str) -> bool:
    """Short, one sentence at most, not ending like a sentence in running text (？！ may)."""
    s = line.strip()
    return 0 < len(s) <= TITLE_MAX and s[-1] not in "。；;，,：:…" and "。" not in s


def is_heading(paragraph: str, following: str | None) -> bool:
    """A short line with no closing punctuation, followed by a longer paragraph."""
    s = paragraph.strip()
    if not s or len(s) > HEADING_MAX or s[-1] in _SENTENCE_END or following is None:
        return False
    if re.search(r"[。！？；!?;]", s):
        return False
    return len(following.strip()) > len(s)
