"""Turning the sample files into articles: metadata, boilerplate, headings."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from lxml import html as lxml_html

from indexer import boilerplate, jsonld, metadata
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
        "line 3 has no text: its keys are title; wenhai takes the text from the key content, "
        "text, body, article, content_text, 正文 or 内容",
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
        ("分享到：", "share widget"),
        ("Copyright © 2000 - 2024 HE.NEWS.CN All Rights Reserved.", "copyright footer"),
        ("版权所有：新华网股份有限公司", "copyright footer"),
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
        "分享到朋友圈的照片，第二天就被转发了上千次。",
        "版权所有者至今没有回应。",
        "Copyright law in China was revised in 2020.",
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
    answer = ("厚墙本身就是保温层，靠的是墙体的热惰性。白天吸热，夜里放热，屋里温度变化就慢。"
              "再加上屋檐深、窗户小，夏天的太阳照不进来。")
    text = f"老房子为什么冬暖夏凉\n{answer}\n发布于 2024-03-05 10:02・IP 属地浙江\n"
    (a,), _ = read_articles(text.encode(), "zhihu.txt")
    assert a.published == dt.date(2024, 3, 5) and a.provenance["published"] == "知乎 published date"
    assert a.body == answer


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


# Taiwan and Hong Kong: each platform's boilerplate, one line per rule, in its own script.

TRADITIONAL_RULES = [
    ("延伸閱讀", "read more heading"),
    ("【相關新聞】", "read more heading"),
    ("延伸閱讀：北市公車新路線下月上路", "read more link"),
    ("【延伸閱讀】高雄輕軌全線通車", "read more link"),
    ("更多 TVBS 報導", "read more: more of an outlet's news"),
    ("點我看更多華視新聞＞＞＞", "read more: more of an outlet's news"),
    ("看更多 CTWANT 文章", "read more: more of an outlet's news"),
    ("👉立即加入LINE好友，掌握最新消息", "follow or subscribe promo"),
    ("追蹤我們的 Instagram", "follow or subscribe promo"),
    ("點我下載APP　按我看活動辦法", "app download promo"),
    ("（圖／記者林悅攝）", "photo credit"),
    ("圖／翻攝自臉書", "photo credit"),
    ("（消防局提供）", "photo credit"),
    ("▲▼警消到場時男子已無生命跡象。（圖／翻攝畫面）", "photo caption"),
    ("自殺防治諮詢安心專線：0800-788995（24小時）", "hotline notice"),
    ("生命線協談專線：1995", "hotline notice"),
    ("張老師專線：1980", "hotline notice"),
    ("●《ETNEWS新聞雲》提醒您，請給自己機會：自殺防治諮詢安心專線：1925", "hotline notice"),
    ("★中時電子報關心您：再給自己一次機會", "hotline notice"),
    ("自殺解決不了問題，卻留給家人無比悲痛。請珍惜生命。", "hotline notice"),
    ("再給自己一次機會", "hotline notice"),
    ("※ 提醒您：禁止酒駕 飲酒過量有礙健康", "drinking and smoking warnings"),
    ("本網站之文字、圖片及影音，非經授權，不得轉載、公開播送或公開傳輸及利用。",
     "聯合新聞網 copyright notice"),
    ("►加入聯合新聞網LINE好友", "聯合新聞網 follow promo"),
    ("不用抽 不用搶 現在用APP看新聞 保證天天中獎　點我下載APP　按我看活動辦法",
     "自由時報 APP lottery promo"),
    ("還想看更多新聞嗎？歡迎下載自由時報APP，現在看新聞還能抽獎，共9萬個中獎機會等著你：",
     "自由時報 APP lottery promo"),
    ("iOS載點 https://example.com/ltn_ios", "自由時報 APP download links"),
    ("看更多！請加入自由時報粉絲團", "自由時報 fan page promo"),
    ("一手掌握經濟脈動 點我訂閱自由財經Youtube頻道", "自由時報 channel promo"),
    ("中時新聞網對留言系統使用者發布的文字、圖片或檔案保有片面修改或移除的權利。",
     "中時新聞網 comment policy"),
    ("(中時新聞網)", "中時新聞網 closing credit"),
    ("※本文版權所有，非經授權，不得轉載。[ETtoday著作權聲明]※", "ETtoday copyright notice"),
    ("►淨灘志工再出動　半天撿回一卡車寶特瓶", "ETtoday related-news link"),
    ("請繼續往下閱讀...", "中央社 ad break"),
    ("[廣告] 請繼續往下閱讀...", "中央社 ad break"),
    ("（編輯：李四）1130305", "中央社 editor and date code"),
    ("中央社記者邱俊欽桃園傳真 105年3月19日", "中央社 photo credit"),
    ("最新更新：2024/03/05 15:10", "中央社 update time"),
    ("您所瀏覽的新聞已過查詢時效。建議您加入中央社付費會員找尋您要的新聞。",
     "中央社 expired-news notice"),
    ("本網站使用相關技術提供更好的閱讀體驗，同時尊重使用者隱私，點這裡瞭解中央社隱私聲明。",
     "中央社 privacy notice"),
    ("Your browser does not appear to support Traditional Chinese.", "中央社 language prompt"),
    ("更多 NOWnews 今日新聞 報導", "今日新聞 read more"),
    ("[NOWnews今日新聞] 颱風明天登陸", "今日新聞 source tag"),
    (">>加入蘋果日報粉絲團94即時94狂！", "蘋果 fan page promo"),
    ("本新聞文字、照片、影片專供蘋果《好蘋友》壹會員閱覽，版權所有，禁止任何媒體引用。",
     "蘋果 members-only copyright notice"),
    ("下載「蘋果新聞網APP」", "蘋果 APP download"),
    ("追蹤壹蘋新聞網IG", "壹蘋 follow promo"),
    ("《蘋果》關心你", "蘋果 notice heading"),
    ("相關字詞﹕港鐵 東涌綫", "明報 tag list"),
    ("上一篇：天文台：本周天氣乾燥", "明報 previous/next article"),
    ("明報網站 ‧ 版權所有 ‧ 不得轉載", "明報 copyright notice"),
    ("下載星島頭條App，即睇最新消息", "星島 app promo"),
    ("即睇星島頭條", "星島 read more"),
    ("（點圖放大瀏覽）", "香港01 gallery hint"),
    ("立即下載香港01 App", "香港01 app promo"),
    ("天文台發出八號風球（按此閱讀全文）", "香港01 read-more link"),
    ("立即成為端會員，閱讀全文", "端傳媒 membership promo"),
    ("本文為端傳媒原創，未經授權不得轉載。", "端傳媒 copyright notice"),
    ("讚 · 留言 · 分享", "Facebook action bar"),
    ("1.2萬 則留言 · 356 次分享", "Facebook counts"),
    ("大家排隊排了好久… 查看更多", "Facebook see-more link"),
    ("作者 kuma123 (熊熊) 看板 Gossiping", "PTT header: author"),
    ("看板 Gossiping", "PTT header: board"),
    ("標題 [問卦] 有沒有豆花店的八卦？", "PTT header: title"),
    ("時間 Tue Mar  5 10:00:00 2024", "PTT header: time"),
    ("───────────────────────────────────────", "PTT header rule"),
    ("推 abc123: 真的很好吃                  03/05 10:01", "PTT push comment"),
    ("→ def456: 排隊一小時                   03/05 10:02", "PTT push comment"),
    ("噓 ghi789: 業配文吧                    03/05 10:03", "PTT push comment"),
    ("※ 文章網址: https://www.ptt.cc/bbs/Gossiping/M.1709604000.A.123.html", "PTT article URL"),
    ("※ 編輯: kuma123 (192.0.2.10 臺灣), 03/05/2024 10:05:00", "PTT edit note"),
    ("※ 引述《kuma123 (熊熊)》之銘言：", "PTT quote header"),
    ("--", "PTT signature"),
    ("※ 發信站: 批踢踢實業坊(ptt.cc), 來自: 192.0.2.10 (臺灣)", "PTT site line and pushes"),
    ("責任編輯：陳大文", "editor line"),
    ("（來源：中央社）", "source footer"),
    ("原標題：北市公車新路線下月上路", "original title of a repost"),
]
TRADITIONAL_PLATFORMS = {"udn", "ltn", "chinatimes", "ettoday", "cna", "nownews", "appledaily",
                         "mingpao", "singtao", "hk01", "initium", "facebook", "ptt", "taiwan"}


@pytest.mark.parametrize(("line", "removes"), TRADITIONAL_RULES)
def test_taiwan_and_hong_kong_boilerplate_rule(line, removes):
    rule = matching_rule(line)
    assert rule is not None and rule.removes == removes


def test_every_taiwan_and_hong_kong_rule_has_a_line_in_the_table():
    tested = {removes for _, removes in TRADITIONAL_RULES}
    rules = (*boilerplate.LINE_RULES, *boilerplate.TAIL_RULES, *boilerplate.INLINE_RULES)
    assert [r.removes for r in rules
            if r.platform in TRADITIONAL_PLATFORMS and r.removes not in tested] == []


@pytest.mark.parametrize(
    "line",
    [
        "推動長照政策是政府的責任。",
        "推 一把就倒了",
        "→ 下一站是台北車站",
        "噓聲四起，球迷對裁判很不滿。",
        "中央社記者今天在現場看到許多民眾排隊。",
        "業者向中央社表示，施工期間將避開候鳥遷徙季節。",
        "老師建議學生延伸閱讀相關書籍。",
        "更多民眾表示支持這項政策。",
        "他加入LINE群組後，被騙了十萬元。",
        "請繼續往下閱讀本報的調查，了解事件全貌。",
        "自殺防治中心呼籲，民眾若有需要可撥打安心專線1925求助。",
        "衛福部提醒您，天氣炎熱要多喝水。",
        "臉書粉絲團的經營越來越難。",
        "這款APP的下載次數已經超過一百萬次。",
        "作者 林志豪 是資深記者",
        "讚美詩班今天在教堂演出。",
        "分享會在下午兩點開始，歡迎民眾參加。",
        "--這是破折號開頭的句子",
        "他說：「明報網站的報導很詳細。」",
        "上一篇文章提到，房價仍在上漲。",
        "▲這是一個重點，請大家注意。",
        "本網站之文字寫得很好。",
    ],
)
def test_ordinary_traditional_sentences_are_not_boilerplate(line):
    assert matching_rule(line) is None


def test_big5_news_with_the_byline_on_the_second_line_gets_its_author():
    a = fixture("taipei_bus_big5.txt")
    assert a.encoding == "big5"
    assert (a.title, a.author, a.published) == (
        "北市公車新路線下月上路", "林志豪", dt.date(2024, 3, 5))
    assert a.provenance["author"] == "byline"
    assert a.body.startswith("臺北市交通局今天宣布")
    assert "推動大眾運輸是市府的重要政策" in a.body  # a sentence opening with 推 stays
    assert "記者" not in a.body and "提醒您" not in a.body


def test_cna_wire_dateline_dated_by_the_update_line_and_editor_code():
    a = fixture("cna_wind_farm.txt")
    assert (a.author, a.source, a.published) == ("張三", "中央社", dt.date(2024, 3, 5))
    assert a.extra == {"dateline": "中央社記者張三台北5日電", "location": "台北", "editor": "李四"}
    assert a.body.startswith("經濟部今天宣布")
    assert "業者向中央社表示" in a.body  # 中央社 in a sentence stays
    for gone in ("請繼續往下閱讀", "最新更新", "1130305", "（中央社"):
        assert gone not in a.body, gone


def test_ettoday_caption_byline_related_link_and_copyright_go():
    a = fixture("ettoday_beach.txt")
    assert (a.title, a.author) == ("黃金海岸淨灘　半天撿回兩噸垃圾", "林小美")
    assert a.extra == {"location": "台南"}
    assert a.body.split("\n") == [
        "台南市環保局今天在黃金海岸舉辦淨灘活動，吸引超過五百名市民參加，一上午就撿了兩噸垃圾。",
        "環保局長表示，海洋垃圾有七成是塑膠製品，呼籲民眾減少使用一次性餐具。",
    ]


def test_apple_daily_closing_credit_gives_the_author():
    a = fixture("appledaily_night_market.txt")
    assert (a.author, a.provenance["author"]) == ("陳美玲", "closing credit")
    assert a.body.endswith("攤商也提供每份五元的折扣作為鼓勵。")
    assert "粉絲團" not in a.body and "APP" not in a.body


def test_ming_pao_dated_line_and_credit():
    a = fixture("mingpao_tung_chung.txt")
    assert (a.title, a.source, a.published) == (
        "港鐵東涌綫延線周日通車", "明報", dt.date(2024, 3, 5))
    assert a.body.startswith("港鐵東涌綫延線將於周日通車")
    assert "相關字詞" not in a.body and "上一篇" not in a.body


def test_sing_tao_credit_and_promos():
    a = fixture("singtao_kai_tak.txt")
    assert (a.title, a.source) == ("新巴士路線連接啟德", "星島日報")
    assert a.body.startswith("運輸署昨日公布三條新巴士路線")
    assert "延伸閱讀" not in a.body and "星島頭條" not in a.body


def test_ptt_post_header_signature_and_pushes():
    a = fixture("ptt_douhua.txt")
    assert (a.title, a.author, a.published) == (
        "[問卦] 有沒有巷口豆花店排隊的八卦？", "kuma123", dt.date(2024, 3, 5))
    assert a.url == "https://www.ptt.cc/bbs/Gossiping/M.1709604000.A.123.html"
    assert a.body.split("\n") == [
        "如題，巷口那家豆花店最近每天都大排長龍。",
        "推出花生新口味之後，聽說連外縣市的人都專程來吃。",
        "有沒有八卦？",
    ]


def test_facebook_post_without_its_buttons_and_counts():
    a = fixture("facebook_zoo.txt")
    assert a.body.split("\n") == [
        "今天帶孩子去動物園看新來的小河馬，牠一直在水裡吐泡泡，孩子笑得停不下來。",
        "園方說小河馬還在適應環境，每天只開放兩個小時參觀，大家排隊排了好久",
    ]


def test_a_double_dash_line_ends_the_text_only_before_ptts_site_line():
    text = "第一段文字寫在這裡，內容很長。\n--\n第二段文字也是正文。\n"
    (a,), _ = read_articles(text.encode(), "dash.txt")
    assert "第二段文字也是正文。" in a.body


def test_big5_page_with_a_charset_meta_gives_headline_author_date_and_text():
    a = fixture("ltn_light_rail_big5.html")
    assert a.encoding == "big5"
    assert a.title == "高雄輕軌環狀線全線通車"  # not "… - 生活 - 自由時報電子報"
    # the page's author field names the paper; the dateline names the reporter
    assert (a.author, a.published) == ("王小明", dt.date(2024, 1, 1))
    assert a.provenance["author"] == "dateline" and a.extra == {
        "location": "高雄", "page_title": "高雄輕軌環狀線全線通車 - 生活 - 自由時報電子報"}
    assert a.body.startswith("高雄輕軌環狀線今天全線通車")
    assert "沿線居民表示" in a.body
    for gone in ("不用抽", "一手掌握", "自由首頁", "版權所有", "〔記者"):
        assert gone not in a.body, gone


def test_page_whose_author_field_is_a_byline_and_title_has_the_site_suffix():
    a = fixture("udn_lanterns.html")
    assert (a.title, a.author, a.source, a.published) == (
        "台中綠園道夜間點燈 吸引萬人", "陳大文", "聯合新聞網", dt.date(2024, 2, 10))
    assert a.body.startswith("台中市政府今晚在草悟道舉辦夜間點燈活動")
    assert "延伸閱讀" not in a.body and "非經授權" not in a.body


@pytest.mark.parametrize(
    ("title", "headings", "sites", "expected"),
    [
        ("和男友口角鎖門吞藥　女墜樓不治｜即時｜蘋果新聞網｜蘋果日報", [], [],
         "和男友口角鎖門吞藥 女墜樓不治"),
        ("平鎮輪胎行惡火 疏散7人1女命喪 | 社會 | 中央社 CNA", [], [],
         "平鎮輪胎行惡火 疏散7人1女命喪"),
        ("悲慟！北市士林年邁母子 住處上吊 - 社會", ["悲慟！北市士林年邁母子 住處上吊"],
         ["中時電子報"],
         "悲慟！北市士林年邁母子 住處上吊"),
        ("新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家_藍天 :: 痞客邦 PIXNET ::", [], ["史蒂文的家_藍天"],
         "新竹尖石_美樹營地賞楓 (2)"),
        ("颱風摩羯｜天文台：今晚改發八號風球｜香港01", [], [],
         "颱風摩羯｜天文台：今晚改發八號風球"),
        ("專訪｜他如何看新聞", [], [], "專訪｜他如何看新聞"),
        ("武汉的声音：有英勇的你，才有英雄的城！-新华网", [], [],
         "武汉的声音：有英勇的你，才有英雄的城！"),
        ("COVID-19疫苗開打", [], [], "COVID-19疫苗開打"),
    ],
)
def test_page_titles_lose_the_site_and_section_names(title, headings, sites, expected):
    assert metadata.headline(title, headings, sites) == expected


def test_a_short_line_gluing_a_promo_phrase_to_the_article_is_kept():
    text = ("点击㊤方“西吉圈子”关注公众号获取最新信息2018年6月20日，县环保局执法人员在检查时发现，"
            "一家砖厂的脱硫塔未经验收就投入使用，执法人员当场下发整改通知，责令停止排污，"
            "并依照条例处以三十万元罚款。")
    good, bad = read_articles(f"Title: 砖厂被罚\n\n{text}\n".encode(), "glued_short.txt")
    assert not bad and "执法人员当场下发整改通知" in good[0].body


def test_标签从各种格式读出_存进其他值():
    def one(name: str, data: str):
        good, bad = read_articles(data.encode("utf-8"), f"/t/{name}")
        assert not bad and len(good) == 1, bad
        return good[0]

    body = "这是一篇讲电动汽车续航的文章，内容足够长，可以当作正文。\n第二段也在讲续航。"
    json_post = one("a.json", json.dumps({"title": "续航实测", "content": body,
                                          "tags": ["电动汽车", "续航"]}, ensure_ascii=False))
    assert json_post.extra["tags"] == "电动汽车, 续航"
    assert json_post.provenance["tags"] == "json"
    note = one("b.md", f"---\ntitle: 续航实测\nkeywords: [电动汽车, 续航]\n---\n\n{body}\n")
    assert note.extra["tags"] == "电动汽车, 续航"
    text = one("c.txt", f"标题：续航实测\n标签：电动汽车 续航\n\n{body}\n")
    assert text.extra["tags"] == "电动汽车 续航"
    page = one("d.html", '<html><head><title>续航实测</title>'
               '<meta property="article:tag" content="电动汽车">'
               '<meta property="article:tag" content="续航"></head>'
               f'<body><article><h1>续航实测</h1><p>{body}</p><p>{body}</p></article></body></html>')
    assert page.extra["tags"] == "电动汽车, 续航"
    assert page.provenance["tags"] == "html meta tags"
