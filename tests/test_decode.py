"""Encodings: every file is read as the characters its author wrote, or refused by name."""

from __future__ import annotations

import codecs

import pytest

from indexer import decode as decoding
from indexer.decode import decode
from indexer.errors import IngestError

SIMPLIFIED = "长江大桥夜间限行方案公布，维修工程预计持续四十五天。"
TRADITIONAL = "臺北捷運環狀線北段今日正式通車，首日吸引大批民眾搭乘體驗。"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), "utf-16"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
    ],
)
def test_detects_encoding(data, expected):
    text, used = decode(data, "a.txt")
    assert used == expected
    assert text in (SIMPLIFIED, TRADITIONAL)


def test_traditional_text_in_gb18030_stays_traditional():
    text, used = decode(TRADITIONAL.encode("gb18030"), "a.txt")
    assert (text, used) == (TRADITIONAL, "gb18030")


def test_forced_encoding_that_does_not_fit_names_file_and_advice():
    with pytest.raises(IngestError) as e:
        decode(TRADITIONAL.encode("big5"), "news/taipei.txt", "utf-8")
    assert "news/taipei.txt" in str(e.value)
    assert "--encoding" in str(e.value)


def test_undecodable_bytes_are_refused_not_replaced():
    with pytest.raises(IngestError) as e:
        decode(b"\x80abc\xff\x80", "junk.txt")
    assert "junk.txt" in str(e.value) and "--encoding" in str(e.value)


def test_an_html_page_is_read_in_the_charset_it_declares():
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
            "<title>記者林志豪／台北報導</title></head></html>").encode("cp950")
    assert decoding.declared_charset(page) == "big5"
    assert decode(page, "p.html", declared="big5") == (page.decode("cp950"), "big5")


def test_hong_kong_big5_with_hkscs_characters_is_decoded():
    text = "佢話今日嘅天氣幾好，啱啱去咗銅鑼灣行街。" * 3
    data = text.encode("big5hkscs")
    assert decode(data, "hk.txt") == (text, "big5hkscs")
