"""The cluster backend beside the embedded index: the same corpus, the same queries.

    python bench/cluster.py [--articles 10000] [--per-class 20] [--shards 2] [--seed 1998]

Starts a local cluster (`wenhai cluster start`: Debian's Sphinx 2.2.11, N shards and an
aggregator on 127.0.0.1) in a temporary folder and stops it at the end. Then, on N
articles of real paragraphs (scale.scale_corpus):

1. `wenhai ingest` into an archive with its own index, and into one with
   `--cluster`, each in a subprocess, timed: ingest MB/s of text, and index size over
   text size (the embedded `index/`; the shards' data folders);
2. the query classes of `queryset.py` (--per-class each, seeded, uncached: both servers
   run with WENHAI_RESULT_CACHE=0, and the cluster backend caches nothing), sent to
   `wenhai serve` and `wenhai --cluster … serve` over HTTP one at a time, once with
   limit=10 and once with limit=100: p50/p95/p99/max per backend;
3. every match of every query asked in process (`Archive.matching_ids`) and scored
   against the truth (every article whose normalized text holds every part of the
   query, a scan): recall per class, and how many queries' match sets differ between
   the backends;
4. each query's page as the API asks it (`Archive.search`, 10 a page), in process:
   how many answers differ from the embedded index's in total or facets, how many are
   partial, and which the engine decides whole (`store.cluster.decided`: counted,
   faceted and paged by the aggregator) rather than from candidates checked against
   the stored text — per class, with each class's p50/p95 over HTTP.

Beside `queryset.py`'s classes, one of its own, `digits/latin`: a quoted string of whole
runs of digits or Latin letters of a sentence with up to two Chinese characters on
each side (`"iphone 15"`, `"2024年3"`), whose truth is every article holding it with
its numbers and words whole, as wenhai matches them (15 is not in 150).

Results on stdout, progress on stderr. Needs `searchd` and PyMySQL (`wenhai[cluster]`).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import queries  # noqa: E402
import scale  # noqa: E402
from queryset import CLASSES, Query, draw  # noqa: E402
from speed import WENHAI, dir_bytes, pad, run_measured  # noqa: E402

from store import Archive, Filters, QueryError  # noqa: E402
from store.cluster import decided, local  # noqa: E402
from store.search.query import parse  # noqa: E402

BACKENDS = ("embedded", "cluster")
#: The class of quoted strings with digits or Latin words (see the docstring).
ALNUM = "digits/latin"
#: Runs of digits or letters, Chinese characters and spaces between: one such string.
_ALNUM_PIECE = re.compile(r"(?:[\u4e00-\u9fff]{0,2})(?:[a-z]+|[0-9]+)(?:[ a-z0-9]*[a-z0-9])?"
                          r"(?:[\u4e00-\u9fff]{0,2})")


def alnum_queries(texts, count: int, seed: int) -> list[Query]:
    """`count` distinct `ALNUM` queries cut from the normalized texts."""
    rng = random.Random(seed)
    found: dict[str, Query] = {}
    pieces = [m.group().strip() for t in texts.normalized for m in _ALNUM_PIECE.finditer(t)]
    while len(found) < count and pieces:
        piece = rng.choice(pieces)
        low, high = sorted(rng.sample(range(len(piece) + 1), 2))
        cut = piece[low:high].strip()
        if cut and re.search("[a-z0-9]", cut) and not _splits(piece, low) \
                and not _splits(piece, high):
            found.setdefault(cut, Query(ALNUM, f'"{cut}"'))
    return list(found.values())


def _splits(piece: str, at: int) -> bool:
    """Whether cutting `piece` at `at` parts a run of digits or of letters (2 of 2024)."""
    kind = [re.match("[a-z]|[0-9]", c) and ("a" if c.isalpha() else "0")
            for c in piece[max(0, at - 1) : at + 1]]
    return len(kind) == 2 and at > 0 and kind[0] is not None and kind[0] == kind[1]


def alnum_truth(texts, query) -> frozenset[int]:
    """Every article whose normalized title and body hold the string, its numbers and
    words whole (no digit around a number, no letter around a word), spaces between."""
    pattern = re.compile(r"[ \t]*".join(
        (f"(?<![a-z]){u}(?![a-z])" if u[0].isalpha() and u.isascii() else
         f"(?<![0-9]){u}(?![0-9])" if u.isdigit() else re.escape(u))
        for u in re.findall(r"[a-z]+|[0-9]+|[^\sa-z0-9]", query.q.strip('"'))))
    return frozenset(i for i, t in zip(texts.ids, texts.normalized, strict=True)
                     if pattern.search(t))


def matches(archive: Archive, q: str) -> set[int]:
    try:
        return set(archive.matching_ids(q))
    except QueryError:
        return set()


def engine_decides(query) -> bool:
    """Whether the cluster answers `query` from the engine whole (`decided`), as its
    searcher chooses, the check of the page aside."""
    try:
        parsed = parse(query.q)
    except QueryError:
        return False
    return decided.decides(parsed, Filters(source=query.source)) is not None


def answers_differ(one: Archive, other: Archive, query) -> tuple[bool, bool]:
    """(whether the page's total or facets differ between the backends, whether the
    cluster's answer is partial)."""
    asked = dict(page=query.page, per_page=10, sort=query.sort or "relevance",
                 filters=Filters(source=query.source))
    try:
        mine, theirs = one.search(query.q, **asked), other.search(query.q, **asked)
    except QueryError:
        return False, False
    return (mine.total, mine.facets) != (theirs.total, theirs.facets), theirs.partial


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--per-class", type=int, default=20)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--work", type=Path, help="where the archives and shards go "
                    "(default: a temporary folder, removed after)")
    args = ap.parse_args()
    started = time.perf_counter()
    folder = scale.scale_corpus(args.articles, args.seed)
    with tempfile.TemporaryDirectory(prefix="wenhai-cluster-", dir=args.work) as work:
        work = Path(work)
        corpus = queries.Corpus(f"scale-{args.articles}", folder, work / "corpus")
        shards = work / "shards"
        address = local.start(shards, args.shards)
        try:
            figures = {"embedded": queries.ingest("wenhai", corpus)}
            texts = queries.dump_records(corpus.index("wenhai"), corpus.records)
            home = corpus.index("cluster")
            queries.progress(f"cluster ingest at {address}…")
            run = run_measured(WENHAI + ["--cluster", address, "--home", str(home), "ingest",
                                         "-q", str(folder)], ok=(0, 1))
            figures["cluster"] = queries.Figures(ingest_s=run.seconds,
                                                 index_bytes=dir_bytes(shards))
            asked = draw(texts, args.per_class, args.seed, queries.progress)
            asked += alnum_queries(texts, args.per_class, args.seed)
            queries.measure_latency("wenhai", corpus, asked, figures["embedded"])
            queries.measure_latency(
                "wenhai-cluster", corpus, asked, figures["cluster"],
                WENHAI + ["--cluster", address, "--home", str(home), "serve", "--port", "0"])
            queries.progress("every match of every query, both backends…")
            differ = 0
            answers = {"differ": {}, "partial": {}, "decided": {}}
            source_of = dict(zip(texts.ids, texts.sources, strict=True))
            with Archive(corpus.index("wenhai")) as one, Archive(home, address) as other:
                for query in asked:
                    truth = alnum_truth(texts, query) if query.cls == ALNUM else \
                    texts.truth(query)
                    found = {b: matches(a, query.q) for b, a in zip(BACKENDS, (one, other),
                                                                     strict=True)}
                    differ += found["embedded"] != found["cluster"]
                    wrong, partial = answers_differ(one, other, query)
                    for name, value in (("differ", wrong), ("partial", partial),
                                        ("decided", engine_decides(query))):
                        answers[name].setdefault(query.cls, []).append(value)
                    for backend in BACKENDS:
                        got = found[backend]
                        if query.source:
                            got = {i for i in got if source_of.get(i) == query.source}
                        figures[backend].recall.setdefault(query.cls, []).append(
                            len(got & truth) / len(truth))
        finally:
            local.stop(shards)
        report(figures, texts, asked, differ, answers, args)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")


