"""“Similar articles”: the words that characterise one article, weighed against the archive.

Whoosh's own `more_like` needs stored text or term vectors, which the index does not
keep (SQLite holds the text). So the article's jieba words are counted here and
weighed by the index's document frequencies (TF-IDF); the best of them, OR-ed
together on the word field, find the articles that share what this one is about.
"""

from __future__ import annotations

from collections import Counter

from whoosh import query as wq

from ..text.analysis import words

KEY_TERMS = 25


def key_terms(searcher, text: str, limit: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The `limit` words of `text` with the highest TF-IDF weight, heaviest first."""
    counts = Counter(w for w, *_ in words(text) if len(w) > 1 and not w.isdigit())
    weighted = [(w, tf * searcher.idf("body", w)) for w, tf in counts.items()]
    weighted.sort(key=lambda t: (-t[1], t[0]))
    return weighted[:limit]


def like_query(terms: list[tuple[str, float]]) -> wq.Query | None:
    if not terms:
        return None
    return wq.Or([wq.Term("body", w, boost=weight) for w, weight in terms])
