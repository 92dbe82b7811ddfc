"""What a tag is: the tags an article's file names, and the tags a person gives it.

A file names its tags as one value (`tags: 新能源, 小米` in front matter, a JSON list
joined, `标签：…`), kept among the article's `extra` values; people add and drop theirs
one at a time (`wenhai tag`). Both are split and checked by the same rule here, below
the index (which searches them with `tag:` and counts them as a facet) and the
suggestions (which offer them), so that a tag is the same string everywhere.
"""

from __future__ import annotations

import re

#: The keys of an article's `extra` values that hold its file's tags (`indexer` puts them).
TAG_KEYS = ("tags",)
#: What separates tags in a list of them: Chinese and Latin commas, slashes, bars, #, spaces.
SEPARATORS = re.compile(r"[、，,；;／/|#\s]+")
#: A longer value is not a tag (a sentence read as a list of them).
MAX_TAG = 40


def file_tags(extra: dict | None) -> list[str]:
    """The tags the values `extra` of an article's file name, in their order, once each."""
    found: list[str] = []
    for key in TAG_KEYS:
        found += SEPARATORS.split(str((extra or {}).get(key) or ""))
    return list(dict.fromkeys(t.strip() for t in found if t.strip() and len(t) <= MAX_TAG))


def merged(extra: dict | None, added: list[str]) -> list[str]:
    """Every tag of an article: its file's, then those people gave it, once each."""
    return list(dict.fromkeys([*file_tags(extra), *added]))


def problem(tag: str) -> str | None:
    """Why `tag` cannot be a tag as typed, with what to do; None if it can."""
    if not tag.strip():
        return "a tag cannot be empty"
    if SEPARATORS.search(tag.strip()):
        return (f"«{tag}» holds a space, comma, slash or #, which separate tags: give each "
                "tag as an argument of its own")
    if len(tag.strip()) > MAX_TAG:
        return f"«{tag[:20]}…» is longer than {MAX_TAG} characters: shorten it"
    return None
