"""Memory of `wenhai watch` over many file events: does a watch that runs for days grow?

    python bench/watch_memory.py [--events 10000] [--files 250]

Starts `wenhai watch --prune` over an empty folder and a fresh archive, then drives
rounds of file events through it: `--files` articles written (created, modified,
closed), renamed (moved) and deleted, each step waited for on the watch's own batch
lines. The events are counted by a watchdog observer of this process on the same
folder, as the watch receives them. The watch's resident memory (VmRSS) is printed
when it starts watching and after every `--events` events, twice over: a watch that
keeps something per event grows between the two.

Results go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

ROOT = Path(__file__).resolve().parent.parent
BATCH = re.compile(r"^\d\d:\d\d:\d\d (\d+) added, (\d+) updated, (\d+) unchanged, "
                   r"(\d+) duplicate, (\d+) failed(?:, (\d+) moved)?(?:; (\d+) files? gone)?")
TEXT = ("标题：第{n}篇\n\n" + "港口的无人集卡在夜里穿梭，码头的效率提升了两成。\n" * 10
        + "编号{n}的文章到此结束。\n")


class Counter(FileSystemEventHandler):
    """Counts the events a watch receives (those it does not ignore)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def on_any_event(self, event):
        if event.event_type not in ("opened", "closed_no_write"):
            with self.lock:
                self.count += 1


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Watch:
    def __init__(self, home: Path, folder: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(home),
             "watch", str(folder), "--prune", "--quiet-seconds", "0.3"],
            stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: queue.SimpleQueue = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._read)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self) -> str:
        line = self.lines.get(timeout=600)
        if line is None:
            raise RuntimeError("wenhai watch ended")
        return line

    def until(self, column: int, total: int) -> None:
        """Read batch lines until their counts in `column` add up to `total`."""
        seen = 0
        while seen < total:
            line = self.line()
            found = BATCH.match(line)
            if not found:
                raise RuntimeError(f"unexpected line: {line}")
            seen += int(found.group(column) or 0)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=600)
        self.reader.join()
        self.proc.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=250)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wenhai-watch-") as tmp:
        folder, home = Path(tmp) / "文章", Path(tmp) / "home"
        folder.mkdir()
        counter = Counter()
        observer = Observer()
        observer.schedule(counter, str(folder), recursive=True)
        observer.start()
        watch = Watch(home, folder)
        try:
            watch.line()  # the catch-up batch
            assert watch.line().startswith("watching ")
            print(f"start: RSS {rss_mb(watch.proc.pid):.1f} MB")
            n = 0
            for goal in (args.events, 2 * args.events):
                while counter.count < goal:
                    names = [folder / f"{n + i}.txt" for i in range(args.files)]
                    for i, path in enumerate(names):
                        path.write_text(TEXT.format(n=n + i), encoding="utf-8")
                    watch.until(1, len(names))  # added
                    for path in names:
                        path.rename(path.with_suffix(".md"))
                    watch.until(6, len(names))  # moved
                    for path in names:
                        path.with_suffix(".md").unlink()
                    watch.until(7, len(names))  # gone, their articles removed
                    n += args.files
                    print(f"  {counter.count:,} events", file=sys.stderr)
                print(f"after {counter.count:,} events ({n:,} files written, moved and "
                      f"deleted): RSS {rss_mb(watch.proc.pid):.1f} MB")
        finally:
            watch.close()
            observer.stop()
            observer.join()


if __name__ == "__main__":
    main()
