"""Search measured, not the cache: hundreds of queries of every kind a reader sends, to
wenhai, stock jieba + Whoosh, tantivy and SQLite FTS5, on the same texts, side by side.

    python bench/queries.py [--sizes 10000,100000] [--long 2000] [--per-class 55]
                             [--engines stock,tantivy,fts5]

For each corpus — N articles of real paragraphs under real titles (scale.scale_corpus)
for each N in --sizes, and --long N long articles of 20,000-480,000 characters
(scale.long_corpus; 0 for none) — it:

1. ingests the folder with `wenhai ingest` in a subprocess, timed; dumps what wenhai
   stored (title, clean body, source, date) to records.jsonl; has each other engine index
   exactly those records, timed the same way. Every engine has the same text, and the
   truth is computed on it (wenhai's time includes reading and cleaning the files);
2. draws --per-class queries of each class from that text with --seed (queryset.py
   defines the classes and each one's truth: every article whose normalized text holds
   every part of the query);
3. starts each engine's HTTP server on 127.0.0.1 — `wenhai serve` with its result cache
   off (WENHAI_RESULT_CACHE=0), the others behind baseline.serve_json — sends 5 warm-up
   requests, then every query once with limit=10 and once with limit=100, one request
   at a time, in a seeded random order, and times each until the whole answer arrived;
4. sends --cached queries of the set to wenhai twice with its result cache on: the
   second time is the cache-hit figure, reported apart;
5. asks each engine, in this process, for every match of every query (wenhai:
   `Archive.matching_ids`, every copy of a repost; stock: Whoosh with no limit; tantivy,
   FTS5: every hit) and scores it against the truth. Filters, sorts and pages change
   what a page shows, not which articles match, so the match set is the query text's;
   for the `filter` class the bench keeps the matches from the source asked for, for
   every engine alike.

Recall is the share of the truth an engine found, averaged over a class's queries;
precision the share of what it found that holds every part of the query (wenhai also
matches a term's words scattered apart, ranked after the exact matches, and searches
author and source; tantivy's bigrams may be present but not in a row). `title on page
1` counts title queries whose article (or one with the same title) is among the first
10 results. Latency percentiles are nearest-rank over every request of a class.
Results on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import baseline  # noqa: E402
import peers  # noqa: E402
import scale  # noqa: E402
from queryset import CLASSES, Query, Texts, draw  # noqa: E402
from speed import (  # noqa: E402
    BASELINE,
    WENHAI,
    article_counts,
    dir_bytes,
    get_json,
    pad,
    pct,
    run_measured,
    serving,
)

from store import Archive, QueryError, database, normalize, packing  # noqa: E402

ENGINES = ("wenhai", "stock", "tantivy", "fts5")
PEERS = [sys.executable, str(BENCH / "peers.py")]
LIMITS = (10, 100)
WARM_UP = ("的", "中国", "经济 发展", '"人民"', "市場")
CACHE_OFF = {"WENHAI_RESULT_CACHE": "0"}


QUIET = False


def progress(message: str) -> None:
    if not QUIET:
        print(message, file=sys.stderr, flush=True)


# -- corpora and ingest -----------------------------------------------------------


@dataclass
class Corpus:
    label: str
    folder: Path
    work: Path
    records: Path = field(init=False)

    def __post_init__(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.records = self.work / "records.jsonl"

    def index(self, engine: str) -> Path:
        return self.work / engine


@dataclass
class Figures:
    """One engine's figures on one corpus."""

    ingest_s: float = 0.0
    index_bytes: int = 0
    startup_s: float = 0.0
    ms: dict[int, dict[str, list[float]]] = field(default_factory=dict)  # limit → class → ms
    errors: int = 0
    title_on_page_1: int = 0
    recall: dict[str, list[float]] = field(default_factory=dict)
    precision: dict[str, list[float]] = field(default_factory=dict)


def ingest_command(engine: str, index: Path, corpus: Corpus) -> list[str]:
    if engine == "wenhai":
        return WENHAI + ["--home", str(index), "ingest", "-q", str(corpus.folder)]
    if engine == "stock":
        return BASELINE + ["ingest", str(index), str(corpus.records)]
    return PEERS + ["ingest", engine, str(index), str(corpus.records)]


def serve_command(engine: str, index: Path) -> list[str]:
    if engine == "wenhai":
        return WENHAI + ["--home", str(index), "serve", "--port", "0"]
    if engine == "stock":
        return BASELINE + ["serve", str(index), "--port", "0"]
    return PEERS + ["serve", engine, str(index), "--port", "0"]


