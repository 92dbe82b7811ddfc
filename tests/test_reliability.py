"""Faults provoked for real: killed ingests, two writers, full disks, damaged indexes.

Each test runs `wenhai` in a subprocess against an archive in tmp_path. The long kill
loop is marked `slow`; CI runs a representative few kills (`WENHAI_KILLS` sets how many).
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from store import Archive

from .conftest import SAMPLES

TOPICS = ["港口", "茶叶", "地铁", "图书馆", "法院", "电池", "稻田", "桥梁", "医院", "剧场"]


def wenhai_cmd(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from indexer.cli import main; main()",
            "--home", str(home), *args]


def run(home: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(wenhai_cmd(home, *args), capture_output=True, text=True, **kw)


def make_corpus(folder: Path, n: int, *, start: int = 0, paragraphs: int = 6) -> list[str]:
    """`n` articles, each with a unique marker word such as 编号甲0042号; returns the markers."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(n + start)
    markers = []
    for i in range(start, start + n):
        marker = f"编号甲{i:04d}号"
        topic = TOPICS[i % len(TOPICS)]
        body = "\n".join(
            f"{topic}的第{p}段报道：{rng.choice(TOPICS)}和{rng.choice(TOPICS)}的消息，"
            f"记者现场采访了{rng.randint(2, 90)}位市民。"
            for p in range(paragraphs)
        )
        (folder / f"{i:04d}.txt").write_text(f"{topic}新闻{i}\n\n{marker}。\n{body}\n",
                                             encoding="utf-8")
        markers.append(marker)
    return markers


