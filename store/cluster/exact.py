"""Whether a stored article is a match of a query the engine decided (`decided`): the
check of each page shown against the store, the truth.

Such a query is Chinese strings joined by AND, OR and exclusion, with dates, and each
string is matched as wenhai matches it everywhere else on stored text — by the
highlighter's own search (`text.snippets.spans`: the normalized characters in sequence,
spaces counting for nothing) in the field the query names — and the filters as the
embedded index's columns hold them (`engine.schema.document`). No index is built for it:
a page of ten is checked in about a millisecond.
"""

from __future__ import annotations

from whoosh import query as wq

from ..engine.schema import TAG_JOIN, document
from ..search.filters import Filters
from ..text.snippets import spans
from .decided import string_of


def holds(q: wq.Query, filters: Filters, row) -> bool:
    """Whether the article of `row` (a row of `database.for_index`) is a match of the
    decided query `q` within `filters`."""
    doc = document(row)
    narrow = filters.query()
    return _holds(q, doc) and (narrow is None or _holds(narrow, doc))


def _holds(q: wq.Query, doc: dict) -> bool:
    if isinstance(q, wq.Every):
        return True
    if type(q) in (wq.Term, wq.Phrase) and q.fieldname.endswith("_g"):
        wanted = string_of(q)
        if wanted is None:
            raise ValueError(f"not a query the engine decides: {q!r}")
        return bool(spans(doc.get(q.fieldname, ""), [wanted]))
    if type(q) is wq.Term:  # a filter on a column: source, author, year, tag
        value = doc.get(q.fieldname, "")
        return q.text in value.split(TAG_JOIN) if q.fieldname == "tag" else value == q.text
    if type(q) is wq.Or:
        return any(_holds(sub, doc) for sub in q.subqueries)
    if type(q) is wq.And:
        return all(_holds(sub, doc) for sub in q.subqueries)
    if type(q) is wq.AndNot:
        return _holds(q.a, doc) and not _holds(q.b, doc)
    if isinstance(q, wq.TermRange) and q.fieldname == "date":
        date = doc.get("date")
        return bool(date) and (q.start is None or date >= q.start) and (
            q.end is None or date <= q.end)
    raise ValueError(f"not a query the engine decides: {q!r}")