def dump_records(home: Path, out: Path) -> Texts:
    """What wenhai stored, as the records every other engine indexes and the truth reads."""
    db = database.reader(home / "archive.db")
    rows = db.execute("SELECT id, title, body, source, published FROM articles ORDER BY id")
    ids, titles, bodies, sources = [], [], [], []
    with out.open("w", encoding="utf-8") as f:
        for i, title, stored, source, published in rows:
            body = packing.text(db, stored)
            f.write(json.dumps({"id": i, "title": title, "body": body, "source": source or "",
                                "date": (published or "")[:10]}, ensure_ascii=False) + "\n")
            ids.append(i)
            titles.append(title)
            bodies.append(body)
            sources.append(source or "")
    db.close()
    return Texts(ids, titles, bodies, sources)


def ingest(engine: str, corpus: Corpus) -> Figures:
    """Index the corpus with `engine` in a subprocess, timed. (`wenhai ingest` exits 1 when
    a file failed and stores the rest; the others index what it stored.)"""
    index = corpus.index(engine)
    progress(f"[{corpus.label}] {engine} ingest…")
    run = run_measured(ingest_command(engine, index, corpus),
                       ok=(0, 1) if engine == "wenhai" else (0,))
    progress(f"[{corpus.label}] {engine}: {run.stdout.strip()} in {run.seconds:.1f} s")
    size = dir_bytes(index / "index") if engine == "wenhai" else dir_bytes(index)
    return Figures(ingest_s=run.seconds, index_bytes=size)


# -- latency over HTTP ------------------------------------------------------------


def ask(url: str, params: dict[str, str]) -> tuple[float, dict | None]:
    """One request: milliseconds until the whole answer arrived, and the answer (None for
    an error status)."""
    started = time.perf_counter()
    try:
        return get_json(f"{url}/api/search?{urllib.parse.urlencode(params)}")
    except urllib.error.HTTPError as e:
        e.read()
        return (time.perf_counter() - started) * 1000, None


def title_found(answer: dict | None, query: Query) -> bool:
    wanted = normalize(query.q)
    return answer is not None and any(normalize(str(h.get("title", ""))) == wanted
                                      for h in answer.get("hits", []))


def measure_latency(engine: str, corpus: Corpus, queries: list[Query], figures: Figures,
                    command: list[str] | None = None) -> None:
    """Every query once per limit, one at a time, after a few warm-up requests (to the
    server `command` starts, by default the engine's own)."""
    env = CACHE_OFF if engine.startswith("wenhai") else None
    command = command or serve_command(engine, corpus.index(engine))
    with serving(command, env) as (url, startup_s):
        figures.startup_s = startup_s
        for q in WARM_UP:
            ask(url, {"q": q, "limit": "10"})
        for limit in LIMITS:
            progress(f"[{corpus.label}] {engine}: {len(queries)} queries, limit={limit}…")
            times = figures.ms.setdefault(limit, {})
            for query in queries:
                ms, answer = ask(url, query.params(limit))
                times.setdefault(query.cls, []).append(ms)
                figures.errors += answer is None
                if limit == 10 and query.cls == "title":
                    figures.title_on_page_1 += title_found(answer, query)


def cache_hits(corpus: Corpus, sample: list[Query]) -> list[float]:
    """wenhai with its result cache on: each query of `sample` sent twice; the second
    answer's times."""
    progress(f"[{corpus.label}] wenhai, cache on: {len(sample)} queries twice…")
    with serving(serve_command("wenhai", corpus.index("wenhai"))) as (url, _):
        for query in sample:
            ask(url, query.params(10))
        return [ask(url, query.params(10))[0] for query in sample]


# -- correctness in process -------------------------------------------------------


@contextlib.contextmanager
def matcher(engine: str, index: Path) -> Iterator[Callable[[str], list[int]]]:
    """A function giving every match of a query text, asked of the engine in this process."""
    if engine == "wenhai":
        with Archive(index) as archive:
            def ids(q: str) -> list[int]:
                try:
                    return archive.matching_ids(q)
                except QueryError:
                    return []
            yield ids
    elif engine == "stock":
        stock = baseline.Stock(index)
        yield lambda q: [int(i) for i in stock.ids(q)]
    else:
        yield peers.ENGINES[engine](index).ids


