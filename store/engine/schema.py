"""The index's schema: its fields, how each is analysed, and what identifies a build.

The bottom of the engine, so that everything above — codec, writer, search — may read
it without importing each other. `identity()` is what an index's sidecar file records
(`folder`); `document()` is the Whoosh document for one stored article.
"""

from __future__ import annotations

import json
from pathlib import PurePath

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from ..text import analysis, tags

#: 2: a sortable `year` for the year facet, and each document's content `hash`.
#: 3: the repost `group`, to show one result per group.
#: 4: the text fields' postings in `columnar` files (`codec.Codec`).
#: 5: every other value read from a file (`extra_g`: editor, correspondent, original
#:    title…, and the names of the files), and the titles of every copy of a text.
#: 6: tags — their text (`tags_g`, what `tag:` searches), each tag as a term of `tag`
#:    (the facet's filter) and an article's tags together as its column (the facet).
INDEX_SCHEMA_VERSION = 6


def words_field() -> TEXT:
    """jieba's words, without positions: every search that needs them (strings, phrases,
    words near each other) runs on the n-gram fields; a word field is searched a term
    at a time (similar articles, the vocabulary). Positions were a third of its bytes."""
    return TEXT(analyzer=analysis.WordTokenizer(), phrase=False)


def grams_field() -> TEXT:
    return TEXT(analyzer=analysis.GramTokenizer(), phrase=True)


#: Which of the document's fields each kind of analysis fills.
WORD_FIELDS = ("title", "body")
GRAM_FIELDS = ("title_g", "body_g", "author_g", "source_g", "extra_g", "tags_g")
#: The fields whose postings `columnar` stores (see `codec`), and how their terms are keyed.
TEXT_FIELDS = {**{name: "words" for name in WORD_FIELDS}, **{name: "grams" for name in GRAM_FIELDS}}


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        # The content hash the document was built from: `wenhai check` finds stale ones.
        hash=ID(stored=True),
        title=words_field(),
        body=words_field(),
        title_g=grams_field(),
        body_g=grams_field(),
        author_g=grams_field(),
        source_g=grams_field(),
        extra_g=grams_field(),
        tags_g=grams_field(),
        # Tags never hold a comma (`text.tags.SEPARATORS` splits them): one term each;
        # the column holds them all, sorted and joined (a merge reads the terms from it).
        tag=KEYWORD(commas=True, sortable=True),
        author=ID(sortable=True),
        source=ID(sortable=True),
        date=ID(sortable=True),
        year=ID(sortable=True),
        group=ID(sortable=True),
    )


#: Sortable ID fields a search reads per document, as arrays (`saved`): the facets,
#: the date to sort by. (The repost `group` is read as numbers, apart.)
#: An article's tags are one value of `tag`, sorted and joined by TAG_JOIN: articles
#: share few sets of tags, and the facet counts each set's tags (`search.matches`).
COLUMNS = ("source", "author", "year", "date", "tag")
TAG_JOIN = ","


def identity() -> dict:
    return {"schema_version": INDEX_SCHEMA_VERSION, "analyzer": analysis.fingerprint()}


#: Values kept in `extra` that are notes of wenhai's, not text the file said.
_NOT_SAID = {"truncated", "edited"}


def document(row) -> dict:
    """The Whoosh document for one article (a mapping with the `articles` table's columns,
    `titles` and `paths` its copies' as JSON lists): every title its text was saved
    under in the title fields; every other value the file gave and the files' names in
    `extra_g`."""
    titles = "\n".join(dict.fromkeys([row["title"], *_listed(row, "titles")]))
    said = [str(v) for k, v in _listed(row, "extra", "{}").items() if k not in _NOT_SAID]
    names = [_file_name(path) for path in _listed(row, "paths")]
    doc = {
        "id": str(row["id"]),
        "hash": row["content_hash"],
        "group": str(row["group_id"] or row["id"]),
        "title": titles,
        "title_g": titles,
        "body": row["body"],
        "body_g": row["body"],
    }
    if extra := "\n".join(dict.fromkeys(said + names)):
        doc["extra_g"] = extra
    if row["author"]:
        doc["author_g"] = row["author"]
        doc["author"] = row["author"]
    if row["source"]:
        doc["source_g"] = row["source"]
        doc["source"] = row["source"]
    if row["published"]:
        doc["date"] = row["published"]
        doc["year"] = row["published"][:4]
    if found := tags.merged(_listed(row, "extra", "{}"), _listed(row, "tags")):
        doc["tags_g"] = "\n".join(found)
        doc["tag"] = TAG_JOIN.join(sorted(found))
    return doc


def _listed(row, column: str, empty: str = "[]"):
    """A JSON column of `row`, decoded (empty where the row lacks it)."""
    return json.loads((row[column] if column in row.keys() else None) or empty)


def _file_name(path: str) -> str:
    """The name of the file an article came from, without folders or extension
    (`/a/export.zip!notes/雨水花园.txt` → 雨水花园)."""
    return PurePath(path.rpartition("!")[2]).stem
