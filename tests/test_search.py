"""Searching in Chinese against a real index built from written-for-the-test articles."""

from __future__ import annotations

import datetime as dt

import pytest

from store import Archive, Article, ArticleNotFound, QueryError, QuerySyntaxError

ARTICLES = [
    Article(title="最高人民法院发布道路交通安全法司法解释", author="周敏", source="法治日报",
            published=dt.date(2024, 3, 5),
            body="最高人民法院今天发布司法解释，明确道路交通安全法中的若干问题。\n安装简单的行车记录仪也可以作为证据。"),
    Article(title="臺北捷運新線通車", author="林志明", source="聯合報",
            published=dt.date(2023, 7, 1),
            body="臺北捷運環狀線今日通車，乘客體驗無人駕駛。票價維持不變。"),
    Article(title="小米SU7车主维权", author="张逸", source="TOP电商",
            published=dt.date(2024, 5, 20),
            body="不少车主花了4.2万买了碳纤维机盖，５Ｇ网络下直播维权。１２月还将开庭。"),
    Article(title="汽车行业观察", author="李四", source="网易号", published=dt.date(2024, 11, 2),
            body="小米在手机之外布局汽车，碳纤维材料用在了机盖上。行业认为电池才是关键。"),
    Article(title="读书笔记", author="王五", source="个人笔记", published=None,
            body="今天读完一本关于碳纤维机盖制造工艺的书，收获很多。"),
]


def archive_with(home, articles: list[Article]) -> Archive:
    """A real archive in `home` holding `articles`, one file each, indexed."""
    archive = Archive(home)
    with archive.writing():
        for i, a in enumerate(articles):
            a.original = a.body.encode()
            archive.store_file(f"/articles/{i}.txt", 1, 1, f"hash{i}", [a])
        archive.sync_index()
    return archive


@pytest.fixture
def searchable(tmp_path) -> Archive:
    archive = archive_with(tmp_path / "home", ARTICLES)
    yield archive
    archive.close()


def titles(archive: Archive, q: str) -> list[str]:
    return [h.title for h in archive.search(q, per_page=50).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("人民法院", ["最高人民法院发布道路交通安全法司法解释"]),  # inside a longer word
        ("交通安全", ["最高人民法院发布道路交通安全法司法解释"]),
        ("简单", ["最高人民法院发布道路交通安全法司法解释"]),  # 安装简单
        ("院今天", ["最高人民法院发布道路交通安全法司法解释"]),  # across a word boundary
        ("台北捷运", ["臺北捷運新線通車"]),  # simplified query, traditional text
        ("無人駕駛", ["臺北捷運新線通車"]),
        ("國際", []),
        ("ＳＵ７", ["小米SU7车主维权"]),  # full-width query, half-width text
        ("su7", ["小米SU7车主维权"]),
        ("5G", ["小米SU7车主维权"]),  # half-width query, full-width text
        ("12月", ["小米SU7车主维权"]),
        ("4.2万", ["小米SU7车主维权"]),
        ("权", ["小米SU7车主维权"]),  # one character
    ],
)
def test_finds_every_article_containing_the_query(searchable, query, expected):
    assert sorted(titles(searchable, query)) == sorted(expected)


def test_exact_string_ranks_above_scattered_words(searchable):
    found = titles(searchable, "碳纤维机盖")
    assert set(found[:2]) == {"小米SU7车主维权", "读书笔记"}
    assert found[2:] == ["汽车行业观察"]  # 碳纤维 … 机盖 apart


def test_quoted_phrase_is_exact(searchable):
    assert sorted(titles(searchable, '"碳纤维机盖"')) == ["小米SU7车主维权", "读书笔记"]


def test_title_match_ranks_first(searchable):
    assert titles(searchable, "小米")[0] == "小米SU7车主维权"


def test_and_or_not_and_fields(searchable):
    assert titles(searchable, "碳纤维 电池") == ["汽车行业观察"]
    assert sorted(titles(searchable, "碳纤维 -小米")) == ["读书笔记"]
    assert sorted(titles(searchable, "捷运 OR 司法")) == [
        "最高人民法院发布道路交通安全法司法解释", "臺北捷運新線通車"
    ]
    assert titles(searchable, "author:张逸") == ["小米SU7车主维权"]
    assert titles(searchable, "source:联合报") == ["臺北捷運新線通車"]
    assert titles(searchable, "title:碳纤维") == []