def score(engine: str, corpus: Corpus, texts: Texts, queries: list[Query],
          figures: Figures) -> None:
    progress(f"[{corpus.label}] {engine}: every match of every query…")
    source_of = dict(zip(texts.ids, texts.sources, strict=True))
    with matcher(engine, corpus.index(engine)) as ids:
        for query in queries:
            truth = texts.truth(query)
            found = set(ids(query.q))
            if query.source:
                found = {i for i in found if source_of.get(i) == query.source}
            right = len(found & truth)
            exact = Query(query.cls, query.q)  # what holds every part, from any source
            holds = len(found & texts.truth(exact))
            figures.recall.setdefault(query.cls, []).append(right / len(truth))
            figures.precision.setdefault(query.cls, []).append(holds / len(found) if found else 1.0)


# -- one corpus ---------------------------------------------------------------------


def bench_corpus(corpus: Corpus, per_class: int, cached: int, seed: int) -> dict:
    files = scale.text_files(corpus.folder)
    progress(f"[{corpus.label}] {len(files)} files in {corpus.folder}")
    figures = {"wenhai": ingest("wenhai", corpus)}
    texts = dump_records(corpus.index("wenhai"), corpus.records)
    for engine in ENGINES[1:]:
        figures[engine] = ingest(engine, corpus)
    text_bytes = sum(len(f"{t}\n{b}".encode()) for t, b in zip(texts.titles, texts.bodies,
                                                                strict=True))
    queries = draw(texts, per_class, seed, lambda m: progress(f"[{corpus.label}] {m}"))
    for engine in ENGINES:
        measure_latency(engine, corpus, queries, figures[engine])
    hits = cache_hits(corpus, random.Random(seed).sample(queries, min(cached, len(queries))))
    for engine in ENGINES:
        score(engine, corpus, texts, queries, figures[engine])
    db_bytes = sum(f.stat().st_size for f in corpus.index("wenhai").glob("archive.db*"))
    return {"label": corpus.label, "articles": len(texts.ids), "text_bytes": text_bytes,
            "db_bytes": db_bytes, "queries": queries, "figures": figures, "cache_hits": hits,
            "lengths": sorted(len(b) for b in texts.bodies)}


# -- report -------------------------------------------------------------------------


def cells(values: list[float], fmt: str = ".1f", width: int = 8) -> str:
    return "".join(f"{format(v, fmt):>{width}}" for v in values)


def spread(times: list[float]) -> list[float]:
    return [pct(times, 0.5), pct(times, 0.95), pct(times, 0.99), max(times)]


def of_class(per_class: dict[str, list[float]], cls: str) -> list[float]:
    """The values of one class, or of every class for "all"."""
    if cls != "all":
        return per_class[cls]
    return [v for values in per_class.values() for v in values]


def report(result: dict, per_class: int) -> None:
    figures: dict[str, Figures] = result["figures"]
    text_mb = result["text_bytes"] / 1e6
    lengths = result["lengths"]
    n_queries = len(result["queries"])
    titles = sum(1 for q in result["queries"] if q.cls == "title")
    print(f"\n{result['label']}: {result['articles']:,} articles, {text_mb:.1f} MB of text "
          f"(bodies {lengths[0]:,}-{lengths[-1]:,} characters, median "
          f"{lengths[len(lengths) // 2]:,}); {n_queries} queries ({per_class} a class)")
    print(f"{'':<32}" + "".join(f"{e:>10}" for e in ENGINES))
    rows: list[tuple[str, Callable[[Figures], float], str]] = [
        ("ingest, MB/s", lambda f: text_mb / f.ingest_s, ".2f"),
        ("ingest, seconds", lambda f: f.ingest_s, ".1f"),
        ("index size / text size", lambda f: f.index_bytes / result["text_bytes"], ".2f"),
        ("server start-up, s", lambda f: f.startup_s, ".2f"),
        (f"HTTP errors (of {n_queries * len(LIMITS):,})", lambda f: f.errors, "d"),
        ("all the requests took, s",
         lambda f: sum(sum(of_class(f.ms[limit], "all")) for limit in LIMITS) / 1000, ".1f"),
        (f"title on page 1 (of {titles})", lambda f: f.title_on_page_1, "d"),
    ]
    for label, get, fmt in rows:
        print(pad(label, 32) + "".join(f"{format(get(figures[e]), fmt):>10}" for e in ENGINES))
    print(pad("wenhai archive.db / text size", 32)
          + f"{result['db_bytes'] / result['text_bytes']:>10.2f}")

    print("\nlatency over HTTP, ms (wenhai's result cache off); recall and precision of "
          "every match, asked in process")
    print(f"{'':<30}" + "".join(f"{f'limit={limit}':^32}" for limit in LIMITS))
    head = "".join(f"{h:>8}" for h in ("p50", "p95", "p99", "max"))
    print(f"{'class':<14}{'n':>4}  {'engine':<10}{head}{head}{'recall':>8}{'precision':>10}")
    for cls in (*CLASSES, "all"):
        for k, engine in enumerate(ENGINES):
            f = figures[engine]
            recall, precision = of_class(f.recall, cls), of_class(f.precision, cls)
            line = f"{cls if k == 0 else '':<14}{len(recall) if k == 0 else '':>4}  {engine:<10}"
            for limit in LIMITS:
                line += cells(spread(of_class(f.ms[limit], cls)))
            line += (f"{sum(recall) / len(recall):>8.3f}"
                     f"{sum(precision) / len(precision):>10.3f}")
            print(line)

    hits = result["cache_hits"]
    print(f"\nwenhai with its result cache on, {len(hits)} of the queries sent a second time "
          f"(limit=10): p50 / p95 / p99 / max {' / '.join(f'{v:.1f}' for v in spread(hits))} ms")


