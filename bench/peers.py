"""The n-gram engines the query bench compares wenhai with: tantivy and SQLite FTS5.

    python bench/peers.py ingest tantivy|fts5 INDEX_DIR RECORDS.jsonl
    python bench/peers.py serve tantivy|fts5 INDEX_DIR [--port 0]

Both index the same records as the stock engine (`baseline.py`), normalized as wenhai
normalizes (`store.normalize`: NFKC, traditional→simplified, case folded) — text at
ingest, queries at search — and both answer a query as exact substrings: a query is its
whitespace-separated parts, quotes dropped (`queryset.parts`), and an article matches
when its title or its body contains every part.

* tantivy (the Rust engine, PyPI `tantivy`): title and body through tantivy's own n-gram
  tokenizer, 1-2 characters. A part of one character is a term; a longer part is every
  one of its bigrams (tantivy's n-gram tokens carry no positions, so a phrase query
  would only ask for them all anyway). Nearly exact: a document holding every bigram of
  a part, but never in a row, matches too. Ranked by BM25; title stored, id a fast field.
* SQLite FTS5 (Python's sqlite3) with the `trigram` tokenizer: a part of three or more
  characters is a quoted string in MATCH (an exact substring), a shorter part the LIKE
  the FTS5 documentation gives for patterns under three characters (a scan of every
  row). Ranked by bm25 when MATCH is used, else in id order. The table holds the text.

Each is served by the stock engine's tiny HTTP server (`baseline.serve_json`) with the
answer shape of `GET /api/search`: total, page and hits (id, title); neither computes
facets or snippets.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import read_records, serve_json  # noqa: E402
from queryset import parts  # noqa: E402

from store import normalize  # noqa: E402


def _date_number(date: str | None) -> int:
    """`1998-01-05` → 19980105 (0 when there is none): sortable, and a fast field."""
    digits = (date or "")[:10].replace("-", "")
    return int(digits) if digits.isdigit() else 0


def _page(args: dict[str, str]) -> tuple[int, int]:
    limit, page = int(args.get("limit", 10)), int(args.get("page", 1))
    return limit, (page - 1) * limit


class Tantivy:
    TOKENIZER = "ngram12"

    def __init__(self, index_dir: Path):
        import tantivy

        self.t = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self._register(self.index)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @classmethod
    def _register(cls, index) -> None:
        import tantivy

        index.register_tokenizer(
            cls.TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, 2)).build())

    @classmethod
    def ingest(cls, index_dir: Path, records: Iterator[dict]) -> int:
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_integer_field("id", stored=True, indexed=True, fast=True)
        b.add_text_field("title", stored=True, tokenizer_name=cls.TOKENIZER, index_option="freq")
        b.add_text_field("body", tokenizer_name=cls.TOKENIZER, index_option="freq")
        b.add_text_field("source", tokenizer_name="raw", index_option="basic")
        b.add_integer_field("date", indexed=True, fast=True)
        index_dir.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(b.build(), path=str(index_dir))
        cls._register(index)
        writer = index.writer(heap_size=256_000_000)
        count = 0
        for r in records:
            writer.add_document(tantivy.Document(
                id=int(r["id"]), title=normalize(r["title"]), body=normalize(r["body"]),
                source=r.get("source") or "", date=_date_number(r.get("date"))))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    def _part(self, part: str):
        t = self.t
        grams = {part} if len(part) == 1 else {part[i:i + 2] for i in range(len(part) - 1)}
        fields = [t.Query.boolean_query([
            (t.Occur.Must, t.Query.term_query(self.schema, field, g, index_option="freq"))
            for g in sorted(grams)]) for field in ("title", "body")]
        return t.Query.boolean_query([(t.Occur.Should, f) for f in fields])

    def query(self, q: str, source: str | None = None):
        t = self.t
        wanted = [(t.Occur.Must, self._part(p)) for p in parts(q) if p]
        if not wanted:
            return t.Query.empty_query()
        if source:
            wanted.append((t.Occur.Must, t.Query.term_query(self.schema, "source", source)))
        return t.Query.boolean_query(wanted)

    def answer(self, args: dict[str, str]) -> dict:
        limit, offset = _page(args)
        newest = {"order_by_field": "date", "order": self.t.Order.Desc} \
            if args.get("sort") == "newest" else {}
        found = self.searcher.search(self.query(args.get("q", ""), args.get("source")),
                                     limit, count=True, offset=offset, **newest)
        hits = [self.searcher.doc(address) for _, address in found.hits]
        return {"total": found.count, "page": int(args.get("page", 1)),
                "hits": [{"id": h["id"][0], "title": h["title"][0]} for h in hits]}

    def ids(self, q: str) -> list[int]:
        """Every match of `q`, best first."""
        found = self.searcher.search(self.query(q), max(1, self.searcher.num_docs), count=False)
        return self.searcher.fast_field_values("id", [a for _, a in found.hits])


class Fts5:
    FILE = "fts5.db"

    def __init__(self, index_dir: Path):
        self.db = sqlite3.connect(f"file:{index_dir / self.FILE}?mode=ro", uri=True)

    @classmethod
    def ingest(cls, index_dir: Path, records: Iterator[dict]) -> int:
        index_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(index_dir / cls.FILE)
        db.execute("CREATE VIRTUAL TABLE docs USING fts5("
                   "title, body, source UNINDEXED, date UNINDEXED, tokenize='trigram')")
        count = 0
        with db:
            for r in records:
                db.execute("INSERT INTO docs(rowid, title, body, source, date) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (int(r["id"]), normalize(r["title"]), normalize(r["body"]),
                            r.get("source") or "", _date_number(r.get("date"))))
                count += 1
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.close()
        return count

    @staticmethod
    def where(q: str, source: str | None = None) -> tuple[str, list, bool]:
        """The WHERE clause for `q`, its parameters, and whether it uses MATCH (and so
        can be ranked)."""
        long = [p for p in parts(q) if len(p) >= 3]
        short = [p for p in parts(q) if 0 < len(p) < 3]
        clauses, params = [], []
        if long:
            clauses.append("docs MATCH ?")
            params.append(" AND ".join('"' + p.replace('"', '""') + '"' for p in long))
        for p in short:
            like = "%" + p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')")
            params += [like, like]
        if source:
            clauses.append("source = ?")
            params.append(source)
        return " AND ".join(clauses) or "0", params, bool(long)

    def answer(self, args: dict[str, str]) -> dict:
        limit, offset = _page(args)
        where, params, ranked = self.where(args.get("q", ""), args.get("source"))
        order = ("date DESC" if args.get("sort") == "newest"
                 else "rank" if ranked else "rowid")
        total = self.db.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()[0]
        rows = self.db.execute(f"SELECT rowid, title FROM docs WHERE {where} ORDER BY {order} "
                               "LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return {"total": total, "page": int(args.get("page", 1)),
                "hits": [{"id": i, "title": title} for i, title in rows]}

    def ids(self, q: str) -> list[int]:
        """Every match of `q`, best first."""
        where, params, ranked = self.where(q)
        order = "rank" if ranked else "rowid"
        return [i for (i,) in self.db.execute(
            f"SELECT rowid FROM docs WHERE {where} ORDER BY {order}", params)]


ENGINES = {"tantivy": Tantivy, "fts5": Fts5}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    i = sub.add_parser("ingest")
    i.add_argument("engine", choices=ENGINES)
    i.add_argument("index_dir", type=Path)
    i.add_argument("records", type=Path, help="a .jsonl of records (or a folder of .txt files)")
    s = sub.add_parser("serve")
    s.add_argument("engine", choices=ENGINES)
    s.add_argument("index_dir", type=Path)
    s.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    engine = ENGINES[args.engine]
    if args.command == "ingest":
        count = engine.ingest(args.index_dir, read_records(args.records))
        print(json.dumps({"articles": count}))
    else:
        serve_json(engine(args.index_dir).answer, args.port)


if __name__ == "__main__":
    main()