def test_date_ranges(searchable):
    assert sorted(titles(searchable, "date:2024-03..2024-05 车主 OR 法院")) == [
        "小米SU7车主维权", "最高人民法院发布道路交通安全法司法解释"]
    assert titles(searchable, "date:2023 捷运") == ["臺北捷運新線通車"]
    assert titles(searchable, "date:..2023-12-31 车") == ["臺北捷運新線通車"]


def test_filters_and_facets_cover_every_match(searchable):
    from store import Filters

    result = searchable.search("车", per_page=1)
    assert result.total == 4 and len(result.hits) == 1
    assert result.facets["year"] == [("2024", 3), ("2023", 1)]
    narrowed = searchable.search("车", filters=Filters(author="张逸"))
    assert [h.title for h in narrowed.hits] == ["小米SU7车主维权"]
    assert narrowed.facets["author"] == [("张逸", 1)]


def test_newest_and_oldest_put_undated_articles_last(searchable):
    newest = [h.published for h in searchable.search("碳纤维", sort="newest").hits]
    oldest = [h.published for h in searchable.search("碳纤维", sort="oldest").hits]
    assert newest == [dt.date(2024, 11, 2), dt.date(2024, 5, 20), None]
    assert oldest == [dt.date(2024, 5, 20), dt.date(2024, 11, 2), None]
    with pytest.raises(QueryError, match="Cannot sort by «random»"):
        searchable.search("碳纤维", sort="random")


def test_similar_articles_share_key_words_but_not_the_article(searchable):
    (hood,) = searchable.search("title:维权").hits
    similar = [h.title for h in searchable.similar(hood.id)]
    assert similar[0] in ("汽车行业观察", "读书笔记") and "小米SU7车主维权" not in similar
    assert searchable.suggest("捷运") == [(2, "臺北捷運新線通車")]


def test_ids_beyond_sqlite_name_no_article(searchable):
    """The store treats an id SQLite cannot hold as absent, so every caller gets a 'not found'."""
    for huge in (2**63, -(2**63) - 1, 10**30):
        for lookup in (searchable.get, searchable.original, searchable.similar):
            with pytest.raises(ArticleNotFound, match=f"No article has id {huge}"):
                lookup(huge)


def test_snippets_mark_whole_matches_in_original_characters(searchable):
    (hit,) = searchable.search("台北捷运").hits
    assert "<mark>臺北捷運</mark>環狀線" in str(hit.snippet)
    (hit,) = searchable.search("ＳＵ７").hits
    assert str(hit.title_html) == "小米<mark>SU7</mark>车主维权"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("-小米", "only excludes terms"),
        ("author:", "«author:» in «author:» has nothing after the colon"),
        ("title: 碳纤维", r"write the term right after it \(title:小米\)"),
        ("小米 OR", "«OR» needs a term on each side"),
        ("date:2024年", "Cannot read the date"),
        ("车 date:2024-13", "months run from 01 to 12"),
        ("车 date:2024-02-32", "days to 31"),
        ("，。！", "no letters, digits or Chinese characters"),
        ("   ", "The query is empty"),
    ],
)
def test_malformed_queries_explain_themselves(searchable, query, message):
    with pytest.raises(QueryError, match=message):
        searchable.search(query)


PASTED = [
    Article(title="医保报销新规", body="不少家庭“因病致贫”的困境有望缓解。"),
    Article(title="野生动物保护", body="穿山甲鳞片成为一种“非法交易”的目标。"),
    Article(title="西部陆海新通道", body="重庆打出“南向通道”等特色牌。"),
    Article(title="书名号里的字", body="他在『边城』里写过「因病致贫」的人家。"),
]


@pytest.fixture
def pasted(tmp_path) -> Archive:
    archive = archive_with(tmp_path / "home", PASTED)
    yield archive
    archive.close()


@pytest.mark.parametrize(
    ("query", "title", "mark"),
    [
        ("家庭“因病致贫", "医保报销新规", "“"),  # 后引号被剪掉
        ("成为一种“非法交易", "野生动物保护", "“"),
        ("南向通道”等特色牌", "西部陆海新通道", "”"),  # 前引号被剪掉
        ('重庆打出"南向通道', "西部陆海新通道", '"'),  # 半角引号也一样
    ],
)
def test_a_pasted_passage_with_one_quotation_mark_finds_its_article(pasted, query, title, mark):
    result = pasted.search(query)
    assert [h.title for h in result.hits][:1] == [title]
    assert result.unpaired == [mark]
    assert f"unpaired {mark} was searched as a character of the text" in result.notice
    assert result.to_dict()["unpaired"] == [mark]


