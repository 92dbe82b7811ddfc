"""The whole path at a million articles: every figure a user meets, at each size in one
run, with the growth from the smallest size to the largest.

    python bench/million.py [--sizes 100000,1000000] [--per-class 55] [--rounds 3]
                            [--stock-up-to 100000] [--work DIR] [--keep]

For each size N (articles of real paragraphs under real titles, `scale.scale_corpus`):

1. `speed.bench_size`: `wenhai ingest` timed, with its own peak RSS and the peak summed
   PSS of it and its workers; the re-run over the unchanged folder; the server's
   start-up, its first query and speed.py's fixed queries (the stock engine too, at
   sizes up to --stock-up-to);
2. the home's bytes per component (`footprint.footprint`), beside the text;
3. queries.py's random uncached queries (--per-class of each class, drawn from what
   wenhai stored, each sent once at limit=10 and once at limit=100, WENHAI_RESULT_CACHE=0)
   over HTTP, and their recall against a scan of every stored text.

The archives are built under --work (a temporary folder unless given) and removed
after unless --keep. At 1,000,000 articles the text is ~4.4 GB and the archive about
five times that: give a roomy disk. It runs for hours. Results on stdout (also as JSON
to --json FILE), progress on stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import footprint  # noqa: E402
import queries  # noqa: E402
import scale  # noqa: E402
import speed  # noqa: E402
from queryset import draw  # noqa: E402

#: footprint rows shown, by the start of their name (the rest go to --json).
COMPONENTS = ("home (everything)", "archive.db (+ -wal, -shm)", "index/")


def random_queries(n: int, seed: int, per_class: int, work: Path) -> dict:
    """Random uncached queries over HTTP at size `n`, on the home speed.bench_size built."""
    corpus = queries.Corpus(f"scale-{n}", scale.scale_corpus(n, seed), work / f"queries-{n}")
    home = corpus.index("wenhai")
    if not home.exists():
        home.symlink_to(work / f"wenhai-{n}")
    texts = queries.dump_records(home, corpus.records)
    asked = draw(texts, per_class, seed, lambda m: queries.progress(f"[{n}] {m}"))
    # The texts go while the server answers: at a million articles they are 11 GB of this
    # process, memory the page cache would otherwise give the index (the run at 4c31b1f
    # kept them and measured the index read from disk). They are read again for the truth.
    del texts
    gc.collect()
    figures = queries.Figures()
    queries.measure_latency("wenhai", corpus, asked, figures)
    texts = queries.dump_records(home, corpus.records)
    queries.score("wenhai", corpus, texts, asked, figures)
    corpus.records.unlink()
    spreads = {limit: queries.spread(queries.of_class(ms, "all"))
               for limit, ms in figures.ms.items()}
    recall = [r for values in figures.recall.values() for r in values]
    return {"queries": len(asked), "errors": figures.errors, "ms": spreads,
            "recall_min_class": min(sum(v) / len(v) for v in figures.recall.values()),
            "recall": sum(recall) / len(recall),
            "per_class_p95": {cls: queries.pct(ms, 0.95) for cls, ms in figures.ms[10].items()}}


def measure(n: int, args: argparse.Namespace, work: Path) -> dict:
    stock = args.stock_up_to is None or n <= args.stock_up_to
    started = time.perf_counter()
    figures = speed.bench_size(n, args.rounds, args.seed, work, stock)
    # the text the footprint is measured against: bench_size summed its files already
    figures["footprint"] = footprint.footprint(work / f"wenhai-{n}",
                                               round(figures["text_mb"] * 1e6))
    figures["random"] = random_queries(n, args.seed, args.per_class, work)
    figures["wall_s"] = time.perf_counter() - started
    return figures


def report(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    growth = len(sizes) > 1

    def line(label: str, values: list[float | None], fmt: str) -> None:
        cells = [speed.cell(v, fmt, 14) for v in values]
        if growth:
            a, b = values[0], values[-1]
            cells.append(speed.cell(b / a if a and b is not None else None, ".2f", 14))
        print(speed.pad(label, 36) + "".join(cells))

    print(speed.pad("", 36) + "".join(f"{f'{n:,}':>14}" for n in sizes)
          + (f"{f'growth ×{large / small:.3g}':>16}" if growth else ""))
    line("text, MB", [results[n]["text_mb"] for n in sizes], ".1f")
    flat = {n: speed.flatten(results[n]["wenhai"]) for n in sizes}
    for label, key, fmt in speed.ROWS:
        line(label, [flat[n].get(key) for n in sizes], fmt)
    for name in COMPONENTS:
        rows = {n: {r["component"]: r["bytes"] for r in results[n]["footprint"]["rows"]}
                for n in sizes}
        line(f"{name}, MB", [rows[n].get(name, 0) / 1e6 for n in sizes], ".1f")
        line(f"{name} / text", [rows[n].get(name, 0) / results[n]["footprint"]["text_bytes"]
                                for n in sizes], ".2f")
    for limit in queries.LIMITS:
        for i, stat in enumerate(("p50", "p95", "p99", "max")):
            line(f"random uncached {stat}, limit={limit}, ms",
                 [results[n]["random"]["ms"][limit][i] for n in sizes], ".1f")
    line("random queries sent (per limit)", [results[n]["random"]["queries"] for n in sizes],
         "d")
    line("failed requests", [results[n]["random"]["errors"] for n in sizes], "d")
    line("recall, mean of queries", [results[n]["random"]["recall"] for n in sizes], ".3f")
    line("recall, worst class", [results[n]["random"]["recall_min_class"] for n in sizes],
         ".3f")
    print("\nrandom uncached p95 per class at limit=10, ms")
    for cls in results[large]["random"]["per_class_p95"]:
        line(f"  {cls}", [results[n]["random"]["per_class_p95"].get(cls) for n in sizes], ".1f")
    stock = [n for n in sizes if results[n]["stock"]]
    if stock:
        print(f"\nstock jieba + Whoosh at {', '.join(f'{n:,}' for n in stock)} "
              "(`bench/speed.py` prints it side by side):")
        for n in stock:
            s = speed.flatten(results[n]["stock"])
            print(f"  {n:,}: ingest {s['seconds']:.1f} s, {s['mb_s']:.2f} MB/s, "
                  f"peak PSS {s.get('tree_mb') or 0:.0f} MB, index/text {s['index_ratio']:.2f}, "
                  f"warm p95 {s['warm_p95']:.1f} ms")
    print("\nwall time per size, s: " + ", ".join(f"{n:,}: {results[n]['wall_s']:.0f}"
                                               for n in sizes))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", type=speed.article_counts,
                    help="comma-separated article counts (default 100000,1000000)")
    ap.add_argument("--per-class", type=int, default=55,
                    help="random queries of each class (default 55)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="times each fixed query is sent; the first is cold (default 3)")
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--stock-up-to", type=int, default=100_000, metavar="N",
                    help="run the stock engine only at sizes up to N (default 100000; 0 never)")
    ap.add_argument("--work", type=Path, help="where the archives go (default: a new "
                    "temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the archives after")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    args = ap.parse_args()
    if args.rounds < 2 or args.per_class < 1:
        ap.error("--rounds must be at least 2 and --per-class at least 1")
    queries.QUIET = False
    queries.ENGINES = ("wenhai",)
    work = Path(tempfile.mkdtemp(prefix="wenhai-million-", dir=args.work))
    print(f"million: {os.cpu_count()} cores; archives in {work}", file=sys.stderr, flush=True)
    results: dict[int, dict] = {}
    try:
        for n in sorted(args.sizes):
            results[n] = measure(n, args, work)
            if args.json:  # what is measured survives a later size's failure
                args.json.write_text(json.dumps(results, default=vars, ensure_ascii=False,
                                                indent=1))
            print(f"[{n}] measured in {results[n]['wall_s']:.0f} s", file=sys.stderr,
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"million: {os.cpu_count()} cores; `wenhai serve` over HTTP on 127.0.0.1, one "
          "request at a time; fixed queries as speed.py sends them, random ones as "
          "queries.py draws them (each once per limit, result cache off)\n")
    report(results)


if __name__ == "__main__":
    main()
