"""Search latency over HTTP on archives that already exist, wenhai and stock side by side.

    python bench/latency.py --wenhai HOME [--stock INDEX] [--rounds 5]

`speed.py` builds its archives in a temporary folder and measures them once; this
measures existing ones again (say, after a change to the search code, on the
100,000-article archive that took an hour to build) with the same query set, the same
servers and the same cold/warm rounds. Each query is also timed uncached: wenhai
caches answers per index generation, so warm rounds are cache hits, and the uncached
figure (a query no one asked since the last commit) is what a new query costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import BASELINE, QUERIES, WENHAI, measure_server, pad, pct  # noqa: E402


def uncached(home: Path, rounds: int) -> dict[str, float]:
    """Best of `rounds` per query, in milliseconds, answered by a fresh search each time."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from store import Archive, Filters
    from store.search import cache

    best: dict[str, float] = {}
    with Archive(home) as archive:
        archive.search("热身")  # load the dictionary and the index first
        for _ in range(rounds):
            for label, params in QUERIES:
                cache.results.clear()
                result = archive.search(params["q"], page=int(params.get("page", 1)),
                                        filters=Filters(source=params.get("source")))
                best[label] = min(best.get(label, float("inf")), result.seconds * 1000)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wenhai", type=Path, required=True, help="a wenhai archive home")
    ap.add_argument("--stock", type=Path, help="an index built by `baseline.py ingest`")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    engines = {"wenhai": WENHAI + ["--home", str(args.wenhai), "serve", "--port", "0"]}
    if args.stock:
        engines["stock"] = BASELINE + ["serve", str(args.stock), "--port", "0"]
    lat = {name: measure_server(cmd, args.rounds) for name, cmd in engines.items()}
    plain = uncached(args.wenhai, 3)
    names = list(engines)
    print(f"{'':<30}" + "".join(f"{n:>9}" for n in names))
    rows = [("server start-up, s", lambda t: t.startup_s, ".2f"),
            ("first query after start, ms", lambda t: t.first_ms, ".1f"),
            ("cold round p50, ms", lambda t: pct(t.cold_ms, 0.5), ".1f"),
            ("cold round p95, ms", lambda t: pct(t.cold_ms, 0.95), ".1f"),
            ("cold round max, ms", lambda t: max(t.cold_ms), ".1f"),
            ("warm p50, ms", lambda t: pct(t.warm_all, 0.5), ".1f"),
            ("warm p95, ms", lambda t: pct(t.warm_all, 0.95), ".1f"),
            ("warm max, ms", lambda t: max(t.warm_all), ".1f")]
    for label, get, fmt in rows:
        print(pad(label) + "".join(f"{format(get(lat[n]), fmt):>9}" for n in names))
    values = sorted(plain.values())
    print(pad("wenhai uncached p50 / p95, ms")
          + f"{pct(values, 0.5):>9.1f}{pct(values, 0.95):>9.1f}")
    print("\nper query, ms: warm median (HTTP) per engine, wenhai uncached (in process), matches")
    for label, _params in QUERIES:
        line = pad(label)
        line += "".join(f"{statistics.median(lat[n].warm_ms[label]):>9.1f}" for n in names)
        line += f"{plain[label]:>9.1f}"
        line += "".join(f"{lat[n].totals[label]:>9}" for n in names)
        print(line)


if __name__ == "__main__":
    main()
