"""The cluster as wenhai sees it: an aggregator answering searches, and the shards behind it.

`WENHAI_CLUSTER` names the SphinxQL listener (HOST:PORT) of a node that holds the
distributed index `wenhai`. Its agents (`DESCRIBE wenhai`) are the shards, each a
real-time index; the feed writes to a shard over SphinxQL on the port after its agent's
(the layout `wenhai cluster start` writes). Articles are spread over the shards by id.
Every failure to reach a node is a `ClusterError` naming it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

try:
    import pymysql
except ImportError:  # the optional extra `wenhai[cluster]`
    pymysql = None

from ..errors import ClusterError
from .local import DISTRIBUTED, SCHEMA

#: Seconds to wait for a node to answer a connection, and then a request.
CONNECT_SECONDS = 3
READ_SECONDS = 60


@dataclass(frozen=True)
class Shard:
    number: int  # 1..N, in the aggregator's order
    host: str
    port: int  # SphinxQL
    index: str

    @property
    def name(self) -> str:
        return f"shard {self.number} ({self.index} at {self.host}:{self.port})"


def parse_address(address: str, where: str) -> tuple[str, int]:
    """HOST:PORT, or `ClusterError` saying that `where` holds something else."""
    host, _, port = address.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(
            f"The cluster address {address!r} ({where}) is not HOST:PORT: give the SphinxQL "
            "listener of the node holding the distributed index, e.g. 127.0.0.1:9306 "
            "(`wenhai cluster start` prints one).")
    return host, int(port)


def connect(host: str, port: int) -> pymysql.connections.Connection:
    return pymysql.connect(host=host, port=port, user="", autocommit=True,
                           connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS,
                           write_timeout=READ_SECONDS, charset="utf8")


def _close(db) -> None:
    with contextlib.suppress(pymysql.MySQLError):  # a connection that broke is closed
        db.close()


class Cluster:
    """Connections to the aggregator and, when asked, to each shard (opened lazily, kept,
    and opened again after a failure)."""

    def __init__(self, address: str, where: str = "WENHAI_CLUSTER"):
        if pymysql is None:
            raise ClusterError(
                f"A search cluster is named ({where}) but PyMySQL, which talks to it, is "
                "not installed: `pip install 'wenhai[cluster]'`, or unset it to search the "
                "archive's own index.")
        self.address = address
        self.host, self.port = parse_address(address, where)
        self._aggregator: pymysql.connections.Connection | None = None
        self._shards: list[Shard] | None = None
        self._open: dict[int, pymysql.connections.Connection] = {}

    def query(self, sql: str, args=None) -> tuple[list[tuple], list[str]]:
        """Rows of `sql` on the aggregator, and its warnings (`SHOW WARNINGS`: a shard
        that did not answer makes the query succeed on the others, said only there)."""
        rows, warnings, _ = self.search(sql, args, meta=False)
        return rows, warnings

    def search(self, sql: str, args=None, *, meta: bool = True
               ) -> tuple[list[tuple], list[str], dict[str, str]]:
        """As `query`, and the query's `SHOW META` (total_found: every match, beyond
        the rows returned)."""
        sets, warnings, found = self.results(sql, args, meta=meta)
        return sets[0], warnings, found

    def results(self, sql: str, args=None, *, meta: bool = True
                ) -> tuple[list[list[tuple]], list[str], dict[str, str]]:
        """As `search`, with the rows of every result set `sql` gives (a `FACET` clause
        adds one per facet), in order."""
        try:
            db = self._aggregator_connection()
            with db.cursor() as cur:
                cur.execute(sql, args)
                sets = [list(cur.fetchall())]
                while cur.nextset():
                    sets.append(list(cur.fetchall()))
                cur.execute("SHOW WARNINGS")
                warnings = [str(row[-1]) for row in cur.fetchall()]
                found = {}
                if meta:
                    cur.execute("SHOW META")
                    found = {str(k): str(v) for k, v in cur.fetchall()}
            return sets, warnings, found
        except pymysql.MySQLError as e:
            self.close()
            raise ClusterError(
                f"The cluster's aggregator at {self.address} failed: "
                f"{e.args[-1] if e.args else e}. Start it (for a local cluster: "
                "`wenhai cluster start`), or unset WENHAI_CLUSTER to search the archive's "
                "own index.") from e

    def _aggregator_connection(self):
        if self._aggregator is None:
            self._aggregator = connect(self.host, self.port)
        return self._aggregator

    def shards(self) -> list[Shard]:
        """The shards of the distributed index, in the aggregator's order."""
        if self._shards is None:
            rows, _ = self.query(f"DESCRIBE {DISTRIBUTED}")
            found = []
            for agent, kind in rows:
                if not str(kind).startswith("remote"):
                    continue
                address, _, index = str(agent).rpartition(":")
                host, port = parse_address(address, f"agent {agent} of {self.address}")
                found.append(Shard(len(found) + 1, host, port + 1, index))
            if not found:
                raise ClusterError(
                    f"The node at {self.address} has no distributed index `{DISTRIBUTED}` "
                    "with shards as agents: point WENHAI_CLUSTER at the aggregator.")
            for shard in found:
                self._check_schema(shard)
            self._shards = found
        return self._shards

    def _check_schema(self, shard: Shard) -> None:
        """`ClusterError` if `shard` lacks a field or attribute wenhai writes and
        searches (a shard set up by an older wenhai takes the new fields without a
        word and finds nothing in them). A shard that does not answer is left to the
        searches, which say so."""
        try:
            rows = self.on_shard(shard, f"DESCRIBE {shard.index}")
        except ClusterError:
            return
        if lacking := [name for name in SCHEMA if name not in {str(r[0]) for r in rows}]:
            raise ClusterError(
                f"{shard.name} was set up by an older wenhai: it lacks {', '.join(lacking)}, "
                "which wenhai now feeds and searches. Start a new cluster (`wenhai cluster "
                "start` in another --dir, or the tables README's *On Manticore* lists) and "
                "feed it with `wenhai reindex`; the archive keeps every article.")

    def shard_of(self, article_id: int) -> Shard:
        shards = self.shards()
        return shards[article_id % len(shards)]

    def on_shard(self, shard: Shard, sql: str, args=None, *, many: bool = False) -> list[tuple]:
        """Run `sql` on `shard` itself (`executemany` with `many`); `ClusterError`
        naming the shard if it cannot be reached or refuses."""
        try:
            db = self._open.get(shard.number)
            if db is None:
                db = self._open[shard.number] = connect(shard.host, shard.port)
            with db.cursor() as cur:
                if many:
                    cur.executemany(sql, args)
                else:
                    cur.execute(sql, args)
                return list(cur.fetchall())
        except pymysql.MySQLError as e:
            bad = self._open.pop(shard.number, None)
            if bad is not None:
                _close(bad)
            raise ClusterError(
                f"{shard.name} failed: {e.args[-1] if e.args else e}. Start it again; "
                "the stored articles are kept and `wenhai check --repair` feeds "
                "them.") from e

    def close(self) -> None:
        for db in [self._aggregator, *self._open.values()]:
            if db is not None:
                _close(db)
        self._aggregator = None
        self._open.clear()
