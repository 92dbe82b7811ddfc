"""The query bench's queries, drawn from the corpus text with a fixed seed, and their truth.

A query is sent as a reader types it; what it must find is the same for every engine:
its *parts* — the whitespace-separated pieces of the text, quotes dropped, normalized as
wenhai normalizes (NFKC, traditional→simplified, case folded; `store.normalize`). The
truth for a query is every article whose normalized title + body contains every part (a
brute-force scan), and, for the `filter` class, whose source is the one asked for. Per
class:

* `1 char`, `2 chars`, `3-6 chars`: runs of CJK characters cut anywhere in a sentence;
  one part, contained as is.
* `words`: two or three jieba words of one sentence, space-separated; each contained,
  anywhere, in any order.
* `phrase`: two or three consecutive jieba words of a sentence in double quotes; the
  string contained as is.
* `traditional`: a 2-6 character cut rewritten in traditional characters (OpenCC s2t);
  contained once normalized (only cuts that normalize back to themselves are drawn).
* `title`: an article's title as typed (titles with quotes or query syntax left out);
  every space-separated part contained. The titled article should also come first.
* `filter`: a jieba word with `source=` the source of the article it came from; the word
  contained and the source equal.
* `newest`: a jieba word with `sort=newest`; the word contained (the order is the
  engine's business, the set is not).
* `page 5`: a jieba word found in at least 50 articles, asking for page 5.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from store import normalize

CLASSES = ("1 char", "2 chars", "3-6 chars", "words", "phrase", "traditional", "title",
           "filter", "newest", "page 5")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{6,}")
SENTENCE = re.compile(r"[^。！？；!?;\n]{8,}")
WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
#: Titles a query parser would read as syntax: quotes, fields, exclusions, OR.
SYNTAX = re.compile(r"[\"“”]|(?:title|author|source|date):|(?:^|\s)-|\sOR\s", re.IGNORECASE)
#: A page-5 query needs more matches than four pages of ten show.
PAGE_5_MATCHES = 50


@dataclass(frozen=True)
class Query:
    cls: str
    q: str
    source: str | None = None
    sort: str | None = None
    page: int = 1

    def params(self, limit: int) -> dict[str, str]:
        """The arguments of `GET /api/search` for this query."""
        p = {"q": self.q, "limit": str(limit)}
        if self.source:
            p["source"] = self.source
        if self.sort:
            p["sort"] = self.sort
        if self.page != 1:
            p["page"] = str(self.page)
        return p

    @property
    def request(self) -> tuple:
        """What makes two queries the same request, whatever their class."""
        return self.q, self.source, self.sort, self.page


def parts(q: str) -> list[str]:
    """What a query must find: its whitespace-separated parts, quotes dropped, normalized."""
    return [normalize(p) for p in re.sub(r"[\"“”]", " ", q).split()]


@dataclass
class Texts:
    """The articles as the truth sees them: normalized title + body, and their sources."""

    ids: list[int]
    titles: list[str]
    bodies: list[str]
    sources: list[str]

    def __post_init__(self) -> None:
        self.normalized = [normalize(f"{t}\n{b}") for t, b in zip(self.titles, self.bodies,
                                                                  strict=True)]
        self._truth: dict[tuple, frozenset[int]] = {}

    def truth(self, query: Query) -> frozenset[int]:
        """Ids of every article that contains all of the query's parts (and is from its
        source, if it asks for one): a scan of every text, remembered per query."""
        key = (tuple(parts(query.q)), query.source)
        if key not in self._truth:
            wanted = key[0]
            self._truth[key] = frozenset(
                i for i, text, source in zip(self.ids, self.normalized, self.sources,
                                             strict=True)
                if (query.source is None or source == query.source)
                and all(p in text for p in wanted))
        return self._truth[key]


class Drawer:
    """Draws queries of each class from `texts` with one seeded generator."""

    def __init__(self, texts: Texts, seed: int):
        import jieba
        import opencc

        jieba.setLogLevel(logging.WARNING)  # not its dictionary's loading on stderr
        self.texts, self.rng = texts, random.Random(seed)
        self.s2t = opencc.OpenCC("s2t.json").convert
        self.cut_words = jieba.lcut

    def _article(self) -> int:
        return self.rng.randrange(len(self.texts.ids))

    def _match(self, pattern: re.Pattern) -> tuple[int, str]:
        """An article and a match of `pattern` in its body, in the sentence around a
        random place or after it."""
        while True:
            k = self._article()
            body = self.texts.bodies[k]
            at = self.rng.randrange(len(body) or 1)
            at = 1 + max(body.rfind(c, 0, at) for c in "。！？；!?;\n")
            if m := pattern.search(body, at):
                return k, m.group()

    def cut(self, low: int, high: int) -> str:
        """A run of `low`-`high` CJK characters cut anywhere in a sentence."""
        _, run = self._match(CJK_RUN)
        length = self.rng.randint(low, high)
        start = self.rng.randrange(len(run) - length + 1)
        return run[start:start + length]

    def sentence_words(self) -> tuple[int, list[str]]:
        """An article and the CJK jieba words (2+ characters) of one of its sentences."""
        k, sentence = self._match(SENTENCE)
        return k, [w for w in self.cut_words(sentence) if WORD.match(w)]

    def word(self) -> tuple[int, str]:
        while True:
            k, found = self.sentence_words()
            if found:
                return k, self.rng.choice(found)

    def one(self, cls: str) -> Query | None:
        """A query of class `cls`, or None when this draw did not give one."""
        rng = self.rng
        if cls in ("1 char", "2 chars", "3-6 chars"):
            low, high = {"1 char": (1, 1), "2 chars": (2, 2), "3-6 chars": (3, 6)}[cls]
            return Query(cls, self.cut(low, high))
        if cls == "words":
            _, found = self.sentence_words()
            unique = list(dict.fromkeys(found))
            if len(unique) < 2:
                return None
            picked = sorted(rng.sample(range(len(unique)), min(len(unique), rng.randint(2, 3))))
            return Query(cls, " ".join(unique[i] for i in picked))
        if cls == "phrase":
            k, sentence = self._match(SENTENCE)
            words = self.cut_words(sentence)
            n = rng.randint(2, 3)
            if len(words) < n:
                return None
            start = rng.randrange(len(words) - n + 1)
            phrase = "".join(words[start:start + n])
            return Query(cls, f'"{phrase}"') if WORD.match(phrase) else None
        if cls == "traditional":
            simplified = self.cut(2, 6)
            traditional = self.s2t(simplified)
            ok = traditional != simplified and normalize(traditional) == normalize(simplified)
            return Query(cls, traditional) if ok else None
        if cls == "title":
            title = self.texts.titles[self._article()].strip()
            return Query(cls, title) if 4 <= len(title) <= 40 and not SYNTAX.search(title) else None
        if cls == "filter":
            k, w = self.word()
            return Query(cls, w, source=self.texts.sources[k] or None)
        if cls == "newest":
            return Query(cls, self.word()[1], sort="newest")
        if cls == "page 5":
            q = Query(cls, self.word()[1], page=5)
            return q if len(self.texts.truth(q)) >= PAGE_5_MATCHES else None
        raise ValueError(f"unknown query class {cls!r}")


def draw(texts: Texts, per_class: int, seed: int,
         progress: Callable[[str], None] = lambda _: None) -> list[Query]:
    """`per_class` distinct queries of every class (no two the same request), in a seeded
    random order, so that no class is measured all at once."""
    drawer = Drawer(texts, seed)
    seen: set[tuple] = set()
    queries: list[Query] = []
    for cls in CLASSES:
        progress(f"drawing {cls} queries")
        drawn, tries = 0, 0
        while drawn < per_class:
            tries += 1
            if tries > per_class * 200:
                raise SystemExit(f"only {drawn} distinct {cls!r} queries in {tries} draws: "
                                 "the corpus is too small for --per-class "
                                 f"{per_class}; give a smaller one")
            query = drawer.one(cls)
            if query is None or query.request in seen or not texts.truth(query):
                continue
            seen.add(query.request)
            queries.append(query)
            drawn += 1
    drawer.rng.shuffle(queries)
    return queries
