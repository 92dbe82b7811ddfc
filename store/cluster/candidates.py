"""The cluster's part of a search: the articles that may match, as a superset.

A parsed query (`search.query`, Whoosh query objects over the gram fields) becomes the
engine's extended syntax: each exact string a phrase of its characters (`cluster.text`),
a string that may be parted by punctuation (`Loose`) each of its units, OR as `|`, AND
as juxtaposition. What the engine cannot say as wenhai means it — an excluded term,
dates, filters, spaces, which tier a match is in — is left to the verification against
the stored text (`cluster.verify`), so nothing here may narrow too much: a part it
cannot translate matches everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as wq

from ..errors import Notice
from ..search.query import Continued, Loose
from ..text.analysis import split_bigram
from .local import DISTRIBUTED, MAX_MATCHES
from .nodes import Cluster
from .text import phrase

#: The candidates read at most (every match of an export, `matching_ids`).
MAX_CANDIDATES = MAX_MATCHES

_FIELDS = {"title_g": "title", "body_g": "body", "author_g": "author", "source_g": "source",
           "extra_g": "extra", "tags_g": "tags", "body": "body", "title": "title"}
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")


def runs(grams: list[str], *, loose: bool = False) -> list[str]:
    """The strings of units in sequence with nothing but spaces between them that a
    phrase of gram terms spells (小米 米汽 汽车 → 小米汽车; 中~国 → 中, 国; a space
    between two units where one is a number or a Latin word, whose boundaries the
    shards keep: su 7 → su 7); every unit apart if `loose`."""
    found, current = [], ""
    for gram in grams:
        pair = split_bigram(gram)
        if pair is None:
            if current:
                found.append(current)
            found.append(gram)
            current = ""
            continue
        first, second, parted = pair
        if not current:
            current = first
        if parted or loose:
            found.append(current)
            current = second
        else:
            current += f" {second}" if second.isascii() or current[-1:].isascii() else second
    if current:
        found.append(current)
    return found


def expression(q: wq.Query) -> str | None:
    """The engine's query for a superset of `q`'s matches; None: every article."""
    if isinstance(q, (wq.Term, wq.Phrase)):
        return _strings(q, [_FIELDS.get(q.fieldname)])
    if isinstance(q, wq.Or):
        merged: dict[tuple, list] = {}  # the same string in several fields: one group
        parts: list[str] = []
        for sub in q.subqueries:
            if isinstance(sub, (wq.Term, wq.Phrase)):
                key = (type(sub), tuple(sub.words) if isinstance(sub, wq.Phrase) else sub.text)
                merged.setdefault(key, [sub, []])[1].append(_FIELDS.get(sub.fieldname))
                continue
            found = expression(sub)
            if found is None:
                return None
            parts.append(found)
        for sub, fields in merged.values():
            found = _strings(sub, fields)
            if found is None:
                return None
            parts.append(found)
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
    if isinstance(q, wq.And):  # in parentheses: the engine's | binds tighter than AND
        parts = [found for sub in q.subqueries if (found := expression(sub)) is not None]
        return None if not parts else parts[0] if len(parts) == 1 else f"({' '.join(parts)})"
    if isinstance(q, wq.AndNot):
        return expression(q.a)  # the exclusion is verified against the store
    return None  # dates, ids, anything else: verified against the store


def _strings(q: wq.Query, fields: list[str | None]) -> str | None:
    grams = list(q.words) if isinstance(q, wq.Phrase) else [q.text]
    strings = runs(grams, loose=isinstance(q, Loose))
    phrases = [found for i, s in enumerate(strings)  # the last word of a Continued goes on
               if (found := phrase(s, open_end=isinstance(q, Continued)
                                   and i == len(strings) - 1)) is not None]
    if not phrases or None in fields:  # a field the shards do not hold: verified
        return None
    where = fields[0] if len(set(fields)) == 1 else "(" + ",".join(dict.fromkeys(fields)) + ")"
    return f"(@{where} {' '.join(phrases)})"


@dataclass
class Candidates:
    ids: list[int]
    #: Every article the engine matched, beyond `ids` if they were cut.
    total: int
    #: What the user must hear: each shard that did not answer.
    reasons: list[str]


#: How `candidates` picks the first when there are more than asked for: by id (all of
#: them are wanted), the engine's own ranking, or date (0 for none: last either way).
_ORDERS = {"id": ("", "id ASC"), "relevance": ("", "WEIGHT() DESC"),
           "newest": ("", "published DESC"),
           "oldest": (", IF(published = 0, 99999999, published) AS day", "day ASC")}


def candidates(cluster: Cluster, q: wq.Query | None, *, limit: int = MAX_CANDIDATES,
               order: str = "id") -> Candidates:
    """Ids of up to `limit` articles that may match `q` (every article for None), the
    first by `order` (see `_ORDERS`); how many there are in all; and the shards that
    did not answer."""
    match = expression(q) if q is not None else None
    where = "WHERE MATCH(%s) " if match else ""
    extra, by = _ORDERS[order]
    rows, warnings, meta = cluster.search(
        f"SELECT id{extra} FROM {DISTRIBUTED} {where}ORDER BY {by} LIMIT {limit} "
        f"OPTION max_matches={max(limit, 1)}, field_weights=(title=3)",
        (match,) if match else None)
    ids = [int(r[0]) for r in rows]
    total = max(len(ids), int(meta.get("total_found", len(ids))))
    return Candidates(ids, total, [_shard_warning(cluster, w) for w in warnings])


def _shard_warning(cluster: Cluster, warning: str) -> str:
    """The aggregator's warning, as the user hears it: which shard did not answer."""
    named = warning
    if m := _AGENT.search(warning):
        host, port = m.group(1), int(m.group(2))
        for shard in cluster.shards():
            if shard.host == host and shard.port == port + 1:
                named = shard.name
    return shard_silent(named, warning)


def shard_silent(shard: str, warning: str) -> Notice:
    """Why results are partial: `shard` did not answer the aggregator (its `warning`),
    with a code, so that the page and the terminal say it in the reader's language."""
    return Notice(f"{shard} did not answer ({warning}): these results come from the other "
                  "shards only and may lack some articles.",
                  code="cluster.shard_silent", shard=shard, warning=warning)
