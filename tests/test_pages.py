"""Saved web pages: the headline as title, the writer as author, the article without
its teasers — what a reader sees after a real ingest into a real archive.

The pages in `fixtures/pages` are written in the shapes of real portals' pages (China
Youth Online's editor in `<meta name="author">`, a financial site's `字号` widget and
`2909` channel code beside a 北京商报 dateline, Yahoo HK's stream of teasers, ETtoday's
and CNA's bylines); `bench/extraction.py` scores the real pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.ingest import ingest
from indexer.reading import read_articles
from store import Archive

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    home = tmp_path_factory.mktemp("pages") / "home"
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, sorted(PAGES.iterdir()))
    with Archive(home) as archive:
        yield archive


def shown(archive: Archive, typed: str):
    (hit,) = archive.search(typed).hits
    return archive.get(hit.id)


@pytest.mark.parametrize("headline, typed", [
    ("江城高校学生看两会：毕业前后关注点大不同", "教育频道"),
    ("5月LPR按兵不动：1年期为3.45%", "江城财经网"),
    ("平鎮輪胎行惡火 疏散7人1女命喪", "中央社 CNA"),
    ("客運司機車禍致人於死 心情鬱悶陽台上吊", "ETtoday社會新聞"),
])
def test_the_title_is_the_headline_and_the_full_title_is_still_found(archive, headline,
                                                                      typed):
    article = shown(archive, f'"{typed}"')
    assert article.title == headline
    assert typed in article.extra["page_title"]


def test_an_editor_in_the_author_tag_is_the_editor_and_is_found(archive):
    article = shown(archive, "周敏")
    assert article.title == "江城高校学生看两会：毕业前后关注点大不同"
    assert article.author is None  # 青网校园周敏: the page says 责任编辑：周敏
    assert article.extra["editor"] == "周敏"


def test_the_dateline_reporters_are_the_authors_and_junk_is_dropped(archive):
    article = shown(archive, "岳品瑜")
    assert article.title == "5月LPR按兵不动：1年期为3.45%"
    assert article.author == "岳品瑜、董晗萱"  # not 2909 (a channel code), not 字号
    assert article.source == "北京商报"
    assert article.extra["editor"] == "文静"
    assert archive.search("董晗萱").total == 1 and archive.search("author:董晗萱").total == 1
    assert archive.search("2909").total == 0
    assert article.body.startswith("5月20日，新一期贷款市场报价利率")


def test_other_stories_teasers_are_not_the_article(archive):
    article = shown(archive, "製造業景氣判斷指數")
    assert article.title == "日本企業5月信心保持穩定 但日圓疲弱推高成本"
    assert article.body.endswith("5月製造業景氣判斷指數維持在正9。")
    assert archive.search("強積金").total == 0  # a teaser of another story
    assert archive.search("好姊妹").total == 0


def test_dated_ad_links_go_and_the_articles_credit_line_stays(archive):
    article = shown(archive, "腊八粥")
    assert article.body.endswith("红糖还有暖身的作用。\n江城健康网专稿，未经书面授权请勿转载。")
    assert archive.search("胎记").total == 0 and archive.search("试管婴儿").total == 0


def test_a_hot_list_its_heading_and_the_next_story_go(archive):
    article = shown(archive, "直升机")
    assert article.body.endswith("“所以这似乎是一场事故”。")
    assert (article.author, article.source) == (None, "中国新闻网")  # an outlet, not a writer
    assert "快资讯" not in article.body  # still in its <title>: page_title finds it
    for gone in ("楼市", "春晚"):
        assert archive.search(gone).total == 0, gone


def test_taiwan_reporter_credit_is_the_author_and_the_facebook_page_is_not(archive):
    article = shown(archive, "林悅")
    assert (article.author, article.source, article.published) == (
        "林悅", "ETtoday新聞雲", dt.date(2017, 12, 9))
    assert article.extra["location"] == "南市"
    assert "記者林悅" not in article.body and "版權所有" not in article.body
    assert "►" not in article.body


def test_cna_wire_dateline_and_expired_notice(archive):
    article = shown(archive, "邱俊欽")
    assert (article.author, article.source) == ("邱俊欽", "中央社 CNA")
    assert article.extra["dateline"] == "中央社記者邱俊欽桃園19日電"
    assert article.extra["editor"] == "李四"
    assert archive.search("李四").total == 1
    assert "查詢時效" not in article.body
    assert article.body.startswith("桃園市平鎮區一間輪胎行")


def test_a_list_page_is_stored_with_a_note_not_as_an_article(archive):
    article = shown(archive, "国内新闻")
    assert article.extra["page_note"].startswith("not an article: nearly all its text is links")


def test_a_video_page_without_text_is_stored_by_its_description_with_a_note(archive):
    article = shown(archive, "搬运工人")
    assert article.title == "《江城故事》第一集：老码头的清晨"
    assert article.body.startswith("纪录片《江城故事》第一集带观众走进老码头")
    assert article.extra["page_note"].startswith("not an article: the page has no text")


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍"
names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES),
                  st.text(alphabet=GIVEN, min_size=1, max_size=2))
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>江城今夏首场暴雨过后道路积水迅速退去_江城新闻网</title>
<meta name="author" content="{meta}"></head><body>
<h1>江城今夏首场暴雨过后道路积水迅速退去</h1>
<div class="content">
<p>{opening}昨夜江城迎来今夏首场暴雨，主城区多条道路一度积水，排水部门连夜出动抢险。</p>
<p>今天早上，记者在老城区看到，积水已经基本退去，公交和地铁运行恢复正常。</p>
<p>气象部门提醒，未来三天仍有阵雨，市民出行请注意安全，尽量避开低洼路段。{closing}</p>
</div>
<p class="editor">{editor_line}</p>
</body></html>"""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reporter=names, editor=names, meta=st.one_of(names, st.sampled_from(
    ["字号", "2909", "江城新闻网", "https://www.facebook.com/jiangcheng"])),
       opening=st.sampled_from(["本报讯（记者{r}）", "江城日报讯（记者 {r}）",
                                "新华社江城5月12日电（记者{r}）", "记者{r}／江城报导",
                                "（中央社記者{r}台北19日電）", "（{r}／台中報導）"]),
       editor_line=st.sampled_from(["责任编辑：{e}", "（编辑：{e}）", "【责任编辑：{e}】"]))
