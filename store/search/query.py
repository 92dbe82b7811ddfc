"""wenhai's query language, parsed into Whoosh queries.

Plain text by default; syntax is opt-in and small::

    小米 汽车            both terms (AND), each found anywhere, even inside longer words
    "碳纤维机盖"          the exact string (quotes “” work too)
    小米 -手机            exclude a term
    小米 OR 华为          either term
    title:财报  author:张逸  source:网易   restrict a term to one field
    extra:邵莉媛        in the other values a file gave (editor, correspondent…)
    tag:新能源          in the article's tags (its file's and those people gave it)
    date:2024  date:2024-01..2024-06  date:..2023-12-31   published in a range

A plain term matches when the text contains it exactly, or when it contains all of
its jieba words scattered apart; exact matches score far higher.

A query is text a person pasted before it is syntax: a quotation mark without its
partner (家庭“因病致贫, 南向通道”等) is searched as the character it is, in the passage
around it. 「」 and 『』 are never syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.matching import NullMatcher, UnionMatcher, WrappingMatcher
from whoosh.query import SpanNear2
from whoosh.util import make_binary_tree

from ..errors import QueryError, QuerySyntaxError
from ..text.analysis import gram_terms, loosened, units, words
from ..text.normalize import normalize

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64

#: Boosts: the exact string far above scattered words, the string across punctuation
#: between them; titles above bodies.
EXACT_BOOST = 10.0
LOOSE_BOOST = 5.0
FIELD_BOOSTS = {"title_g": 3.0, "body_g": 1.0, "author_g": 1.0, "source_g": 1.0,
                "extra_g": 1.0, "tags_g": 1.0}
FIELDS = {"title": ("title_g",), "author": ("author_g",), "source": ("source_g",),
          "extra": ("extra_g",), "tag": ("tags_g",)}
ALL_TEXT = tuple(FIELD_BOOSTS)

SYNTAX_HELP = (
    'Search for words (小米 汽车), an exact phrase ("碳纤维机盖"), exclude with -词, '
    "either with A OR B, fields with title: author: source: extra: tag:, "
    "and dates with date:2024-01..2024-06."
)

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>title|author|source|extra|tag|date):)?
    (?:"(?P<dq>[^"]*)"|“(?P<cq>[^”]*)”|(?P<bare>[^\s"“”]+))
    """,
    re.VERBOSE | re.IGNORECASE,
)
#: Characters that are no unit and no space: punctuation, marks.
_NOT_UNIT = re.compile(r"[^\s\w\u3400-\u9fff\uf900-\ufaff]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class Term:
    text: str
    field: str | None = None
    phrase: bool = False
    negated: bool = False


class Loose(wq.Phrase):
    """A phrase of gram terms where each pair of units may also be parted by punctuation
    or a line break (中~国 as well as 中国): a passage typed without the punctuation of the
    text. `evaluate` answers it on arrays; for Whoosh, each word is the union of its
    spellings' matchers (spans and scores summed) under Whoosh's phrase matcher."""

    def matcher(self, searcher, context=None):
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None or not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own answer and error
        reader, words = searcher.reader(), []
        for word in self.words:
            spellings = [wq.Term(self.fieldname, w) for w in loosened(word)
                         if (self.fieldname, field.to_bytes(w)) in reader]
            if not spellings:
                return NullMatcher()
            found = [t.matcher(searcher, context) for t in spellings]
            words.append(found[0] if len(found) == 1 else UnionMatcher(*found))
        m = SpanNear2.SpanNear2Matcher(words, slop=self.slop, ordered=True, mindist=1)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


def continuations(reader, fieldname: str, term: str) -> list[str]:
    """The terms of a segment `reader` (any Whoosh reader) that are the gram term `term`
    or go on from its last Latin run with more letters, in Whoosh's order: hold →
    hold, holdings (not hold 1, a bigram). `postings.continuations` finds the same in
    wenhai's arrays without walking the lexicon."""
    out = []
    for found in reader.expand_prefix(fieldname, term):
        text = found.decode("utf-8")
        rest = text[len(term) :]
        if not rest or (rest.isascii() and rest.isalpha()):
            out.append(text)
    return out


class Continued(wq.Phrase):
    """A phrase of gram terms whose last word, ending in a Latin run, also stands for
    every term that goes on from that run with more letters: iphone finds iphonex and
    iphonexs, 国家aaa finds 国家aaaa级 (brand and model names are glued to Chinese and
    to each other). Numbers never go on: their boundaries hold. `evaluate` answers it on
    arrays; for Whoosh, the last word is the union of its terms' matchers (scores
    summed, as `Loose` does for spellings) under Whoosh's phrase matcher."""

    def normalize(self):
        return self  # one word is still a Continued, not a Term

    def matcher(self, searcher, context=None):
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None or not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)  # Whoosh's own answer and error
        reader, words = searcher.reader(), []
        for i, word in enumerate(self.words):
            if i + 1 < len(self.words):
                texts = [word] if (self.fieldname, field.to_bytes(word)) in reader else []
            else:
                texts = continuations(reader, self.fieldname, word)
            if not texts:
                return NullMatcher()
            found = [wq.Term(self.fieldname, t).matcher(searcher, context) for t in texts]
            words.append(make_binary_tree(UnionMatcher, found))
        if len(words) == 1:
            m = words[0]
        else:
            m = SpanNear2.SpanNear2Matcher(words, slop=self.slop, ordered=True, mindist=1)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


