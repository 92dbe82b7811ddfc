"""A search's matches, all at once: ranked or sorted, one per repost group, counted per facet.

Whoosh's collectors do this one match at a time (~12 µs each: scores, four facet
columns, the repost group, the exact-match tier), which is half a second for a word
found in 37,000 of 100,000 articles. Here each segment's matches come from
`evaluate` as arrays, the columns are arrays of ordinals shared by the segments, and
ordering, collapsing repost groups and counting facets are array operations.

Rules (the same as the Whoosh collectors they replace):
* relevance: exact matches (tier 0) before scattered-word matches, then by score;
  newest/oldest: dated articles first, by date; ties in document order;
* a repost group shows as its first article in that order; `total` counts groups;
* facet counts cover every article listed, on every page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..engine import columns as segment_columns
from ..engine import saved
from ..engine.schema import COLUMNS, TAG_JOIN
from .evaluate import Segment, evaluate, nearness, within
from .filters import FACETS


@dataclass
class Matches:
    total: int
    window: list[tuple[int, float]]  # (article id, score) of the page asked for
    facets: dict[str, list[tuple[str, int]]]
    partial: bool = False
    #: Each listed article's tier: 0 exact, 1 loose (punctuation between, or the last
    #: Latin word going on: iphonex for iphone), 2 words apart.
    tiers: list[int] = field(default_factory=list)
    #: Why the answer is partial beyond running out of time (a cluster's shard that did
    #: not answer), as the user reads it.
    reasons: list[str] = field(default_factory=list)
    #: With `find(..., per_doc=…)`: every listed document (global number) in order, and
    #: its value — all of them, for a caller that reads further than one window.
    order: np.ndarray | None = None
    values: np.ndarray | None = None


class _Columns:
    """Every segment's column values as ordinals into one sorted list of values per field."""

    def __init__(self, readers: list):
        self.values: dict[str, list[str]] = {}
        self.ords: dict[str, list[np.ndarray]] = {}
        local = [saved.segment_columns(r) for r, _ in readers]
        for name in COLUMNS:
            values = sorted(set().union(*(cols[name][0] for cols in local)))
            where = {v: i for i, v in enumerate(values)}
            self.values[name] = values
            self.ords[name] = [
                np.array([where[v] for v in cols[name][0]], dtype=np.int64)[cols[name][1]]
                for cols in local
            ]
        # Every article has a group (its own id when it has no copies); only groups with
        # several articles need collapsing, so the others are marked -1.
        everyone = np.concatenate([cols["group"] for cols in local]) if local else np.zeros(0)
        found, counts = np.unique(everyone[everyone >= 0], return_counts=True)
        shared = found[counts > 1]
        self.groups = [np.where(np.isin(cols["group"], shared), cols["group"], -1)
                       for cols in local]
        # Each date's month, for timelines: YYYY-MM of every date value ("" for none).
        self.months = sorted({d[:7] for d in self.values["date"]})
        where = {m: i for i, m in enumerate(self.months)}
        self.month_of = np.array([where[d[:7]] for d in self.values["date"]], dtype=np.int64)


def columns(searcher) -> _Columns:
    """The searcher's columns, built once per searcher (segments keep theirs across refreshes)."""
    found = searcher.__dict__.get("_wenhai_columns")
    if found is None:
        found = searcher.__dict__["_wenhai_columns"] = _Columns(_leaves(searcher))
    return found


def _leaves(searcher) -> list:
    return segment_columns.leaves(searcher.reader())


