"""Suggestions as you type (issue 29): names, sources, tags, words and titles, in Chinese
characters, full pinyin or initials; grouped by kind; kept as articles come and go."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from store import Archive, suggestions
from store.suggestions import KINDS
from store.text.pinyin import spell, typed_pinyin

from .conftest import FIXTURES

NAMES = FIXTURES / "pinyin_names.jsonl"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def names(wenhai, home: Path, tmp_path: Path) -> Path:
    """An archive of tests/fixtures/pinyin_names.jsonl: 雷军, 曾敏, 单田芳 and others, from
    新华社 and 重庆日报, with tags — read by `wenhai ingest` as a user's would be."""
    copy = tmp_path / "names.jsonl"
    shutil.copy(NAMES, copy)
    result = wenhai("ingest", copy)
    assert result.exit_code == 0, result.output
    return home


def offered(archive: Archive, typed: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in archive.suggestions(typed)]


# -- 3. pinyin ----------------------------------------------------------------------------

def test_拼音按词读多音字_姓氏按姓氏读():
    assert (spell("雷军").pinyin, spell("雷军").initials) == ("leijun", "lj")
    assert spell("重庆").pinyin == "chongqing"  # not zhongqing: 重 as in the word
    assert spell("银行").pinyin == "yinhang" and spell("长沙").pinyin == "changsha"
    assert (spell("新华社").pinyin, spell("新华社").initials) == ("xinhuashe", "xhs")
    assert spell("曾敏", person=True).pinyin == "zengmin"
    assert spell("曾经").pinyin == "cengjing"  # a word, not a name: the usual reading
    assert spell("单田芳", person=True).pinyin == "shantianfang"
    assert spell("单于", person=True).pinyin == "chanyu"  # the compound surname
    assert spell("吕布").pinyin == "lvbu"  # ü as v, as pinyin keyboards take it


def test_繁体全角和拉丁字母都能拼():
    assert spell("中國時報").pinyin == "zhongguoshibao"
    spelled = spell("ＢＢＣ 中文网")
    assert (spelled.spelled, spelled.pinyin, spelled.initials) == (
        "bbc中文网", "bbczhongwenwang", "bzww")
    assert spell("iPhone 15 发布会").initials == "i15fbh"


def test_输入能否当作拼音():
    assert typed_pinyin("Lei Jun") == "leijun"
    assert typed_pinyin("xi'an") == "xian"
    assert typed_pinyin("lü") == "lv"
    assert typed_pinyin("su7") is None and typed_pinyin("雷军") is None
    assert typed_pinyin("  ") is None


@pytest.mark.parametrize("typed", ["leijun", "lei jun", "LeiJun", "lj", "leij", "雷军", "雷"])
def test_作者的全拼_分开的拼音_首字母和汉字都提示作者(names, typed):
    with Archive(names) as archive:
        found = archive.suggestions(typed)
        authors = [s for s in found if s.kind == "author"]
        assert authors and authors[0].text == "雷军", (typed, offered(archive, typed))
        assert authors[0].count == 2 and authors[0].query == "author:雷军"
        # choosing it searches that field
        assert {h.title for h in archive.search(authors[0].query).hits} == {
            "小米汽车发布会现场直击", "雷军谈造车三年"}


@pytest.mark.parametrize("typed", ["xinhuashe", "xhs", "xinhua", "新华"])
def test_来源的全拼和首字母提示来源(names, typed):
    with Archive(names) as archive:
        sources = [s for s in archive.suggestions(typed) if s.kind == "source"]
        assert [(s.text, s.count, s.query) for s in sources] == [("新华社", 3, "source:新华社")]
        assert archive.search(sources[0].query).total == 3


