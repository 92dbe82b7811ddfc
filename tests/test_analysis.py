"""The Chinese analyzer: normalization, word positions, n-grams — against a real Whoosh index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jieba.analyse import ChineseAnalyzer
from whoosh import index as windex
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from store.engine import folder, schema
from store.text import normalization_rules
from store.text.analysis import GramTokenizer, WordTokenizer, gram_terms
from store.text.normalize import normalize

ARCHIVES = Path(__file__).resolve().parent / "archives"

PHRASE_DOC = "小米汽车发布会上，雷军宣布碳纤维机盖降价。"


def _index(tmp_path, analyzer):
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=analyzer, phrase=True))
    ix = windex.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        w.add_document(id="1", body=PHRASE_DOC)
        w.add_document(id="2", body="雷军说机盖是碳纤维做的，宣布以后再说。")
    return ix


def _phrase_hits(ix, phrase: str) -> list[str]:
    q = QueryParser("body", ix.schema).parse(f'"{phrase}"')
    with ix.searcher() as s:
        return [hit["id"] for hit in s.search(q)]


def test_normalization_folds_width_case_and_script_one_char_for_one():
    text = "臺北ＳＵ７售價４．２萬，Hello"
    assert normalize(text) == "台北su7售价4.2万,hello"
    assert len(normalize(text)) == len(text)


def test_an_index_built_under_another_python_is_current_under_this_one():
    # plain-docs was built on Python 3.11 (Unicode 14.0); CI runs this on 3.10 (13.0) and
    # 3.13 (15.1) too. The table once came from the running Python's Unicode data, and an
    # upgrade of Python made every archive refuse to search until `wenhai reindex`.
    built = json.loads((ARCHIVES / "plain-docs" / "index" / folder.SIDECAR).read_text())
    assert built == schema.identity()
    folder.check(ARCHIVES / "plain-docs" / "index")  # IndexVersionError if not current
    # U+1E030, new in Unicode 15.0, has an NFKC form (а): folding it under 3.13 alone
    # would fold it differently in documents and queries written under 3.11.
    assert normalize("\U0001e030臺") == "\U0001e030台"


def test_the_kept_table_is_what_the_rules_give_on_the_versions_it_names():
    kept, built_with = normalization_rules.read()
    here = normalization_rules.versions()
    if built_with != here:
        pytest.skip(f"the table was built with {built_with}; this machine has {here}")
    assert normalization_rules.build() == kept
    assert kept[ord("臺")] == "台" and kept[ord("Ｓ")] == "s" and ord("台") not in kept


def test_word_positions_make_phrase_queries_work(tmp_path):
    ix = _index(tmp_path, WordTokenizer())
    assert _phrase_hits(ix, "雷军宣布碳纤维机盖") == ["1"]
    # The same words, not adjacent, do not match the phrase.
    assert _phrase_hits(ix, "碳纤维机盖雷军") == []


def test_stock_jieba_analyzer_breaks_phrases(tmp_path):
    """Why wenhai has its own tokenizer: jieba's uses character offsets as positions."""
    ix = _index(tmp_path, ChineseAnalyzer())
    assert _phrase_hits(ix, "雷军宣布碳纤维机盖") == []


def test_word_tokenizer_adds_subwords_only_when_indexing():
    indexed = [t.text for t in WordTokenizer()("最高人民法院", mode="index")]
    queried = [t.text for t in WordTokenizer()("最高人民法院", mode="query")]
    assert "人民" in indexed and "法院" in indexed
    assert queried == ["最高人民法院"]
    # Only dictionary words are stacked (not 高人民 or 人民法), at the long word's position.
    tokens = WordTokenizer()("最高人民法院今天宣布", mode="index", positions=True)
    assert [(t.text, t.pos) for t in tokens] == [
        ("最高人民法院", 0), ("最高", 0), ("人民", 0), ("民法", 0), ("法院", 0),
        ("今天", 1), ("宣布", 2),
    ]


def test_gram_tokenizer_units_and_bigrams_share_positions():
    tokens = [(t.text, t.pos) for t in GramTokenizer()("小米SU7", positions=True)]
    assert tokens == [("小", 0), ("小米", 0), ("米", 1), ("米 su", 1),
                      ("su", 2), ("su 7", 2), ("7", 3)]
    assert gram_terms("ＳＵ７") == ["su 7"]
    assert gram_terms("發") == ["发"]
