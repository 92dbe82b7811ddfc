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
    text, used, replaced = decode(data, "a.txt")
    assert replaced == 0
    assert used == expected
    assert text in (SIMPLIFIED, TRADITIONAL)


def test_traditional_text_in_gb18030_stays_traditional():
    assert decode(TRADITIONAL.encode("gb18030"), "a.txt") == (TRADITIONAL, "gb18030", 0)


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
    assert decode(page, "p.html", declared="big5") == (page.decode("cp950"), "big5", 0)


def test_hong_kong_big5_with_hkscs_characters_is_decoded():
    text = "佢話今日嘅天氣幾好，啱啱去咗銅鑼灣行街。" * 3
    data = text.encode("big5hkscs")
    assert decode(data, "hk.txt") == (text, "big5hkscs", 0)


NEWS = SIMPLIFIED + TRADITIONAL  # 57 characters: one bad byte is tolerated


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NEWS.encode()[:39] + b"\xff" + NEWS.encode()[39:], "utf-8"),
        (NEWS.encode()[:39] + b"\x00" + NEWS.encode()[39:], "utf-8"),
        (codecs.BOM_UTF8 + NEWS.encode()[:39] + b"\xff" + NEWS.encode()[39:], "utf-8-sig"),
        (NEWS.encode("gb18030")[:40] + b"\xff" + NEWS.encode("gb18030")[40:], "gb18030"),
        (TRADITIONAL.encode("big5")[:20] + b"\xff" + TRADITIONAL.encode("big5")[20:], "big5"),
        (b"plain ASCII with one stray \xff byte", "utf-8"),
    ],
)
def test_one_bad_byte_is_replaced_and_counted_not_the_whole_file_refused(data, encoding):
    text, used, replaced = decode(data, "stray.txt")
    assert (used, replaced, text.count("\ufffd")) == (encoding, 1, 1)
    assert "\x00" not in text
    assert "长江大桥" in text or "臺北捷運" in text or "ASCII" in text


def test_a_forced_encoding_tolerates_one_bad_byte_too():
    data = NEWS.encode("gb18030")[:40] + b"\x80" + NEWS.encode("gb18030")[40:]
    assert decode(data, "a.txt", "gb18030").replaced == 1


def test_more_bad_bytes_than_one_in_200_characters_are_refused():
    data = NEWS.encode()[:39] + b"\xff" + NEWS.encode()[39:78] + b"\xff" + NEWS.encode()[78:]
    with pytest.raises(IngestError, match="cannot be decoded as UTF-8, UTF-16, GB18030 or Big5"):
        decode(data, "two.txt")
    with pytest.raises(IngestError):
        decode(data * 4, "longer.txt")  # 8 in 232 characters: still too many
    ok = NEWS.encode() * 4 + b"\xff" + NEWS.encode() * 4
    assert decode(ok, "long.txt").replaced == 1


def test_many_nul_bytes_are_a_binary_file():
    with pytest.raises(IngestError, match="contains NUL characters"):
        decode("正文\x00\x00里有空字符".encode(), "binary.txt")
