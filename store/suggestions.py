"""The suggestion table: what the search box offers as the user types.

One row per author, source and tag (with how many articles have it), per frequent word
of the index (with how many articles' text has it) and per article's title, each with
how it is typed (`text.pinyin`): its own characters, its full pinyin and its initials.
Writers keep it, in the transaction that changes the articles: `add` and `remove` as
articles are stored, changed and deleted, `set_words` after each index commit, `fill`
once for an archive made before the table existed. `candidates` finds the rows whose
spelling begins with what was typed by a range scan on an index of each spelling, so a
lookup reads a few rows however large the archive; `choose` picks what to show.

Names and tags are offered by their own characters, by full pinyin and by initials;
titles by pinyin here, by what they contain through the search index (`Archive`).
Nothing typed is ever replaced: a suggestion is a search the user may choose.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Suggestion
from .text import tags
from .text.normalize import is_cjk
from .text.pinyin import Spelling, spell, squeeze, typed_pinyin

#: The kinds of suggestion, in the order the search box shows their groups.
KINDS = ("author", "source", "tag", "word", "title")
NAMES = ("author", "source", "tag")
#: The field each kind of name searches when chosen.
FIELDS = {"author": "author", "source": "source", "tag": "tag"}
#: Longer values are not names (a paragraph read as a byline): not offered.
MAX_NAME = 40
#: What is typed beyond this many characters is not looked up.
MAX_TYPED = 64
#: What parts one author field naming several people (刘加文、顾正龙).
_AUTHORS = re.compile(r"[、，,；;／/|]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestions (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,              -- author, source, tag, word, title
    value    TEXT NOT NULL,              -- as shown
    article  INTEGER NOT NULL DEFAULT 0, -- a title's article; 0 for the other kinds
    count    INTEGER NOT NULL,           -- articles with it
    spelled  TEXT NOT NULL,              -- its characters, normalized, without spaces
    pinyin   TEXT NOT NULL,              -- its full pinyin, without spaces
    initials TEXT NOT NULL               -- the initials of its syllables
);
CREATE UNIQUE INDEX IF NOT EXISTS suggestions_value ON suggestions(kind, value, article);
CREATE INDEX IF NOT EXISTS suggestions_spelled ON suggestions(kind, spelled) WHERE article = 0;
CREATE INDEX IF NOT EXISTS suggestions_pinyin ON suggestions(kind, pinyin);
CREATE INDEX IF NOT EXISTS suggestions_initials ON suggestions(kind, initials);
"""


# -- what an article offers -------------------------------------------------------------

def names(author: str | None, source: str | None, extra: dict | str | None,
          added: list[str] = ()) -> list[tuple[str, str]]:
    """(kind, value) of every name an article offers: each of its authors, its source,
    each of its tags (its file's and the `added` ones people gave it)."""
    if isinstance(extra, str):
        extra = json.loads(extra or "{}")
    found: list[tuple[str, str]] = []
    found += [("author", a) for a in _AUTHORS.split(author or "")]
    found.append(("source", source or ""))
    found += [("tag", t) for t in tags.merged(extra, list(added))]
    return list(dict.fromkeys((kind, v.strip()) for kind, v in found
                              if v.strip() and len(v.strip()) <= MAX_NAME))


def _spell(kind: str, value: str) -> Spelling:
    return spell(value, person=kind == "author")


def spellings(title: str, author: str | None, source: str | None,
              extra: dict | None) -> dict[tuple[str, str], Spelling]:
    """How an article's title and names are typed, computed ahead of storing it (in the
    process that read it: `Archive.prepare`)."""
    offered = names(author, source, extra)
    if title:
        offered.append(("title", title))
    return {(kind, value): _spell(kind, value) for kind, value in offered}


# -- keeping the table ------------------------------------------------------------------

def add(conn: sqlite3.Connection, article_id: int, title: str, author: str | None,
        source: str | None, extra: dict | str | None,
        known: dict[tuple[str, str], Spelling] | None = None, added: list[str] = ()) -> None:
    """Count a stored article's names and offer its title. `known`: spellings computed
    ahead (`spellings`); others are computed here. `added`: the tags people gave it."""
    known = known or {}
    for kind, value in names(author, source, extra, added):
        if conn.execute("UPDATE suggestions SET count = count + 1 "
                        "WHERE kind = ? AND value = ? AND article = 0",
                        (kind, value)).rowcount == 0:
            _insert(conn, kind, value, 0, 1, known.get((kind, value)) or _spell(kind, value))
    if title:
        _insert(conn, "title", title, article_id, 1,
                known.get(("title", title)) or _spell("title", title))


