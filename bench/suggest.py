"""Suggestions as you type: latency over HTTP and in process, and how well pinyin finds names.

    python bench/suggest.py --home HOME [--targets 400] [--seed 29]

On an archive that exists (say, `wenhai ingest bench/data/scale-10000`, built by
scale.py from real text), against `wenhai serve`:

* **latency**: `--targets` things a user might be typing, drawn at random from the
  archive itself — an author, a source, a frequent word or a title, in Chinese
  characters (a title from anywhere inside it, as the box finds titles that contain what
  is typed), in full pinyin or in initials — and every prefix of each, as the box asks
  while they are typed (雷, 雷军; l, le, lei, …, leijun), shuffled and sent to
  `/api/suggest` once each; p50 / p95 / p99 / max in milliseconds per kind of input, and
  the same in process (`Archive.suggestions`, without HTTP);
* **pinyin shares**: for every author and source with a Chinese name, whether its full
  pinyin, and its initials, put it among the suggestions (at most 8). Its initials are
  counted apart where more than 8 names share them exactly (those cannot all be in the
  first 8: lj is 雷军, 李娟, 刘杰, 卢军 …). The readings are pypinyin's with wenhai's
  surname rule (`store/text/pinyin.py`); what is measured is that typing them finds
  the name, among everything else the archive offers.

Results on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speed import WENHAI, get_json, pct, serving  # noqa: E402

from store import Archive, is_cjk  # noqa: E402
from store.text.pinyin import spell  # noqa: E402

LIMIT = 8


def targets(db: sqlite3.Connection, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind of input, text typed) for `n` random names, words and titles, each typed in
    characters, full pinyin or initials."""
    rows = db.execute("SELECT kind, value FROM suggestions").fetchall()
    by_kind: dict[str, list[str]] = {}
    for kind, value in rows:
        if any(map(is_cjk, value)):
            by_kind.setdefault(kind, []).append(value)
    kinds = sorted(by_kind)
    chosen = []
    for _ in range(n):
        kind = rng.choice(kinds)
        value = rng.choice(by_kind[kind])
        way = rng.choice(("characters", "pinyin", "initials"))
        if way == "characters":
            start = rng.randrange(len(value)) if kind == "title" else 0
            typed = value[start : start + rng.randint(1, 6)]
        else:
            spelled = spell(value, person=kind == "author")
            typed = spelled.pinyin if way == "pinyin" else spelled.initials
        if typed:
            chosen.append((way, typed))
    return chosen


def prefixes(typed: str) -> list[str]:
    return [typed[:i] for i in range(1, len(typed) + 1)]


def latency(url: str, home: Path, asked: list[tuple[str, str]]) -> None:
    http: dict[str, list[float]] = {}
    local: dict[str, list[float]] = {}
    first, _ = get_json(f"{url}/api/suggest?q=%E7%83%AD")  # opens the table and the index
    for way, q in asked:
        ms, _ = get_json(f"{url}/api/suggest?{urllib.parse.urlencode({'q': q})}")
        http.setdefault(way, []).append(ms)
    with Archive(home) as archive:
        archive.suggestions("热身")  # open the index and the dictionary first
        for way, q in asked:
            started = time.perf_counter()
            archive.suggestions(q, LIMIT)
            local.setdefault(way, []).append((time.perf_counter() - started) * 1000)
    print(f"first request after the server's start: {first:.1f} ms")
    print(f"{len(asked)} requests, each a prefix of what a user types, in ms")
    print(f"{'':<28}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'n':>7}")
    for label, found in (("HTTP /api/suggest", http), ("in process", local)):
        for way in sorted(found) + ["all"]:
            ms = sorted(sum(found.values(), []) if way == "all" else found[way])
            print(f"{label + ' ' + way:<28}{pct(ms, .5):>8.1f}{pct(ms, .95):>8.1f}"
                  f"{pct(ms, .99):>8.1f}{ms[-1]:>8.1f}{len(ms):>7}")


def shares(home: Path) -> None:
    with Archive(home) as archive:
        rows = archive.db.execute(
            "SELECT kind, value, initials FROM suggestions WHERE kind IN ('author', 'source') "
            "ORDER BY kind, value").fetchall()
        sharing: dict[str, int] = {}
        for (initials,) in archive.db.execute(
                "SELECT initials FROM suggestions WHERE kind IN ('author', 'source', 'tag')"):
            sharing[initials] = sharing.get(initials, 0) + 1
        counts = {"pinyin": [0, 0], "initials": [0, 0], "initials, unambiguous": [0, 0]}
        missed: dict[str, list[str]] = {name: [] for name in counts}
        for kind, value, initials in rows:
            if not any(map(is_cjk, value)):
                continue
            spelled = spell(value, person=kind == "author")
            for way, typed in (("pinyin", spelled.pinyin), ("initials", spelled.initials)):
                found = (kind, value) in [(s.kind, s.text) for s in archive.suggestions(typed)]
                ways = [way] + (["initials, unambiguous"]
                                if way == "initials" and sharing[initials] <= LIMIT else [])
                for name in ways:
                    counts[name][0] += found
                    counts[name][1] += 1
                    if not found:
                        missed[name].append(f"{value} ({typed})")
    print(f"\npinyin shares: authors and sources with a Chinese name among the first {LIMIT}")
    for name, (hit, total) in counts.items():
        share = hit / total if total else float("nan")
        print(f"  {name:<24}{hit:>6} / {total:<6}{share:.3f}")
        if missed[name]:
            print(f"    missed: {', '.join(missed[name][:12])}"
                  + (" …" if len(missed[name]) > 12 else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True, help="a wenhai archive home")
    ap.add_argument("--targets", type=int, default=400)
    ap.add_argument("--seed", type=int, default=29)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with Archive(args.home) as archive:
        articles = archive.counts()["articles"]
        names = targets(archive.db, args.targets, rng)
    asked = [(way, p) for way, typed in names for p in prefixes(typed)]
    rng.shuffle(asked)
    print(f"archive: {args.home} ({articles:,} articles)")
    print(f"measuring {len(asked)} prefixes of {len(names)} targets", file=sys.stderr)
    with serving(WENHAI + ["--home", str(args.home), "serve", "--port", "0"]) as (url, _):
        latency(url, args.home, asked)
    shares(args.home)


if __name__ == "__main__":
    main()
