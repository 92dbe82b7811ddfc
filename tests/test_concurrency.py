"""Readers and writers at the same moment, and archives that cannot be written.

A writer is held still at a named moment (`store.pauses`, through `held`) while other
`wenhai` processes run against the same archive: a second writer must be refused at
once, readers must answer at once, whatever the first one holds. Times are measured
against the CLI's own start (`wenhai --help`, which imports as much), so that a busy
machine does not fail them; without the fix each of these waited for the writer's
transaction (SQLite's busy timeout, 30 s) or failed outright.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import SAMPLES
from .test_reliability import held, make_corpus, wenhai_cmd

#: What a process is given before it counts as waiting for the writer. The held writer
#: never lets go while the test runs, so any answer before this proves that nothing waited
#: for it; and it is half SQLite's busy timeout (30 s), so a reader or a second writer
#: stuck on the writer's lock cannot answer in time. How long the answers took is printed
#: (`pytest -s`) but not asserted: on a loaded machine the CLI's own start-up varies by
#: seconds, which says nothing about waiting (issue 20: no timing in unit tests).
WAITING = 15


@pytest.fixture(scope="module")
def start() -> float:
    """Seconds `wenhai` takes to start and do nothing (the best of three)."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(wenhai_cmd(Path("/nonexistent"), "--help"), capture_output=True,
                       check=True)
        times.append(time.perf_counter() - began)
    return min(times)


def timed(home: Path, *args: str, prefix: tuple[str, ...] = ()):
    """(completed `wenhai ARGS`, seconds it took); fails if it waits for a writer."""
    began = time.perf_counter()
    try:
        done = subprocess.run([*prefix, *wenhai_cmd(home, *args)], capture_output=True,
                              text=True, timeout=WAITING)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`wenhai {' '.join(args)}` waited for the writer ({WAITING} s and more)")
    return done, time.perf_counter() - began


