"""A timeline: how many articles per month (per year over a long span), gaps included.

The counts come from a search (`matches`' month facet: every match, not only a page),
so a timeline is as complete as the search it draws and narrows like it: each bar
carries the date range a `Filters` takes (`date_from`, `date_to`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Over more months than this, a timeline counts per year: 30 years of months would be
#: 360 bars too thin to read or to tap.
MAX_MONTHS = 48
BY = ("auto", "month", "year")


@dataclass(frozen=True)
class Bin:
    """One bar: a month (2024-03) or a year (2024) and how many articles it has."""

    period: str
    count: int

    @property
    def start(self) -> str:
        return self.period

    @property
    def end(self) -> str:
        return self.period

    def to_dict(self) -> dict:
        return {"period": self.period, "from": self.start, "to": self.end, "count": self.count}


@dataclass(frozen=True)
class Timeline:
    by: str  # month or year
    bins: list[Bin]
    #: The search it counts was partial (out of time, a cluster's shard that did not
    #: answer): some articles may be missing from the bars; `reasons` says why if known.
    partial: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bins)

    @property
    def peak(self) -> int:
        return max((b.count for b in self.bins), default=0)

    def to_dict(self) -> dict:
        return {"by": self.by, "total": self.total, "bins": [b.to_dict() for b in self.bins],
                "partial": self.partial, "reason": " ".join(self.reasons) or None}


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def timeline(months: list[tuple[str, int]], by: str = "auto") -> Timeline:
    """The bins of `months` ((YYYY-MM, count), any order), every month or year from the
    first to the last, those with none at 0. `by` auto picks years over `MAX_MONTHS`."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    counted = {m: n for m, n in months if n}
    if not counted:
        return Timeline("month" if by == "auto" else by, [])
    first, last = _month_number(min(counted)), _month_number(max(counted))
    if by == "auto":
        by = "year" if last - first + 1 > MAX_MONTHS else "month"
    if by == "month":
        names = [_month_name(n) for n in range(first, last + 1)]
        return Timeline(by, [Bin(name, counted.get(name, 0)) for name in names])
    years: dict[str, int] = {}
    for month, n in counted.items():
        years[month[:4]] = years.get(month[:4], 0) + n
    span = range(first // 12, last // 12 + 1)
    return Timeline(by, [Bin(f"{y:04d}", years.get(f"{y:04d}", 0)) for y in span])
