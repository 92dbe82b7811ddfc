"""Peak memory of ingesting one huge file: a single line of Chinese, 50 MB by default.

    python bench/ingest_memory.py [--mb 50] [--trace]

Issue 27 asks that no process take more than 10 × the largest file's size. The file is
generated (seeded, so every run reads the same bytes) under bench/data/, then
`wenhai ingest` runs in a subprocess of its own over a fresh archive, and its peak RSS
is read from `os.wait4` (the rusage of that child and the children it waited for, so
one run's peak never hides behind another's). A run over a one-line file gives the
fixed cost of the interpreter and its libraries, printed beside it.

`--trace` also reads the one-line file in this process under tracemalloc and prints
the peak of Python's allocations in each step: where the memory goes.

Results go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"

_WORDS = ("港口", "茶叶", "地铁", "图书馆", "法院", "电池", "稻田", "桥梁", "医院", "剧场",
          "市民", "记者", "报道", "工程", "方案", "公布", "维修", "预计", "持续", "开放")


def long_line(mb: int, lines: bool = False) -> Path:
    """A file of `mb` MB of Chinese sentences: one line, no newline, or with `lines` a
    paragraph every 1,000 sentences (built once).

    Written a chunk at a time: this process forks the measured one, and a child's peak
    RSS starts from its parent's size at the fork (Linux keeps the high-water mark
    across exec), so this process must stay small."""
    path = DATA / f"long-{'lines' if lines else 'line'}-{mb}mb.txt"
    size = mb * 1_000_000
    if path.exists() and path.stat().st_size == size:
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(27)
    sentences = ["".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))) + "。"
                 for _ in range(5000)]
    written = 0
    with path.open("wb") as f:
        while written < size:
            chunk = "".join(rng.choice(sentences) for _ in range(1000)).encode()
            chunk += b"\n" if lines else b""
            if written + len(chunk) > size:  # end on a whole character, padded with spaces
                chunk = chunk[:size - written].decode("utf-8", "ignore").encode()
                chunk += b" " * (size - written - len(chunk))
            f.write(chunk)
            written += len(chunk)
    return path


def ingest_peak(path: Path, *args: str) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, summary line) of `wenhai ingest path` in a fresh archive."""
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        cmd = [sys.executable, "-c", "from indexer.cli import main; main()", "--home", home,
               "ingest", "-q", *args, str(path)]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)  # reaps it, with its own peak
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
        return usage.ru_maxrss / 1024, seconds, out.read().decode().strip()


def trace(path: Path) -> None:
    """Python's allocations at their peak in each step of reading `path`, in this process
    (tracemalloc: what Python allocates, not SQLite or the index's arrays)."""
    import hashlib
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    from indexer import files
    from indexer.reading import parse
    from store import Archive

    size = path.stat().st_size
    tracemalloc.start()
    steps = []

    def step(name: str) -> None:
        steps.append((name, *tracemalloc.get_traced_memory()))
        tracemalloc.reset_peak()

    data = files.read_bounded(path, str(path), size)
    step("read the bytes")
    hashlib.sha256(data).hexdigest()
    step("hash them")
    parsed = parse(data, str(path))
    step("decode, parse, clean (parse)")
    Archive.prepare(parsed.articles[0])
    step("content hash and repost sketch")
    tracemalloc.stop()
    print(f"\ntracemalloc, reading {path.name} in this process:")
    for name, current, peak in steps:
        print(f"  {name:32s} peak {peak / 1e6:6.0f} MB ({peak / size:.1f} × the file), "
              f"{current / 1e6:.0f} MB kept")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mb", type=int, default=50, help="size of the generated files in MB")
    ap.add_argument("--trace", action="store_true", help="also trace allocations in-process")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.txt"
        small.write_text("一行字的文章，只为量出进程本身的内存。\n", encoding="utf-8")
        base, base_s, _ = ingest_peak(small)
    print("peak RSS of `wenhai ingest`, one process (--jobs 1 is the same for one file); "
          "the limit is 10 × the file")
    print(f"  {'a one-line file':34s} {base:6.0f} MB  {base_s:5.1f} s   (the fixed cost)")
    for lines in (False, True):
        big = long_line(args.mb, lines)
        size = big.stat().st_size / 1e6
        what = f"{size:.0f} MB, {'paragraphs' if lines else 'one line'} of Chinese"
        print(f"generated {big} ({what})", file=sys.stderr)
        peak, seconds, summary = ingest_peak(big, "--max-size", str(args.mb + 1))
        assert summary.startswith("1 added"), summary
        print(f"  {what:34s} {peak:6.0f} MB  {seconds:5.1f} s   = {peak / size:.1f} × the file "
              f"({(peak - base) / size:.1f} × above the fixed cost)")
    if args.trace:
        trace(long_line(args.mb))


if __name__ == "__main__":
    main()