def test_corner_brackets_are_never_syntax(pasted):
    result = pasted.search("写过「因病致贫")
    assert [h.title for h in result.hits] == ["书名号里的字"] and result.notice is None
    assert [h.title for h in pasted.search("『边城").hits] == ["书名号里的字"]


def test_paired_quotes_are_still_a_phrase(pasted):
    result = pasted.search("“因病致贫”")
    assert sorted(h.title for h in result.hits) == ["书名号里的字", "医保报销新规"]
    assert result.unpaired == [] and result.notice is None
    # A pair plus one more: the pair is a phrase, the last mark a character.
    assert pasted.search('"因病致贫" "困境').unpaired == ['"']


def test_a_query_that_is_clearly_syntax_errs_with_the_plain_search_beside(pasted):
    with pytest.raises(QuerySyntaxError, match="only excludes terms") as raised:
        pasted.search("-因病致贫")
    plain = raised.value.plain
    assert plain is not None and plain.plain
    assert sorted(h.title for h in plain.hits) == ["书名号里的字", "医保报销新规"]
    assert "searched as plain text" in plain.notice
    with pytest.raises(QuerySyntaxError) as raised:  # nothing to search as text either
        pasted.search("author:")
    assert raised.value.plain is not None and raised.value.plain.total == 0


def test_search_sees_articles_added_after_it_opened(searchable):
    assert titles(searchable, "岩茶") == []
    with searchable.writing():
        a = Article(title="岩茶", body="武夷山的岩茶。", original=b"x")
        searchable.store_file("/articles/new.txt", 1, 1, "new", [a])
        searchable.sync_index()
    assert titles(searchable, "岩茶") == ["岩茶"]


def test_numbers_keep_their_boundaries(tmp_path):
    """数字不拆开：查询从一串数字的开头起，也不能在数字中间结束。"""
    archive = archive_with(tmp_path / "home", [
        Article(title="年报", body="2019年营收增长，4.25万辆交付。"),
        Article(title="日程", body="12月26日开会，共150人参加。"),
        Article(title="通知", body="2月26日起施行，首批15项措施。"),
    ])

    def found(q):
        return sorted(h.title for h in archive.search(q).hits)

    assert found("2019") == ["年报"] and found("2019年营收") == ["年报"]
    assert found("4.25万") == ["年报"] and found("25万") == ["年报"]  # 小数点后另起一串
    assert found("19年") == [] and found("019年营收") == []  # 不从数字开头起
    assert found("2月26日") == ["通知"]  # 不找到 12月26日
    assert found("12月26日") == ["日程"]
    assert found("15") == ["通知"] and found("150") == ["日程"]  # 15 不找到 150
    assert found("2018") == [] and found("201") == []
    archive.close()


GLUED = [
    Article(title="换机记", body="我一直用iphonex、给游戏配了手柄。"),
    Article(title="新款", body="iphonexs的屏幕更大。"),
    Article(title="老款", body="这台iPhone还能用，iPhone的电池换过。"),
    Article(title="持仓", body="该基金的holdings以科技股为主。"),
    Article(title="语音助手", body="Siri和小爱同学都能听懂方言。"),
    Article(title="景区", body="这里是国家AAAA级旅游景区。"),
    Article(title="无关", body="sirloin是一种牛排，usual也是个词，hold住。"),
]


@pytest.fixture
def glued(tmp_path) -> Archive:
    archive = archive_with(tmp_path / "home", GLUED)
    yield archive
    archive.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("iphone", ["老款", "换机记", "新款"]),  # 整词在前，iphonex、iphonexs 在后
        ("IPHONE", ["老款", "换机记", "新款"]),  # 大小写不论
        ("用iphone", ["换机记", "老款"]),  # 粘在汉字后面；老款的 用 和 iphone 分开
        ("hold", ["无关", "持仓"]),  # hold住 是整词
        ("sir", ["无关", "语音助手"]),  # sirloin 和 siri 都以 sir 开头
        ("aaa", ["景区"]),
        ("国家AAA", ["景区"]),
        ("国家aaaa级", ["景区"]),
        ("su", []),  # usual 里的 su 不是词的开头
        ("iphonexsmax", []),
    ],
)
def test_a_latin_word_finds_the_longer_words_it_begins(glued, query, expected):
    found = [h.title for h in glued.search(query).hits]
    assert sorted(found) == sorted(expected)
    if query.lower() in ("iphone", "hold", "用iphone"):  # 整串都在的文章排在前面
        assert found[0] == expected[0]


