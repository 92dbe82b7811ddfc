"""The supported files inside a `.zip`, read with limits.

People keep exported articles zipped. Each member is labelled
`/abs/archive.zip!inner/dir/file.txt`, so errors and the archive name the file a
user can find. A zip is untrusted input: its member count and total unpacked size
are capped before anything is read, and every member is read with a byte limit, so
a zip bomb costs at most the limits, not the machine's memory.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import IngestError
from .files import open_regular, shown

MAX_MEMBERS = 10_000
#: A zip may unpack to this many times the per-file limit (1 GB with the default 50 MB).
TOTAL_FACTOR = 20
_UTF8_NAMES = 0x800  # the zip flag saying member names are UTF-8


@dataclass
class Member:
    """One supported file in a zip: its name inside, its label for users, its size."""

    name: str
    label: str
    size: int
    info: zipfile.ZipInfo


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


class Unpacker:
    """An open zip: the members wenhai reads, and reads that stay within the limits.

    `members` and `skipped` are known once opened; a zip whose central directory
    already declares too many files or too many bytes is refused whole. Declared
    sizes can lie, so bytes actually read are counted too: past the total limit,
    `exhausted` is set and every further read is refused.
    """

    def __init__(self, path: Path, suffixes: set[str], max_bytes: int):
        self.path = path
        self.label = shown(path)
        self.max_bytes = max_bytes
        self.max_total = max_bytes * TOTAL_FACTOR
        self._file = open_regular(path, self.label)
        try:
            self._zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
            self._file.close()
            raise IngestError(
                self.label,
                f"is not a readable zip archive ({e}): "
                "re-create it, or unpack it and ingest the folder",
            ) from None
        self.members: list[Member] = []
        self.skipped = 0
        self.unpacked = 0
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            name = _name(info)
            if _wanted(name, suffixes):
                self.members.append(Member(name, f"{self.label}!{name}", info.file_size, info))
            else:
                self.skipped += 1
        try:
            self._check(len(self.members), sum(m.size for m in self.members))
        except IngestError:
            self.close()
            raise

    @property
    def exhausted(self) -> bool:
        return self.unpacked > self.max_total

    def _check(self, count: int, total: int) -> None:
        if count > MAX_MEMBERS:
            raise IngestError(
                self.label,
                f"holds {count} files, over the limit of {MAX_MEMBERS} per zip: "
                "unpack it and ingest the folder",
            )
        if total > self.max_total:
            raise IngestError(
                self.label,
                f"unpacks to more than {self.max_total / 1e6:.0f} MB, the limit per zip "
                f"({TOTAL_FACTOR} × --max-size; a zip bomb?): if you trust it, unpack it "
                "yourself and ingest the folder",
            )

    def read(self, member: Member) -> bytes:
        """The member's bytes, never more than `max_bytes`."""
        max_bytes = self.max_bytes
        if member.size > max_bytes:
            raise IngestError(
                member.label,
                f"is {member.size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit: "
                "raise the limit with --max-size",
            )
        try:
            with self._zip.open(member.info) as fh:
                data = fh.read(max_bytes + 1)
        except RuntimeError as e:  # zipfile's "File … is encrypted, password required"
            raise IngestError(
                member.label, f"cannot be read ({e}): extract it with its password first"
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
            raise IngestError(
                member.label, f"is damaged in the zip ({e}): re-create the zip"
            ) from None
        self.unpacked += len(data)
        if len(data) > max_bytes:
            raise IngestError(
                member.label,
                f"unpacks to more than the {max_bytes / 1e6:.0f} MB limit: "
                "raise it with --max-size",
            )
        self._check(0, self.unpacked)
        return data

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> Unpacker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
