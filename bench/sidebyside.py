"""Two checkouts of wenhai measured in one run, alternately, on the same files: ingest
throughput and the random uncached query latency of issue 17's benchmark.

    python bench/sidebyside.py --before /work/main --after . --folder bench/data/inews
                               [--rounds 3] [--per-class 30] [--seed 1998]

On a shared machine a figure from one run cannot be compared with one from another;
here each round ingests FOLDER with each checkout in turn (the order swapped every
round), then serves each archive with its result cache off (WENHAI_RESULT_CACHE=0) and
sends every query of one seeded set (queryset.draw, every class of `bench/queries.py`)
once with limit=10 and once with limit=100, one at a time, again alternately. Prints
per checkout the median ingest time and MB/s over the rounds and p50/p95/p99/max over
every request of every round, then the ratios after / before. Progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from queries import CACHE_OFF, LIMITS, WARM_UP, ask, dump_records  # noqa: E402
from queryset import draw  # noqa: E402
from speed import pct, run_measured, serving  # noqa: E402


def wenhai(checkout: Path) -> list[str]:
    """`wenhai` from `checkout`, whatever the virtualenv's editable install points at, in
    its worker processes too: they are started in the checkout (the current folder
    comes first on their path), with it on PYTHONPATH. Paths given must be absolute."""
    return ["env", f"PYTHONPATH={checkout}", sys.executable, "-c",
            f"import os, sys; os.chdir({str(checkout)!r}); sys.path.insert(0, {str(checkout)!r}); "
            "from indexer.cli import main; main()"]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", type=Path, required=True, help="the checkout before")
    ap.add_argument("--after", type=Path, required=True, help="the checkout after")
    ap.add_argument("--folder", type=Path, required=True, help="the files to ingest")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--per-class", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--work", type=Path, help="where the archives go (a temporary folder)")
    args = ap.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="sidebyside-"))).resolve()
    args.folder = args.folder.resolve()
    builds = {"before": args.before.resolve(), "after": args.after.resolve()}
    text_mb = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file()) / 1e6
    seconds: dict[str, list[float]] = {b: [] for b in builds}
    homes: dict[str, Path] = {}
    for r in range(args.rounds):
        order = list(builds) if r % 2 == 0 else list(reversed(builds))
        for build in order:
            home = work / f"{build}-{r}"
            run = run_measured([*wenhai(builds[build]), "--home", str(home), "ingest", "-q",
                                str(args.folder)], ok=(0, 1))
            seconds[build].append(run.seconds)
            homes.setdefault(build, home)
            made = {p.name for p in (home / "index").glob("*.text")}
            progress(f"round {r + 1}: {build} ingest {run.seconds:.1f} s "
                     f"({run.stdout.strip()}; {len(made)} segments)")
    texts = dump_records(homes["after"], work / "records.jsonl")
    queries = draw(texts, args.per_class, args.seed, progress)
    times: dict[str, list[float]] = {b: [] for b in builds}
    errors = dict.fromkeys(builds, 0)
    for r in range(args.rounds):
        order = list(builds) if r % 2 == 0 else list(reversed(builds))
        for build in order:
            cmd = [*wenhai(builds[build]), "--home", str(homes[build]), "serve", "--port", "0"]
            with serving(cmd, CACHE_OFF) as (url, _):
                for q in WARM_UP:
                    ask(url, {"q": q, "limit": "10"})
                started = time.perf_counter()
                for limit in LIMITS:
                    for query in queries:
                        ms, answer = ask(url, query.params(limit))
                        times[build].append(ms)
                        errors[build] += answer is None
            progress(f"round {r + 1}: {build} {2 * len(queries)} queries in "
                     f"{time.perf_counter() - started:.1f} s")
    print(f"{args.folder}: {text_mb:.1f} MB; {args.rounds} rounds, alternately; "
          f"{len(queries)} queries x limits {LIMITS} per round, result cache off")
    rows = {}
    for build in builds:
        ingest_s = pct(seconds[build], 0.5)
        t = times[build]
        rows[build] = [ingest_s, text_mb / ingest_s, pct(t, 0.5), pct(t, 0.95), pct(t, 0.99),
                       max(t)]
    labels = ["ingest s (median)", "ingest MB/s", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    print(f"{'':22}{'before':>10}{'after':>10}{'after/before':>14}")
    for i, label in enumerate(labels):
        b, a = rows["before"][i], rows["after"][i]
        print(f"{label:22}{b:10.2f}{a:10.2f}{a / b:14.3f}")
    print("ingest seconds per round: " + "; ".join(
        f"{b} " + ", ".join(f"{s:.1f}" for s in seconds[b]) for b in builds))
    print(f"requests answered with an error: {errors}")


if __name__ == "__main__":
    main()
