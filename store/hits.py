"""Search hits as a reader sees them: the stored article's fields and a highlighted snippet."""

from __future__ import annotations

import sqlite3

from . import database
from .models import Hit
from .text.snippets import mark, snippet


def hits(db: sqlite3.Connection, window: list[tuple[int, float]], needles: list[str]) -> list[Hit]:
    """Hits for (id, score) pairs, with snippets showing `needles`."""
    articles = database.get_articles(db, [i for i, _ in window])
    copies = database.group_sizes(db, [i for i, _ in window])
    found = []
    for article_id, score in window:
        a = articles.get(article_id)
        if a is None:  # deleted since the index was written; the next sync drops it
            continue
        found.append(
            Hit(
                id=article_id,
                title=a.title,
                author=a.author,
                source=a.source,
                published=a.published,
                path=a.path,
                score=score,
                snippet=snippet(a.body, needles),
                title_html=mark(a.title, needles),
                reposts=copies.get(article_id, 0),
            )
        )
    return found
