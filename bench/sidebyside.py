"""Two checkouts of wenhai measured in one run, alternately, on the same files: ingest
throughput and the random uncached query latency of issue 17's benchmark.

    python bench/sidebyside.py --before /work/main --after . --folder bench/data/inews
                               [--rounds 3] [--per-class 30] [--seed 1998]

On a shared machine a figure from one run cannot be compared with one from another;
here each round ingests FOLDER with each checkout in turn (the order swapped every
round), then serves each archive with its result cache off (WENHAI_RESULT_CACHE=0) and
sends every query of one seeded set (queryset.draw, every class of `bench/queries.py`)
once with limit=10 and once with limit=100, one at a time, to both servers running side
by side, each request to one and then the other (`--reuse`: no ingest, the archives of an
earlier run in --work). Prints
per checkout the median ingest time and MB/s over the rounds and p50/p95/p99/max over
every request of every round, then the ratios after / before. Progress on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from queries import CACHE_OFF, LIMITS, WARM_UP, ask, dump_records  # noqa: E402
from queryset import draw  # noqa: E402
from speed import pct, serving  # noqa: E402


def wenhai(checkout: Path) -> list[str]:
    """`wenhai` from `checkout`, whatever the virtualenv's editable install points at, in
    its worker processes too: they are started in the checkout (the current folder
    comes first on their path), with it on PYTHONPATH. Paths given must be absolute."""
    return ["env", f"PYTHONPATH={checkout}", sys.executable, "-c",
            f"import os, sys; os.chdir({str(checkout)!r}); sys.path.insert(0, {str(checkout)!r}); "
            "from indexer.cli import main; main()"]


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Run `cmd` to the end: wall seconds, processor seconds of the process (what a busy
    machine's other work changes least; the indexing workers, children of
    multiprocessing's fork server, are not counted), stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {out[-2000:]}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, out


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
    ap.add_argument("--no-latency", action="store_true", help="measure the ingests only")
    ap.add_argument("--reuse", action="store_true",
                    help="no ingest: measure the latency of the archives in --work")
    args = ap.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="sidebyside-"))).resolve()
    args.folder = args.folder.resolve()
    builds = {"before": args.before.resolve(), "after": args.after.resolve()}
    text_mb = sum(p.stat().st_size for p in args.folder.rglob("*") if p.is_file()) / 1e6
    seconds: dict[str, list[float]] = {b: [] for b in builds}
    cpu: dict[str, list[float]] = {b: [] for b in builds}
    homes: dict[str, Path] = {}
    for r in range(0 if args.reuse else args.rounds):
        order = list(builds) if r % 2 == 0 else list(reversed(builds))
        for build in order:
            home = work / f"{build}-{r}"
            wall, used, out = timed([*wenhai(builds[build]), "--home", str(home), "ingest",
                                     "-q", str(args.folder)])
            seconds[build].append(wall)
            cpu[build].append(used)
            homes.setdefault(build, home)
            made = {p.name for p in (home / "index").glob("*.text")}
            progress(f"round {r + 1}: {build} ingest {wall:.1f} s, processor {used:.1f} s "
                     f"({out.strip()}; {len(made)} segments)")
    if args.no_latency:
        report(args, text_mb, seconds, cpu, None, None)
        return
    if args.reuse:
        homes = {b: work / f"{b}-0" for b in builds}
    texts = dump_records(homes["after"], work / "records.jsonl")
    queries = draw(texts, args.per_class, args.seed, progress)
    # The texts go before the servers answer: at a million articles they are 11 GB of
    # this process, memory the page cache would otherwise give the index (as million.py).
    del texts
    gc.collect()
    (work / "records.jsonl").unlink()
    # Both servers at once, each request to one then the other (the order swapped every
    # request): a busy moment of the machine falls on both alike.
    times: dict[str, list[float]] = {b: [] for b in builds}
    by_limit: dict[tuple[str, int], list[float]] = {(b, n): [] for b in builds for n in LIMITS}
    errors = dict.fromkeys(builds, 0)
    with contextlib.ExitStack() as stack:
        urls = {b: stack.enter_context(serving(
            [*wenhai(builds[b]), "--home", str(homes[b]), "serve", "--port", "0"],
            CACHE_OFF))[0] for b in builds}
        for url in urls.values():
            for q in WARM_UP:
                ask(url, {"q": q, "limit": "10"})
        n = 0
        for r in range(args.rounds):
            started = time.perf_counter()
            for limit in LIMITS:
                for query in queries:
                    order = list(builds) if n % 2 == 0 else list(reversed(builds))
                    n += 1
                    for build in order:
                        ms, answer = ask(urls[build], query.params(limit))
                        times[build].append(ms)
                        by_limit[build, limit].append(ms)
                        errors[build] += answer is None
            progress(f"round {r + 1}: {2 * len(queries)} queries to each in "
                     f"{time.perf_counter() - started:.1f} s")
    report(args, text_mb, seconds, cpu, times, errors, by_limit)


def report(args, text_mb: float, seconds: dict, cpu: dict, times: dict | None,
           errors: dict | None, by_limit: dict | None = None) -> None:
    queries = f"; {len(times['after']) // args.rounds} requests per round, result cache off" \
        if times else ""
    print(f"{args.folder}: {text_mb:.1f} MB; {args.rounds} rounds, alternately{queries}")
    ingested = all(seconds.values())
    rows: dict[str, list[float]] = {b: [] for b in seconds}
    labels = ["ingest s (median)", "ingest MB/s", "ingest processor s (median)"] if ingested else []
    for build in seconds:
        if ingested:
            ingest_s = pct(seconds[build], 0.5)
            rows[build] = [ingest_s, text_mb / ingest_s, pct(cpu[build], 0.5)]
        if times:
            for t in [times[build], *(by_limit[build, n] for n in LIMITS)]:
                rows[build] += [pct(t, 0.5), pct(t, 0.95), pct(t, 0.99), max(t)]
    if times:
        for what in ["", *(f", limit={n}" for n in LIMITS)]:
            labels += [f"{stat} ms{what}" for stat in ("p50", "p95", "p99", "max")]
    print(f"{'':28}{'before':>10}{'after':>10}{'after/before':>14}")
    for i, label in enumerate(labels):
        b, a = rows["before"][i], rows["after"][i]
        print(f"{label:28}{b:10.2f}{a:10.2f}{a / b:14.3f}")
    for name, values in (("ingest seconds", seconds), ("processor seconds", cpu)):
        print(f"{name} per round: " + "; ".join(
            f"{b} " + ", ".join(f"{s:.1f}" for s in values[b]) for b in values))
    if errors is not None:
        print(f"requests answered with an error: {errors}")


if __name__ == "__main__":
    main()
