"""Bylines and datelines as Chinese platforms print them, read into fields and cut from the text."""

from __future__ import annotations

import pytest

from indexer.bylines import dateline, find, key_values, wechat


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
    assert dateline(paragraph, 2023) == (fields, rest)


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
    assert dateline(paragraph, 2024) is None


def test_find_looks_only_at_the_first_paragraphs():
    paragraphs = ["标题", *[f"第{i}段正文，讲的是别的事情。" for i in range(8)], "记者：王芳"]
    found = find(paragraphs)
    assert found.fields == {} and found.edits == {}
