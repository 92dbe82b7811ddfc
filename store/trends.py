"""Trends: how often each of a few strings appears, month by month (or year by year),
on one time axis — the articles whose text has it, or its occurrences.

Each term is counted by the concordance's path (`Searcher.occurrences`: the exact
string in the articles' texts, one copy of a repost group), which gives every matching
article's month and count at once, so a series is complete and costs no text read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import QueryError
from .export import csv_line
from .search.filters import Filters
from .search.searcher import Searcher
from .timeline import BY, timeline

#: Terms one chart compares.
MAX_TERMS = 6
MAX_TERM_CHARS = 100
#: What a series counts: articles whose text has the term, or the term's occurrences.
MEASURES = ("articles", "occurrences")
#: Terms are separated by commas (also the Chinese ones) or enumeration commas.
_SEPARATORS = re.compile(r"[,，、]")
FIELD = "body_g"


def split_terms(text: str | list[str]) -> list[str]:
    """The terms of `雷军,小米汽车，SU7` (or of several such strings), each once, in order;
    raises `QueryError` for none, too many or too long."""
    parts = [text] if isinstance(text, str) else text
    terms = list(dict.fromkeys(t.strip() for p in parts for t in _SEPARATORS.split(p)
                               if t.strip()))
    if not terms:
        raise QueryError("No terms to compare: give up to 6, separated by commas, "
                         "e.g. 雷军,小米汽车,SU7.", code="trends.empty", limit=MAX_TERMS)
    if len(terms) > MAX_TERMS:
        raise QueryError(f"{len(terms)} terms is too many for one chart: compare at most "
                         f"{MAX_TERMS} ({', '.join(terms[:MAX_TERMS])}).",
                         code="trends.too_many", count=len(terms), limit=MAX_TERMS,
                         first=", ".join(terms[:MAX_TERMS]))
    for term in terms:
        if len(term) > MAX_TERM_CHARS:
            raise QueryError(f"The term «{term[:20]}…» is longer than {MAX_TERM_CHARS} "
                             "characters; shorten it.", code="trends.term_too_long",
                             term=term[:20], limit=MAX_TERM_CHARS)
    return terms


@dataclass(frozen=True)
class Series:
    term: str
    counts: list[int]  # one per period of the chart

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Trends:
    terms: list[str]
    by: str  # month or year
    measure: str
    periods: list[str]
    series: list[Series]
    filters: Filters

    @property
    def peak(self) -> int:
        return max((max(s.counts, default=0) for s in self.series), default=0)

    def rows(self) -> list[tuple[str, list[int]]]:
        """(period, the count of each term) for each period: the table under the chart."""
        return [(p, [s.counts[i] for s in self.series]) for i, p in enumerate(self.periods)]

    def to_dict(self) -> dict:
        return {"terms": self.terms, "by": self.by, "measure": self.measure,
                "filters": self.filters.active(), "periods": self.periods,
                "series": [{"term": s.term, "total": s.total, "counts": s.counts}
                           for s in self.series]}

    def csv(self) -> str:
        """The table as CSV: a period column, then one column per term."""
        return "".join([csv_line(["period", *self.terms]),
                        *(csv_line([p, *counts]) for p, counts in self.rows())])


def trends(searcher: Searcher | None, terms: list[str], *, by: str = "auto",
           measure: str = "articles", filters: Filters | None = None) -> Trends:
    """Each term's articles (or occurrences) per month or year, on one axis from the first
    month any of them has to the last."""
    if by not in BY:
        raise QueryError(f"Cannot count by «{by}»: choose one of {', '.join(BY)}.",
                         code="query.by", value=by, choices=", ".join(BY))
    if measure not in MEASURES:
        raise QueryError(f"Cannot count «{measure}»: choose articles or occurrences.",
                         code="trends.measure", value=measure)
    filters = filters or Filters()
    per_term: list[dict[str, int]] = []
    for term in terms:
        if searcher is None:
            per_term.append({})
            continue
        found = searcher.occurrences(term, FIELD, filters=filters)
        key = "month" if measure == "articles" else "month_values"
        per_term.append(dict(found.facets.get(key, [])))
    # one axis: the timeline of every term's months together
    axis = timeline([(m, 1) for months in per_term for m in months], by)
    periods = [b.period for b in axis.bins]
    series = []
    for term, months in zip(terms, per_term, strict=True):
        counts = dict.fromkeys(periods, 0)
        for month, n in months.items():
            counts[month if axis.by == "month" else month[:4]] += n
        series.append(Series(term, list(counts.values())))
    return Trends(terms, axis.by, measure, periods, series, filters)
