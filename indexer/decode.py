"""Bytes → text, with the encoding chosen and recorded.

Chinese files come as UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5.
GB18030 accepts almost any byte sequence, so "it decodes" proves little: when both
GB18030 and Big5 decode a file, the one whose characters are common Chinese
characters (by jieba's dictionary frequencies, after traditional→simplified
folding) wins.

One stray byte (a 0xFF, a NUL) must not cost a whole article: a file that nothing
decodes cleanly but that is overwhelmingly valid in one encoding — at most one bad
byte in `TOLERANCE` characters — is read with each bad byte replaced by U+FFFD, and
the count is reported. UTF-8 is tried first then, and only when its valid multi-byte
characters outnumber the bad bytes by far: GBK text read as UTF-8 is almost all bad,
while UTF-8 text read as GB18030 can look valid. Anything worse is refused.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import threading
import warnings
from typing import NamedTuple

from store import is_cjk, normalize

from .errors import IngestError
from .language import Reason

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
#: A file may hold one bad byte (or NUL) per this many characters and still be read.
TOLERANCE = 200
#: Lenient UTF-8 needs this many valid multi-byte characters per bad byte.
_UTF8_EVIDENCE = 10
#: Bytes tried first when decoding leniently: a binary file is given up on early.
_SAMPLE = 1 << 16
#: Long files are decoded this many bytes at a time (`_decoded`).
_PIECE = 1 << 20


class Decoded(NamedTuple):
    """A file's text, the encoding it was read in, and how many bad bytes (and NULs)
    were replaced by U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0


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