def test_ingest_never_loses_a_name_the_page_text_holds(reporter, editor, meta, opening,
                                                       editor_line):
    credit = opening.format(r=reporter)
    closing = opening.startswith("（{r}／")  # a report credit closing the text
    page = PAGE.format(meta=meta, opening="" if closing else credit,
                       closing=credit if closing else "",
                       editor_line=editor_line.format(e=editor))
    if opening.startswith("记者"):  # a Taiwan credit is a line of its own
        page = page.replace(f"<p>{credit}", f"<p>{credit}</p>\n<p>")
    (article,), errors = read_articles(page.encode(), "page.html")
    assert not errors
    said = [article.title, article.body, article.author or "", article.source or "",
            *article.extra.values()]
    for name in (reporter, editor):
        assert any(name in value for value in said), (name, article)
    assert reporter in (article.author or "")
    if meta in ("字号", "2909") or meta.startswith("http"):
        assert meta not in (article.author or "")
    elif meta != "江城新闻网":  # a person named by the markup stays findable too
        assert any(meta in value for value in said), (meta, article)


def test_an_editor_with_a_rare_character_is_kept():
    page = PAGE.format(meta="新华网", opening="新华社乌鲁木齐5月9日电（记者邹伟）",
                       closing="", editor_line="【责任编辑:王頔】")
    (article,), _ = read_articles(page.encode(), "page.html")
    assert (article.author, article.source) == ("邹伟", "新华社")
    assert article.extra["editor"] == "王頔"  # normalized, 頔 is U+2CC56, past \u9fff


def test_a_byline_beside_an_author_the_file_states_is_kept():
    text = ("作者: 王芳\n\n本报讯（记者 李强 通讯员 赵敏）昨天，江城首座立体停车楼投入使用，"
            "可停放小汽车四百余辆。\n\n停车楼采用智能引导系统，车主可以在手机上预约车位。\n")
    (article,), _ = read_articles(text.encode(), "note.txt")
    assert article.author == "王芳"  # the file's own header is not overruled
    assert article.extra["byline_author"] == "李强"
    assert article.extra["correspondent"] == "赵敏"


def test_the_reader_shows_the_headline_the_editor_and_no_false_author(archive):
    from lxml import html as lxml_html

    from web import create_app

    client = create_app({"WENHAI_HOME": str(archive.home), "TESTING": True}).test_client()
    (hit,) = archive.search("周敏").hits
    page = lxml_html.fromstring(client.get(f"/articles/{hit.id}").get_data(as_text=True))
    assert page.findtext(".//h1") == "江城高校学生看两会：毕业前后关注点大不同"
    assert "周敏" not in page.xpath("string(//p[@class='meta'])")  # not shown as author
    shown_extra = {dt.text_content(): dt.getnext().text_content()
                   for dt in page.xpath("//dl[contains(@class, 'extra')]//dt")}
    assert shown_extra["editor"] == "周敏"
    assert shown_extra["page_title"].endswith("_教育频道_江城青年网")
