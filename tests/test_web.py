"""Pages and the JSON API through Flask's test client, over a real ingested archive."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from store import Archive, Article

from .conftest import FIXTURES, article_id


class Text(HTMLParser):
    """Visible text and <mark>ed fragments of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.marks: list[str] = []
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._in_mark = self._in_mark or tag == "mark"

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mark:
            self.marks.append(data)


def test_home_page_has_a_search_box(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'name="q"' in page.text and "7 篇文章" in page.text


def test_search_page_lists_highlighted_results(client):
    page = client.get("/search", query_string={"q": "碳纤维机盖"})
    assert page.status_code == 200
    parsed = Text(page.text)
    assert "1 条结果" in "".join(parsed.text)
    assert "碳纤维机盖" in parsed.marks
    assert re.search(r'href="/articles/\d+\?q=', page.text)


def test_search_paginates(ingested):
    from web import create_app

    client = create_app(
        {"WENHAI_HOME": str(ingested), "TESTING": True, "PER_PAGE": 2}
    ).test_client()
    first = client.get("/search", query_string={"q": "的"})
    assert "第 1 / " in first.text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1)
    second = client.get(next_link.replace("&amp;", "&"))
    assert "第 2 / " in second.text and 'rel="prev"' in second.text
    assert Text(first.text).text != Text(second.text).text


def test_reader_page_shows_article_with_headings_and_highlights(client, archive):
    aid = article_id(archive, "碳纤维机盖风波")
    page = client.get(f"/articles/{aid}", query_string={"q": "机盖"})
    assert page.status_code == 200
    assert "<h1>碳纤维机盖风波之后，车主还信发布会吗？</h1>" in page.text
    assert "<h2>一块<mark>机盖</mark>引发的争议</h2>" in page.text
    assert f'href="/articles/{aid}/original"' in page.text


def test_original_file_is_served_as_an_attachment(client, archive):
    aid = article_id(archive, "长江大桥")
    response = client.get(f"/articles/{aid}/original")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.decode("gb18030").startswith("来源：江城晚报")


def test_unknown_article_is_a_404_page(client):
    assert client.get("/articles/9999").status_code == 404


#: Beyond SQLite's INTEGER range: no article can have these ids.
HUGE_IDS = [2**63, 10**20, 10**40]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_article_ids_beyond_sqlite_are_not_found_on_every_route(client, huge):
    for url, json_error in [
        (f"/api/articles/{huge}", True),
        (f"/api/articles/{huge}/similar", True),
        (f"/articles/{huge}", False),
        (f"/articles/{huge}/original", False),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        if json_error:
            assert response.get_json()["error"].startswith(f"No article has id {huge}"), url
        else:
            assert "找不到文章" in response.text and f"没有编号为 {huge} 的文章" in response.text


def test_malformed_query_page_explains_syntax_beside_the_plain_search(client):
    page = client.get("/search", query_string={"q": "-碳纤维机盖"})
    assert page.status_code == 400
    assert "只有排除的词" in page.text and "date:2024-01..2024-06" in page.text
    parsed = Text(page.text)
    assert "当作普通文字（不按搜索语法）搜索的结果" in "".join(parsed.text)
    assert "碳纤维机盖" in parsed.marks and "1 条结果" in "".join(parsed.text)


def test_a_pasted_passage_with_one_quotation_mark_is_searched_with_a_notice(client):
    page = client.get("/search", query_string={"q": "今年春天的“碳纤维机盖"})
    assert page.status_code == 200
    parsed = Text(page.text)
    assert "1 条结果" in "".join(parsed.text)
    assert "查询中不成对的 “ 已当作文中的字符搜索" in "".join(parsed.text)
    assert "今年春天的“碳纤维机盖" in parsed.marks


def test_api_search_contract(client):
    response = client.get("/api/search", query_string={"q": "城市", "limit": 1, "page": 2})
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 2 and data["page"] == 2 and len(data["hits"]) == 1
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "author", "source", "published", "path", "snippet", "score",
                         "reposts", "tags"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["published"])


def test_api_article_has_body(client, archive):
    aid = article_id(archive, "岩茶")
    data = client.get(f"/api/articles/{aid}").get_json()
    assert data["title"] == "武夷岩茶入门笔记"
    assert data["body"].startswith("什么是岩茶")
    assert data["published"] == "2023-11-18"
    assert data["path"].endswith("tea_notes.md")


