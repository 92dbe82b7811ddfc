"""Turning the sample files into articles: metadata, boilerplate, headings."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.boilerplate import matching_rule
from indexer.ingest import read_articles

from .conftest import SAMPLES


def read(name: str):
    path = SAMPLES / name
    good, bad = read_articles(path.read_bytes(), str(path))
    assert not bad
    return good


def test_netease_post_metadata_and_boilerplate():
    (a,) = read("xiaomi_carbon_hood.txt")
    assert a.title == "碳纤维机盖风波之后，车主还信发布会吗？"
    assert (a.author, a.source) == ("林舟", "汽车前哨")
    assert a.provenance == {"title": "first line", "author": "byline", "source": "byline"}
    for gone in ("回复汽车领取", "作者 |", "![]()", "图源", "精彩不停", "添加备注", "尽在【", "特别声明", "Notice:"):
        assert gone not in a.body, gone
    assert "售价4.2万元的碳纤维机盖" in a.body
    headings = [p for p, is_heading in a.paragraphs() if is_heading]
    assert headings == ["一块机盖引发的争议", "法庭上的84页材料", "信任才是最贵的选装件"]
    assert b"\xe7\x89\xb9\xe5\x88\xab\xe5\xa3\xb0\xe6\x98\x8e" in a.original  # 特别声明 kept in the original


def test_gb18030_news_with_source_author_date_byline():
    (a,) = read("jiangcheng_bridge_gb18030.txt")
    assert a.encoding == "gb18030"
    assert a.title == "长江大桥夜间限行方案公布"
    assert (a.author, a.source, a.published) == ("周敏", "江城晚报", dt.date(2024, 3, 5))


def test_big5_article_keeps_traditional_text():
    (a,) = read("taipei_metro_big5.txt")
    assert a.encoding == "big5"
    assert a.title == "臺北捷運新線通車首日 乘客體驗無人駕駛"
    assert "無人駕駛系統" in a.body


def test_markdown_front_matter_and_headings():
    (a,) = read("tea_notes.md")
    assert (a.title, a.author, a.source, a.published) == (
        "武夷岩茶入门笔记", "陈清", "个人笔记", dt.date(2023, 11, 18))
    assert a.provenance["title"] == "front matter"
    headings = [p for p, is_heading in a.paragraphs() if is_heading]
    assert headings == ["什么是岩茶", "冲泡要点", "我的体会"]
    assert "# " not in a.body


def test_html_page_main_text_without_navigation_ads_or_scripts():
    (a,) = read("harbor_robots.html")
    assert (a.title, a.author, a.source, a.published) == (
        "港口无人集卡规模化上岗", "郑海", "海岸日报", dt.date(2024, 6, 12))
    assert "无人驾驶集装箱卡车" in a.body
    for gone in ("登录", "空调大促", "tracking", "相关阅读", "版权所有"):
        assert gone not in a.body, gone
    assert ("效率提升两成", True) in a.paragraphs()


def test_jsonl_export_gives_one_article_per_line():
    first, second = read("wechat_export.jsonl")
    assert (first.title, first.author, first.source, first.published, first.url) == (
        "社区食堂开到了家门口", "吴桐", "城市生活周刊", dt.date(2024, 9, 2),
        "https://example.com/canteen")
    assert second.title == "旧厂房变身城市书房"


def test_jsonl_bad_line_is_reported_and_the_rest_kept():
    data = (
        '{"title": "好文章", "content": "这一篇可以读。"}\n'
        '{"title": "坏行", "content": \n'
        '{"title": "没有正文"}\n'
    ).encode()
    good, bad = read_articles(data, "export.jsonl")
    assert [a.title for a in good] == ["好文章"]
    assert [e.reason for e in bad] == [
        "line 2 is not valid JSON (Expecting value)",
        "line 3 has no text: expected one of the keys content/text/body/article",
    ]


@pytest.mark.parametrize(
    ("line", "removes"),
    [
        ("![]()", "image placeholder"),
        ("图源:小红书", "image credit"),
        ("回复电商领取《1000份干货》", "promo: reply for a gift"),
        ("点击上方蓝字关注我们", "promo: follow the account"),
        ("【添加备注:进群】", "promo: add a note to join"),
        ("最新电商行业资讯,尽在【Top电商】↓↓↓", "promo: more news here"),
        ("阅读原文", "promo: read the original"),
        ("END", "end marker"),
        ("责任编辑：王小明", "editor line"),
        ("特别声明:以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布", "网易号 disclaimer"),
        ("Notice: The content above (including the pictures) is uploaded by a user of NetEase Hao", "网易号 English disclaimer"),
        ("喜欢此内容的人还喜欢", "公众号 recommended reading"),
    ],
)
def test_boilerplate_rule(line, removes):
    rule = matching_rule(line)
    assert rule is not None and rule.removes == removes


def test_ordinary_sentences_are_not_boilerplate():
    for line in ("小米法务背刺雷军", "雷军说，这是整个体系能力被市场检验后的结果。", "图书馆今天开门"):
        assert matching_rule(line) is None
