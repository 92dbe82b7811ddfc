"""Reposts — the same article re-titled, re-boilerplated or lightly edited — shown as one."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from store import Archive
from store.reposts import THRESHOLD, reposted, similarity, sketch

from .conftest import FIXTURES

REPOSTS = FIXTURES / "reposts"


@pytest.fixture
def grouped(wenhai, home):
    result = wenhai("ingest", REPOSTS)
    assert result.exit_code == 0, result.output
    return home


def ids_by_title(home) -> dict[str, int]:
    with Archive(home) as archive:
        return {r[1]: r[0] for r in archive.db.execute("SELECT id, title FROM articles")}


def test_copies_with_other_titles_boilerplate_and_edits_form_one_group(grouped):
    with Archive(grouped) as archive:
        groups = dict(archive.db.execute("SELECT title, group_id FROM articles").fetchall())
    assert groups["九块九的咖啡，正在改变县城年轻人"] == groups["县城咖啡店一年开出三百家"]
    assert groups["县城咖啡热：一年新开三百家门店"] == groups["县城咖啡店一年开出三百家"]
    assert groups["县城书店的第二春"] != groups["县城咖啡店一年开出三百家"]


def test_search_shows_one_result_per_group_unless_asked_for_all(grouped, wenhai):
    one = json.loads(wenhai("search", "雨后春笋", "--json").stdout)
    assert one["total"] == 1
    assert one["hits"][0]["reposts"] == 2
    with Archive(grouped) as archive:
        every = archive.search("雨后春笋", reposts="all")
    assert every.total == 3
    assert {h.reposts for h in every.hits} == {2}


def test_search_page_links_to_every_copy_and_reader_lists_them(grouped, client_for):
    client = client_for(grouped)
    page = client.get("/search", query_string={"q": "雨后春笋"})
    assert "另有 2 篇转载" in page.text
    assert "reposts=all" in page.text
    every = client.get("/search", query_string={"q": "雨后春笋", "reposts": "all"})
    assert every.text.count('class="hit"') == 3
    titles = ids_by_title(grouped)
    reader = client.get(f"/articles/{titles['县城咖啡店一年开出三百家']}")
    assert "也发表为" in reader.text
    assert "九块九的咖啡，正在改变县城年轻人" in reader.text
    assert "县城咖啡热：一年新开三百家门店" in reader.text
    assert client.get("/api/search", query_string={"q": "x", "reposts": "some"}).status_code == 400


def test_api_article_lists_its_reposts_and_similar_excludes_them(grouped, client_for):
    client = client_for(grouped)
    titles = ids_by_title(grouped)
    original = titles["县城咖啡店一年开出三百家"]
    data = client.get(f"/api/articles/{original}").get_json()
    assert sorted(data["reposts"]) == sorted(
        [titles["九块九的咖啡，正在改变县城年轻人"], titles["县城咖啡热：一年新开三百家门店"]])
    similar = client.get(f"/api/articles/{original}/similar").get_json()["similar"]
    assert not {h["id"] for h in similar} & set(data["reposts"])


def test_articles_stored_before_grouping_are_grouped_by_the_next_writer(grouped, wenhai):
    conn = sqlite3.connect(grouped / "archive.db")
    conn.execute("UPDATE articles SET group_id = NULL")
    conn.execute("DELETE FROM repost_keys")
    conn.commit()
    conn.close()
    assert wenhai("ingest", REPOSTS).exit_code == 0
    one = json.loads(wenhai("search", "雨后春笋", "--json").stdout)
    assert (one["total"], one["hits"][0]["reposts"]) == (1, 2)


def test_sketch_similarity():
    a = (REPOSTS / "original.txt").read_text(encoding="utf-8")
    b = (REPOSTS / "repost_portal.txt").read_text(encoding="utf-8")
    c = (REPOSTS / "unrelated.txt").read_text(encoding="utf-8")
    assert similarity(sketch(a), sketch(b)) >= 0.6
    assert similarity(sketch(a), sketch(c)) < 0.2
    assert sketch("太短的文字不分组。") == []


def test_the_bound_that_rules_candidates_out_decides_as_similarity_does():
    """`reposted` skips most candidates by counting shared values: it must say yes exactly
    when `similarity` reaches the threshold, for copies edited a little up to a lot, and
    for sketches shorter than `SKETCH` (bodies of few distinct shingles)."""
    texts = [(REPOSTS / name).read_text(encoding="utf-8")
             for name in ("original.txt", "repost_portal.txt", "unrelated.txt")]
    rng = random.Random(28)
    paragraphs = [p for t in texts for p in t.splitlines() if len(p) > 20]
    bodies = texts + ["哈" * 90 + "哈哈哈", "春眠不觉晓，处处闻啼鸟。" * 9]
    for _ in range(60):  # copies with paragraphs dropped, moved and added
        chosen = rng.sample(paragraphs, rng.randint(2, len(paragraphs)))
        bodies.append("\n".join(chosen))
    sketches = [sketch(b) for b in bodies]
    assert any(len(s) < 32 for s in sketches if s)
    seen = {True: 0, False: 0}
    for a in sketches:
        for b in sketches:
            expected = bool(a and b) and similarity(a, b) >= THRESHOLD
            assert reposted(a, b) == expected
            seen[expected] += 1
    assert min(seen.values()) > 100  # both answers were put to the test


def test_pages_count_groups_not_copies(tmp_path):
    from store import Article

    archive = Archive(tmp_path / "home")
    with archive.writing():
        rng = random.Random(3)
        pool = "春夏秋冬山水田园城乡街巷桥路车船书画茶酒米面花草鸟鱼风雨雪霜灯火钟鼓"
        for i in range(15):
            own = "".join(rng.choice(pool) for _ in range(120))  # each article its own text
            body = "港口的集装箱卡车在夜里也不停歇。" + own
            for copy in range(2):
                text = body + ("（转载）" if copy else "")
                a = Article(title=f"文章{i}-{copy}", body=text, original=text.encode())
                archive.store_file(f"/a/{i}-{copy}.txt", 1, 1, f"{i}-{copy}", [a])
        archive.sync_index()
    first = archive.search("集装箱", per_page=10)
    second = archive.search("集装箱", page=2, per_page=10)
    assert (first.total, len(first.hits), len(second.hits)) == (15, 10, 5)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert all(h.reposts == 1 for h in first.hits + second.hits)
    assert archive.search("集装箱", reposts="all", per_page=100).total == 30
    archive.close()
