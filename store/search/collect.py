"""How a search gathers its matches: ranked or sorted, counted per facet, one per repost
group, filtered, and stopped at a deadline.

Whoosh's TimeLimitCollector cannot be used here: it gathers by calling its child's
matches directly, which skips the filtering and collapsing collectors' own loops
(measured: a source filter was ignored). So the deadline sits innermost, where every
document that gets through the filters passes, and the Whoosh collectors wrap it in
the order `Searcher.collector` uses.
"""

from __future__ import annotations

import time

from whoosh import collectors


class _Deadline(collectors.WrappingCollector):
    """Passes documents on to its child until `seconds` have gone by, then stops the search."""

    def __init__(self, child, seconds: float):
        super().__init__(child)
        self.seconds = seconds
        self.deadline = 0.0

    def prepare(self, top_searcher, q, context):
        self.child.prepare(top_searcher, q, context)
        self.deadline = time.perf_counter() + self.seconds

    def collect_matches(self):
        for sub_docnum in self.child.matches():
            self.collect(sub_docnum)

    def collect(self, sub_docnum):
        if time.perf_counter() > self.deadline:
            raise collectors.TimeLimit
        return self.child.collect(sub_docnum)


def collector(*, limit: int, seconds: float, groupedby, sortedby=None, collapse=None, filter=None):
    """A collector for `searcher.search_with_collector`; raises `collectors.TimeLimit`
    after `seconds`, when `.results()` still gives what was gathered so far."""
    if sortedby is not None:
        c = collectors.SortingCollector(sortedby, limit=limit)
    else:
        c = collectors.UnlimitedCollector()  # facets need every match anyway
    c = _Deadline(c, seconds)
    c = collectors.FacetCollector(c, groupedby)
    if collapse:
        c = collectors.CollapseCollector(c, collapse, limit=1)
    if filter is not None:
        c = collectors.FilterCollector(c, filter, None)
    return c
