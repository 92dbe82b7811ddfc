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

from whoosh import query as wq

from ..search.query import Loose
from ..text.analysis import split_bigram
from .local import DISTRIBUTED, MAX_MATCHES
from .nodes import Cluster
from .text import phrase

#: The candidates a search reads at most; more make the answer partial, saying so.
MAX_CANDIDATES = MAX_MATCHES

_FIELDS = {"title_g": "title", "body_g": "body", "author_g": "author", "source_g": "source",
           "extra_g": "extra", "body": "body", "title": "title"}
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")


def runs(grams: list[str], *, loose: bool = False) -> list[str]:
    """The strings of units in sequence with nothing but spaces between them that a
    phrase of gram terms spells (小米 米汽 汽车 → 小米汽车; 中~国 → 中, 国); every unit
    apart if `loose`."""
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
            current += second
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
    if isinstance(q, wq.And):
        parts = [found for sub in q.subqueries if (found := expression(sub)) is not None]
        return " ".join(parts) or None
    if isinstance(q, wq.AndNot):
        return expression(q.a)  # the exclusion is verified against the store
    return None  # dates, ids, anything else: verified against the store


def _strings(q: wq.Query, fields: list[str | None]) -> str | None:
    grams = list(q.words) if isinstance(q, wq.Phrase) else [q.text]
    phrases = [found for s in runs(grams, loose=isinstance(q, Loose))
               if (found := phrase(s)) is not None]
    if not phrases or None in fields:
        return None if not phrases else " ".join(phrases)
    where = fields[0] if len(set(fields)) == 1 else "(" + ",".join(dict.fromkeys(fields)) + ")"
    return f"(@{where} {' '.join(phrases)})"


def candidates(cluster: Cluster, q: wq.Query | None, *, ranked: int | None = None
               ) -> tuple[list[int], list[str]]:
    """Ids of the articles that may match `q` (every article for None), and what the
    user must hear about them: each shard that did not answer, and a cap reached.
    `ranked`: only the best that many by the engine's own ranking."""
    match = expression(q) if q is not None else None
    limit = ranked or MAX_CANDIDATES
    where = "WHERE MATCH(%s) " if match else ""
    order = "ORDER BY WEIGHT() DESC " if ranked else "ORDER BY id ASC "
    rows, warnings = cluster.query(
        f"SELECT id FROM {DISTRIBUTED} {where}{order}LIMIT {limit} "
        f"OPTION max_matches={limit}", (match,) if match else None)
    reasons = [_shard_warning(cluster, w) for w in warnings]
    if len(rows) >= MAX_CANDIDATES and not ranked:
        reasons.append(
            f"The query matches more than {MAX_CANDIDATES:,} articles in the cluster: only "
            "the first of them were ranked. Narrow it down: add a word or quote a phrase.")
    return [int(r[0]) for r in rows], reasons


def _shard_warning(cluster: Cluster, warning: str) -> str:
    """The aggregator's warning, as the user hears it: which shard did not answer."""
    named = warning
    if m := _AGENT.search(warning):
        host, port = m.group(1), int(m.group(2))
        for shard in cluster.shards():
            if shard.host == host and shard.port == port + 1:
                named = shard.name
    return (f"{named} did not answer ({warning}): these results come from the other "
            "shards only and may lack some articles.")
