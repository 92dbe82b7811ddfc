"""Timelines (a search's articles per month or year), browsing the archive without a query,
the home page's overview and the results download — over a real ingested archive."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, quote, urlsplit

import lxml.html

from store import Filters
from store.timeline import timeline


def _page(response):
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def _text(response) -> str:
    return lxml.html.fromstring(response.text).text_content()


def _saved_as(response, name: str) -> None:
    """The response is a download named `name`, in a header a server can send (HTTP
    headers are Latin-1: waitress answered 500 to a raw Chinese file name)."""
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")
    assert header.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in header or f"filename={name}" in header


def _bars(page) -> dict[str, tuple[int, str]]:
    """{period: (count, link)} of the timeline's bars."""
    return {a.get("data-period"): (int(a.get("data-count")), a.get("href"))
            for a in page.cssselect("figure.timeline svg a")}


def test_months_fill_their_gaps_and_long_spans_count_years():
    line = timeline([("2024-03", 2), ("2023-11", 1)])
    assert line.by == "month"
    assert [(b.period, b.count) for b in line.bins] == [
        ("2023-11", 1), ("2023-12", 0), ("2024-01", 0), ("2024-02", 0), ("2024-03", 2)]
    long = timeline([("2010-01", 1), ("2024-12", 3), ("2024-01", 2)])
    assert long.by == "year" and len(long.bins) == 15
    assert (long.bins[0].period, long.bins[-1].period, long.bins[-1].count) == ("2010", "2024", 5)
    assert timeline([], "year").bins == []


def test_archive_timeline_counts_every_dated_match(archive):
    line = archive.timeline("的")
    assert line.by == "month"
    counted = {b.period: b.count for b in line.bins if b.count}
    assert counted == {"2023-11": 1, "2024-03": 1, "2024-06": 1, "2024-09": 1, "2024-10": 1}
    years = archive.timeline("的", by="year")
    assert [(b.period, b.count) for b in years.bins] == [("2023", 1), ("2024", 4)]
    everything = archive.timeline(None, filters=Filters(source="城市生活周刊"))
    assert {b.period: b.count for b in everything.bins if b.count} == {"2024-09": 1,
                                                                       "2024-10": 1}


def test_results_page_draws_the_timeline_and_a_bar_narrows_to_its_month(client):
    page = _page(client.get("/search", query_string={"q": "的"}))
    bars = _bars(page)
    assert {p: n for p, (n, _) in bars.items()} == {
        "2023-11": 1, "2024-03": 1, "2024-06": 1, "2024-09": 1, "2024-10": 1}
    # every bar is labelled for screen readers, and months without articles are no links
    labels = [a.get("aria-label") for a in page.cssselect("figure.timeline svg a")]
    assert "2024-06：1 篇" in labels
    assert len(page.cssselect("figure.timeline svg title")) == 5
    assert len(page.cssselect("figure.timeline svg rect.empty")) == 12 - 5
    link = bars["2024-06"][1]
    assert parse_qs(urlsplit(link).query) == {"q": ["的"], "from": ["2024-06"], "to": ["2024-06"]}
    narrowed = _page(client.get(link))
    titles = [a.text_content() for a in narrowed.cssselect("li.hit h2 a")]
    assert titles == ["港口无人集卡规模化上岗"]
    chips = [c.text_content() for c in narrowed.cssselect("ul.chips a")]
    assert any("从：2024-06" in c for c in chips) and any("到：2024-06" in c for c in chips)


