"""`wenhai watch` for real: a watch process, files written while it runs, a server beside it.

Every test synchronises on the watch's own output — one line when it watches, one line
per batch — never on time. The only pauses are a slow writer's, between the chunks it
writes: that is the scenario, not a way to wait for the watch.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from store import Archive
from store.pauses import ENV as PAUSE

CLI = [sys.executable, "-c", "from indexer.cli import main; main()"]
#: Lines are waited for at most this long: a hung watch fails the test, never hangs it.
WAIT = 60
BATCH = re.compile(r"^\d\d:\d\d:\d\d (\d+) added, (\d+) updated, (\d+) unchanged, "
                   r"(\d+) duplicate, (\d+) failed")

ARTICLE = ("标题：{title}\n作者：林舟\n\n"
           + "城市的雨水花园在夏天迎来第一场大雨，居民在社区里讨论排水的办法。\n" * 20
           + "最后一段写着{word}，只有读完整篇才能找到它。\n")


class Watch:
    """A running `wenhai watch`: its lines as they come, on a thread of ours."""

    def __init__(self, home: Path, folder: Path, *args: str, env: dict | None = None,
                 pass_fds: tuple = ()):
        self.proc = subprocess.Popen(
            [*CLI, "--home", str(home), "watch", str(folder), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})}, pass_fds=pass_fds)
        self.lines: queue.SimpleQueue = queue.SimpleQueue()
        self.errors: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put, True)),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.errors.append))]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream, put, ended: bool = False) -> None:
        for line in stream:
            put(line.rstrip("\n"))
        if ended:  # stdout's end: `line` fails at once
            put(None)

    def line(self) -> str:
        """The next line on stdout; fails if the watch ended or said nothing for WAIT s."""
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"wenhai watch said nothing for {WAIT} s; stderr: {self.errors}")
        assert line is not None, f"wenhai watch ended: {self.errors}"
        return line

    def batch(self) -> tuple[int, ...]:
        """The counts of the next batch's line (added, updated, unchanged, duplicate,
        failed), with the line."""
        line = self.line()
        found = BATCH.match(line)
        assert found, line
        return tuple(int(n) for n in found.groups())

    def started(self) -> str:
        """The catch-up batch's line, once the watch watches."""
        catch_up = self.line()
        assert BATCH.match(catch_up), catch_up
        assert self.line().startswith("watching "), self.errors
        return catch_up

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=WAIT)

    def reap(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=WAIT)
        for reader in self.readers:
            reader.join(timeout=WAIT)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "文章"
    made.mkdir()
    return made


@pytest.fixture
def watch(home: Path, folder: Path):
    """Start `wenhai watch` on `folder` (options as arguments); every one is reaped."""
    started: list[Watch] = []

    def start(*args: str, **kwargs) -> Watch:
        w = Watch(home, folder, *args, **kwargs)
        started.append(w)
        return w

    yield start
    for w in started:
        w.reap()


def found(home: Path, query: str) -> list[tuple[int, str, str]]:
    """(id, title, first file) of the articles the query finds."""
    with Archive(home) as archive:
        hits = archive.search(query, per_page=100).hits
        return [(h.id, h.title, archive.get(h.id).path) for h in hits]


def assert_clean(home: Path) -> None:
    with Archive(home) as archive:
        report = archive.check()
        assert report.healthy and not report.pending, report.to_dict()


def test_a_file_copied_in_slowly_is_read_once_whole(watch, folder, home):
    w = watch("--quiet-seconds", "2")  # 40 times the writer's pauses, on a busy machine
    w.started()
    text = ARTICLE.format(title="慢慢写入的文章", word="藏在结尾的蝴蝶兰").encode()
    with open(folder / "慢.txt", "wb") as f:
        for start in range(0, len(text), 200):  # a slow copy: a chunk every 50 ms
            f.write(text[start:start + 200])
            f.flush()
            time.sleep(0.05)
    assert w.batch() == (1, 0, 0, 0, 0)
    # The first read was of the whole file: its last words are found at once.
    [(_, title, path)] = found(home, "藏在结尾的蝴蝶兰")
    assert title == "慢慢写入的文章" and path == str(folder / "慢.txt")
    assert w.stop() == 0
    assert w.line() == "stopped"
    assert_clean(home)


