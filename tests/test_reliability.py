"""Faults provoked for real: killed ingests, two writers, full disks, damaged indexes.

Each test runs `wenhai` in a subprocess against an archive in tmp_path. The long kill
loop is marked `slow`; CI runs a representative few kills (`WENHAI_KILLS` sets how many).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import select
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Archive
from store.pauses import ENV as PAUSE

from .conftest import SAMPLES

TOPICS = ["港口", "茶叶", "地铁", "图书馆", "法院", "电池", "稻田", "桥梁", "医院", "剧场"]


def wenhai_cmd(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from indexer.cli import main; main()",
            "--home", str(home), *args]


def run(home: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(wenhai_cmd(home, *args), capture_output=True, text=True, **kw)


@contextlib.contextmanager
def held(home: Path, moment: str, *args: str) -> Iterator[subprocess.Popen]:
    """`wenhai ARGS` in a subprocess, held still at `moment` (`store.pauses`) while the
    block runs, then let go and waited for (killed if it does not end in 300 s).

    Synchronised on pipes, never on sleeps: the block starts when the writer says it
    has reached the moment. Its output is in `proc.out` and `proc.err` afterwards.
    """
    reached_r, reached_w = os.pipe()
    resume_r, resume_w = os.pipe()
    proc = subprocess.Popen(wenhai_cmd(home, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, pass_fds=(reached_w, resume_r),
                            env={**os.environ, PAUSE: f"{moment}:{reached_w}:{resume_r}"})
    os.close(reached_w)
    os.close(resume_r)
    try:
        ready, _, _ = select.select([reached_r], [], [], 120)
        said = os.read(reached_r, 64) if ready else b""
        if said != moment.encode():
            proc.kill()
            pytest.fail(f"`wenhai {' '.join(args)}` never reached «{moment}»: "
                        f"{proc.communicate()[1]}")
        yield proc
    finally:
        os.close(reached_r)
        os.close(resume_w)  # lets it go on, unless the block killed it
        try:
            proc.out, proc.err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.out, proc.err = proc.communicate()


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


def _descendants(pid: int) -> list[int]:
    found = _children(pid)
    for child in list(found):
        found += _descendants(child)
    return found


def _is_fork_server(pid: int) -> bool:
    return b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()


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
        # the workers are forked by a fork server, the ingest's child
        started = _descendants(proc.pid)
        servers = [pid for pid in _children(proc.pid) if _is_fork_server(pid)]
        writers = [pid for server in servers for pid in _children(server)]
        assert len(writers) == 2, started
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in started):  # they die with their parent
        assert time.monotonic() < deadline, [
            (pid, Path(f"/proc/{pid}/cmdline").read_bytes()[:80]) for pid in started
            if _running(pid)]
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
    # the first holds still with its articles stored and its index not yet written
    # (was: polled for its lock and hoped it was still running when the second came)
    with held(home, "indexing", "ingest", "-q", str(tmp_path / "many")) as first:
        second = run(home, "ingest", str(SAMPLES / "tea_notes.md"), timeout=60)
        assert first.poll() is None, "the second writer waited for the first instead of leaving"
        assert second.returncode == 1
        assert f"is busy: another wenhai process (pid {first.pid})" in second.stderr
    assert first.returncode == 0, first.err
    assert first.out.startswith("400 added")


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


@pytest.mark.parametrize("command", [("reindex",), ("check", "--repair")])
def test_a_rebuild_that_cannot_write_is_one_line_and_the_old_index_answers(tmp_path, command):
    """A rebuild's segments are written by worker processes (or the writer itself): a
    full disk there was a worker's 76-line traceback."""
    home = tmp_path / "home"
    markers = make_corpus(tmp_path / "files", 150, paragraphs=40)
    assert run(home, "ingest", "-q", str(tmp_path / "files")).returncode == 0
    if command[0] == "check":  # damage the index, so that the repair rebuilds it
        (postings,) = (home / "index").glob("*.text")
        raw = bytearray(postings.read_bytes())
        raw[64] ^= 0x01
        postings.write_bytes(bytes(raw))
    failed = subprocess.run(wenhai_cmd(home, *command), capture_output=True, text=True,
                            preexec_fn=_limit_file_size(64 * 1024))
    assert failed.returncode == 1
    assert failed.stderr.startswith(f"Error: Writing to the archive at {home} failed: a file "
                                    "grew past the size"), failed.stderr
    assert len(failed.stderr.splitlines()) == 1, failed.stderr
    with Archive(home) as archive:
        assert archive.search(markers[7]).total == 1  # the old index still answers
    assert run(home, *command).returncode == 0
    assert run(home, "check").returncode == 0


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
"$@" stats --json | "$4" -c "import json, sys; print('articles', json.load(sys.stdin)['articles'])"
avail=$(df -k --output=avail "$1" | tail -1)
head -c $(( (avail - 512) * 1024 )) /dev/zero > "$1/filler"
echo "--- full"; "$@" ingest -q "$3"; echo "exit $?"
rm "$1/filler"
echo "--- again"; "$@" ingest -q "$3"; echo "exit $?"
"$@" check > /dev/null; echo "check $?"
"$@" stats --json | "$4" -c "import json, sys; print('articles', json.load(sys.stdin)['articles'])"
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
    before, *lines, after = done.stdout.splitlines()
    # Where the disk fills decides whether the failed run had stored the files (then
    # indexed by the rerun, which finds them unchanged) or not (then added by it).
    assert lines[:3] == ["--- full", "exit 1", "--- again"]
    assert lines[3] in ("150 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed",
                        "0 added, 0 updated, 150 unchanged, 0 duplicate, 0 failed")
    assert lines[4:] == ["exit 0", "check 0"]
    assert int(after.split()[1]) == int(before.split()[1]) + 150  # nothing lost
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


