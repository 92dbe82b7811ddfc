"""Bytes → text, with the encoding chosen and recorded.

Chinese files come as UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5.
GB18030 accepts almost any byte sequence, so "it decodes" proves little: when both
GB18030 and Big5 decode a file, the one whose characters are common Chinese
characters (by jieba's dictionary frequencies, after traditional→simplified
folding) wins. A file nothing decodes cleanly is refused, never filled with
replacement characters.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import warnings

from store import is_cjk, normalize

from .errors import IngestError

#: Legacy Chinese encodings tried, in order, when a file is not UTF-8. Hong Kong's Big5
#: adds the HKSCS characters (Cantonese 嘅 and 啱, place names) that Windows' Big5 lacks.
FALLBACKS = ("gb18030", "big5", "big5hkscs")
_PYTHON_CODEC = {"big5": "cp950"}  # Microsoft's Big5 superset, what Windows saves
#: A saved page's own word on its encoding: <meta charset="big5">, or http-equiv's content.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
#: Declared names → the codec read with (a page that says gb2312 uses GBK's characters too).
_DECLARED = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5", "big5hkscs": "big5hkscs",
             "cp950": "big5", "x-big5": "big5"}
_COMMON_CHARS = 5000


@functools.lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with warnings.catch_warnings():
        # jieba imports pkg_resources, which on some Pythons warns on stderr about the
        # import system (for every command a user runs: not wenhai's to say)
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    freq = jieba.dt.FREQ
    chars = sorted((w for w in freq if len(w) == 1 and freq[w] > 0), key=freq.get, reverse=True)
    return frozenset(chars[:_COMMON_CHARS])


def _plausibility(text: str) -> float:
    """Share of CJK characters that are common ones (1.0 for text with no CJK)."""
    sample = normalize(text[:20000])
    cjk = [c for c in sample if is_cjk(c)]
    if not cjk:
        return 0.5
    common = _common()
    return sum(c in common for c in cjk) / len(cjk)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(_PYTHON_CODEC.get(encoding, encoding))
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charset(data: bytes) -> str | None:
    """The legacy Chinese encoding an HTML page declares in its first 4 KB, if any."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    return _DECLARED.get(name.replace("-", "").replace("_", "")) or _DECLARED.get(name)


def decode(
    data: bytes, path: str, encoding: str | None = None, declared: str | None = None
) -> tuple[str, str]:
    """(text, encoding used). Raises `IngestError` naming `path` when it cannot.

    `declared` is what the file says of itself (an HTML page's charset): used when the
    file is not UTF-8 and decodes with it cleanly, before any guessing."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise IngestError(
                path, f"unknown encoding {encoding!r}: use a name like utf-8, gb18030 or big5"
            ) from None
        text = _strict(data, encoding)
        if text is None:
            raise IngestError(
                path,
                f"is not valid {encoding}: check the file, or pass another --encoding "
                "(utf-8, gb18030, big5, utf-16)",
            )
        return text.removeprefix("\ufeff"), encoding
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
        if text is not None:
            return text, "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = _strict(data[2:], name)
            if text is not None:
                return text, "utf-16"
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    if data[:4000].count(b"\x00") > len(data[:4000]) // 4:
        for name in ("utf-16-le", "utf-16-be"):
            text = _strict(data, name)
            if text is not None and _plausibility(text) > 0.5:
                return text, name
    if declared and (text := _strict(data, declared)) is not None:
        return text, declared
    candidates = [(name, t) for name in FALLBACKS if (t := _strict(data, name)) is not None]
    if candidates:
        name, text = max(candidates, key=lambda c: _plausibility(c[1]))
        return text, name
    raise IngestError(
        path,
        "cannot be decoded as UTF-8, UTF-16, GB18030 or Big5: if you know its encoding, "
        "pass it with --encoding NAME",
    )
