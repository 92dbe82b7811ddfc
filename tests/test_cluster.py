"""The cluster backend against a real two-shard Sphinx cluster (`wenhai cluster start`).

Each test starts its own cluster (searchd daemons in a temporary folder) and stops it,
whatever happened: the shards are real, nothing of the engine is mocked. Skipped only
where no `searchd` is installed (`.ci/run` installs Debian's `sphinxsearch`).
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pymysql
import pytest
from click.testing import CliRunner

import store.search.searcher
from indexer.cli import main
from store import Archive, Filters, database, normalize
from store.backends import ENVIRONMENT
from store.cluster import decided, local, verify
from store.cluster import searcher as cluster_searcher
from store.cluster.feed import _INSERT, _ROW, shard_row
from store.search.query import parse
from web import create_app

from .conftest import FIXTURES, SAMPLES
from .test_web import Text

pytestmark = pytest.mark.skipif(
    shutil.which("searchd") is None,
    reason="no searchd installed: `apt-get install sphinxsearch` (`.ci/run` does) to run "
    "the cluster tests")

#: Articles made for the engine's traps: whitespace has no position there (`1 0` and
#: `10`), and the textbook CJK settings lose `23年` inside `2023年`.
TRAPS = {
    "编号.txt": "机房编号\n\n本批设备编号为 1 0 号机柜，位于三楼。",
    "十号.txt": "十号机柜\n\n本批设备编号为10号机柜，位于四楼。",
    "年报.txt": "年度报告\n\n公司2023年营收增长，预计23年下半年继续扩张。",
    "标点.txt": "标点测试\n\n中，国与中国不同；碳纤维·机盖是一个词。",
    # A line break parts 台北 from 捷运 for wenhai (no exact 北捷); a zero-width space
    # parts nothing (新北市 is there). The engine skips the one and indexes the other
    # unless the shards' text says otherwise.
    "断行.txt": "断行测试\n\n台北\n捷运今日通车，新北\u200b市也有站。",
    # A passage typed without its 。: jieba reads 县位 as a word, found nowhere as such.
    "石林.txt": "石林县\n\n地处石林彝族自治县是昆明市辖县。位于云南省东部。",
    # Numbers and Latin words are whole for wenhai: su is not in usual nor 15 in 150,
    # and SU7 is su 7 (a word, then a number) but not s u7.
    "型号.txt": "新车型号\n\n小米SU7与 su 7 同名，usual 里没有 su。iPhone 15 售价5999元，"
              "iPhone 150 并不存在；iPhone15Pro 在售，iphonex 停产。",
    "版本.txt": "版本说明\n\n版本 v2.0.1 发布于2024年3月5日，编号A1B2，5G网络覆盖率达98.6%。"
              "自 2024 年10月1日起施行，COVID-19 之后第2季度营收1 024万元。",
    # Only words that go on from iphone, ipho and v: found by them after the whole words.
    "停产.txt": "停产公告\n\nIPHONEX 与 iphonexs 停产，v2ray 与 5gx 亦然：已停产iPhoneX。",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The samples, the fixture articles, and the trap articles, in one folder."""
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLES, folder)
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    for name, text in TRAPS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch):
    """A running two-shard cluster: (address, folder); always stopped afterwards."""
    folder = tmp_path / "cluster"
    result = CliRunner().invoke(main, ["cluster", "start", "--shards", "2", "--dir", str(folder)])
    try:
        assert result.exit_code == 0, result.output
        [line] = result.stdout.splitlines()
        assert re.fullmatch(r"WENHAI_CLUSTER=127\.0\.0\.1:\d+", line)
        address = line.partition("=")[2]
        monkeypatch.setenv(ENVIRONMENT, address)
        yield address, folder
    finally:
        local.stop(folder)
    assert not [p for p in local.pid_files(folder) if local.running(p)]


def _kill(pid_file: Path) -> None:
    """Kill one daemon as a crash would (SIGKILL), and wait until it is gone."""
    pid = int(pid_file.read_text())
    fd = os.pidfd_open(pid)
    try:
        os.kill(pid, signal.SIGKILL)
        assert select.select([fd], [], [], 30)[0], f"searchd {pid} did not die"
    finally:
        os.close(fd)


def run(home: Path, *args: str, cluster: str | None = None):
    """The `wenhai` CLI on `home`; with `cluster`, through --cluster."""
    options = ["--home", str(home)] + (["--cluster", cluster] if cluster else [])
    return CliRunner().invoke(main, [*options, *args])


def ids(result) -> list[int]:
    return [hit.id for hit in result.hits]


def test_start_prints_the_address_writes_pid_files_and_stop_stops_exactly_them(cluster):
    address, folder = cluster
    pids = {p.name: int(p.read_text()) for p in local.pid_files(folder)}
    assert set(pids) == {"shard-1.pid", "shard-2.pid", "aggregator.pid"}
    assert all(local.running(folder / name) for name in pids)
    conf = (folder / "shard-1.conf").read_text()
    assert "ngram_len = 1" in conf and "U+A1..U+2FFFF" in conf and "type = rt" in conf
    assert "type = distributed" in (folder / "aggregator.conf").read_text()
    again = CliRunner().invoke(main, ["cluster", "start", "--shards", "2", "--dir", str(folder)])
    assert again.stdout.strip() == f"WENHAI_CLUSTER={address}"  # running: the same one
    stopped = CliRunner().invoke(main, ["cluster", "stop", "--dir", str(folder)])
    assert stopped.exit_code == 0 and stopped.stdout == "stopped shard-1, shard-2, aggregator\n"
    assert not any(local.running(folder / name) for name in pids)


