"""`wenhai check`: the store compared with the search index, and the index's own checksums."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from . import database
from .engine import folder
from .errors import IndexDamagedError, IndexMissingError, IndexVersionError
from .models import CheckReport
from .search.searcher import Searcher


def check(db: sqlite3.Connection, searcher: Callable[[], Searcher | None]) -> CheckReport:
    """What is missing from the index, extra in it or stale, and whether it is damaged.

    `searcher()` gives the current searcher (None without an index), or raises why
    there is none to be had.
    """
    report = CheckReport(store_integrity=database.integrity(db))
    states = database.index_states(db)
    report.articles = len(states)
    report.pending = sum(1 for _, indexed in states.values() if not indexed)
    try:
        current = searcher()
    except (IndexDamagedError, IndexMissingError, IndexVersionError) as e:
        report.index_problem = str(e)
        report.index_damaged = isinstance(e, IndexDamagedError)
        return report
    seen = current.stored_hashes() if current is not None else {}
    for article_id, (digest, indexed) in states.items():
        if article_id not in seen:
            if indexed:
                report.missing.append(article_id)
        elif seen[article_id] != digest and indexed:
            report.stale.append(article_id)
    report.extra = sorted(set(seen) - set(states))
    report.indexed = len(seen)
    if current is not None and (damaged := folder.damaged_text(current.whoosh.reader())):
        path = damaged[0][0].parent
        report.index_problem = str(folder.damaged(path, ValueError("; ".join(
            f"{file.name}: {', '.join(names)} fail their checksums" for file, names in damaged))))
        report.index_damaged = True
    return report
