"""The stock engine the benches compare against: jieba's ChineseAnalyzer in Whoosh.

    python bench/baseline.py ingest INDEX_DIR FOLDER|RECORDS.jsonl
    python bench/baseline.py serve INDEX_DIR [--port 0]

What a developer would build in an afternoon from the jieba and Whoosh docs: title and
body analyzed by `ChineseAnalyzer`, `source` and `year` as ID fields for filters and
facets, `date` for sorting by date, queries as typed through `MultifieldParser`, a JSON
answer over the standard library's HTTP server (`serve_json`, which the query bench's
other engines share). It stores no body and makes no snippets (wenhai does both), and has no
incremental ingest: it reads every file every time. Run as separate commands so the
bench can time each in a subprocess of its own, like `wenhai ingest` and `wenhai serve`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def read_article(path: Path) -> dict[str, str]:
    """`Key: value` header lines up to the first blank line, then the body."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    return {"title": fields.get("Title", ""), "source": fields.get("Source", ""),
            "date": fields.get("Date", ""), "body": body}


def read_records(source: Path) -> Iterator[dict]:
    """Articles from a folder of `.txt` files (ids are paths) or from a `.jsonl` file of
    {"id", "title", "body", "source", "date"} records (what the query bench hands every
    engine: the text wenhai stored)."""
    if source.is_dir():
        for path in sorted(source.rglob("*.txt")):
            yield {"id": str(path), **read_article(path)}
    else:
        with source.open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = ChineseAnalyzer()
    return Schema(id=ID(stored=True), title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
                  body=TEXT(analyzer=analyzer), source=ID(stored=True), year=ID(stored=True),
                  date=ID(sortable=True))


def ingest(index_dir: Path, source: Path) -> int:
    from whoosh import index

    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    count = 0
    with ix.writer(limitmb=256) as writer:
        for record in read_records(source):
            date = record.get("date") or ""
            writer.add_document(id=str(record["id"]), title=record["title"],
                                body=record["body"], source=record.get("source") or "",
                                year=date[:4], date=date)
            count += 1
    return count


class Stock:
    """The stock index, searched as the server answers and as the query bench checks."""

    def __init__(self, index_dir: Path):
        from whoosh import index, sorting
        from whoosh.qparser import MultifieldParser

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        self.facets = {"source": sorting.FieldFacet("source", maptype=sorting.Count),
                       "year": sorting.FieldFacet("year", maptype=sorting.Count)}

    def _filter(self, source: str | None):
        from whoosh.query import Term

        return Term("source", source) if source else None

    def answer(self, args: dict[str, str]) -> dict:
        """The page `args` (q, limit, page, source, sort=newest) asks for, with facets."""
        limit, page = int(args.get("limit", 10)), int(args.get("page", 1))
        newest = args.get("sort") == "newest"
        found = self.searcher.search_page(
            self.parser.parse(args.get("q", "")), page, pagelen=limit, groupedby=self.facets,
            filter=self._filter(args.get("source")),
            sortedby="date" if newest else None, reverse=newest,
        )
        results = found.results
        return {
            "total": len(results), "page": page,
            "facets": {name: sorted(results.groups(name).items(), key=lambda kv: -kv[1])
                       for name in self.facets},
            "hits": [{"id": h["id"], "title": h["title"],  # sorted by date: no score
                      "score": None if newest else h.score} for h in found],
        }

    def ids(self, q: str, source: str | None = None) -> list[str]:
        """Every match of `q`, best first."""
        found = self.searcher.search(self.parser.parse(q), limit=None,
                                     filter=self._filter(source))
        return [h["id"] for h in found]


def serve_json(answer: Callable[[dict[str, str]], dict], port: int) -> None:
    """Answer `GET /api/search?…` with `answer(query arguments)` as JSON (and its time in
    `took_ms`) until killed; an engine's error is a 500 with the reason."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            started = time.perf_counter()
            args = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            try:
                found, status = answer(args), 200
                found["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
                body = json.dumps(found, ensure_ascii=False).encode()
            except Exception as e:  # noqa: BLE001 - the client is told, the server goes on
                status = 500
                body = json.dumps({"error": f"{type(e).__name__}: {e}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # keep stderr for errors
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    print(f"Serving on http://127.0.0.1:{server.server_port}/", flush=True)
    server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("index_dir", type=Path)
    i.add_argument("source", type=Path, help="a folder of .txt files or a .jsonl of records")
    s = sub.add_parser("serve")
    s.add_argument("index_dir", type=Path)
    s.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if args.command == "ingest":
        print(f"{ingest(args.index_dir, args.source)} articles indexed")
    else:
        serve_json(Stock(args.index_dir).answer, args.port)


if __name__ == "__main__":
    sys.exit(main())
