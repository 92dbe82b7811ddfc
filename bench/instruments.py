"""The researcher's instruments on an archive that exists: concordance pages, timelines,
browsing, trends and a concordance export, timed in process.

    python bench/instruments.py --home HOME [--rounds 7]

Each figure is the median and the worst of `--rounds` runs, in milliseconds of wall
clock, then the median processor time of this process (the work, which other processes
on a busy machine do not inflate), after one run to load the index (the result cache is
cleared before each timeline and browse, and the searcher's kept occurrences before each
concordance and trends, so they are computed, not looked up). The export streams every
line of a common word's concordance, and the results download of the same word every
article, and reports their time, size and how much the process's peak memory grew (it
must not grow with the number of lines). Results on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import Archive, export  # noqa: E402
from store.search import cache  # noqa: E402

KWIC = ["的", "中国", "经济发展", "碳纤维"]
TRENDS = "中国,经济,发展,改革,的,足球"
EXPORT = "中国"
#: The median processor time of each `timed` figure: the work itself, which a machine
#: busy with other processes does not inflate as it does the wall-clock times.
CPU: list[float] = []


def timed(work, rounds: int, archive: Archive | None = None,
          clear: bool = False) -> tuple[float, float, object]:
    took, used = [], []
    for _ in range(rounds):
        if clear:
            cache.results.clear()
        if archive is not None:  # the searcher's kept occurrences: measure the work
            archive._searcher()._occurrences.clear()
        start, cpu = time.perf_counter(), time.process_time()
        found = work()
        took.append((time.perf_counter() - start) * 1000)
        used.append((time.process_time() - cpu) * 1000)
    CPU.append(statistics.median(used))
    return statistics.median(took), max(took), found


def row(label: str, median: float, worst: float, note: str = "") -> None:
    print(f"{label:<30} {median:7.1f} {worst:7.1f} {CPU[-1]:7.1f}   {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with Archive(args.home) as archive:
        print(f"loading {args.home} …", file=sys.stderr)
        archive.search("热身")
        print(f"{archive.counts()['articles']} articles; ms: median, worst of {args.rounds}, "
              "median cpu")
        for text in KWIC:
            median, worst, found = timed(lambda t=text: archive.kwic(t, per_page=50),
                                         args.rounds, archive)
            row(f"kwic first page {text}", median, worst,
                f"{found.total} occurrences in {found.articles} articles")
        median, worst, found = timed(lambda: archive.kwic("的", page=200, per_page=50),
                                     args.rounds, archive)
        row("kwic page 200 的", median, worst)
        median, worst, found = timed(lambda: archive.kwic("的", page=2, per_page=50),
                                     args.rounds)
        row("kwic next page 的", median, worst, "occurrences kept")
        median, worst, found = timed(lambda: archive.timeline("的"), args.rounds,
                                     clear=True)
        row("timeline 的", median, worst, f"{len(found.bins)} bins by {found.by}")
        median, worst, found = timed(lambda: archive.browse(), args.rounds, clear=True)
        row("browse, page 1", median, worst, f"{found.total} listed")
        for measure in ("articles", "occurrences"):
            median, worst, found = timed(lambda m=measure: archive.trends(TRENDS, measure=m),
                                         args.rounds, archive)
            row(f"trends, 6 terms, {measure}", median, worst)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        start, lines, size = time.perf_counter(), -1, 0
        for chunk in archive.concordance(EXPORT).export("text", "csv"):
            lines += 1
            size += len(chunk.encode("utf-8"))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"kwic export {EXPORT}: {lines} lines, {size / 2**20:.1f} MB of CSV in "
              f"{time.perf_counter() - start:.1f} s; peak memory {before} → {after} MB")
        start, rows, size = time.perf_counter(), -1, 0
        ids = archive.matching_ids(EXPORT, reposts="one")
        for chunk in export.chunks(archive.read(ids), "csv"):
            rows += 1
            size += len(chunk.encode("utf-8"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"results download {EXPORT}: {rows} articles, {size / 2**20:.1f} MB of CSV in "
              f"{time.perf_counter() - start:.1f} s; peak memory {after} → {peak} MB")


if __name__ == "__main__":
    main()
