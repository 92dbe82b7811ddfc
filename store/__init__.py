"""wenhai's archive: SQLite for the articles, Whoosh for search. No CLI, no web here."""

from .archive import MAX_PAGE, MAX_PER_PAGE, REPOST_MODES, Archive, default_home
from .errors import (
    ArchiveBusyError,
    ArchiveError,
    ArticleNotFound,
    IndexDamagedError,
    IndexMissingError,
    IndexVersionError,
    QueryError,
    StorageError,
)
from .filters import FACETS, SORTS, Filters
from .models import Article, CheckReport, Hit, SearchResult
from .normalize import is_cjk, normalize
from .query import SYNTAX_HELP
from .snippets import mark as highlight

__all__ = [
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "REPOST_MODES",
    "Archive",
    "ArchiveBusyError",
    "ArchiveError",
    "Article",
    "FACETS",
    "Filters",
    "ArticleNotFound",
    "CheckReport",
    "IndexDamagedError",
    "Hit",
    "IndexMissingError",
    "IndexVersionError",
    "QueryError",
    "SORTS",
    "SYNTAX_HELP",
    "SearchResult",
    "StorageError",
    "default_home",
    "highlight",
    "is_cjk",
    "normalize",
]