def ingested(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    done = subprocess.run(wenhai_cmd(home, "ingest", "-q", str(SAMPLES)), capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return home


def damage_postings(home: Path) -> None:
    """Flip a bit inside a segment's postings: `check` finds it, searches still answer."""
    (path,) = (home / "index").glob("*.text")
    raw = bytearray(path.read_bytes())
    raw[64] ^= 0x01
    path.write_bytes(bytes(raw))


def refused_at_once(home: Path, writer: subprocess.Popen, start: float) -> float:
    second, seconds = timed(home, "ingest", str(SAMPLES / "tea_notes.md"))
    assert second.returncode == 1
    assert second.stderr == (
        f"Error: The archive at {home} is busy: another wenhai process (pid {writer.pid}) "
        "is writing to it. Wait for it to finish, then run this again.\n"
    )
    return seconds


WRITERS = {
    # The ingest's transaction of up to 1,000 files, open.
    "ingest storing": ("storing", "ingest", "-q", "--jobs", "1"),
    # Storing done and committed; the index committed, the store being told so.
    "ingest marking": ("marking", "ingest", "-q", "--jobs", "1"),
    "reindex marking": ("marking", "reindex", "-q", "--jobs", "1"),
    "check --repair marking": ("marking", "check", "--repair", "-q"),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_second_writer_is_refused_at_once_and_readers_answer(writer, tmp_path, start):
    home = ingested(tmp_path)
    moment, *args = WRITERS[writer]
    if args[0] == "ingest":
        make_corpus(tmp_path / "files", 20)
        args.append(str(tmp_path / "files"))
    elif args[0] == "check":
        damage_postings(home)
    with held(home, moment, *args) as first:
        refused = refused_at_once(home, first, start)
        found, seconds = timed(home, "search", "岩茶", "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] == 1
        print(f"\n{writer}: second writer refused in {refused:.2f} s, search answered in "
              f"{seconds:.2f} s (the CLI starts in {start:.2f} s)")
    assert first.returncode == 0, first.err


def _lines(proc: subprocess.Popen, n: int, seconds: float) -> list[str]:
    """The first `n` lines `proc` prints, or fewer if it has said nothing for `seconds`."""
    out = b""
    while out.count(b"\n") < n:
        ready, _, _ = select.select([proc.stdout], [], [], seconds)
        chunk = os.read(proc.stdout.fileno(), 4096) if ready else b""
        if not chunk:
            break
        out += chunk
    return out.decode().splitlines()[:n]


def test_readers_and_a_starting_server_answer_while_an_ingest_holds_its_transaction(
        tmp_path, start):
    home = ingested(tmp_path)
    markers = make_corpus(tmp_path / "files", 20)
    with held(home, "storing", "ingest", "-q", "--jobs", "1", str(tmp_path / "files")) as first:
        found, searched = timed(home, "search", "岩茶", "--json")
        assert json.loads(found.stdout)["total"] == 1, found.stderr
        tea = json.loads(found.stdout)["hits"][0]["id"]
        shown, showed = timed(home, "show", str(tea), "--json")
        assert json.loads(shown.stdout)["title"] == "武夷岩茶入门笔记", shown.stderr
        stats, counted = timed(home, "stats", "--json")
        assert json.loads(stats.stdout)["articles"] == 7, stats.stderr

        began = time.perf_counter()
        server = subprocess.Popen(wenhai_cmd(home, "serve", "--port", "0"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            said = _lines(server, 2, WAITING)
            assert len(said) == 2, f"the server did not start: {said}"
            assert said[0] == f"wenhai: 7 articles from {home}"
            url = said[1].split()[2]
            with urllib.request.urlopen(url + "api/search?q=%E5%B2%A9%E8%8C%B6") as r:  # 岩茶
                assert json.load(r)["total"] == 1
            served = time.perf_counter() - began
        finally:
            server.terminate()
            server.communicate(timeout=30)
        print(f"\nduring the transaction: search {searched:.2f} s, show {showed:.2f} s, "
              f"stats {counted:.2f} s, serve's first answer {served:.2f} s "
              f"(the CLI starts in {start:.2f} s)")
    assert first.returncode == 0, first.err
    assert first.out.startswith("20 added")
    found, _ = timed(home, "search", markers[7], "--json")
    assert json.loads(found.stdout)["total"] == 1


def read_only(home: Path) -> tuple[str, ...]:
    """A prefix that runs a command with `home` read-only: made so by its modes, or, as
    root (whom modes do not stop), by a read-only bind mount in a mount namespace of
    the command's own."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(home)], check=True)
        return ()
    prefix = ("unshare", "--mount", "sh", "-c",
              'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"',
              str(home))
    if not shutil.which("unshare") or subprocess.run(
            [*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root without a way to mount the archive read-only "
                    "(root ignores file modes)")
    return prefix


SERVE = """
import json, sys
from web import create_app
client = create_app({"WENHAI_HOME": sys.argv[1], "TESTING": True}).test_client()
page = client.get("/search?q=岩茶")
api = client.get("/api/search?q=岩茶").get_json()
article = client.get(f"/articles/{api['hits'][0]['id']}")
print(json.dumps([page.status_code, "入门笔记" in page.get_data(as_text=True),
                  api["total"], article.status_code, client.get("/").status_code]))
"""


@pytest.mark.parametrize("wal", ["closed", "left by a reader"])
def test_an_archive_that_cannot_be_written_is_searched_and_served(wal, tmp_path):
    home = ingested(tmp_path)
    if wal == "left by a reader":
        # A reader cannot remove SQLite's -wal and -shm files: they stay beside the archive.
        assert subprocess.run(wenhai_cmd(home, "stats"), capture_output=True).returncode == 0
        assert (home / "archive.db-shm").exists()
    else:
        assert not (home / "archive.db-shm").exists()
    before = sorted((p.name, p.stat().st_mtime_ns) for p in home.rglob("*"))
    prefix = read_only(home)
    try:
        found, seconds = timed(home, "search", "岩茶", "--json", prefix=prefix)
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] == 1
        stats, _ = timed(home, "stats", prefix=prefix)
        assert stats.returncode == 0 and "articles:  7 from 6 files" in stats.stdout
        check, _ = timed(home, "check", prefix=prefix)
        assert check.returncode == 0, check.stdout + check.stderr
        served = subprocess.run([*prefix, sys.executable, "-c", SERVE, str(home)],
                                capture_output=True, text=True, timeout=WAITING)
        assert served.returncode == 0, served.stderr
        assert json.loads(served.stdout) == [200, True, 1, 200, 200]
        refused, _ = timed(home, "ingest", str(SAMPLES / "tea_notes.md"), prefix=prefix)
        assert refused.returncode == 1
        assert len(refused.stderr.splitlines()) == 1, refused.stderr
        assert refused.stderr.startswith(f"Error: The archive at {home} cannot be written (")
        assert "copy it to a disk you can write" in refused.stderr
        print(f"\nread-only archive ({wal}): search answered in {seconds:.2f} s")
    finally:
        if not prefix:
            subprocess.run(["chmod", "-R", "u+w", str(home)], check=True)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in home.rglob("*")) == before


def test_a_reader_of_a_new_home_creates_nothing(tmp_path):
    home = tmp_path / "nowhere"
    found, _ = timed(home, "search", "岩茶", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 0
    stats, _ = timed(home, "stats", "--json")
    assert json.loads(stats.stdout)["articles"] == 0
    assert not home.exists()
