"""wenhai's archive: SQLite for the articles, Whoosh for search. No CLI, no web here."""

from .archive import MAX_PAGE, MAX_PER_PAGE, Archive, default_home
from .errors import (
    ArchiveBusyError,
    ArchiveError,
    ArticleNotFound,
    IndexMissingError,
    IndexVersionError,
    QueryError,
)
from .filters import FACETS, SORTS, Filters
from .models import Article, Hit, SearchResult
from .normalize import is_cjk, normalize
from .query import SYNTAX_HELP
from .snippets import mark as highlight

__all__ = [
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "Archive",
    "ArchiveBusyError",
    "ArchiveError",
    "Article",
    "FACETS",
    "Filters",
    "ArticleNotFound",
    "Hit",
    "IndexMissingError",
    "IndexVersionError",
    "QueryError",
    "SORTS",
    "SYNTAX_HELP",
    "SearchResult",
    "default_home",
    "highlight",
    "is_cjk",
    "normalize",
]
