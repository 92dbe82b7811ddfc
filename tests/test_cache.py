"""The result cache, and turning it off for a benchmark (`WENHAI_RESULT_CACHE=0`)."""

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
