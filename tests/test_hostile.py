"""Hostile files and hostile requests: bounded, reported, never executed."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.errors import IngestError
from indexer.ingest import read_articles


def test_hostile_files_are_ingested_or_rejected_by_name_and_the_batch_goes_on(wenhai, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "good.md").write_text("# 好文章\n\n图书馆周末延长开放。", encoding="utf-8")
    huge = folder / "huge.txt"
    with huge.open("wb") as f:  # 200 MB, sparse: costs no disk
        f.truncate(200 * 1024 * 1024)
    (folder / "long-line.txt").write_text("长" + "文字" * 400_000 + "\n", encoding="utf-8")
    (folder / "deep.html").write_text("<div>" * 10_000 + "深层嵌套的正文内容。" + "</div>" * 10_000)
    (folder / "nul.txt").write_bytes("正文\x00\x00\x00里有\x00空字符".encode())
    (folder / "invalid.txt").write_bytes(b"\xe4\xb8" * 10 + b"\xff\xfe\x00")
    os.symlink(folder / "loop", folder / "loop")
    os.symlink(folder, folder / "self")  # a folder that contains itself
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    result = wenhai("ingest", folder, "--max-chars", "100000")
    errors = result.stderr
    assert result.exit_code == 1
    assert f"{huge}: is 209.7 MB, over the 50 MB limit" in errors
    # Deep nesting: either read, or refused with a reason naming the file.
    assert f"{folder / 'deep.html'}: " in errors or json_total(wenhai, "深层嵌套") == 1
    assert f"{folder / 'nul.txt'}: contains NUL characters" in errors
    assert f"{folder / 'invalid.txt'}: cannot be decoded" in errors
    assert (f"{folder / 'dangling.txt'}: is a symbolic link to {folder / 'nowhere.txt'}, "
            "which does not exist: fix or remove the link") in errors
    assert "loop" not in result.stdout
    assert json_total(wenhai, "图书馆") == 1
    shown = json.loads(wenhai("search", "文字文字文字", "--json").stdout)
    article = json.loads(wenhai("show", str(shown["hits"][0]["id"]), "--json").stdout)
    assert article["extra"]["truncated"] == "kept the first 100,000 of 800,001 characters"


def json_total(wenhai, q: str) -> int:
    return json.loads(wenhai("search", q, "--json").stdout)["total"]


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".json", ".jsonl"])
@given(data=st.binary(max_size=2000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_readers_raise_only_ingest_errors_on_random_bytes(suffix, data):
    try:
        read_articles(data, f"fuzz{suffix}")
    except IngestError:
        pass


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".json", ".jsonl"])
@given(text=st.text(max_size=500))
@settings(max_examples=60, deadline=None)
def test_readers_raise_only_ingest_errors_on_random_text(suffix, text):
    try:
        read_articles(text.encode("utf-8", "surrogatepass"), f"fuzz{suffix}")
    except (IngestError, UnicodeEncodeError):
        pass


@pytest.mark.parametrize(
    "url",
    [
        "/articles/../../etc/passwd",
        "/articles/%2e%2e/%2e%2e/etc/passwd",
        "/articles/1/original/../../archive.db",
        "/static/../../archive.db",
        "/static/%2e%2e/archive.db",
        "//etc/passwd",
        "/articles/-1/original",
    ],
)
def test_path_traversal_finds_nothing(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "碳纤维", "page": str(10**9)}, 400),
        ({"q": "碳纤维", "limit": str(10**6)}, 400),
        ({"q": "机" * 1_500}, 400),  # over the query's 1,000 characters
        ({"q": "机" * 100_000}, 414),  # over the address's 16 KB, before it is read
        ({"q": " OR ".join(f"词{i}" for i in range(300))}, 400),
        ({"q": "*机盖"}, 200),
        ({"q": "机*"}, 200),
        ({"q": "?*?*?*"}, 400),
    ],
)
def test_expensive_requests_are_bounded(client, params, status):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == status
    assert response.is_json


def test_request_bodies_are_size_limited(client):
    response = client.post("/api/search", data=b"x" * (1024 * 1024))
    assert response.status_code in (405, 413)
