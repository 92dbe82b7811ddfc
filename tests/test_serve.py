"""`wenhai serve` for real: a waitress process, concurrent clients, raw sockets.

Searches are made slow on purpose by the test hook `WENHAI_TEST_HOLD_SEARCHES`: each
one, once it has its slot, waits to read a byte from a FIFO the test writes to. So the
test knows exactly how many searches are running, without a corpus large enough to be
slow, and synchronises on answers, never on time.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from web.capacity import HOLD_VARIABLE, RETRY_AFTER
from web.errors import MAX_URL_BYTES
from web.server import MAX_HEADER_BYTES

from .conftest import article_id

SEARCHES = 2  # slots: searches held at once
THREADS = 6
CLIENTS = 10  # searches sent at once: SEARCHES are held, the rest must be turned away


@pytest.fixture
def server(ingested: Path, tmp_path: Path):
    """`wenhai serve` on a free port with searches held on a FIFO: (base URL, FIFO path)."""
    fifo = tmp_path / "hold"
    os.mkfifo(fifo)
    env = {**os.environ, HOLD_VARIABLE: str(fifo)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(ingested),
         "serve", "--port", "0", "--threads", str(THREADS), "--searches", str(SEARCHES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        # The second line is printed once the socket listens.
        assert proc.stdout.readline().startswith("wenhai: ")
        url = proc.stdout.readline().split()[2]
        yield url, fifo
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def get(url: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    """(status, headers, body), for errors too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers), e.read()


def timed(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    status, _, _ = get(url)
    return status, time.perf_counter() - started


def test_searches_beyond_capacity_are_turned_away_and_pages_keep_answering(server, archive):
    url, fifo = server
    q = urllib.parse.quote("城市")
    searches = [f"{url}api/search?q={q}" if i % 2 else f"{url}search?q={q}"
                for i in range(CLIENTS)]
    with cf.ThreadPoolExecutor(CLIENTS) as pool:
        answers = [pool.submit(get, u) for u in searches]
        # Every search but the held ones is answered at once.
        turned_away = []
        for done in cf.as_completed(answers, timeout=60):
            turned_away.append(done)
            if len(turned_away) == CLIENTS - SEARCHES:
                break
        refused = [done.result() for done in turned_away]
        for status, headers, body in refused:
            assert status == 503
            assert headers["Retry-After"] == str(RETRY_AFTER)
            if headers["Content-Type"].startswith("application/json"):
                assert json.loads(body) == {
                    "error": f"Too many searches are running at once: try again in "
                             f"{RETRY_AFTER} seconds.", "code": "server.busy",
                    "status": 503}
            else:
                assert "同时进行的搜索太多" in body.decode() and "文海正忙" in body.decode()
        kinds = {h["Content-Type"].split(";")[0] for _, h, _ in refused}
        assert kinds == {"application/json", "text/html"}

        # While SEARCHES searches hold their threads, cheap pages answer at once.
        aid = article_id(archive, "岩茶")
        for page in ("help", "static/wenhai.css", "", f"articles/{aid}", f"api/articles/{aid}"):
            status, seconds = timed(url + page)
            assert status == 200 and seconds < 2, (page, seconds)
        # The reader page leaves out its similar articles rather than wait for a slot;
        # similar articles asked for alone are a search, turned away.
        reader = get(f"{url}articles/{aid}")[2].decode()
        assert "武夷岩茶入门笔记" in reader and "相似文章" not in reader
        status, headers, _ = get(f"{url}api/articles/{aid}/similar")
        assert status == 503 and headers["Retry-After"] == str(RETRY_AFTER)

        # Released, the held searches answer with their results.
        with open(fifo, "wb") as release:
            release.write(b"x" * SEARCHES)
            release.flush()
            held = [a.result(timeout=60) for a in answers if a not in turned_away]
    assert all(status == 200 for status, _, _ in held)
    # Slots are given back: the next search runs (it is held too; release it at once).
    with cf.ThreadPoolExecutor(1) as pool:
        after = pool.submit(get, f"{url}api/search?q={q}")
        with open(fifo, "wb") as release:
            release.write(b"x")
            release.flush()
            status, _, body = after.result(timeout=60)
    assert status == 200 and json.loads(body)["total"] == 2


def raw(url: str, request: bytes) -> tuple[str, dict, bytes]:
    """Send `request` bytes as they are; (status line, headers, body) of the answer."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


def test_every_api_error_is_json_even_those_waitress_answers_itself(server):
    url, _ = server
    # Over the app's limit: the app answers 414, in JSON under /api/, as a page elsewhere.
    long_q = urllib.parse.quote("港口" * (MAX_URL_BYTES // 12))
    status, headers, body = get(f"{url}api/search?q={long_q}")
    assert status == 414 and headers["Content-Type"] == "application/json"
    error = json.loads(body)
    assert error["status"] == 414 and "search for fewer words" in error["error"]
    status, headers, body = get(f"{url}search?q={long_q}")
    assert status == 414 and "网址太长" in body.decode()

    # Over waitress's own limit, the request never reaches the app: the request line
    # alone is MAX_HEADER_BYTES long (all of it is read, so the answer is not cut off).
    line = b"GET /api/search?q=" + b"a" * MAX_HEADER_BYTES
    status, headers, body = raw(url, line[:MAX_HEADER_BYTES])
    assert status.split()[1] == "431"
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)
    assert error["status"] == 431 and "send a shorter address" in error["error"]
    assert error["code"] == "http.431"

    # A malformed request under /api/ is JSON; elsewhere waitress's text page stays.
    bad = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"
    status, headers, body = raw(url, bad)
    assert status.split()[1] == "400" and json.loads(body)["status"] == 400
    status, headers, body = raw(url, bad.replace(b"/api/search", b"/search"))
    assert status.split()[1] == "400" and headers["Content-Type"].startswith("text/plain")


def test_a_bound_that_is_not_a_number_stops_the_server_with_one_line(ingested):
    started = subprocess.run(
        [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(ingested),
         "serve", "--port", "0"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "WENHAI_RESULT_CACHE_MB": "很多"},
    )
    assert started.returncode == 1
    assert started.stderr.splitlines() == [
        "Error: WENHAI_RESULT_CACHE_MB='很多': give the megabytes of search results to keep, "
        "0 to keep none (unset: 64)."]
