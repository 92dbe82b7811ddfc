"""Speed at scale: wenhai against stock jieba + Whoosh, side by side, at several sizes.

    python bench/speed.py [--sizes 10000,100000] [--rounds 5] [--seed 1998]
                          [--stock-up-to 100000]

For each size N it builds (once, under bench/data/scale-N/) N articles of real paragraphs
under real titles (see scale.py), then for each engine:

* ingests the folder in a subprocess of its own, timed, with that process's peak RSS
  (from `os.wait4`, so one run's peak never hides behind another's) and, on Linux, the
  peak summed PSS of it and its worker processes (sampled every 0.2 s; PSS counts pages
  a forked worker shares with its parent once);
* measures the index on disk against the text size (wenhai also keeps archive.db: the
  clean text, the original bytes and metadata, reported on its own line);
* runs `wenhai ingest` again over the unchanged folder (the baseline has no re-run mode);
* starts the engine's HTTP server (`wenhai serve --port 0`; `baseline.py serve`) and sends
  a fixed mixed query set from this process over 127.0.0.1: round 1 is cold (the first
  request follows the server's start-up), rounds 2.. are warm.

Results go to stdout, progress to stderr. Growth is largest size ÷ smallest size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: `wenhai` from this checkout, whatever the virtualenv's editable install points at.
WENHAI = [sys.executable, "-c",
          f"import sys; sys.path.insert(0, {str(ROOT)!r}); from indexer.cli import main; main()"]
BASELINE = [sys.executable, str(BENCH / "baseline.py")]

#: (label, API parameters): the kinds of query a reader sends, each answered with facets.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("word 市场", {"q": "市场"}),
    ("word 改革", {"q": "改革"}),
    ("word 科技", {"q": "科技"}),
    ("2 chars 际广", {"q": "际广"}),
    ("3 chars 济发展", {"q": "济发展"}),
    ("4 chars 民代表大", {"q": "民代表大"}),
    ("6 chars 国际广播电台", {"q": "国际广播电台"}),
    ("words 中国 经济 发展", {"q": "中国 经济 发展"}),
    ("words 北京 记者 报道", {"q": "北京 记者 报道"}),
    ('phrase "改革开放"', {"q": '"改革开放"'}),
    ('phrase "人民代表大会"', {"q": '"人民代表大会"'}),
    ("filter 经济 source=人民日报", {"q": "经济", "source": "人民日报"}),
    ("facets: common 中国", {"q": "中国"}),
    ("page 5 of 发展", {"q": "发展", "page": "5"}),
]
#: Requests go to 127.0.0.1 directly, never through a proxy from the environment.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Run:
    seconds: float
    peak_mb: float
    stdout: str
    #: Peak of the summed proportional set size of the process and its children (Linux).
    tree_mb: float | None = None


def _pss_mb(pid: int) -> float:
    """A process's proportional set size: pages shared with its forked workers count once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return found


