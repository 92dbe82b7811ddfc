"""The values the archive hands out: articles and search results."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field

from markupsafe import Markup

from .errors import Notice
from .search.filters import Filters
from .text import tags
from .timeline import Timeline, timeline


@dataclass
class Article:
    """One article: clean text for reading and searching, plus where it came from.

    `body` holds paragraphs separated by newlines; `headings` lists the indexes of
    the paragraphs that are section headings. `provenance` says, per metadata field,
    where its value was found (``"byline"``, ``"front matter"``, ``"file name"``…).
    """

    title: str
    body: str
    author: str | None = None
    source: str | None = None
    published: dt.date | None = None
    url: str | None = None
    headings: list[int] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    #: Further metadata worth keeping but not searched as a field (editor, tags, location…).
    extra: dict[str, str] = field(default_factory=dict)
    # Set by the archive once stored.
    id: int | None = None
    path: str | None = None
    paths: list[str] = field(default_factory=list)
    #: Ids of the other articles in its repost group (the same text, reworded or re-titled).
    reposts: list[int] = field(default_factory=list)
    #: Other titles that files with this same text gave it (its copies keep their titles).
    titles: list[str] = field(default_factory=list)
    format: str | None = None
    encoding: str | None = None
    content_hash: str | None = None
    size: int | None = None
    #: The bytes this article was read from, kept verbatim in the store.
    original: bytes | None = field(default=None, repr=False)
    original_name: str | None = None
    #: Tags people gave it (`wenhai tag`), besides those its file names (`tags`).
    added_tags: list[str] = field(default_factory=list)
    #: The repost sketch of the body, when `Archive.prepare` computed it ahead of storing.
    repost_sketch: list[int] | None = field(default=None, repr=False)
    #: How its title, names and tags are typed (`suggestions.spellings`), when
    #: `Archive.prepare` computed them ahead of storing.
    spellings: dict | None = field(default=None, repr=False)

    @property
    def link(self) -> str | None:
        """`url` if it is an http(s) address, safe to put in a link; else None."""
        u = (self.url or "").strip()
        return u if u.lower().startswith(("http://", "https://")) else None

    @property
    def tags(self) -> list[str]:
        """Every tag: its file's (front matter, JSON, a `标签：` line), then people's."""
        return tags.merged(self.extra, self.added_tags)

    def paragraphs(self) -> list[tuple[str, bool]]:
        """(text, is_heading) for each non-empty paragraph, in order."""
        heads = set(self.headings)
        return [(p, i in heads) for i, p in enumerate(self.body.split("\n")) if p.strip()]

    def to_dict(self, *, body: bool = True) -> dict:
        d = {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "path": self.path,
            "paths": list(self.paths),
            "format": self.format,
            "encoding": self.encoding,
            "provenance": dict(self.provenance),
            "extra": dict(self.extra),
            "tags": self.tags,
            "added_tags": list(self.added_tags),
            "reposts": list(self.reposts),
            "titles": list(self.titles),
        }
        if body:
            d["body"] = self.body
        return d


@dataclass
class Suggestion:
    """Something the search box offers as the user types: an author, a source, a tag or
    a frequent word (`query` is the search it stands for), or a title (it opens
    `article`)."""

    kind: str
    text: str
    #: Articles with it (a word: articles whose text has it; a title: 1).
    count: int
    query: str
    article: int | None = None

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text, "count": self.count, "query": self.query}
        if self.article is not None:  # the shape title suggestions always had
            d.update(id=self.article, title=self.text)
        return d


@dataclass
class Hit:
    id: int
    title: str
    author: str | None
    source: str | None
    published: dt.date | None
    path: str | None
    score: float
    snippet: Markup
    title_html: Markup
    #: How many other articles are copies of this one (its repost group, less itself).
    reposts: int = 0
    #: Its tags, its file's and those people gave it (`Article.tags`).
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "path": self.path,
            "snippet": str(self.snippet),
            "score": round(self.score, 4),
            "reposts": self.reposts,
            "tags": list(self.tags),
        }


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    seconds: float
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    #: Per facet (source, author, year): (value, count) over every match, not just this page.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: The search ran out of time: hits, total and facets cover only the part searched
    #: (or, if time ran out while showing them, the last hits show their text's beginning).
    partial: bool = False
    #: Stored articles the index does not have yet (an ingest stopped before indexing
    #: them, or one still running): no search can find them.
    unindexed: int = 0
    #: Quotation marks of the query without a partner, searched as characters of the
    #: text (a passage pasted with one mark of a pair cut off).
    unpaired: list[str] = field(default_factory=list)
    #: The query was read as plain text, its syntax ignored (beside a `QuerySyntaxError`).
    plain: bool = False
    #: Why the results are partial besides time: a cluster's shard that did not answer.
    reasons: list[str] = field(default_factory=list)

    @property
    def notice(self) -> str | None:
        """What the user should know about these results, if anything."""
        said = []
        if self.unpaired:
            marks = " ".join(dict.fromkeys(self.unpaired))
            said.append(
                f"The query's unpaired {marks} was searched as a character of the text, "
                "not as a quotation mark: to search an exact phrase, give it both marks "
                "(“…” or \"…\")."
            )
        if self.plain:
            said.append(
                f"«{self.query}» was searched as plain text, its syntax ignored."
            )
        if self.reasons:
            said += self.reasons
        elif self.partial:
            said.append(
                "This search matches so many articles that only part of them could be ranked "
                "and shown in time: the results and counts come from that part. Narrow it "
                "down: add a word, quote a phrase, or filter by source or year."
            )
        if self.unindexed:
            said.append(
                f"{self.unindexed} stored article{'s are' if self.unindexed > 1 else ' is'} "
                "not in the search index yet, so no search finds "
                f"{'them' if self.unindexed > 1 else 'it'}: run `wenhai check --repair` to "
                "index them (an ingest still running indexes them when it finishes)."
            )
        return " ".join(said) or None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def timeline(self) -> Timeline:
        """The matches per month (per year over a long span), from the month facet."""
        return timeline(self.facets.get("month", []))

    def approximate_bytes(self) -> int:
        """About how much memory this answer holds, for the result cache's bound: its
        strings, and a few dozen bytes for each object around them. A facet lists every
        value among the matches — thousands of authors for a common word."""
        size = 500 + sys.getsizeof(self.query)
        for hit in self.hits:
            size += 400 + sum(sys.getsizeof(s) for s in (hit.title, hit.author, hit.source,
                                                        hit.path, hit.snippet, hit.title_html)
                              if s is not None)
        for values in self.facets.values():
            size += sum(120 + sys.getsizeof(value) for value, _ in values)
        return size

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "took_ms": round(self.seconds * 1000, 1),
            "sort": self.sort,
            "filters": self.filters.active(),
            "facets": {name: [list(c) for c in counts] for name, counts in self.facets.items()},
            "partial": self.partial,
            "reason": " ".join(self.reasons) or None,
            "unindexed": self.unindexed,
            "unpaired": self.unpaired,
            "plain": self.plain,
            "notice": self.notice,
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass
class CheckReport:
    """What `Archive.check` found when comparing the store with the search index."""

    store_integrity: str = "ok"
    articles: int = 0
    indexed: int = 0
    pending: int = 0
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    index_problem: str | None = None
    index_damaged: bool = False
    #: How the user dictionary differs from the one the index was segmented with.
    dictionary_problem: str | None = None
    #: Copies of the index kept beside it: {"path", "bytes", "what"} (`engine.folder.copies`).
    copies: list[dict] = field(default_factory=list)
    #: A cluster's shards: {"name", "documents", "missing", "extra"} each.
    parts: list[dict] = field(default_factory=list)

    @property
    def integrity(self) -> Notice:
        """SQLite's integrity check as the reader is told it: "ok", or what it found
        (SQLite's own words), with a code to say it in the reader's language."""
        if self.store_integrity == "ok":
            return Notice("ok", code="store.intact")
        return Notice(self.store_integrity, code="store.damaged", found=self.store_integrity)

    @property
    def healthy(self) -> bool:
        """Nothing wrong, and the index has every stored article (`pending` ones lag)."""
        return self.store_integrity == "ok" and not (
            self.missing or self.extra or self.stale or self.index_problem or self.pending
            or self.dictionary_problem
        )

    def to_dict(self) -> dict:
        return {
            "healthy": self.healthy,
            "store_integrity": self.store_integrity,
            "articles": self.articles,
            "indexed": self.indexed,
            "pending": self.pending,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
            "index_problem": self.index_problem,
            "dictionary_problem": self.dictionary_problem,
            "copies": self.copies,
            "parts": self.parts,
        }


@dataclass
class DictionaryChange:
    """What a change of the user dictionary did to the index."""

    #: The words (normalized) added, removed or given another frequency.
    words: list[str] = field(default_factory=list)
    #: The articles segmented again: those containing one of `words`.
    updated: list[int] = field(default_factory=list)


@dataclass
class WordCandidate:
    """A string the archive repeats that jieba splits: a word for the user dictionary?"""

    text: str
    #: Times it occurs in the articles read.
    count: int
    #: How much it holds together (`text.newwords`): higher is more word-like.
    score: float
    #: How jieba cuts it now.
    pieces: list[str] = field(default_factory=list)