def find(searcher, query, *, exact=None, loose=None, near=None, narrow=None,
         sort="relevance", collapse=True, start=0, stop: int | None = 10,
         seconds=2.0, per_doc=None) -> Matches:
    """The matches of `query` (narrowed by the filter query `narrow`) as `Matches`, the
    window from `start` to `stop` (None: every match).

    `exact` (relevance only) is the query whose matches rank first, then those of
    `loose`, then the rest, those with more of the words `near` each other first (see
    `evaluate.nearness`). Stops after the segment during which `seconds` ran out, with
    `partial` set. `per_doc(segment, docs)` gives a number per matching document (how
    often a string occurs in it): then `order` and `values` list every match, there is
    no window, and the facets are "month" and "month_values" (the values' sum per month).
    """
    deadline = time.perf_counter() + seconds
    cols = columns(searcher)
    leaves = _leaves(searcher)
    parts: list[tuple] = []
    partial = False
    for i, (reader, offset) in enumerate(leaves):
        seg = Segment(searcher, reader)
        # A filter's documents first: the query is scored in those only.
        docs, scores = evaluate(query, seg, None if narrow is None else evaluate(narrow, seg)[0])
        keep = np.ones(len(docs), dtype=bool)
        if (gone := segment_columns.deleted(reader)) is not None:
            keep &= ~within(docs, gone, seg.size)
        docs, scores = docs[keep], scores[keep]
        tier = _tiers(docs, seg, exact, loose)
        parts.append((i, docs, offset + docs, scores, tier, seg,
                      per_doc(seg, docs) if per_doc is not None else None))
        if time.perf_counter() > deadline and i + 1 < len(leaves):
            partial = True
            break
    if not parts:
        return Matches(0, [], {name: [] for name in (*FACETS, "month")})
    glob = np.concatenate([p[2] for p in parts])
    scores = np.concatenate([p[3] for p in parts])
    tier = np.concatenate([p[4] for p in parts])
    ords = {name: np.concatenate([cols.ords[name][i][docs] for i, docs, *_ in parts])
            for name in (COLUMNS if per_doc is None else ("date",))}  # no facets: dates
    groups = np.concatenate([cols.groups[i][docs] for i, docs, *_ in parts])  # -1: none
    rank = tier * _NEAREST
    if near and loose is not None and sort == "relevance":
        ahead = None if per_doc is not None or stop is None else stop
        _rank_apart(rank, parts, tier, groups, near, ahead, (glob, -scores))

    if sort == "relevance":
        keys = (glob, -scores, rank)
    else:
        dates = ords["date"]
        undated = dates == 0 if cols.values["date"][:1] == [""] else np.zeros(len(dates), bool)
        keys = (glob, -dates if sort == "newest" else dates, undated.astype(np.int64))
    keep = None  # which matches are listed, if not all
    if collapse:  # only the few articles in repost groups need looking at
        grouped = np.flatnonzero(groups >= 0)
        if len(grouped):
            ranked = grouped[np.lexsort(tuple(k[grouped] for k in keys))]
            _, first = np.unique(groups[ranked], return_index=True)
            if len(first) < len(ranked):
                keep = groups < 0
                keep[ranked[first]] = True
    listed = np.arange(len(glob)) if keep is None else np.flatnonzero(keep)
    if per_doc is not None:  # every match in order, with its value and month; no window
        every = listed[_sorted(tuple(k[listed] for k in keys), sort)]
        values = np.concatenate([p[6] for p in parts])[every]
        dates = ords["date"][every]
        return Matches(len(listed), [], {"month": _months(cols, dates),
                                         "month_values": _months(cols, dates, values)},
                       partial, order=glob[every], values=values)
    stop = len(listed) if stop is None else stop
    window = _top(keys, stop, keep)[start:stop]
    stored = searcher.stored_fields
    shown = [(int(stored(int(glob[k]))["id"]), float(scores[k]) if sort == "relevance" else 0.0)
             for k in window]
    # Counted over every match, less the few a repost group hides: at a million articles
    # 中 lists 900,000, and gathering each column's values of those listed was a tenth
    # of the search.
    hidden = None if keep is None else np.flatnonzero(~keep)
    facets = {name: _counts(cols.values[name], _tally(ords[name], hidden, len(cols.values[name])),
                            name) for name in FACETS}
    dates = _tally(ords["date"], hidden, len(cols.values["date"]))
    facets["month"] = _months(cols, np.arange(len(dates)), dates)  # each date value once
    return Matches(len(listed), shown, facets, partial, tier[window].tolist())


#: Ranks per tier: the words-apart tier is ordered by how many pairs of words are near.
_NEAREST = 1000


