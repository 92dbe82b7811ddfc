"""A concordance (key word in context): every occurrence of a string in the articles
that contain it, one line each — left context, the string as written, right context.

The articles and how often the string occurs in each come from the index
(`Searcher.occurrences`: the search's exact-string path, so nothing is missed; a repost
group counts once, as its newest copy, unless every copy is asked for); the
lines come from the texts in SQLite, cut where the reader highlights them
(`text.snippets.spans`, paragraph by paragraph), so that line k of an article links to
the reader's k-th highlight. In article order a page reads only the articles it shows,
found by adding up the counts: the first page of 的 over 100,000 articles reads two or
three texts. Sorting by context needs every line; it is offered up to `SORT_LIMIT`
occurrences and otherwise says how to narrow the search.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from . import database
from .errors import QueryError
from .export import csv_line
from .models import Article
from .search.filters import REPOST_MODES, Filters, check_window
from .search.searcher import Searcher
from .text.analysis import units
from .text.normalize import normalize
from .text.snippets import spans

#: Characters of context on each side of an occurrence.
CONTEXT = 20
#: Orders: the articles' (newest first, occurrences in text order), or by the context
#: left of the string read from the string outwards, or right of it.
SORTS = ("text", "left", "right")
#: Sorting by context reads every line; past this many occurrences it is refused.
SORT_LIMIT = 10_000
MAX_PER_PAGE = 500
MAX_CHARS = 100
MAX_PAGE = 100_000
#: Where lines are looked for: the article's text (the reader highlights its body).
FIELD = "body_g"
#: Articles read from SQLite at a time.
BATCH = 50
#: The columns of an export, in order.
COLUMNS = ("article", "title", "source", "published", "occurrence", "left", "match", "right")


@dataclass(frozen=True)
class Line:
    article_id: int
    title: str
    source: str | None
    published: str | None
    #: Which of the reader's highlights of the string in the article this is (1 for the
    #: first): the occurrences in order, but that the reader also marks a Latin word
    #: going on (iphone in iphonex), which the index does not count.
    occurrence: int
    left: str
    match: str
    right: str

    def to_dict(self) -> dict:
        return {"article": self.article_id, "title": self.title, "source": self.source,
                "published": self.published, "occurrence": self.occurrence,
                "left": self.left, "match": self.match, "right": self.right}

    def row(self) -> list:
        return [self.article_id, self.title, self.source or "", self.published or "",
                self.occurrence, self.left, self.match, self.right]


@dataclass
class Concordance:
    query: str
    #: Occurrences in all, and the articles they are in (one per repost group).
    total: int
    articles: int
    page: int
    per_page: int
    sort: str
    lines: list[Line]
    filters: Filters
    #: Why the lines are not in the order asked for, if they are not.
    notice: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "articles": self.articles,
                "page": self.page, "per_page": self.per_page, "pages": self.pages,
                "sort": self.sort, "filters": self.filters.active(), "notice": self.notice,
                "lines": [line.to_dict() for line in self.lines]}


def _flat(text: str) -> str:
    """Context on one line: paragraph breaks as spaces."""
    return text.replace("\r", " ").replace("\n", " ")


def lines_of(article: Article, needle: str, context: int = CONTEXT) -> list[Line]:
    """Every occurrence of `needle` (normalized) in the article's text, in order."""
    out: list[Line] = []
    published = article.published.isoformat() if article.published else None
    at = 0  # where the paragraph starts in the body
    marks = 0  # the reader's highlights before this paragraph
    # normalize keeps offsets: only paragraphs that have the string are cut by `spans`
    for paragraph, folded in zip(article.body.split("\n"), normalize(article.body).split("\n"),
                                 strict=True):
        if needle in folded and paragraph.strip():
            found = spans(paragraph, [needle])
            for mark, (s, e) in enumerate(found, start=marks + 1):
                if not _whole(folded, s, e):  # the reader marks iphone in iphonex too
                    continue
                start, end = at + s, at + e
                out.append(Line(
                    article.id or 0, article.title, article.source, published, mark,
                    _flat(article.body[max(0, start - context) : start]),
                    article.body[start:end], _flat(article.body[end : end + context])))
            marks += len(found)
        at += len(paragraph) + 1
    return out


def _run_kind(ch: str) -> str | None:
    """Latin letters and digits make runs that the index takes whole (`analysis.units`)."""
    return "letter" if "a" <= ch <= "z" else "digit" if "0" <= ch <= "9" else None


def _whole(folded: str, s: int, e: int) -> bool:
    """Whether folded[s:e] starts and ends where the index's units do: not inside a run
    of letters or of digits (a in apple, 19 in 2019), as the index counts it."""
    if s > 0 and _run_kind(folded[s]) and _run_kind(folded[s]) == _run_kind(folded[s - 1]):
        return False
    last = _run_kind(folded[e - 1])
    return not (e < len(folded) and last and last == _run_kind(folded[e]))