def test_the_year_facet_is_a_short_list_beside_the_chart(client_for, wenhai, home, tmp_path):
    lines = [json.dumps({"title": f"第{y}年的港口", "content": f"{y}年港口集卡的报道。",
                         "pub_date": f"{y}-05-01", "source": "海岸日报"}, ensure_ascii=False)
             for y in range(2001, 2025)]
    (tmp_path / "years.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert wenhai("ingest", tmp_path / "years.jsonl").exit_code == 0
    page = _page(client_for(home).get("/search", query_string={"q": "港口"}))
    years = page.cssselect("section.facet[data-facet=year] li")
    assert [li.text_content().split()[0] for li in years] == ["2024", "2023", "2022", "2021",
                                                                "2020"]
    assert page.cssselect("figure.timeline")[0].get("data-by") == "year"
    assert len(_bars(page)) == 24


def test_results_page_has_one_heading_one(client):
    page = _page(client.get("/search", query_string={"q": "集卡"}))
    assert [h.text_content() for h in page.cssselect("h1")] == ["「集卡」的搜索结果"]


def test_browse_lists_every_article_newest_first_with_facets(client):
    page = _page(client.get("/browse"))
    assert page.cssselect("h1")[0].text_content().startswith("浏览全部文章")
    assert "7 条结果" in page.cssselect("p.count")[0].text_content()
    dates = [t.get("datetime") for t in page.cssselect("li.hit p.meta time")]
    dated = [d for d in dates if d[:2] == "20"]
    assert dated == sorted(dated, reverse=True) and dated[0] == "2024-10-15"
    sources = [li.text_content().split()[0]
               for li in page.cssselect("section.facet[data-facet=source] li")]
    assert sources[0] == "城市生活周刊"
    narrowed = _page(client.get("/browse", query_string={"source": "城市生活周刊"}))
    assert [a.text_content() for a in narrowed.cssselect("li.hit h2 a")] == [
        "旧厂房变身城市书房", "社区食堂开到了家门口"]
    oldest = _page(client.get("/browse", query_string={"sort": "oldest"}))
    first = oldest.cssselect("li.hit p.meta span:last-child time")[0]
    assert first.get("datetime") == "2023-11-18" and first.text_content() == "2023年11月18日"
    bad = client.get("/browse", query_string={"sort": "relevance"})
    assert bad.status_code == 400 and "newest, oldest" in bad.text


def test_home_page_shows_the_archive_at_a_glance(client):
    page = _page(client.get("/"))
    assert set(_bars(page)) == {"2023-11", "2024-03", "2024-06", "2024-09", "2024-10"}
    assert all(urlsplit(link).path == "/browse" for _, link in _bars(page).values())
    sources = page.cssselect("section.facet[data-facet=source] a")
    assert sources[0].text_content() == "城市生活周刊"
    assert parse_qs(urlsplit(sources[0].get("href")).query) == {"source": ["城市生活周刊"]}
    recent = [a.text_content() for a in page.cssselect("section.recent a")]
    assert len(recent) == 7 and recent[0] == "碳纤维机盖风波之后，车主还信发布会吗？"


def test_download_streams_every_result_as_csv_and_jsonl(ingested):
    from web import create_app

    client = create_app({"WENHAI_HOME": str(ingested), "TESTING": True,
                         "PER_PAGE": 2}).test_client()
    page = _page(client.get("/search", query_string={"q": "的", "sort": "newest"}))
    links = {a.text_content(): a.get("href") for a in page.cssselect("p.downloads a")}
    assert set(links) == {"CSV", "JSONL"}
    shown = int(page.cssselect("p.count")[0].text_content().split()[0])
    got = client.get(links["CSV"])
    assert got.status_code == 200 and got.is_streamed
    assert got.mimetype == "text/csv"
    _saved_as(got, "wenhai-的.csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == shown == 7  # all of them, not the page of 2
    dated = [r["published"] for r in rows if r["published"]]
    assert dated == sorted(dated, reverse=True)
    assert "碳纤维机盖" in next(r["text"] for r in rows if r["title"].startswith("碳纤维机盖"))
    records = [json.loads(line) for line in client.get(links["JSONL"]).text.splitlines()]
    assert [r["id"] for r in records] == [int(r["id"]) for r in rows]
    narrowed = client.get("/download", query_string={"q": "的", "source": "城市生活周刊",
                                                     "format": "jsonl"})
    assert sorted(json.loads(x)["title"] for x in narrowed.text.splitlines()) == [
        "旧厂房变身城市书房", "社区食堂开到了家门口"]
    bad = client.get("/download", query_string={"q": "的", "format": "xlsx"})
    assert bad.status_code == 400
    assert "参数 format 必须是 csv, jsonl 之一" in _text(bad)


def test_api_timeline_counts_a_search_or_the_archive(client):
    found = client.get("/api/timeline", query_string={"q": "的", "by": "year"}).json
    assert found["by"] == "year" and found["total"] == 5
    assert found["bins"] == [{"period": "2023", "from": "2023", "to": "2023", "count": 1},
                             {"period": "2024", "from": "2024", "to": "2024", "count": 4}]
    archive = client.get("/api/timeline", query_string={"source": "城市生活周刊"}).json
    assert archive["query"] == "" and archive["filters"] == {"source": "城市生活周刊"}
    assert [(b["period"], b["count"]) for b in archive["bins"]] == [("2024-09", 1),
                                                                   ("2024-10", 1)]
    bad = client.get("/api/timeline", query_string={"q": "的", "by": "week"})
    assert bad.status_code == 400
    assert bad.json["error"] == "'by' must be one of auto, month, year, not 'week'."


def test_an_original_file_named_in_chinese_downloads_under_its_name(client_for, wenhai, home,
                                                                     tmp_path):
    (tmp_path / "港口笔记.txt").write_text("港口笔记\n\n集卡在码头上来回穿梭。", encoding="utf-8")
    assert wenhai("ingest", tmp_path / "港口笔记.txt").exit_code == 0
    client = client_for(home)
    found = client.get("/api/search", query_string={"q": "港口笔记"}).json["hits"][0]["id"]
    got = client.get(f"/articles/{found}/original")
    assert got.status_code == 200 and "集卡" in got.data.decode("utf-8")
    _saved_as(got, "港口笔记.txt")
