"""Searching whole posting lists at a time finds, ranks and counts what Whoosh would.

`store.search.matches` replaces Whoosh's per-match collectors for every search the
query language can express; Whoosh's collectors, run here over the same index, are
the oracle. These searches run both ways over an archive of several segments, with
replaced (deleted) documents, reposts, traditional characters, undated articles and
missing authors, and compare what a user sees.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import collectors, sorting
from whoosh import query as wq

import store.search.evaluate
from indexer.ingest import ingest
from store import FACETS, Archive, Filters, SearchResult
from store.engine import columnar
from store.hits import hits
from store.search import cache
from store.search.query import parse
from store.text.analysis import GramTokenizer
from store.text.normalize import normalize

SENTENCES = [
    "经济发展稳中向好，市场信心持续恢复。",
    "改革开放以来，城市面貌发生了巨大变化。",
    "記者在臺北捷運站採訪了通勤的市民。",
    "全国人民代表大会常务委员会今天召开会议。",
    "碳纤维机盖让这款汽车轻了不少。",
    "港口吞吐量创下新高，茶叶出口继续增加。",
    "图书馆延长了开放时间，市民读书热情高涨。",
    "中国国际广播电台播出了这条消息。",
    "法院公开审理了这起合同纠纷案件。",
    "电池回收市场的规模正在扩大。",
    "北京记者报道，稻田里的机器人开始插秧。",
    "ＡＩ芯片與GPT-4o同台竞技。",
]
AUTHORS = ["张逸", "李明", "王芳", None]
SOURCES = ["人民日报", "网易新闻", "iNews"]


def write_articles(folder: Path, start: int, n: int, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        body = "".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 9)))
        title = rng.choice(SENTENCES)[: rng.randint(4, 12)]
        meta = [f"title: 第{i}篇 {title}", f"source: {rng.choice(SOURCES)}"]
        if author := rng.choice(AUTHORS):
            meta.append(f"author: {author}")
        if rng.random() < 0.8:
            meta.append(f"date: {rng.randint(2021, 2024)}-{rng.randint(1, 12):02d}"
                        f"-{rng.randint(1, 28):02d}")
        front = "\n".join(meta)
        (folder / f"{i:03d}.md").write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """An archive written in four commits: three batches, then edits and reposts.

    The array path reads the text fields' `columnar` files directly, Whoosh's
    collectors through `codec.TermsReader`'s matchers over them.
    """
    root = tmp_path_factory.mktemp("segmented")
    home, rng = root / "home", random.Random(7)
    _write_segmented(root, home, rng)
    assert list((home / "index").glob(f"*.{columnar.SUFFIX}"))
    return home


def _write_segmented(root: Path, home: Path, rng: random.Random) -> None:
    for batch in range(3):
        write_articles(root / f"batch{batch}", batch * 40, 40, rng)
        with Archive(home) as archive, archive.writing(jobs=1):
            ingest(archive, [root / f"batch{batch}"])
    edited = root / "batch0" / "003.md"  # replaced: its old document is deleted
    edited.write_text(edited.read_text(encoding="utf-8") + "\n市场又有新变化。\n", encoding="utf-8")
    extra = root / "extra"
    extra.mkdir()
    body = "".join(SENTENCES)
    (extra / "original.md").write_text(
        f"---\ntitle: 港口首发稿\nsource: 人民日报\n---\n\n{body}\n", encoding="utf-8")
    (extra / "repost.md").write_text(
        f"---\ntitle: 港口转载稿\nsource: 网易新闻\n---\n\n{body}\n本文转载自网络。\n",
        encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [root / "batch0", root / "batch1", extra])


QUERIES = [
    "市场", "济发展", "经济 发展", "北京 记者 报道", "民代表大", "国际广播电台",
    '"改革开放"', "市场 OR 图书馆", "title:第4", "source:人民", "author:张逸",
    "date:2023", "经济 date:..2022-06-30", "經濟發展", "ａｉ芯片", "gpt", "的", "市",
    "法院 电池 稻田", "不存在的词语",
]
VARIANTS = [
    {}, {"sort": "newest"}, {"sort": "oldest"}, {"page": 2}, {"per_page": 3, "page": 4},
    {"filters": Filters(source="人民日报")}, {"filters": Filters(author="张逸")},
    {"filters": Filters(year="2023")},
    {"filters": Filters(date_from="2022-03", date_to="2023-10-05")},
]


def both_ways(archive: Archive, text: str, **kwargs):
    """The same search answered by the archive (`store.search.matches`) and by Whoosh's
    own collectors over the same index."""
    cache.results.clear()
    fast = archive.search(text, **kwargs)
    cache.results.clear()
    return fast, by_whoosh(archive, text, **kwargs)


def by_whoosh(archive: Archive, text: str, page: int = 1, per_page: int = 10,
              sort: str = "relevance", filters: Filters | None = None, reposts: str = "one"):
    """What Whoosh's collectors find for the query: ranked in three tiers (or by date),
    words near each other first among the words apart (counted from the articles'
    text), faceted, one per repost group, filtered — the oracle for the array path."""
    parsed, filters = parse(text), filters or Filters()
    searcher = archive._searcher().whoosh
    facets = sorting.Facets()
    for name in (*FACETS, "date"):  # dates give the timeline's months
        facets.add_field(name, maptype=sorting.Count)
    if reposts == "one":
        facets.add_field("group", maptype=sorting.Count)  # to count groups, not copies
    if sort != "relevance":  # undated articles last either way
        order = sorting.MultiFacet([sorting.QueryFacet({0: wq.Every("date")}, other=1),
                                    sorting.FieldFacet("date", reverse=(sort == "newest"))])
    elif parsed.exact is not None:
        tiers = {0: parsed.exact, 1: parsed.loose}  # in order: an exact match is loose too

        def nearer(found, docnum: int) -> int:
            if any(docnum in set(found.docs_for_query(q)) for q in tiers.values()):
                return 0
            return -near_pairs(archive.get(int(found.stored_fields(docnum)["id"])), parsed)

        order = sorting.MultiFacet([sorting.QueryFacet(tiers, other=2),
                                    sorting.FunctionFacet(nearer), sorting.ScoreFacet()])
    else:
        order = None
    gather = (collectors.SortingCollector(order, limit=page * per_page) if order is not None
              else collectors.UnlimitedCollector())
    gather = collectors.FacetCollector(gather, facets)
    if reposts == "one":
        gather = collectors.CollapseCollector(gather, "group", limit=1)
    if filters.query() is not None:
        gather = collectors.FilterCollector(gather, filters.query(), None)
    searcher.search_with_collector(parsed.query, gather)
    results = gather.results()
    window = [(int(hit["id"]), 0.0 if sort != "relevance" else _relevance(hit.score))
              for hit in results[(page - 1) * per_page : page * per_page]]
    counts = {}
    for name in FACETS:
        found = [(v, n) for v, n in results.groups(name).items() if v]
        found.sort(key=(lambda c: c[0]) if name == "year" else (lambda c: (-c[1], c[0])),
                   reverse=name == "year")
        counts[name] = found
    months: dict[str, int] = {}
    for date, n in results.groups("date").items():
        if date:
            months[date[:7]] = months.get(date[:7], 0) + n
    counts["month"] = sorted(months.items())
    total = len(results.groups("group")) if reposts == "one" else len(results)
    return SearchResult(text, total, page, per_page, hits(archive.db, window, parsed.needles)[0],
                        0.0, sort=sort, filters=filters, facets=counts)


#: Fields' text as the archive indexes it, for counting words near each other.
FIELD_TEXT = {"title_g": lambda a: "\n".join([a.title, *a.titles]),
              "body_g": lambda a: a.body, "author_g": lambda a: a.author or "",
              "source_g": lambda a: a.source or "", "extra_g": lambda a: "",
              "tags_g": lambda a: "\n".join(a.tags)}


def near_pairs(article, parsed) -> int:
    """Pairs of consecutive words of a term, in order and at most NEAR units apart in
    one field: counted from the text, unit by unit."""
    pairs = 0
    for fields, words in parsed.near:
        texts = [normalize(FIELD_TEXT[f](article)) for f in fields]
        starts = [[_starts_of(t, w) for w in words] for t in texts]
        for i in range(len(words) - 1):
            size = len(words[i]) + 1 if len(words[i]) > 1 else 1
            pairs += any(0 <= b - a - size <= store.search.evaluate.NEAR
                         for per_word in starts for a in per_word[i] for b in per_word[i + 1])
    return pairs


def _starts_of(norm: str, grams: list[str]) -> list[int]:
    """Unit positions where a word (its gram terms) begins in normalized text."""
    terms = GramTokenizer().spans(norm, "")
    at: dict[str, set[int]] = {}
    for term, pos, _, _ in terms:
        at.setdefault(term, set()).add(pos)
    found = at.get(grams[0], set())
    return sorted(p for p in found if all(p + i in at.get(g, ()) for i, g in enumerate(grams)))


def _relevance(key) -> float:
    """The BM25F score of a hit; under tiered ranking Whoosh reports (tier, -score)."""
    return -key[-1] if isinstance(key, tuple) else key


def shown(result) -> list[tuple[int, float]]:
    return [(hit.id, round(hit.score, 6)) for hit in result.hits]


def test_the_archive_has_several_segments_and_a_replaced_document(segmented):
    with Archive(segmented) as archive:
        reader = archive._searcher().whoosh.reader()
        assert len(reader.leaf_readers()) >= 3
        assert reader.has_deletions()


@pytest.mark.parametrize("sets", ["sorted", "dense"])
@pytest.mark.parametrize("text", QUERIES)
def test_every_copy_found_ranked_and_counted_as_whoosh_does(segmented, monkeypatch, text, sets):
    # Sets of documents are combined by merging or in dense arrays, by their size.
    monkeypatch.setattr(store.search.evaluate, "DENSE", 0 if sets == "sorted" else 10**9)
    with Archive(segmented) as archive:
        for variant in VARIANTS:
            fast, slow = both_ways(archive, text, reposts="all", **variant)
            assert fast.total == slow.total, variant
            assert shown(fast) == shown(slow), variant
            assert fast.facets == slow.facets, variant


@pytest.mark.parametrize("text", QUERIES)
def test_one_copy_per_repost_group_as_whoosh_shows_it(segmented, text):
    with Archive(segmented) as archive:
        for variant in VARIANTS:
            fast, slow = both_ways(archive, text, **variant)
            assert fast.total == slow.total, variant
            if "filters" not in variant:  # see the next test
                assert shown(fast) == shown(slow), variant


@pytest.mark.parametrize("text", ["市场", "经济 发展", "的"])
def test_a_narrowed_search_still_shows_one_copy_per_repost_group(segmented, text):
    # Whoosh's filter collector calls the collapsing collector's `collect` directly,
    # which skips the collapsing: with a filter on, it listed every copy.
    with Archive(segmented) as archive:
        for variant in VARIANTS:
            result = archive.search(text, **{"per_page": 100, **variant})
            groups = [min(archive.get(hit.id).reposts + [hit.id]) for hit in result.hits]
            assert len(groups) == len(set(groups)), variant
            before = (result.page - 1) * result.per_page
            assert len(result.hits) == max(0, min(result.per_page, result.total - before))


def test_a_repost_group_is_listed_and_counted_once(segmented):
    with Archive(segmented) as archive:
        every = archive.search("港口 稿", reposts="all")
        one = archive.search("港口 稿")
    assert every.total == 2 and one.total == 1
    assert one.hits[0].reposts == 1
    # Each listed article counts once in a facet: the counts add up to the total.
    assert sum(n for _, n in one.facets["source"]) == one.total
    assert sum(n for _, n in every.facets["source"]) == every.total


def test_an_excluded_word_excludes_every_article_containing_it(segmented):
    # Whoosh's own AndNot matcher lets the first match of a segment through (measured on
    # 10,000 articles: 3 of 1,515 results for 市场 -经济 contained 经济).
    with Archive(segmented) as archive:
        result = archive.search("市场 -经济", reposts="all", per_page=100)
        assert result.total > 0
        for hit in result.hits:
            article = archive.get(hit.id)
            text = normalize(f"{article.title}\n{article.body}")
            assert "市场" in text and "经济" not in text, hit.title


def test_similar_articles_show_each_repost_group_once_and_never_the_article(segmented):
    with Archive(segmented) as archive:
        original = archive.search("港口首发稿").hits[0].id
        for article_id in [original, 1, 2, 3]:
            article = archive.get(article_id)
            similar = archive.similar(article_id, limit=50)
            assert similar, article.title
            shown = [hit.id for hit in similar]
            assert article_id not in shown and not set(article.reposts) & set(shown)
            groups = [min(archive.get(i).reposts + [i]) for i in shown]
            assert len(groups) == len(set(groups)), article.title
        # The repost pair shares every sentence: from another article, it shows once.
        near = archive.similar(1, limit=50)
        assert not {original, *archive.get(original).reposts} <= {hit.id for hit in near}


@pytest.mark.parametrize("typed", ["第", "中", "市", "第1", "改革", "經濟", "港口", "电池回收"])
def test_title_suggestions_are_the_best_titles_a_title_search_ranks_first(segmented, typed):
    # Whoosh's top-k shortcut dropped a boosted title term's best hits in a multi-segment
    # index: suggestions came in another order than the search's.
    with Archive(segmented) as archive:
        searched = archive.search(f'title:"{typed}"', per_page=8)
        assert [i for i, _ in archive.suggest(typed)] == [hit.id for hit in searched.hits]
        for _, title in archive.suggest(typed):
            assert normalize(typed) in normalize(title)


@pytest.mark.parametrize("text", QUERIES)
def test_matching_ids_are_every_match_in_the_order_search_shows_them(segmented, text):
    with Archive(segmented) as archive:
        listed = []
        for page in range(1, 5):
            listed += [hit.id for hit in archive.search(text, page, 100, reposts="all").hits]
        assert archive.matching_ids(text) == listed
        assert archive.matching_ids(text, limit=5) == listed[:5]


def test_packed_date_order_is_lexsorts():
    """Ordering every match by date (the concordance's order) packs the three keys into
    one; it must give exactly `np.lexsort`'s order, ties and undated included."""
    import numpy as np

    chance = np.random.default_rng(22)
    for _ in range(300):
        n = int(chance.integers(1, 2000))
        docs = chance.choice(10**6, n, replace=False)
        dates = chance.integers(-3000, 3000, n) * int(chance.choice([1, -1]))
        undated = chance.integers(0, 2, n)
        keys = (docs, dates, undated)
        assert (store.search.matches._sorted(keys, "newest") == np.lexsort(keys)).all()


def test_facets_do_not_depend_on_the_page_size(tmp_path):
    """When the exact matches fill the page, the words-apart tier is off the page, but
    the copy that shows a repost group wholly in that tier is still the nearer one: it
    gives the group's facet values."""
    folder, rng = tmp_path / "files", random.Random(3)
    folder.mkdir()
    for i in range(12):  # the exact string: the first tier, more than a page
        body = "".join(rng.choice(SENTENCES) for _ in range(4))
        (folder / f"exact{i}.md").write_text(
            f"---\ntitle: 第{i}篇\nsource: 新华社\n---\n\n{body}经济发展{i}。\n", encoding="utf-8")
    first, second = "".join(SENTENCES[5:]), "".join(SENTENCES[1:4])
    (folder / "original.md").write_text(  # 经济 and 发展 far apart
        f"---\ntitle: 原稿\nsource: 人民日报\n---\n\n经济学家说，{first}{second}发展很快。\n",
        encoding="utf-8")
    (folder / "repost.md").write_text(  # longer, so it scores lower, but they are near
        f"---\ntitle: 转载稿\nsource: 网易新闻\n---\n\n{first}{second}经济学家说发展很快。\n"
        "本文转载自网络，如有侵权请联系删除。\n", encoding="utf-8")
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
    with Archive(home) as archive:
        cache.results.clear()
        whole = archive.search("经济发展", per_page=100)
        cache.results.clear()
        page = archive.search("经济发展", per_page=10)
        assert whole.total == page.total == 13  # the two copies are one group
        assert [h.id for h in whole.hits][:10] == [h.id for h in page.hits]
        assert page.facets == whole.facets
        assert ("网易新闻", 1) in page.facets["source"]
        assert "人民日报" not in dict(page.facets["source"])
