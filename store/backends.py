"""Which search backend an archive uses: its own embedded index, or a cluster.

Two implementations of one boundary. A backend gives the archive a *searchers* object
(`exists()`, `current()` → a searcher answering `find`, `suggest`, `similar`,
`matching_ids`, `occurrences`, `article_ids`, `containing`, `stored_parts`, `part_of`,
`damage`; `close()`) and, to a writer, an *index* object keeping it in step with SQLite
(`prepare`, `pending`, `sync`, `reindex`, `repair`, …); `refuse(feature)` stops a feature
the backend does not have yet with one clear line. The embedded one is Whoosh in the
archive's `index/` folder (`search.searcher`, `sync`); the cluster one a Sphinx/Manticore
cluster (`cluster.searcher`, `cluster.feed`). Nothing else in wenhai asks which one it has.

The cluster is chosen by an address (HOST:PORT of the node holding the distributed
index): given by the caller (`wenhai --cluster`), else `$WENHAI_CLUSTER`, else the
file `cluster` in the archive's home. With none, the embedded index: an archive whose
user sets nothing works as it always has.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The file in an archive's home that names its cluster (one line, HOST:PORT).
SETTING = "cluster"
ENVIRONMENT = "WENHAI_CLUSTER"

Db = Callable[[], sqlite3.Connection]


@dataclass(frozen=True)
class Embedded:
    """The archive's own Whoosh index in `home/index`."""

    name = "embedded"

    def searchers(self, home: Path, db: Db):
        from .search.searcher import Searchers

        return Searchers(home / "index")

    def index(self, home: Path, db: sqlite3.Connection, jobs: int | None):
        from .sync import IndexSync

        return IndexSync(home, db, jobs)

    def refuse(self, feature: str) -> None:
        """Every feature works on the embedded index."""


@dataclass(frozen=True)
class Clustered:
    """A Sphinx/Manticore cluster whose aggregator listens at `address`; `where` says
    where that address came from, for the errors that name it."""

    address: str
    where: str
    name = "cluster"

    def searchers(self, home: Path, db: Db):
        from .cluster.searcher import ClusterSearchers

        return ClusterSearchers(self.address, db, self.where)

    def index(self, home: Path, db: sqlite3.Connection, jobs: int | None):
        from .cluster.feed import ClusterFeed
        from .cluster.nodes import Cluster

        return ClusterFeed(home, db, Cluster(self.address, self.where), jobs)

    def refuse(self, feature: str) -> None:
        """Raise `NotOnClusterError` for a feature the cluster backend does not have yet."""
        from .errors import NotOnClusterError

        raise NotOnClusterError(feature, f"the cluster at {self.address} ({self.where})")


def choose(home: Path, cluster: str | None = None) -> Embedded | Clustered:
    """The backend for the archive in `home` (see the module's docstring)."""
    if cluster:
        return Clustered(cluster.strip(), "--cluster")
    if found := os.environ.get(ENVIRONMENT, "").strip():
        return Clustered(found, ENVIRONMENT)
    setting = home / SETTING
    if setting.is_file():
        found = setting.read_text(encoding="utf-8").strip()
        if found:
            return Clustered(found, f"the setting {setting}")
    return Embedded()
