"""Turning the sample files into articles: metadata, boilerplate, headings."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html as lxml_html

from indexer import jsonld
from indexer.boilerplate import matching_rule
from indexer.ingest import read_articles

from .conftest import FIXTURES, SAMPLES


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
    for gone in ("回复汽车领取", "作者 |", "![]()", "图源", "精彩不停", "添加备注", "尽在【",
                 "特别声明", "Notice:"):
        assert gone not in a.body, gone
    assert "售价4.2万元的碳纤维机盖" in a.body
    headings = [p for p, is_heading in a.paragraphs() if is_heading]
    assert headings == ["一块机盖引发的争议", "法庭上的84页材料", "信任才是最贵的选装件"]
    # 特别声明 kept in the original
    assert b"\xe7\x89\xb9\xe5\x88\xab\xe5\xa3\xb0\xe6\x98\x8e" in a.original


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
        ("特别声明:以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布",
         "网易号 disclaimer"),
        ("Notice: The content above (including the pictures) is uploaded by a user of NetEase Hao",
         "网易号 English disclaimer"),
        ("喜欢此内容的人还喜欢", "公众号 recommended reading"),
        ("预览时标签不可点", "公众号 label note"),
        ("微信扫一扫关注该公众号", "公众号 scan to follow"),
        ("微信扫一扫", "公众号 scan to follow"),
        ("关注该公众号", "公众号 scan to follow"),
        ("继续滑动看下一个", "公众号 swipe for next"),
        ("向上滑动看下一个", "公众号 swipe for next"),
        ("轻触阅读原文", "公众号 tap to read the original"),
        ("分享 收藏 点赞 在看", "公众号 action bar"),
        ("阅读 10万+ 在看", "公众号 action bar"),
        ("本文由厨房小记原创，未经授权禁止转载。", "头条号 original-content notice"),
        ("举报", "report button"),
        ("编辑于 2024-03-05 10:02", "知乎 edited date"),
        ("编辑于 2024-03-05 10:02・IP 属地浙江", "知乎 edited date"),
        ("发布于 2024-03-05 10:02", "知乎 published date"),
        ("著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。",
         "知乎 copyright notice"),
        ("收起全文d", "微博 expand/collapse"),
        ("展开全文", "微博 expand/collapse"),
        ("看到了成群的白鹭...展开全文c", "微博 expand link"),
        ("返回搜狐，查看更多", "搜狐 back-to-home link"),
        ("特别声明：本文为江城网转载，仅代表作者观点。", "disclaimer"),
        ("免责声明：本文仅供参考，不构成投资建议。", "disclaimer"),
        ("（来源：江城晚报）", "source footer"),
        ("本文来自腾讯新闻客户端自媒体，不代表腾讯新闻的观点和立场。",
         "腾讯新闻 self-media notice"),
        ("海量资讯、精准解读，尽在新浪财经APP", "新浪 app promo"),
        ("原标题：江城大桥今起夜间限行", "original title of a repost"),
        ("（原标题：江城大桥今起夜间限行）", "original title of a repost"),
    ],
)
def test_boilerplate_rule(line, removes):
    rule = matching_rule(line)
    assert rule is not None and rule.removes == removes


@pytest.mark.parametrize(
    "line",
    [
        "小米法务背刺雷军",
        "雷军说，这是整个体系能力被市场检验后的结果。",
        "图书馆今天开门",
        "越来越多的读者关注我们的调查报道。",
        "编辑于是连夜改稿，第二天一早送去印厂。",
        "他举报了这家工厂偷排污水的行为。",
        "这本书我读了三遍，每一遍都想收起全文里的那些叹息。",
        "分享经验比收藏文章更重要。",
        "本文由三位记者共同采写。",
        "特别声明的是，这些数据仅来自一个城市。",
        "来源：江城晚报记者走访了十个社区，发现了三个问题。",
        "著作权归属问题至今没有定论。",
        "继续滑动屏幕，就能看到下一张照片。",
        "原标题被改掉以后，读者反而更多了。",
        "本文来自一位读者的投稿。",
        "新浪和腾讯都发布了季度财报。",
        "编辑：这是一个非常长的句子，里面有逗号，说明它是正文而不是编辑署名。",
    ],
)
def test_ordinary_sentences_are_not_boilerplate(line):
    assert matching_rule(line) is None


def fixture(name: str):
    path = FIXTURES / name
    good, bad = read_articles(path.read_bytes(), str(path))
    assert not bad
    (a,) = good
    return a


def test_wechat_post_header_gives_author_account_date_and_place():
    a = fixture("wechat_rain_garden.txt")
    assert a.title == "老城区的雨水花园"  # not the 点击上方蓝字关注我们 promo above it
    assert (a.author, a.source, a.published) == ("许晴", "城市绿意", dt.date(2025, 10, 18))
    assert a.extra == {"location": "上海"}
    assert a.provenance["source"] == "wechat header"
    assert a.body.startswith("入秋以后")
    for gone in ("原创", "文 |", "预览时标签", "扫一扫", "关注该公众号", "滑动看下一个",
                 "轻触阅读原文", "在看"):
        assert gone not in a.body, gone
    assert [p for p, is_heading in a.paragraphs() if is_heading] == [
        "花园是怎么建起来的", "居民怎么说"
    ]


def test_xinhua_dateline_is_cut_from_the_first_sentence_and_dated_by_the_year_in_the_text():
    a = fixture("xinhua_year_end.txt")
    assert (a.author, a.source, a.published) == ("王芳", "新华社", dt.date(2023, 12, 31))
    assert a.extra == {"dateline": "新华社北京12月31日电", "location": "北京", "editor": "刘洋"}
    assert a.provenance["editor"] == "editor line"
    assert a.body.split("\n")[0] == "记者从国家铁路集团获悉，今年全国铁路累计发送旅客再创新高。"
    assert "责任编辑" not in a.body


def test_full_width_dateline_with_no_year_anywhere_leaves_the_date_unset():
    a = fixture("benbao_fullwidth.txt")
    assert a.published is None
    assert a.extra == {"dateline": "本报北京１月２０日讯", "location": "北京"}
    assert a.source == "江城晚报" and a.provenance["source"] == "source footer"
    assert a.body.startswith("今天上午，江城地铁三号线正式开通运营")
    assert "来源" not in a.body


def test_news_flash_credits_and_portal_footers():
    a = fixture("jiangcheng_flash.txt")
    assert (a.author, a.source) == ("陈默", "江城网")
    assert a.extra == {"correspondent": "赵亮"}
    assert a.body.startswith("经过半年的改造")
    for gone in ("网讯", "通讯员", "特别声明", "返回搜狐", "平台声明"):
        assert gone not in a.body, gone


def test_zhihu_answer_keeps_author_and_edit_date_and_drops_the_copyright_notice():
    a = fixture("zhihu_answer.txt")
    assert (a.title, a.author) == ("为什么老房子的墙那么厚？", "沈砚")
    assert a.extra == {"edited": "2024-03-05"}
    assert "编辑于" not in a.body and "著作权" not in a.body
    assert a.body.endswith("只能靠加厚来保证安全。")


def test_weibo_expand_and_collapse_links_go_and_the_post_stays():
    a = fixture("weibo_long_post.txt")
    # a post has no title: the file name, not its first sentence
    assert a.title == "weibo_long_post"
    assert a.body == ("周末带孩子去了郊外的湿地公园，看到了成群的白鹭在浅滩上觅食。\n"
                      "公园里的木栈道修得很好，推着婴儿车也能走完全程。")


def test_toutiao_notice_and_report_button_go():
    a = fixture("toutiao_recipe.txt")
    assert a.title == "家常红烧肉的三个窍门"
    assert "原创" not in a.body and "举报" not in a.body
    assert len(a.paragraphs()) == 3


def test_title_falls_back_to_the_file_name_when_the_first_line_is_a_sentence():
    good, _ = read_articles("今天的雨下了一整天，路上几乎没有行人。\n傍晚时分才放晴。".encode(),
                            "notes/雨天随记.txt")
    assert good[0].title == "雨天随记"


def test_html_metadata_from_json_ld_when_the_page_has_no_meta_tags():
    a = fixture("jsonld_news.html")
    assert (a.title, a.author, a.source, a.published) == (
        "江城启用首批智能垃圾分类站", "梁晓、何川", "江城新闻网", dt.date(2024, 7, 16))
    assert a.provenance["title"] == a.provenance["author"] == a.provenance["source"] == "json-ld"
    assert a.body.startswith("本周一，江城首批四十座智能垃圾分类站")
    assert "登录" not in a.body and "版权所有" not in a.body


def test_json_ld_graph_with_plain_string_publisher():
    page = lxml_html.fromstring(
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "站点"},'
        ' {"@type": ["NewsArticle"], "headline": "夜市重开", "author": "梁晓",'
        ' "datePublished": "2024-07-16", "publisher": "江城新闻网"}]}'
        "</script></head><body><p>正文</p></body></html>"
    )
    assert jsonld.metadata(page) == {
        "title": "夜市重开", "author": "梁晓", "published": "2024-07-16", "source": "江城新闻网"}


def test_header_and_front_matter_titles_win_over_the_first_line():
    good, _ = read_articles(
        "Title: 真正的标题\n\n看起来像标题的第一行\n正文在这里，写得很长很长。".encode(), "a.txt"
    )
    assert good[0].title == "真正的标题" and good[0].provenance["title"] == "header"
    assert good[0].body.startswith("看起来像标题的第一行")


def test_zhihu_published_line_gives_the_date():
    text = ("老房子为什么冬暖夏凉\n厚墙本身就是保温层，靠的是墙体的热惰性。\n"
            "发布于 2024-03-05 10:02・IP 属地浙江\n")
    (a,), _ = read_articles(text.encode(), "zhihu.txt")
    assert a.published == dt.date(2024, 3, 5) and a.provenance["published"] == "知乎 published date"
    assert a.body == "厚墙本身就是保温层，靠的是墙体的热惰性。"


def test_wenhai_show_lists_extra_metadata_with_its_origin(wenhai, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "year_end.txt").write_bytes((FIXTURES / "xinhua_year_end.txt").read_bytes())
    assert wenhai("ingest", folder).exit_code == 0
    shown = wenhai("show", "1").stdout.splitlines()
    assert "editor: 刘洋  (from editor line)" in shown
    assert "location: 北京  (from dateline)" in shown
    assert "dateline: 新华社北京12月31日电  (from dateline)" in shown
    assert "published: 2023-12-31  (from dateline)" in shown


def test_one_paragraph_posts_keep_their_text():
    # A short post whose only line is also its title (common in scraped news and Weibo).
    good, bad = read_articles(
        "Title: 谁知道哪里可以补办手机卡\n\n谁知道哪里可以补办手机卡\n".encode(), "q.txt"
    )
    assert not bad and good[0].body == "谁知道哪里可以补办手机卡"
    good, bad = read_articles("狗年第一条微博，只有去年的照片了\n".encode(), "post.txt")
    assert not bad and good[0].body == "狗年第一条微博，只有去年的照片了"


def test_a_long_one_line_article_ending_in_a_promo_phrase_is_kept():
    text = ("2018年5月23日，省侨联主席一行赴厦门调研创新创业服务联系点。" * 8
            + "欢迎扫码关注我们的公众号。")
    good, bad = read_articles(f"Title: 侨联调研\n\n{text}\n".encode(), "long.txt")
    assert not bad and good[0].body.startswith("2018年5月23日")


def test_a_long_line_starting_with_a_promo_phrase_is_article_text():
    text = ("点击上方“合肥海事”关注我们夏天到了，水上活动少不了安全知识。"
            + "海事人员走进学校讲解水上安全。" * 15)
    good, bad = read_articles(f"Title: 水上安全进校园\n\n{text}\n".encode(), "glued.txt")
    assert not bad and "海事人员走进学校" in good[0].body
