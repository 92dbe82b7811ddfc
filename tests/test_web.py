"""Pages and the JSON API through Flask's test client, over a real ingested archive."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from store import Archive, Article

from .conftest import article_id


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

    client = create_app({"WENHAI_HOME": str(ingested), "TESTING": True, "PER_PAGE": 2}).test_client()
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


def test_malformed_query_page_explains_syntax(client):
    page = client.get("/search", query_string={"q": '"碳纤维'})
    assert page.status_code == 400
    assert "Unclosed quote" in page.text and "date:2024-01..2024-06" in page.text


def test_api_search_contract(client):
    response = client.get("/api/search", query_string={"q": "城市", "limit": 1, "page": 2})
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 2 and data["page"] == 2 and len(data["hits"]) == 1
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "author", "source", "published", "path", "snippet", "score"}
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
        ("/api/search?q=%22x", 400, "Unclosed quote"),
        ("/api/articles/9999", 404, "No article has id 9999"),
        ("/api/nothing", 404, "No API endpoint"),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert words in response.get_json()["error"], url


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
