"""The index's most frequent words: what the search box offers besides names and titles.

Read from the word field's postings arrays (`columnar`): a term's document frequency is
the length of its postings, so the whole vocabulary's is one subtraction of arrays per
segment, and only the words kept are decoded. Documents deleted but not merged away
yet still count: the numbers are for ranking suggestions, not for showing exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from .columns import leaves


def frequent_words(ix, limit: int, keep: Callable[[str], bool], *, field: str = "body",
                   least: int = 2) -> dict[str, int]:
    """The `limit` words of `field` in most documents, each with in how many, among the
    words `keep` accepts that are among the `limit` in most documents of a segment, and
    in `least` of them or more."""
    counts: Counter[str] = Counter()
    with ix.reader() as reader:
        for leaf, _ in leaves(reader):
            found = leaf._terms.text.fields.get(field)
            if found is None:
                continue
            docs = np.diff(found.tstart.astype(np.int64))
            terms = np.flatnonzero(docs >= least)
            if len(terms) > limit:  # only the segment's `limit` most frequent are read
                terms = terms[np.argpartition(-docs[terms], limit)[:limit]]
            for t in terms.tolist():
                word = found.table[t]
                if keep(word):
                    counts[word] += int(docs[t])
    return dict(counts.most_common(limit))
