"""The SQLite side of the archive: the source of truth.

Articles with their original bytes and content hash, the files they came from, and
which articles the search index still has to catch up with (``indexed = 0`` and the
``index_deletes`` queue). The Whoosh index can always be rebuilt from this file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from . import packing, reposts, suggestions
from .errors import ArchiveError
from .models import Article
from .pauses import pause
from .text.normalize import normalize

SCHEMA_VERSION = 3

#: The articles table. The text and the original bytes come last, in that order: SQLite
#: reaches a column by walking the overflow pages of every long value before it, so a
#: column after them (the repost group, a search hit's metadata) cost reading the whole
#: article twice (10 ms for the group sizes of 10 long articles; 0.2 ms now).
#: Schema 3: `size` (the original's bytes) and `chars` (the text's characters), since
#: the text and the original are stored packed (`packing`), where SQLite's `length`
#: counts the frame's bytes; rows stored before keep them plain.
_ARTICLES = """
CREATE TABLE IF NOT EXISTS {name} (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: links stay valid
    content_hash  TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    author        TEXT,
    source        TEXT,
    published     TEXT,
    url           TEXT,
    format        TEXT,
    encoding      TEXT,
    original_name TEXT,
    added_at      TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    indexed       INTEGER NOT NULL DEFAULT 0,
    group_id      INTEGER,
    headings      TEXT NOT NULL DEFAULT '[]',
    provenance    TEXT NOT NULL DEFAULT '{{}}',
    extra         TEXT NOT NULL DEFAULT '{{}}',
    size          INTEGER NOT NULL DEFAULT 0,
    chars         INTEGER NOT NULL DEFAULT 0,
    body          TEXT NOT NULL,  -- a zstd frame (BLOB) or, stored before schema 3, TEXT
    original      BLOB NOT NULL
);
"""
_LAST_COLUMNS = ["body", "original"]

_SCHEMA = _ARTICLES.format(name="articles") + """
CREATE INDEX IF NOT EXISTS articles_pending ON articles(indexed) WHERE indexed = 0;
CREATE INDEX IF NOT EXISTS articles_group ON articles(group_id);
CREATE TABLE IF NOT EXISTS files (
    path      TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    file_hash TEXT NOT NULL,
    seen_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS file_articles (
    path       TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    title      TEXT,  -- the title this file gave it: copies of one body keep theirs
    PRIMARY KEY (path, n)
);
CREATE INDEX IF NOT EXISTS file_articles_article ON file_articles(article_id);
CREATE TABLE IF NOT EXISTS repost_keys (
    hash       INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (hash, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS repost_keys_article ON repost_keys(article_id);
CREATE TABLE IF NOT EXISTS index_deletes (article_id INTEGER PRIMARY KEY);
-- Tags people gave an article (`wenhai tag`); its file's own are among its `extra` values.
-- Kept by article, so they stay when its file changes and its text is read again.
CREATE TABLE IF NOT EXISTS tags (
    article_id INTEGER NOT NULL,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + suggestions.SCHEMA + packing.SCHEMA

#: Bytes per page of a new database. An article's row (its packed text and original,
#: 2-3 KB) fills a 4 KB page alone, and the rest of the page went unused: the articles
#: table was 1.3 times its values at 100,000 articles. Pages of 16 KB hold several rows
#: (the whole database 528 → 479 MB there); a page is read whole, and reading the rows
#: of 10 random articles took the same ~0.1 ms at 4, 8, 16 and 32 KB, twice that at 64.
PAGE_SIZE = 16384

#: SQLite's INTEGER range. An id outside it (a typed URL, `wenhai show 99999999999999999999`)
#: names no article; sqlite3 would raise OverflowError on it rather than find nothing.
_ID_RANGE = range(-(2**63), 2**63)


def _storable(ids: list[int]) -> list[int]:
    """The ids that could name a row: out-of-range ones are absent, not an error."""
    return [i for i in ids if i in _ID_RANGE]


_COLUMNS = (
    "id, title, author, source, published, url, body, headings, provenance, extra, "
    "format, encoding, content_hash, {size} AS size, original_name"
)


def _sizes(conn: sqlite3.Connection) -> tuple[str, str]:
    """How to read an article's original size and text length in SQL: the columns of
    schema 3, or, in an archive stored before (read as it is, every row plain), SQLite's
    `length` of the values themselves."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    return ("size", "chars") if "size" in columns else ("length(original)", "length(body)")


def connect(path: Path) -> sqlite3.Connection:
    """The writer's connection, creating the database or bringing it up to this schema.

    Creating and migrating write, and wait for any other writer: call it holding the
    archive's write lock (`writing.hold`), never to read.
    """
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False,
                           factory=packing.Connection)
    conn.row_factory = sqlite3.Row
    # Only a new database takes it (before WAL mode writes its first page); one made
    # before keeps its pages, and reads the same.
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    # The writer commits often; checkpoints (copying the WAL into the database, with an
    # fsync) are what cost, growing with the archive: one per 128 MB of WAL, not per 4 MB.
    conn.execute("PRAGMA wal_autocheckpoint=32768")
    conn.execute("PRAGMA foreign_keys=ON")
    unsuggested = _lacks_suggestions(conn)
    _migrate(conn)
    _reorder(conn)
    conn.executescript(_SCHEMA)
    if unsuggested:
        # Made before the search box suggested names: offer what it holds (its words
        # come with the next index commit).
        conn.execute("BEGIN IMMEDIATE")
        suggestions.fill(conn)
        conn.execute("COMMIT")
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )
    return conn


def reader(path: Path) -> sqlite3.Connection:
    """A connection that only reads, and never waits for a writer.

    In WAL mode a reader sees the last commit while a writer's transaction is open.
    On a read-only disk (or with files it may not write) SQLite cannot make the WAL's
    shared-memory file; the database file alone is then the whole archive, opened
    as immutable. Without a database file yet, an empty archive in memory answers,
    and nothing is created on disk.
    """
    if not path.exists():
        return _empty()
    try:
        return _open(path, "mode=ro")
    except sqlite3.DatabaseError as e:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            raise ArchiveError(
                f"Cannot read the archive at {path.parent} ({e}): it cannot be written here and "
                f"holds changes not yet copied from {wal.name}. Open it once where it can be "
                "written (e.g. `wenhai stats` on the disk it came from), then copy it again."
            ) from e
    try:
        return _open(path, "immutable=1")
    except sqlite3.DatabaseError as e:
        raise ArchiveError(
            f"Cannot read the archive at {path.parent} ({e}): check that {path} is a wenhai "
            "archive and can be read."
        ) from e


def _open(path: Path, mode: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=5,
                           isolation_level=None, check_same_thread=False,
                           factory=packing.Connection)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens it: fails now
    except sqlite3.DatabaseError:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return conn


def _empty() -> sqlite3.Connection:
    """An archive with nothing in it, in memory: what a reader sees before the first write."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False,
                           factory=packing.Connection)
    conn.row_factory = sqlite3.Row
    conn.executescript(_SCHEMA)
    return conn


def outdated(conn: sqlite3.Connection) -> bool:
    """Whether the database lacks what `connect` adds: made by an earlier version."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    links = {r[1] for r in conn.execute("PRAGMA table_info(file_articles)")}
    return bool(columns and "group_id" not in columns or links and "title" not in links
                or _lacks_suggestions(conn) or _lacks(conn, "tags"))


def _lacks_suggestions(conn: sqlite3.Connection) -> bool:
    """An archive made before the suggestion table (`suggestions`)."""
    return _lacks(conn, "suggestions")


def _lacks(conn: sqlite3.Connection, table: str) -> bool:
    """An archive made before `table` was."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return "articles" in tables and table not in tables


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring an archive made by an earlier version up to this schema, in place."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    if columns and "group_id" not in columns:
        # Grouping is filled in by the next writer (`backfill_groups`).
        conn.execute("ALTER TABLE articles ADD COLUMN group_id INTEGER")
    links = {r[1] for r in conn.execute("PRAGMA table_info(file_articles)")}
    if links and "title" not in links:
        # Files stored before kept no title of their own: their article's title stands in.
        conn.execute("ALTER TABLE file_articles ADD COLUMN title TEXT")
    if columns and "size" not in columns:
        # Schema 3, by the first writer (a reader reads schema 2 as it is: `_sizes`):
        # every row so far is plain; `_reorder` then puts text and original last.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ALTER TABLE articles ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
        conn.execute("ALTER TABLE articles ADD COLUMN chars INTEGER NOT NULL DEFAULT 0")
        conn.execute("UPDATE articles SET size = length(original), chars = length(body)")
        conn.execute("COMMIT")


def _reorder(conn: sqlite3.Connection) -> None:
    """Rebuild an articles table whose text and original bytes are not its last columns
    (made before schema 2), keeping every row, id and the ids never to reuse (SQLite's
    way of changing a table: a new one, copied, renamed; foreign keys off meanwhile).
    Runs once, copying every article: minutes for a very large archive."""
    columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
    if not columns or columns[-len(_LAST_COLUMNS):] == _LAST_COLUMNS:
        return
    names = ", ".join(columns)
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq = conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
            conn.execute(_ARTICLES.format(name="articles_reordered"))
            conn.execute(f"INSERT INTO articles_reordered ({names}) SELECT {names} FROM articles")
            conn.execute("DROP TABLE articles")
            conn.execute("ALTER TABLE articles_reordered RENAME TO articles")
            if seq is not None:  # the highest id ever given, even if since removed
                conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'articles'",
                             (seq[0],))
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise ArchiveError("Rebuilding the articles table broke a link between files "
                                   "and articles; nothing was changed. Run `wenhai check`.")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


def group_article(
    conn: sqlite3.Connection, article_id: int, body: str, sketch: list[int] | None = None
) -> int:
    """Put an article in the repost group of its nearest earlier copies; returns the group.

    `sketch` is the body's `reposts.sketch` if it was computed ahead.
    """
    conn.execute("DELETE FROM repost_keys WHERE article_id = ?", (article_id,))
    mine = reposts.sketch(body) if sketch is None else sketch
    groups = [article_id]
    if mine:
        # The first CANDIDATES_PER_VALUE articles with each value of the sketch: a value
        # in many more sketches is a common phrase (boilerplate, a quote), not a sign of
        # copying, and reading all its rows made this query grow with the archive.
        arms = " UNION ALL ".join(
            ["SELECT * FROM (SELECT article_id FROM repost_keys WHERE hash = ? LIMIT ?)"]
            * len(mine))
        candidates = conn.execute(
            f"SELECT article_id FROM ({arms}) WHERE article_id != ? "
            "GROUP BY article_id HAVING count(*) >= ?",
            (*(x for h in mine for x in (h, reposts.CANDIDATES_PER_VALUE)), article_id,
             reposts.MIN_SHARED),
        ).fetchall()
        sketches: dict[int, list[int]] = {}
        for other, h in conn.execute(  # all of them at once: ~50 at a million articles
                "SELECT article_id, hash FROM repost_keys WHERE article_id IN "
                f"({','.join('?' * len(candidates))})", [other for (other,) in candidates]):
            sketches.setdefault(other, []).append(h)
        for (other,) in candidates:
            if reposts.reposted(mine, sketches.get(other, [])):
                row = conn.execute(
                    "SELECT group_id FROM articles WHERE id = ?", (other,)
                ).fetchone()
                groups.append(row[0] if row and row[0] is not None else other)
        conn.executemany(
            "INSERT OR IGNORE INTO repost_keys(hash, article_id) VALUES (?, ?)",
            [(h, article_id) for h in mine],
        )
    group = min(groups)
    conn.execute("UPDATE articles SET group_id = ? WHERE id = ?", (group, article_id))
    return group


def backfill_groups(conn: sqlite3.Connection) -> int:
    """Group the articles stored before repost grouping existed; they are re-indexed."""
    ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE group_id IS NULL ORDER BY id")]
    for article_id in ids:
        conn.execute("BEGIN IMMEDIATE")
        body = packing.text(conn, conn.execute(
            "SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()[0])
        group_article(conn, article_id, body)
        conn.execute("UPDATE articles SET indexed = 0 WHERE id = ?", (article_id,))
        conn.execute("COMMIT")
    return len(ids)


def group_members(conn: sqlite3.Connection, article_id: int) -> list[int]:
    """The other articles in this article's repost group, oldest first."""
    if not _storable([article_id]):
        return []
    return [r[0] for r in conn.execute(
        "SELECT b.id FROM articles a JOIN articles b ON b.group_id = a.group_id "
        "WHERE a.id = ? AND b.id != a.id ORDER BY b.id", (article_id,))]


def shared_groups(conn: sqlite3.Connection) -> dict[int, int]:
    """The repost groups of more than one article: {group id: its articles}."""
    return dict(conn.execute(
        "SELECT group_id, count(*) FROM articles WHERE group_id IS NOT NULL "
        "GROUP BY group_id HAVING count(*) > 1"))


def group_sizes(conn: sqlite3.Connection, ids: list[int]) -> dict[int, int]:
    """For each article id, how many other articles share its repost group."""
    ids = _storable(ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT a.id, count(b.id) - 1 FROM articles a JOIN articles b ON b.group_id = a.group_id "
        f"WHERE a.id IN ({marks}) GROUP BY a.id", ids)
    return {r[0]: r[1] for r in rows}


def content_hash(article: Article) -> str:
    """Same normalized body, same article: full-width, traditional or re-spaced copies merge."""
    text = "\n".join(" ".join(p.split()) for p in normalize(article.body).split("\n") if p.strip())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def row_to_article(conn: sqlite3.Connection, row: sqlite3.Row, paths: list[str],
                   added: list[str] = ()) -> Article:
    published = dt.date.fromisoformat(row["published"]) if row["published"] else None
    return Article(
        id=row["id"],
        title=row["title"],
        author=row["author"],
        source=row["source"],
        published=published,
        url=row["url"],
        body=packing.text(conn, row["body"]),
        headings=json.loads(row["headings"]),
        provenance=json.loads(row["provenance"]),
        extra=json.loads(row["extra"]),
        format=row["format"],
        encoding=row["encoding"],
        content_hash=row["content_hash"],
        size=row["size"],
        original_name=row["original_name"],
        path=paths[0] if paths else None,
        paths=paths,
        added_tags=list(added),
    )


def paths_of(conn: sqlite3.Connection, article_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in article_ids}
    if not article_ids:
        return out
    marks = ",".join("?" * len(article_ids))
    for row in conn.execute(
        f"SELECT article_id, path, n FROM file_articles WHERE article_id IN ({marks}) "
        "ORDER BY rowid",
        article_ids,
    ):
        label = row["path"] if row["n"] == 0 else f"{row['path']}#{row['n'] + 1}"
        out[row["article_id"]].append(label)
    return out


def get_articles(conn: sqlite3.Connection, ids: list[int]) -> dict[int, Article]:
    """The articles with these ids; an id no article has (or could have) is left out."""
    ids = _storable(ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    columns = _COLUMNS.format(size=_sizes(conn)[0])
    rows = conn.execute(f"SELECT {columns} FROM articles WHERE id IN ({marks})", ids).fetchall()
    paths = paths_of(conn, [r["id"] for r in rows])
    added = tags_of(conn, [r["id"] for r in rows])
    return {r["id"]: row_to_article(conn, r, paths[r["id"]], added[r["id"]]) for r in rows}


def tags_of(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    """The tags people gave each of the articles `ids`, in the order they were given."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start : start + INDEX_BATCH]
        for article_id, tag in conn.execute(
            f"SELECT article_id, tag FROM tags WHERE article_id IN ({','.join('?' * len(batch))})"
            " ORDER BY rowid", batch,
        ):
            out[article_id].append(tag)
    return out


def change_tags(conn: sqlite3.Connection, article_id: int, add: list[str],
                drop: list[str]) -> tuple[list[str], list[str]]:
    """Give the article the tags `add` and take `drop` away, in the open transaction;
    its names' suggestions follow and it is queued to be indexed again. Returns the
    tags added and dropped (those it had not, or had, already)."""
    before = tags_of(conn, [article_id])[article_id]
    added = [t for t in dict.fromkeys(add) if t not in before]
    dropped = [t for t in dict.fromkeys(drop) if t in before]
    if not added and not dropped:
        return [], []
    suggestions.remove(conn, article_id, before)
    conn.executemany("INSERT INTO tags(article_id, tag) VALUES (?, ?)",
                     [(article_id, t) for t in added])
    conn.executemany("DELETE FROM tags WHERE article_id = ? AND tag = ?",
                     [(article_id, t) for t in dropped])
    row = conn.execute("SELECT title, author, source, extra FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    suggestions.add(conn, article_id, *row, added=tags_of(conn, [article_id])[article_id])
    conn.execute("UPDATE articles SET indexed = 0 WHERE id = ?", (article_id,))
    return added, dropped


def listing(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Each article's title and first file: what a list of articles to remove shows,
    without reading their texts."""
    out = {}
    for article_id in _storable(ids):
        row = conn.execute(
            "SELECT title, (SELECT path FROM file_articles WHERE article_id = a.id "
            "ORDER BY rowid LIMIT 1) FROM articles a WHERE id = ?", (article_id,)).fetchone()
        if row is not None:
            out[article_id] = (row[0], row[1])
    return out


def all_ids(conn: sqlite3.Connection) -> list[int]:
    """Every article's id, oldest first."""
    return [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]


def text_chars(conn: sqlite3.Connection) -> int:
    """Characters in every article's title and body."""
    return conn.execute(
        f"SELECT coalesce(sum(length(title) + {_sizes(conn)[1]}), 0) FROM articles"
    ).fetchone()[0]


def highest_id(conn: sqlite3.Connection) -> int:
    """The highest id ever given to an article (0 before the first), read in one step."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
    return row[0] if row else 0


def recent_ids(conn: sqlite3.Connection, limit: int) -> list[int]:
    """The ids of the `limit` articles added last, last first (ids are never reused)."""
    return [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id DESC LIMIT ?",
                                       (limit,))]


def other_titles(conn: sqlite3.Connection, article_id: int) -> list[str]:
    """Titles that copies of the article's text were saved under, besides its own."""
    if not _storable([article_id]):
        return []
    rows = conn.execute(
        "SELECT DISTINCT f.title FROM file_articles f JOIN articles a ON a.id = f.article_id "
        "WHERE f.article_id = ? AND f.title IS NOT NULL AND f.title != a.title "
        "ORDER BY f.rowid",
        (article_id,),
    )
    return [r[0] for r in rows]


def get_original(conn: sqlite3.Connection, article_id: int) -> tuple[str | None, bytes] | None:
    if not _storable([article_id]):
        return None
    row = conn.execute(
        "SELECT original_name, body, original FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return None
    return row["original_name"], packing.original(conn, row["body"], row["original"])


def file_state(conn: sqlite3.Connection, path: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT size, mtime_ns, file_hash FROM files WHERE path = ?", (path,)
    ).fetchone()


def touch_file(conn: sqlite3.Connection, path: str, size: int, mtime_ns: int) -> None:
    conn.execute(
        "UPDATE files SET size = ?, mtime_ns = ?, seen_at = ? WHERE path = ?",
        (size, mtime_ns, _now(), path),
    )


def _article_values(conn: sqlite3.Connection, a: Article) -> tuple:
    """The `articles` columns title … original_name, size, chars of `a`, as stored."""
    body, original = packing.pack(conn, a.body, a.original or b"")
    return (
        a.title,
        a.author,
        a.source,
        a.published.isoformat() if a.published else None,
        a.url,
        body,
        json.dumps(a.headings),
        json.dumps(a.provenance, ensure_ascii=False),
        json.dumps(a.extra, ensure_ascii=False),
        a.format,
        a.encoding,
        original,
        a.original_name,
        len(a.original or b""),
        len(a.body),
    )


def store_file(
    conn: sqlite3.Connection,
    path: str,
    size: int,
    mtime_ns: int,
    file_hash: str,
    articles: list[Article],
) -> str:
    """Record what one file holds, all or nothing (a savepoint: within the caller's
    transaction if one is open, else a transaction of its own). Returns the outcome:

    ``added`` (new articles), ``duplicate`` (a new file whose articles were all stored
    already), ``updated`` (a known file whose content changed) or ``unchanged``.
    """
    now = _now()
    conn.execute("SAVEPOINT store_file")
    try:
        known = file_state(conn, path)
        if known is not None and known["file_hash"] == file_hash:
            touch_file(conn, path, size, mtime_ns)
            conn.execute("RELEASE store_file")
            return "unchanged"
        old_rows = conn.execute(
            "SELECT n, article_id, title FROM file_articles WHERE path = ?", (path,)
        ).fetchall()
        old_links = {r["n"]: r["article_id"] for r in old_rows}
        old_titles = {r["n"]: (r["article_id"], r["title"]) for r in old_rows}
        conn.execute(
            "INSERT INTO files(path, size, mtime_ns, file_hash, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "file_hash = excluded.file_hash, seen_at = excluded.seen_at",
            (path, size, mtime_ns, file_hash, now),
        )
        conn.execute("DELETE FROM file_articles WHERE path = ?", (path,))
        inserted = 0
        new_ids: list[int] = []
        for n, article in enumerate(articles):
            digest = article.content_hash or content_hash(article)
            row = conn.execute(
                "SELECT id FROM articles WHERE content_hash = ?", (digest,)
            ).fetchone()
            if row is not None:
                article_id = row["id"]
                if old_titles.get(n) != (article_id, article.title):
                    # A copy under another title or file name: the index shows them all.
                    conn.execute("UPDATE articles SET indexed = 0 WHERE id = ?", (article_id,))
            else:
                previous = old_links.get(n)
                still_used = previous is not None and conn.execute(
                    "SELECT 1 FROM file_articles WHERE article_id = ? LIMIT 1", (previous,)
                ).fetchone()
                if previous is not None and not still_used and previous not in new_ids:
                    # The file's n-th article changed: keep its id, replace its content.
                    suggestions.remove(conn, previous, tags_of(conn, [previous])[previous])
                    conn.execute(
                        "UPDATE articles SET title = ?, author = ?, source = ?, published = ?, "
                        "url = ?, body = ?, headings = ?, provenance = ?, extra = ?, format = ?, "
                        "encoding = ?, original = ?, original_name = ?, size = ?, chars = ?, "
                        "content_hash = ?, updated_at = ?, indexed = 0 WHERE id = ?",
                        (*_article_values(conn, article), digest, now, previous),
                    )
                    article_id = previous
                    _offer(conn, article_id, article)
                    group_article(conn, article_id, article.body, article.repost_sketch)
                else:
                    cur = conn.execute(
                        "INSERT INTO articles(title, author, source, published, url, body, "
                        "headings, provenance, extra, format, encoding, original, original_name, "
                        "size, chars, content_hash, added_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*_article_values(conn, article), digest, now, now),
                    )
                    article_id = cur.lastrowid
                    inserted += 1
                    _offer(conn, article_id, article)
                    group_article(conn, article_id, article.body, article.repost_sketch)
            new_ids.append(article_id)
            conn.execute(
                "INSERT OR IGNORE INTO file_articles(path, n, article_id, title) "
                "VALUES (?, ?, ?, ?)",
                (path, n, article_id, article.title),
            )
        for orphan in set(old_links.values()) - set(new_ids):
            if not conn.execute(
                "SELECT 1 FROM file_articles WHERE article_id = ? LIMIT 1", (orphan,)
            ).fetchone():
                _delete_article(conn, orphan)
        conn.execute("RELEASE store_file")
    except BaseException:
        # A full disk (SQLITE_FULL, an I/O error) may have rolled back the whole
        # transaction, savepoint and all: then there is nothing to undo, and the error
        # to report is the one that did it, not "no such savepoint".
        if conn.in_transaction:
            conn.execute("ROLLBACK TO store_file")
            conn.execute("RELEASE store_file")
        raise
    if known is not None:
        return "updated"
    return "added" if inserted else "duplicate"


def _delete_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Delete an article from the store and queue it for the index to forget, keeping its
    names' suggestion counts and its repost group right. Its file links must be gone."""
    suggestions.remove(conn, article_id, tags_of(conn, [article_id])[article_id])
    row = conn.execute("SELECT group_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    conn.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM repost_keys WHERE article_id = ?", (article_id,))
    conn.execute("INSERT OR IGNORE INTO index_deletes(article_id) VALUES (?)", (article_id,))
    if row is not None and row[0] == article_id:
        # A group is named after its oldest member: the copies left take the next oldest,
        # and their index documents (which carry the group) are written again.
        members = [r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE group_id = ? ORDER BY id", (article_id,))]
        if members:
            conn.execute("UPDATE articles SET group_id = ?, indexed = 0 WHERE group_id = ?",
                         (members[0], article_id))


def files_under(conn: sqlite3.Connection, keys: list[str]) -> list[str]:
    """The recorded files that are `keys` or lie under them (in a folder, in a zip)."""
    found: dict[str, None] = {}
    for key in keys:
        base = key.rstrip("/") or "/"
        folder = base if base.endswith("/") else base + "/"
        for row in conn.execute(
            "SELECT path FROM files WHERE path = ? OR substr(path, 1, ?) = ? "
            "OR substr(path, 1, ?) = ? ORDER BY path",
            (base, len(folder), folder, len(base) + 1, base + "!"),
        ):
            found[row[0]] = None
    return list(found)


def articles_of_files(conn: sqlite3.Connection, paths: list[str]) -> dict[int, bool]:
    """The articles that came from the files `paths`: for each, whether it came only from
    them (removing the files removes it) rather than from another file too."""
    out: dict[int, bool] = {}
    chosen = set(paths)
    for path in paths:
        for (article_id,) in conn.execute(
            "SELECT article_id FROM file_articles WHERE path = ?", (path,)
        ):
            if article_id in out:
                continue
            others = {r[0] for r in conn.execute(
                "SELECT path FROM file_articles WHERE article_id = ?", (article_id,))}
            out[article_id] = others <= chosen
    return out


def same_file_elsewhere(conn: sqlite3.Connection, path: str) -> list[str]:
    """Other recorded files with the bytes of the file `path` (through its articles,
    by index): where a moved file was recorded before."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT o.path FROM file_articles f "
        "JOIN file_articles o ON o.article_id = f.article_id AND o.path != f.path "
        "JOIN files a ON a.path = f.path JOIN files b ON b.path = o.path "
        "WHERE f.path = ? AND b.file_hash = a.file_hash ORDER BY o.path", (path,))]


def remove_files(conn: sqlite3.Connection, paths: list[str]) -> list[int]:
    """Forget the files `paths`: the articles that came only from them are deleted, the
    others lose those paths (and are indexed again without them). Returns the deleted
    ids. Call it inside a transaction."""
    deleted = []
    for article_id, only in articles_of_files(conn, paths).items():
        conn.execute(
            f"DELETE FROM file_articles WHERE article_id = ? AND path IN "
            f"({','.join('?' * len(paths))})", (article_id, *paths))
        if only:
            _delete_article(conn, article_id)
            deleted.append(article_id)
        else:
            conn.execute("UPDATE articles SET indexed = 0 WHERE id = ?", (article_id,))
    conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])
    return deleted


def remove_articles(conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    """Delete the articles `ids` wherever they came from; a file left with no article is
    forgotten (the next ingest of it reads it again). Returns the ids deleted (those
    that existed). Call it inside a transaction."""
    deleted = []
    for article_id in _storable(ids):
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
            continue
        paths = [r[0] for r in conn.execute(
            "SELECT DISTINCT path FROM file_articles WHERE article_id = ?", (article_id,))]
        conn.execute("DELETE FROM file_articles WHERE article_id = ?", (article_id,))
        for path in paths:
            if conn.execute("SELECT 1 FROM file_articles WHERE path = ? LIMIT 1",
                            (path,)).fetchone() is None:
                conn.execute("DELETE FROM files WHERE path = ?", (path,))
        _delete_article(conn, article_id)
        deleted.append(article_id)
    return deleted


def _offer(conn: sqlite3.Connection, article_id: int, article: Article) -> None:
    suggestions.add(conn, article_id, article.title, article.author, article.source,
                    article.extra, article.spellings, tags_of(conn, [article_id])[article_id])


#: What the search index is built from (`engine.schema.document`): the article, and
#: the titles and files of every copy of its text.
_INDEXED_COLUMNS = (
    "id, title, author, source, published, body, content_hash, group_id, extra, "
    "(SELECT json_group_array(title) FROM file_articles f "
    " WHERE f.article_id = articles.id AND f.title IS NOT NULL) AS titles, "
    "(SELECT json_group_array(path) FROM file_articles f "
    " WHERE f.article_id = articles.id) AS paths, "
    "(SELECT json_group_array(tag) FROM tags t WHERE t.article_id = articles.id) AS tags"
)


def pending_ids(conn: sqlite3.Connection) -> list[int]:
    """Ids of the articles the index lacks, in order."""
    return [r[0] for r in conn.execute("SELECT id FROM articles WHERE indexed = 0 ORDER BY id")]


#: Articles read per query by `for_index`.
INDEX_BATCH = 500


def for_index(conn: sqlite3.Connection, ids: list[int]) -> Iterator[dict]:
    """The articles `ids` (sorted), as the index reads them, `INDEX_BATCH` at a time."""
    for start in range(0, len(ids), INDEX_BATCH):
        batch = ids[start : start + INDEX_BATCH]
        marks = ",".join("?" * len(batch))
        for row in conn.execute(
            f"SELECT {_INDEXED_COLUMNS} FROM articles WHERE id IN ({marks}) ORDER BY id", batch
        ).fetchall():
            found = dict(zip(row.keys(), row, strict=True))
            found["body"] = packing.text(conn, found["body"])
            yield found


def pending_changes(conn: sqlite3.Connection) -> int:
    """Articles the index lacks plus deleted articles it must forget."""
    return conn.execute(
        "SELECT (SELECT count(*) FROM articles WHERE indexed = 0) "
        "+ (SELECT count(*) FROM index_deletes)"
    ).fetchone()[0]


def pending_deletes(conn: sqlite3.Connection) -> list[int]:
    """Ids of deleted articles the index must forget."""
    return [r[0] for r in conn.execute("SELECT article_id FROM index_deletes")]


def mark_indexed(conn: sqlite3.Connection, ids: list[int], deletes: list[int]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("UPDATE articles SET indexed = 1 WHERE id = ?", [(i,) for i in ids])
    conn.executemany("DELETE FROM index_deletes WHERE article_id = ?", [(i,) for i in deletes])
    pause("marking")
    conn.execute("COMMIT")


def mark_unindexed(conn: sqlite3.Connection, ids: list[int], deletes: list[int]) -> None:
    """Queue articles to be indexed again and index documents to be dropped."""
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("UPDATE articles SET indexed = 0 WHERE id = ?", [(i,) for i in ids])
    conn.executemany(
        "INSERT OR IGNORE INTO index_deletes(article_id) VALUES (?)", [(i,) for i in deletes]
    )
    conn.execute("COMMIT")


def index_states(conn: sqlite3.Connection) -> dict[int, tuple[str, bool]]:
    """Every article's content hash and whether the store believes it is indexed."""
    return {
        r[0]: (r[1], bool(r[2]))
        for r in conn.execute("SELECT id, content_hash, indexed FROM articles")
    }


def integrity(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA integrity_check").fetchone()[0]


def mark_all_indexed(conn: sqlite3.Connection) -> None:
    """After a rebuild from every stored article: all are indexed, none to drop."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE articles SET indexed = 1")
    conn.execute("DELETE FROM index_deletes")
    pause("marking")
    conn.execute("COMMIT")


def mark_all_unindexed(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE articles SET indexed = 0")
    conn.execute("DELETE FROM index_deletes")


def counts(conn: sqlite3.Connection) -> dict:
    """How many articles and files: what `stats` counts without reading every text."""
    return {
        "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
        "files": conn.execute("SELECT count(*) FROM files").fetchone()[0],
    }


def stats(conn: sqlite3.Connection) -> dict:
    size, chars = _sizes(conn)
    one = conn.execute(
        f"SELECT count(*) AS n, coalesce(sum({size}), 0) AS original_bytes, "
        f"coalesce(sum({chars}), 0) AS body_chars, "
        "coalesce(sum(indexed = 0), 0) AS pending FROM articles"
    ).fetchone()
    files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    sources = [
        (r["source"], r["n"])
        for r in conn.execute(
            "SELECT coalesce(source, '') AS source, count(*) AS n FROM articles "
            "GROUP BY 1 ORDER BY n DESC, source LIMIT 20"
        )
    ]
    return {
        "articles": one["n"],
        "files": files,
        "original_bytes": one["original_bytes"],
        "body_chars": one["body_chars"],
        "pending_index": one["pending"],
        "sources": sources,
    }


def unindexed(conn: sqlite3.Connection) -> int:
    """How many stored articles the index lacks (partial index `articles_pending`)."""
    return conn.execute("SELECT count(*) FROM articles WHERE indexed = 0").fetchone()[0]


def has_articles(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
