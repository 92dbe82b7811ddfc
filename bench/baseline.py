"""The stock engine the speed bench compares against: jieba's ChineseAnalyzer in Whoosh.

    python bench/baseline.py ingest INDEX_DIR FOLDER
    python bench/baseline.py serve INDEX_DIR [--port 0]

What a developer would build in an afternoon from the jieba and Whoosh docs: title and
body analyzed by `ChineseAnalyzer`, `source` and `year` as ID fields for filters and
facets, queries through `MultifieldParser`, a JSON answer over the standard library's
HTTP server. It stores no body and makes no snippets (wenhai does both), and has no
incremental ingest: it reads every file every time. Run as separate commands so the
bench can time each in a subprocess of its own, like `wenhai ingest` and `wenhai serve`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def read_article(path: Path) -> dict[str, str]:
    """`Key: value` header lines up to the first blank line, then the body."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    return {"title": fields.get("Title", ""), "source": fields.get("Source", ""),
            "year": fields.get("Date", "")[:4], "body": body}


def schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = ChineseAnalyzer()
    return Schema(id=ID(stored=True), title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
                  body=TEXT(analyzer=analyzer), source=ID(stored=True), year=ID(stored=True))


def ingest(index_dir: Path, folder: Path) -> int:
    from whoosh import index

    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    count = 0
    with ix.writer(limitmb=256) as writer:
        for path in sorted(folder.rglob("*.txt")):
            writer.add_document(id=str(path), **read_article(path))
            count += 1
    return count


def serve(index_dir: Path, port: int) -> None:
    from whoosh import index, sorting
    from whoosh.qparser import MultifieldParser
    from whoosh.query import Term

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema)
    facets = {"source": sorting.FieldFacet("source", maptype=sorting.Count),
              "year": sorting.FieldFacet("year", maptype=sorting.Count)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            started = time.perf_counter()
            args = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            limit, page = int(args.get("limit", 10)), int(args.get("page", 1))
            source = args.get("source")
            found = searcher.search_page(
                parser.parse(args.get("q", "")), page, pagelen=limit, groupedby=facets,
                filter=Term("source", source) if source else None,
            )
            results = found.results
            body = json.dumps({
                "total": len(results), "page": page,
                "took_ms": round((time.perf_counter() - started) * 1000, 1),
                "facets": {name: sorted(results.groups(name).items(), key=lambda kv: -kv[1])
                           for name in facets},
                "hits": [{"id": h["id"], "title": h["title"], "score": h.score} for h in found],
            }, ensure_ascii=False).encode()
            self.send_response(200)
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
    i.add_argument("folder", type=Path)
    s = sub.add_parser("serve")
    s.add_argument("index_dir", type=Path)
    s.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if args.command == "ingest":
        print(f"{ingest(args.index_dir, args.folder)} articles indexed")
    else:
        serve(args.index_dir, args.port)


if __name__ == "__main__":
    sys.exit(main())
