"""The cluster backend's searcher: the same questions as `search.searcher.Searcher`.

A query the engine can decide exactly (`decided`: strings of wenhai's units in their
exact, loose and words-apart forms, in wenhai's tiers; dates, filters) is counted,
faceted, ordered and paged by the engine over every match, and only the page shown is
checked against the stored text. Any other query, and a page that fails that check, is
answered by asking the cluster for candidates (`candidates`)
and deciding them from the stored text (`verify`). Shards that did not answer make the
answer partial, naming them."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from collections.abc import Callable

import numpy as np
from whoosh import query as wq

from .. import database
from ..errors import ClusterError, Notice, NotOnClusterError
from ..search.filters import FACETS, Filters
from ..search.matches import Matches
from ..search.query import MAX_QUERY_CHARS, ParsedQuery, exact
from ..search.searcher import SEARCH_SECONDS
from ..search.similar import KEY_TERMS
from ..text.analysis import words
from . import decided
from .candidates import MAX_CANDIDATES, candidates
from .exact import holds, stored
from .nodes import Cluster
from .verify import Verifier

#: The engine's best matches for the words of an article that similar articles are
#: chosen from.
SIMILAR_CANDIDATES = 200
#: Candidates a search checks against the stored text at most: they are indexed for
#: it (~0.6 ms each on an idle core), so a query matching most of the archive would
#: take as long as indexing it. Beyond, the answer is partial and says so. (Queries
#: the engine decides, `decided`, have no such limit.)
VERIFY_LIMIT = 1000
#: Of the matches an export reads from the engine (`matching_ids`), the first this
#: many are checked against the stored text, as a page of results is.
CHECKED = 100


def _tier(parsed: ParsedQuery, row: dict) -> int:
    """The tier of a stored article (`exact.stored`) matching `parsed`, as
    `search.matches` ranks it: 0 exact (or no tiers), 1 loose, 2 words apart (1 for no
    loose form but the rest)."""
    if parsed.exact is None or holds(parsed.exact, Filters(), row):
        return 0
    return 1 if not parsed.near or holds(parsed.loose, Filters(), row) else 2


class ClusterSearcher:
    """One search's view of the cluster (a new one each time)."""

    def __init__(self, cluster: Cluster, db: Callable[[], sqlite3.Connection],
                 verifier: Verifier, shared: Callable[[], dict[int, int]]):
        self.cluster = cluster
        self.db = db
        self.verifier = verifier
        #: The repost groups of more than one article, and their sizes
        #: (`database.shared_groups`).
        self.shared = shared
        #: No snapshot wenhai could key answers by: nothing the cluster answers is cached.
        self.generation = None

    def _verified(self, q: wq.Query | None, *, limit: int = MAX_CANDIDATES,
                  order: str = "id", words: bool = False):
        found = candidates(self.cluster, q, limit=limit, order=order)
        return self.verifier.searcher(self.db(), found.ids, words=words), found

    def _decide(self, parsed: ParsedQuery, filters: Filters, *, sort: str, collapse: bool,
                start: int, stop: int | None, facets: bool = True) -> Matches | None:
        """The matches as the engine decides them (`decided`), or None where it cannot,
        or where an article it gives for the page (the first `CHECKED`) is not a match
        in the stored text (`exact`), not in the tier it gives, or not stored."""
        plan = decided.decides(parsed, filters)
        if plan is None:
            return None
        def rank(ids: list[int]) -> list[int]:  # a repost group's copies, as wenhai would
            local = self.verifier.searcher(self.db(), ids)
            return [] if local is None else local.matching_ids(parsed, filters=filters)

        page = decided.find(self.cluster, plan, sort=sort, collapse=collapse, start=start,
                            stop=stop, shared=self.shared(), facets=facets, rank=rank)
        shown = page.ids[:CHECKED]
        rows = {r["id"]: stored(r) for r in database.for_index(self.db(), sorted(shown))}
        tiers = dict(zip(page.ids, page.matches.tiers, strict=True))
        if len(rows) != len(shown) or not all(
                holds(parsed.query, filters, r) and tiers[i] == _tier(parsed, r)
                for i, r in rows.items()):
            return None  # the engine and the store disagree: the store is the truth
        return page.matches

    def find(self, parsed: ParsedQuery, *, filters: Filters, sort: str, collapse: bool,
             start: int, stop: int, seconds: float | None = None) -> Matches:
        """The page of matches: decided by the engine over every match where it can
        (`decided`); else as the embedded searcher ranks them, over at most
        `VERIFY_LIMIT` candidates — the first the engine gives in the order asked (its
        own ranking for relevance) — and, with more, a partial answer saying so."""
        found = self._decide(parsed, filters, sort=sort, collapse=collapse, start=start,
                             stop=stop)
        if found is not None:
            return found
        local, found = self._verified(parsed.query, limit=VERIFY_LIMIT, order=sort)
        if local is None:
            matched = Matches(0, [], {name: [] for name in (*FACETS, "month")})
        else:
            matched = local.find(parsed, filters=filters, sort=sort, collapse=collapse,
                                 start=start, stop=stop,
                                 seconds=SEARCH_SECONDS if seconds is None else seconds)
        reasons = list(found.reasons)
        if found.total > len(found.ids):
            reasons.append(Notice(
                f"The query may match {found.total:,} articles in the cluster: the "
                f"{len(found.ids):,} it ranks first were checked against the stored text, "
                "and the results and counts come from those. Narrow it down: add a word, "
                "quote a phrase, or filter by source or year.", code="cluster.checked_first",
                total=f"{found.total:,}", checked=f"{len(found.ids):,}"))
        matched.reasons = matched.reasons + reasons
        matched.partial = matched.partial or bool(reasons)
        return matched

    def suggest(self, text: str, limit: int) -> list[int]:
        """Titles holding `text`: a title search the engine decides where it can (ranked
        by the engine), else over the candidates as the embedded searcher ranks them."""
        wanted = exact(text[:MAX_QUERY_CHARS], ("title_g",))
        if wanted is None:
            return []
        found = self._decide(ParsedQuery(text, wanted), Filters(), sort="relevance",
                             collapse=True, start=0, stop=limit, facets=False)
        if found is not None:
            return [i for i, _ in found.window]
        local, _ = self._verified(wanted, limit=VERIFY_LIMIT, order="relevance")
        return [] if local is None else local.suggest(text, limit)

    def similar(self, text: str, exclude: list[int], limit: int) -> tuple[Matches, list[str]]:
        """As `Searcher.similar`, among the articles the engine ranks best for the text's
        most frequent words (their weights then come from those articles, not the whole
        archive)."""
        counts = Counter(w for w, *_ in words(text) if len(w) > 1 and not w.isdigit())
        frequent = [w for w, _ in counts.most_common(KEY_TERMS)]
        if not frequent:
            return Matches(0, [], {}), []
        like = wq.Or([wq.Phrase("body_g", [w]) for w in frequent])
        local, _ = self._verified(like, limit=SIMILAR_CANDIDATES, order="relevance",
                                  words=True)
        if local is None:
            return Matches(0, [], {}), []
        return local.similar(text, exclude, limit)

    def matching_ids(self, parsed: ParsedQuery, limit: int | None = None, *,
                     filters: Filters | None = None, sort: str = "relevance",
                     collapse: bool = False) -> list[int]:
        """Every match (up to `MAX_CANDIDATES`), from the engine where it decides the
        query, else from candidates checked against the stored text, never cut to
        `VERIFY_LIMIT`."""
        filters = filters or Filters()
        found = self._decide(parsed, filters, sort=sort, collapse=collapse, start=0,
                             stop=limit, facets=False)
        if found is not None:
            return [i for i, _ in found.window]
        local, _ = self._verified(parsed.query)
        return [] if local is None else local.matching_ids(
            parsed, limit, filters=filters, sort=sort, collapse=collapse)

    def occurrences(self, text: str, field: str, *, filters: Filters | None = None,
                    sort: str = "newest", collapse: bool = True) -> Matches:
        """As `Searcher.occurrences` (concordances, trends), over every candidate of the
        exact string; `order` holds article ids (`article_ids` reads them back). A count
        the cluster cannot give whole — a shard down, more candidates than it returns —
        is refused with the reason: a concordance or trend shows every occurrence."""
        nothing = Matches(0, [], {}, order=np.zeros(0, np.int64), values=np.zeros(0, np.int64))
        wanted = exact(text[:MAX_QUERY_CHARS], (field,))
        if wanted is None:
            return nothing
        local, found = self._verified(wanted)
        why = list(found.reasons)
        if found.total > len(found.ids):
            why.append(Notice(f"it is in {found.total:,} articles, more than the "
                              f"{len(found.ids):,} the cluster returns",
                              code="cluster.too_many_candidates", total=f"{found.total:,}",
                              returned=f"{len(found.ids):,}"))
        if why:
            raise ClusterError(f"Cannot count every occurrence of «{text}» through the "
                               f"cluster: {'; '.join(why)}", code="cluster.cannot_count",
                               query=text, why=tuple(why))
        if local is None:
            return nothing
        matched = local.occurrences(text, field, filters=filters, sort=sort, collapse=collapse)
        # The verification index may be dropped before the rows are read: ids now.
        return dataclasses.replace(
            matched, order=np.asarray(local.article_ids(matched.order), np.int64))

    def article_ids(self, docs) -> list[int]:
        """The article ids of `occurrences`' order: they are ids already."""
        return [int(d) for d in docs]

    def containing(self, texts: list[str], fields: tuple[str, ...]) -> list[int]:
        """The user dictionary (what asks this) is refused earlier (`backends`)."""
        raise NotOnClusterError("The user dictionary")

    def stored_parts(self) -> dict[str, dict[int, str]]:
        """Each shard's documents: {shard name: {id: content hash}}."""
        found = {}
        for shard in self.cluster.shards():
            hashes: dict[int, str] = {}
            last = 0
            while True:
                rows = self.cluster.on_shard(
                    shard, f"SELECT id, hash FROM {shard.index} WHERE id > %s ORDER BY id ASC "
                    "LIMIT 1000 OPTION max_matches=1000", (last,))
                hashes.update((int(i), h) for i, h in rows)
                if len(rows) < 1000:
                    break
                last = int(rows[-1][0])
            found[shard.name] = hashes
        return found

    def part_of(self, article_id: int) -> str:
        return self.cluster.shard_of(article_id).name

    def damage(self) -> str | None:
        return None  # the shards check their own files

    def close(self) -> None:
        pass


class ClusterSearchers:
    """The cluster backend's `Searchers`: a searcher for each question, over one kept
    connection to the cluster and the kept verification indexes."""

    def __init__(self, address: str, db: Callable[[], sqlite3.Connection], where: str):
        self.cluster = Cluster(address, where)
        self.db = db
        self.verifier = Verifier()
        self._shared: tuple[tuple, dict[int, int]] = ((), {})

    def exists(self) -> bool:
        return True

    def current(self) -> ClusterSearcher:
        self.cluster.shards()  # once: each shard holds what searches ask, or it is said
        return ClusterSearcher(self.cluster, self.db, self.verifier, self.shared)

    def shared(self) -> dict[int, int]:
        """The repost groups of more than one article and their sizes, read again after
        any change."""
        db = self.db()
        version = (id(db), db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
        if self._shared[0] != version:
            self._shared = (version, database.shared_groups(db))
        return self._shared[1]

    def close(self) -> None:
        self.verifier.close()
        self.cluster.close()
