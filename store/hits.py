"""Search hits as a reader sees them: the stored article's fields and a highlighted snippet."""

from __future__ import annotations

import math
import sqlite3
import time

from markupsafe import Markup, escape

from . import database
from .models import Hit
from .text.snippets import SNIPPET_CHARS, mark, snippet

#: What a hit's snippet marks: needles, and needles matched across punctuation.
Shown = tuple[list[str], list[str]]


def hits(db: sqlite3.Connection, window: list[tuple[int, float]], needles: list[str],
         deadline: float = math.inf, shown: list[Shown] | None = None) -> tuple[list[Hit], bool]:
    """Hits for (id, score) pairs, with snippets showing `needles` (or, per hit, what
    `shown` says); and whether every snippet was made. Past `deadline` (a
    `time.perf_counter()` value) a hit shows the beginning of its text, unmarked."""
    articles = database.get_articles(db, [i for i, _ in window])
    copies = database.group_sizes(db, [i for i, _ in window])
    found, complete = [], True
    for (article_id, score), (marked, loose) in zip(
        window, shown or [(needles, [])] * len(window), strict=True
    ):
        a = articles.get(article_id)
        if a is None:  # deleted since the index was written; the next sync drops it
            continue
        in_time = time.perf_counter() < deadline
        complete = complete and in_time
        found.append(
            Hit(
                id=article_id,
                title=a.title,
                author=a.author,
                source=a.source,
                published=a.published,
                path=a.path,
                score=score,
                snippet=(snippet(a.body, marked, loose=loose) if in_time
                         else _beginning(a.body)),
                title_html=mark(a.title, marked, loose=loose) if in_time else escape(a.title),
                reposts=copies.get(article_id, 0),
                tags=a.tags,
            )
        )
    return found, complete


def _beginning(body: str) -> Markup:
    piece = body[:SNIPPET_CHARS].replace("\n", " ").strip()
    return escape(piece) + Markup("…" if len(body) > SNIPPET_CHARS else "")
