"""What `wenhai remove` and `wenhai ingest --prune` would delete, worked out before asking.

The archive records a file by its real path (`files.key_name`); a zip's members as
``archive.zip!inner/path``. Here the paths people type become those keys, and recorded
files are told apart from ones gone from the disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from store import Archive

from .errors import IngestError
from .files import key_name
from .language import Reason


def file_key(path: Path | str) -> str:
    """The archive's key for `path`, whether or not it still exists."""
    return key_name(os.path.realpath(path))


def exists(key: str) -> bool:
    """Whether the recorded file `key` is still on disk: the file itself, or the zip it
    was read from (a member is not looked for inside it)."""
    if os.path.lexists(key):
        return True
    cut = key.rfind("!")
    while cut > 0:
        if os.path.isfile(key[:cut]):
            return True
        cut = key.rfind("!", 0, cut)
    return False


@dataclass
class Listed:
    """An article as a removal lists it."""

    id: int
    title: str
    path: str | None


@dataclass
class Plan:
    """What a removal deletes: the articles, and the files it forgets."""

    ids: list[int] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    #: Deleted: named by id, or stored from none but the files forgotten.
    deleted: list[Listed] = field(default_factory=list)
    #: Losing the files forgotten but kept, as they were stored from another file too.
    kept: list[Listed] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.deleted or self.paths)


def plan(archive: Archive, ids: list[int], paths: list[str]) -> Plan:
    """The removal of the articles `ids` (`ArticleNotFound` for one that is not stored)
    and the recorded files `paths` (keys)."""
    found = Plan(ids=list(ids), paths=list(paths))
    named = archive.listing(ids)
    for article_id in ids:
        if article_id not in named:
            archive.get(article_id)  # raises, with the advice
        found.deleted.append(Listed(article_id, *named[article_id]))
    linked = archive.articles_of_files(paths)
    listed = archive.listing(sorted(set(linked) - set(named)))
    for article_id, (title, path) in listed.items():
        (found.deleted if linked[article_id] else found.kept).append(
            Listed(article_id, title, path))
    return found


def recorded(archive: Archive, targets: list[Path]) -> list[str]:
    """The recorded files at or under each of `targets`; `IngestError` for a target under
    which the archive has no file."""
    keys: dict[str, None] = {}
    for target in targets:
        under = archive.files_under([file_key(target)])
        if not under:
            raise IngestError(str(target), Reason(
                "no file of the archive is there: give the path a file was ingested from, or "
                "an article's id (`wenhai show ID` lists its files)"))
        keys.update(dict.fromkeys(under))
    return list(keys)


def gone(archive: Archive, targets: list[Path]) -> list[str]:
    """The recorded files under `targets` that are no longer on disk."""
    return [key for key in archive.files_under([file_key(t) for t in targets])
            if not exists(key)]
