"""What follows an article on its page: cut from the first run of teasers, never before."""

from __future__ import annotations

from lxml import html

from indexer.teasers import cut, is_list, zones

LEAD = "江城地铁五号线今天开通运营，沿线二十万居民的出行时间平均缩短了一刻钟。"
PAGE = f"""<html><body>
<div class="content"><p>{LEAD}</p><p>首班车早上六点发车。</p>
<p>记者在车站看到，<a href="/x">江城地铁</a>的工作人员正在引导乘客。</p></div>
<ul class="hot-news"><li><a href="/1">老城区改造工程启动</a></li>
<li><a href="/2">江城读书节开幕</a></li><li><a href="/3">江城港吞吐量增长</a></li></ul>
</body></html>"""


def lines(*paras: str) -> list[str]:
    return [line for p in paras for line in (p, "")]


def test_from_the_first_run_of_teasers_the_rest_goes():
    places = zones(html.fromstring(PAGE))
    got = cut(lines(LEAD, "首班车早上六点发车。", "老城区改造工程启动", "江城读书节开幕",
                    "江城港吞吐量增长", "首班车早上六点发车。"), places)
    assert [x for x in got if x] == [LEAD, "首班车早上六点发车。"]


def test_a_trailing_teaser_goes_and_a_sentence_quoting_a_link_stays():
    places = zones(html.fromstring(PAGE))
    kept = lines(LEAD, "江城地铁", "首班车早上六点发车。")
    assert cut(kept, places) == kept  # one linked phrase inside the article is no run
    assert [x for x in cut(lines(LEAD, "首班车早上六点发车。", "江城港吞吐量增长"), places)
            if x] == [LEAD, "首班车早上六点发车。"]


def test_the_opening_paragraph_is_never_cut():
    places = zones(html.fromstring(PAGE))
    kept = lines("老城区改造工程启动", "江城读书节开幕", "江城港吞吐量增长")
    assert cut(kept, places) == kept  # no paragraph long enough to open an article


def test_a_list_page_is_told_from_an_article():
    tree = html.fromstring(PAGE)
    assert is_list(lines("老城区改造工程启动", "江城读书节开幕", "江城港吞吐量增长"), tree)
    assert not is_list(lines(LEAD, "首班车早上六点发车。"), tree)
