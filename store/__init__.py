"""wenhai's archive: SQLite for the articles, Whoosh for search. No CLI, no web here."""

from .archive import Archive, default_home
from .errors import (
    ArchiveBusyError,
    ArchiveError,
    ArticleNotFound,
    IndexMissingError,
    IndexVersionError,
    QueryError,
)
from .models import Article, Hit, SearchResult
from .query import SYNTAX_HELP

__all__ = [
    "Archive",
    "ArchiveBusyError",
    "ArchiveError",
    "Article",
    "ArticleNotFound",
    "Hit",
    "IndexMissingError",
    "IndexVersionError",
    "QueryError",
    "SYNTAX_HELP",
    "SearchResult",
    "default_home",
]
