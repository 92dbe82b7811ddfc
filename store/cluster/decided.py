"""Searches the cluster's engine decides whole: the total, the facets, the filters, the
order and the page, counted by the aggregator over every match rather than over
candidates checked one by one.

A query qualifies when the engine finds exactly the articles wenhai finds, in the same
tiers: each of its strings a phrase of wenhai's units and the gaps that part them as
the shards hold them (`cluster.text`: whole numbers and words, any mark for any other),
its loose form a phrase in the loose fields, its last Latin word going on a phrase
left open, its words apart an AND of phrases; joined by AND, OR and exclusion, with
`date:` terms and the filters as attribute conditions. By relevance a page is read
tier by tier (wenhai's order of the tiers; the engine's inside each). A query with a
part the engine cannot say (a `date:` inside an OR) is decided from the stored text
(`cluster.verify`), and so is a page whose check against the stored text fails
(`cluster.searcher`).

Repost groups collapse as `search.matches` collapses them: the matched copies of each
group with several (`database.shared_groups`, from the store) are read, the first in
the order asked kept — by date, or for relevance as wenhai ranks those copies (`rank`:
the searcher ranks them from the stored text) — and the others left out of the total,
the facets and the pages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from ..search.filters import FACETS, Filters
from ..search.matches import Matches, facet
from ..search.query import Continued, Loose, ParsedQuery, date_range
from ..text.analysis import loosened, split_bigram, units
from .candidates import _shard_warning
from .feed import FIELDS, LOOSE_FIELDS, tag_id
from .local import DISTRIBUTED, MAX_MATCHES
from .nodes import Cluster
from .text import PART, phrase

#: The shard field of each grams field a query may name.
_SHARD_FIELDS = {grams: field for field, grams in FIELDS.items()}
#: The loose shard field of each (`feed.LOOSE_FIELDS`).
_LOOSE_SHARD_FIELDS = {grams: field for field, grams in LOOSE_FIELDS.items()}
#: The attribute each facet is counted on (the month for timelines).
_FACETS = {"source": "source_value", "author": "author_value", "year": "year",
           "tag": "tag_set", "month": "month"}
#: Matches each shard keeps for a page and for each facet's values at first: a facet
#: with as many values as that may lack some, and is asked again with ten times more,
#: up to `MAX_MATCHES` (every kept match costs: 100,000 is ~50 ms a facet).
FIRST_MATCHES = 1000
#: How the engine orders a page: the same keys as `search.matches` (undated last by
#: date; ties by id, the embedded index's document order).
_ORDERS = {"relevance": "WEIGHT() DESC, id ASC", "newest": "published DESC, id ASC",
           "oldest": "dated_first ASC, id ASC"}
#: A page's columns. No alias of an expression: over a distributed index, the engine
#: cannot count facets beside one.
_COLUMNS = "id, grp"


@dataclass(frozen=True)
class Plan:
    """A query and filters as the engine's conditions: the `MATCH` expression (None:
    every article) and attribute conditions with their parameters; for a query with
    tiers, the `MATCH` expression of each tier but the last (an article is in the
    first tier it matches; in the last if none)."""

    match: str | None
    where: tuple[str, ...]
    args: tuple
    tiers: tuple[str, ...] = ()


def decides(parsed: ParsedQuery, filters: Filters) -> Plan | None:
    """The engine's conditions for a parsed query, or None where it cannot decide it.
    Its tiers are wenhai's (`search.matches`): the exact matches, then the loose ones
    (across punctuation, or a last Latin word going on), then the words apart — only
    the first two where no term has words apart (its loose matches are all the rest)."""
    tiers = []
    if parsed.exact is not None:
        tiers = [parsed.exact] + ([parsed.loose] if parsed.near else [])
    return plan(parsed.query, filters, tiers)


def plan(q: wq.Query, filters: Filters, tiers: list[wq.Query] = ()) -> Plan | None:
    """The engine's conditions for exactly the matches of `q` within `filters`, those of
    each of `tiers` ranked before the others (see `decides`), or None where the engine
    cannot decide them."""
    rest, dates = _dates(q)
    match = None
    if rest is not None and not isinstance(rest, wq.Every):
        match = _expression(rest)
        if match is None:
            return None
    ranked = []
    for tier in tiers:
        first, _ = _dates(tier)  # the dates are the query's, in `where`
        found = None if first is None or match is None else _expression(first)
        if found is None:
            return None
        ranked.append(found)
    where: list[str] = []
    args: list = []
    for name, column in (("source", "source_value"), ("author", "author_value")):
        if value := getattr(filters, name):
            where.append(f"{column} = %s")
            args.append(value)
    if filters.year:
        where.append("year = %s")
        args.append(int(filters.year))
    if filters.tag:
        where.append("tag_ids = %s")
        args.append(tag_id(filters.tag))
    if filters.date_from or filters.date_to:
        dates.append(date_range(filters.date_from, filters.date_to, "filter"))
    for r in dates:
        where.append("published BETWEEN %s AND %s")
        args += [_day(r.start, upper=False) if r.start else 1,
                 _day(r.end, upper=True) if r.end else 99_999_999]
    return Plan(match, tuple(where), tuple(args), tuple(ranked))


def _dates(q: wq.Query) -> tuple[wq.Query | None, list[wq.TermRange]]:
    """`q` without its `date:` ranges at the top (ANDed with the rest), and those."""
    if _is_date(q):
        return None, [q]
    if isinstance(q, wq.And):
        rest = [s for s in q.subqueries if not _is_date(s)]
        dates = [s for s in q.subqueries if _is_date(s)]
        return (None if not rest else rest[0] if len(rest) == 1 else wq.And(rest)), dates
    if isinstance(q, wq.AndNot):
        rest, dates = _dates(q.a)
        return (q if rest is None else wq.AndNot(rest, q.b)), dates  # q: undecided
    return q, []


def _is_date(q: wq.Query) -> bool:
    return isinstance(q, wq.TermRange) and q.fieldname == "date"


def _day(bound: str, *, upper: bool) -> int:
    """A date bound of `query.date_range` (2024, 2024-03~, 2024-03-05) as the number a
    shard holds dates as (20240305), the whole year or month included."""
    year, month, day = ([int(p) for p in bound.rstrip("~").split("-")] + [0, 0])[:3]
    fill = 99 if upper else 0
    return year * 10_000 + (month or fill) * 100 + (day or fill)


def _expression(q: wq.Query) -> str | None:
    """The engine's extended syntax for exactly `q`'s matches; None if it has none."""
    if (found := string_and_end(q)) is not None:
        field = _field(q, found)
        return None if field is None else f"(@{field} {_phrase(found)})"
    if type(q) is wq.Or:
        strings: dict[tuple, list[str]] = {}  # the same string in several fields: one group
        parts = []
        for sub in q.subqueries:
            if (found := string_and_end(sub)) is not None and (
                    field := _field(sub, found)) is not None:
                strings.setdefault(found, []).append(field)
            elif (other := _expression(sub)) is not None:
                parts.append(other)
            else:
                return None
        for found, fields in strings.items():
            where = fields[0] if len(fields) == 1 else f"({','.join(dict.fromkeys(fields))})"
            parts.append(f"(@{where} {_phrase(found)})")
        return parts[0] if len(parts) == 1 else f"({' | '.join(parts)})"
    if type(q) is wq.And:
        parts = [_expression(sub) for sub in q.subqueries]
        return None if None in parts else f"({' '.join(parts)})"
    if type(q) is wq.AndNot:
        a, b = _expression(q.a), _expression(q.b)
        return None if a is None or b is None else f"({a} -{b})"
    return None


def _phrase(found: tuple[str, bool, bool]) -> str | None:
    return phrase(found[0], open_end=found[1], loose=found[2])


def _field(q: wq.Query, found: tuple[str, bool, bool]) -> str | None:
    """The shard field a term or phrase is matched in: its loose field for a loose one."""
    return (_LOOSE_SHARD_FIELDS if found[2] else _SHARD_FIELDS).get(q.fieldname)


def string_and_end(q: wq.Query) -> tuple[str, bool, bool] | None:
    """(`string_of` a term or phrase, whether its last Latin word may go on, whether it
    is loose): open for a `Continued` (iphone finds iphonex); loose for a `Loose` phrase
    with two Chinese characters side by side (中国 is also 中，国; a pair with a number or
    a Latin word has one spelling); None for anything else."""
    if type(q) not in (wq.Term, wq.Phrase, Loose, Continued):
        return None
    found = string_of(q)
    loose = type(q) is Loose and not all(loosened(g) == (g,) for g in q.words)
    return None if found is None else (found, type(q) is Continued, loose)


def string_of(q: wq.Term | wq.Phrase) -> str | None:
    """The string of wenhai's units (`text.analysis.units`) a term or phrase of gram
    terms spells, a space between two units where one is a number or a Latin word and
    `text.PART` between two that are parted (中国 from 中国; 小米汽车 from 小米 米汽 汽车;
    iphone 15 from iphone 15; 中 PART 国 from 中~国), or None for anything else (a
    phrase of other words)."""
    grams = [q.text] if isinstance(q, wq.Term) else list(q.words)
    if (isinstance(q, wq.Phrase) and q.slop != 1) or not grams or not all(
            isinstance(g, str) for g in grams):
        return None
    pairs = [split_bigram(g) for g in grams]
    if len(grams) == 1 and pairs[0] is None:
        found, apart = [grams[0]], []
    elif None in pairs or any(a[1] != b[0] for a, b in zip(pairs, pairs[1:], strict=False)):
        return None
    else:
        found = [pairs[0][0], *(second for _, second, _ in pairs)]
        apart = [parted for _, _, parted in pairs]
    if not all([u for u, _, _ in units(unit)] == [unit] for unit in found):
        return None
    return found[0] + "".join(
        (PART if apart[i] else " " if unit.isascii() or found[i].isascii() else "") + unit
        for i, unit in enumerate(found[1:]))


@dataclass
class Page:
    """A search the engine decided: the matches, and the engine's order of every match
    shown (`ids`, with the score for relevance)."""

    matches: Matches
    ids: list[int]


def find(cluster: Cluster, plan: Plan, *, sort: str, collapse: bool, start: int,
         stop: int | None, shared: dict[int, int], facets: bool = True,
         rank: Callable[[list[int]], list[int]] | None = None) -> Page:
    """The matches `start` to `stop` (None: all, up to the engine's `MAX_MATCHES`) in
    `sort` order, with the total and, if `facets`, the facet counts over every match;
    with `collapse`, one article of each repost group in `shared` (groups of more than
    one article, and their sizes), by relevance the first of `rank(copies)`, which lists the matches
    among them best first."""
    reasons: list[str] = []
    limit = MAX_MATCHES - start if stop is None else stop - start
    extra = []
    if collapse and shared:
        dropped = _copies(cluster, plan, shared, sort, reasons,
                          rank if sort == "relevance" else None)
        if dropped:
            extra.append(f"id NOT IN ({', '.join(map(str, dropped))})")
    sets, meta = _ask(cluster, plan, extra, sort, start, limit, reasons, facets=facets)
    rows, tiers = _tiered(cluster, plan, extra, sort, start, limit, reasons, sets[0])
    found = Matches(int(meta.get("total_found", len(rows))),
                    [(int(r[0]), float(r[2]) if sort == "relevance" and plan.match else 0.0)
                     for r in rows],
                    {}, bool(reasons), tiers, list(dict.fromkeys(reasons)))
    if facets:
        counted = dict(zip(_FACETS, sets[1:], strict=True))
        found.facets = {name: facet(name, [(_value(name, v), int(c)) for v, c in counted[name]])
                        for name in FACETS}
        found.facets["month"] = sorted((m, int(c)) for v, c in counted["month"]
                                       if (m := _value("month", v)))
    return Page(found, [i for i, _ in found.window])


def _tiered(cluster: Cluster, plan: Plan, extra: list[str], sort: str, start: int,
            limit: int, reasons: list[str], rows: list[tuple]) -> tuple[list[tuple], list[int]]:
    """The page's rows and their tiers: `rows` (the page of every match) as they are
    without tiers or in a date order (each one's tier asked); by relevance, the
    matches of each tier in turn (`plan.tiers`), each in the engine's order."""
    if not plan.tiers:
        return rows, [0] * len(rows)
    levels = [dataclasses.replace(plan, match=" ".join(
        [plan.match, *(f"-{t}" for t in plan.tiers[:k]), *plan.tiers[k:k + 1]]))
        for k in range(len(plan.tiers) + 1)]
    if sort != "relevance":
        shown = [int(r[0]) for r in rows]
        tier = dict.fromkeys(shown, len(plan.tiers))
        for k, level in enumerate(levels[:-1]):
            if shown:
                sets, _ = _ask(cluster, level, [*extra, f"id IN ({', '.join(map(str, shown))})"],
                               sort, 0, len(shown), reasons, facets=False)
                for r in sets[0]:
                    tier[int(r[0])] = k
        return rows, [tier[i] for i in shown]
    found: list[tuple] = []
    tiers: list[int] = []
    offset = start
    for k, level in enumerate(levels):
        sets, meta = _ask(cluster, level, extra, sort, offset, limit - len(found), reasons,
                          facets=False)
        found += sets[0]
        tiers += [k] * len(sets[0])
        if len(found) >= limit:
            break
        offset = max(0, offset - int(meta.get("total_found", 0)))
    return found, tiers


def _ask(cluster: Cluster, plan: Plan, extra: list[str], sort: str, offset: int, limit: int,
         reasons: list[str], *, facets: bool) -> tuple[list[list[tuple]], dict[str, str]]:
    """The page's rows, then each facet's (value, count) rows if `facets`; and the
    query's meta. The shards that did not answer go to `reasons`."""
    kept = min(max(offset + limit, FIRST_MATCHES), MAX_MATCHES)
    while True:
        sql, args = _select(plan, extra, sort, offset, limit, kept)
        if facets:
            sql += "".join(f" FACET {column} ORDER BY COUNT(*) DESC LIMIT {kept}"
                           for column in _FACETS.values())
        sets, warnings, meta = cluster.results(sql, args)
        if kept >= MAX_MATCHES or all(len(values) < kept for values in sets[1:]):
            break
        kept = min(kept * 10, MAX_MATCHES)  # a facet may have had more values than a shard kept
    reasons += [_shard_warning(cluster, w) for w in warnings]
    return sets, meta


def _select(plan: Plan, extra: list[str], sort: str, offset: int, limit: int,
            kept: int = MAX_MATCHES) -> tuple[str, list]:
    conditions = (["MATCH(%s)"] if plan.match else []) + [*plan.where, *extra]
    args = ([plan.match] if plan.match else []) + list(plan.args)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    order = _ORDERS[sort] if plan.match or sort != "relevance" else "id ASC"
    return (f"SELECT {_COLUMNS}{', WEIGHT()' if plan.match else ''} FROM {DISTRIBUTED}"
            f"{where} ORDER BY {order} "
            f"LIMIT {offset}, {max(limit, 0)} OPTION max_matches={kept}, "
            "field_weights=(title=3)", args)


def _copies(cluster: Cluster, plan: Plan, shared: dict[int, int], sort: str,
            reasons: list[str], rank: Callable[[list[int]], list[int]] | None) -> list[int]:
    """The matched copies a collapsed search leaves out: of each repost group in
    `shared`, all but the first in `sort` order (in `rank`'s order if given)."""
    copies = min(sum(shared.values()), MAX_MATCHES)
    sql, args = _select(plan, [f"grp IN ({', '.join(map(str, shared))})"], sort, 0, copies,
                        max(copies, FIRST_MATCHES))
    rows, warnings, _ = cluster.search(sql, args, meta=False)
    reasons += [_shard_warning(cluster, w) for w in warnings]
    group = {int(row[0]): int(row[1]) for row in rows}  # in the engine's order
    order = list(group)
    if rank is not None and order:
        ranked = rank(order)
        order = ranked + [i for i in order if i not in set(ranked)]
    seen: set[int] = set()
    dropped = []
    for i in order:
        if group[i] in seen:
            dropped.append(i)
        seen.add(group[i])
    return dropped


def _value(name: str, value) -> str:
    """A facet value as the embedded index's column holds it ("" for none)."""
    if name == "year":
        return f"{int(value):04d}" if int(value) else ""
    if name == "month":
        return f"{int(value) // 100:04d}-{int(value) % 100:02d}" if int(value) else ""
    return str(value)