def _decoded(data: bytes, codec: str, errors: str = "strict") -> str:
    """`data.decode(codec, errors)`, a megabyte at a time when it is long: decoding 50 MB
    of Chinese at once holds ~150 MB besides the text (the decoder sizes its buffer by
    the byte count, two bytes a character), in pieces ~1 MB."""
    if len(data) <= _PIECE:
        return data.decode(codec, errors)
    decoder = codecs.getincrementaldecoder(codec)(errors)
    view = memoryview(data)
    parts = [decoder.decode(view[i:i + _PIECE]) for i in range(0, len(data), _PIECE)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return _decoded(data, _PYTHON_CODEC.get(encoding, encoding))
    except (UnicodeDecodeError, LookupError):
        return None


_bad = threading.local()


def _count_bad(e: UnicodeDecodeError) -> tuple[str, int]:
    _bad.count += 1
    return "\ufffd", e.end


codecs.register_error("wenhai.count", _count_bad)


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """(text, bad bytes replaced by U+FFFD) if `data` is overwhelmingly valid `encoding`
    (`TOLERANCE`), else None. A long file's first `_SAMPLE` bytes are tried alone first,
    so that a binary file costs little."""
    codec = _PYTHON_CODEC.get(encoding, encoding)
    parts = (data[:_SAMPLE], data) if len(data) > _SAMPLE else (data,)
    for i, part in enumerate(parts, 1):
        _bad.count = 0
        text = _decoded(part, codec, "wenhai.count")
        bad = _bad.count
        if bad > _allowed(text) + (i < len(parts)):  # a sample may end inside a character
            return None
    return text, bad


def _allowed(text: str) -> int:
    return max(1, len(text) // TOLERANCE)


def declared_charset(data: bytes) -> str | None:
    """The legacy Chinese encoding an HTML page declares in its first 4 KB, if any."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    return _DECLARED.get(name.replace("-", "").replace("_", "")) or _DECLARED.get(name)


def decode(
    data: bytes, path: str, encoding: str | None = None, declared: str | None = None
) -> Decoded:
    """The text of `data`, the encoding used and the bad bytes replaced. Raises
    `IngestError` naming `path` when it cannot.

    `declared` is what the file says of itself (an HTML page's charset): used when the
    file is not UTF-8 and decodes with it cleanly, before any guessing."""
    found = _decode(data, path, encoding, declared)
    nuls = found.text.count("\x00")
    if nuls:
        if found.replaced + nuls > _allowed(found.text):
            raise IngestError(
                path, Reason("contains NUL characters: it looks like a binary file, not text")
            )
        found = Decoded(found.text.replace("\x00", "\ufffd"), found.encoding,
                        found.replaced + nuls)
    return found


def _decode(data: bytes, path: str, encoding: str | None, declared: str | None) -> Decoded:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise IngestError(
                path, Reason("unknown encoding %(encoding)s: use a name like utf-8, gb18030 "
                             "or big5", encoding=repr(encoding))
            ) from None
        text = _strict(data, encoding)
        if text is not None:
            return Decoded(text.removeprefix("\ufeff"), encoding)
        if (lenient := _lenient(data, encoding)) is not None:
            return Decoded(lenient[0].removeprefix("\ufeff"), encoding, lenient[1])
        raise IngestError(
            path,
            Reason("is not valid %(encoding)s: check the file, or pass another --encoding "
                   "(utf-8, gb18030, big5, utf-16)", encoding=encoding),
        )
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
        if text is not None:
            return Decoded(text, "utf-8-sig")
        if (lenient := _lenient(data[3:], "utf-8")) is not None:
            return Decoded(lenient[0], "utf-8-sig", lenient[1])
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            text = _strict(data[2:], name)
            if text is not None:
                return Decoded(text, "utf-16")
            if (lenient := _lenient(data[2:], name)) is not None:
                return Decoded(lenient[0], "utf-16", lenient[1])
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    if data[:4000].count(b"\x00") > len(data[:4000]) // 4:
        for name in ("utf-16-le", "utf-16-be"):
            text = _strict(data, name)
            if text is not None and _plausibility(text) > 0.5:
                return Decoded(text, name)
    # UTF-8 with a stray byte, before GB18030 can read its bytes as something else: the
    # bytes it takes for characters (2 more than 1 each, for Chinese) outweigh the bad.
    lenient = _lenient(data, "utf-8")
    if lenient is not None and len(data) - len(lenient[0]) >= 2 * _UTF8_EVIDENCE * lenient[1]:
        return Decoded(lenient[0], "utf-8", lenient[1])
    if declared and (text := _strict(data, declared)) is not None:
        return Decoded(text, declared)
    candidates = [(name, t) for name in FALLBACKS if (t := _strict(data, name)) is not None]
    if candidates:
        name, text = max(candidates, key=lambda c: _plausibility(c[1]))
        return Decoded(text, name)
    tried = (declared,) if declared else ()
    nearly = [(name, *found) for name in ("utf-8", *tried, *FALLBACKS)
              if (found := _lenient(data, name)) is not None]
    if nearly:
        # The most plausible, then the fewest bad bytes; on a tie, the first tried.
        name, text, bad = max(nearly, key=lambda c: (_plausibility(c[1]), -c[2]))
        return Decoded(text, name, bad)
    raise IngestError(
        path,
        Reason("cannot be decoded as UTF-8, UTF-16, GB18030 or Big5: if you know its "
               "encoding, pass it with --encoding NAME"),
    )


def described(found: Decoded) -> str:
    """The encoding as an article records it: `utf-8`, or `utf-8, 2 bad bytes shown as �`."""
    if not found.replaced:
        return found.encoding
    return f"{found.encoding}, {_bytes(found.replaced)} shown as �"


def _bytes(n: int) -> str:
    return "1 bad byte" if n == 1 else f"{n:,} bad bytes"


def note(found: Decoded) -> str | None:
    """The line that tells the user bytes were replaced, or None."""
    if not found.replaced:
        return None
    if found.replaced == 1:
        return Reason("read as %(encoding)s with 1 bad byte (not valid %(encoding)s, or NUL) "
                      "replaced by �: if the text looks wrong, pass its encoding with "
                      "--encoding NAME", encoding=found.encoding)
    return Reason("read as %(encoding)s with %(n)s bad bytes (not valid %(encoding)s, or "
                  "NUL) replaced by �: if the text looks wrong, pass its encoding with "
                  "--encoding NAME", encoding=found.encoding, n=found.replaced)