def test_重庆读作chongqing_标签和来源都提示(names):
    with Archive(names) as archive:
        found = offered(archive, "chongqing")
        assert ("tag", "重庆") in found and ("source", "重庆日报") in found
        assert ("title", "重庆轻轨穿楼而过") in found
        assert ("tag", "重庆") not in offered(archive, "zhongqing")  # 重 as in the word
        tag = next(s for s in archive.suggestions("cq") if s.kind == "tag")
        assert (tag.text, tag.query) == ("重庆", "tag:重庆")
        assert archive.search(tag.query).total == 1


def test_多音字姓氏按姓氏的读音提示(names):
    with Archive(names) as archive:
        assert ("author", "曾敏") in offered(archive, "zengmin")
        assert ("author", "曾敏") not in offered(archive, "cengmin")
        assert ("author", "单田芳") in offered(archive, "shantianfang")
        assert ("author", "单田芳") in offered(archive, "stf")


def test_几位作者各自提示_首字母相同的都在前八个里(names):
    with Archive(names) as archive:
        found = archive.suggestions("lj")
        authors = {s.text for s in found if s.kind == "author"}
        assert authors == {"雷军", "李娟", "刘杰"}  # 李娟、刘杰 is two people
        assert len(found) <= 8


def test_英文单词不会被改写成中文(names, client_for):
    client = client_for(names)
    page = client.get("/search", query_string={"q": "apple"})
    assert page.status_code == 200 and 'value="apple"' in page.text
    apple = client.get("/api/search", query_string={"q": "apple"}).get_json()
    assert apple["query"] == "apple"
    assert [h["title"] for h in apple["hits"]] == ["Apple Watch 新品评测"]
    # pinyin typed and submitted is searched as typed: a suggestion must be chosen
    leijun = client.get("/api/search", query_string={"q": "leijun"}).get_json()
    assert leijun["query"] == "leijun" and leijun["total"] == 0
    with Archive(names) as archive:
        assert ("tag", "apple") in offered(archive, "apple")  # the archive's own word


# -- 4. suggestions beyond titles ---------------------------------------------------------

def test_作者来源标签词语和标题按类分组_带篇数(names):
    with Archive(names) as archive:
        found = archive.suggestions("电动")
        assert [s.kind for s in found] == sorted((s.kind for s in found), key=KINDS.index)
        assert ("tag", "电动汽车", 2) in [(s.kind, s.text, s.count) for s in found]
        assert ("word", "电动汽车", 2) in [(s.kind, s.text, s.count) for s in found]
        found = archive.suggestions("小米")
        titles = [s for s in found if s.kind == "title"]
        assert [(s.text, s.article) for s in titles] == [
            ("小米汽车发布会现场直击", archive.search("title:小米汽车").hits[0].id)]


def test_常用词按拼音前缀提示(names):
    with Archive(names) as archive:
        words = [s for s in archive.suggestions("dianxing") if s.kind == "word"]
        assert words == []  # nothing of the archive is read so
        words = [(s.text, s.query) for s in archive.suggestions("diandong")
                 if s.kind == "word"]
        assert ("电动汽车", "电动汽车") in words


def test_半截输入和怪字符都不出错(names):
    with Archive(names) as archive:
        for typed in ['"', "-", "author:", "OR", "'", "　", "\U0010ffff", "\ud7ff", "a" * 500,
                      "%_", "雷\ud7ff"]:
            assert len(archive.suggestions(typed)) <= 8, typed


def test_提示随文章增删改而更新(names, wenhai, tmp_path):
    copy = tmp_path / "names.jsonl"
    lines = copy.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[3])
    changed["author"] = "单口相声"  # the article of 单田芳 now names someone else
    changed["content"] += "\n改过的内容。"
    lines[3] = json.dumps(changed, ensure_ascii=False)
    copy.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # and the first is gone
    assert wenhai("ingest", copy).exit_code == 0
    with Archive(names) as archive:
        assert ("author", "单田芳") not in offered(archive, "stf")
        assert [(s.text, s.count) for s in archive.suggestions("雷军")
                if s.kind == "author"] == [("雷军", 1)]
        assert ("title", "小米汽车发布会现场直击") not in offered(archive, "小米汽车")
        assert [s.count for s in archive.suggestions("xhs") if s.kind == "source"] == [2]