def test_api_errors_are_json(client):
    for url, status, words in [
        ("/api/search", 400, "Missing 'q'"),
        ("/api/search?q=x&limit=0", 400, "'limit' must be between 1 and 100"),
        ("/api/search?q=x&page=two", 400, "'page' must be a whole number"),
        ("/api/search?q=date:2024年", 400, "Cannot read the date «2024年»"),
        ("/api/articles/9999", 404, "No article has id 9999"),
        ("/api/nothing", 404, "No API endpoint"),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert words in response.get_json()["error"], url


def test_api_reads_an_unpaired_quote_as_text_and_a_syntax_error_with_the_plain_search(client):
    data = client.get("/api/search", query_string={"q": "“碳纤维机盖"}).get_json()
    assert data["total"] == 1 and data["unpaired"] == ["“"]
    assert "unpaired “ was searched as a character of the text" in data["notice"]
    response = client.get("/api/search", query_string={"q": "碳纤维机盖 OR"})
    assert response.status_code == 400
    error = response.get_json()
    assert "«OR» needs a term on each side" in error["error"]
    assert error["plain"]["plain"] is True and error["plain"]["total"] == 0  # "or" is no word
    error = client.get("/api/search", query_string={"q": "-碳纤维机盖"}).get_json()
    assert error["status"] == 400 and error["plain"]["total"] == 1


def test_untrusted_text_is_escaped_everywhere(tmp_path):
    from web import create_app

    home = tmp_path / "home"
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    with Archive(home) as archive, archive.writing():
        a = Article(title=f"恶意标题{payload}", body=f"正文里有恶意代码{payload}。", author=payload,
                    url="javascript:alert(3)", original=payload.encode(), original_name="x.html")
        archive.store_file("/x.html", 1, 1, "h", [a])
        archive.sync_index()
    client = create_app({"WENHAI_HOME": str(home), "TESTING": True}).test_client()
    for url in ("/search?q=恶意", "/articles/1?q=恶意"):
        page = client.get(url)
        assert "<img" not in page.text and "<script>" not in page.text, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text, url
        assert "javascript:" not in page.text, url
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"


# -- facets, filters, sorting, suggestions, similar articles, OpenSearch -----------------

@pytest.fixture
def harbor(wenhai, samples, home):
    """The samples plus tests/fixtures/harbor_series.jsonl: four more articles about ports."""
    result = wenhai("ingest", samples, FIXTURES / "harbor_series.jsonl")
    assert result.exit_code == 0, result.output
    from web import create_app

    return create_app({"WENHAI_HOME": str(home), "TESTING": True, "PER_PAGE": 2}).test_client()


def api(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_api_facets_count_every_match_not_just_the_page(harbor):
    data = api(harbor, q="码头", limit=1)
    assert data["total"] == 5 and len(data["hits"]) == 1
    assert data["facets"]["source"][0] == ["海岸日报", 2]
    assert sorted(data["facets"]["source"]) == [
        ["个人笔记", 1], ["江城晚报", 1], ["海岸日报", 2], ["港航周刊", 1]]
    assert data["facets"]["author"][0] == ["郑海", 2]
    assert data["facets"]["year"] == [["2025", 1], ["2024", 1], ["2023", 1], ["2022", 1]]


def test_api_filters_narrow_results_and_facets(harbor):
    data = api(harbor, q="码头", source="海岸日报")
    assert data["total"] == 2 and data["filters"] == {"source": "海岸日报"}
    assert {h["source"] for h in data["hits"]} == {"海岸日报"}
    assert data["facets"]["source"] == [["海岸日报", 2]]
    assert api(harbor, q="码头", author="林舟")["hits"][0]["title"] == "无人集卡雨天测试记录"
    assert [h["title"] for h in api(harbor, q="码头", year="2025")["hits"]] == [
        "海港城市的夜班公交"
    ]
    assert api(harbor, q="码头", source="海岸日报", year="2022")["total"] == 1
    assert api(harbor, q="码头", source="不存在的报纸")["total"] == 0


def test_api_date_range_is_inclusive_and_may_be_open(harbor):
    def published(**params) -> list[str]:
        return sorted(h["published"] for h in api(harbor, q="码头", **params)["hits"])

    assert published(**{"from": "2023-08", "to": "2024-06"}) == ["2023-08-09", "2024-06-12"]
    assert published(**{"from": "2024"}) == ["2024-06-12", "2025-01-20"]
    assert published(to="2022-04-18") == ["2022-04-18"]


def test_api_sorts_by_date_with_undated_articles_last(harbor):
    newest = [h["published"] for h in api(harbor, q="码头", sort="newest")["hits"]]
    oldest = [h["published"] for h in api(harbor, q="码头", sort="oldest")["hits"]]
    assert newest == ["2025-01-20", "2024-06-12", "2023-08-09", "2022-04-18", None]
    assert oldest == ["2022-04-18", "2023-08-09", "2024-06-12", "2025-01-20", None]
    page2 = api(harbor, q="码头", sort="newest", page=2, limit=2)
    assert page2["hits"][0]["published"] == "2023-08-09"
    relevance = api(harbor, q="无人集卡")
    assert relevance["sort"] == "relevance" and relevance["hits"][0]["score"] > 0


def test_api_bad_search_parameters_are_400_with_a_message(harbor):
    for params, words in [
        ({"sort": "random"}, "'sort' must be one of relevance, newest, oldest"),
        ({"year": "24"}, "write four digits"),
        ({"from": "2024-13"}, "Cannot read the date range from «2024-13»"),
        ({"to": "昨天"}, "Cannot read the date range"),
        ({"source": "报" * 300}, "too long"),
    ]:
        response = harbor.get("/api/search", query_string={"q": "码头", **params})
        assert response.status_code == 400, params
        assert words in response.get_json()["error"], params


def titles(client, q: str) -> list[dict]:
    """The title suggestions for `q` (the others are names and words)."""
    data = client.get("/api/suggest", query_string={"q": q}).get_json()
    return [s for s in data["suggestions"] if s["kind"] == "title"]


def test_api_suggest_returns_matching_titles_with_ids(harbor):
    data = harbor.get("/api/suggest", query_string={"q": "港口"}).get_json()
    assert data["query"] == "港口"
    assert {s["title"] for s in titles(harbor, "港口")} == {
        "港口无人集卡规模化上岗", "港口自动化码头的第三年", "茶馆里的港口往事"}
    assert all(isinstance(s["id"], int) and s["text"] == s["title"] and s["query"] == s["title"]
               for s in titles(harbor, "港口"))
    # traditional input, half-typed words, nothing found
    assert [s["title"] for s in titles(harbor, "捷運")] == ["臺北捷運新線通車首日 乘客體驗無人駕駛"]
    assert titles(harbor, "碳纤")[0]["title"].startswith("碳纤维机盖")
    assert harbor.get("/api/suggest?q=火星基地").get_json()["suggestions"] == []
    assert harbor.get("/api/suggest?q=%22").get_json()["suggestions"] == []
    assert harbor.get("/api/suggest?q=的").status_code == 200


def test_api_suggest_returns_at_most_eight(tmp_path):
    from web import create_app

    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing():
        for i in range(12):
            a = Article(title=f"茶园笔记第{i}篇", body=f"今天去了第{i}个茶园。", original=b"x")
            archive.store_file(f"/t/{i}.txt", 1, 1, f"h{i}", [a])
        archive.sync_index()
    client = create_app({"WENHAI_HOME": str(home), "TESTING": True}).test_client()
    assert len(client.get("/api/suggest?q=茶园").get_json()["suggestions"]) == 8


def test_api_suggest_speaks_opensearch_to_browsers(harbor):
    data = harbor.get("/api/suggest?q=港口自动化&format=opensearch").get_json()
    assert data == ["港口自动化", ["港口自动化码头的第三年"]]
    bad = harbor.get("/api/suggest?q=港口&format=xml")
    assert bad.status_code == 400
    assert "'format' must be one of json, opensearch" in bad.get_json()["error"]
    missing = harbor.get("/api/suggest")
    assert missing.status_code == 400 and "Missing 'q'" in missing.get_json()["error"]


def test_api_similar_articles_share_the_topic_and_exclude_the_article(harbor):
    aid = api(harbor, q="title:雨天测试")["hits"][0]["id"]
    data = harbor.get(f"/api/articles/{aid}/similar").get_json()
    titles = [h["title"] for h in data["similar"]]
    assert data["id"] == aid and aid not in [h["id"] for h in data["similar"]]
    assert titles[0] == "港口无人集卡规模化上岗"
    assert ("武夷岩茶入门笔记" not in titles
            and "碳纤维机盖风波之后，车主还信发布会吗？" not in titles)
    assert len(harbor.get(f"/api/articles/{aid}/similar?limit=1").get_json()["similar"]) == 1
    assert harbor.get(f"/api/articles/{aid}/similar?limit=0").status_code == 400
    missing = harbor.get("/api/articles/9999/similar")
    assert missing.status_code == 404 and "No article has id 9999" in missing.get_json()["error"]


def test_opensearch_description_is_linked_from_every_page(harbor):
    xml = harbor.get("/opensearch.xml")
    assert xml.headers["Content-Type"].startswith("application/opensearchdescription+xml")
    assert "<ShortName>文海</ShortName>" in xml.text
    assert 'template="http://localhost/search?q={searchTerms}"' in xml.text
    link = ('<link rel="search" type="application/opensearchdescription+xml" title="文海" '
            'href="/opensearch.xml">')
    for url in ("/", "/search?q=码头", "/articles/1", "/help", "/search?q=%22"):
        assert link in harbor.get(url).text, url


def test_search_page_shows_facets_with_counts_and_links_that_narrow(harbor):
    page = harbor.get("/search", query_string={"q": "码头"}).text
    facet = re.search(r'data-facet="source">(.*?)</section>', page, re.S).group(1)
    link = re.search(r'<a href="([^"]+)">海岸日报</a>\s*<span class="muted">2</span>',
                     facet).group(1)
    narrowed = harbor.get(link.replace("&amp;", "&")).text
    assert "2 条结果" in narrowed
    chip = re.search(r'<a class="chip" href="([^"]+)"[^>]*>来源：海岸日报', narrowed).group(1)
    assert "source=" not in chip  # the chip removes the filter and keeps the query
    assert "5 条结果" in harbor.get(chip.replace("&amp;", "&")).text


def test_search_page_links_keep_sort_and_filters_across_pages(harbor):
    page = harbor.get("/search", query_string={"q": "码头", "sort": "oldest", "year": "2024"}).text
    assert "1 条结果" in page
    first = harbor.get("/search", query_string={"q": "码头", "sort": "oldest"}).text
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "sort=oldest" in next_link and "page=2" in next_link
    second = Text(harbor.get(next_link).text)
    assert "第 2 / 3 页" in "".join(second.text)
    assert "无人集卡规模化上岗" in "".join(second.text)  # 2024, third oldest
    newest = re.search(r'<a href="([^"]+)" data-sort="newest">', first).group(1)
    assert "page=" not in newest  # a new order starts again on page 1


def test_search_page_date_range_form_keeps_other_state(harbor):
    page = harbor.get("/search",
                      query_string={"q": "码头", "author": "郑海", "from": "2024-01"}).text
    form = re.search(r'<form class="facet dates".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="author" value="郑海">' in form
    assert '<input type="hidden" name="q" value="码头">' in form
    assert 'name="from" value="2024-01"' in form
    assert "从：2024-01" in page and "1 条结果" in page


def test_empty_results_suggest_removing_a_filter(harbor):
    page = harbor.get("/search",
                      query_string={"q": "码头", "source": "江城晚报", "year": "2022"}).text
    assert "没有找到包含「码头」的文章（在所选条件下）" in page
    assert "去掉 来源：江城晚报" in page and "去掉 年份：2022" in page
    plain = harbor.get("/search", query_string={"q": "火星基地"}).text
    assert "试试更少或更短的词" in plain and 'href="/help"' in plain


def test_bad_filter_on_search_page_explains(harbor):
    page = harbor.get("/search", query_string={"q": "码头", "sort": "best"})
    assert page.status_code == 400 and "必须是 relevance, newest, oldest 之一" in page.text
    page = harbor.get("/search", query_string={"q": "码头", "to": "2024-99"})
    assert page.status_code == 400 and "看不懂从「」到「2024-99」的日期范围" in page.text
    assert 'href="/help"' in page.text


def test_help_page_documents_the_query_language_in_chinese(client):
    page = client.get("/help")
    assert page.status_code == 200
    text = "".join(Text(page.text).text)
    for example in ('"长江大桥"', "城市 -食堂", "岩茶 OR 捷运", "author:吴桐",
                    "date:2024-01..2024-06"):
        assert example in text, example
    assert "快捷键" in text and "跳到搜索框" in text
    # every example is a link that runs it, and none of them is malformed
    for link in re.findall(r'<a href="(/search\?[^"]+)">', page.text):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_reader_page_offers_match_navigation_and_similar_articles(harbor):
    aid = api(harbor, q="title:雨天测试")["hits"][0]["id"]
    page = harbor.get(f"/articles/{aid}", query_string={"q": "码头"}).text
    assert '<nav class="matches" aria-label="匹配位置" hidden>' in page
    assert 'data-step="1"' in page and 'data-step="-1"' in page
    similar = re.search(r'<aside class="similar".*?</aside>', page, re.S).group(0)
    assert "港口无人集卡规模化上岗" in similar
    assert f'href="/articles/{aid}"' not in similar
    assert '<nav class="matches"' not in harbor.get(f"/articles/{aid}").text  # nothing to jump to
    assert '<script src="/static/wenhai.js" defer></script>' in page


def test_search_box_offers_suggestions_and_shortcut(client):
    page = client.get("/").text
    assert 'data-suggest="/api/suggest"' in page and 'aria-keyshortcuts="/"' in page
    with client.get("/static/wenhai.js") as script:
        assert script.status_code == 200 and "textContent = s.text" in script.text
        assert "innerHTML" not in script.text  # suggestions are text, never markup


def test_the_archive_opened_at_start_answers_requests_one_at_a_time(app):
    archives = app.extensions["wenhai"]
    warmed = archives.warm("检查")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/search?q=碳纤维").get_json()["total"] >= 1
    assert archives._all == [warmed]  # no second opening of the index
    # While one request holds it, the next one opens another.
    held = archives.lend()
    assert held is warmed
    assert client.get("/api/search?q=碳纤维").status_code == 200
    assert len(archives._all) == 2
    archives.give_back(held)


def test_searches_beyond_the_slots_are_503_with_retry_after_and_pages_still_answer(harbor, home):
    from web import create_app

    app = create_app({"WENHAI_HOME": str(home), "TESTING": True, "SEARCH_SLOTS": 1})
    client = app.test_client()
    aid = api(client, q="title:雨天测试")["hits"][0]["id"]
    with app.extensions["wenhai.slots"].slot():  # the one search allowed is running
        for url in ("/api/search?q=港口", "/api/suggest?q=港口", f"/api/articles/{aid}/similar"):
            response = client.get(url)
            assert response.status_code == 503 and response.headers["Retry-After"] == "2", url
            assert response.get_json() == {
                "error": "Too many searches are running at once: try again in 2 seconds.",
                "code": "server.busy", "status": 503}
        page = client.get("/search?q=港口")
        assert page.status_code == 503 and page.headers["Retry-After"] == "2"
        assert "文海正忙" in page.text and "同时进行的搜索太多，请 2 秒后再试。" in page.text
        reader = client.get(f"/articles/{aid}")  # read without its similar articles
        assert reader.status_code == 200 and "雨天测试" in reader.text
        assert "相似文章" not in reader.text
        assert client.get("/help").status_code == 200
    assert api(client, q="港口")["total"] >= 1
    assert "港口无人集卡规模化上岗" in client.get(f"/articles/{aid}").text  # similar again


def test_api_http_errors_are_json_and_pages_explain_in_chinese(client):
    from web.errors import MAX_URL_BYTES

    response = client.post("/api/search?q=岩茶")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.get_json()["status"] == 405
    too_long = "港" * (MAX_URL_BYTES // 9 + 1)
    response = client.get("/api/search", query_string={"q": too_long})
    assert response.status_code == 414
    assert response.get_json()["error"].endswith("search for fewer words or with fewer filters.")
    page = client.get("/search", query_string={"q": too_long})
    assert page.status_code == 414 and "网址太长" in page.text
    assert client.get("/search", query_string={"q": "港" * 1000}).status_code == 200