def test_the_cluster_answers_what_the_embedded_index_answers(cluster, corpus, tmp_path,
                                                            monkeypatch):
    address, _ = cluster
    embedded, clustered = tmp_path / "embedded", tmp_path / "clustered"
    monkeypatch.delenv(ENVIRONMENT)
    assert run(embedded, "ingest", str(corpus)).exit_code == 0
    fed = run(clustered, "ingest", str(corpus), cluster=address)
    assert fed.exit_code == 0, fed.output
    assert not (clustered / "index").exists()  # the cluster holds the index, not the home
    queries = ["台北捷运", '"碳纤维机盖"', "碳纤维 机盖", "风场 OR 捷运",
               "经济 -风场", "title:机柜", "10", "1 0", "23年", "2023年", "中国",
               "中，国", "date:2024", "离岸风场 date:2024", "source:汽车前哨",
               "碳纤维机盖风波", "iphone", "彝族自治县是昆明市辖县位", "北捷", '"新北市"']
    # Random runs of 2 to 6 Chinese characters of the stored texts: every article holding
    # one must be found (recall against a scan of the store), by both backends. (Digits
    # and Latin words are matched whole by wenhai, on purpose: 20 is not in 2023.)
    with Archive(embedded) as archive:
        texts = {a.id: normalize(f"{a.title}\n{a.body}") for a in archive.articles()}
    rng = random.Random(26)
    for _ in range(80):
        text = rng.choice(list(texts.values()))
        at = rng.randrange(max(1, len(text) - 6))
        piece = text[at : at + rng.randint(2, 6)].strip()
        if re.fullmatch(r"[\u4e00-\u9fff]{2,6}", piece):
            queries.append(f'"{piece}"')
    with Archive(embedded) as one, Archive(clustered, address) as other:
        assert one.backend.name == "embedded" and other.backend.name == "cluster"
        for q in queries:
            mine, theirs = one.search(q, per_page=100), other.search(q, per_page=100)
            assert not theirs.partial, (q, theirs.reasons)
            assert theirs.total == mine.total, q
            assert set(ids(theirs)) == set(ids(mine)), q
            assert theirs.facets == mine.facets, q
            if q.startswith('"'):
                wanted = normalize(q.strip('"'))
                assert {i for i, t in texts.items() if wanted in t} <= set(ids(theirs)), q
        # The same tiers: exact matches first (10 before the 1 0 that only the engine
        # sees as the same), and a title typed as the query puts its article first.
        assert [h.title for h in other.search("10").hits][:1] == ["十号机柜"]
        assert [h.title for h in other.search("23年").hits] == ["年度报告"]
        title = "碳纤维机盖风波之后，车主还信发布会吗？"
        assert other.search(title).hits[0].title == title
        for sort in ("newest", "oldest"):
            assert ids(other.search("的", sort=sort, per_page=50)) == ids(
                one.search("的", sort=sort, per_page=50))


def _old_path_noted(monkeypatch) -> list:
    """The queries the cluster's searcher sends down the old path (candidates checked
    one by one) from now on: the path stays real, each query asked is noted."""
    asked: list = []
    real = cluster_searcher.candidates
    def candidates(*args, **kwargs):
        asked.append(args[1])
        return real(*args, **kwargs)
    monkeypatch.setattr(cluster_searcher, "candidates", candidates)
    return asked


def _alnum_strings(texts: dict[int, str], rng: random.Random, count: int) -> list[str]:
    """`count` cuts of the texts around a digit or a Latin letter, some with a space put
    into them (`1 0` for 10): where runs start and end, inside them or not."""
    places = [(i, m.start()) for i, t in texts.items() for m in re.finditer("[a-z0-9]", t)]
    found: list[str] = []
    while len(found) < count:
        i, at = rng.choice(places)
        text = texts[i]
        piece = text[max(0, at - rng.randint(0, 3)) : at + rng.randint(1, 6)].strip()
        if rng.random() < 0.3 and len(piece) > 1:
            cut = rng.randrange(1, len(piece))
            piece = f"{piece[:cut]} {piece[cut:]}"
        if piece and '"' not in piece:
            found.append(piece)
    return found


def _side_by_side(cluster, corpus, tmp_path, monkeypatch):
    """(embedded home, clustered home, the queries sent down the old path) of the corpus
    ingested both ways."""
    address, _ = cluster
    embedded, clustered = tmp_path / "embedded", tmp_path / "clustered"
    monkeypatch.delenv(ENVIRONMENT)
    assert run(embedded, "ingest", str(corpus)).exit_code == 0
    assert run(clustered, "ingest", str(corpus), cluster=address).exit_code == 0
    return embedded, clustered, _old_path_noted(monkeypatch)


