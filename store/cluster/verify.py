"""Deciding the cluster's candidates as wenhai decides every match: from the stored text.

The engine's phrase matching differs from wenhai's in small ways (whitespace has no
position, so `1 0` is found by `10`; it knows nothing of tiers, reposts, jieba words).
So the candidates' stored articles are indexed here, in a small index of their own built
by the same engine code as the archive's (`engine.writer`), and the same `Searcher`
answers the query over it: the same matches, tiers, ranking, facets, filters, reposts
collapsed and pages as the embedded backend — only the term statistics behind the
scores inside a tier are the candidates', not the whole archive's.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections import OrderedDict
from pathlib import Path

from .. import database
from ..engine import folder, saved, schema
from ..engine.writer import Writer
from ..search.searcher import Searcher

#: Verification indexes kept (per `Archive`) for pages after the first and repeated
#: queries: ~23 MB each for 1,000 candidates, in $TMPDIR.
KEPT = 2


#: Where the verification indexes go: a folder per index, named after the process.
FOLDER = "wenhai-verify"


def _sweep(base: Path) -> None:
    """Remove the verification indexes of processes that are gone (a server stopped by
    a signal leaves its own behind)."""
    for place in base.glob("*-*"):
        pid = place.name.partition("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(place, ignore_errors=True)
        except PermissionError:
            pass  # another user's process: not ours to judge


class Verifier:
    """Small indexes of candidate sets, the last `KEPT` kept (each in a temporary folder,
    removed when it is dropped; those of a process that died, by the next one)."""

    def __init__(self):
        self._kept: OrderedDict[tuple, tuple[Path, object, Searcher]] = OrderedDict()
        self._base = Path(tempfile.gettempdir()) / FOLDER
        self._swept = False

    def searcher(self, db: sqlite3.Connection, ids: list[int], *,
                 words: bool = False) -> Searcher | None:
        """A searcher over the stored articles `ids` as they are now; None for none.

        Without `words`, only the fields a query is matched and ranked on (the gram
        fields and the columns): jieba's word fields, which only similar articles read,
        are three quarters of the cost of indexing."""
        if not ids:
            return None
        key = (id(db), db.execute("PRAGMA data_version").fetchone()[0], tuple(sorted(ids)),
               words)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key][2]
        if not self._swept:
            self._base.mkdir(exist_ok=True)
            _sweep(self._base)
            self._swept = True
        place = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self._base))
        try:
            ix = folder.create(place / "index")
            writer = Writer(ix, limitmb=64)
            try:
                for row in database.for_index(db, sorted(ids)):
                    doc = schema.document(row)
                    if not words:
                        del doc["title"], doc["body"]
                    writer.add_document(**doc)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            saved.save_arrays(ix)
            found = Searcher(ix.searcher(), folder.folder_id(place / "index"))
        except BaseException:
            shutil.rmtree(place, ignore_errors=True)
            raise
        self._kept[key] = (place, ix, found)
        while len(self._kept) > KEPT:
            self._drop(self._kept.popitem(last=False)[1])
        return found

    @staticmethod
    def _drop(kept: tuple) -> None:
        place, ix, found = kept
        found.close()
        ix.close()
        shutil.rmtree(place, ignore_errors=True)

    def close(self) -> None:
        while self._kept:
            self._drop(self._kept.popitem()[1])
