"""wenhai's query language, parsed into Whoosh queries.

Plain text by default; syntax is opt-in and small::

    小米 汽车            both terms (AND), each found anywhere, even inside longer words
    "碳纤维机盖"          the exact string (quotes “” work too)
    小米 -手机            exclude a term
    小米 OR 华为          either term
    title:财报  author:张逸  source:网易   restrict a term to one field
    extra:邵莉媛        in the other values a file gave (editor, correspondent…)
    date:2024  date:2024-01..2024-06  date:..2023-12-31   published in a range

A plain term matches when the text contains it exactly, or when it contains all of
its jieba words scattered apart; exact matches score far higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from ..errors import QueryError
from ..text.analysis import gram_terms, words
from ..text.normalize import normalize

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64

#: Boosts: the exact string far above scattered words; titles above bodies.
EXACT_BOOST = 10.0
FIELD_BOOSTS = {"title_g": 3.0, "body_g": 1.0, "author_g": 1.0, "source_g": 1.0,
                "extra_g": 1.0}
FIELDS = {"title": ("title_g",), "author": ("author_g",), "source": ("source_g",),
          "extra": ("extra_g",)}
ALL_TEXT = tuple(FIELD_BOOSTS)

SYNTAX_HELP = (
    'Search for words (小米 汽车), an exact phrase ("碳纤维机盖"), exclude with -词, '
    "either with A OR B, fields with title: author: source: extra:, "
    "and dates with date:2024-01..2024-06."
)

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>title|author|source|extra|date):)?
    (?:"(?P<dq>[^"]*)"|“(?P<cq>[^”]*)”|(?P<bare>[^\s"“”]+))
    """,
    re.VERBOSE | re.IGNORECASE,
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class Term:
    text: str
    field: str | None = None
    phrase: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """A Whoosh query plus the normalized strings to highlight in results."""

    text: str
    query: wq.Query
    needles: list[str] = field(default_factory=list)
    #: Documents containing every term as an exact string (None: `query` is exact already).
    #: Ranking puts these before documents that only have a term's words scattered apart.
    exact: wq.Query | None = None