def test_a_file_renamed_mid_write_is_read_at_its_new_name(watch, folder, home):
    w = watch("--quiet-seconds", "1")
    w.started()
    text = ARTICLE.format(title="改名的文章", word="中途改名的水杉").encode()
    with open(folder / "下载中.txt", "wb") as f:
        f.write(text[: len(text) // 2])
        f.flush()
        os.rename(folder / "下载中.txt", folder / "完成.txt")
        f.write(text[len(text) // 2:])
    assert w.batch() == (1, 0, 0, 0, 0)
    [(_, title, path)] = found(home, "中途改名的水杉")
    assert (title, path) == ("改名的文章", str(folder / "完成.txt"))
    assert not w.errors, w.errors
    w.stop()
    assert_clean(home)


def test_a_file_deleted_before_it_was_read_is_forgotten(watch, folder, home):
    w = watch("--quiet-seconds", "1")
    w.started()
    (folder / "草稿.txt").write_text(ARTICLE.format(title="草稿", word="删掉的草稿"),
                                     encoding="utf-8")
    (folder / "草稿.txt").unlink()
    (folder / "定稿.txt").write_text(ARTICLE.format(title="定稿", word="留下的定稿"),
                                     encoding="utf-8")
    assert w.batch() == (1, 0, 0, 0, 0)
    assert found(home, "删掉的草稿") == [] and len(found(home, "留下的定稿")) == 1
    assert not w.errors, w.errors
    w.stop()
    assert_clean(home)


def test_a_burst_of_files_is_one_batch_and_sigterm_stops_cleanly(watch, folder, home):
    w = watch("--quiet-seconds", "1")
    w.started()
    for i in range(200):
        (folder / f"第{i}篇.txt").write_text(
            ARTICLE.format(title=f"第{i}篇", word=f"编号{i:04d}号"), encoding="utf-8")
    assert w.batch() == (200, 0, 0, 0, 0)
    assert len(found(home, "编号0199号")) == 1
    assert w.stop(signal.SIGINT) == 0  # Ctrl+C
    assert w.line() == "stopped"
    assert_clean(home)


def test_sigterm_during_a_batch_finishes_it_first(watch, folder, home):
    reached_r, reached_w = os.pipe()
    resume_r, resume_w = os.pipe()
    try:
        w = watch("--quiet-seconds", "0.5", pass_fds=(reached_w, resume_r),
                  env={PAUSE: f"storing:{reached_w}:{resume_r}"})
        os.close(reached_w)
        os.close(resume_r)
        w.started()  # an empty folder: the catch-up stores nothing, so does not pause
        (folder / "收尾.txt").write_text(ARTICLE.format(title="收尾", word="收尾的银杏"),
                                         encoding="utf-8")
        assert os.read(reached_r, 64) == b"storing"  # the batch holds the file, uncommitted
        w.proc.send_signal(signal.SIGTERM)
        os.write(resume_w, b"x")
        assert w.batch() == (1, 0, 0, 0, 0)
        assert w.line() == "stopped"
        assert w.proc.wait(timeout=WAIT) == 0
    finally:
        os.close(reached_r)
        os.close(resume_w)
    assert len(found(home, "收尾的银杏")) == 1
    assert_clean(home)


def test_moved_and_deleted_files(watch, folder, home, wenhai):
    (folder / "旧名.txt").write_text(ARTICLE.format(title="搬家的文章", word="搬家的樟树"),
                                     encoding="utf-8")
    (folder / "作废.txt").write_text(ARTICLE.format(title="作废的文章", word="作废的梧桐"),
                                     encoding="utf-8")
    assert wenhai("ingest", folder).exit_code == 0
    [(moved_id, _, _)] = found(home, "搬家的樟树")
    w = watch("--quiet-seconds", "1", "--prune")
    assert BATCH.match(w.started()).groups()[:3] == ("0", "0", "2")
    (folder / "新家").mkdir()
    os.rename(folder / "旧名.txt", folder / "新家" / "新名.txt")
    line = w.line()
    assert line.endswith("0 failed, 1 moved"), line
    assert found(home, "搬家的樟树") == [(moved_id, "搬家的文章",
                                          str(folder / "新家" / "新名.txt"))]
    (folder / "作废.txt").unlink()
    line = w.line()
    assert line.endswith("; 1 file gone, 1 article removed"), line
    assert found(home, "作废的梧桐") == []
    w.stop()
    assert_clean(home)


def test_without_prune_a_deleted_file_is_listed_and_kept(watch, folder, home, wenhai):
    (folder / "留着.txt").write_text(ARTICLE.format(title="留着", word="留着的银杏"),
                                     encoding="utf-8")
    wenhai("ingest", folder)
    w = watch("--quiet-seconds", "0.5")
    w.started()
    (folder / "留着.txt").unlink()
    assert w.line().endswith("; 1 file gone")
    w.stop()
    assert len(found(home, "留着的银杏")) == 1
    assert any(e.startswith(f"gone: {folder / '留着.txt'}: its articles stay") and "--prune" in e
               for e in w.errors), w.errors


def test_a_running_server_shows_what_the_watch_added(watch, folder, home, wenhai):
    (folder / "先有.txt").write_text(ARTICLE.format(title="先有", word="先有的文章"),
                                     encoding="utf-8")
    wenhai("ingest", folder)
    server = subprocess.Popen(
        [*CLI, "--home", str(home), "serve", "--port", "0", "--threads", "2", "--searches",
         "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().startswith("wenhai: ")
        url = server.stdout.readline().split()[2]

        def total(q: str) -> int:
            with urllib.request.urlopen(f"{url}api/search?q={urllib.parse.quote(q)}",
                                        timeout=30) as r:
                return json.loads(r.read())["total"]

        assert total("后来的玉兰") == 0
        w = watch("--quiet-seconds", "0.5")
        w.started()
        (folder / "后来.txt").write_text(ARTICLE.format(title="后来", word="后来的玉兰"),
                                         encoding="utf-8")
        assert w.batch() == (1, 0, 0, 0, 0)
        assert total("后来的玉兰") == 1  # the next request after the batch's commit
        w.stop()
    finally:
        server.kill()
        server.communicate(timeout=30)


def test_a_file_deleted_while_its_batch_runs_is_one_failure(watch, folder, home):
    reached_r, reached_w = os.pipe()
    resume_r, resume_w = os.pipe()
    try:
        w = watch("--quiet-seconds", "0.5", pass_fds=(reached_w, resume_r),
                  env={PAUSE: f"storing:{reached_w}:{resume_r}"})
        os.close(reached_w)
        os.close(resume_r)
        w.started()
        for name in ("甲.txt", "乙.txt"):
            (folder / name).write_text(ARTICLE.format(title=name, word=f"{name}的结尾"),
                                       encoding="utf-8")
        assert os.read(reached_r, 64) == b"storing"  # 甲 stored, 乙 not read yet
        (folder / "乙.txt").unlink()
        os.write(resume_w, b"x")
        assert w.batch() == (1, 0, 0, 0, 1)
    finally:
        os.close(reached_r)
        os.close(resume_w)
    (folder / "丙.txt").write_text(ARTICLE.format(title="丙", word="丙的结尾"), encoding="utf-8")
    line = w.line()  # it goes on: the next batch, with 乙's deletion seen
    assert line.startswith(tuple("0123456789")) and " 1 added, " in line, line
    w.stop()
    assert [e for e in w.errors if e.startswith("failed: ")] == [
        f"failed: {folder / '乙.txt'}: cannot be read (No such file or directory)"]
    assert len(found(home, "甲.txt的结尾")) == 1 and len(found(home, "丙的结尾")) == 1
    assert found(home, "乙.txt的结尾") == []
    assert_clean(home)


def test_a_folder_moved_inside_keeps_its_articles_and_moved_out_is_pruned(
        watch, folder, home, wenhai):
    (folder / "专栏").mkdir()
    for n in range(3):
        (folder / "专栏" / f"{n}.txt").write_text(
            ARTICLE.format(title=f"专栏第{n}篇", word=f"专栏{n}号"), encoding="utf-8")
    wenhai("ingest", folder)
    before = found(home, "专栏1号")
    w = watch("--quiet-seconds", "0.5", "--prune")
    w.started()
    os.rename(folder / "专栏", folder / "旧专栏")
    assert w.line().endswith(", 3 moved")
    [(article, _, path)] = found(home, "专栏1号")
    assert (article, path) == (before[0][0], str(folder / "旧专栏" / "1.txt"))
    os.rename(folder / "旧专栏", folder.parent / "别处")
    assert w.line().endswith("; 3 files gone, 3 articles removed")
    assert found(home, "专栏1号") == []
    w.stop()
    assert_clean(home)


def test_events_the_kernel_dropped_mean_reading_the_folder_again(folder, home):
    # An inotify queue overflow cannot be caused here without changing the system's
    # limits: the watcher is handed the event watchdog raises for it, and files that
    # raised no event of their own must be read all the same.
    from indexer.watching import Watcher

    batches = []
    watcher = Watcher(home, [folder], quiet=0.5, on_batch=batches.append)
    (folder / "漏掉的.txt").write_text(ARTICLE.format(title="漏掉的", word="漏掉的芦苇"),
                                       encoding="utf-8")
    watcher.events.put(("events_lost", str(folder), "", True))
    watcher._wait()
    watcher._step(time.monotonic() + 1)  # as the loop does once the folder is quiet
    [batch] = batches
    assert (batch.report.added, batch.gone) == (1, [])
    assert len(found(home, "漏掉的芦苇")) == 1