def _rank_apart(rank: np.ndarray, parts: list[tuple], tier: np.ndarray, groups: np.ndarray,
                near, ahead: int | None, order: tuple[np.ndarray, np.ndarray]) -> None:
    """Rank the words-apart tier (2) in `rank` (all matches, in `parts`' order) by
    `evaluate.nearness`: the more pairs of words near, the earlier. When the exact and
    loose tiers list `ahead` articles or more (a repost group counting once), no article
    of tier 2 is on the page, so only those in repost groups are ranked, since their
    rank chooses the article that shows a group (and so its facet values): reading the
    positions of a common word in every long article is most of such a search.

    Of a group's, the one that comes first by the rest of the order (`order`: the
    document, then minus the score, as `find` sorts) is ranked first: when all its
    pairs are near, no other can come before it, and the others are left unranked."""
    apart = tier == 2
    if not apart.any():
        return
    if ahead is None:
        _near(rank, parts, apart, near)
        return
    front = ~apart
    alone, grouped = front & (groups < 0), front & (groups >= 0)
    shown = np.unique(groups[grouped])
    if int(alone.sum()) + len(shown) < ahead:
        _near(rank, parts, apart, near)
        return
    chosen = np.flatnonzero(_choosing(groups, apart, shown))
    if not len(chosen):
        return
    ranked = chosen[np.lexsort((*(key[chosen] for key in order), groups[chosen]))]
    heads = ranked[np.concatenate(([True], groups[ranked][1:] != groups[ranked][:-1]))]
    first = np.zeros(len(rank), dtype=bool)
    first[heads] = True
    _near(rank, parts, first, near)
    pairs = sum(len(words) - 1 for _, words in near)  # the most nearness can count
    settled = groups[heads][rank[heads] == 2 * _NEAREST - min(pairs, _NEAREST - 1)]
    rest = np.zeros(len(rank), dtype=bool)
    rest[chosen] = True
    rest &= ~first & ~np.isin(groups, settled)
    _near(rank, parts, rest, near)


def _near(rank: np.ndarray, parts: list[tuple], which: np.ndarray, near) -> None:
    """`rank` less the nearness of the matches `which` marks (all matches, in `parts`'
    order)."""
    at = 0
    for _, docs, _, _, _, seg, _ in parts:
        here = which[at : at + len(docs)]
        if here.any():
            rank[at : at + len(docs)][here] -= np.minimum(nearness(near, seg, docs[here]),
                                                         _NEAREST - 1)
        at += len(docs)


