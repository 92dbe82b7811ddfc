"""The `wenhai` command as a user runs it: real files, real SQLite and Whoosh under tmp_path."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

from .conftest import SAMPLES


def test_ingest_samples_then_rerun_changes_nothing(wenhai, samples):
    first = wenhai("ingest", samples)
    assert first.exit_code == 0
    assert first.stdout.strip() == "6 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed"
    again = wenhai("ingest", samples)
    assert again.exit_code == 0
    assert again.stdout.strip() == (
        "0 added, 0 updated, 6 unchanged, 0 duplicate, 0 failed — the archive is already up to date"
    )


def test_archive_home_holds_sqlite_in_wal_mode_and_whoosh_index(ingested):
    assert (ingested / "index").is_dir()
    with closing(sqlite3.connect(ingested / "archive.db")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM articles WHERE indexed = 1").fetchone()[0] == 7


def test_home_from_environment(runner, tmp_path, samples):
    from indexer.cli import main

    env_home = tmp_path / "from-env"
    result = runner.invoke(main, ["ingest", str(samples / "tea_notes.md")],
                           env={"WENHAI_HOME": str(env_home)})
    assert result.exit_code == 0, result.output
    assert (env_home / "archive.db").exists()


def test_changed_file_updates_its_article(wenhai, samples):
    wenhai("ingest", samples)
    note = samples / "tea_notes.md"
    note.write_text(note.read_text(encoding="utf-8").replace("肉桂香气高扬", "肉桂香气馥郁"),
                    encoding="utf-8")
    result = wenhai("ingest", samples)
    assert result.stdout.startswith("0 added, 1 updated, 5 unchanged")
    hits = json.loads(wenhai("search", "香气馥郁", "--json").stdout)["hits"]
    assert [h["title"] for h in hits] == ["武夷岩茶入门笔记"]
    assert json.loads(wenhai("search", "香气高扬", "--json").stdout)["total"] == 0
    assert json.loads(wenhai("stats", "--json").stdout)["articles"] == 7


def test_same_content_is_stored_once_with_both_paths(wenhai, samples, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    # The same post saved again, in GB18030 this time.
    text = (samples / "xiaomi_carbon_hood.txt").read_text(encoding="utf-8")
    (copy / "转载.txt").write_bytes(text.encode("gb18030"))
    wenhai("ingest", samples)
    result = wenhai("ingest", copy)
    assert result.stdout.startswith("0 added, 0 updated, 0 unchanged, 1 duplicate")
    hits = json.loads(wenhai("search", "碳纤维机盖", "--json").stdout)["hits"]
    assert len(hits) == 1
    shown = json.loads(wenhai("show", str(hits[0]["id"]), "--json").stdout)
    assert len(shown["paths"]) == 2 and shown["paths"][1].endswith("转载.txt")


def test_bad_files_are_reported_and_good_ones_kept(wenhai, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("好消息\n\n图书馆延长开放时间到晚上十点。", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "broken.json").write_text('{"title": "半截', encoding="utf-8")
    (folder / "only-ads.txt").write_text("![]()\n![](b.png)\n", encoding="utf-8")
    result = wenhai("ingest", folder, tmp_path / "missing.txt")
    assert result.exit_code == 1
    assert result.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 duplicate, 5 failed"
    errors = result.stderr.splitlines()
    assert f"failed: {folder / 'empty.txt'}: is empty" in errors
    assert any(e.startswith(f"failed: {folder / 'binary.txt'}: ") for e in errors)
    assert (f"failed: {folder / 'broken.json'}: is not valid JSON "
            "(line 1, column 11: Unterminated string starting at)") in errors
    assert (f"failed: {folder / 'only-ads.txt'}: has no article text: nothing but headers, "
            "front matter or image placeholders") in errors
    assert f"failed: {tmp_path / 'missing.txt'}: no such file or folder" in errors
    assert json.loads(wenhai("search", "图书馆", "--json").stdout)["total"] == 1


def test_search_prints_ranked_results(ingested, wenhai):
    result = wenhai("search", "碳纤维机盖")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1 results for «碳纤维机盖»")
    assert "碳纤维机盖风波之后，车主还信发布会吗？" in lines[2]
    assert "汽车前哨 · 林舟" in lines[2]


def test_search_json_contract(ingested, wenhai):
    data = json.loads(wenhai("search", "限行", "--json", "--limit", "5").stdout)
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert set(hit) == {"id", "title", "author", "source", "published", "path", "snippet", "score",
                         "reposts", "tags"}
    assert hit["published"] == "2024-03-05"
    assert hit["path"].endswith("jiangcheng_bridge_gb18030.txt")
    assert "<mark>限行</mark>" in hit["snippet"]


def test_show_json_gives_metadata_and_clean_body(ingested, wenhai):
    data = json.loads(wenhai("search", "title:岩茶", "--json").stdout)
    shown = json.loads(wenhai("show", str(data["hits"][0]["id"]), "--json").stdout)
    assert shown["title"] == "武夷岩茶入门笔记"
    assert shown["author"] == "陈清" and shown["published"] == "2023-11-18"
    assert shown["provenance"]["author"] == "front matter"
    assert shown["body"].startswith("什么是岩茶\n武夷岩茶产自福建武夷山")


def test_show_unknown_id_fails_with_advice(ingested, wenhai):
    result = wenhai("show", "999")
    assert result.exit_code == 1
    assert "No article has id 999" in result.stderr


def test_show_id_beyond_sqlite_is_one_line_not_a_traceback(ingested, wenhai):
    for huge in ("99999999999999999999", "9223372036854775808", "-9223372036854775809"):
        result = wenhai("show", "--", huge)
        assert result.exit_code == 1, huge
        assert result.stderr.splitlines() == [
            f"Error: No article has id {huge}: `wenhai search` lists the ids of what is stored."
        ]


def test_malformed_query_is_a_usage_error_after_the_plain_search(ingested, wenhai):
    result = wenhai("search", "--", "-碳纤维机盖")
    assert result.exit_code == 2
    assert "only excludes terms" in result.stderr
    assert "searched as plain text" in result.stderr
    assert "1 results for «-碳纤维机盖»" in result.stdout


def test_an_unpaired_quote_is_searched_as_text(ingested, wenhai):
    result = wenhai("search", "今年春天的“碳纤维机盖")
    assert result.exit_code == 0
    assert "1 results" in result.stdout
    assert "unpaired “ was searched as a character of the text" in result.stderr


def test_second_writer_is_refused_while_the_first_holds_the_archive(ingested, wenhai):
    from store import Archive

    with Archive(ingested) as first, first.writing():
        result = wenhai("ingest", SAMPLES / "tea_notes.md")
    assert result.exit_code == 1
    assert "is busy: another wenhai process (pid" in result.stderr


def test_reindex_rebuilds_from_the_store(ingested, wenhai):
    import shutil

    shutil.rmtree(ingested / "index")
    broken = wenhai("search", "岩茶")
    assert broken.exit_code == 1 and "wenhai reindex" in broken.stderr
    assert wenhai("reindex", "-q").stdout.strip() == "reindexed 7 articles"
    assert json.loads(wenhai("search", "岩茶", "--json").stdout)["total"] == 1


def test_index_from_another_analyzer_version_asks_for_reindex(ingested, wenhai):
    sidecar = ingested / "index" / "wenhai-index.json"
    sidecar.write_text(json.dumps({"schema_version": 0, "analyzer": "old"}), encoding="utf-8")
    result = wenhai("search", "岩茶")
    assert result.exit_code == 1
    assert "built by another version of wenhai" in result.stderr
    assert "Run `wenhai reindex`" in result.stderr
    assert wenhai("reindex").exit_code == 0
    assert json.loads(wenhai("search", "岩茶", "--json").stdout)["total"] == 1


def test_stats(ingested, wenhai):
    out = wenhai("stats").stdout
    assert "articles:  7 from 6 files" in out
    assert "城市生活周刊" in out


def test_every_command_has_help(runner):
    from indexer.cli import main

    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and len(command.help) > 20, name