def test_whole_words_rank_before_longer_words(glued):
    result = glued.search("iphone")
    assert [h.title for h in result.hits][:1] == ["老款"]
    assert glued.matching_ids("iphone")[0] == result.hits[0].id
    assert "<mark>iphone</mark>x" in str(result.hits[1].snippet).lower()


def test_a_quoted_latin_word_is_whole(glued):
    assert [h.title for h in glued.search('"iphone"').hits] == ["老款"]
    assert [h.title for h in glued.search("“sir”").hits] == []


def test_an_excluded_latin_word_excludes_the_words_it_begins(glued):
    assert [h.title for h in glued.search("用 -iphone").hits] == []
    assert sorted(h.title for h in glued.search("的 -iphone").hits) == ["持仓"]


def test_a_number_and_letters_go_on_past_a_parted_spelling(tmp_path):
    """5g 往下接 5glan；5，gears 隔着标点，索引里的 5~gears 排在两者之间，不算。"""
    archive = archive_with(tmp_path / "home", [
        Article(title="网络", body="支持5g网络的手机。"),
        Article(title="无线", body="5glan设备上市。"),
        Article(title="齿轮", body="型号5，gears很贵。"),
    ])
    assert sorted(h.title for h in archive.search("5G").hits) == ["无线", "网络"]
    archive.close()


def test_numbers_never_go_on(tmp_path):
    """字母可以往下接，数字不行：su7 不找到 su77，iphone1 不找到 iphone15。"""
    archive = archive_with(tmp_path / "home", [
        Article(title="甲", body="小米su77是假消息，iphone15上市。"),
        Article(title="乙", body="小米su7 max和iphone1都是旧闻。"),
    ])
    assert [h.title for h in archive.search("su7").hits] == ["乙"]
    assert [h.title for h in archive.search("iphone1").hits] == ["乙"]
    assert [h.title for h in archive.search("su7 m").hits] == ["乙"]  # 最后的 m 往下接成 max
    archive.close()


def test_exact_string_beats_many_scattered_words_even_in_the_title(tmp_path):
    loud = Article(title="机盖与碳纤维，碳纤维与机盖",
                   body="碳纤维很轻。机盖很重。碳纤维和机盖。" * 5)
    quiet = Article(title="改装记录",
                    body="周末去店里换了一块碳纤维机盖，其余都是闲聊。" + "天气不错。" * 40)
    archive = archive_with(tmp_path / "home", [loud, quiet])
    assert [h.title for h in archive.search("碳纤维机盖").hits] == [
        "改装记录", "机盖与碳纤维，碳纤维与机盖"
    ]
    assert archive.matching_ids("碳纤维机盖") == [h.id for h in archive.search("碳纤维机盖").hits]
    archive.close()


def test_highlights_mark_exactly_the_match_without_overlaps(searchable):
    (hit,) = searchable.search("民法").hits
    assert "最高人<mark>民法</mark>院" in str(hit.snippet)
    (hit,) = searchable.search("人民 民法院").hits  # overlapping needles: longest wins, no nesting
    assert ("最高人<mark>民法院</mark>" in str(hit.snippet)
            or "<mark>人民</mark>法院" in str(hit.snippet))
    assert "<mark><mark>" not in str(hit.snippet) and "</mark></mark>" not in str(hit.snippet)


def test_snippets_are_cut_at_sentence_punctuation():
    from store.text.snippets import snippet

    text = ("第一句很长很长的开场白。" * 20 + "这里提到了碳纤维机盖的事情！"
            + "后面还有别的内容。" * 20)
    cut = str(snippet(text, ["碳纤维机盖"], length=40))
    assert cut.startswith("…这里提到了<mark>碳纤维机盖</mark>的事情！")
    assert cut.endswith("…")


def test_exact_matches_do_not_span_punctuation(tmp_path):
    archive = archive_with(tmp_path / "home",
                           [Article(title="天气", body="今天下雨，天气很冷。价格是4.2万。")])
    assert archive.search("下雨").total == 1
    assert archive.search("雨天").total == 0  # 雨，天 is not 雨天
    assert archive.search("4.2万").total == 1
    assert archive.search("42万").total == 0
    archive.close()