def engine_list(text: str) -> tuple[str, ...]:
    chosen = [e.strip() for e in text.split(",") if e.strip()]
    if unknown := [e for e in chosen if e not in ENGINES]:
        raise argparse.ArgumentTypeError(
            f"no engine {', '.join(unknown)}: choose among {', '.join(ENGINES)}")
    return ("wenhai", *(e for e in ENGINES[1:] if e in chosen))


def main() -> None:
    global QUIET, ENGINES
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", type=article_counts,
                    help="comma-separated article counts (default 10000,100000; 0 for none)")
    ap.add_argument("--long", type=int, default=2000,
                    help="long articles (20,000-480,000 characters) in a corpus of their own "
                    "(default 2000; 0 for none)")
    ap.add_argument("--per-class", type=int, default=55,
                    help=f"queries of each of the {len(CLASSES)} classes (default 55)")
    ap.add_argument("--cached", type=int, default=100,
                    help="queries sent twice to wenhai with its cache on (default 100)")
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--engines", default=",".join(ENGINES), type=engine_list,
                    help="comma-separated engines besides wenhai, which always runs "
                    f"(default {','.join(ENGINES)}): at sizes where an engine takes hours "
                    "to index, leave it out")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--work", type=Path,
                    help="where the indexes go (default: a temporary folder, removed after; "
                    "wenhai's index and archive.db together are ~8x the text)")
    args = ap.parse_args()
    QUIET = args.quiet
    ENGINES = args.engines
    sizes = [n for n in args.sizes if n]
    if min([*sizes, args.long, 1]) < 0 or args.per_class < 1 or args.cached < 0:
        ap.error("sizes and --long must not be negative, --per-class at least 1")
    if not sizes and not args.long:
        ap.error("nothing to measure: give --sizes or --long")

    started = time.perf_counter()
    print(f"queries: {os.cpu_count()} cores; every engine over HTTP on 127.0.0.1, one "
          "request at a time, every query once per limit; every engine indexes the text "
          "wenhai stored\n"
          "  wenhai  `wenhai serve` (waitress), WENHAI_RESULT_CACHE=0: a ranked page with "
          "facets, snippets, one result per repost group\n"
          "  stock   jieba ChineseAnalyzer + Whoosh MultifieldParser behind http.server, "
          "facets, queries as typed\n"
          "  tantivy n-grams of 1-2 characters, text and queries normalized as wenhai does, "
          "behind http.server: total and a page of ids and titles\n"
          "  fts5    SQLite FTS5 trigram (LIKE under 3 characters), normalized likewise, "
          "behind http.server: total and a page", flush=True)
    with tempfile.TemporaryDirectory(prefix="wenhai-queries-", dir=args.work) as work:
        corpora = [Corpus(f"scale-{n}", scale.scale_corpus(n, args.seed),
                          Path(work) / f"scale-{n}") for n in sizes]
        if args.long:
            corpora.append(Corpus(f"long-{args.long}", scale.long_corpus(args.long, args.seed),
                                  Path(work) / f"long-{args.long}"))
        for corpus in corpora:  # each corpus's table as soon as it is measured
            report(bench_corpus(corpus, args.per_class, args.cached, args.seed), args.per_class)
            sys.stdout.flush()
    print(f"\nwall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
