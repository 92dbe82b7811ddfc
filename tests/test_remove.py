"""Keeping the archive in step with a folder: `remove`, `ingest --prune`, moved files."""

from __future__ import annotations

import json
import shutil

from store import Archive

from .conftest import FIXTURES


def search_ids(wenhai, query: str) -> list[int]:
    return [h["id"] for h in json.loads(wenhai("search", query, "--json").stdout)["hits"]]


def show(wenhai, article_id: int) -> dict:
    return json.loads(wenhai("show", str(article_id), "--json").stdout)


def assert_clean(wenhai) -> None:
    result = wenhai("check")
    assert result.exit_code == 0, result.output
    assert "0 missing, 0 extra, 0 stale" in result.stdout


def test_remove_by_id_asks_first_then_removes_from_store_and_index(ingested, wenhai):
    [tea] = search_ids(wenhai, "武夷岩茶")
    refused = wenhai("remove", str(tea))
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert "will remove 1 article" in refused.stdout and "武夷岩茶入门笔记" in refused.stdout
    assert search_ids(wenhai, "武夷岩茶") == [tea]

    result = wenhai("remove", str(tea), "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("removed 1 article\n")
    assert search_ids(wenhai, "武夷岩茶") == []
    assert wenhai("show", str(tea)).exit_code == 1
    assert_clean(wenhai)


def test_remove_confirmed_at_the_prompt(ingested, runner, home):
    from indexer.cli import main

    with Archive(home) as archive:
        [tea] = [h.id for h in archive.search("武夷岩茶").hits]
    result = runner.invoke(main, ["--home", str(home), "remove", str(tea)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "removed 1 article" in result.stdout


def test_remove_by_path_keeps_an_article_also_stored_from_another_file(
        wenhai, samples, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(samples / "xiaomi_carbon_hood.txt", copy / "转载.txt")
    wenhai("ingest", samples)
    wenhai("ingest", copy)
    [car] = search_ids(wenhai, "碳纤维机盖")
    [tea] = search_ids(wenhai, "武夷岩茶")

    result = wenhai("remove", samples / "xiaomi_carbon_hood.txt", samples / "tea_notes.md",
                    "--yes")
    assert result.exit_code == 0, result.output
    assert "also stored from another file" in result.stdout
    assert result.stdout.endswith("removed 1 article\n")
    assert search_ids(wenhai, "武夷岩茶") == []
    assert search_ids(wenhai, "碳纤维机盖") == [car]
    assert show(wenhai, car)["paths"] == [str((copy / "转载.txt").resolve())]
    assert wenhai("show", str(tea)).exit_code == 1
    assert_clean(wenhai)


def test_remove_a_folder_removes_its_articles(wenhai, samples):
    wenhai("ingest", samples)
    result = wenhai("remove", samples, "--yes")
    assert result.exit_code == 0, result.output
    assert json.loads(wenhai("stats", "--json").stdout)["articles"] == 0
    assert search_ids(wenhai, "捷运") == []
    assert_clean(wenhai)


def test_remove_what_is_not_there_is_one_line_with_advice(ingested, wenhai, tmp_path):
    unknown = wenhai("remove", "99999", "--yes")
    assert unknown.exit_code == 1
    assert unknown.output.strip().splitlines() == [
        "Error: No article has id 99999: `wenhai search` lists the ids of what is stored."]
    nowhere = wenhai("remove", tmp_path / "没有", "--yes")
    assert nowhere.exit_code == 1
    assert len(nowhere.output.strip().splitlines()) == 1
    assert "no file of the archive is there" in nowhere.output


def test_removed_article_is_gone_from_a_running_web_app(ingested, wenhai, client_for):
    client = client_for(ingested)
    [tea] = search_ids(wenhai, "武夷岩茶")
    assert client.get(f"/articles/{tea}").status_code == 200
    link = f'href="/articles/{tea}?q='
    assert link in client.get("/search", query_string={"q": "武夷岩茶"}).text
    wenhai("remove", str(tea), "--yes")
    assert client.get(f"/articles/{tea}").status_code == 404
    assert client.get(f"/api/articles/{tea}").status_code == 404
    assert link not in client.get("/search", query_string={"q": "武夷岩茶"}).text
    found = client.get("/api/search", query_string={"q": "武夷岩茶"}).get_json()
    assert found["total"] == 0


def test_removal_keeps_suggestion_counts(wenhai, tmp_path, home):
    folder = tmp_path / "文章"
    folder.mkdir()
    (folder / "一.txt").write_text("标题: 春天的茶园\n作者: 林晓\n\n春天的茶园一片新绿，茶农采摘。")
    (folder / "二.txt").write_text("标题: 秋天的果园\n作者: 林晓\n\n秋天的果园挂满果实，果农收获。")
    wenhai("ingest", folder)

    def author_count():
        with Archive(home) as archive:
            row = archive.db.execute("SELECT count FROM suggestions WHERE kind = 'author' "
                                     "AND value = '林晓'").fetchone()
            return row[0] if row else 0

    assert author_count() == 2
    wenhai("remove", folder / "一.txt", "--yes")
    assert author_count() == 1
    wenhai("remove", folder / "二.txt", "--yes")
    assert author_count() == 0


def test_removing_the_oldest_copy_keeps_the_repost_group(wenhai, home):
    wenhai("ingest", FIXTURES / "reposts")
    with Archive(home) as archive:
        rows = archive.db.execute("SELECT id, group_id FROM articles").fetchall()
    groups: dict[int, list[int]] = {}
    for article_id, group in rows:
        groups.setdefault(group, []).append(article_id)
    group, members = next((g, m) for g, m in groups.items() if len(m) > 2)
    assert group == min(members)
    assert wenhai("remove", str(group), "--yes").exit_code == 0
    with Archive(home) as archive:
        left = {r[0] for r in archive.db.execute(
            "SELECT DISTINCT group_id FROM articles WHERE id IN "
            f"({','.join(map(str, members[1:]))})")}
    assert left == {min(members[1:])}
    assert_clean(wenhai)


def test_prune_lists_without_yes_and_removes_with_it(wenhai, samples):
    wenhai("ingest", samples)
    [metro] = search_ids(wenhai, "捷運")
    (samples / "taipei_metro_big5.txt").unlink()

    listed = wenhai("ingest", samples, "--prune")
    assert listed.exit_code == 0, listed.output
    assert "prune: would remove 1 article and 1 file" in listed.stdout
    assert f"[{metro}]" in listed.stdout and "run again with --yes" in listed.stdout
    assert search_ids(wenhai, "捷運") == [metro]

    removed = wenhai("ingest", samples, "--prune", "--yes")
    assert removed.exit_code == 0, removed.output
    assert "prune: removing 1 article and 1 file" in removed.stdout
    assert search_ids(wenhai, "捷運") == []
    assert wenhai("show", str(metro)).exit_code == 1
    assert "no file of the archive under these paths is gone" in wenhai(
        "ingest", samples, "--prune", "--yes").stdout
    assert_clean(wenhai)


def test_yes_without_prune_is_a_usage_error(wenhai, samples):
    result = wenhai("ingest", samples, "--yes")
    assert result.exit_code == 2
    assert "add --prune" in result.output


def test_a_moved_file_keeps_its_article_under_the_new_path(wenhai, samples, tmp_path):
    wenhai("ingest", samples)
    [tea] = search_ids(wenhai, "武夷岩茶")
    moved = samples / "茶" / "岩茶笔记.md"
    moved.parent.mkdir()
    (samples / "tea_notes.md").rename(moved)

    result = wenhai("ingest", samples)
    assert result.exit_code == 0, result.output
    assert "1 moved" in result.stdout
    assert search_ids(wenhai, "武夷岩茶") == [tea]
    assert show(wenhai, tea)["paths"] == [str(moved.resolve())]
    assert json.loads(wenhai("stats", "--json").stdout)["files"] == 6
    assert_clean(wenhai)


def test_a_copy_beside_its_original_is_not_a_move(wenhai, samples):
    wenhai("ingest", samples)
    shutil.copy(samples / "tea_notes.md", samples / "副本.md")
    result = wenhai("ingest", samples)
    assert "1 duplicate" in result.stdout and "moved" not in result.stdout
    [tea] = search_ids(wenhai, "武夷岩茶")
    assert len(show(wenhai, tea)["paths"]) == 2


def test_a_running_server_stops_showing_a_removed_article(ingested, wenhai, samples):
    import subprocess
    import sys
    import urllib.error
    import urllib.parse
    import urllib.request

    def get(url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read().decode()

    [tea] = search_ids(wenhai, "武夷岩茶")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(ingested),
         "serve", "--port", "0", "--threads", "2", "--searches", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().startswith("wenhai: ")
        url = proc.stdout.readline().split()[2]
        search = f"{url}api/search?q={urllib.parse.quote('武夷岩茶')}"
        assert get(f"{url}articles/{tea}")[0] == 200
        assert json.loads(get(search)[1])["total"] == 1
        removed = subprocess.run(
            [sys.executable, "-c", "from indexer.cli import main; main()", "--home",
             str(ingested), "remove", str(samples / "tea_notes.md"), "--yes"],
            capture_output=True, text=True, timeout=120)
        assert removed.returncode == 0, removed.stderr
        assert get(f"{url}articles/{tea}")[0] == 404
        assert json.loads(get(search)[1])["total"] == 0
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_removing_one_record_of_a_file_keeps_the_file_for_the_others(wenhai, samples):
    wenhai("ingest", samples)
    [canteen] = search_ids(wenhai, "社区食堂")
    [library] = search_ids(wenhai, "城市书房")
    assert wenhai("remove", str(canteen), "--yes").exit_code == 0
    assert show(wenhai, library)["paths"] == [str((samples / "wechat_export.jsonl").resolve())
                                              + "#2"]
    # The file is still recorded, unchanged: the next ingest leaves the record out.
    assert "6 unchanged" in wenhai("ingest", samples).stdout
    assert search_ids(wenhai, "社区食堂") == []
    # A file whose every article was removed is read again.
    [tea] = search_ids(wenhai, "武夷岩茶")
    wenhai("remove", str(tea), "--yes")
    assert wenhai("ingest", samples).stdout.startswith("1 added")
    assert_clean(wenhai)


def test_a_folder_deleted_whole_is_pruned_not_a_failure(wenhai, samples):
    wenhai("ingest", samples)
    shutil.rmtree(samples)
    result = wenhai("ingest", samples, "--prune", "--yes")
    assert result.exit_code == 0, result.output
    assert "prune: removing 7 articles and 6 files" in result.stdout
    assert json.loads(wenhai("stats", "--json").stdout)["articles"] == 0
    assert_clean(wenhai)
    typo = wenhai("ingest", samples.parent / "没有这个文件夹", "--prune")
    assert typo.exit_code == 1 and "failed:" in typo.stderr


def test_a_moved_zip_keeps_its_articles_under_the_new_path(wenhai, samples, tmp_path):
    import zipfile

    first = tmp_path / "旧" / "文章.zip"
    first.parent.mkdir()
    with zipfile.ZipFile(first, "w") as zf:
        zf.write(samples / "tea_notes.md", "茶/tea_notes.md")
    wenhai("ingest", first.parent)
    [tea] = search_ids(wenhai, "武夷岩茶")
    moved = tmp_path / "新" / "归档.zip"
    moved.parent.mkdir()
    first.rename(moved)
    result = wenhai("ingest", moved.parent)
    assert "1 moved" in result.stdout
    assert show(wenhai, tea)["paths"] == [f"{moved.resolve()}!茶/tea_notes.md"]
    assert_clean(wenhai)
