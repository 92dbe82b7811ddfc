"""Keeping the cluster's shards in step with SQLite: the writer's side of the cluster backend.

The same contract as `sync.IndexSync`: articles are committed to SQLite first and
marked pending; `ClusterFeed.sync` writes them to their shards (`REPLACE INTO`, so a
document sent twice is one document) and marks indexed only what a shard took. A shard
that cannot be reached stops nothing else: the other shards are fed, and then the
sync fails naming it, its articles still pending for the next ingest or
`check --repair`. Nothing is ever lost: the store is the truth, the shards are derived.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from .. import database
from ..engine import schema, workers
from ..errors import ClusterError
from ..models import CheckReport
from ..sync import IterWrapper, no_progress, ticker
from .nodes import Cluster, Shard
from .text import indexed

#: Articles sent to a shard in one statement.
FEED_BATCH = 128
#: The text fields of a shard's documents, from `schema.document`'s grams fields.
FIELDS = {"title": "title_g", "body": "body_g", "author": "author_g", "source": "source_g",
          "extra": "extra_g", "tags": "tags_g"}
#: The same texts with what stands between two Chinese characters taken out
#: (`text.indexed(loose=True)`): where a passage typed without its marks is a phrase.
LOOSE_FIELDS = {f"{name}_l": grams for name, grams in FIELDS.items()}
#: Its attributes, which the engine filters, counts, groups and sorts by
#: (`cluster.decided`): the content hash; the date as a number (20240305; 0 for none),
#: again with none as the last day there is (to list the oldest first and the undated
#: last: the engine cannot group by an expression over a distributed index), and its
#: year and month (2024, 202403); the repost group; the source, author and set
#: of tags as the embedded index's columns hold them; and each tag as a number
#: (`tag_id`, a multi-valued attribute), to filter by one.
ATTRIBUTES = ("hash", "published", "dated_first", "grp", "year", "month", "source_value",
              "author_value", "tag_set")
_INSERT = (f"REPLACE INTO {{index}} (id, {', '.join([*FIELDS, *LOOSE_FIELDS])}, "
           f"{', '.join(ATTRIBUTES)}, "
           "tag_ids) VALUES ")
#: A row's values are parameters but its tag ids, numbers written in the statement
#: (a multi-valued attribute is a list in parentheses, which no parameter can be).
_ROW = "(" + ", ".join(["%s"] * (1 + len(FIELDS) + len(LOOSE_FIELDS) + len(ATTRIBUTES))) \
    + ", ({}))"


#: The date an undated article is listed at, oldest first.
LAST_DAY = 99_999_999


def tag_id(tag: str) -> int:
    """A tag as the number a shard holds it by (CRC-32 of its UTF-8)."""
    return zlib.crc32(tag.encode("utf-8"))


def shard_row(row) -> tuple[tuple, list[int]]:
    """One article as a shard stores it: the values of id, the normalized text fields
    and the attributes; and its tag ids."""
    doc = schema.document(row)
    day = _day(row["published"])
    tags = doc.get("tag", "")
    return ((row["id"], *(indexed(doc.get(name, "")) for name in FIELDS.values()),
             *(indexed(doc.get(name, ""), loose=True) for name in LOOSE_FIELDS.values()),
             row["content_hash"], day, day or LAST_DAY, int(doc["group"]), day // 10_000,
             day // 100,
             row["source"] or "", row["author"] or "", tags),
            sorted({tag_id(t) for t in tags.split(schema.TAG_JOIN) if t}))


def _day(published: str | None) -> int:
    digits = (published or "")[:10].replace("-", "")
    return int(digits.ljust(8, "0")) if digits.isdigit() else 0


class ClusterFeed:
    """The writer's side of the cluster backend for the archive in `home`."""

    def __init__(self, home: Path, db: sqlite3.Connection, cluster: Cluster,
                 jobs: int | None = None):
        self.home = home
        self.db = db
        self.cluster = cluster
        #: Processes that read files for an ingest (the feed itself is this process).
        self.jobs = max(1, jobs or workers.default_jobs())

    def prepare(self) -> str | None:
        """Nothing to prepare: shards are reached when there is something to feed them,
        so that an ingest stores its articles even while the cluster is down."""
        return None

    def drop_dead_copies(self) -> list[str]:
        return []

    def drop_damaged_copies(self) -> list[tuple[Path, int]]:
        return []

    def pending(self) -> int:
        return database.pending_changes(self.db)

    def sync(self, progress: IterWrapper = no_progress) -> int:
        """Feed every pending article to its shard and drop deleted ones from theirs;
        returns how many changed. Raises `ClusterError` naming each shard that could
        not be fed, after feeding the others (its articles stay pending)."""
        deletes = database.pending_deletes(self.db)
        ids = database.pending_ids(self.db)
        if not ids and not deletes:
            return 0
        tick = ticker(progress, len(ids) + len(deletes), "feeding the cluster")
        failed: dict[int, tuple[Shard, ClusterError]] = {}
        dropped = []
        for shard, batch in _by_shard(self.cluster, deletes).items():
            try:
                marks = ", ".join(["%s"] * len(batch))
                self.cluster.on_shard(shard, f"DELETE FROM {shard.index} WHERE id IN ({marks})",
                                      batch)
                dropped += batch
            except ClusterError as e:
                failed[shard.number] = (shard, e)
            tick(len(batch))
        fed: list[int] = []
        for start in range(0, len(ids), FEED_BATCH):
            rows = defaultdict(list)
            for row in database.for_index(self.db, ids[start : start + FEED_BATCH]):
                rows[self.cluster.shard_of(row["id"])].append(shard_row(row))
            for shard, batch in rows.items():
                if shard.number in failed:
                    continue
                try:
                    self.cluster.on_shard(
                        shard, _INSERT.format(index=shard.index) + ", ".join(
                            _ROW.format(", ".join(map(str, tags))) for _, tags in batch),
                        [value for values, _ in batch for value in values])
                    fed += [values[0] for values, _ in batch]
                except ClusterError as e:
                    failed[shard.number] = (shard, e)
            tick(min(FEED_BATCH, len(ids) - start))
        database.mark_indexed(self.db, fed, dropped)
        if failed:
            left = len(ids) + len(deletes) - len(fed) - len(dropped)
            raise ClusterError(
                f"{left} changes could not reach the cluster and wait in the archive: "
                + "; ".join(str(e) for _, e in failed.values()))
        return len(fed) + len(dropped)

    def reindex(self, progress: IterWrapper = no_progress,
                before_swap: Callable[[], None] | None = None, keep: Path | None = None) -> int:
        """Empty every shard and feed it again from the store (the cluster's rebuild:
        Manticore cannot read Sphinx's files, so moving is a feed too)."""
        for shard in self.cluster.shards():
            self.cluster.on_shard(shard, f"TRUNCATE RTINDEX {shard.index}")
        self.db.execute("BEGIN IMMEDIATE")
        database.mark_all_unindexed(self.db)
        self.db.execute("COMMIT")
        return self.sync(progress)

    def repair(self, report: CheckReport, progress: IterWrapper = no_progress,
               before_swap: Callable[[], None] | None = None) -> str | None:
        """Feed again what `report` found missing or stale, drop what it found extra."""
        if report.index_problem:
            raise ClusterError(f"{report.index_problem} Nothing was repaired.")
        database.mark_unindexed(self.db, report.missing + report.stale, report.extra)
        self.sync(progress)
        return None

    def close(self) -> None:
        self.cluster.close()


def _by_shard(cluster: Cluster, ids: list[int]) -> dict[Shard, list[int]]:
    found: dict[Shard, list[int]] = defaultdict(list)
    for i in ids:
        found[cluster.shard_of(i)].append(i)
    return found