def test_digits_and_latin_words_are_decided_by_the_engine_as_wenhai_decides_them(
        cluster, corpus, tmp_path, monkeypatch):
    """The shards mark where each number and Latin word starts and ends, so a quoted
    string with digits or letters, or a plain number, is decided by the engine (no
    candidates checked one by one) and finds exactly what the embedded index finds:
    random cuts of the stored texts around digits and letters, and the traps."""
    address, _ = cluster
    embedded, clustered, asked = _side_by_side(cluster, corpus, tmp_path, monkeypatch)
    with Archive(embedded) as archive:
        texts = {a.id: normalize(f"{a.title}\n{a.body}") for a in archive.articles()}
    traps = ['"su"', '"usual"', '"su7"', '"su 7"', '"s u7"', "15", '"iphone 15"',
             '"iphone 150"', "150", '"iphone15pro"', '"1 0"', "10", '"23年"', '"2023年"',
             '"20 23"', "2024", '"2024 年"', "5999", '"5g网络"', '"a1b2"', '"2.0"',
             '"1 024万元"', '"1024万元"', '"iphonex"', '"第2季度" OR "su"', '"iphone" -"15"',
             'title:"2024"']
    # A last Latin word that may go on, decided by the engine in two tiers: the word
    # whole first (iphone), then going on (iphonex, iphone15pro).
    going_on = {"iphone": '"iphone"', "iphon": '"iphon"', "su": '"su"', "v2": '"v2"',
                "ipho 15 OR 5g": '"ipho" 15 OR "5g"', "iphone date:2024": '"iphone" date:2024'}
    # Punctuation inside (any mark for any other), terms of several words (停产iphone
    # finds 停产iphonex, its last word going on, before 停产 and iphone apart).
    old_path: list[str] = []
    traps += ['"2.0"', '"2,0"', "小米su", "iphone售价", "停产iphone"]
    strings = [f'"{s}"' for s in _alnum_strings(texts, random.Random(2026), 120)]
    decided_here = 0
    with Archive(embedded) as one, Archive(clustered, address) as other:
        for q in [*traps, *going_on, *old_path, *strings]:
            asked.clear()
            mine, theirs = one.search(q, per_page=100), other.search(q, per_page=100)
            assert not theirs.partial, (q, theirs.reasons)
            assert (theirs.total, set(ids(theirs))) == (mine.total, set(ids(mine))), q
            assert theirs.facets == mine.facets, q
            assert {h.id: h.snippet for h in theirs.hits} == {h.id: h.snippet for h in mine.hits}
            if q in going_on:  # the same tiers: the word whole first
                whole = set(ids(one.search(going_on[q], per_page=100)))
                assert set(ids(theirs)[:len(whole)]) == set(ids(mine)[:len(whole)]) == whole, q
            engine = decided.decides(parse(q), Filters()) is not None
            assert engine != (q in old_path) or q in strings, q  # now every one
            assert not (engine and asked), (q, "decided from candidates")
            decided_here += engine
        assert decided_here > 100  # strings with punctuation inside are not
        found = {q: [h.title for h in other.search(q).hits] for q in traps}
    assert found['"su"'] == ["新车型号"] and found['"usual"'] == ["新车型号"]
    assert found["15"] == found['"iphone 15"'] == ["新车型号"]
    assert found['"1 0"'] == ["机房编号"] and found["10"][:1] == ["十号机柜"]
    assert "机房编号" not in found["10"] and found['"20 23"'] == []
    assert found['"1024万元"'] == [] and found['"1 024万元"'] == ["版本说明"]
    assert found['"23年"'] == ["年度报告"] and found['"s u7"'] == []
    with Archive(clustered, address) as other:
        assert {h.title for h in other.search("iphon").hits} == {"新车型号", "停产公告"}
        assert [h.title for h in other.search("iphone").hits] == ["新车型号", "停产公告"]
        assert [h.title for h in other.search("停产iphone").hits] == ["停产公告", "新车型号"]


