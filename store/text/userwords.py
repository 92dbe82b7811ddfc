"""A user dictionary in jieba's format: one word a line, `词 [词频] [词性]`.

The format of jieba's `load_userdict` (the same pattern reads a line), so that the
file an archive keeps can be given to jieba itself. A word is added to jieba as
`normalize` folds it (YU7 → yu7, 小米汽車 → 小米汽车): jieba only ever sees normalized
text. Without a frequency jieba-rs chooses one that keeps the word whole
(`suggest_freq`).
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

from .normalize import normalize

#: (word as written, frequency or None, part of speech or None)
Entry = tuple[str, "int | None", "str | None"]

#: jieba's `re_userdict`.
_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff]")


class Problem(NamedTuple):
    """What makes a word no word jieba could give: a stable `code`, the English text
    (the store says it in the reader's language from the code), and the word."""

    code: str
    message: str
    word: str


class BadLine(ValueError):
    """A line that is no entry: `line` (1-based) says which, `problem` what is wrong."""

    def __init__(self, line: int, problem: Problem):
        super().__init__(problem.message)
        self.line, self.problem = line, problem


def problem(word: str) -> Problem | None:
    """What makes `word` no word jieba could give, or None."""
    if not word or word != word.strip() or any(c.isspace() for c in word):
        return Problem("word.space", f"{word!r} has a space in it: jieba's words never do",
                       word)
    if not _WORDLIKE.search(word):
        return Problem("word.no_letter", f"{word!r} has no letter, digit or Chinese character",
                       word)
    return None


def parse(text: str) -> list[Entry]:
    """The entries of a dictionary file's text, in order; raises `BadLine`."""
    out: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        word, freq, tag = _LINE.match(line).groups()
        if (wrong := problem(word)) is not None:
            raise BadLine(number, wrong)
        out.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return out


def format_entries(entries: list[Entry]) -> str:
    """The file's text for `entries` (what `parse` reads back)."""
    return "".join(
        " ".join(str(part) for part in entry if part is not None) + "\n" for entry in entries
    )


def for_jieba(entries: list[Entry]) -> tuple[Entry, ...]:
    """The entries as the segmenter adds them: words normalized, the last of a word kept."""
    found: dict[str, Entry] = {}
    for word, freq, tag in entries:
        key = normalize(word)
        found.pop(key, None)
        found[key] = (key, freq, tag)
    return tuple(found.values())


def changed(old: tuple[Entry, ...], new: tuple[Entry, ...]) -> list[str]:
    """The (normalized) words added, removed or given another frequency or tag between
    two dictionaries as `for_jieba` gives them: the text where they stand segments anew."""
    before, after = {e[0]: e for e in old}, {e[0]: e for e in new}
    return sorted(w for w in before.keys() | after.keys() if before.get(w) != after.get(w))


def digest(entries: tuple[Entry, ...]) -> str:
    """A short fingerprint of a dictionary as `for_jieba` gives it."""
    return hashlib.sha256(format_entries(list(entries)).encode("utf-8")).hexdigest()[:16]