def assert_consistent(home: Path) -> None:
    """SQLite intact; every stored article is in the index or marked pending."""
    if not (home / "archive.db").exists():
        return
    conn = sqlite3.connect(home / "archive.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    result = run(home, "check", "--json")
    found = json.loads(result.stdout)["found"] if result.stdout.strip() else None
    assert found is not None, result.stderr
    if found["index_problem"] is None:
        assert found["missing"] == [] and found["stale"] == [], found
        assert found["extra"] == [], found


def kill_loop(tmp_path: Path, kills: int) -> None:
    home = tmp_path / "home"
    # Big enough that a full ingest takes several seconds, so kills land mid-run:
    # while reading, while storing, and during the Whoosh commit.
    markers = make_corpus(tmp_path / "files", 300, paragraphs=80)
    rng = random.Random(7)
    for _ in range(kills):
        proc = subprocess.Popen(wenhai_cmd(home, "ingest", "-q", str(tmp_path / "files")),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_consistent(home)
    final = run(home, "ingest", "-q", str(tmp_path / "files"))
    assert final.returncode == 0, final.stderr
    check = run(home, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    with Archive(home) as archive:
        assert archive.stats()["articles"] == 300
        for marker in rng.sample(markers, 25):
            assert archive.search(marker).total == 1, marker


def test_killed_ingest_loses_nothing_and_a_rerun_completes(tmp_path):
    kill_loop(tmp_path, int(os.environ.get("WENHAI_KILLS", "4")))


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_killed_while_workers_write_segments_loses_nothing(tmp_path, monkeypatch):
    from indexer.ingest import ingest
    from store.engine import workers

    home, files = tmp_path / "home", tmp_path / "files"
    markers = make_corpus(files, workers.PARALLEL_MIN + 100, paragraphs=30)
    # Store every article without indexing it: the next run goes straight to a sync
    # large enough for worker processes.
    monkeypatch.setattr(Archive, "sync_index", lambda self, progress=None: 0)
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [files])
    monkeypatch.undo()
    proc = subprocess.Popen(wenhai_cmd(home, "ingest", "-q", "--jobs", "2", str(files)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # A worker's temporary folder appears when it starts writing: then both workers
        # are analysing and writing (polled, not slept on: since indexing got faster, a
        # fixed wait sometimes outlasted them).
        deadline = time.monotonic() + 60
        while not [d for d in (home / "index").glob("*.tmp-*")
                   if d.name != f"MAIN.tmp-{proc.pid}"]:
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.005)
        writers = _children(proc.pid)
        assert len(writers) == 2
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in writers):  # they die with their parent
        assert time.monotonic() < deadline, "a worker outlived its parent"
        time.sleep(0.05)
    assert_consistent(home)

    final = run(home, "ingest", "-q", "--jobs", "2", str(files))
    assert final.returncode == 0, final.stderr
    assert run(home, "check").returncode == 0
    assert not list((home / "index").glob("*.tmp-*"))
    with Archive(home) as archive:
        assert archive.check().indexed == len(markers)
        for marker in random.Random(3).sample(markers, 20):
            assert archive.search(marker).total == 1, marker


@pytest.mark.slow
def test_killed_ingest_many_times(tmp_path):
    kill_loop(tmp_path, 30)


def test_second_writer_is_turned_away_while_the_first_finishes(tmp_path):
    home = tmp_path / "home"
    make_corpus(tmp_path / "many", 400)
    first = subprocess.Popen(wenhai_cmd(home, "ingest", "-q", str(tmp_path / "many")),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait until the first holds the lock (its pid is written into write.lock).
        lock = home / "write.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = run(home, "ingest", str(SAMPLES / "tea_notes.md"), timeout=60)
        assert first.poll() is None, "the second writer waited for the first instead of leaving"
        assert second.returncode == 1
        assert f"is busy: another wenhai process (pid {first.pid})" in second.stderr
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert out.startswith("400 added")


def test_readers_keep_answering_during_ingest_and_see_new_articles(tmp_path):
    home = tmp_path / "home"
    assert run(home, "ingest", str(SAMPLES)).returncode == 0
    markers = make_corpus(tmp_path / "more", 300)
    server = subprocess.Popen(wenhai_cmd(home, "serve", "--port", "0"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline() and server.stdout.readline().split()[2]
        writer = subprocess.Popen(wenhai_cmd(home, "ingest", "-q", str(tmp_path / "more")),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        statuses = []
        while writer.poll() is None and len(statuses) < 2000:
            with urllib.request.urlopen(url + "api/search?q=%E6%B8%AF%E5%8F%A3") as r:  # 港口
                statuses.append(r.status)
        writer.communicate(timeout=300)
        assert writer.returncode == 0
        assert statuses and set(statuses) == {200}
        with urllib.request.urlopen(url + "api/search?q=" + urllib.request.quote(markers[-1])) as r:
            assert json.load(r)["total"] == 1
    finally:
        server.terminate()
        server.communicate(timeout=10)


def _limit_file_size(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_stops_ingest_cleanly_and_a_rerun_completes(tmp_path):
    home = tmp_path / "home"
    assert run(home, "ingest", str(SAMPLES)).returncode == 0
    make_corpus(tmp_path / "big", 150, paragraphs=40)
    size = (home / "archive.db").stat().st_size
    full = subprocess.run(
        wenhai_cmd(home, "ingest", "-q", str(tmp_path / "big")), capture_output=True, text=True,
        preexec_fn=_limit_file_size(size + 256 * 1024),
    )
    assert full.returncode == 1
    assert "Writing to the archive at" in full.stderr and "Free some disk space" in full.stderr
    assert_consistent(home)
    with Archive(home) as archive:
        assert archive.search("碳纤维机盖").total == 1  # the old index still answers
    again = run(home, "ingest", "-q", str(tmp_path / "big"))
    assert again.returncode == 0, again.stderr
    assert run(home, "check").returncode == 0
    with Archive(home) as archive:
        assert archive.stats()["articles"] == 7 + 150


@pytest.mark.parametrize("margin", [0, 16 * 1024])
def test_a_write_failing_inside_a_file_reports_the_failure_not_the_savepoint(tmp_path, margin):
    """A failed write can roll SQLite's whole transaction back: the report must be the
    failure, not "no such savepoint: store_file" from undoing what is already undone."""
    home = tmp_path / "home"
    assert run(home, "ingest", str(SAMPLES)).returncode == 0
    make_corpus(tmp_path / "big", 150, paragraphs=40)
    size = (home / "archive.db").stat().st_size
    full = subprocess.run(
        wenhai_cmd(home, "ingest", "-q", "-j", "1", str(tmp_path / "big")), capture_output=True,
        text=True, preexec_fn=_limit_file_size(size + margin),
    )
    assert full.returncode == 1
    assert full.stderr.startswith(f"Error: Writing to the archive at {home} failed")
    assert "savepoint" not in full.stderr and len(full.stderr.splitlines()) == 1
    assert_consistent(home)
    assert run(home, "ingest", "-q", str(tmp_path / "big")).returncode == 0


_FULL_DISK = """
set -u
mount -t tmpfs -o size=16m none "$1" || exit 99
"$@" ingest -q "$2" > /dev/null || exit 98
avail=$(df -k --output=avail "$1" | tail -1)
head -c $(( (avail - 512) * 1024 )) /dev/zero > "$1/filler"
echo "--- full"; "$@" ingest -q "$3"; echo "exit $?"
rm "$1/filler"
echo "--- again"; "$@" ingest -q "$3"; echo "exit $?"
"$@" check > /dev/null; echo "check $?"
"""


def test_a_full_disk_says_no_space_left_on_device_and_a_rerun_completes(tmp_path):
    """A real ENOSPC: a 16 MB tmpfs in a private mount namespace (`unshare -rm`, no root
    needed where user namespaces are allowed), filled to 512 KB short."""
    mount = tmp_path / "disk"
    mount.mkdir()
    make_corpus(tmp_path / "big", 150, paragraphs=40)
    home = mount / "home"
    script = _FULL_DISK.replace('"$@"', '"$4" -c "from indexer.cli import main; main()" '
                                        f'--home {home}')
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", script, "sh", str(mount), str(SAMPLES),
             str(tmp_path / "big"), sys.executable],
            capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
    except FileNotFoundError:
        pytest.skip("no unshare(1) here")
    if done.returncode in (99,) or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "--- full", "exit 1",
        "--- again", "150 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed", "exit 0",
        "check 0",
    ]
    assert done.stderr == (
        f"Error: Writing to the archive at {home} failed: no space left on device. Nothing "
        "stored so far is lost and searches still use the last complete index. Free some disk "
        "space (or fix the disk), then run the same command again to finish.\n")


def test_damaged_index_is_detected_set_aside_and_rebuilt(tmp_path):
    home = tmp_path / "home"
    assert run(home, "ingest", str(SAMPLES)).returncode == 0
    for seg in (home / "index").glob("*.seg"):
        seg.write_bytes(b"\0" * 64)
    searched = run(home, "search", "岩茶")
    assert searched.returncode == 1
    assert "is damaged" in searched.stderr and "wenhai check --repair" in searched.stderr
    again = run(home, "ingest", str(SAMPLES))
    assert again.returncode == 0, again.stderr
    assert "was damaged" in again.stderr and "index.damaged-" in again.stderr
    assert list(home.glob("index.damaged-*")), "the damaged index must be kept, not deleted"
    assert json.loads(run(home, "search", "岩茶", "--json").stdout)["total"] == 1


def test_check_finds_and_repairs_missing_extra_and_stale_documents(tmp_path):
    from store.engine.folder import open_index

    home = tmp_path / "home"
    assert run(home, "ingest", str(SAMPLES)).returncode == 0
    ix = open_index(home / "index")
    with ix.writer() as w:
        w.delete_by_term("id", "1")
        w.add_document(id="999", hash="x", body_g="幽灵文章")
        w.update_document(id="2", hash="stale", body_g="旧内容")
    ix.close()
    found = run(home, "check", "--json")
    assert found.returncode == 1
    report = json.loads(found.stdout)["found"]
    assert (report["missing"], report["extra"], report["stale"]) == ([1], [999], [2])
    repaired = run(home, "check", "--repair")
    assert repaired.returncode == 0 and "repaired" in repaired.stdout
    assert run(home, "check").returncode == 0
    assert json.loads(run(home, "search", "幽灵文章", "--json").stdout)["total"] == 0


def test_many_ingests_keep_the_index_at_a_few_segments(tmp_path):
    from store.engine import folder, merging

    home = tmp_path / "home"
    for batch in range(9):
        make_corpus(tmp_path / f"batch{batch}", 20, start=batch * 20)
        with Archive(home) as archive, archive.writing():
            from indexer.ingest import ingest

            ingest(archive, [tmp_path / f"batch{batch}"])
    ix = folder.open_index(home / "index")
    try:
        # Merged four of a size at a time: 80 + 80 + the last ingest's 20, not nine of 20.
        assert len(ix._segments()) < merging.FAN_IN
    finally:
        ix.close()
    with Archive(home) as archive:
        assert archive.search("编号甲0005号").total == 1
        assert archive.search("编号甲0179号").total == 1
        assert archive.stats()["articles"] == 180
    assert run(home, "check").returncode == 0
