"""The archive's user dictionary: the file the user keeps, and the copy the index was built with.

`dictionary.txt` in the archive's home is the user's (`wenhai dict add`, or any editor),
in jieba's format (`text.userwords`). The index records the dictionary its words were
segmented with as a copy in its folder (`wenhai-dictionary.txt`), written by the writer
after the commit that re-segmented the articles a change touches. Searches segment a
query with that copy, never with the user's file: a query's words are always cut as
the index's were, and a server follows a change when the writer has committed it.
`wenhai check` compares the two and `check --repair` applies the user's file.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DictionaryError, Notice
from .text import userwords
from .text.userwords import Entry

FILE = "dictionary.txt"
APPLIED = "wenhai-dictionary.txt"


def read(path: Path) -> list[Entry]:
    """The entries of the dictionary file at `path` (none if there is no file)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as e:
        raise DictionaryError(
            f"The dictionary {path} is not UTF-8 (byte {e.start}): save it as UTF-8, one "
            "word a line (词 [词频] [词性]).", code="dictionary.not_utf8", path=str(path),
            byte=e.start) from e
    except OSError as e:
        raise DictionaryError(f"Cannot read the dictionary {path}: {e.strerror or e}.",
                              code="dictionary.unreadable", path=str(path),
                              error=e.strerror or str(e)) from e
    try:
        return userwords.parse(text)
    except userwords.BadLine as e:
        raise DictionaryError(
            f"{path}, line {e.line}: {e}. Fix or delete that line (one word a line: "
            "词 [词频] [词性]).", code="dictionary.bad_line", path=str(path), line=e.line,
            problem=said(e.problem)) from e


def said(problem: userwords.Problem) -> Notice:
    """A word's problem as a notice, for an error to say in the reader's language."""
    return Notice(problem.message, code=problem.code, word=repr(problem.word))


def write(path: Path, entries: list[Entry]) -> None:
    """Replace the file at `path` by `entries`, whole or not at all (a rename)."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(userwords.format_entries(entries), encoding="utf-8")
    os.replace(partial, path)


def users(home: Path) -> tuple[Entry, ...]:
    """The user's dictionary of the archive in `home`, as the segmenter takes it."""
    return userwords.for_jieba(read(home / FILE))


def applied(index_path: Path) -> tuple[Entry, ...]:
    """The dictionary the index at `index_path` was segmented with (none recorded: none)."""
    return userwords.for_jieba(read(index_path / APPLIED))


def record(index_path: Path, entries: tuple[Entry, ...]) -> None:
    """Record `entries` as the dictionary the index at `index_path` is segmented with."""
    if entries or (index_path / APPLIED).exists():
        write(index_path / APPLIED, list(entries))


def mismatch(home: Path, index_path: Path) -> str | None:
    """What differs between the user's dictionary and the index's, or None."""
    words = userwords.changed(applied(index_path), users(home))
    if not words:
        return None
    shown = "、".join(words[:5]) + ("…" if len(words) > 5 else "")
    return Notice(
        f"the index was segmented with another dictionary than {home / FILE} "
        f"({len(words)} word{'s' if len(words) != 1 else ''} differ: {shown}); run "
        "`wenhai check --repair` to segment the articles that contain them again",
        code="dictionary.mismatch", path=str(home / FILE), count=len(words), words=shown)


class Applied:
    """The index's dictionary, read again only when its file changes (a server asks
    for it at every search)."""

    def __init__(self, index_path: Path):
        self.path = index_path / APPLIED
        self._seen: tuple | None = None
        self._entries: tuple[Entry, ...] = ()
        #: `userwords.digest` of `current()` as last read: a part of cache keys.
        self.digest = userwords.digest(())

    def current(self) -> tuple[Entry, ...]:
        try:
            found = os.stat(self.path)
            state = (found.st_ino, found.st_mtime_ns, found.st_size)
        except OSError:
            state = None
        if state != self._seen:
            self._entries = () if state is None else applied(self.path.parent)
            self.digest = userwords.digest(self._entries)
            self._seen = state
        return self._entries
