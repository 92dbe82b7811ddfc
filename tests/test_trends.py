"""Trends of a few terms over time — store, page, JSON API, CSV and `wenhai trends` —
over a real ingested archive."""

from __future__ import annotations

import csv
import io
import re

import lxml.html
import pytest

from store import Archive, Filters, QueryError, normalize
from store.trends import split_terms

from .conftest import FIXTURES


@pytest.fixture
def wide(wenhai, samples, home):
    result = wenhai("ingest", samples, FIXTURES)
    assert result.exit_code == 0, result.output
    return home


def _by_hand(archive: Archive, term: str) -> tuple[dict[str, int], dict[str, int]]:
    """(articles, occurrences) per year of `term`, counted by reading every dated text of
    one copy per repost group — what the series must say."""
    articles: dict[str, int] = {}
    occurrences: dict[str, int] = {}
    seen_groups: set[int] = set()
    for article in archive.articles():
        group = min([article.id, *archive.get(article.id).reposts])
        n = len(re.findall(re.escape(normalize(term)), normalize(article.body)))
        if not n or not article.published or group in seen_groups:
            continue
        seen_groups.add(group)
        year = str(article.published.year)
        articles[year] = articles.get(year, 0) + 1
        occurrences[year] = occurrences.get(year, 0) + n
    return articles, occurrences


def test_terms_are_split_on_any_comma_and_bounded():
    assert split_terms("雷军, 小米汽车，SU7、雷军") == ["雷军", "小米汽车", "SU7"]
    assert split_terms(["集卡", "港口,码头"]) == ["集卡", "港口", "码头"]
    with pytest.raises(QueryError, match="at most 6"):
        split_terms("一,二,三,四,五,六,七")
    with pytest.raises(QueryError, match="No terms to compare"):
        split_terms(" , ，")


def test_each_series_counts_articles_or_occurrences_per_period(wide):
    with Archive(wide) as archive:
        found = archive.trends("集卡,港口,的", by="year")
        assert found.by == "year" and found.terms == ["集卡", "港口", "的"]
        for series in found.series:
            articles, occurrences = _by_hand(archive, series.term)
            assert dict(zip(found.periods, series.counts, strict=True)) == {
                p: articles.get(p, 0) for p in found.periods}
            assert sum(articles.values()) == series.total
            counted = archive.trends(series.term, by="year", measure="occurrences")
            assert {p: n for p, n in zip(counted.periods, counted.series[0].counts,
                                         strict=True) if n} == occurrences
        months = archive.trends("集卡", by="month")
        assert months.periods[0] == "2022-04" and months.series[0].total == 3
        narrowed = archive.trends("集卡", filters=Filters(source="港航周刊"))
        assert narrowed.series[0].total == 1
        with pytest.raises(QueryError, match="choose articles or occurrences"):
            archive.trends("集卡", measure="words")


def test_trends_page_draws_one_line_per_term_and_a_table(wide, client_for):
    client = client_for(wide)
    response = client.get("/trends", query_string={"q": "集卡,港口,的", "by": "year"})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    lines = page.cssselect("figure.trend-chart svg polyline")
    assert [line.get("class") for line in lines] == ["line series-0", "line series-1",
                                                     "line series-2"]
    svg = page.cssselect("figure.trend-chart svg")[0]
    assert svg.get("role") == "img" and "集卡、港口、的" in svg.get("aria-label")
    header = [th.text_content() for th in page.cssselect("table.trend-table thead th")]
    assert header == ["年份", "集卡", "港口", "的"]
    rows = {tr.cssselect("th")[0].text_content(): [td.text_content() for td in tr.cssselect("td")]
            for tr in page.cssselect("table.trend-table tbody tr")}
    with Archive(wide) as archive:  # every fixture folder is ingested: count, not a number
        articles_with_de = _by_hand(archive, "的")[0]
    assert rows["2024"][2] == str(articles_with_de["2024"]) and rows["2022"] == ["1", "1", "1"]
    link = page.cssselect("table.trend-table tbody tr td a")[0].get("href")
    assert "from=" in link and "to=" in link and "q=%22" in link
    legend = [li.text_content() for li in page.cssselect("ul.legend li")]
    assert legend[0].startswith("集卡") and "共 3 篇" in legend[0]
    download = page.cssselect("p.downloads a")[0].get("href")
    got = client.get(download)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(got.text)))
    assert table[0] == ["period", "集卡", "港口", "的"]
    assert ["2024", "1", "0", str(articles_with_de["2024"])] in table


def test_trends_page_switches_to_occurrences_and_explains_errors(wide, client_for):
    client = client_for(wide)
    page = lxml.html.fromstring(client.get(
        "/trends", query_string={"q": "集卡", "measure": "occurrences", "by": "year"}).text)
    # 7 occurrences in all, one in an undated article: no period has it
    assert "共 6 次" in page.cssselect("ul.legend li")[0].text_content()
    bad = client.get("/trends", query_string={"q": "一,二,三,四,五,六,七"})
    assert bad.status_code == 400
    assert "一张图最多比较 6 个" in lxml.html.fromstring(bad.text).text_content()
    empty = lxml.html.fromstring(client.get("/trends").text)
    assert empty.cssselect("input[name=q]") and not empty.cssselect("svg")


def test_api_trends(wide, client_for):
    client = client_for(wide)
    found = client.get("/api/trends", query_string={"q": "集卡,港口", "by": "year"}).json
    assert found["terms"] == ["集卡", "港口"] and found["measure"] == "articles"
    assert found["periods"] == ["2022", "2023", "2024", "2025"]
    assert found["series"][0] == {"term": "集卡", "total": 3, "counts": [1, 1, 1, 0]}
    missing = client.get("/api/trends")
    assert missing.status_code == 400 and "雷军,小米汽车,SU7" in missing.json["error"]


def test_wenhai_trends_prints_a_table_and_csv(wide, wenhai):
    result = wenhai("trends", "集卡,港口", "的", "--by", "year")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["period", "集卡", "港口", "的"]
    with Archive(wide) as archive:
        with_de = sum(_by_hand(archive, "的")[0].values())
    assert lines[-1].split() == ["total", "3", "3", str(with_de)]
    assert "articles per year" in result.stderr
    exported = wenhai("trends", "集卡", "--measure", "occurrences", "--by", "year", "--csv")
    assert list(csv.reader(io.StringIO(exported.stdout))) == [
        ["period", "集卡"], ["2022", "1"], ["2023", "2"], ["2024", "3"]]
    bad = wenhai("trends", "集卡", "--from", "2024-13")
    assert bad.exit_code == 2 and "Cannot read the date range" in bad.stderr
