"""Narrowing a search: facet values (source, author, year, tag), a date range, the sort order
and the page.

Facets are counted over every matching article (`matches`), not just over the page
shown, so the counts a user clicks are true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from whoosh import query as wq

from ..errors import QueryError
from .query import date_range

#: The facets a search can be narrowed by, each a sortable ID field of the index.
FACETS = ("source", "author", "year", "tag")
SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
#: How search shows repost groups: the best copy only, or every copy.
REPOST_MODES = ("one", "all")
_YEAR = re.compile(r"^\d{4}$")
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Filters:
    """What the user narrowed a search to; empty fields narrow nothing."""

    source: str | None = None
    author: str | None = None
    year: str | None = None
    tag: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and len(value) > MAX_VALUE_CHARS:
                raise QueryError(f"The {f.name} filter is too long; shorten it.",
                                 code="filter.too_long", filter=f.name)
        if self.year and not _YEAR.match(self.year):
            raise QueryError(f"The year «{self.year}» is not a year: write four digits, e.g. 2024.",
                             code="filter.year", year=self.year)
        try:
            self.query()  # a malformed date fails now, not in the middle of a search
        except QueryError:
            raise QueryError(
                f"Cannot read the date range from «{self.date_from or ''}» to "
                f"«{self.date_to or ''}»: write years, months or days such as 2024, 2024-01 "
                "or 2024-03-05.",
                code="filter.dates", date_from=self.date_from or "", date_to=self.date_to or "",
            ) from None

    def active(self) -> dict[str, str]:
        """The filters in use, by name: what the search page shows as removable chips."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def query(self) -> wq.Query | None:
        """A Whoosh filter query for these filters, or None when nothing is narrowed."""
        parts: list[wq.Query] = [
            wq.Term(name, getattr(self, name)) for name in FACETS if getattr(self, name)
        ]
        if self.date_from or self.date_to:
            shown = f"{self.date_from or ''}..{self.date_to or ''}"
            parts.append(date_range(self.date_from, self.date_to, shown))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)


def check_window(page: int, per_page: int, *, max_page: int = MAX_PAGE,
                 max_per_page: int = MAX_PER_PAGE, items: str = "Results") -> None:
    """Raise `QueryError`, saying what to change, for a page number or a page size out
    of bounds (of search results; of concordance lines, with their own bounds)."""
    if not 1 <= per_page <= max_per_page:
        raise QueryError(f"{items} per page must be between 1 and {max_per_page}.",
                         code="query.per_page", limit=max_per_page)
    if not 1 <= page <= max_page:
        raise QueryError(f"The page must be between 1 and {max_page}.",
                         code="query.page", limit=max_page)


def check_page(page: int, per_page: int, sort: str, reposts: str) -> None:
    """Raise `QueryError`, saying what to change, for a page a search cannot show."""
    if reposts not in REPOST_MODES:
        raise QueryError(f"'reposts' must be one of {', '.join(REPOST_MODES)}.",
                         code="query.reposts", choices=", ".join(REPOST_MODES))
    check_window(page, per_page)
    if sort not in SORTS:
        raise QueryError(f"Cannot sort by «{sort}»: choose one of {', '.join(SORTS)}.",
                         code="query.sort", value=sort, choices=", ".join(SORTS))