def test_terms_of_several_words_are_decided_by_the_engine_in_wenhais_tiers(
        cluster, corpus, tmp_path, monkeypatch):
    """A plain term of several jieba words matches its exact string, its loose form
    (across punctuation: each shard also holds its texts with what stands between two
    Chinese characters taken out) or its words apart; the engine decides all three,
    with the embedded index's totals, sets, facets, snippets and tiers (the exact
    matches first), no candidates checked one by one: random cuts of the stored
    texts, titles as typed, a passage without its 。, and mixed queries."""
    address, _ = cluster
    embedded, clustered, asked = _side_by_side(cluster, corpus, tmp_path, monkeypatch)
    with Archive(embedded) as archive:
        texts = {a.id: normalize(f"{a.title}\n{a.body}") for a in archive.articles()}
        titles = [a.title for a in archive.articles() if '"' not in a.title]
    rng = random.Random(1926)
    cuts = []
    while len(cuts) < 60:
        text = rng.choice(list(texts.values()))
        at = rng.randrange(max(1, len(text) - 6))
        piece = text[at : at + rng.randint(3, 6)]
        if re.fullmatch(r"[\u4e00-\u9fff]{3,6}", piece):
            cuts.append(piece)
    queries = ["彝族自治县是昆明市辖县位", "台北捷运", "碳纤维机盖风波", "中国人", "小米汽车 -手机",
               "离岸风场 OR 台北捷运", "碳纤维机盖 date:2024", "经济发展 source:汽车前哨", *titles,
               *cuts]
    with Archive(embedded) as one, Archive(clustered, address) as other:
        for q in queries:
            asked.clear()
            for sort in ("relevance", "newest"):
                mine = one.search(q, per_page=100, sort=sort)
                theirs = other.search(q, per_page=100, sort=sort)
                assert not theirs.partial, (q, theirs.reasons)
                assert (theirs.total, set(ids(theirs))) == (mine.total, set(ids(mine))), q
                assert theirs.facets == mine.facets, q
                assert {h.id: h.snippet for h in theirs.hits} == {
                    h.id: h.snippet for h in mine.hits}, (q, sort)
                if sort == "newest":
                    assert ids(theirs) == ids(mine), q
                elif len(q.split()) == 1:  # the exact string first
                    whole = set(ids(one.search(f'"{q}"', per_page=100)))
                    assert set(ids(theirs)[:len(whole)]) == whole, q
            assert decided.decides(parse(q), Filters()) is not None, q
            assert not asked, (q, "decided from candidates")
        title = "碳纤维机盖风波之后，车主还信发布会吗？"
        assert other.search(title).hits[0].title == title
        assert [h.title for h in other.search("彝族自治县是昆明市辖县位").hits] == ["石林县"]


def test_every_route_answers_through_the_cluster(cluster, samples, tmp_path):
    address, _ = cluster
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0
    client = create_app({"WENHAI_HOME": str(home), "TESTING": True,
                         "WENHAI_CLUSTER": address}).test_client()
    page = client.get("/search?q=碳纤维机盖")
    assert page.status_code == 200
    assert "碳纤维机盖" in Text(page.get_data(as_text=True)).marks
    found = client.get("/api/search?q=碳纤维机盖").get_json()
    assert found["partial"] is False and found["reason"] is None and found["total"] == 1
    [hit] = found["hits"]
    assert client.get(f"/articles/{hit['id']}").status_code == 200
    assert client.get(f"/api/articles/{hit['id']}").get_json()["title"] == hit["title"]
    assert client.get(f"/api/articles/{hit['id']}/similar").status_code == 200
    suggested = client.get("/api/suggest?q=碳纤维").get_json()
    assert hit["title"] in json.dumps(suggested, ensure_ascii=False)
    assert client.get("/search?q=台北&source=汽车前哨").status_code == 200
    cli = run(home, "search", "台北捷运", "--json")
    assert cli.exit_code == 0 and json.loads(cli.stdout)["total"] >= 1


def test_the_researchers_instruments_and_tags_answer_through_the_cluster(
        cluster, corpus, tmp_path, monkeypatch):
    """Concordance, trends, timelines, browsing and tags give what the embedded index
    gives; the user dictionary is refused in one line, and a concordance that a killed
    shard would make incomplete is refused naming the shard."""
    address, folder = cluster
    embedded, clustered = tmp_path / "embedded", tmp_path / "clustered"
    monkeypatch.delenv(ENVIRONMENT)
    assert run(embedded, "ingest", str(corpus)).exit_code == 0
    assert run(clustered, "ingest", str(corpus), cluster=address).exit_code == 0
    with Archive(embedded) as archive:
        [tagged] = ids(archive.search("碳纤维机盖风波"))
    for home, via in ((embedded, None), (clustered, address)):
        given = run(home, "tag", str(tagged), "跨海档案", cluster=via)
        assert given.exit_code == 0, given.output
    with Archive(embedded) as one, Archive(clustered, address) as other:
        for q in ("tag:跨海档案", "跨海档案"):  # a tag given here is in no file's text
            assert ids(other.search(q)) == ids(one.search(q)) == [tagged], q
        assert other.search("的", filters=Filters(tag="跨海档案")).total == 1
        for text in ("的", "机柜", "碳纤维"):
            # Sorted by context: the same lines in the same order. (In article order,
            # undated articles come last in the order each index holds them.)
            mine, theirs = (a.kwic(text, per_page=500, sort="left") for a in (one, other))
            assert theirs.total == mine.total > 0 and theirs.articles == mine.articles, text
            assert [(line.article_id, line.occurrence, line.left, line.right)
                    for line in theirs.lines] == [
                (line.article_id, line.occurrence, line.left, line.right)
                for line in mine.lines], text
            assert other.timeline(text).to_dict() == one.timeline(text).to_dict(), text
        for measure in ("articles", "occurrences"):
            assert other.trends("的,机柜", measure=measure).to_dict() == one.trends(
                "的,机柜", measure=measure).to_dict()
        assert other.timeline().to_dict() == one.timeline().to_dict()
        browsed, listed = other.browse(per_page=100), one.browse(per_page=100)
        assert sorted(ids(browsed)) == sorted(ids(listed)) and browsed.facets == listed.facets
        assert [h.id for h in browsed.hits if h.published] == [
            h.id for h in listed.hits if h.published]  # newest first; undated last, as held
        assert browsed.facets["month"] and not browsed.partial
    client = create_app({"WENHAI_HOME": str(clustered), "TESTING": True,
                         "WENHAI_CLUSTER": address}).test_client()
    for route in ("/kwic?q=机柜", "/trends?q=的,机柜", "/browse", "/api/timeline?q=的",
                  "/api/kwic?q=机柜", "/search?q=tag:跨海档案", "/download?q=机柜&format=csv"):
        assert client.get(route).status_code == 200, route

    refused = run(clustered, "dict", "add", "碳纤维机盖", cluster=address)
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1, refused.output
    assert "user dictionary" in refused.output and "not available on a cluster yet" in \
        refused.output
    assert not (clustered / "dictionary.txt").exists()

    _kill(folder / "shard-2.pid")
    failed = run(clustered, "kwic", "的", cluster=address)
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert "Cannot count every occurrence of «的»" in failed.output
    assert "shard 2" in failed.output
    taiwan = CliRunner().invoke(main, ["--home", str(clustered), "--cluster", address, "kwic",
                                       "的"], env={"LANGUAGE": None, "LC_ALL": None,
                                                   "LANG": "zh_TW.UTF-8"})
    assert taiwan.exit_code == 1
    said = r"Error: 無法透過叢集數出「的」的每一處：shard 2 .*沒有回應（"
    assert re.match(said, taiwan.stderr), taiwan.stderr
    answer = client.get("/api/trends?q=的")
    assert answer.status_code == 503 and "shard 2" in answer.get_json()["error"]
    hans = client.get("/api/trends?q=的", headers={"Accept-Language": "zh-CN"}).get_json()
    assert re.match(r"无法通过集群数出「的」的每一处：shard 2 .*没有回应（", hans["error"]), hans
    counted = client.get("/api/timeline?q=的").get_json()  # a search's counts: said partial
    assert counted["partial"] is True and "shard 2" in counted["reason"]