def test_a_search_over_a_lagging_index_says_how_many_wait_and_check_fails(tmp_path, client_for):
    home = tmp_path / "home"
    assert run(home, "ingest", "-q", str(SAMPLES)).returncode == 0
    markers = make_corpus(tmp_path / "more", 12)
    with held(home, "indexing", "ingest", "-q", "--jobs", "1", str(tmp_path / "more")) as ingest:
        ingest.kill()  # its articles stored, the index not written: a failed ingest
    searched = run(home, "search", markers[3])
    assert searched.returncode == 0
    assert searched.stdout.startswith(f"0 results for «{markers[3]}»")
    assert searched.stderr == (
        "12 stored articles are not in the search index yet, so no search finds them: run "
        "`wenhai check --repair` to index them (an ingest still running indexes them when "
        "it finishes).\n"
    )
    found = json.loads(run(home, "search", "岩茶", "--json").stdout)
    assert (found["total"], found["unindexed"]) == (1, 12)
    checked = run(home, "check")
    assert checked.returncode == 1
    assert "lag:     12 stored articles are not in the index yet" in checked.stdout
    assert json.loads(run(home, "check", "--json").stdout)["found"]["healthy"] is False

    client = client_for(home)
    page = client.get(f"/search?q={markers[3]}").get_data(as_text=True)
    assert ("文海里另有 12 篇已存入的文章尚未编入索引，任何搜索都找不到它们。请运行 "
            "<code>wenhai check --repair</code>") in page
    api = client.get(f"/api/search?q={markers[3]}").get_json()
    assert (api["total"], api["unindexed"]) == (0, 12) and "wenhai check --repair" in api["notice"]

    assert run(home, "check", "--repair").returncode == 0
    searched = run(home, "search", markers[3])
    assert searched.stdout.startswith(f"1 results for «{markers[3]}»") and searched.stderr == ""
    assert "unindexed-notice" not in client.get(f"/search?q={markers[3]}").get_data(as_text=True)
    assert run(home, "check").returncode == 0


def test_a_killed_repair_leaves_the_damaged_index_answering_and_copies_are_reported(tmp_path):
    home = tmp_path / "home"
    markers = make_corpus(tmp_path / "files", 30, paragraphs=2)
    assert run(home, "ingest", "-q", str(tmp_path / "files")).returncode == 0
    (postings,) = (home / "index").glob("*.text")
    raw = bytearray(postings.read_bytes())
    raw[64] ^= 0x01  # a damaged index that still answers searches
    postings.write_bytes(bytes(raw))

    def total(marker: str) -> int:
        searched = run(home, "search", marker, "--json")
        assert searched.returncode == 0, searched.stderr
        return json.loads(searched.stdout)["total"]

    with held(home, "rebuilding", "check", "--repair", "-q") as repair:
        assert total(markers[4]) == 1  # the damaged index answers while the new one is built
        repair.kill()
    assert total(markers[5]) == 1, "a stopped repair must leave the index that answered"
    stats = json.loads(run(home, "stats", "--json").stdout)
    (copy,) = stats["copies"]
    assert copy["path"] == str(home / "index.new") and copy["bytes"] > 0
    assert copy["what"] == "a rebuild stopped before it finished (or still running)"
    checked = run(home, "check")
    assert checked.returncode == 1 and "fail their checksums" in checked.stdout
    assert f"{home / 'index.new'}  (a rebuild stopped" in checked.stdout

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "文海.txt").write_text("港口新闻\n\n修复中断之后的第一篇。",
                                             encoding="utf-8")
    again = run(home, "ingest", str(tmp_path / "new"))
    assert again.returncode == 0, again.stderr
    assert f"notice: Removed {home / 'index.new'} (" in again.stderr
    assert "left by a rebuild that was stopped." in again.stderr
    assert not (home / "index.new").exists()

    assert run(home, "check", "--repair").returncode == 0
    (damaged,) = home.glob("index.damaged-*")
    stats = run(home, "stats")
    assert "copies:    1 of the index kept beside it" in stats.stdout
    assert f"{damaged}  (set aside when found damaged)" in stats.stdout
    assert "`wenhai prune`" in stats.stdout
    assert run(home, "check").returncode == 0  # kept copies are reported, not faults
    size = sum(f.stat().st_size for f in damaged.rglob("*") if f.is_file())
    pruned = run(home, "prune")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout == (f"removed {damaged} ({size / 1e6:.1f} MB)\n"
                             f"freed {size / 1e6:.1f} MB\n")
    assert not damaged.exists() and json.loads(run(home, "stats", "--json").stdout)["copies"] == []
    assert run(home, "prune").stdout == f"no damaged copies of the index in {home}\n"
    assert total(markers[6]) == 1 and total("修复中断") == 1


def test_a_kept_archive_moves_to_the_index_a_repair_swapped_in(tmp_path):
    home = tmp_path / "home"
    markers = make_corpus(tmp_path / "files", 12, paragraphs=2)
    assert run(home, "ingest", "-q", str(tmp_path / "files")).returncode == 0
    (postings,) = (home / "index").glob("*.text")
    raw = bytearray(postings.read_bytes())
    raw[64] ^= 0x01
    postings.write_bytes(bytes(raw))
    with Archive(home) as kept:  # as a server keeps it
        assert kept.search(markers[2]).total == 1 and kept.check().index_damaged
        assert run(home, "check", "--repair").returncode == 0
        # The new index's first commit has the number the damaged one had: only the
        # folder tells them apart.
        assert kept.check().healthy, "a kept archive went on reading the damaged copy"
        assert kept.search(markers[2]).total == 1
