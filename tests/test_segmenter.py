"""jieba's words computed by jieba-rs: the same as Python jieba's, checked against jieba itself."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import jieba
import pytest

from store.text import analysis, segmenter
from store.text.normalize import normalize

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).parent.parent / "samples"


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return jieba.dt


def _texts() -> list[str]:
    files = [p for p in [*FIXTURES.rglob("*"), *SAMPLES.rglob("*")] if p.is_file()]
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in files]
    assert len(texts) >= 10
    return texts


def test_words_of_real_articles_equal_jiebas(reference):
    for text in _texts():
        for norm in (text, normalize(text)):
            assert list(segmenter.tokenize(norm)) == list(reference.tokenize(norm, HMM=True))


@pytest.mark.parametrize(
    "text",
    [
        "发布时间: 2010-02-13\r\n过年",  # jieba cuts a dated stretch at its signs
        "不妨用c#(原文是c++)写, 3.5%的人用ab.cd",  # words in the dictionary stay whole
        "小公园-𬒈石风景区",  # beyond the BMP: jieba yields it alone
        "娐犤𥬞𫘞鉣婜, 㐁䶵龥鿪豈",  # extension A, the end of the unified block, compatibility
        "\t \u3000中国 \r\n\r\n人民",
        "",
    ],
)
def test_words_where_jieba_rs_splits_runs_differently(reference, text):
    assert list(segmenter.tokenize(text)) == list(reference.tokenize(text, HMM=True))


def test_words_of_random_mixtures_of_scripts_equal_jiebas(reference):
    words = ["中国", "人民", "代表大会", "改革开放", "c#", "a股", "t恤", "3.5%", "c++"]
    words.append("2010-02-13")
    chars = list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动")
    chars += list("0123456789abcxyz+#&._%-") + list(" \t\n\r\u3000，。！？、；：“”（）《》…")
    chars += ["\r\n", "\u3401", "\u4db5", "\u9fd6", "\uf900", "\U00020000", "𫘞", "😀"]
    chars += ["é", "ア", "한"]
    rnd = random.Random(1998)
    for _ in range(3000):
        picks = range(rnd.randint(1, 40))
        text = "".join(
            rnd.choice(words) if rnd.random() < 0.2 else rnd.choice(chars) for _ in picks
        )
        assert list(segmenter.tokenize(text)) == list(reference.tokenize(text, HMM=True)), text


def test_dictionary_words_are_jiebas(reference):
    freq = reference.FREQ
    rnd = random.Random(7)
    for word in rnd.sample(sorted(freq), 20000):
        assert segmenter.is_word(word) == bool(freq[word]), word
    assert not segmenter.is_word("文海档案馆里")


def test_the_index_records_which_segmenter_built_it():
    assert f"rjieba{segmenter.VERSION}" in analysis.fingerprint()
