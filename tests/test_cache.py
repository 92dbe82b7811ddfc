"""The search layer's caches: results (off for a benchmark with `WENHAI_RESULT_CACHE=0`,
bounded by count and size) and each searcher's term weights (bounded)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.search import cache
from store.search.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def searches(monkeypatch) -> list[str]:
    """The queries the index was asked, one entry per search not answered from the cache."""
    asked: list[str] = []
    find = Searcher.find

    def counted(self, parsed, **kwargs):
        asked.append(parsed.text)
        return find(self, parsed, **kwargs)

    monkeypatch.setattr(Searcher, "find", counted)
    return asked


def test_a_repeated_search_is_answered_from_the_cache(archive, searches, monkeypatch):
    monkeypatch.setattr(cache, "results", cache.ResultCache())
    first, again = archive.search("碳纤维"), archive.search("碳纤维")
    assert searches == ["碳纤维"] and again.total == first.total > 0


def test_with_the_cache_off_a_repeated_search_is_answered_afresh(archive, searches, monkeypatch):
    monkeypatch.setenv("WENHAI_RESULT_CACHE", "0")
    monkeypatch.setattr(cache, "results", cache.ResultCache(cache.size_from_environment()))
    first, again = archive.search("碳纤维"), archive.search("碳纤维")
    assert searches == ["碳纤维", "碳纤维"] and again.total == first.total > 0
    assert [h.id for h in again.hits] == [h.id for h in first.hits]


def test_a_server_started_with_the_variable_keeps_no_results():
    env = {**os.environ, "WENHAI_RESULT_CACHE": "0", "PYTHONPATH": str(ROOT)}
    shown = subprocess.run(
        [sys.executable, "-c", "from store.search import cache; print(cache.results.size)"],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    )
    assert shown.stdout.strip() == "0"


def test_a_size_that_is_not_a_number_says_what_to_give(monkeypatch):
    monkeypatch.setenv("WENHAI_RESULT_CACHE", "off")
    with pytest.raises(ValueError, match=r"WENHAI_RESULT_CACHE='off': give the number"):
        cache.size_from_environment()


def test_results_are_kept_within_the_size_bound(archive):
    found = [archive.search(q) for q in ("城市", "碳纤维", "岩茶", "长江大桥")]
    sizes = [r.approximate_bytes() for r in found]
    assert all(1_000 < size < 100_000 for size in sizes)
    kept = cache.ResultCache(size=100, megabytes=(sizes[2] + sizes[3]) / 1e6)
    for i, result in enumerate(found):
        kept.put(("城市", i), result, sizes[i])
    # The two put last fit; the first two were let go, oldest first.
    assert kept.get(("城市", 0)) is None and kept.get(("城市", 1)) is None
    assert kept.get(("城市", 2)) is found[2] and kept.get(("城市", 3)) is found[3]
    assert kept.nbytes == sizes[2] + sizes[3]
    # An answer larger than the whole bound is not kept at all.
    tiny = cache.ResultCache(size=100, megabytes=sizes[0] / 2e6)
    tiny.put("城市", found[0], sizes[0])
    assert tiny.get("城市") is None and tiny.nbytes == 0


def test_a_facet_with_many_values_counts_in_the_size(tmp_path):
    """Every author among the matches is in the answer: the size bound sees them."""
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(60):
        (folder / f"{i}.txt").write_text(
            f"Title: 港口通讯第{i}期\nAuthor: 记者{i:03d}号\n\n港口的第{i}篇报道，码头很忙。\n",
            encoding="utf-8")
    from click.testing import CliRunner

    from indexer.cli import main
    from store import Archive

    home = tmp_path / "home"
    assert CliRunner().invoke(main, ["--home", str(home), "ingest", str(folder)]).exit_code == 0
    with Archive(home) as many:
        result = many.search("港口", per_page=1)
    assert len(result.facets["author"]) == 60 and len(result.hits) == 1
    one_author = sum(120 + sys.getsizeof(v) for v, _ in result.facets["author"][:1])
    assert result.approximate_bytes() > 60 * one_author


def test_a_searcher_keeps_at_most_the_term_weights_it_is_allowed(archive, monkeypatch):
    monkeypatch.setattr(cache, "terms_kept", 6)
    monkeypatch.setattr(cache, "results", cache.ResultCache(0))
    for q in ("城市 书房 厂房", "碳纤维 机盖 发布会", "岩茶 武夷", "长江 大桥 限行"):
        assert archive.search(q).total >= 1
        assert 0 < len(archive._searcher().whoosh._idf_cache) <= 6
    # Weights computed again after the cache was emptied are the same.
    again = archive.search("城市 书房 厂房")
    monkeypatch.setattr(cache, "terms_kept", 10**6)
    assert [h.score for h in again.hits] == [h.score for h in archive.search("城市 书房 厂房").hits]


@pytest.mark.parametrize("variable", ["WENHAI_RESULT_CACHE_MB", "WENHAI_TERM_CACHE"])
def test_a_bound_that_is_not_a_number_says_what_to_give(monkeypatch, variable):
    monkeypatch.setenv(variable, "很多")
    setting = next(s for s in cache.SETTINGS if s.variable == variable)
    with pytest.raises(ValueError, match=rf"{variable}='很多': give the "):
        setting.value()
