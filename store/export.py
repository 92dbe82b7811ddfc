"""Articles → text: JSON Lines, CSV or Markdown, one article at a time (`wenhai export`
writes a file of them, the web front end streams a search's results as a download).

The JSON Lines use the keys `formats.JSON_KEYS` reads first (`title`, `content`,
`author`, `source`, `published`, `url`, `tags`), so that an export ingested into another
archive gives the same articles; `id`, `paths` and `extra` ride along for other readers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from .models import Article

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
    for chunk in chunks(articles, fmt):
        out.write(chunk)
        n += 1
    return n - (fmt == "csv")  # the header row


def chunks(articles: Iterable[Article], fmt: str) -> Iterator[str]:
    """`articles` in `fmt`, one string per article (after CSV's header row): memory
    holds one article at a time, however many there are."""
    if fmt == "csv":
        yield csv_line(CSV_COLUMNS)
    for article in articles:
        if fmt == "jsonl":
            yield json.dumps(record(article), ensure_ascii=False) + "\n"
        elif fmt == "csv":
            r = record(article)
            yield csv_line([
                r["id"], r["title"], r["author"] or "", r["source"] or "",
                r["published"] or "", r["url"] or "", "\n".join(r["paths"]),
                json.dumps(r["extra"], ensure_ascii=False) if r["extra"] else "", r["content"],
            ])
        else:
            yield markdown(article)


def csv_line(values: Iterable) -> str:
    """One CSV row as text (quoted as Excel and Python's csv module read it)."""
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


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
