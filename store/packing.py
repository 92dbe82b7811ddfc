"""Articles' texts and original bytes, compressed row by row (zstd).

The text and the original bytes were most of `archive.db` (49 of 71 MB on the iNews
corpus): two copies of nearly the same characters, uncompressed. Each is now one zstd
frame of its own, so reading one article decompresses one article:

* the text, with a dictionary trained on the archive's own texts (many short Chinese
  articles share their vocabulary, which a frame of a few KB cannot learn by itself:
  0.45 of the text's bytes with a dictionary, 0.54 without), in UTF-16 where the
  dictionary is a UTF-16 one (`UTF16`: every one trained now; 0.41 of the UTF-8 bytes);
* the original bytes, with the article's own text as its dictionary (a raw-content
  prefix): an original is its text plus markup, a title line, boilerplate, another
  encoding's bytes of the same characters or not, so it costs what differs from the
  text (0.6 MB for the 24.9 MB of iNews originals), and stays byte for byte.

Dictionaries are kept in the `dictionaries` table, numbered; a text's frame names its
dictionary (zstd's dictionary id, 0 for none), so rows packed with an older dictionary
and rows from before packing (a plain TEXT text, raw original bytes) are read beside
newer ones. A dictionary is trained when the archive first holds `TRAIN_AT[i]`
articles, from `SAMPLES` texts spread over it; rows are never rewritten for it.

A packed row is told apart by its text's SQLite type: BLOB (a zstd frame) where the
text was stored packed, TEXT where it was stored plain — and the original is packed
exactly when the text is. Every frame carries zstd's checksum, which `wenhai check`
verifies (`damaged`).
"""

from __future__ import annotations

import re
import sqlite3
import threading

import zstandard

#: zstd's level for original bytes and UTF-8 texts: 3 packs 25 MB of text in 0.4 s; 19
#: would save 12% more in 20 times as long, on the process that stores every file.
LEVEL = 3
#: A dictionary whose id has this bit is one for texts in UTF-16 (little-endian), packed
#: at `UTF16_LEVEL`: a Chinese character is 2 bytes there, where UTF-8 spends 3, and
#: 4,000 texts of the 100,000-article scale corpus packed to 0.41 of their UTF-8 bytes
#: against 0.49 in UTF-8 at level 3 (UTF-8 at level 6: 0.45; UTF-16 at 3: 0.50), in
#: 0.05 ms a text against 0.03. Dictionaries trained before this bit are UTF-8 ones.
UTF16 = 1 << 30
UTF16_LEVEL = 6
#: A high surrogate then a low one, each alone in a text (from a JSON escape, from bytes
#: that were not UTF-8): UTF-16 would read them back as one character.
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
#: A dictionary's size in bytes (zstd's default), at most a 20th of its samples'.
DICT_SIZE = 112_640
#: Articles in the archive at which a dictionary is trained (once each).
TRAIN_AT = (1_000, 10_000, 100_000, 1_000_000)
#: Texts a dictionary is trained on, spread evenly over the archive.
SAMPLES = 2_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS dictionaries (
    id       INTEGER PRIMARY KEY,     -- the dictionary id its frames carry
    articles INTEGER NOT NULL,        -- articles in the archive when it was trained
    data     BLOB NOT NULL
);
"""


class UnpackError(ValueError):
    """A stored value that cannot be unpacked: damaged, or its dictionary missing."""


class _Dictionaries:
    """One database's dictionaries, read once per connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.by_id: dict[int, zstandard.ZstdCompressionDict] = {}
        self.newest: tuple[int, int] | None = None  # (id, articles) of the newest
        self.counted_at: int | None = None  # the highest id when articles were last counted
        # Each thread's decompressor per dictionary: making one costs three times what
        # unpacking an article does (20 µs against 7), and they are not thread-safe.
        self._local = threading.local()
        for id_, articles, data in conn.execute(
            "SELECT id, articles, data FROM dictionaries ORDER BY id"
        ):
            self.add(id_, articles, bytes(data))

    def unpacker(self, dict_id: int) -> zstandard.ZstdDecompressor | None:
        """This thread's decompressor for frames of dictionary `dict_id` (0: none), or
        None if this archive has no such dictionary."""
        kept = self._local.__dict__.setdefault("unpackers", {})
        found = kept.get(dict_id)
        if found is None:
            if dict_id == 0:
                found = zstandard.ZstdDecompressor()
            elif dict_id in self.by_id:
                found = zstandard.ZstdDecompressor(dict_data=self.by_id[dict_id])
            else:
                return None
            kept[dict_id] = found
        return found

    def packer(self, dict_id: int) -> zstandard.ZstdCompressor:
        """This thread's compressor for texts of dictionary `dict_id` (0: none). (Making
        one with a dictionary costs 2.7 ms, packing a text 0.2.)"""
        kept = self._local.__dict__.setdefault("packers", {})
        found = kept.get(dict_id)
        if found is None:
            found = kept[dict_id] = zstandard.ZstdCompressor(
                level=UTF16_LEVEL if dict_id & UTF16 else LEVEL,
                dict_data=self.by_id[dict_id] if dict_id else None, write_checksum=True)
        return found

    def add(self, id_: int, articles: int, data: bytes) -> None:
        self.by_id[id_] = zstandard.ZstdCompressionDict(data)
        self.newest = (id_, articles)