def test_a_query_with_too_many_candidates_checks_the_first_and_says_so(
        cluster, corpus, tmp_path, monkeypatch):
    """A query the engine cannot decide is checked against the stored text, at most
    `VERIFY_LIMIT` candidates. (The engine decides almost every query now; this path
    answers those whose page the stored text does not bear out: here every query is
    sent down it.)"""
    address, _ = cluster
    home = tmp_path / "home"
    monkeypatch.setattr(decided, "decides", lambda parsed, filters: None)
    q = "的 OR 小米汽车"
    assert run(home, "ingest", str(corpus)).exit_code == 0
    with Archive(home, address) as archive:
        every = archive.search(q, per_page=100)
        newest = archive.search(q, sort="newest", per_page=100)
        oldest = archive.search(q, sort="oldest", per_page=100)
    assert every.total > 5 and not every.partial
    monkeypatch.setattr(cluster_searcher, "VERIFY_LIMIT", 5)
    with Archive(home, address) as archive:
        capped = archive.search(q, per_page=100)
        assert capped.partial and capped.total == 5
        told = re.search(r"may match (\d+) articles", capped.reasons[0])
        assert told and int(told[1]) >= every.total  # candidates: a superset
        assert set(ids(capped)) <= set(ids(every))
        # Sorted by date, the five checked are the newest (or oldest) candidates: the
        # matches among them are the first matches of all, in order.
        for sort, whole in (("newest", newest), ("oldest", oldest)):
            found = ids(archive.search(q, sort=sort))
            assert found and found == [i for i in ids(whole)[:5] if i in found], sort
        # An export still reads every match.
        assert sorted(archive.matching_ids(q)) == sorted(ids(every))
    answer = create_app({"WENHAI_HOME": str(home), "TESTING": True}).test_client().get(
        "/api/search", query_string={"q": q}).get_json()
    assert answer["partial"] is True and "may match" in answer["reason"]


#: The sources the many articles of `many` are spread over.
SOURCES = ("海岸日报", "江城晚报", "港城商报", "航运周刊")
#: Three long texts, each stored three times with a small edit by three sources: repost
#: groups, one result each in a search.
REPOSTED = [
    "海关总署发布数据显示，今年前三季度沿海港口集装箱吞吐量同比增长百分之七，其中外贸航线"
    "恢复明显。业内人士认为，港口自动化改造和多式联运的推进，使得码头作业效率持续提升，"
    "而内陆无水港的布局也让更多货物就近报关，物流成本随之下降。",
    "渔业部门提醒，台风过境后近海风浪仍然较大，渔船暂不宜出海作业。各地渔港已经组织人员"
    "检查避风锚地的缆绳和消防设施，并对受损船只登记造册，保险公司也派出查勘人员驻点理赔，"
    "力争在一周之内完成第一批赔付。",
    "新建的跨海大桥进入荷载试验阶段，数十辆满载砂石的卡车按设计位置停在桥面上，工程师通过"
    "传感器记录主梁的挠度和应力变化。试验合格后，大桥将进行交工验收，预计明年春节前通车，"
    "两岸之间的车程将从一个半小时缩短到二十分钟。",
]


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """1,207 articles in one JSON Lines file: 1,198 short ones, each with 港口 (every
    third with 航运, every fifth undated; 1,100 authors, more values than a shard
    counts at first), and three repost groups of three."""
    lines = []
    for i in range(1198):
        date = None if i % 5 == 0 else f"{2022 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        body = f"第{i}期简报：港口今日作业正常。" + ("航运指数小幅上涨。" if i % 3 == 0 else "")
        lines.append({"title": f"港区简报第{i}期", "author": f"记者{i % 1100}",
                      "source": SOURCES[i % 4], "pub_date": date, "content": body})
    for k, text in enumerate(REPOSTED):
        for copy in range(3):
            lines.append({"title": f"转载{k}之{copy}", "source": SOURCES[copy],
                          "pub_date": f"2024-0{k + 1}-1{copy}",
                          "content": text + ("港口消息。" if copy == 0 else f"（来源{copy}）")})
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "briefs.jsonl").write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    return folder