@dataclass
class ParsedQuery:
    """A Whoosh query plus the normalized strings to highlight in results."""

    text: str
    query: wq.Query
    needles: list[str] = field(default_factory=list)
    #: Documents containing every term as an exact string (None: `query` is exact already).
    #: Ranking puts these before documents that only have a term's words scattered apart,
    #: or its last Latin word going on (iphonex for iphone).
    exact: wq.Query | None = None
    #: Documents containing every term's characters in sequence, with only punctuation,
    #: spaces or line breaks between them, or its last Latin word going on (iphonex for
    #: iphone): ranked after the exact ones, before the rest.
    loose: wq.Query | None = None
    #: The terms as typed (normalized): what an exact or loose match shows.
    strings: list[str] = field(default_factory=list)
    #: The words of the terms that an article with them apart shows: single characters
    #: of a longer term (的 and 管 of 的经营管) would be marked all over the page.
    words: list[str] = field(default_factory=list)
    #: Per term with words apart: its fields and each word's gram terms, in order
    #: (`evaluate.nearness` ranks articles with the words close together first).
    near: list[tuple[tuple[str, ...], list[list[str]]]] = field(default_factory=list)
    #: Quotation marks without a partner, searched as characters of the text around them.
    unpaired: list[str] = field(default_factory=list)

    @property
    def _marked(self) -> list[str]:
        """The strings with punctuation inside (家庭“因病致贫): where the text has other
        marks there (家庭"因病致贫"), they show across them."""
        return [s for s in self.strings if len(units(s)) > 1 and _NOT_UNIT.search(s)]

    def shown(self, tier: int) -> tuple[list[str], list[str]]:
        """(needles, loose needles) that a hit of `tier` (see `matches.Matches`) shows:
        the strings typed where it has them (across punctuation in the loose tier), else
        the terms' words; everything for a query without tiers."""
        if self.exact is None:
            return self.needles, self._marked
        if tier == 0:
            return self.strings, self._marked
        if tier == 1:
            return self.strings, self.strings
        return self.strings + self.words, []


#: Quotation marks that open or close a phrase when they have a partner.
QUOTES = '"“”'
#: What an unpaired mark stands for while the query is cut into tokens: a character no
#: query means, which `_TOKEN` takes as text (Unicode's private use area).
_STRAY = {mark: chr(0xE000 + i) for i, mark in enumerate(QUOTES)}
_UNSTRAY = str.maketrans({v: k for k, v in _STRAY.items()})
#: A field name with nothing after its colon: syntax, but no term.
_BARE_FIELD = re.compile(r"-?(title|author|source|extra|tag|date):", re.IGNORECASE)


def unpaired(text: str) -> list[int]:
    """Where `text` has a quotation mark without a partner, as `_TOKEN` pairs them: a "
    or “ opens a phrase up to the next " or ” (whatever stands between), and a ” with no
    “ before it closes nothing. A pasted passage often cuts one mark of a pair off."""
    found, at = [], 0
    while at < len(text):
        mark = text[at]
        if mark in '"“':
            end = text.find('"' if mark == '"' else "”", at + 1)
            if end < 0:
                found.append(at)
            else:
                at = end
        elif mark == "”":
            found.append(at)
        at += 1
    return found


