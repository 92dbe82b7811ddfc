"""Reading request parameters, with messages a user can act on.

The search page keeps all of its state in the URL (query, page, sort, facet filters,
date range), so that links, reloads and the back button all show the same results;
`SearchParams.args` writes that state back into links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from store import MAX_PAGE, REPOST_MODES, SORTS, Filters


class BadParameter(ValueError):
    """A parameter a page or the API cannot take; `code` and `details` let `messages`
    say it in the reader's language."""

    def __init__(self, message: str, *, code: str, **details) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


def integer(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a whole number, not {raw!r}.",
                           code="param.not_integer", name=name, value=raw) from None
    if not low <= value <= high:
        raise BadParameter(f"'{name}' must be between {low} and {high}, not {value}.",
                           code="param.range", name=name, low=low, high=high, value=value)
    return value


def choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; the first when the parameter is absent."""
    raw = args.get(name) or choices[0]
    if raw not in choices:
        raise BadParameter(f"'{name}' must be one of {', '.join(choices)}, not {raw!r}.",
                           code="param.choice", name=name, choices=", ".join(choices), value=raw)
    return raw


def text(args: Mapping[str, str], name: str) -> str | None:
    return (args.get(name) or "").strip() or None


#: URL parameter → `store.Filters` field.
FILTER_PARAMS = {"source": "source", "author": "author", "year": "year", "tag": "tag",
                 "from": "date_from", "to": "date_to"}


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int = 1
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    reposts: str = "one"

    def args(self, **changes: str | int | None) -> dict[str, str | int]:
        """URL parameters for this search with `changes` (None removes one).

        Changing anything but the page starts again at page 1.
        """
        current: dict[str, str | int | None] = {
            "q": self.q, "sort": self.sort, "page": self.page, "reposts": self.reposts,
        }
        for param, attr in FILTER_PARAMS.items():
            current[param] = getattr(self.filters, attr)
        if set(changes) - {"page"}:
            current["page"] = None
        current.update(changes)
        defaults = {"sort": "relevance", "page": 1, "reposts": "one"}
        return {k: v for k, v in current.items() if v and defaults.get(k) != v}

    def chips(self) -> list[tuple[str, str, dict]]:
        """(parameter, value, URL parameters without it) for each filter in use."""
        return [
            (param, value, self.args(**{param: None}))
            for param, attr in FILTER_PARAMS.items()
            if (value := getattr(self.filters, attr))
        ]


def search_params(args: Mapping[str, str], sorts: tuple[str, ...] = SORTS) -> SearchParams:
    """The search in a request's query string; raises `BadParameter` or `store.QueryError`.

    `sorts` are the orders this page offers, its default first (browsing has no
    relevance to sort by: newest, then oldest)."""
    filters = Filters(**{attr: text(args, param) for param, attr in FILTER_PARAMS.items()})
    return SearchParams(
        q=(args.get("q") or "").strip(),
        page=integer(args, "page", 1, 1, MAX_PAGE),
        sort=choice(args, "sort", sorts),
        filters=filters,
        reposts=choice(args, "reposts", REPOST_MODES),
    )


#: The orders browsing offers, the default first.
BROWSE_SORTS = ("newest", "oldest")
#: What a results download can be, and a concordance's.
DOWNLOADS = ("csv", "jsonl")
KWIC_EXPORTS = ("csv", "tsv")
