"""Text normalization shared by indexing, querying and highlighting.

Search must treat 發/发, ＳＵ７/SU7 and Ａ/a as the same character, and it must do so
identically for documents and queries. Highlighting must then mark the *original*
characters. Both needs are met by a strictly character-for-character mapping: the
normalized text always has the same length as the original, so an offset found in
one is valid in the other.

The table comes from NFKC, case folding and OpenCC's traditional→simplified character
dictionary, kept in a file (`normalization_rules` says how, and why not built at start-up).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from . import normalization_rules

#: Bump when the mapping rules change: the index fingerprint includes it.
NORMALIZATION_VERSION = 1

CJK_RANGES = normalization_rules.CJK_RANGES


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """The mapping, as `normalization_rules` built and kept it: the same on every
    Python and OpenCC, so an index built on one is current on the others."""
    return normalization_rules.read()[0]


#: Texts longer than this are normalized as arrays (`normalize_codes`): 6 times faster at
#: 500,000 characters (4 against 26 ms), and already faster at 200; `str.translate`
#: costs less below.
_ARRAY_CHARS = 64


def normalize(text: str) -> str:
    """Return `text` folded for matching: half-width, simplified, lower case.

    ``len(normalize(s)) == len(s)`` always holds.
    """
    if len(text) < _ARRAY_CHARS:
        return text.translate(_table())
    return normalize_codes(codes(text))


def codes(text: str) -> np.ndarray:
    """The code points of `text` as an array (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), "<u4")


def normalize_codes(points: np.ndarray) -> str:
    """`normalize` of the text whose code points are `points`."""
    return normalized_points(points).tobytes().decode("utf-32-le", "surrogatepass")


def normalized_points(points: np.ndarray) -> np.ndarray:
    """The code points of `normalize` of the text whose code points are `points`."""
    table = code_table()
    out = np.take(table, points, mode="clip")  # `take` is twice as fast as indexing
    if len(points) and points.max() >= len(table):  # those above the table are themselves
        out = np.where(points >= len(table), points, out)
    return out.astype("<u4", copy=False)


@functools.lru_cache(maxsize=1)
def code_table() -> np.ndarray:
    """`normalize` as an array: the normalized code point of every code point it maps
    (everything above the table maps to itself). For normalizing whole batches at once."""
    table = np.arange(normalization_rules.LAST + 1, dtype=np.uint32)
    for cp, dst in _table().items():
        table[cp] = ord(dst)
    return table


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of the mapping, so an index built with another table is noticed."""
    table = _table()
    digest = hashlib.sha256()
    digest.update(str(NORMALIZATION_VERSION).encode())
    for cp in sorted(table):
        digest.update(f"{cp}:{table[cp]};".encode())
    return digest.hexdigest()[:12]


def is_cjk(c: str) -> bool:
    cp = ord(c)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)