def _tokens(text: str) -> tuple[list[Term | str], list[str]]:
    """The query's terms and ORs, and the quotation marks read as characters (those
    without a partner: they stay in the text around them)."""
    text = text.strip()
    strays = unpaired(text)
    marks = [text[i] for i in strays]
    if strays:
        chars = list(text)
        for i in strays:
            chars[i] = _STRAY[chars[i]]
        text = "".join(chars)
    out: list[Term | str] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        assert m is not None, text  # every quote left is paired: something always matches
        pos = m.end()
        bare = m.group("bare")
        if bare == "OR" and not m.group("neg") and not m.group("field"):
            out.append("OR")
            continue
        if bare is not None and _BARE_FIELD.fullmatch(bare):
            raise QuerySyntaxError(
                f"«{bare}» in «{text.translate(_UNSTRAY)}» has nothing after the colon: "
                f"write the term right after it ({bare}小米), or quote it to search the "
                f'text ("{bare}").',
                code="query.field_empty", field=bare, query=text.translate(_UNSTRAY),
            )
        phrase = bare is None
        value = bare if bare is not None else (m.group("dq") or m.group("cq") or "")
        value = value.translate(_UNSTRAY)
        fieldname = (m.group("field") or "").lower() or None
        if m.group("neg") and not value and not fieldname:
            continue  # a lone "-"
        out.append(Term(value, fieldname, phrase, bool(m.group("neg"))))
    return out, marks


def _plain_tokens(text: str) -> list[Term | str]:
    """The query read as plain text: each run between spaces a term, no syntax at all."""
    return [Term(chunk) for chunk in text.split()]


