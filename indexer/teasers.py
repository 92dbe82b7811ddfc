"""What follows an article on its page: other stories' teasers, hot lists, share widgets.

trafilatura keeps the text of a page's main block, and on portals that block often
runs on into a stream of other stories (Yahoo's ten teasers after a 147-character
story, 360kuai's `快资讯` list, 39.net's dated ad links). Their text is on the page in
places an article's own paragraphs are not (the cue magic-html and Readability use):
inside a link, inside one of three or more sibling items of the same class that each
hold a link (a stream, a list of headlines), or inside a block whose class or id says
related, recommended, hot, feed, share, login or footer. From the first run of such
paragraphs after the article's opening, the rest goes; a trailing one goes whatever
its length. The article's first paragraph is never cut, nor the zone that holds it.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

from store import normalize

#: Class or id of a block that is not the article (Readability's "unlikely candidates",
#: plus the portals' own names for their streams).
ELSEWHERE = re.compile(
    r"(?i)related|recommend|(^|[\s_-])hot|feed|card|stream|rank|footer|share|comment|sidebar|"
    r"login|register|copyright|banner|(^|[\s_-])(ad|ads)($|[\s_-])|tuijian|xgyd|paihang")
#: Consecutive teaser paragraphs that end the article.
RUN = 3
#: A teaser is never longer (a paragraph this long is text, and is not searched for).
TEASER_MAX = 2000
#: A list's heading just before it (快资讯, 相关推荐) is never longer.
HEADING_MAX = 10
#: An opening paragraph is at least this long (a headline or a dateline alone is not).
LEAD = 20
_MIN = 4
_MARKUP = re.compile(r"^[\s·*#>|-]+|[*_`|]+|\s+")


def _key(text: str) -> str:
    return _MARKUP.sub("", normalize(text))


def zones(tree: HtmlElement) -> list[str]:
    """The texts (normalized, spaces dropped) of the page's links, stream items and
    blocks of other content."""
    found: list[HtmlElement] = []
    for a in tree.xpath("//body//a"):
        found.append(a)
    for parent in tree.xpath("//body//*[count(*) >= 3]"):
        kinds = Counter((c.tag, c.get("class")) for c in parent if isinstance(c.tag, str))
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            kind = (child.tag, child.get("class"))
            if kinds[kind] >= 3 and (kind[1] or child.tag == "li") and child.find(".//a") \
                    is not None:
                found.append(child)
    for el in tree.xpath("//body//*[@class or @id]"):
        if ELSEWHERE.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            found.append(el)
    return [k for el in found if len(k := _key(el.text_content())) >= _MIN]


def cut(lines: list[str], places: list[str]) -> list[str]:
    """`lines` (paragraphs separated by blank lines) without the teasers after the
    article: from the first run of `RUN` paragraphs found only in `places`, or a
    trailing run of any length."""
    paras = [i for i, line in enumerate(lines) if _key(line)]
    #: The article's opening: its first paragraph of text, not its headline.
    first = next((n for n, i in enumerate(paras) if len(_key(lines[i])) >= LEAD
                  and not lines[i].lstrip().startswith("#")), None)
    if first is None:
        return lines
    lead = _key(lines[paras[first]])
    # the zone holding the article is its own; the others, joined, are searched at C speed
    joined = "\x00".join(p for p in places if lead not in p)

    def teaser(i: int) -> bool:
        k = _key(lines[i])
        return 2 <= len(k) <= TEASER_MAX and k in joined

    flags = [teaser(i) for i in paras]
    cut_at = None
    for n in range(first + 1, len(paras)):
        if all(flags[n:n + RUN]):
            cut_at = n
            break
    if cut_at is None:
        return lines
    # the list's own heading (快资讯, 相关推荐) goes with it
    while cut_at - 1 > first and _heading(lines[paras[cut_at - 1]]):
        cut_at -= 1
    return lines[:paras[cut_at]]


def _heading(line: str) -> bool:
    k = _key(line)
    return len(k) <= HEADING_MAX and not re.search(r"[。！？!?）)]$", k)


#: A page whose text is at least this share link text is a list, not an article.
LIST_SHARE = 0.8


#: Less text than this, all of it links, is a page's menu: the page has no text of its own.
LIST_MIN = 50


def chars(lines: list[str]) -> int:
    """Characters of text in `lines`, markup and spaces aside."""
    return sum(len(_key(line)) for line in lines)


def is_list(lines: list[str], tree: HtmlElement) -> bool:
    """Whether the text kept from a page is nearly all the text of its links: a list
    page, a search page, a channel's front page, a video page's menu."""
    links = [k for a in tree.xpath("//body//a") if len(k := _key(a.text_content())) >= 2]
    keys = [k for line in lines if (k := _key(line)) and not line.lstrip().startswith("#")]
    total = sum(map(len, keys))
    linked = sum(len(k) for k in keys if any(k in link for link in links))
    return total > 0 and linked >= LIST_SHARE * total
