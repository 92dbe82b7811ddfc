"""`Archive`: one folder holding ``archive.db`` (SQLite, the truth) and ``index/`` (Whoosh).

A facade: SQLite's side is `database`; the index is read through `search.searcher`
and written through `sync`. Readers open it freely: they never write, never wait for a
writer, and need no write access at all (a read-only disk will do). Writers go through
`Archive.writing()`, which takes the archive's write lock (`writing`) before it touches
the database, and only then creates or upgrades it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import backends, database, dictionary, reposts, suggestions
from .check import check
from .concordance import Concordance, Concordancer
from .engine import folder, schema
from .errors import (
    ArticleNotFound,
    DictionaryError,
    IndexMissingError,
    Notice,
    QueryError,
    QuerySyntaxError,
    TagError,
    failed_writes,
)
from .hits import hits
from .models import (
    Article,
    CheckReport,
    DictionaryChange,
    Hit,
    SearchResult,
    Suggestion,
    WordCandidate,
)
from .search import cache, query
from .search import searcher as searching
from .search.filters import FACETS, Filters, check_page
from .search.searcher import Searcher
from .sync import IterWrapper, no_progress
from .text import newwords, segmenter, userwords
from .text import tags as tagging
from .text.normalize import normalize
from .text.pinyin import squeeze
from .text.userwords import Entry
from .timeline import BY, Timeline, timeline
from .trends import Trends, split_terms, trends
from .writing import Writing, hold, upgrade

#: The n-gram fields where the text of the word fields is found (title → title_g).
_WORD_TEXT = tuple(f"{name}_g" for name in schema.WORD_FIELDS)


def _segmented(method):
    """Run `method` segmenting text with the dictionary the index was built with, as the
    index's words were segmented (`dictionary`)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with segmenter.using(self._dictionary.current()):
            return method(self, *args, **kwargs)

    return run


