"""Metadata found in the text itself: titles, headlines and section headings.

Bylines and datelines live in `bylines`, dates in `dates`; `parse_date` is re-exported
here because callers know it as `metadata.parse_date`.
"""

from __future__ import annotations

import re

from store import normalize

from .dates import parse_date

__all__ = [
    "HEADING_MAX", "TITLE_MAX", "headline", "is_heading", "is_title_like", "parse_date",
]

_SENTENCE_END = "。！？；!?;，,：:…"
TITLE_MAX = 60
HEADING_MAX = 30


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


#: What separates a headline from the site's and section's names in a page's <title>.
_TITLE_PARTS = re.compile(r"(\s*(?:[|｜]|_+|::)\s*|\s+[-–—@]\s+|\s*-+\s*)")
#: Outlets and platforms whose name a <title> ends with, beside the page's own site name.
SITE_NAMES = (
    "聯合新聞網", "聯合報", "經濟日報", "自由時報", "自由時報電子報", "中時", "中時新聞網",
    "中時電子報", "中國時報", "中央社", "CNA", "ETtoday", "蘋果新聞網", "蘋果日報", "壹蘋新聞網",
    "三立新聞網", "SETN", "TVBS", "NOWnews", "今日新聞", "明報", "明報新聞網", "星島日報",
    "星島頭條", "香港01", "端傳媒", "Initium", "Yahoo", "PIXNET", "痞客邦", "新浪", "腾讯",
    "网易", "搜狐", "新华网", "人民网", "光明网", "中国青年网", "凤凰网", "澎湃新闻",
)
_SITE_MARKS = re.compile(r"新闻网|新闻云|电子报|日报|时报|晚报|\.com|\.cn|\.tw|\.hk|博客|blog")
#: A section name between a headline and the site's name (社會, 即時, 健康·生活), or any
#: part that calls itself a channel (宏观频道首页).
SECTION_MAX = 5
_SECTION = re.compile(r"(频道|首页|栏目)$")


def _site_like(segment: str, sites: list[str]) -> bool:
    s = normalize(segment.strip())
    if not s:
        return True
    if len(s) > 24:
        return False
    names = [normalize(n) for n in (*sites, *SITE_NAMES) if n and n.strip()]
    return any(n in s or s in n for n in names if len(n) >= 2) or bool(_SITE_MARKS.search(s))


def headline(title: str, headings: list[str], sites: list[str]) -> str:
    """A page's <title> without the site's and section's names around the headline.

    `和男友口角鎖門吞藥｜即時｜蘋果新聞網｜蘋果日報` → `和男友口角鎖門吞藥`. When a heading
    of the page (its <h1>) begins the title, followed by a separator, it is the headline.
    Otherwise trailing parts are cut while they name a site (the page's own site name, an
    outlet in `SITE_NAMES`, a domain) or, after one did, a short section name; a part that
    is anything else ends the cutting, so `颱風摩羯｜天文台：…｜香港01` keeps its topic.
    """
    flat = " ".join(title.split())
    for heading in headings:
        h = " ".join(heading.split())
        if len(h) >= 4 and normalize(flat).startswith(normalize(h)) and _TITLE_PARTS.match(
            flat, len(h)
        ):
            return flat[: len(h)]
    parts = _TITLE_PARTS.split(flat)  # text, separator, text, …
    cut_site = False
    while len(parts) > 2:
        last = parts[-1]
        if _site_like(last, sites):
            cut_site = cut_site or bool(last.strip())
        elif not (cut_site and (len(last.strip()) <= SECTION_MAX
                                or _SECTION.search(normalize(last.strip())))):
            break
        parts = parts[:-2]
    return "".join(parts).strip() or flat