def _insert(conn: sqlite3.Connection, kind: str, value: str, article: int, count: int,
            spelled: Spelling) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO suggestions(kind, value, article, count, spelled, pinyin, "
        "initials) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, value, article, count, spelled.spelled, spelled.pinyin, spelled.initials))


def remove(conn: sqlite3.Connection, article_id: int, added: list[str] = ()) -> None:
    """Uncount an article's names (with `added`, the tags people gave it) and withdraw
    its title: before it is changed or deleted."""
    row = conn.execute("SELECT title, author, source, extra FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    if row is None:
        return
    for kind, value in names(row[1], row[2], row[3], added):
        conn.execute("UPDATE suggestions SET count = count - 1 "
                     "WHERE kind = ? AND value = ? AND article = 0", (kind, value))
        conn.execute("DELETE FROM suggestions WHERE kind = ? AND value = ? AND article = 0 "
                     "AND count <= 0", (kind, value))
    conn.execute("DELETE FROM suggestions WHERE kind = 'title' AND value = ? AND article = ?",
                 (row[0], article_id))


def fill(conn: sqlite3.Connection) -> int:
    """Offer every stored article's names and title: for an archive made before the
    table existed (its words come with the next index commit). Returns the articles."""
    rows = conn.execute(
        "SELECT id, title, author, source, extra, (SELECT json_group_array(tag) FROM tags "
        "WHERE article_id = articles.id) FROM articles ORDER BY id")
    n = 0
    for article_id, title, author, source, extra, added in rows.fetchall():
        add(conn, article_id, title, author, source, extra, added=json.loads(added))
        n += 1
    return n


#: Characters of numbers: 十五, 一百多 are words to jieba, not to someone typing.
_NUMERALS = set("零〇一二三四五六七八九十百千万亿两几多余")


def refill(conn: sqlite3.Connection) -> int:
    """Count every name and offer every title again, spelled again, from the stored
    articles (`wenhai reindex` rebuilds what is derived); the words are left for the
    index. Returns the articles."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM suggestions WHERE kind != 'word'")
        n = fill(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return n


def is_word(text: str) -> bool:
    """Whether an index word is worth offering: two to eight Chinese characters, not
    all of them numerals."""
    return 2 <= len(text) <= 8 and all(map(is_cjk, text)) and not set(text) <= _NUMERALS


def frequent(counts: dict[str, int], limit: int) -> dict[str, int]:
    """The `limit` most frequent of `counts` that are words of their own: the index also
    holds the dictionary words inside longer words (责人 in 负责人, 集装 in 集装箱), which
    are dropped when nearly every article with them has the longer word."""
    around: dict[str, int] = {}  # each word: the most articles a longer word holding it is in
    for word, count in counts.items():
        for i in range(len(word)):
            for j in range(i + 2, len(word) + 1):
                if j - i < len(word):
                    inner = word[i:j]
                    around[inner] = max(around.get(inner, 0), count)
    kept = [(w, c) for w, c in counts.items() if around.get(w, 0) < 0.9 * c]
    return dict(sorted(kept, key=lambda wc: -wc[1])[:limit])


def set_words(conn: sqlite3.Connection, counts: dict[str, int]) -> None:
    """Offer these words, with how many articles have each, instead of those before
    (spellings are kept for the words offered already)."""
    old = dict(conn.execute("SELECT value, id FROM suggestions WHERE kind = 'word'"))
    conn.executemany("DELETE FROM suggestions WHERE id = ?",
                     [(i,) for word, i in old.items() if word not in counts])
    conn.executemany("UPDATE suggestions SET count = ? WHERE id = ?",
                     [(counts[word], i) for word, i in old.items() if word in counts])
    for word, count in counts.items():
        if word not in old:
            _insert(conn, "word", word, 0, count, _spell("word", word))


def has_words(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM suggestions WHERE kind = 'word' LIMIT 1").fetchone() \
        is not None


# -- looking up -------------------------------------------------------------------------

@dataclass
class Candidate:
    suggestion: Suggestion
    #: What was typed is the whole of one of its spellings (雷军 for leijun or lj).
    exact: bool
    #: Its place among the candidates of its kind: smaller first.
    order: tuple


def query_for(kind: str, value: str) -> str:
    """The search a suggestion stands for, in the query language: a name searches its
    field (`author:雷军`), a word or a title the text."""
    if kind not in FIELDS:
        return value
    if not re.search(r'[\s"“”]', value):
        return f"{FIELDS[kind]}:{value}"
    if '"' not in value:
        return f'{FIELDS[kind]}:"{value}"'
    return f"{FIELDS[kind]}:“{value.replace('“', '').replace('”', '')}”"


def _after(prefix: str) -> str:
    """The least string greater than every string beginning with `prefix`."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # no string holds a lone surrogate: the next character
        last = 0xE000
    return prefix[:-1] + chr(last) if last <= 0x10FFFF else prefix + "\U0010ffff"


def candidates(conn: sqlite3.Connection, typed: str, limit: int) -> list[Candidate]:
    """Rows whose characters, pinyin or initials begin with what was typed (pinyin only
    if it can be pinyin), up to `limit` of each kind and spelling: names and words by
    how many articles have them, titles in order of their spelling."""
    text = squeeze(typed[:MAX_TYPED])
    if not text:
        return []
    keys = [("spelled", text)]
    if letters := typed_pinyin(typed[:MAX_TYPED]):
        keys += [("pinyin", letters), ("initials", letters)]
    found: dict[int, Candidate] = {}
    for kind in KINDS:
        for rank, (column, key) in enumerate(keys):
            if kind == "title":
                if column == "spelled":
                    continue  # what a title contains, the search index finds
                sql = (f"SELECT id, value, article, count, {column} FROM suggestions "
                       f"WHERE kind = 'title' AND {column} >= ? AND {column} < ? "
                       f"ORDER BY {column} LIMIT ?")
                args: tuple = (key, _after(key), limit)
            else:
                sql = (f"SELECT id, value, article, count, {column} FROM suggestions "
                       f"WHERE kind = ? AND article = 0 AND {column} >= ? AND {column} < ? "
                       f"ORDER BY {column} = ? DESC, count DESC LIMIT ?")
                args = (kind, key, _after(key), key, limit)
            for row_id, value, article, count, spelled in conn.execute(sql, args):
                # One letter is the initial of a one-character name (摘, read from 摘自…)
                # and of a thousand others: no more exact than any of them.
                exact = spelled == key and not (column == "initials" and len(key) < 2)
                order = ((not exact, rank, spelled) if kind == "title"
                         else (not exact, -count, rank))
                seen = found.get(row_id)
                if seen is None or order < seen.order:
                    found[row_id] = Candidate(
                        Suggestion(kind, value, count, query_for(kind, value),
                                   article or None), exact, order)
    return list(found.values())


def choose(found: Iterable[Candidate], limit: int) -> list[Suggestion]:
    """Up to `limit` suggestions, grouped by kind (`KINDS`): first every name that is
    exactly what was typed (雷军 for leijun or lj), by how many articles have it — a
    name is what someone typing its initials wants —, then the others a kind at a time
    in turn, each kind's best (exact) first, so that every kind shows what it has."""
    by_kind: dict[str, list[Candidate]] = {kind: [] for kind in KINDS}
    shown: set[tuple[str, str]] = set()
    for c in sorted(found, key=lambda c: c.order):
        if (c.suggestion.kind, c.suggestion.text) not in shown:  # a title of many copies
            shown.add((c.suggestion.kind, c.suggestion.text))
            by_kind[c.suggestion.kind].append(c)
    names = sorted((c for kind in NAMES for c in by_kind[kind] if c.exact),
                   key=lambda c: -c.suggestion.count)
    chosen = names[:limit]
    queues = [deque(c for c in by_kind[kind] if not (c.exact and kind in NAMES))
              for kind in KINDS]
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.popleft())
    return [c.suggestion for c in sorted(chosen, key=lambda c: KINDS.index(c.suggestion.kind))]