def report(figures, texts, asked, differ: int, answers, args) -> None:
    text_bytes = sum(len(f"{t}\n{b}".encode()) for t, b in zip(texts.titles, texts.bodies,
                                                                strict=True))
    mb = text_bytes / 1e6
    print(f"scale-{args.articles}: {len(texts.ids):,} articles, {mb:.1f} MB of text; "
          f"{len(asked)} queries ({args.per_class} a class); cluster of {args.shards} shards "
          "(Sphinx 2.2.11) on this machine")
    print(f"{'':<34}" + "".join(f"{b:>12}" for b in BACKENDS))
    rows = [("ingest, MB/s", lambda f: mb / f.ingest_s, ".2f"),
            ("ingest, seconds", lambda f: f.ingest_s, ".1f"),
            ("index size / text size", lambda f: f.index_bytes / text_bytes, ".2f"),
            ("HTTP errors", lambda f: f.errors, "d")]
    for limit in queries.LIMITS:
        for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0)):
            rows.append((f"limit={limit} {name}, ms",
                         lambda f, limit=limit, q=q: queries.pct(
                             queries.of_class(f.ms[limit], "all"), q), ".1f"))
    for label, get, fmt in rows:
        print(pad(label, 34) + "".join(f"{format(get(figures[b]), fmt):>12}" for b in BACKENDS))
    print(f"\nrecall per class (every match, in process); match sets that differ between the "
          f"backends: {differ} of {len(asked)}")
    for cls in (*CLASSES, ALNUM, "all"):
        print(pad(cls, 34) + "".join(
            f"{sum(v) / len(v):>12.3f}" for v in
            (queries.of_class(figures[b].recall, cls) for b in BACKENDS)))
    print("\nper class (limit=10): queries the engine decides whole; pages whose total or "
          "facets differ from the embedded index's; partial answers; p50 and p95 ms of each "
          "backend")
    print(pad("", 14) + "".join(f"{h:>9}" for h in ("decided", "differ", "partial",
                                                       "emb p50", "emb p95", "cl p50",
                                                       "cl p95")))
    for cls in (*CLASSES, ALNUM, "all"):
        counts = [sum(queries.of_class(answers[n], cls)) for n in ("decided", "differ",
                                                                    "partial")]
        times = [queries.pct(queries.of_class(figures[b].ms[10], cls), q)
                 for b in BACKENDS for q in (0.5, 0.95)]
        print(pad(cls, 14) + "".join(f"{c:>9d}" for c in counts)
              + "".join(f"{t:>9.1f}" for t in times))


if __name__ == "__main__":
    main()
