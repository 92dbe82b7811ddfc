"""`wenhai check`: the store compared with the search index, and the index's own checksums."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from . import database, packing
from .errors import (
    ClusterError,
    IndexDamagedError,
    IndexMissingError,
    IndexVersionError,
    Notice,
)
from .models import CheckReport


def check(db: sqlite3.Connection, searcher: Callable) -> CheckReport:
    """What is missing from the index, extra in it or stale, and whether it is damaged;
    for a cluster, per shard, and a shard that cannot be read as the index's problem.

    `searcher()` gives the current searcher of either backend (None without an index),
    or raises why there is none to be had.
    """
    report = CheckReport(store_integrity=database.integrity(db))
    if report.store_integrity == "ok" and (damaged := packing.damaged(db)):
        shown = "; ".join(f"article {i}: {why}" for i, why in damaged[:5])
        more = f" and {len(damaged) - 5} more" if len(damaged) > 5 else ""
        report.store_integrity = (
            f"{len(damaged)} stored articles cannot be unpacked ({shown}{more}): their "
            "text and original bytes are lost from archive.db; restore it from a backup, "
            "or remove them (`wenhai remove ID`) and ingest their files again")
    states = database.index_states(db)
    report.articles = len(states)
    report.pending = sum(1 for _, indexed in states.values() if not indexed)
    try:
        current = searcher()
    except (IndexDamagedError, IndexMissingError, IndexVersionError) as e:
        report.index_problem = Notice(str(e), code=e.code, **e.details)
        report.index_damaged = isinstance(e, IndexDamagedError)
        return report
    try:
        parts = current.stored_parts() if current is not None else {}
    except ClusterError as e:
        report.index_problem = Notice(str(e), code=e.code, **e.details)
        return report
    seen = {i: digest for hashes in parts.values() for i, digest in hashes.items()}
    for article_id, (digest, indexed) in states.items():
        if article_id not in seen:
            if indexed:
                report.missing.append(article_id)
        elif seen[article_id] != digest and indexed:
            report.stale.append(article_id)
    report.extra = sorted(set(seen) - set(states))
    report.indexed = len(seen)
    if len(parts) > 1:  # a cluster's shards: where each finding is
        extra = set(report.extra)
        for name, hashes in parts.items():
            report.parts.append({
                "name": name, "documents": len(hashes),
                "missing": [i for i in report.missing if current.part_of(i) == name],
                "extra": sorted(extra & set(hashes)),
            })
    if current is not None and (problem := current.damage()):
        report.index_problem = problem
        report.index_damaged = True
    return report