def _choosing(groups: np.ndarray, apart: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Which matches of the words-apart tier (`apart`) choose by their rank the article
    that shows their repost group: those of groups with two such matches or more and
    none in the tiers before (`shown`: those groups), whose first match is the group's.
    A match alone in its group, or in a group an earlier tier shows, is never chosen by
    its rank: ranking it is wasted (at a million articles, 们不's words apart are 759,000
    articles, 40 ms of positions for the grouped ones)."""
    chosen = np.zeros(len(groups), dtype=bool)
    at = np.flatnonzero(apart & (groups >= 0))
    if not len(at):
        return chosen
    found, which, counts = np.unique(groups[at], return_inverse=True, return_counts=True)
    several = (counts > 1) & ~np.isin(found, shown, assume_unique=True)
    chosen[at[several[which]]] = True
    return chosen


def _tiers(docs: np.ndarray, seg: Segment, exact, loose) -> np.ndarray:
    """0 for the documents matching `exact`, 1 for the others matching `loose` (2 for
    the rest when there is a loose form, else 1)."""
    tier = np.zeros(len(docs), dtype=np.int64)
    if exact is None:
        return tier
    outside = ~within(docs, evaluate(exact, seg, docs)[0], seg.size)
    tier[outside] = 1
    if loose is not None and outside.any():
        rest = docs[outside]
        tier[outside] = np.where(within(rest, evaluate(loose, seg, rest)[0], seg.size), 1, 2)
    return tier


def _sorted(keys: tuple[np.ndarray, np.ndarray, np.ndarray], sort: str) -> np.ndarray:
    """`np.lexsort(keys)` for a date order, as one argsort of a key packing the three
    (undated, date ordinal, document number) into an int64 when they fit: a third of
    the time at 100,000 matches, where every match is ordered."""
    last, second, first = keys
    if sort != "relevance" and len(last):
        low = int(second.min())
        span = int(second.max()) - low
        if span < 1 << 20 and int(last.max()) < 1 << 32 and int(first.max()) <= 1:
            packed = (first << 52) | ((second - low) << 32) | last
            return np.argsort(packed, kind="stable")
    return np.lexsort(keys)


def _top(keys: tuple[np.ndarray, np.ndarray, np.ndarray], k: int,
         keep: np.ndarray | None = None) -> np.ndarray:
    """The first `k` of `np.lexsort(keys)` (keys: unique tie-break, secondary, a small
    integer primary), of the items `keep` marks (all if None), as indices into `keys`,
    without sorting all of them: a page needs the best few of tens of thousands of
    matches, and sorting them all was a fifth of a search."""
    last, second, first = keys
    listed = None if keep is None else np.flatnonzero(keep)
    if k * 8 >= (len(last) if listed is None else len(listed)):
        if listed is None:
            return np.lexsort(keys)[:k]
        return listed[np.lexsort(tuple(key[listed] for key in keys))][:k]
    low, high = int(first.min()), int(first.max())
    chosen = []
    # Primary values in order: usually one or two tiers (often one: no sort to find it).
    for level in [low] if low == high else np.unique(first).tolist():
        if low == high:
            at = np.arange(len(first)) if listed is None else listed
        else:
            at = np.flatnonzero(first == level if keep is None else (first == level) & keep)
        if len(at) > k:  # only those that can be among the first k: ties kept
            cut = np.partition(second[at], k - 1)[k - 1]
            at = at[second[at] <= cut]
        chosen.append(at)
        k -= min(k, len(at))
        if not k:
            break
    at = np.concatenate(chosen)
    return at[np.lexsort((last[at], second[at], first[at]))]


def _tally(ords: np.ndarray, hidden: np.ndarray | None, size: int) -> np.ndarray:
    """How many of the matches have each value (`ords`: every match's), less those
    `hidden` (indices into `ords`)."""
    tally = np.bincount(ords, minlength=size)
    if hidden is not None and len(hidden):
        tally -= np.bincount(ords[hidden], minlength=size)
    return tally


def _months(cols: _Columns, dates: np.ndarray,
            weights: np.ndarray | None = None) -> list[tuple[str, int]]:
    """(YYYY-MM, count) of the dated matches (`dates`: ordinals of their date values),
    oldest first: what a timeline draws; with `weights`, their sum instead of a count."""
    tally = np.bincount(cols.month_of[dates], weights=weights, minlength=len(cols.months))
    return [(cols.months[i], int(tally[i])) for i in np.flatnonzero(tally) if cols.months[i]]


def _counts(values: list[str], tally: np.ndarray, name: str) -> list[tuple[str, int]]:
    """Facet values with their counts (`tally`: how many matches have each; see `facet`)."""
    return facet(name, [(values[i], int(tally[i])) for i in np.flatnonzero(tally)])


def facet(name: str, counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A facet as a search shows it, from (column value, articles) pairs: most frequent
    first, years newest first, no empty value. A tag facet counts each set of tags
    (`TAG_JOIN`-joined), then each tag of the sets. (The cluster's engine counts the
    column values, this orders them as the embedded index does.)"""
    if name == "tag":
        per_tag: dict[str, int] = {}
        for value, count in counted:
            for tag in filter(None, value.split(TAG_JOIN)):
                per_tag[tag] = per_tag.get(tag, 0) + count
        counts = list(per_tag.items())
    else:
        counts = [(value, count) for value, count in counted if value]
    if name == "year":
        counts.sort(key=lambda c: c[0], reverse=True)
    else:
        counts.sort(key=lambda c: (-c[1], c[0]))
    return counts