def _needle(text: str) -> str:
    """The normalized string a concordance of `text` (stripped) looks for, or
    `QueryError` saying why it cannot find every occurrence of it."""
    if not text:
        raise QueryError("Nothing to look for: type the characters to find, e.g. 碳纤维.",
                         code="kwic.empty")
    if len(text) > MAX_CHARS:
        raise QueryError(f"A concordance finds a string of at most {MAX_CHARS} characters, "
                         f"not {len(text)}: shorten it.",
                         code="kwic.too_long", length=len(text), limit=MAX_CHARS)
    needle = normalize(text)
    if "".join(u for u, _, _ in units(needle)) != needle:
        runs = [r for r in re.split(r"[^\w]|_", needle) if r]
        advice = (f"look for a run of them, such as «{max(runs, key=len)}»" if runs
                  else "add the words around it")
        raise QueryError(
            f"«{text}» has spaces or punctuation, which the index does not keep, so "
            f"its occurrences cannot all be found exactly: {advice}.",
            code="kwic.punctuation" if runs else "kwic.punctuation_only", query=text,
            longest=max(runs, key=len) if runs else "")
    return needle


def concordable(text: str) -> bool:
    """Whether a concordance can list every occurrence of `text` (a query to offer one
    for: no spaces, punctuation or syntax, not too long)."""
    try:
        _needle(text.strip())
    except QueryError:
        return False
    return True


class Concordancer:
    """The concordance of one string over one searcher's articles."""

    def __init__(self, db: sqlite3.Connection, searcher: Searcher | None, text: str,
                 filters: Filters | None = None, reposts: str = "one"):
        self.text = text.strip()
        self.needle = _needle(self.text)
        if reposts not in REPOST_MODES:
            raise QueryError(f"'reposts' must be one of {', '.join(REPOST_MODES)}.",
                             code="query.reposts", choices=", ".join(REPOST_MODES))
        self.db = db
        self.searcher = searcher
        self.filters = filters or Filters()
        if searcher is None:
            self.order, self.counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            found = searcher.occurrences(self.text, FIELD, filters=self.filters,
                                         collapse=reposts == "one")
            self.order, self.counts = found.order, found.values
        self.total = int(self.counts.sum())
        self.articles = len(self.order)

    def _articles(self, rows: range) -> Iterator[Article]:
        """The articles at these positions of the order, read `BATCH` at a time."""
        assert self.searcher is not None
        for first in range(rows.start, rows.stop, BATCH):
            ids = self.searcher.article_ids(self.order[first : min(first + BATCH, rows.stop)])
            found = database.get_articles(self.db, ids)
            yield from (found[i] for i in ids if i in found)

    def lines(self, start: int = 0) -> Iterator[Line]:
        """Every line in article order from line `start` on, reading only the articles
        from the one that holds it."""
        if not self.total or start >= self.total:
            return
        ends = np.cumsum(self.counts)
        row = int(np.searchsorted(ends, start, side="right"))
        skip = start - (int(ends[row - 1]) if row else 0)
        for article in self._articles(range(row, len(self.order))):
            found = lines_of(article, self.needle)
            yield from found[skip:]
            skip = 0

    def sorted_lines(self, sort: str) -> list[Line]:
        """Every line, ordered by its left context read outwards, or its right context."""
        every = list(self.lines())
        if sort == "left":
            every.sort(key=lambda line: (normalize(line.left)[::-1], line.article_id))
        elif sort == "right":
            every.sort(key=lambda line: (normalize(line.right), line.article_id))
        return every

    def sortable(self, sort: str) -> str | None:
        """Why `sort` cannot be done here, or None."""
        if sort not in SORTS:
            raise QueryError(f"Cannot sort a concordance by «{sort}»: choose one of "
                             f"{', '.join(SORTS)}.", code="query.sort", value=sort,
                             choices=", ".join(SORTS))
        if sort != "text" and self.total > SORT_LIMIT:
            return (f"«{self.text}» occurs {self.total} times: sorting by context works up "
                    f"to {SORT_LIMIT} occurrences, so the lines are in article order. "
                    "Narrow it by source, author or a date range to sort them.")
        return None

    def page(self, page: int, per_page: int, sort: str = "text") -> Concordance:
        check_window(page, per_page, max_page=MAX_PAGE, max_per_page=MAX_PER_PAGE,
                     items="Lines")
        notice = self.sortable(sort)
        start = (page - 1) * per_page
        if sort == "text" or notice:
            shown = []
            for line in self.lines(start):
                shown.append(line)
                if len(shown) == per_page:
                    break
        else:
            shown = self.sorted_lines(sort)[start : start + per_page]
        return Concordance(self.text, self.total, self.articles, page, per_page, sort,
                           shown, self.filters, notice)

    def export(self, sort: str = "text", fmt: str = "csv") -> Iterator[str]:
        """Every line as CSV or TSV text, a header row first, streamed in article order
        (one batch of articles in memory at a time); sorted, all lines are held."""
        if fmt not in EXPORTS:
            raise QueryError(f"Cannot export a concordance as «{fmt}»: choose csv or tsv.",
                             code="query.export_format", value=fmt, choices="csv, tsv")
        notice = self.sortable(sort)
        lines = self.lines() if sort == "text" or notice else iter(self.sorted_lines(sort))
        yield _row(COLUMNS, fmt)
        for line in lines:
            yield _row(line.row(), fmt)


EXPORTS = ("csv", "tsv")
KWIC_SORTS = SORTS


def _row(values, fmt: str) -> str:
    if fmt == "csv":
        return csv_line(values)
    # TSV: a tab or line break inside a value would break the columns
    return "\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in values) + "\n"
