"""Everything a file says is findable: values moved out of the text, every copy's title.

Real files through `indexer` into a real archive, searched as a reader types.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.ingest import ingest
from store import Archive

FILES = Path(__file__).resolve().parent / "fixtures" / "findable"


@pytest.fixture
def archive(tmp_path) -> Archive:
    home = tmp_path / "home"
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, sorted(FILES.iterdir()))
    with Archive(home) as archive:
        yield archive


@pytest.mark.parametrize("typed", ["邵莉媛", "王伟勋", "陈英杨亮", "伤亡不详", "突发爆炸"])
def test_names_and_titles_moved_out_of_the_text_are_found(archive, typed):
    (hit,) = archive.search(typed).hits
    article = archive.get(hit.id)
    assert article.title == "河北唐山丰润燕子河发生爆炸"
    assert typed not in article.body  # cut from the text, kept in `extra`
    assert archive.search(f"extra:{typed}").total == 1


def test_the_extra_field_is_searched_only_when_asked_by_name(archive):
    assert archive.search("editor 邵莉媛").total == 0  # no such word anywhere
    assert archive.search("title:邵莉媛").total == 0
    assert archive.search("author:王芳").total == 1 and archive.search("extra:王芳").total == 0


@pytest.mark.parametrize("typed", ["行编辑器EX(1)", "VIM(1)", "ex", "vim", "title:行编辑器"])
def test_every_title_and_file_name_of_a_text_saved_twice_finds_it(archive, typed):
    (hit,) = archive.search(typed).hits
    article = archive.get(hit.id)
    assert article.title == "行编辑器EX(1)"  # the text's first file (ex.1.txt), stored once
    assert article.titles == ["VIM(1)"]
    assert sorted(Path(p).name for p in article.paths) == ["ex.1.txt", "vim.1.txt"]


def test_the_reader_shows_the_other_titles_and_every_file(archive, tmp_path):
    from web import create_app

    client = create_app({"WENHAI_HOME": str(archive.home), "TESTING": True}).test_client()
    (hit,) = archive.search("VIM(1)").hits
    page = client.get(f"/articles/{hit.id}").get_data(as_text=True)
    assert "行编辑器EX(1)" in page and "vim.1.txt" in page and "ex.1.txt" in page
    assert client.get(f"/api/articles/{hit.id}").get_json()["titles"] == ["VIM(1)"]


def test_a_copy_saved_later_under_another_title_is_found_by_it(archive, tmp_path):
    later = tmp_path / "转载版本.txt"
    later.write_text("文本编辑器再发布\n\n" + (FILES / "vim.1.txt").read_text(
        encoding="utf-8").split("\n", 2)[2], encoding="utf-8")
    with Archive(archive.home) as writer, writer.writing(jobs=1):
        assert ingest(writer, [later]).duplicate == 1
    assert archive.search("文本编辑器再发布").total == 1
    assert archive.search("转载版本").total == 1  # the file's name


def test_a_passage_typed_without_its_punctuation_ranks_its_article_first(archive):
    # The statute has a comma (and a full-width space nearby) inside the passage; five
    # other articles have all its words apart.
    found = archive.search("的事项或者行政机关认为需", per_page=10, reposts="all")
    assert found.total >= 6
    assert found.hits[0].title == "行政许可听证程序规定"
    assert "<mark>的事项，或者行政机关认为需</mark>" in str(found.hits[0].snippet)
    found = archive.search("许可应当听证的事项或者行政机关")
    assert found.hits[0].title == "行政许可听证程序规定"


@pytest.mark.parametrize("typed", ["小米第三季度财报显示", "小米汽车回应称", '"小米汽车回应称"'])
def test_stray_spaces_in_the_text_count_for_nothing(archive, typed):
    found = archive.search(typed)
    assert [hit.title for hit in found.hits] == ["小米第三季度财报出炉"]
    assert ("<mark>小米 第三季度财报 显示</mark>" in str(found.hits[0].snippet)
            or "<mark>小米汽车 回应 称</mark>" in str(found.hits[0].snippet))


def test_snippets_show_the_string_and_never_its_single_characters_alone(archive):
    found = archive.search("的经营管", reposts="all", per_page=20)
    first = str(found.hits[0].snippet)
    assert found.hits[0].title == "企业的经营管理之道" and "<mark>的经营管</mark>" in first
    assert "<mark>的</mark>" not in first and "<mark>管</mark>" not in first
    for hit in found.hits[1:]:  # the words apart: 经营, not every 的 of the page
        assert "<mark>的</mark>" not in str(hit.snippet), hit.title
        assert "<mark>经营</mark>" in str(hit.snippet) or "<mark>" not in str(hit.snippet)


def test_words_apart_rank_the_article_with_them_close_together_first(tmp_path):
    filler = "。城市的道路与桥梁正在改造，居民出行更加方便了。"
    far = ("港口" + filler + "茶叶" + filler) * 4  # both words often, never close
    near_text = filler * 8 + "据介绍，港口与茶叶贸易的关系由来已久。" + filler * 8
    home = tmp_path / "home"
    (tmp_path / "far.txt").write_text(f"远\n\n{far}\n", encoding="utf-8")
    (tmp_path / "near.txt").write_text(f"近\n\n{near_text}\n", encoding="utf-8")
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, [tmp_path / "far.txt", tmp_path / "near.txt"])
    with Archive(home) as archive:
        found = archive.search("港口茶叶")
        assert [hit.title for hit in found.hits] == ["近", "远"]
        assert found.hits[0].score < found.hits[1].score  # BM25 alone would put 远 first


def test_words_three_characters_apart_are_close_and_four_are_not(tmp_path):
    # The longer the text, the lower its BM25 score: here the closer the words, the
    # longer the article, so only nearness can put the close ones first.
    filler = "城市道路桥梁改造居民"
    for k in range(9):
        text = f"据介绍，港口{filler[:k]}茶叶贸易由来已久。" + "其他内容。" * (9 - k)
        (tmp_path / f"{k}.txt").write_text(f"第{k}篇\n\n{text}\n", encoding="utf-8")
    home = tmp_path / "home"
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, sorted(tmp_path.glob("*.txt")))
    with Archive(home) as archive:
        titles = [hit.title for hit in archive.search("港口茶叶", reposts="all").hits]
    assert titles[0] == "第0篇"  # the exact phrase
    assert titles[1:4] == ["第3篇", "第2篇", "第1篇"]  # close: by score among themselves
    assert titles[4:] == ["第8篇", "第7篇", "第6篇", "第5篇", "第4篇"]


def test_a_term_with_a_word_of_no_letter_or_character_ranks_the_rest(tmp_path):
    # jieba gives α and の as words, which the grams do not index: nearness skipped them
    # only after this crashed every search with such a word and articles apart.
    home = tmp_path / "home"
    (tmp_path / "a.txt").write_text("粒子\n\nα粒子的研究取得进展。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("研究\n\n粒子物理与α射线的研究。\n", encoding="utf-8")
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, [tmp_path / "a.txt", tmp_path / "b.txt"])
    with Archive(home) as archive:
        assert [h.title for h in archive.search("α粒子的研究", reposts="all").hits][:1] == ["粒子"]
        assert archive.search("東京の粒子研究").total >= 0
        assert archive.matching_ids("α粒子的研究")
