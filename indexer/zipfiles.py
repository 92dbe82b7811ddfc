"""The supported files inside a `.zip`, read with limits.

People keep exported articles zipped. Each member is labelled
`/abs/archive.zip!inner/dir/file.txt`, so errors and the archive name the file a
user can find. A zip is untrusted input: its member count and total unpacked size
are capped before anything is read, and every member is read with a byte limit, so
a zip bomb costs at most the limits, not the machine's memory.

A zip inside a zip (an export of exports) is read too, `NESTED` deep, and within the
same limits: its members count against the outer zip's count and bytes (`Budget`),
so nesting cannot multiply them. A member whose path leaves the zip (`../x.txt`,
`/etc/x.txt`: how a zip-slip attack writes outside the folder it is unpacked in) is
left out and named; wenhai never unpacks to disk, but such a zip was not made for
reading.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import IngestError
from .files import open_regular, shown
from .language import Reason

MAX_MEMBERS = 10_000
#: A zip may unpack to this many times the per-file limit (1 GB with the default 50 MB).
TOTAL_FACTOR = 20
#: Zips inside zips are read this many levels deep (a zip in a zip is 1).
NESTED = 2
_UTF8_NAMES = 0x800  # the zip flag saying member names are UTF-8


@dataclass
class Member:
    """One supported file in a zip: its name inside, its label for users, its size."""

    name: str
    label: str
    size: int
    info: zipfile.ZipInfo

    @property
    def is_zip(self) -> bool:
        return self.name.lower().endswith(".zip")


@dataclass
class Budget:
    """What one zip on disk may cost, shared by the zips nested in it."""

    max_total: int
    members: int = 0
    unpacked: int = 0


@dataclass
class Contents:
    """What opening a zip found besides its members."""

    #: Files of a kind wenhai does not read (counted, not named).
    skipped: int = 0
    #: Members left out on purpose: their path leaves the zip.
    escaping: list[IngestError] = field(default_factory=list)


def _name(info: zipfile.ZipInfo) -> str:
    """The member name as its author typed it. Without the zip's UTF-8 flag Python reads
    a name as cp437; its bytes are UTF-8 (zips made on Linux and macOS), or GBK (on
    Chinese Windows), else kept as bytes, written `\\xNN`, as a folder's odd names are."""
    if info.flag_bits & _UTF8_NAMES:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def _wanted(name: str, suffixes: set[str]) -> bool:
    parts = PurePosixPath(name).parts
    if any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return False
    return PurePosixPath(name).suffix.lower() in suffixes


def _escapes(name: str) -> bool:
    """Whether unpacking `name` would write outside the folder unpacked into."""
    path = name.replace("\\", "/")
    return path.startswith("/") or ".." in path.split("/") or (len(path) > 1 and path[1] == ":")


class Unpacker:
    """An open zip: the members wenhai reads, and reads that stay within the limits.

    `members` and `contents` are known once opened; a zip whose central directory
    already declares too many files or too many bytes is refused whole. Declared
    sizes can lie, so bytes actually read are counted too: past the total limit,
    `exhausted` is set and every further read is refused. `nested` opens a member
    that is itself a zip, on the same `Budget`.
    """

    def __init__(self, path: Path, suffixes: set[str], max_bytes: int):
        label = shown(path)
        self._open(open_regular(path, label), label, suffixes, max_bytes,
                   Budget(max_bytes * TOTAL_FACTOR), depth=0)

    @classmethod
    def nested(cls, outer: Unpacker, member: Member, data: bytes) -> Unpacker:
        """The zip `member` of `outer`, whose bytes (already counted) are `data`."""
        if outer.depth >= NESTED:
            raise IngestError(
                member.label,
                Reason("is a zip nested more than %(n)s deep: unpack it and ingest the folder",
                       n=str(NESTED)),
            )
        inner = cls.__new__(cls)
        inner._open(io.BytesIO(data), member.label, outer.suffixes, outer.max_bytes,
                    outer.budget, depth=outer.depth + 1)
        return inner

    def _open(self, file: BinaryIO, label: str, suffixes: set[str], max_bytes: int,
              budget: Budget, depth: int) -> None:
        self.label = label
        self.suffixes = suffixes
        self.max_bytes = max_bytes
        self.budget = budget
        self.depth = depth
        self._file = file
        try:
            self._zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
            self._file.close()
            raise IngestError(
                self.label,
                Reason("is not a readable zip archive (%(error)s): re-create it, or unpack it "
                       "and ingest the folder", error=str(e)),
            ) from None
        self.members: list[Member] = []
        self.contents = Contents()
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            name = _name(info)
            if _escapes(name):
                self.contents.escaping.append(IngestError(
                    f"{self.label}!{name}",
                    Reason("has a path that leaves the zip, as a zip-slip attack's does: left "
                           "out (if you trust the zip, unpack it yourself and ingest the "
                           "folder)"),
                ))
            elif _wanted(name, {*suffixes, ".zip"}):
                self.members.append(Member(name, f"{self.label}!{name}", info.file_size, info))
            else:
                self.contents.skipped += 1
        try:
            self._check(budget.members + len(self.members),
                        budget.unpacked + sum(m.size for m in self.members))
        except IngestError:
            self.close()
            raise
        budget.members += len(self.members)

    @property
    def max_total(self) -> int:
        return self.budget.max_total

    @property
    def exhausted(self) -> bool:
        return self.budget.unpacked > self.max_total

    def _check(self, count: int, total: int) -> None:
        if count > MAX_MEMBERS:
            raise IngestError(
                self.label,
                Reason("holds %(count)s files, over the limit of %(limit)s per zip: unpack it "
                       "and ingest the folder", count=str(count), limit=str(MAX_MEMBERS)),
            )
        if total > self.max_total:
            raise IngestError(
                self.label,
                Reason("unpacks to more than %(mb)s MB, the limit per zip (%(factor)s × "
                       "--max-size; a zip bomb?): if you trust it, unpack it yourself and "
                       "ingest the folder", mb=f"{self.max_total / 1e6:.0f}",
                       factor=str(TOTAL_FACTOR)),
            )

    def read(self, member: Member) -> bytes:
        """The member's bytes, never more than `max_bytes`."""
        max_bytes = self.max_bytes
        if member.size > max_bytes:
            raise IngestError(
                member.label,
                Reason("is %(size)s MB, over the %(limit)s MB limit: raise the limit with "
                       "--max-size", size=f"{member.size / 1e6:.1f}",
                       limit=f"{max_bytes / 1e6:.0f}"),
            )
        try:
            with self._zip.open(member.info) as fh:
                data = fh.read(max_bytes + 1)
        except RuntimeError as e:  # zipfile's "File … is encrypted, password required"
            raise IngestError(
                member.label, Reason("cannot be read (%(error)s): extract it with its password "
                                     "first", error=str(e))
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
            raise IngestError(
                member.label, Reason("is damaged in the zip (%(error)s): re-create the zip",
                                     error=str(e))
            ) from None
        self.budget.unpacked += len(data)
        if len(data) > max_bytes:
            raise IngestError(
                member.label,
                Reason("unpacks to more than the %(limit)s MB limit: raise it with --max-size",
                       limit=f"{max_bytes / 1e6:.0f}"),
            )
        self._check(0, self.budget.unpacked)
        return data

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> Unpacker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
