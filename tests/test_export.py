"""`wenhai export`: the articles a query selects, as JSON Lines, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json

from store import Archive


def articles_of(home) -> dict[str, tuple]:
    """Each article's text → what an export must carry over."""
    with Archive(home) as archive:
        return {a.body: (a.title, a.author, a.source, a.published, a.extra)
                for a in archive.articles()}


def test_jsonl_export_ingested_into_a_new_archive_gives_the_same_articles(
        ingested, wenhai, runner, tmp_path):
    from indexer.cli import main

    out = tmp_path / "导出" / "全部.jsonl"
    out.parent.mkdir()
    result = wenhai("export", "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"exported 7 articles to {out}\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7
    first = json.loads(lines[0])
    assert {"id", "title", "author", "source", "published", "url", "paths", "extra",
            "content"} <= set(first)
    assert not list(out.parent.glob("*.part"))

    other = tmp_path / "另一个"
    again = runner.invoke(main, ["--home", str(other), "ingest", str(out)])
    assert again.exit_code == 0, again.output
    assert articles_of(other) == articles_of(ingested)
    with Archive(other) as archive:
        assert archive.search("台北捷运").total == 1


def test_a_query_selects_what_is_exported(ingested, wenhai):
    result = wenhai("export", "捷运")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    record = json.loads(line)
    assert record["title"] == "臺北捷運新線通車首日 乘客體驗無人駕駛"
    assert "無人駕駛系統" in record["content"]
    assert record["paths"][0].endswith("taipei_metro_big5.txt")
    assert result.stderr == "exported 1 article\n"


def test_csv_export_has_a_header_and_one_row_per_article(ingested, wenhai):
    result = wenhai("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 7
    harbor = next(r for r in rows if r["title"] == "港口无人集卡规模化上岗")
    assert (harbor["author"], harbor["source"], harbor["published"]) == (
        "郑海", "海岸日报", "2024-06-12")
    assert "无人驾驶集装箱卡车" in harbor["text"]


def test_markdown_export_shows_metadata_and_headings(ingested, wenhai):
    result = wenhai("export", "港口", "--format", "md")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# 港口无人集卡规模化上岗\n")
    assert "- author: 郑海\n" in text and "- published: 2024-06-12\n" in text
    assert "\n## 效率提升两成\n" in text


def test_export_of_nothing_and_bad_queries(ingested, wenhai, tmp_path):
    empty = wenhai("export", "没有这样的文章xyz")
    assert empty.exit_code == 0 and empty.stdout == ""
    bad = wenhai("export", "title:")
    assert bad.exit_code == 2
    unwritable = wenhai("export", "-o", tmp_path / "没有的目录" / "a.jsonl")
    assert unwritable.exit_code == 1
    assert unwritable.output.strip().splitlines()[-1].endswith("choose another --output.")