class TreeMemory:
    """Samples the summed PSS of a process tree every 0.2 s; `peak` is None off Linux."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if Path(f"/proc/{pid}/smaps_rollup").exists():
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            total = sum(_pss_mb(p) for p in _descendants(self.pid))
            self.peak = max(self.peak or 0.0, total)

    def stop(self) -> float | None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak


@dataclass
class Latency:
    startup_s: float
    first_ms: float
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def warm_all(self) -> list[float]:
        return [ms for times in self.warm_ms.values() for ms in times]


def run_measured(cmd: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """Run `cmd` to the end; its wall time and its own peak RSS (not this process's).

    `ok` lists the exit codes that are results, not errors (`wenhai ingest` exits 1 when
    a file failed and stores the rest)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        memory = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        tree_mb = memory.stop()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                             f"{out.read().decode(errors='replace')[-2000:]}"
                             f"{err.read().decode(errors='replace')[-2000:]}")
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode(), tree_mb)


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def get_json(url: str) -> tuple[float, dict]:
    """One GET: milliseconds until the whole body arrived, and the parsed answer."""
    started = time.perf_counter()
    with _HTTP.open(url, timeout=600) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, json.loads(body)


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str] | None = None) -> Iterator[tuple[str, float]]:
    """Start the server `cmd` (with `env` added to this environment) and wait until it
    prints where it listens; yields its base URL and the seconds that took, then stops it."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                env={**os.environ, **env} if env else None)
        try:
            url = None
            for line in proc.stdout:
                if m := re.search(r"Serving on (http://\S+?)/", line):
                    url = m.group(1)
                    break
            if url is None:
                err.seek(0)
                raise SystemExit(f"{' '.join(cmd)} did not start:\n{err.read().decode()[-2000:]}")
            yield url, time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait()


def measure_server(cmd: list[str], rounds: int) -> Latency:
    """Start the server, send every query `rounds` times, stop it; round 1 is cold."""
    with serving(cmd) as (url, startup_s):
        latency = Latency(startup_s=startup_s, first_ms=0.0)
        for r in range(rounds):
            for label, params in QUERIES:
                ms, answer = get_json(f"{url}/api/search?{urllib.parse.urlencode(params)}")
                if r == 0:
                    latency.first_ms = latency.first_ms or ms
                    latency.cold_ms.append(ms)
                    latency.totals[label] = answer["total"]
                else:
                    latency.warm_ms.setdefault(label, []).append(ms)
        return latency


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_size(n: int, rounds: int, seed: int, work: Path, stock: bool = True) -> dict[str, dict]:
    """Every figure for one size, for both engines: {"wenhai": {...}, "stock": {...}}
    (the stock engine's left empty unless `stock`)."""
    folder = scale.scale_corpus(n, seed)
    files = scale.text_files(folder)
    text_mb = sum(f.stat().st_size for f in files) / 1e6
    home, stock_ix = work / f"wenhai-{n}", work / f"stock-{n}"
    figures: dict[str, dict] = {"wenhai": {}, "stock": {}, "text_mb": text_mb}
    print(f"[{n}] {len(files)} files, {text_mb:.1f} MB: wenhai ingest…",
          file=sys.stderr, flush=True)
    ingest = WENHAI + ["--home", str(home), "ingest", str(folder)]
    first = run_measured(ingest, ok=(0, 1))
    print(f"[{n}] wenhai: {first.stdout.strip()}; again…", file=sys.stderr, flush=True)
    if not (summary := re.search(r"(\d+) failed", first.stdout)):
        raise SystemExit(f"wenhai ingest printed no summary: {first.stdout[-2000:]}")
    figures["wenhai"]["failed"] = int(summary.group(1))
    again = run_measured(ingest, ok=(0, 1))
    runs = [("wenhai", first)]
    if stock:
        print(f"[{n}] stock ingest…", file=sys.stderr, flush=True)
        runs.append(("stock", run_measured(BASELINE + ["ingest", str(stock_ix), str(folder)])))
    for name, run in runs:
        figures[name].update(seconds=run.seconds, mb_s=text_mb / run.seconds,
                             articles_s=n / run.seconds, rss_mb=run.peak_mb,
                             tree_mb=run.tree_mb)
    figures["wenhai"]["rerun_s"] = again.seconds
    figures["wenhai"]["index_ratio"] = dir_bytes(home / "index") / (text_mb * 1e6)
    figures["wenhai"]["db_ratio"] = sum(
        f.stat().st_size for f in home.glob("archive.db*")) / (text_mb * 1e6)
    servers = [("wenhai", WENHAI + ["--home", str(home), "serve", "--port", "0"])]
    if stock:
        figures["stock"]["index_ratio"] = dir_bytes(stock_ix) / (text_mb * 1e6)
        servers.append(("stock", BASELINE + ["serve", str(stock_ix), "--port", "0"]))
    for name, cmd in servers:
        print(f"[{n}] {name} queries…", file=sys.stderr, flush=True)
        figures[name]["latency"] = measure_server(cmd, rounds)
    return figures


# -- report ---------------------------------------------------------------------

ROWS: list[tuple[str, str, str]] = [
    # (label, figure key, format)
    ("ingest, seconds", "seconds", ".1f"),
    ("files wenhai refused", "failed", "d"),
    ("ingest, MB/s", "mb_s", ".2f"),
    ("ingest, articles/s", "articles_s", ".0f"),
    ("ingest peak RSS, MB", "rss_mb", ".0f"),
    ("  all processes (PSS), MB", "tree_mb", ".0f"),
    ("index size / text size", "index_ratio", ".2f"),
    ("archive.db / text size", "db_ratio", ".2f"),
    ("re-ingest unchanged, s", "rerun_s", ".2f"),
    ("server start-up, s", "startup_s", ".2f"),
    ("first query after start, ms", "first_ms", ".1f"),
    ("cold round p50, ms", "cold_p50", ".1f"),
    ("cold round p95, ms", "cold_p95", ".1f"),
    ("cold round max, ms", "cold_max", ".1f"),
    ("warm p50, ms", "warm_p50", ".1f"),
    ("warm p95, ms", "warm_p95", ".1f"),
    ("warm max, ms", "warm_max", ".1f"),
]


def flatten(engine: dict) -> dict[str, float]:
    """Latency percentiles next to the ingest figures, under the keys ROWS names."""
    flat = {k: v for k, v in engine.items() if k != "latency"}
    lat: Latency | None = engine.get("latency")
    if lat is None:  # not run at this size
        return flat
    flat.update(startup_s=lat.startup_s, first_ms=lat.first_ms)
    for name, values in (("cold", lat.cold_ms), ("warm", lat.warm_all)):
        flat.update({f"{name}_p50": pct(values, 0.5), f"{name}_p95": pct(values, 0.95),
                     f"{name}_max": max(values)})
    return flat


def pad(label: str, width: int = 30) -> str:
    """`label` left-aligned in `width` terminal columns: a CJK character takes two."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)
    return label + " " * max(0, width - shown)


def cell(value: float | None, fmt: str, width: int = 9) -> str:
    return f"{'–' if value is None else format(value, fmt):>{width}}"


def report(results: dict[int, dict], rounds: int) -> None:
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    flat = {n: {e: flatten(results[n][e]) for e in ("wenhai", "stock")} for n in sizes}
    growth = len(sizes) > 1
    head = f"{'':<30}" + "".join(f"{f'{n:,} articles':>18}" for n in sizes)
    sub = f"{'':<30}" + f"{'wenhai':>9}{'stock':>9}" * len(sizes)
    if growth:
        head += f"{f'growth ×{large / small:g}':>18}"
        sub += f"{'wenhai':>9}{'stock':>9}"
    print(head)
    print(sub)
    print(f"{'text, MB':<30}" + "".join(f"{results[n]['text_mb']:>18.1f}" for n in sizes))
    for label, key, fmt in ROWS:
        line = pad(label)
        for n in sizes:
            line += "".join(cell(flat[n][e].get(key), fmt) for e in ("wenhai", "stock"))
        if growth:
            for e in ("wenhai", "stock"):
                a, b = flat[small][e].get(key), flat[large][e].get(key)
                line += cell(b / a if a and b is not None else None, ".2f")
        print(line)

    print(f"\nwarm median per query, ms (rounds 2–{rounds}), and matches at {large:,}")
    print(f"{'':<30}" + "".join(f"{f'{n:,}':>18}" for n in sizes) + f"{'matches':>18}")
    print(f"{'':<30}" + f"{'wenhai':>9}{'stock':>9}" * (len(sizes) + 1))
    for label, _ in QUERIES:
        line = pad(label)
        for n in sizes:
            line += "".join(cell(statistics.median(lat.warm_ms[label]) if lat else None, ".1f")
                            for e in ("wenhai", "stock")
                            for lat in [results[n][e].get("latency")])
        line += "".join(f"{lat.totals[label] if lat else '–':>9}" for e in ("wenhai", "stock")
                        for lat in [results[large][e].get("latency")])
        print(line)


def article_counts(text: str) -> list[int]:
    """`--sizes 2000,10000` as [2000, 10000] (an argparse type)."""
    try:
        return sorted({int(s) for s in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give article counts separated by commas, e.g. 2000,10000") from None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", type=article_counts,
                    help="comma-separated article counts (default 10000,100000)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="times each query is sent; the first is cold (default 5)")
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--stock-up-to", type=int, default=None, metavar="N",
                    help="run the stock engine only at sizes up to N articles (default: every "
                    "size; its ingest takes about half an hour per 100,000 here)")
    ap.add_argument("--work", type=Path,
                    help="where the archives go (default: a temporary folder, removed after; "
                    "wenhai's index is ~30-40× the text, so at 100,000 articles give a roomy disk)")
    args = ap.parse_args()
    sizes = args.sizes
    if args.rounds < 2 or min(sizes) < 1:
        ap.error("--rounds must be at least 2 and every size at least 1")

    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="wenhai-speed-", dir=args.work) as work:
        for n in sizes:
            stock = args.stock_up_to is None or n <= args.stock_up_to
            results[n] = bench_size(n, args.rounds, args.seed, Path(work), stock)
    print(f"speed: {os.cpu_count()} cores; {len(QUERIES)} queries × {args.rounds} rounds "
          f"over HTTP on 127.0.0.1 per engine and size, 10 hits a page with facets; "
          f"round 1 cold (first request right after start-up), rounds 2–{args.rounds} warm")
    print("stock = jieba ChineseAnalyzer + Whoosh MultifieldParser behind http.server "
          "(no snippets, no stored body, no incremental re-run)\n")
    report(results, args.rounds)


if __name__ == "__main__":
    main()