def default_home() -> Path:
    """`$WENHAI_HOME`, else `$XDG_DATA_HOME/wenhai`, else `~/.local/share/wenhai`."""
    if os.environ.get("WENHAI_HOME"):
        return Path(os.environ["WENHAI_HOME"]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "wenhai"


class Archive:
    """The archive in `home` (created by the first write), searched through its own index
    or the cluster at the address `cluster` (see `backends`)."""

    def __init__(self, home: Path | str, cluster: str | None = None):
        self.home = Path(home).expanduser()
        self.index_path = self.home / "index"
        #: Where searches go and what writers feed (`backends`): the index in
        #: `index_path` unless a cluster is named (`cluster`, `$WENHAI_CLUSTER`, a setting).
        self.backend = backends.choose(self.home, cluster)
        self._searchers = self.backend.searchers(self.home, lambda: self.db)
        self._dictionary = dictionary.Applied(self.index_path)
        self._reader: sqlite3.Connection | None = None  # opened when first read
        self._empty = False  # the reader is a stand-in: there was no database yet
        self._writing: Writing | None = None  # while `writing()`
        #: Things a writer noticed and repaired that the user should hear about.
        self.notices: list[str] = []

    @property
    def db(self) -> sqlite3.Connection:
        """The writer's connection while `writing()`, else a reader's (`database.reader`)."""
        if self._writing is not None:
            return self._writing.db
        path = self.home / "archive.db"
        if self._reader is None or self._empty and path.exists():
            self.close_db()
            self._empty = not path.exists()
            self._reader = database.reader(path)
            if database.outdated(self._reader):
                self.close_db()
                upgrade(self.home)
                self._reader = database.reader(path)
        return self._reader

    def close_db(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        self.close_index()
        self.close_db()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        found = database.get_articles(self.db, [article_id]).get(article_id)
        if found is None:
            raise ArticleNotFound(
                f"No article has id {article_id}: `wenhai search` lists the ids of what is stored.",
                id=article_id,
            )
        found.reposts = database.group_members(self.db, article_id)
        found.titles = database.other_titles(self.db, article_id)
        return found

    def reposts_of(self, article: Article) -> list[Article]:
        """The other articles of `article`'s repost group, oldest first."""
        found = database.get_articles(self.db, article.reposts)
        return [found[i] for i in article.reposts if i in found]

    def original(self, article_id: int) -> tuple[str | None, bytes]:
        """The article's original file name and bytes, exactly as ingested."""
        found = database.get_original(self.db, article_id)
        if found is None:
            raise ArticleNotFound(f"No article has id {article_id}.", id=article_id)
        return found

    def recent(self, limit: int = 8) -> list[Article]:
        """The `limit` articles added to the archive last, last first."""
        ids = database.recent_ids(self.db, limit)
        found = database.get_articles(self.db, ids)
        return [found[i] for i in ids if i in found]

    def counts(self) -> dict:
        """{"articles": n, "files": n}, without `stats`' pass over every text (1.7 s at
        100,000 articles) — for the home page and the server's start."""
        return database.counts(self.db)

    def stats(self) -> dict:
        s = database.stats(self.db)
        s["home"] = str(self.home)
        s["index_bytes"] = sum(f.stat().st_size for f in self.index_path.glob("*") if f.is_file())
        s["copies"] = self.copies()
        return s

    def copies(self) -> list[dict]:
        """The copies of the index kept in the home, with their sizes: damaged indexes set
        aside by repairs (`prune` deletes them), and what a stopped rebuild left (the next
        write does)."""
        return [{"path": str(path), "bytes": size,
                 "what": Notice(folder.COPIES[kind], code=f"copy.{kind}")}
                for path, size, kind in folder.copies(self.index_path)]

    def _searcher(self) -> Searcher | None:
        """The searcher on the latest commit; None for an archive with nothing in it."""
        if not self._searchers.exists() and database.has_articles(self.db):
            raise IndexMissingError(
                f"The archive at {self.home} has no search index. "
                "Run `wenhai reindex` to build it from the stored articles."
            )
        return self._searchers.current()

    @_segmented
    def search(self, text: str, page: int = 1, per_page: int = 10, *, sort: str = "relevance",
               filters: Filters | None = None, reposts: str = "one",
               deadline: float | None = None, plain: bool = False) -> SearchResult:
        """Ranked, highlighted results for the user's query `text` (see `search.query`).

        `sort` is relevance, newest or oldest; `filters` narrow the matches. Facet
        counts cover every match, not only the page returned. With `reposts="one"`
        a repost group shows as its best match; `"all"` lists every copy. Past
        `deadline` (a `time.perf_counter()` value; default `SEARCH_SECONDS` from now)
        the answer is what was found by then, marked partial. `plain` reads the text
        with no syntax at all.

        A query whose syntax is wrong raises `QuerySyntaxError` carrying, in `plain`,
        the search of its text as plain text: the error is shown with results beside it.
        """
        check_page(page, per_page, sort, reposts)
        started = time.perf_counter()
        deadline = searching.deadline() if deadline is None else deadline
        try:
            parsed = query.parse(text, plain=plain)
        except QuerySyntaxError as e:
            with contextlib.suppress(QueryError):  # nothing to search for as text either
                e.plain = self.search(text, page, per_page, sort=sort, filters=filters,
                                      reposts=reposts, deadline=deadline, plain=True)
            raise
        return self._run(parsed, text, page, per_page, sort=sort, filters=filters,
                         reposts=reposts, deadline=deadline, plain=plain, started=started)

    def browse(self, page: int = 1, per_page: int = 10, *, sort: str = "newest",
               filters: Filters | None = None, reposts: str = "one",
               deadline: float | None = None) -> SearchResult:
        """Every article (narrowed by `filters`), newest first unless `sort` says otherwise,
        with the facets and timeline counts a search has: the archive without a query."""
        check_page(page, per_page, sort, reposts)
        started = time.perf_counter()
        deadline = searching.deadline() if deadline is None else deadline
        return self._run(query.everything(), "", page, per_page, sort=sort, filters=filters,
                         reposts=reposts, deadline=deadline, plain=False, started=started)

    def _run(self, parsed: query.ParsedQuery, text: str, page: int, per_page: int, *,
             sort: str, filters: Filters | None, reposts: str, deadline: float, plain: bool,
             started: float) -> SearchResult:
        filters = filters or Filters()
        searcher = self._searcher()
        if searcher is None:
            return SearchResult(text, 0, page, per_page, [], time.perf_counter() - started,
                                sort=sort, filters=filters,
                                facets={name: [] for name in (*FACETS, "month")},
                                unpaired=parsed.unpaired, plain=plain)
        unindexed = database.unindexed(self.db)  # changes without a new index generation
        key = (str(self.home), searcher.generation, self._dictionary.digest, text, plain, page,
               per_page, sort, filters, reposts)
        cached = searcher.generation is not None  # None: no snapshot to key answers by
        if cached and (found := cache.results.get(key)) is not None:
            return dataclasses.replace(found, seconds=time.perf_counter() - started,
                                       unindexed=unindexed)
        found = searcher.find(parsed, filters=filters, sort=sort, collapse=reposts == "one",
                              start=(page - 1) * per_page, stop=page * per_page,
                              seconds=deadline - time.perf_counter())
        shown, complete = hits(self.db, found.window, parsed.needles, deadline,
                               [parsed.shown(tier) for tier in found.tiers])
        result = SearchResult(text, found.total, page, per_page, shown,
                              time.perf_counter() - started, sort=sort, filters=filters,
                              facets=found.facets, partial=found.partial or not complete,
                              reasons=found.reasons,
                              unindexed=unindexed, unpaired=parsed.unpaired, plain=plain)
        if cached and not result.partial:  # a later, less busy moment may finish it
            cache.results.put(key, result, result.approximate_bytes())
        return result

    def timeline(self, text: str | None = None, *, filters: Filters | None = None,
                 by: str = "auto", reposts: str = "one",
                 deadline: float | None = None) -> Timeline:
        """How many articles match `text` (every article when None) per month or year
        (`timeline.timeline`), counted over every match like a search's facets."""
        if by not in BY:
            raise QueryError(f"Cannot count by «{by}»: choose one of {', '.join(BY)}.",
                             code="query.by", value=by, choices=", ".join(BY))
        found = (self.search(text, 1, 1, filters=filters, reposts=reposts, deadline=deadline)
                 if text else self.browse(1, 1, filters=filters, reposts=reposts,
                                          deadline=deadline))
        return dataclasses.replace(timeline(found.facets.get("month", []), by),
                                   partial=found.partial, reasons=tuple(found.reasons))

    def concordance(self, text: str, *, filters: Filters | None = None,
                    reposts: str = "one") -> Concordancer:
        """Every occurrence of the exact string `text` in the articles' texts
        (`concordance`), one copy of a repost group unless `reposts="all"`: pages of
        lines, sorted or not, and exports."""
        return Concordancer(self.db, self._searcher(), text, filters, reposts)

    def kwic(self, text: str, page: int = 1, per_page: int = 50, *, sort: str = "text",
             filters: Filters | None = None, reposts: str = "one") -> Concordance:
        """One page of the concordance of `text` (see `concordance.Concordancer.page`)."""
        return self.concordance(text, filters=filters, reposts=reposts).page(page, per_page,
                                                                             sort)

    def trends(self, terms: str | list[str], *, by: str = "auto", measure: str = "articles",
               filters: Filters | None = None) -> Trends:
        """Up to 6 terms (`雷军,小米汽车,SU7` or a list), each one's articles or
        occurrences per month or year on one axis (see `trends`)."""
        return trends(self._searcher(), split_terms(terms), by=by, measure=measure,
                      filters=filters)

    def suggest(self, prefix: str, limit: int = 8) -> list[tuple[int, str]]:
        """(id, title) of up to `limit` articles whose title contains `prefix`, best first.

        For suggestions as the user types: never raises on half-typed input.
        """
        searcher = self._searcher()
        if searcher is None:
            return []
        ids = searcher.suggest(prefix, limit)
        articles = database.get_articles(self.db, ids)
        return [(i, articles[i].title) for i in ids if i in articles]

    def suggestions(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Up to `limit` suggestions for what the user is typing, grouped by kind
        (`suggestions.KINDS`): authors, sources and tags whose name, full pinyin or
        initials begin with it (lj or leijun for 雷军), frequent words of the archive
        the same way, and titles that contain it or whose pinyin begins with it.

        Never raises on half-typed input; never rewrites it: each is a search to choose.
        """
        found = suggestions.candidates(self.db, typed, limit)
        typed_key = squeeze(typed)
        for rank, (article_id, title) in enumerate(self.suggest(typed, limit)):
            exact = squeeze(title) == typed_key
            found.append(suggestions.Candidate(
                Suggestion("title", title, 1, title, article_id), exact, (not exact, -1, rank)))
        return suggestions.choose(found, limit)

    @_segmented
    def similar(self, article_id: int, limit: int = 5) -> list[Hit]:
        """Articles sharing this one's most characteristic words (see `search.similar`).

        Neither the article itself nor its reposts are "similar articles"; another repost
        group shows once.
        """
        article = self.get(article_id)
        searcher = self._searcher()
        if searcher is None:
            return []
        found, words = searcher.similar(f"{article.title}\n{article.body}",
                                        [article_id, *article.reposts], limit)
        return hits(self.db, found.window, words)[0]

    @_segmented
    def matching_ids(self, text: str, limit: int | None = None, *,
                     filters: Filters | None = None, sort: str = "relevance",
                     reposts: str = "all") -> list[int]:
        """Ids of every article matching the query (every article when `text` is empty),
        in the order a search with these settings lists them (for export, downloads and
        benchmarks)."""
        check_page(1, 1, sort, reposts)
        parsed = query.parse(text) if text else query.everything()
        searcher = self._searcher()
        return [] if searcher is None else searcher.matching_ids(
            parsed, limit, filters=filters, sort=sort, collapse=reposts == "one")

    #: Articles read from SQLite at a time by `articles`.
    ARTICLES_BATCH = 200

    def articles(self, query: str | None = None, *, filters: Filters | None = None,
                 sort: str = "relevance", reposts: str = "all") -> Iterator[Article]:
        """The articles a query selects (every copy of a repost unless `reposts="one"`),
        in search order, or, with no query and no filters, all of them oldest first:
        read `ARTICLES_BATCH` at a time, never all held at once. One deleted while they
        are read is left out."""
        if not query and filters is None:
            ids = database.all_ids(self.db)
        else:
            ids = self.matching_ids(query or "", filters=filters, sort=sort, reposts=reposts)
        yield from self.read(ids)

    def read(self, ids: list[int]) -> Iterator[Article]:
        """The articles with these ids, in this order, `ARTICLES_BATCH` at a time."""
        for start in range(0, len(ids), self.ARTICLES_BATCH):
            batch = ids[start : start + self.ARTICLES_BATCH]
            found = database.get_articles(self.db, batch)
            yield from (found[i] for i in batch if i in found)

    @_segmented
    def needles(self, text: str) -> list[str]:
        """The normalized strings a query highlights (for marking a whole article)."""
        return query.parse(text).needles

    def check(self) -> CheckReport:
        """Compare the store with the search index: what is missing, extra, stale or not
        indexed yet; and list the copies of the index kept beside it."""
        report = check(self.db, self._searcher)
        report.copies = self.copies()
        if not report.index_problem and folder.exists(self.index_path):
            try:
                report.dictionary_problem = dictionary.mismatch(self.home, self.index_path)
            except DictionaryError as e:
                report.dictionary_problem = str(e)
        return report

    # -- the user dictionary ----------------------------------------------------

    def user_dictionary(self) -> list[Entry]:
        """The entries of the archive's user dictionary (`dictionary.txt` in its home) as
        written there: (word, frequency or None, part of speech or None)."""
        return dictionary.read(self.home / dictionary.FILE)

    def change_dictionary(self, add: Iterable[Entry] = (), remove: Iterable[str] = (),
                          progress: IterWrapper = no_progress) -> DictionaryChange:
        """Add the entries `add` to the user dictionary (in place of a word's entry) and
        remove the words `remove`, then segment again the articles that contain a word
        whose entry changed (`apply_dictionary`). Raises `DictionaryError` for a word that
        is no word, or one to remove that the dictionary does not have."""
        self._held()
        self.backend.refuse("The user dictionary (wenhai dict add, dict remove)")
        add = list(add)
        for word, _, _ in add:
            if (wrong := userwords.problem(word)) is not None:
                raise DictionaryError(
                    f"Cannot add {wrong.message}. Give one word, as it is written.",
                    code="dictionary.cannot_add", problem=dictionary.said(wrong))
        path = self.home / dictionary.FILE
        entries = self.user_dictionary()
        gone = {normalize(w) for w in remove}
        if missing := gone - {normalize(w) for w, _, _ in entries}:
            raise DictionaryError(
                f"{'、'.join(sorted(missing))}: not in the dictionary {path}. "
                "`wenhai dict list` shows its words."
            )
        replaced = gone | {normalize(w) for w, _, _ in add}
        kept = [e for e in entries if normalize(e[0]) not in replaced]
        with failed_writes(self.home):
            dictionary.write(path, kept + add)
        return self.apply_dictionary(progress)

    def apply_dictionary(self, progress: IterWrapper = no_progress) -> DictionaryChange:
        """Bring the index to the user dictionary: the articles containing a word added,
        removed or changed since the index's (found through the n-gram fields, as an
        exact search finds text) are segmented and indexed again, and only they; the
        index then records the dictionary, in its folder, for searches to segment with."""
        held = self._held()
        self.backend.refuse("The user dictionary (wenhai dict add, dict remove)")
        held.commit()
        words = dictionary.users(self.home)
        changed = userwords.changed(dictionary.applied(self.index_path), words)
        searcher = self._searcher() if changed else None
        ids = searcher.containing(changed, _WORD_TEXT) if searcher is not None else []
        held.index.sync(progress, words=words, again=ids)
        return DictionaryChange(changed, ids)

    def word_candidates(self, limit: int = 50, sample: int = newwords.SAMPLE_CHARS,
                        progress: IterWrapper = no_progress) -> list[WordCandidate]:
        """Strings the archive repeats that jieba (with the user's words) splits, most
        word-like first (`newwords`): read from up to `sample` characters of text, taken
        evenly from every part of the archive."""
        ids = database.all_ids(self.db)
        step = max(1, math.ceil(database.text_chars(self.db) / max(1, sample)))
        chosen = ids[::step]
        texts = (f"{a.title}\n{a.body}" for a in self.read(chosen))
        with segmenter.using(dictionary.users(self.home)):
            found = newwords.candidates(progress(texts, len(chosen), "reading"), limit)
        return [WordCandidate(c.text, c.count, c.score, c.pieces) for c in found]

    def close_index(self) -> None:
        self._searchers.close()

    # -- writing ----------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, *, rebuilding: bool = False, jobs: int | None = None) -> Iterator[Archive]:
        """Hold the write lock; raises `ArchiveBusyError` if another process holds it.

        Unless `rebuilding`, an index built by another version is refused
        (`IndexVersionError`) before anything is written. `jobs` is how many processes
        analyse text for the index (default: one per core).
        """
        with hold(self.home, self.backend, rebuilding=rebuilding, jobs=jobs) as held:
            self.notices += held.notices
            self._writing = held
            try:
                yield self
            finally:
                self._writing = None

    def _held(self) -> Writing:
        if self._writing is None:
            raise RuntimeError("write outside Archive.writing()")
        return self._writing

    @property
    def jobs(self) -> int:
        """How many processes the writer holding this archive uses (`writing(jobs=…)`)."""
        return self._held().index.jobs

    def file_state(self, path: str):
        """(size, mtime_ns, file_hash) recorded for `path`, or None if never seen."""
        return database.file_state(self.db, path)

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        self._held()
        database.touch_file(self.db, path, size, mtime_ns)

    #: Modules `prepare` needs besides the store's own: a pool of processes preparing
    #: articles imports them once in its fork server (pypinyin's dictionaries are ~55 MB,
    #: then shared by every worker).
    PREPARE_MODULES = ("pypinyin",)

    @staticmethod
    def prepare(article: Article) -> Article:
        """Compute what storing `article` needs from its text alone (content hash, repost
        sketch, how its title and names are typed), so that it can be done ahead in
        another process. Call it last: the values are not checked against the text
        again."""
        article.content_hash = database.content_hash(article)
        article.repost_sketch = reposts.sketch(article.body)
        article.spellings = suggestions.spellings(article.title, article.author,
                                                  article.source, article.extra)
        return article

    def store_file(
        self, path: str, size: int, mtime_ns: int, file_hash: str, articles: list[Article]
    ) -> str:
        """Store the articles read from one file; returns added/updated/duplicate/unchanged."""
        return self._held().store_file(path, size, mtime_ns, file_hash, articles)

    def files_under(self, paths: list[str]) -> list[str]:
        """The recorded files (as `store_file` was given them) that are `paths` or lie
        under them: in a folder, or members of a zip."""
        return database.files_under(self.db, paths)

    def articles_of_files(self, paths: list[str]) -> dict[int, bool]:
        """The ids of the articles from the files `paths`, each with whether it came
        only from them (forgetting the files deletes it; else it keeps its other files)."""
        return database.articles_of_files(self.db, paths)

    def listing(self, ids: list[int]) -> dict[int, tuple[str, str | None]]:
        """{id: (title, first file)} of those of `ids` that exist, without their texts."""
        return database.listing(self.db, ids)

    def same_file_elsewhere(self, path: str) -> list[str]:
        """Other recorded files with the same bytes as the file `path`: where a file
        seen at a new path was recorded before it moved."""
        return database.same_file_elsewhere(self.db, path)

    def forget_files(self, paths: list[str]) -> list[int]:
        """Forget the files `paths` in the write session; articles that came only from
        them are deleted (returned). The index follows at the next `sync_index`."""
        return self._held().remove(paths=paths)

    def remove(self, ids: list[int] = (), paths: list[str] = (),
               progress: IterWrapper = no_progress) -> list[int]:
        """Delete the articles `ids` and those that came only from the files `paths`
        (an article also stored from another file keeps that one), from the store and
        then the index, before returning the ids deleted. A reader sees them gone from
        the store's commit on; a search never shows a deleted article."""
        held = self._held()
        deleted = held.remove(ids=ids, paths=paths)
        self.sync_index(progress)
        return deleted

    def tag(self, article_id: int, add: list[str] = (),
            drop: list[str] = ()) -> tuple[list[str], list[str]]:
        """Give the article the tags `add` and take `drop` away, in the store and then
        the index, before returning (the tags added, the tags dropped; one it had, or
        had not, already is no change). A tag its file names cannot be dropped here:
        `TagError`, as for a tag that is no tag (empty, holding a separator)."""
        held = self._held()
        article = self.get(article_id)  # ArticleNotFound, with the advice
        for tag in [*add, *drop]:
            if why := tagging.problem(tag):
                raise TagError(f"Cannot tag article {article_id}: {why}.")
        theirs = tagging.file_tags(article.extra)
        for tag in drop:
            if tag.strip() in theirs:
                raise TagError(
                    f"«{tag.strip()}» is a tag of article {article_id}'s file "
                    f"({article.path or 'its file'}), not one given with `wenhai tag`: "
                    "edit the file to drop it, and the next ingest follows.")
        changed = held.change_tags(article_id, [t.strip() for t in add if t.strip() not in theirs],
                                   [t.strip() for t in drop])
        self.sync_index()
        return changed

    def pending_count(self) -> int:
        return self._held().index.pending()

    def sync_index(self, progress: IterWrapper = no_progress) -> int:
        """Index every pending article and drop deleted ones; returns how many changed."""
        held = self._held()
        held.commit()  # the indexing workers read what is committed
        return held.index.sync(progress)

    def reindex(self, progress: IterWrapper = no_progress) -> int:
        """Rebuild the search index from the store into a new folder, then swap it in.

        The old index keeps answering searches until the swap.
        """
        held = self._held()
        held.commit()
        return held.index.reindex(progress, before_swap=self.close_index)

    def prune(self) -> list[tuple[Path, int]]:
        """Delete the damaged indexes that repairs kept aside; returns (folder, bytes) of
        each. (What a stopped rebuild left, `writing()` has removed already.)"""
        return self._held().index.drop_damaged_copies()

    def repair(self, progress: IterWrapper = no_progress) -> CheckReport:
        """Fix what `check` finds, from the store; returns the report it acted on."""
        held = self._held()
        held.commit()
        report = self.check()
        if report.dictionary_problem and not report.index_problem:
            self.apply_dictionary(progress)
        if notice := held.index.repair(report, progress, before_swap=self.close_index):
            self.notices.append(notice)
        return report
