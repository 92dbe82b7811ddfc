"""The concordance (KWIC): every occurrence of a string in context — store, pages, the
JSON API, the exports and `wenhai kwic` — over a real ingested archive."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from store import Filters, QueryError, normalize
from store.concordance import Concordancer

from .conftest import FIXTURES


@pytest.fixture
def wide(wenhai, samples, home):
    """The samples and the test fixtures: 40 articles, simplified and traditional."""
    result = wenhai("ingest", samples, FIXTURES)
    assert result.exit_code == 0, result.output
    return home


def _every_occurrence(archive, text: str) -> list[tuple[int, int]]:
    """(article id, start) of each occurrence of `text` in every article's body, found by
    reading every text — the answer the concordance must give."""
    needle = normalize(text)
    found = []
    for article in archive.articles():
        body = normalize(article.body)
        found += [(article.id, m.start()) for m in re.finditer(re.escape(needle), body)]
    return found


def _page(response):
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def test_every_occurrence_with_its_context_in_original_characters(wide):
    from store import Archive

    with Archive(wide) as archive:
        every = _every_occurrence(archive, "的")
        concordance = archive.concordance("的", reposts="all")
        lines = list(concordance.lines())
        assert concordance.total == len(lines) == len(every) > 100
        assert sorted((line.article_id) for line in lines) == sorted(a for a, _ in every)
        assert len({line.article_id for line in lines}) == concordance.articles
        for line in lines:
            body = archive.get(line.article_id).body.replace("\n", " ")
            assert line.match == "的"
            assert f"{line.left}{line.match}{line.right}" in body
            assert len(line.left) <= 20 and len(line.right) <= 20
        # traditional characters stay as written: 機 is found by 机 and shown as 機
        found = archive.kwic("港铁", per_page=50)
        assert found.total and all(line.match == "港鐵" for line in found.lines)


def test_a_page_in_article_order_reads_only_the_articles_it_shows(wide, monkeypatch):
    from store import Archive, concordance

    with Archive(wide) as archive:
        every = list(archive.concordance("的").lines())
        read: list[int] = []
        real = concordance.database.get_articles
        monkeypatch.setattr(concordance.database, "get_articles",
                            lambda db, ids: read.extend(ids) or real(db, ids))
        monkeypatch.setattr(concordance, "BATCH", 1)
        page = archive.kwic("的", page=3, per_page=5)
        assert page.lines == every[10:15]
        # only the articles holding lines 10 to 14, each once, not all of them
        assert read == list(dict.fromkeys(line.article_id for line in page.lines))
        assert len(read) < len(every)


def test_totals_and_lines_agree_for_any_string_of_the_texts(wide):
    """The counts come from the index, the lines from the texts: for 400 strings cut at
    random from the articles (Chinese, Latin, digits, mixed), they must agree."""
    import random

    from store import Archive

    chance = random.Random(22)
    with Archive(wide) as archive:
        bodies = [a.body for a in archive.articles() if len(a.body) > 10]
        tried, found = 0, 0
        while tried < 400:
            body = chance.choice(bodies)
            at = chance.randrange(len(body) - 6)
            text = body[at : at + chance.randint(1, 5)]
            try:
                concordance = archive.concordance(text, reposts="all")
            except QueryError:  # spaces or punctuation
                continue
            tried += 1
            assert concordance.total == len(list(concordance.lines())), text
            found += concordance.total > 0  # none for a piece of a Latin word (n of new)
        assert found > 350


def test_a_latin_word_counts_where_the_index_does_and_links_to_its_highlight(wide,
                                                                             client_for):
    from store import Archive

    with Archive(wide) as archive:
        lines = list(archive.concordance("a").lines())
    # "Apple released a new watch this autumn": the reader marks A(pple), a, a(utumn);
    # the index, and so the concordance, has the word a alone
    assert [(line.match, line.right[:4]) for line in lines] == [("a", " new")]
    page = lxml.html.fromstring(client_for(wide).get(
        f"/articles/{lines[0].article_id}", query_string={"q": '"a"'}).text)
    marks = page.cssselect("article.reader .body mark")
    assert len(marks) == 3 and lines[0].occurrence == 2
    assert (marks[1].tail or "").startswith(" new")


def test_occurrences_are_kept_for_the_next_page_until_the_index_changes(wide, wenhai, tmp_path):
    from store import Archive

    with Archive(wide) as archive:
        first = archive._searcher().occurrences("集卡", "body_g")
        assert archive.kwic("集卡", page=2, per_page=5).total == 7
        assert archive._searcher().occurrences("集卡", "body_g") is first  # not counted again
        (tmp_path / "new.txt").write_text("新的集卡\n\n又一批集卡上岗。", encoding="utf-8")
        assert wenhai("ingest", tmp_path / "new.txt").exit_code == 0
        # a new commit, a new searcher, new counts (the first line is the title, not text)
        assert archive.kwic("集卡").total == 7 + 1


def test_sorting_by_left_or_right_context(wide):
    from store import Archive

    with Archive(wide) as archive:
        text_order = archive.kwic("集卡", per_page=100).lines
        left = archive.kwic("集卡", per_page=100, sort="left").lines
        right = archive.kwic("集卡", per_page=100, sort="right").lines
    assert sorted(text_order, key=repr) == sorted(left, key=repr) == sorted(right, key=repr)
    assert [normalize(x.left)[::-1] for x in left] == sorted(normalize(x.left)[::-1] for x in left)
    assert [normalize(x.right) for x in right] == sorted(normalize(x.right) for x in right)
    assert left != text_order and right != text_order


def test_sorting_too_many_lines_says_how_to_narrow(wide, monkeypatch):
    from store import Archive, concordance

    monkeypatch.setattr(concordance, "SORT_LIMIT", 10)
    with Archive(wide) as archive:
        found = archive.kwic("的", per_page=5, sort="left")
        assert found.notice.startswith("«的» occurs ") and "Narrow it by source" in found.notice
        assert found.lines == archive.kwic("的", per_page=5).lines


def test_filters_and_bad_input(wide):
    from store import Archive

    with Archive(wide) as archive:
        narrowed = archive.kwic("集卡", filters=Filters(source="港航周刊"))
        assert {line.source for line in narrowed.lines} == {"港航周刊"}
        assert narrowed.total == 2 and narrowed.articles == 1
        with pytest.raises(QueryError, match="add the words around it"):
            archive.kwic("，。")
        # the index keeps no punctuation: 码头， would count every 码头 but show none
        with pytest.raises(QueryError, match="spaces or punctuation.*such as «码头»"):
            archive.kwic("码头，")
        with pytest.raises(QueryError, match="such as «港口»"):
            archive.kwic("港口 工人")
        with pytest.raises(QueryError, match="Nothing to look for"):
            archive.kwic("  ")
        with pytest.raises(QueryError, match="at most 100 characters, not 101"):
            archive.kwic("集" * 101)
        with pytest.raises(QueryError, match="choose one of text, left, right"):
            archive.kwic("集卡", sort="middle")
        assert archive.kwic("不存在的字串甲乙丙").total == 0


def test_kwic_page_lists_aligned_lines_linked_to_the_reader(wide, client_for):
    client = client_for(wide)
    page = _page(client.get("/kwic", query_string={"q": "集卡"}))
    assert page.cssselect("h1")[0].text_content().startswith("语境索引")
    assert "出现 7 次 · 在 4 篇文章里" in page.cssselect("#kwic-count")[0].text_content()
    rows = page.cssselect("table.kwic tbody tr")
    assert len(rows) == 7
    first = rows[0]
    assert first.cssselect("td.match a")[0].text_content() == "集卡"
    link = first.cssselect("td.match a")[0].get("href")
    parts = urlsplit(link)
    assert parts.fragment == "match-1" and parse_qs(parts.query) == {"q": ['"集卡"']}
    reader = _page(client.get(link))
    assert len(reader.cssselect("article.reader .body mark")) >= 1
    # the n-th line of an article links to its n-th highlight
    second = rows[1].cssselect("td.match a")[0].get("href")
    assert urlsplit(second).fragment == "match-2"
    sort_links = {a.text_content(): a.get("href") for a in page.cssselect("nav.sort a")}
    assert set(sort_links) == {"按左侧语境", "按右侧语境"}
    right = _page(client.get(sort_links["按右侧语境"]))
    rights = [td.text_content() for td in right.cssselect("td.right")]
    assert rights == sorted(rights, key=normalize)


def test_kwic_page_paginates_and_explains_errors(wide, client_for):
    client = client_for(wide)
    first = _page(client.get("/kwic", query_string={"q": "的"}))
    assert len(first.cssselect("table.kwic tbody tr")) == 50
    following = first.cssselect("nav.pager a[rel=next]")[0].get("href")
    second = _page(client.get(following))
    assert "第 2 / " in second.cssselect("nav.pager span")[0].text_content()
    empty = _page(client.get("/kwic"))
    assert empty.cssselect("input[name=q]") and not empty.cssselect("table.kwic")
    bad = client.get("/kwic", query_string={"q": "。"})
    assert bad.status_code == 400
    assert "「。」只有空格或标点" in lxml.html.fromstring(bad.text).text_content()


def test_kwic_export_streams_every_occurrence(wide, client_for):
    from store import Archive

    client = client_for(wide)
    with Archive(wide) as archive:
        every = _every_occurrence(archive, "的")
    got = client.get("/kwic/download", query_string={"q": "的", "format": "csv",
                                                    "reposts": "all"})
    assert got.status_code == 200 and got.is_streamed and got.mimetype == "text/csv"
    got.headers["Content-Disposition"].encode("latin-1")  # a header waitress can send
    assert "filename*=UTF-8''kwic-%E7%9A%84.csv" in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == len(every)
    assert sorted(int(r["article"]) for r in rows) == sorted(a for a, _ in every)
    assert {r["match"] for r in rows} == {"的"}
    # by default a repost group counts once: every occurrence in one copy of each
    one = list(csv.DictReader(io.StringIO(
        client.get("/kwic/download", query_string={"q": "的", "format": "csv"}).text)))
    listed = {int(r["article"]) for r in one}
    assert len(one) == sum(1 for a, _ in every if a in listed) < len(every)
    with Archive(wide) as archive:
        for article_id in listed:
            assert not set(archive.get(article_id).reposts) & listed
    tsv = client.get("/kwic/download", query_string={"q": "集卡", "format": "tsv",
                                                     "sort": "left"})
    lines = tsv.text.splitlines()
    assert lines[0].split("\t") == ["article", "title", "source", "published", "occurrence",
                                    "left", "match", "right"]
    assert len(lines) == 1 + 7 and all(len(x.split("\t")) == 8 for x in lines)


def test_api_kwic(wide, client_for):
    client = client_for(wide)
    found = client.get("/api/kwic", query_string={"q": "集卡", "limit": 2, "page": 2}).json
    assert (found["total"], found["articles"], found["pages"], found["page"]) == (7, 4, 4, 2)
    assert [set(line) for line in found["lines"]] == [
        {"article", "title", "source", "published", "occurrence", "left", "match", "right"}] * 2
    missing = client.get("/api/kwic")
    assert missing.status_code == 400 and "/api/kwic?q=碳纤维" in missing.json["error"]
    bad = client.get("/api/kwic", query_string={"q": "集卡", "sort": "middle"})
    assert bad.status_code == 400 and "text, left, right" in bad.json["error"]


def test_wenhai_kwic_prints_aligned_lines_and_exports(wide, wenhai):
    from rich.cells import cell_len

    result = wenhai("kwic", "集卡")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 7 and "«集卡»: 7 occurrences in 4 articles" in result.stderr
    columns = {cell_len(line.split("  集卡  ")[0]) for line in lines}
    assert len(columns) == 1  # the matches stand in one column
    assert lines[0].endswith("#1]")
    exported = wenhai("kwic", "的", "--csv")
    assert exported.exit_code == 0
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert rows[0][:2] == ["article", "title"] and len(rows) - 1 > 100
    narrowed = wenhai("kwic", "集卡", "--source", "港航周刊", "--json")
    assert '"total": 2' in narrowed.stdout
    bad = wenhai("kwic", "。")
    assert bad.exit_code == 2 and "has spaces or punctuation" in bad.stderr


def test_concordancer_without_an_index_is_empty(tmp_path):
    from store import Archive

    with Archive(tmp_path / "nothing") as archive:
        found = Concordancer(archive.db, None, "集卡").page(1, 10)
        assert (found.total, found.articles, found.lines) == (0, 0, [])


def test_results_of_a_plain_string_link_to_its_concordance_and_trends(wide, client_for):
    client = client_for(wide)
    page = _page(client.get("/search", query_string={"q": "集卡"}))
    kwic = page.cssselect("#kwic-link")[0].get("href")
    assert parse_qs(urlsplit(kwic).query) == {"q": ["集卡"]}
    assert "出现 7 次" in _page(client.get(kwic)).cssselect("#kwic-count")[0].text_content()
    trends = page.cssselect("#trends-link")[0].get("href")
    assert client.get(trends).status_code == 200
    # words apart, a phrase in quotes: no concordance finds every occurrence, none offered
    for q in ("港口 集卡", '"集卡"'):
        page = _page(client.get("/search", query_string={"q": q}))
        assert page.cssselect("li.hit") and not page.cssselect("#kwic-link")
