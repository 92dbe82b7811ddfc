"""Whether a stored article is a match of a query the engine decided (`decided`): the
check of each page shown against the store, the truth.

Such a query is strings of units joined by AND, OR and exclusion, with dates, and each
string is matched in the field the query names as wenhai's index matches it
(`text.analysis`): its units in sequence in the normalized text, nothing but spaces
between them, and each number or Latin word whole (15 is not in 150, su not in usual,
`1 0` not `10`) — a regular expression of the units (`_pattern`); the filters as the
embedded index's columns hold them (`engine.schema.document`). No index is built for
it: a page of ten is checked in about a millisecond.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh import query as wq

from ..engine.schema import TAG_JOIN, document
from ..search.filters import Filters
from ..text.analysis import INLINE_SPACE, parted, units
from ..text.normalize import normalize
from .decided import string_and_end
from .text import HAN


def stored(row) -> dict:
    """The article of `row` (a row of `database.for_index`) as `holds` reads it: the
    embedded index's document, its text fields normalized once (a query of a dozen
    words in six fields asks each field again and again)."""
    doc = document(row)
    return {k: normalize(v) if k.endswith("_g") and isinstance(v, str) else v
            for k, v in doc.items()}


def holds(q: wq.Query, filters: Filters, doc: dict) -> bool:
    """Whether the article `doc` (`stored`) is a match of the decided query `q` within
    `filters`."""
    narrow = filters.query()
    return _holds(q, doc) and (narrow is None or _holds(narrow, doc))


def _holds(q: wq.Query, doc: dict) -> bool:
    if isinstance(q, wq.Every):
        return True
    if isinstance(q, wq.Phrase | wq.Term) and q.fieldname.endswith("_g"):
        wanted = string_and_end(q)
        if wanted is None:
            raise ValueError(f"not a query the engine decides: {q!r}")
        return _pattern(*wanted).search(doc.get(q.fieldname, "")) is not None
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


#: What may stand between two units of an exact match: the spaces wenhai skips.
_SPACES = f"[{re.escape(INLINE_SPACE)}]*"


#: What may stand between two Chinese units of a loose match: anything but units.
_GAP = f"[^{HAN}a-z0-9]*"
#: What stands between two parted units: anything but units, not only spaces.
_PARTED = f"{_SPACES}[^{HAN}a-z0-9{re.escape(INLINE_SPACE)}]{_GAP}"


@lru_cache(maxsize=256)
def _pattern(string: str, open_end: bool = False, loose: bool = False) -> re.Pattern:
    """Where normalized text holds `string` (`decided.string_of`) as wenhai's index finds
    it: its units in sequence, with nothing but spaces between them, or with something
    else where `string` has something else (`parted`: any mark for any other) — or
    anything but units between two Chinese ones if `loose` (`query.Loose`); and a number
    or Latin word not part of a longer one (no digit before or after a number, no letter
    around a word) — but the last word, which may go on with `open_end`
    (`query.Continued`: iphone in iphonex)."""
    found = units(string)
    pattern = ""
    for i, (unit, start, _) in enumerate(found):
        kind = "a-z" if unit[0].isalpha() and unit.isascii() else "0-9" if unit.isdigit() \
            else None
        if i:
            before = found[i - 1]
            pattern += (_GAP if loose and kind is None and not before[0].isascii() else
                        _PARTED if parted(string[before[2]:start]) else _SPACES)
        after = "" if open_end and i == len(found) - 1 and kind == "a-z" else f"(?![{kind}])"
        pattern += re.escape(unit) if kind is None else \
            f"(?<![{kind}]){re.escape(unit)}{after}"
    return re.compile(pattern)
