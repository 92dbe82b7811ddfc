"""Metadata found in the text itself: titles and section headings.

Bylines and datelines live in `bylines`, dates in `dates`; `parse_date` is re-exported
here because callers know it as `metadata.parse_date`.
"""

from __future__ import annotations

import re

from .dates import parse_date

__all__ = ["HEADING_MAX", "TITLE_MAX", "is_heading", "is_title_like", "parse_date"]

_SENTENCE_END = "。！？；!?;，,：:…"
TITLE_MAX = 60
HEADING_MAX = 30


def is_title_like(line: str) -> bool:
    """Short, one sentence at most, not ending like a sentence in running text (？！ may)."""
    s = line.strip()
    return 0 < len(s) <= TITLE_MAX and s[-1] not in "。；;，,：:…" and "。" not in s


def is_heading(paragraph: str, following: str | None) -> bool:
    """A short line with no closing punctuation, followed by a longer paragraph."""
    s = paragraph.strip()
    if not s or len(s) > HEADING_MAX or s[-1] in _SENTENCE_END or following is None:
        return False
    if re.search(r"[。！？；!?;]", s):
        return False
    return len(following.strip()) > len(s)
