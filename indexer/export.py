"""Articles → a file: JSON Lines, CSV or Markdown, written one article at a time.

The JSON Lines use the keys `formats.JSON_KEYS` reads first (`title`, `content`,
`author`, `source`, `published`, `url`, `tags`), so that an export ingested into another
archive gives the same articles; `id`, `paths` and `extra` ride along for other readers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from store import Article

FORMATS = ("jsonl", "csv", "md")

#: CSV's columns, in order.
CSV_COLUMNS = ("id", "title", "author", "source", "published", "url", "paths", "extra", "text")


def record(article: Article) -> dict:
    """One article as a JSON object the jsonl reader takes back."""
    out = {
        "id": article.id,
        "title": article.title,
        "author": article.author,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "paths": list(article.paths),
        "extra": dict(article.extra),
    }
    if article.tags:  # the file's and those given with `wenhai tag`, as ingest reads them
        out["tags"] = ", ".join(article.tags)
    out["content"] = article.body
    return out


def write(articles: Iterable[Article], fmt: str, out: TextIO) -> int:
    """Write `articles` to `out` in `fmt` (one of `FORMATS`); returns how many."""
    n = 0
    if fmt == "csv":
        rows = csv.writer(out)
        rows.writerow(CSV_COLUMNS)
    for article in articles:
        if fmt == "jsonl":
            out.write(json.dumps(record(article), ensure_ascii=False) + "\n")
        elif fmt == "csv":
            r = record(article)
            rows.writerow([
                r["id"], r["title"], r["author"] or "", r["source"] or "",
                r["published"] or "", r["url"] or "", "\n".join(r["paths"]),
                json.dumps(r["extra"], ensure_ascii=False) if r["extra"] else "", r["content"],
            ])
        else:
            out.write(markdown(article))
        n += 1
    return n


def markdown(article: Article) -> str:
    """One article as a Markdown section: title, its metadata as a list, the text with
    its headings, then a rule."""
    lines = [f"# {article.title}", ""]
    for name in ("id", "author", "source", "published", "url"):
        value = getattr(article, name)
        if value:
            lines.append(f"- {name}: {value.isoformat() if name == 'published' else value}")
    lines += [f"- file: {path}" for path in article.paths]
    lines += [f"- {name}: {value}" for name, value in article.extra.items()]
    lines.append("")
    for text, is_heading in article.paragraphs():
        lines += [f"## {text}" if is_heading else text, ""]
    lines += ["---", "", ""]
    return "\n".join(lines)
