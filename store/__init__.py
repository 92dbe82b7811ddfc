"""wenhai's archive: SQLite for the articles, Whoosh for search. No CLI, no web here.

The layers, each importing only those below it (`tests/test_layers.py`):

* `store.text` — Chinese text: normalization, jieba's words, analyzers, snippets;
* `store.engine` — the on-disk index: schema, codec, columnar postings, writing, merging;
* `store.search` — the query language, evaluation, ranking, facets, the `Searcher`;
* the archive itself, here: `Archive` over `database` (SQLite), `sync`, `writing`, …

`errors` is below them all. This module is the store's public face: `web` and
`indexer` import from here.
"""

import sys as _sys

from . import export
from .archive import Archive, default_home
from .concordance import KWIC_SORTS, Concordance, Line, concordable
from .concordance import SORT_LIMIT as KWIC_SORT_LIMIT
from .engine import codec as _codec
from .engine.workers import limit_malloc_arenas, process_pool
from .errors import (
    ArchiveBusyError,
    ArchiveError,
    ArticleNotFound,
    DictionaryError,
    IndexDamagedError,
    IndexMissingError,
    IndexVersionError,
    QueryError,
    QuerySyntaxError,
    SettingError,
    StorageError,
    TagError,
)
from .models import Article, CheckReport, Hit, SearchResult
from .search.filters import FACETS, MAX_PAGE, MAX_PER_PAGE, REPOST_MODES, SORTS, Filters
from .search.query import SYNTAX_HELP
from .search.searcher import SEARCH_SECONDS
from .search.searcher import deadline as search_deadline
from .text import analysis as _analysis
from .text.normalize import is_cjk, normalize
from .text.segmenter import is_word
from .text.snippets import mark as highlight
from .timeline import BY as TIMELINE_BY
from .timeline import Timeline
from .trends import MEASURES as TREND_MEASURES
from .trends import Trends

# Whoosh pickles each segment's codec, and each field's analyzer, by import path into
# the index's table of contents. Indexes written before the engine and text layers
# moved into subpackages name them `store.codec.Codec` and `store.analysis.*`; these
# aliases keep those indexes opening without a reindex (tests/test_layers.py opens one).
_sys.modules.setdefault(f"{__name__}.codec", _codec)
_sys.modules.setdefault(f"{__name__}.analysis", _analysis)

__all__ = [
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "REPOST_MODES",
    "Archive",
    "Concordance",
    "concordable",
    "KWIC_SORTS",
    "KWIC_SORT_LIMIT",
    "Line",
    "ArchiveBusyError",
    "ArchiveError",
    "Article",
    "FACETS",
    "Filters",
    "ArticleNotFound",
    "CheckReport",
    "DictionaryError",
    "IndexDamagedError",
    "Hit",
    "IndexMissingError",
    "IndexVersionError",
    "QueryError",
    "SEARCH_SECONDS",
    "QuerySyntaxError",
    "SORTS",
    "SYNTAX_HELP",
    "SettingError",
    "TIMELINE_BY",
    "Timeline",
    "TREND_MEASURES",
    "Trends",
    "SearchResult",
    "StorageError",
    "TagError",
    "default_home",
    "export",
    "highlight",
    "is_cjk",
    "is_word",
    "limit_malloc_arenas",
    "normalize",
    "process_pool",
    "search_deadline",
]
