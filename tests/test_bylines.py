"""Bylines and datelines as Chinese platforms print them, read into fields and cut from the text."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.bylines import (
    credited,
    credited_author,
    dateline,
    find,
    key_values,
    report_line,
    wechat,
)


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("作者 | 张逸 报道 | TOP电商", {"author": "张逸", "source": "TOP电商"}),
        ("文 | 林舟", {"author": "林舟"}),
        ("文｜林舟", {"author": "林舟"}),
        ("记者：王芳", {"author": "王芳"}),
        ("记者 王芳 通讯员 李强", {"author": "王芳", "correspondent": "李强"}),
        ("记者 王芳 赵亮", {"author": "王芳、赵亮"}),
        ("来源：江城晚报 | 作者：周敏 | 2024年3月5日 10:02",
         {"source": "江城晚报", "author": "周敏", "published": "2024-03-05"}),
        ("来源：江城晚报　作者：周敏", {"source": "江城晚报", "author": "周敏"}),
        ("发布时间：２０２４－０３－０５ 10:02", {"published": "2024-03-05"}),
        ("撰文 / 沈砚  摄影 / 韩冬", {"author": "沈砚", "photographer": "韩冬"}),
        ("记者 谢雨 陈东 图", {"author": "谢雨、陈东"}),
        ("来源 |河湖治理办编辑 |杨然审核 |游文",
         {"source": "河湖治理办", "editor": "杨然", "reviewer": "游文"}),
    ],
)
def test_byline_lines(line, fields):
    assert key_values(line) == fields


@pytest.mark.parametrize(
    "line",
    [
        "记者昨天从市交通局获悉，新线将于下月开通。",
        "记者 在现场看到，不少市民排队等候，秩序井然。",
        "文化是一座城市的灵魂",
        "作者的话",
        "来源于生活，高于生活",
        "编辑部的故事",
        "编辑 手记",
        "作者 简介",
        "来源 说明",
    ],
)
def test_sentences_that_start_like_a_byline_are_not_one(line):
    assert key_values(line) is None
    assert wechat(line) is None


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("原创 许晴 城市绿意 2025-10-18 07:45 上海",
         {"author": "许晴", "source": "城市绿意", "published": "2025-10-18", "location": "上海"}),
        ("原创 城市绿意 2025-10-18", {"source": "城市绿意", "published": "2025-10-18"}),
        ("许晴 城市绿意 2025-10-18 07:45",
         {"author": "许晴", "source": "城市绿意", "published": "2025-10-18"}),
        ("2025-10-18", {"published": "2025-10-18"}),
    ],
)
def test_wechat_header_line(line, fields):
    assert wechat(line) == fields


def test_a_name_and_a_date_alone_are_not_a_wechat_header():
    assert wechat("会议纪要 2025-10-18") is None


@pytest.mark.parametrize(
    ("paragraph", "fields", "rest"),
    [
        ("新华社北京12月31日电（记者 王芳）国家统计局今天发布数据。",
         {"source": "新华社", "location": "北京", "dateline": "新华社北京12月31日电",
          "published": "2023-12-31", "author": "王芳"},
         "国家统计局今天发布数据。"),
        ("本报北京１月２０日讯　今天上午，大会开幕。",
         {"location": "北京", "dateline": "本报北京１月２０日讯", "published": "2023-01-20"},
         "今天上午，大会开幕。"),
        ("中新网上海2024年5月8日电 上海今天入夏。",
         {"source": "中新网", "location": "上海", "dateline": "中新网上海2024年5月8日电",
          "published": "2024-05-08"},
         "上海今天入夏。"),
        ("（江城网讯）昨天傍晚，大桥开始限行。", {"source": "江城网"}, "昨天傍晚，大桥开始限行。"),
        ("（记者 王芳 通讯员 李强）近日，新线开通。",
         {"author": "王芳", "correspondent": "李强"}, "近日，新线开通。"),
        ("本报讯（记者 周敏）长江大桥将夜间限行。", {"author": "周敏"}, "长江大桥将夜间限行。"),
        ("江城晚报讯(记者金小雨)商场的试衣镜倒了。",
         {"source": "江城晚报", "author": "金小雨"}, "商场的试衣镜倒了。"),
        ("本报讯（记者王伟实习生戴文）5月12日，榜单发布。",
         {"author": "王伟、戴文"}, "5月12日，榜单发布。"),
        ("（记者崔明通讯员达峰）8日，警方通报了案情。",
         {"author": "崔明", "correspondent": "达峰"}, "8日，警方通报了案情。"),
    ],
)
def test_datelines_are_cut_and_the_sentence_kept(paragraph, fields, rest):
    assert dateline(paragraph, dt.date(2023, 12, 31)) == (fields, rest)


def test_dateline_without_a_year_and_no_year_known_keeps_the_dateline_only():
    fields, _ = dateline("新华社北京12月31日电 全国铁路客流创新高。", None)
    assert "published" not in fields
    assert fields["dateline"] == "新华社北京12月31日电"


@pytest.mark.parametrize(
    "paragraph",
    [
        "中国社会科学院今天发布了年度报告。",
        "（一）关于交通安排",
        "新华社记者在北京街头随机采访了几位市民。",
        "江城日报社的老楼今年拆除。",
    ],
)
def test_ordinary_paragraphs_have_no_dateline(paragraph):
    assert dateline(paragraph, dt.date(2024, 6, 1)) is None


def test_find_looks_only_at_the_first_paragraphs():
    paragraphs = ["标题", *[f"第{i}段正文，讲的是别的事情。" for i in range(8)], "记者：王芳"]
    found = find(paragraphs)
    assert found.fields == {} and found.edits == {}


# Traditional script and regional styles: the same rules, matched on normalized text,
# values returned in the article's own characters.


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("記者：林志豪", {"author": "林志豪"}),
        ("文／李四", {"author": "李四"}),
        ("撰文：王小明", {"author": "王小明"}),
        ("撰文：王小明、李四", {"author": "王小明、李四"}),
        ("來源：中央社", {"source": "中央社"}),
        ("責任編輯：陳大文", {"editor": "陳大文"}),
        ("編輯：李四", {"editor": "李四"}),
        ("攝影：張三", {"photographer": "張三"}),
        ("撰文／沈硯　攝影／韓冬", {"author": "沈硯", "photographer": "韓冬"}),
        ("記者 林志豪 2024年3月5日 下午3:20", {"author": "林志豪", "published": "2024-03-05"}),
        ("發布時間：113/03/05 下午 03:20", {"published": "2024-03-05"}),
        ("日期：2024年3月5日（星期二）", {"published": "2024-03-05"}),
    ],
)
def test_traditional_byline_lines(line, fields):
    assert key_values(line) == fields


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("記者林志豪／台北報導", {"author": "林志豪", "location": "台北"}),
        ("【記者王小明／高雄報導】", {"author": "王小明", "location": "高雄"}),
        ("〔記者王小明／高雄報導〕", {"author": "王小明", "location": "高雄"}),
        ("記者林志豪、王小明／台北報導", {"author": "林志豪、王小明", "location": "台北"}),
        ("記者 林志豪／綜合報導", {"author": "林志豪"}),
        ("記者林志豪╱台北報導 2024/03/05 10:02",
         {"author": "林志豪", "location": "台北", "published": "2024-03-05"}),
        ("（王煌忠／台中報導）", {"author": "王煌忠", "location": "台中"}),
        ("社會中心／綜合報導", {}),
        ("〔即時新聞／綜合報導〕", {}),
    ],
)
def test_report_credits(line, fields):
    assert report_line(line) == fields


@pytest.mark.parametrize(
    "line",
    ["他說／我們報導了這件事", "記者會上宣布／台北報導", "文／李四", "台北／高雄",
     "記者林志豪在台北報導了這件事。"],
)
def test_lines_with_a_slash_that_are_not_report_credits(line):
    assert report_line(line) is None


@pytest.mark.parametrize(
    ("paragraph", "fields", "rest"),
    [
        ("中央社記者張三台北5日電 台北市今天放晴。",
         {"source": "中央社", "dateline": "中央社記者張三台北5日電", "author": "張三",
          "location": "台北", "published": "2024-03-05"},
         "台北市今天放晴。"),
        ("（中央社記者張三華盛頓4日專電）美國國務院今天表示支持。",
         {"source": "中央社", "dateline": "中央社記者張三華盛頓4日專電", "author": "張三",
          "location": "華盛頓", "published": "2024-03-04"},
         "美國國務院今天表示支持。"),
        ("（中央社記者張三、李四台北5日電）台北市今天放晴。",
         {"source": "中央社", "dateline": "中央社記者張三、李四台北5日電", "author": "張三、李四",
          "location": "台北", "published": "2024-03-05"},
         "台北市今天放晴。"),
        ("（法新社羅馬4日電）義大利今天舉行大選。",
         {"source": "法新社", "dateline": "法新社羅馬4日電", "location": "羅馬",
          "published": "2024-03-04"},
         "義大利今天舉行大選。"),
        ("（中央社）立法院今天三讀通過修正案。", {"source": "中央社"},
         "立法院今天三讀通過修正案。"),
        ("〔記者王小明／高雄報導〕高雄市今天舉辦燈會。",
         {"author": "王小明", "location": "高雄"}, "高雄市今天舉辦燈會。"),
        ("〔即時新聞／綜合報導〕台北市今天發生地震。", {}, "台北市今天發生地震。"),
        ("【明報專訊】政府昨日公布新計劃。", {"source": "明報"}, "政府昨日公布新計劃。"),
        ("（星島日報報道）運輸署昨日公布新路線。", {"source": "星島日報"},
         "運輸署昨日公布新路線。"),
        ("（記者王芳報道）近日，新線開通。", {"author": "王芳"}, "近日，新線開通。"),
    ],
)
def test_taiwan_and_hong_kong_datelines(paragraph, fields, rest):
    assert dateline(paragraph, dt.date(2024, 3, 5)) == (fields, rest)


@pytest.mark.parametrize(
    "paragraph",
    ["中央社記者今天在現場看到許多民眾排隊。", "中央社今天發布民調結果。",
     "（中央社報導指出，疫情趨緩。）民眾仍需戴口罩。", "【特別報導】台灣的夜市文化"],
)
def test_paragraphs_that_mention_an_agency_have_no_dateline(paragraph):
    assert dateline(paragraph, dt.date(2024, 3, 5)) is None


def test_a_wire_dateline_without_a_reference_date_keeps_the_dateline_only():
    fields, _ = dateline("（中央社記者張三台北5日電）台北市今天放晴。", None)
    assert "published" not in fields and fields["author"] == "張三"


def test_a_report_credit_closing_the_last_paragraph_is_read_and_cut():
    found = find(["夜市攤商改用環保餐具", "攤商也提供每份五元的折扣作為鼓勵。（陳美玲／台中報導）"])
    assert found.fields == {"author": ("陳美玲", "closing credit"),
                            "location": ("台中", "closing credit")}
    assert found.edits == {1: "攤商也提供每份五元的折扣作為鼓勵。"}


@pytest.mark.parametrize(
    ("value", "author"),
    [("記者陳嘉寧／桃園機場報導", "陳嘉寧"), ("https://www.facebook.com/ETtoday", None),
     ("蘋果新聞網", None), ("作者：王芳", "王芳"), ("林悅", "林悅"), ("社會中心／綜合報導", None)],
)
def test_author_values_from_page_metadata(value, author):
    assert credited_author(value, ["蘋果新聞網"]) == author


@pytest.mark.parametrize(
    ("paragraph", "result"),
    [
        ("据新华社成都2月13日电 成都今天降雪。",
         ({"source": "新华社", "dateline": "新华社成都2月13日电", "location": "成都",
           "published": "2024-02-13"}, "成都今天降雪。")),
        ("【综合讯】阿根廷国会外发生冲突。", ({}, "阿根廷国会外发生冲突。")),
        ("【撰文/赵三军 统筹/刘姝蓉】大连市纪委今天发布消息。",
         ({"author": "赵三军", "coordinator": "刘姝蓉"}, "大连市纪委今天发布消息。")),
        ("【pconline资讯】5月22日消息：网红餐饮店又排起长队。", None),
        ("（图文无关）", None),
    ],
)
def test_credits_found_in_mainland_news_stay_right(paragraph, result):
    assert dateline(paragraph, dt.date(2024, 3, 5)) == result


def test_an_editor_in_the_author_field_is_an_editor():
    assert credited("责任编辑：孔德明") == {"editor": "孔德明"}
    assert credited("林悅") is None


def test_a_two_character_name_padded_with_a_space_stays_one_name():
    assert key_values("本报记者 王乐文 方 敏") == {"author": "王乐文、方敏"}


def test_a_dateline_and_a_closing_credit_are_found_on_a_paragraph_of_any_length():
    """A scraped article may be one line of millions of characters: only its start and
    end are looked at, so reading it costs what a short one does."""
    middle = "港口的集装箱吞吐量连续三个月增长，码头工人轮班作业。" * 20_000
    paragraph = f"新华社北京12月31日电（记者 王芳）{middle}（王煌忠／台中報導）"
    found = find([paragraph], dt.date(2023, 12, 1))
    assert found.fields["author"] == ("王芳", "dateline")
    assert found.fields["dateline"] == ("新华社北京12月31日电", "dateline")
    assert found.edits == {0: middle}