def _date_bound(value: str, *, upper: bool, original: str) -> str:
    m = _DATE.match(value)
    if not m:
        raise QuerySyntaxError(
            f"Cannot read the date «{value}» in «{original}»: write dates as 2024, "
            "2024-03 or 2024-03-05, and ranges as date:2024-01..2024-06.",
            code="query.date_unreadable", value=value, query=original,
        )
    month, day = (int(p) if p else None for p in m.groups()[1:])
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise QuerySyntaxError(
            f"«{value}» in «{original}» is not a date: months run from 01 to 12, days to 31.",
            code="query.date_impossible", value=value, query=original,
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
            raise QuerySyntaxError(
                f"The date range in «{original}» is empty: write date:2024-01..2024-06.",
                code="query.date_range_empty", query=original,
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


def continued(text: str, fields: tuple[str, ...] = ALL_TEXT) -> wq.Query | None:
    """Documents containing `text`, its last Latin word whole or going on with more
    letters (`Continued`), in any of `fields`; None unless `text` ends in a letter."""
    norm = normalize(text).rstrip()
    grams = gram_terms(text)
    if not grams or not ("a" <= norm[-1:] <= "z"):
        return None
    subs = [Continued(f, grams, boost=FIELD_BOOSTS.get(f, 1.0)) for f in fields]
    return subs[0] if len(subs) == 1 else wq.Or(subs)


@dataclass
class _Parsed:
    """One term: its query, the exact and loose forms ranking uses, and its needles."""

    query: wq.Query
    whole: wq.Query
    loose: wq.Query
    needles: list[str]
    words: list[str] = field(default_factory=list)
    scattered: bool = False
    near: tuple[tuple[str, ...], list[list[str]]] | None = None
    #: Its last Latin word may go on (`Continued`): whole-word matches rank first.
    continued: bool = False


def _trimmed(text: str) -> str:
    """The normalized text from its first unit to its last: what a match shows of it.
    The index sees nothing before or after (the “ of “碳纤维, the - of -小米)."""
    norm = normalize(text)
    found = units(norm)
    return norm[found[0][1] : found[-1][2]] if found else norm.strip()


def _loose(q: wq.Query) -> wq.Query:
    """`q` with its phrases `Loose`."""
    if type(q) is wq.Phrase:
        return Loose(q.fieldname, q.words, boost=q.boost)
    if isinstance(q, wq.Or):
        return wq.Or([_loose(s) for s in q.subqueries])
    return q


def _term_query(term: Term, original: str) -> _Parsed | None:
    if term.field == "date":
        q = _date_query(term.text, original)
        return _Parsed(q, q, q, [])
    fields = FIELDS.get(term.field or "", ALL_TEXT)
    whole = exact(term.text, fields)
    if whole is None:
        return None
    needles = [_trimmed(term.text)]
    if term.phrase:  # quoted: exactly this, a Latin word whole
        return _Parsed(whole, whole, whole, needles)
    # The string with its last Latin word going on (用iphonex for 用iphone) ranks with
    # the string across punctuation: after the exact string, before its words apart.
    more = continued(term.text, fields)
    loose = _loose(whole)
    second = loose if more is None else wq.Or([loose, more])
    parts = list(dict.fromkeys(w for w, *_ in words(term.text)))
    if len(parts) < 2:
        return _Parsed(whole if more is None else more, whole, second, needles, parts,
                       continued=more is not None)
    scattered = [exact(p, fields) for p in parts]
    boosted = whole.copy()
    boosted.boost = EXACT_BOOST
    across = loose.copy()
    across.boost = LOOSE_BOOST
    forms = [boosted, across] + ([more] if more is not None else [])
    either = wq.Or([*forms, wq.And([q for q in scattered if q is not None])])
    shown = [p for p in parts if len(p) > 1] or parts
    in_order = [grams for w, *_ in words(term.text) if (grams := gram_terms(w))]
    return _Parsed(either, whole, second, needles + parts, shown, scattered=True,
                   near=(fields, in_order),  # words of no unit (α, の) are no gram
                   continued=more is not None)


def everything() -> ParsedQuery:
    """Every article, no query: what browsing the archive lists."""
    return ParsedQuery("", wq.Every())


def parse(text: str, *, plain: bool = False) -> ParsedQuery:
    """Parse the user's query; raises `QueryError` with advice when it cannot.

    A query is text a person pasted before it is syntax: a quotation mark without its
    partner is searched as the character it is, and `ParsedQuery.unpaired` says so. Only
    what is clearly syntax gone wrong (`author:` with nothing after it, a date that is
    none, a dangling OR) raises `QuerySyntaxError`; `plain` reads the text with no syntax
    at all, each run between spaces a term, for the search shown beside that error.
    """
    original = text
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is {len(text)} characters long; shorten it to at most "
            f"{MAX_QUERY_CHARS}.",
            code="query.too_long", length=len(text), limit=MAX_QUERY_CHARS,
        )
    tokens, marks = (_plain_tokens(text), []) if plain else _tokens(text)
    if not any(isinstance(t, Term) for t in tokens):
        raise QueryError("The query is empty: type a word or phrase to search for.",
                         code="query.empty")
    if len([t for t in tokens if isinstance(t, Term)]) > MAX_TERMS:
        raise QueryError(f"The query has more than {MAX_TERMS} terms; remove some.",
                         code="query.too_many_terms", limit=MAX_TERMS)

    # Group terms joined by OR; groups are ANDed.
    groups: list[list[Term]] = []
    pending_or = False
    for tok in tokens:
        if tok == "OR":
            if not groups or pending_or:
                raise QuerySyntaxError(
                    f"«OR» needs a term on each side in «{original}». {SYNTAX_HELP}",
                    code="query.or_one_sided", query=original)
            pending_or = True
            continue
        assert isinstance(tok, Term)
        if pending_or:
            if tok.negated or groups[-1][-1].negated:
                raise QuerySyntaxError(f"«OR» cannot join an excluded term in «{original}».",
                                       code="query.or_excluded", query=original)
            groups[-1].append(tok)
            pending_or = False
        else:
            groups.append([tok])
    if pending_or:
        raise QuerySyntaxError(
            f"«OR» needs a term on each side in «{original}». {SYNTAX_HELP}",
            code="query.or_one_sided", query=original)

    positives: list[wq.Query] = []
    exacts: list[wq.Query] = []
    looses: list[wq.Query] = []
    negatives: list[wq.Query] = []
    needles: list[str] = []
    strings: list[str] = []
    shown_words: list[str] = []
    near: list[tuple[tuple[str, ...], list[list[str]]]] = []
    tiered = False  # some term has forms that rank after its exact string
    for group in groups:
        found = [(term, p) for term in group if (p := _term_query(term, original)) is not None]
        if not found:
            continue
        if group[0].negated:
            negatives.append(_any([p.query for _, p in found]))
            continue
        positives.append(_any([p.query for _, p in found]))
        exacts.append(_any([p.whole for _, p in found]))
        looses.append(_any([p.loose for _, p in found]))
        for _, p in found:
            needles += p.needles
            strings += p.needles[:1]
            shown_words += p.words
            tiered = tiered or p.scattered or p.continued
            if p.near is not None:
                near.append(p.near)
    if not positives:
        if negatives:
            raise QuerySyntaxError(
                f"«{original}» only excludes terms: add a word to search for, e.g. 小米 -手机.",
                code="query.only_excluded", query=original,
            )
        raise QueryError(
            f"«{original}» has no letters, digits or Chinese characters to search for.",
            code="query.nothing_to_search", query=original,
        )
    q = _all(positives)
    if negatives:
        q = wq.AndNot(q, _any(negatives))
    def longest_first(found: list[str]) -> list[str]:
        return sorted({n for n in found if n}, key=len, reverse=True)

    return ParsedQuery(
        original, q, longest_first(needles),
        exact=_all(exacts) if tiered else None, loose=_all(looses) if tiered else None,
        strings=longest_first(strings), words=longest_first(shown_words), near=near,
        unpaired=marks,
    )


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _all(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)