def _tokens(text: str) -> list[Term | str]:
    out: list[Term | str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            quote = text[pos]
            closing = "”" if quote == "“" else '"'
            raise QueryError(
                f"Unclosed quote in the query «{text}»: add the closing {closing} "
                f"or remove the opening {quote}."
            )
        pos = m.end()
        bare = m.group("bare")
        if bare == "OR" and not m.group("neg") and not m.group("field"):
            out.append("OR")
            continue
        phrase = bare is None
        value = bare if bare is not None else (m.group("dq") or m.group("cq") or "")
        fieldname = (m.group("field") or "").lower() or None
        if m.group("neg") and not value and not fieldname:
            continue  # a lone "-"
        out.append(Term(value, fieldname, phrase, bool(m.group("neg"))))
    return out


def _date_bound(value: str, *, upper: bool, original: str) -> str:
    m = _DATE.match(value)
    if not m:
        raise QueryError(
            f"Cannot read the date «{value}» in «{original}»: write dates as 2024, "
            "2024-03 or 2024-03-05, and ranges as date:2024-01..2024-06."
        )
    month, day = (int(p) if p else None for p in m.groups()[1:])
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise QueryError(
            f"«{value}» in «{original}» is not a date: months run from 01 to 12, days to 31."
        )
    parts = [m.group(1)] + [f"{p:02d}" for p in (month, day) if p is not None]
    bound = "-".join(parts)
    return bound + "~" if upper else bound


def date_range(lo: str | None, hi: str | None, original: str) -> wq.Query:
    """Articles published from `lo` to `hi` inclusive (2024, 2024-03 or 2024-03-05; either open)."""
    return wq.TermRange(
        "date",
        _date_bound(lo, upper=False, original=original) if lo else None,
        _date_bound(hi, upper=True, original=original) if hi else None,
    )


def _date_query(value: str, original: str) -> wq.Query:
    if ".." in value:
        lo, _, hi = value.partition("..")
        if not lo and not hi:
            raise QueryError(
                f"The date range in «{original}» is empty: write date:2024-01..2024-06."
            )
        return date_range(lo, hi, original)
    return date_range(value, value, original)


def exact(text: str, fields: tuple[str, ...] = ALL_TEXT) -> wq.Query | None:
    """Documents containing `text` exactly (after normalization) in any of `fields`."""
    grams = gram_terms(text)
    if not grams:
        return None
    subs: list[wq.Query] = []
    for f in fields:
        boost = FIELD_BOOSTS.get(f, 1.0)
        if len(grams) == 1:
            subs.append(wq.Term(f, grams[0], boost=boost))
        else:
            subs.append(wq.Phrase(f, grams, boost=boost))
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _term_query(
    term: Term, original: str
) -> tuple[wq.Query | None, list[str], wq.Query | None, bool]:
    """(query, needles, exact-only query, whether scattered words were admitted)."""
    if term.field == "date":
        q = _date_query(term.text, original)
        return q, [], q, False
    fields = FIELDS.get(term.field or "", ALL_TEXT)
    whole = exact(term.text, fields)
    if whole is None:
        return None, [], None, False
    needles = [normalize(term.text).strip()]
    if term.phrase:
        return whole, needles, whole, False
    parts = list(dict.fromkeys(w for w, *_ in words(term.text)))
    if len(parts) < 2:
        return whole, needles, whole, False
    scattered = [exact(p, fields) for p in parts]
    needles += parts
    boosted = whole.copy()
    boosted.boost = EXACT_BOOST
    loose = wq.Or([boosted, wq.And([q for q in scattered if q is not None])])
    return loose, needles, whole, True


def parse(text: str) -> ParsedQuery:
    """Parse the user's query; raises `QueryError` with advice when it cannot."""
    original = text
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is {len(text)} characters long; shorten it to at most "
            f"{MAX_QUERY_CHARS}."
        )
    tokens = _tokens(text)
    if not any(isinstance(t, Term) for t in tokens):
        raise QueryError("The query is empty: type a word or phrase to search for.")
    if len([t for t in tokens if isinstance(t, Term)]) > MAX_TERMS:
        raise QueryError(f"The query has more than {MAX_TERMS} terms; remove some.")

    # Group terms joined by OR; groups are ANDed.
    groups: list[list[Term]] = []
    pending_or = False
    for tok in tokens:
        if tok == "OR":
            if not groups or pending_or:
                raise QueryError(f"«OR» needs a term on each side in «{original}». {SYNTAX_HELP}")
            pending_or = True
            continue
        assert isinstance(tok, Term)
        if pending_or:
            if tok.negated or groups[-1][-1].negated:
                raise QueryError(f"«OR» cannot join an excluded term in «{original}».")
            groups[-1].append(tok)
            pending_or = False
        else:
            groups.append([tok])
    if pending_or:
        raise QueryError(f"«OR» needs a term on each side in «{original}». {SYNTAX_HELP}")

    positives: list[wq.Query] = []
    exacts: list[wq.Query] = []
    negatives: list[wq.Query] = []
    needles: list[str] = []
    loose = False
    for group in groups:
        alternatives, exact_alternatives = [], []
        for term in group:
            q, n, whole, scattered = _term_query(term, original)
            if q is None:
                continue
            alternatives.append(q)
            exact_alternatives.append(whole)
            if not term.negated:
                needles += n
                loose = loose or scattered
        if not alternatives:
            continue
        if group[0].negated:
            negatives.append(_any(alternatives))
        else:
            positives.append(_any(alternatives))
            exacts.append(_any(exact_alternatives))
    if not positives:
        if negatives:
            raise QueryError(
                f"«{original}» only excludes terms: add a word to search for, e.g. 小米 -手机."
            )
        raise QueryError(
            f"«{original}» has no letters, digits or Chinese characters to search for."
        )
    q = _all(positives)
    if negatives:
        q = wq.AndNot(q, _any(negatives))
    needles = sorted({n for n in needles if n}, key=len, reverse=True)
    return ParsedQuery(original, q, needles, _all(exacts) if loose else None)


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _all(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)
