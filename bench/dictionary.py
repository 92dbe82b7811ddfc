"""The user dictionary on a real archive: `dict suggest`'s time and memory, and what
`dict add` of its best candidate costs (articles segmented again, seconds).

    python bench/dictionary.py HOME [--sample CHARS]

Runs each command as its own process (as a user does) and reads its peak RSS from
the kernel; the archive is left with the word added, then removed again.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wenhai(home: Path, *args: str) -> tuple[str, float, float]:
    """(stdout, seconds, peak RSS in MB) of one `wenhai` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(home),
         *args], capture_output=True, text=True, check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: meaningful when it grows
    return done.stdout, seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--sample", type=int, default=2_000_000)
    args = parser.parse_args()
    out, seconds, rss = wenhai(args.home, "dict", "suggest", "--limit", "20", "-q",
                               "--sample", str(args.sample))
    print(f"dict suggest --sample {args.sample}: {seconds:.1f} s, peak RSS {rss:.0f} MB")
    print(out)
    best = out.split("\t", 1)[0]
    out, seconds, _ = wenhai(args.home, "dict", "add", best, "-q")
    print(f"dict add {best}: {seconds:.1f} s — {out.strip().splitlines()[-1]}")
    out, seconds, _ = wenhai(args.home, "dict", "remove", best, "-q")
    print(f"dict remove {best}: {seconds:.1f} s — {out.strip().splitlines()[-1]}")
    wenhai(args.home, "check")
    print("check: clean")


if __name__ == "__main__":
    main()