class Connection(sqlite3.Connection):
    """A connection to an archive that keeps its dictionaries once read (`database`
    opens every connection so; any other is read afresh each time)."""

    dictionaries: _Dictionaries | None = None


def _dictionaries(conn: sqlite3.Connection) -> _Dictionaries:
    found = getattr(conn, "dictionaries", None)
    if found is None:
        found = _Dictionaries(conn)
        if isinstance(conn, Connection):
            conn.dictionaries = found
    return found


def forget(conn: sqlite3.Connection) -> None:
    """Read the dictionaries again at the next use (one trained by another connection)."""
    if isinstance(conn, Connection):
        conn.dictionaries = None


def pack(conn: sqlite3.Connection, text: str, original: bytes) -> tuple[bytes, bytes]:
    """The text and the original bytes as stored: each a zstd frame (the text in the
    encoding of its dictionary; with none, where UTF-16 would not give it back)."""
    known = _dictionaries(conn)
    raw = text.encode("utf-8", "surrogatepass")
    dict_id = known.newest[0] if known.newest else 0
    if dict_id & UTF16 and _PAIR.search(text):
        dict_id = 0
    encoding = _encoding(dict_id)
    packed = raw if encoding == "utf-8" else text.encode(encoding, "surrogatepass")
    return known.packer(dict_id).compress(packed), _against(raw).compress(original)


def _encoding(dict_id: int) -> str:
    """The encoding of the texts packed with dictionary `dict_id`."""
    return "utf-16-le" if dict_id & UTF16 else "utf-8"


def _against(raw: bytes) -> zstandard.ZstdCompressor:
    prefix = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=prefix, write_checksum=True,
                                    write_dict_id=False)


def text(conn: sqlite3.Connection, stored: str | bytes) -> str:
    """An article's text as stored (packed or plain) as text."""
    if isinstance(stored, str):
        return stored
    return _unpacked(conn, stored)


def _unpacked(conn: sqlite3.Connection, stored: bytes) -> str:
    """A packed text: its frame unpacked with the dictionary it names, and read in that
    dictionary's encoding."""
    try:
        dict_id = zstandard.get_frame_parameters(stored).dict_id
    except zstandard.ZstdError as e:
        raise UnpackError(f"not a zstd frame ({e})") from e
    unpacker = _dictionaries(conn).unpacker(dict_id)
    if unpacker is None:
        forget(conn)  # trained since this connection read them?
        unpacker = _dictionaries(conn).unpacker(dict_id)
    if unpacker is None:
        raise UnpackError(f"its dictionary {dict_id} is missing from the archive")
    try:
        raw = unpacker.decompress(stored)
    except zstandard.ZstdError as e:
        raise UnpackError(str(e)) from e
    return raw.decode(_encoding(dict_id), "surrogatepass")


def original(conn: sqlite3.Connection, stored_text: str | bytes, stored: bytes) -> bytes:
    """An article's original bytes as stored (packed against its text, or plain)."""
    if isinstance(stored_text, str):
        return bytes(stored)
    raw = _unpacked(conn, stored_text).encode("utf-8", "surrogatepass")
    prefix = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    try:
        return zstandard.ZstdDecompressor(dict_data=prefix).decompress(stored)
    except zstandard.ZstdError as e:
        raise UnpackError(str(e)) from e


def train_if_due(conn: sqlite3.Connection, articles: int) -> bool:
    """Train a dictionary if the archive has just reached one of `TRAIN_AT` (with
    `articles` its highest id, a cheap stand-in for the count); True if one was."""
    known = _dictionaries(conn)
    trained_at = known.newest[1] if known.newest else 0
    due = [n for n in TRAIN_AT if trained_at < n <= articles]
    if not due or known.counted_at is not None and articles < known.counted_at + 1_000:
        return False
    count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if count < due[0]:  # ids run ahead of the count where articles were removed:
        known.counted_at = articles  # counted again 1,000 ids on, not at every file
        return False
    step = max(1, count // SAMPLES)
    samples = [text(conn, r[0]).encode("utf-16-le", "surrogatepass") for r in conn.execute(
        "SELECT body FROM articles WHERE id % ? = 0 ORDER BY id LIMIT ?", (step, SAMPLES))]
    samples = [s for s in samples if s]
    # Numbered on from the dictionaries before, UTF-8 ones among them.
    id_ = UTF16 | (1 + conn.execute("SELECT coalesce(max(id & ?), 0) FROM dictionaries",
                                    (UTF16 - 1,)).fetchone()[0])
    try:
        # zstd learns a dictionary from samples of many times its size.
        size = min(DICT_SIZE, sum(map(len, samples)) // 20)
        trained = zstandard.train_dictionary(size, samples, dict_id=id_, level=UTF16_LEVEL)
    except zstandard.ZstdError:  # too little text to learn from: tried 1,000 ids on
        known.counted_at = articles
        return False
    data = trained.as_bytes()
    conn.execute("INSERT INTO dictionaries(id, articles, data) VALUES (?, ?, ?)",
                 (id_, count, data))
    known.add(id_, count, data)
    return True


def damaged(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """The articles whose packed text or original bytes cannot be read back (checksums
    and dictionaries verified): (id, why) each."""
    found = []
    for article_id, body, raw in conn.execute(
        "SELECT id, body, original FROM articles WHERE typeof(body) = 'blob'"
    ):
        try:
            original(conn, body, raw)
        except UnpackError as e:
            found.append((article_id, str(e)))
    return found
