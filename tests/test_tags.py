"""Tags: `wenhai tag` / `untag`, tags from front matter, `tag:`, the facet, the reader."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from store import Archive

from .conftest import article_id

CLI = [sys.executable, "-c", "from indexer.cli import main; main()"]


def ids(archive: Archive, query: str, **filters) -> list[int]:
    from store import Filters

    return sorted(h.id for h in archive.search(query, per_page=100,
                                               filters=Filters(**filters)).hits)


def assert_clean(wenhai) -> None:
    result = wenhai("check")
    assert result.exit_code == 0, result.output
    assert "0 missing, 0 extra, 0 stale" in result.stdout


def test_tag_and_untag_change_store_and_index_together(ingested, wenhai):
    with Archive(ingested) as archive:
        harbor = article_id(archive, "无人集卡")
        assert ids(archive, "tag:港口") == []
    result = wenhai("tag", str(harbor), "港口", "自动驾驶")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"[{harbor}] 港口无人集卡规模化上岗: +港口 +自动驾驶; "
                             "tags: 港口, 自动驾驶\n")
    with Archive(ingested) as archive:
        assert ids(archive, "tag:港口") == [harbor] == ids(archive, "tag:自动")
        assert archive.get(harbor).tags == ["港口", "自动驾驶"]
    assert_clean(wenhai)
    again = wenhai("tag", str(harbor), "港口")
    assert again.stdout.endswith(": no change; tags: 港口, 自动驾驶\n")

    result = wenhai("untag", str(harbor), "港口")
    assert result.exit_code == 0, result.output
    assert "-港口; tags: 自动驾驶" in result.stdout
    with Archive(ingested) as archive:
        assert ids(archive, "tag:港口") == [] and ids(archive, "tag:自动驾驶") == [harbor]
        # The search box stops offering a tag no article has.
        assert "港口" not in [s.text for s in archive.suggestions("gangkou") if s.kind == "tag"]
        assert "自动驾驶" in [s.text for s in archive.suggestions("zidong") if s.kind == "tag"]
    assert_clean(wenhai)


def test_front_matter_tags_are_tags_and_stay_the_files(ingested, wenhai):
    with Archive(ingested) as archive:
        tea = article_id(archive, "武夷岩茶")
        assert ids(archive, "tag:笔记") == [tea]
        assert archive.get(tea).tags == ["茶", "笔记"]
    refused = wenhai("untag", str(tea), "笔记")
    assert refused.exit_code == 1
    assert "«笔记» is a tag of article" in refused.output and "edit the file" in refused.output
    assert wenhai("tag", str(tea), "福建").exit_code == 0
    with Archive(ingested) as archive:
        assert archive.get(tea).tags == ["茶", "笔记", "福建"]
    shown = wenhai("show", str(tea)).stdout
    assert "tags: 茶, 笔记  (from front matter)\n" in shown
    assert "tags added: 福建  (from wenhai tag)\n" in shown


def test_bad_tags_and_ids_say_what_to_do(ingested, wenhai):
    with Archive(ingested) as archive:
        tea = article_id(archive, "武夷岩茶")
    spaced = wenhai("tag", str(tea), "乌龙 茶")
    assert spaced.exit_code == 1
    assert "give each tag as an argument of its own" in spaced.output
    assert wenhai("tag", str(tea), " ").exit_code == 1
    missing = wenhai("tag", "99999", "茶")
    assert missing.exit_code == 1 and "No article has id 99999" in missing.output
    with Archive(ingested) as archive:
        assert archive.get(tea).added_tags == []


def test_tags_stay_when_the_file_changes_and_go_with_the_article(ingested, wenhai, samples):
    with Archive(ingested) as archive:
        tea = article_id(archive, "武夷岩茶")
    wenhai("tag", str(tea), "福建")
    notes = samples / "tea_notes.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n补记：正岩的茶汤更厚。\n",
                     encoding="utf-8")
    assert "1 updated" in wenhai("ingest", samples).stdout
    with Archive(ingested) as archive:
        assert ids(archive, "tag:福建") == [tea] == ids(archive, "正岩的茶汤")
    assert_clean(wenhai)
    assert wenhai("remove", str(tea), "--yes").exit_code == 0
    with Archive(ingested) as archive:
        assert archive.db.execute("SELECT count(*) FROM tags").fetchone()[0] == 0
        assert ids(archive, "tag:福建") == []
        assert "福建" not in [s.text for s in archive.suggestions("fujian")]
    assert_clean(wenhai)


class _Page(HTMLParser):
    """The tag facet's links and the reader's tag links of a page."""

    def __init__(self):
        super().__init__()
        self.section: str | None = None
        self.facet: list[str] = []
        self.reader: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("data-facet"):
            self.section = attrs["data-facet"]
        if tag == "ul" and "tags" in (attrs.get("class") or "").split():
            self.section = "reader"
        if tag == "a":
            self._href = attrs.get("href")

    def handle_endtag(self, tag):
        if tag in ("section", "ul"):
            self.section = None
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href and self.section == "tag":
            self.facet.append(self._href)
        if self._href and self.section == "reader":
            self.reader.append((data, self._href))


def test_the_tag_facet_filters_results_and_the_reader_links_tags(ingested, wenhai, client):
    with Archive(ingested) as archive:
        harbor = article_id(archive, "无人集卡")
        tea = article_id(archive, "武夷岩茶")
    assert wenhai("tag", str(harbor), "笔记", "<i>港口").exit_code == 0
    found = client.get("/api/search", query_string={"q": "的", "limit": 100}).get_json()
    assert ["笔记", 2] in found["facets"]["tag"] and ["茶", 1] in found["facets"]["tag"]
    narrowed = client.get("/api/search", query_string={"q": "的", "tag": "茶"}).get_json()
    assert [h["id"] for h in narrowed["hits"]] == [tea]
    assert narrowed["facets"]["tag"] == [["笔记", 1], ["茶", 1]]

    page = client.get("/search", query_string={"q": "的"})
    html = page.get_data(as_text=True)
    assert "<i>港口" not in html and "&lt;i&gt;港口" in html
    links = _Page()
    links.feed(html)
    [tea_link] = [href for href in links.facet if "tag=%E8%8C%B6" in href]
    chosen = client.get(tea_link).get_data(as_text=True)
    assert "标签：茶" in chosen  # the removable chip
    assert re.findall(r'href="/articles/(\d+)', chosen) == [str(tea)]

    reader = _Page()
    reader.feed(client.get(f"/articles/{harbor}").get_data(as_text=True))
    assert [text for text, _ in reader.reader] == ["笔记", "<i>港口"]
    searched = client.get(reader.reader[0][1]).get_data(as_text=True)  # tag:笔记
    assert sorted(re.findall(r'href="/articles/(\d+)', searched)) == sorted(
        {str(harbor), str(tea)})
    article = client.get(f"/api/articles/{harbor}").get_json()
    assert article["tags"] == ["笔记", "<i>港口"] == article["added_tags"]


def test_results_show_each_articles_tags_linking_to_the_tag_filter(ingested, wenhai, client):
    with Archive(ingested) as archive:
        harbor = article_id(archive, "无人集卡")
    assert wenhai("tag", str(harbor), "码头", "<b>港").exit_code == 0
    found = client.get("/api/search", query_string={"q": "无人集卡"}).get_json()
    [hit] = [h for h in found["hits"] if h["id"] == harbor]
    assert hit["tags"][-2:] == ["码头", "<b>港"]
    rows = _Page()
    rows.feed(client.get("/search", query_string={"q": "无人集卡"}).get_data(as_text=True))
    assert [text for text, _ in rows.reader][-2:] == ["码头", "<b>港"]  # shown as text
    chosen = client.get(dict(rows.reader)["<b>港"]).get_data(as_text=True)
    assert "标签：&lt;b&gt;港" in chosen
    assert re.findall(r'href="/articles/(\d+)', chosen) == [str(harbor)]


def test_a_running_server_shows_a_tag_after_the_command(ingested):
    with Archive(ingested) as archive:
        harbor = article_id(archive, "无人集卡")
    server = subprocess.Popen(
        [*CLI, "--home", str(ingested), "serve", "--port", "0", "--threads", "2",
         "--searches", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().startswith("wenhai: ")
        url = server.stdout.readline().split()[2]

        def hits(q: str) -> list[int]:
            with urllib.request.urlopen(f"{url}api/search?q={urllib.parse.quote(q)}",
                                        timeout=30) as r:
                return [h["id"] for h in json.loads(r.read())["hits"]]

        assert hits("tag:码头") == []
        tagged = subprocess.run([*CLI, "--home", str(ingested), "tag", str(harbor), "码头"],
                                capture_output=True, text=True, timeout=120)
        assert tagged.returncode == 0, tagged.stderr
        assert hits("tag:码头") == [harbor]
        untagged = subprocess.run([*CLI, "--home", str(ingested), "untag", str(harbor), "码头"],
                                  capture_output=True, text=True, timeout=120)
        assert untagged.returncode == 0, untagged.stderr
        assert hits("tag:码头") == []
    finally:
        server.kill()
        server.communicate(timeout=30)


def test_tags_survive_segment_merges(ingested, wenhai):
    # Each command commits a small segment; four of a size are merged into one, and a
    # merge writes every tag's term again from the column.
    with Archive(ingested) as archive:
        every = sorted(h.id for h in archive.search("的", per_page=100, reposts="all").hits)
    for n, article in enumerate(every):
        assert wenhai("tag", str(article), "合并", f"第{n}篇").exit_code == 0
    with Archive(ingested) as archive:
        segments = len(archive._searcher().whoosh.reader().leaf_readers())
        assert segments < len(every) + 1  # merged
        assert ids(archive, "的", tag="合并") == every
        assert ids(archive, "的", tag="第0篇") == every[:1]
        facet = dict(archive.search("的", per_page=100, reposts="all").facets["tag"])
        assert facet["合并"] == len(every)
    assert_clean(wenhai)