def test_a_query_matching_more_than_a_thousand_articles_is_counted_whole(
        cluster, many, tmp_path, monkeypatch):
    """Queries the engine decides (Chinese strings without tiers, dates, filters) are
    counted, faceted, ordered and paged by it over every match: past a thousand matches
    the answer is complete, with the total and the facets of the embedded index, and
    the candidates checked one by one (`VERIFY_LIMIT`) play no part."""
    address, _ = cluster
    embedded, clustered = tmp_path / "embedded", tmp_path / "clustered"
    monkeypatch.delenv(ENVIRONMENT)
    assert run(embedded, "ingest", str(many)).exit_code == 0
    assert run(clustered, "ingest", str(many), cluster=address).exit_code == 0
    monkeypatch.setattr(cluster_searcher, "VERIFY_LIMIT", 5)
    asked = [("港口", Filters()), ('"港口"', Filters(source="江城晚报")), ("港口 航运", Filters()),
             ("港口 -航运", Filters(year="2023")), ("港 date:2023-03..2024-02", Filters()),
             ("港口 OR 大桥", Filters(author="记者7", date_from="2022-06"))]
    with Archive(embedded) as one, Archive(clustered, address) as other:
        assert one.search("港口").total > 1000
        assert len(one.search("港口").facets["author"]) > decided.FIRST_MATCHES
        for q, filters in asked:
            for reposts in ("one", "all"):
                mine = one.search(q, per_page=100, filters=filters, reposts=reposts)
                theirs = other.search(q, per_page=100, filters=filters, reposts=reposts)
                assert not theirs.partial, (q, theirs.reasons)
                assert theirs.total == mine.total, (q, filters, reposts)
                assert theirs.facets == mine.facets, (q, filters, reposts)
                assert sorted(other.matching_ids(q, filters=filters, reposts=reposts)) == \
                    sorted(one.matching_ids(q, filters=filters, reposts=reposts)), q
                for sort in ("newest", "oldest"):  # every page the same, past the thousandth
                    last = max(1, -(-mine.total // 100))
                    for page in sorted({1, 2, last}):
                        assert ids(other.search(q, page, 100, sort=sort, filters=filters,
                                                reposts=reposts)) == ids(one.search(
                            q, page, 100, sort=sort, filters=filters, reposts=reposts)), (
                            q, sort, page)
        every = other.search("港口", per_page=100)
        assert every.total == 1198 + 3  # a repost group is one result
        assert [h.title for h in other.search("跨海大桥").hits] == [
            h.title for h in one.search("跨海大桥").hits]
    answer = create_app({"WENHAI_HOME": str(clustered), "TESTING": True,
                         "WENHAI_CLUSTER": address}).test_client().get(
        "/api/search", query_string={"q": "港口", "page": 12}).get_json()
    assert answer["partial"] is False and answer["total"] == 1201 and len(answer["hits"]) == 10


def test_removal_leaves_the_shards(cluster, samples, tmp_path):
    address, _ = cluster
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0
    with Archive(home) as archive:
        [tea] = ids(archive.search("武夷岩茶"))
    assert run(home, "remove", str(tea), "--yes").exit_code == 0
    with Archive(home) as archive:
        assert ids(archive.search("武夷岩茶")) == []
    checked = run(home, "check")
    assert checked.exit_code == 0, checked.output
    assert "0 missing, 0 extra, 0 stale" in checked.stdout


def test_a_killed_shard_is_said_everywhere_then_recovered(cluster, samples, tmp_path,
                                                          monkeypatch):
    address, folder = cluster
    # About a shard's death and recovery, not the time a search may take: on a starved
    # machine (this suite at nice 19 beside a two-core ingest) a search here took more
    # than SEARCH_SECONDS, and its answer was partial for that alone.
    for module in (store.search.searcher, cluster_searcher):
        monkeypatch.setattr(module, "SEARCH_SECONDS", 600.0)
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0
    with Archive(home) as archive:
        before = archive.search("的", per_page=100)
    assert before.total > 2 and not before.partial
    _kill(folder / "shard-2.pid")

    client = create_app({"WENHAI_HOME": str(home), "TESTING": True}).test_client()
    answer = client.get("/api/search?q=的&per_page=50").get_json()
    assert answer["partial"] is True and "shard 2" in answer["reason"]
    assert 0 < answer["total"] < before.total
    page = client.get("/search?q=的").get_data(as_text=True)
    assert 'id="cluster-notice"' in page and "shard 2" in page
    terminal = run(home, "search", "的")
    assert terminal.exit_code == 0 and "warning: shard 2" in terminal.stderr
    # ... in the reader's language: the page's and the terminal's
    hant = client.get("/search?q=的", headers={"Accept-Language": "zh-TW"})
    assert re.search(r"<br>shard 2 [^<]*沒有回應（[^<]*：這些結果只來自其他分片",
                     hant.get_data(as_text=True))
    told = client.get("/api/search?q=的", headers={"Accept-Language": "zh-TW"}).get_json()
    assert re.match(r"shard 2 .*沒有回應（", told["reason"]), told["reason"]
    hans = CliRunner().invoke(main, ["--home", str(home), "search", "的"],
                              env={"LANGUAGE": None, "LC_ALL": None, "LANG": "zh_CN.UTF-8"})
    assert re.search(r"warning: shard 2 .*没有回应（.*：这些结果只来自其他分片", hans.stderr)

    # An ingest that cannot reach the shard fails saying which, and keeps the articles.
    extra = tmp_path / "more"
    extra.mkdir()
    for name in ("年报.txt", "十号.txt"):
        (extra / name).write_text(TRAPS[name], encoding="utf-8")
    failed = run(home, "ingest", str(extra))
    assert failed.exit_code == 1 and "shard 2" in failed.output
    assert "check --repair" in failed.output
    with Archive(home) as archive:
        assert archive.counts()["articles"] == before.total + 2
    lagging = run(home, "check")
    assert lagging.exit_code == 1 and "shard 2" in lagging.stdout

    restarted = CliRunner().invoke(main, ["cluster", "start", "--shards", "2",
                                          "--dir", str(folder)])
    assert restarted.stdout.strip() == f"WENHAI_CLUSTER={address}"
    recovered = json.loads(run(home, "search", "的", "--json").stdout)
    assert recovered["partial"] is False, recovered["reason"]
    repaired = run(home, "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    with Archive(home) as archive:
        assert [h.title for h in archive.search("23年").hits] == ["年度报告"]
        assert [h.title for h in archive.search("10号机柜").hits] == ["十号机柜"]
        assert archive.search("的", per_page=100).total == before.total


def test_check_reports_per_shard_and_repair_feeds_it_again(cluster, corpus, tmp_path):
    address, _ = cluster
    home = tmp_path / "home"
    assert run(home, "ingest", str(corpus)).exit_code == 0
    with Archive(home) as archive:
        shard = archive.backend.searchers(home, lambda: archive.db).cluster.shards()[0]
        total = archive.counts()["articles"]
    lost = pymysql.connect(host=shard.host, port=shard.port, user="", autocommit=True)
    with lost.cursor() as cur:
        cur.execute(f"TRUNCATE RTINDEX {shard.index}")  # the shard lost its data
    lost.close()
    held = total // 2  # ids 1..total, even ones on shard 1
    checked = run(home, "check")
    assert checked.exit_code == 1
    assert re.search(rf"shard 1 \(shard1 at [^)]*\): 0 documents; {held} missing, 0 extra",
                     checked.stdout), checked.stdout
    assert run(home, "check", "--repair").exit_code == 0
    again = run(home, "check")
    assert again.exit_code == 0 and f"shard 1 (shard1 at {shard.host}:{shard.port}): " \
        f"{held} documents; 0 missing" in again.stdout


def test_an_archive_moves_onto_the_cluster_with_reindex(cluster, samples, tmp_path,
                                                        monkeypatch):
    address, _ = cluster
    monkeypatch.delenv(ENVIRONMENT)
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0  # its own index
    moved = run(home, "check", cluster=address)
    assert moved.exit_code == 1 and "0 documents" in moved.stdout  # the shards are empty
    assert run(home, "reindex", cluster=address).exit_code == 0
    checked = run(home, "check", cluster=address)
    assert checked.exit_code == 0, checked.output
    found = json.loads(run(home, "search", "台北捷运", "--json", cluster=address).stdout)
    assert found["total"] == 1 and found["partial"] is False
    stats = run(home, "stats", cluster=address)
    assert stats.exit_code == 0, stats.output


def test_a_cluster_named_but_not_there_says_so(tmp_path, samples):
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0
    (home / "cluster").write_text("127.0.0.1:1\n")  # the setting in the home
    result = run(home, "search", "台北")
    assert result.exit_code == 1
    assert "aggregator at 127.0.0.1:1" in result.output and "wenhai cluster start" in result.output
    bad = run(home, "search", "台北", cluster="nowhere")
    assert bad.exit_code == 1 and "is not HOST:PORT" in bad.output and "--cluster" in bad.output
    (home / "cluster").unlink()
    assert run(home, "search", "台北").exit_code == 0  # nothing set: the embedded index


def test_searchd_daemons_are_ours_to_stop_only(tmp_path):
    """stop never touches a daemon it did not start: no pid files, nothing stopped."""
    empty = tmp_path / "none"
    empty.mkdir()
    result = CliRunner().invoke(main, ["cluster", "stop", "--dir", str(empty)])
    assert result.exit_code == 0 and "nothing was running" in result.stdout


def test_verification_indexes_of_a_process_gone_are_removed(cluster, samples, tmp_path,
                                                            monkeypatch):
    """A server stopped by a signal leaves its verification indexes: the next process
    to search removes them, and its own are gone when its archive closes."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # read TMPDIR again
    try:
        home = tmp_path / "home"
        assert run(home, "ingest", str(samples)).exit_code == 0
        base = tmp_path / "tmp" / verify.FOLDER
        gone = subprocess.Popen(["true"])
        gone.wait()  # a pid that no process has now
        left = base / f"{gone.pid}-abc"
        left.mkdir(parents=True)
        with Archive(home) as archive:
            [hit] = archive.search("台北捷运").hits
            assert archive.similar(hit.id) is not None  # similar articles: candidates, checked
            assert not left.exists()
            assert len(list(base.iterdir())) == 1  # this process's own
        assert list(base.iterdir()) == []
    finally:
        tempfile.tempdir = None


def test_a_cluster_set_up_by_an_older_wenhai_is_not_started_again(cluster):
    """Its shards lack the attributes searches filter and count by: starting it again
    says so, and how to move on, instead of failing at the first feed or search."""
    _, folder = cluster
    local.stop(folder)
    config = folder / "shard-1.conf"
    config.write_text(config.read_text().replace("  rt_attr_bigint = dated_first\n", ""))
    again = CliRunner().invoke(main, ["cluster", "start", "--shards", "2", "--dir", str(folder)])
    assert again.exit_code == 1 and "Traceback" not in again.output
    assert "set up by an older wenhai: its shards lack dated_first" in again.output
    assert "wenhai reindex" in again.output
    assert not [p for p in local.pid_files(folder) if local.running(p)]


def test_shards_of_an_older_wenhai_still_running_are_refused_not_fed_or_searched(
        cluster, samples, tmp_path):
    """Shards set up before the loose fields, their daemons still running: the engine
    takes the new columns without a word and finds nothing in them, so wenhai asks each
    shard what it holds and refuses, saying what to do, before feeding or searching."""
    address, folder = cluster
    local.stop(folder)
    for config in sorted(folder.glob("*.conf")):
        text = config.read_text(encoding="utf-8")
        config.write_text("".join(line for line in text.splitlines(keepends=True)
                                  if not line.rstrip().endswith("_l")), encoding="utf-8")
        if (data := folder / config.stem).is_dir():  # a shard's index keeps its schema
            shutil.rmtree(data)
            data.mkdir()
        port = int(re.search(r"listen = 127\.0\.0\.1:(\d+)", text).group(1))
        local._run(local.searchd(), config, port)  # as an older `cluster start` left them
    home = tmp_path / "home"
    fed = run(home, "ingest", str(samples), cluster=address)
    assert fed.exit_code == 1 and "Traceback" not in fed.output
    assert "shard 1 (shard1 at 127.0.0.1:" in fed.output
    assert "was set up by an older wenhai: it lacks title_l, body_l" in fed.output
    assert "wenhai reindex" in fed.output
    found = run(home, "search", "小米汽车", cluster=address)
    assert found.exit_code == 1 and "was set up by an older wenhai" in found.output
    with Archive(home) as archive:  # the store kept every article, waiting to be fed
        assert len(list(archive.articles())) == database.pending_changes(archive.db) > 0


def test_a_page_the_store_does_not_bear_out_is_not_shown(cluster, samples, tmp_path):
    """The engine decides a query's page, but the store is the truth: a shard whose
    document says what the stored article does not (here written behind wenhai's back)
    puts nothing on the page; the query is then decided from the stored text."""
    address, _ = cluster
    home = tmp_path / "home"
    assert run(home, "ingest", str(samples)).exit_code == 0
    with Archive(home) as archive:
        [tea] = ids(archive.search("武夷岩茶"))
        assert archive.search('"幽灵茶园"').total == 0
        row = dict(next(iter(database.for_index(archive.db, [tea]))))
        shard = archive.backend.searchers(home, lambda: archive.db).cluster.shard_of(tea)
    row["body"] += "\n幽灵茶园"  # in the shard only
    values, tags = shard_row(row)
    lying = pymysql.connect(host=shard.host, port=shard.port, user="", autocommit=True)
    with lying.cursor() as cur:
        cur.execute(_INSERT.format(index=shard.index) + _ROW.format(
            ", ".join(map(str, tags))), values)
        cur.execute(f"SELECT id FROM {shard.index} WHERE MATCH(%s)", ('"幽 灵 茶 园"',))
        assert cur.fetchall() == ((tea,),)  # the engine finds it
    lying.close()
    with Archive(home) as archive:
        found = archive.search('"幽灵茶园"')
        assert found.total == 0 and not found.hits and not found.partial
        assert ids(archive.search("武夷岩茶")) == [tea]
