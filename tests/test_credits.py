"""Who a page's markup names, and as what: values seen in real pages' author fields."""

from __future__ import annotations

import pytest
from lxml import html

from indexer.credits import judge, page_credits

SITES = ["江城新闻网"]


@pytest.mark.parametrize(("value", "editors", "expected"), [
    ("謝明俊", [], {"author": "謝明俊"}),
    ("史蒂文的家_藍天 (stevenhgm)", [], {"author": "史蒂文的家_藍天 (stevenhgm)"}),
    ("青网新闻张毅", ["张毅"], {"editor": "张毅"}),  # channel + the page's 责任编辑
    ("肖春芳", ["肖春芳"], {"editor": "肖春芳"}),
    ("王丽丽", ["王丽"], {"author": "王丽丽"}),  # a longer name than the editor's
    ("青网新闻 张毅 ", ["张毅"], {"editor": "张毅"}),
    ("责任编辑：孔德明", [], {"editor": "孔德明"}),
    ("选稿：许文杰", [], {"editor": "许文杰"}),
    ("記者陳嘉寧／桃園機場報導", [], {"author": "陳嘉寧", "location": "桃園機場"}),
    ("中国科普网", [], {"source": "中国科普网"}),
    ("新华社", [], {"source": "新华社"}),
    ("环球时报新媒体", [], {"source": "环球时报新媒体"}),
    ("香港電台-財經", [], {"source": "香港電台-財經"}),
    ("江城新闻网", [], {}),  # the site itself
    ("https://www.facebook.com/ETtoday", [], {}),
    ("2909", [], {}),
    ("103553", [], {}),
    ("字号", [], {}),
    ("作者", [], {}),
    ("丰羽煊 热门跟贴", [], {}),  # a commenter
    ("管不饿 关注", [], {}),
    ("成就一亿技术人!", [], {}),  # a slogan
])
def test_judge(value, editors, expected):
    assert judge(value, SITES, editors) == expected


def credits_of(body: str):
    return page_credits(html.fromstring(f"<html><head></head><body>{body}</body></html>"))


def test_editor_lines_anywhere_on_the_page_and_the_editor_meta():
    found = page_credits(html.fromstring(
        '<html><head><meta name="editor" content="严玉洁"></head><body>'
        "<p>正文。</p><div>[责任编辑:肖春芳]</div><p>（编辑：严玉洁 王辉）</p></body></html>"))
    assert found.editors == ["严玉洁", "肖春芳", "王辉"]


def test_a_label_followed_by_the_next_line_is_no_editor():
    found = credits_of("<span>责任编辑：</span><div>平台声明：该文观点仅代表作者本人</div>"
                       "<p>编辑：这是一句很长的正文。</p>")
    assert found.editors == []


def test_byline_elements_and_not_the_cards_of_other_stories():
    found = credits_of(
        '<div class="author"><a href="/reporter/899">謝明俊</a></div>'
        '<p class="author">史蒂文的家_藍天 發表在 <a href="/">痞客邦</a> 留言(42)</p>'
        '<div class="feed-card"><div class="feed-card-author"><a>新京报</a></div></div>'
        '<div class="comment-list"><span class="author">网友甲</span></div>')
    assert found.writers == ["謝明俊", "史蒂文的家_藍天"]