def test_重建索引时提示表也从文章重建(names):
    with Archive(names) as archive:
        before = offered(archive, "dd")
        with archive.writing(rebuilding=True, jobs=1):
            archive.db.execute("DELETE FROM suggestions WHERE value = '雷军'")  # lost somehow
            archive.db.execute("UPDATE suggestions SET count = 9 WHERE value = '新华社'")
            archive.reindex()
    with Archive(names) as archive:
        assert offered(archive, "dd") == before and ("word", "电动汽车") in before
        assert [(s.text, s.count) for s in archive.suggestions("lj") if s.kind == "author"][0] \
            == ("雷军", 2)
        assert [s.count for s in archive.suggestions("xhs") if s.kind == "source"] == [3]


def test_旧档案打开时在写锁下补上提示表(names):
    db = sqlite3.connect(names / "archive.db")
    db.executescript("DROP TABLE suggestions;")  # as an archive made before it was
    db.close()
    with Archive(names) as archive:  # the reader has it upgraded, holding the write lock
        assert ("author", "雷军") in offered(archive, "leijun")
        assert ("word", "电动汽车") in offered(archive, "diandong")
        assert ("title", "重庆轻轨穿楼而过") in offered(archive, "cqqg")


def test_早期版本的档案也有名字提示(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(ROOT / "tests" / "archives" / "before-layout", home)
    with Archive(home) as archive:  # its index must be rebuilt; the table is the store's
        found = suggestions.candidates(archive.db, "taibei", 8)
        assert ("title", "臺北捷運新線通車首日 乘客體驗無人駕駛") in [
            (c.suggestion.kind, c.suggestion.text) for c in found]


def test_查提示走索引_不扫全表(names):
    with Archive(names) as archive:
        plans = []
        real = archive.db

        class Explaining:
            def execute(self, sql, args=()):
                if sql.lstrip().startswith("SELECT"):
                    plans.append(" ".join(r[3] for r in real.execute(
                        "EXPLAIN QUERY PLAN " + sql, args)))
                return real.execute(sql, args)

        suggestions.candidates(Explaining(), "lj", 8)
        suggestions.candidates(Explaining(), "雷", 8)
        assert plans and all("USING INDEX" in p and "SCAN" not in p for p in plans), plans


# -- the API ------------------------------------------------------------------------------

def test_接口带上类别_篇数和检索式(names, client_for):
    client = client_for(names)
    data = client.get("/api/suggest", query_string={"q": "lj"}).get_json()
    assert data["query"] == "lj"
    first = data["suggestions"][0]
    assert first == {"kind": "author", "text": "雷军", "count": 2, "query": "author:雷军"}
    title = next(s for s in client.get("/api/suggest?q=小米汽车").get_json()["suggestions"]
                 if s["kind"] == "title")
    assert isinstance(title["id"], int) and title["title"] == title["text"] == title["query"]
    browsers = client.get("/api/suggest?q=xhs&format=opensearch").get_json()
    assert browsers[0] == "xhs" and "source:新华社" in browsers[1]


def test_只输一个字母时单字名不算完全相同(tmp_path):
    from store import Article

    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=1):
        for i, author in enumerate(["摘", "张三", "张三", "张三"]):
            a = Article(title=f"第{i}篇", body=f"第{i}篇的正文。", author=author, original=b"x")
            archive.store_file(f"/t/{i}.txt", 1, 1, f"h{i}", [a])
        archive.sync_index()
    with Archive(home) as archive:
        assert [s.text for s in archive.suggestions("z") if s.kind == "author"] == ["张三", "摘"]
        assert [s.text for s in archive.suggestions("zhai") if s.kind == "author"] == ["摘"]
