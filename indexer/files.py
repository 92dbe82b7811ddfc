"""Which files an ingest reads, and how it opens them.

The folders named on the command line are the boundary: a symbolic link inside them
that leads out (to /etc/passwd, say) is left out with a word unless the user passes
`--follow-symlinks`, so an ingest never archives, and the web pages never serve,
what the user did not point it at. Only regular files are opened, and never in a
way that blocks: a named pipe would hang `open()` forever, and a link to /dev/zero
would be read without end (stat says 0 bytes for a device), so files are opened
non-blocking, checked with `fstat` on the open descriptor, and read at most the size
limit plus one byte whatever stat said.

File names are bytes on Linux. A name that is not UTF-8 (GBK, from a Windows zip
unpacked by a tool that kept the bytes) reaches Python as surrogate escapes, which
SQLite cannot store: the archive keys such a file by its bytes, written `\\xd6`
(`key_name`), and people are shown the name decoded as GB18030 (`shown`).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .errors import IngestError
from .language import Reason

_KINDS = (
    (stat.S_ISFIFO, Reason("a named pipe (FIFO)")),
    (stat.S_ISCHR, Reason("a character device (like /dev/zero)")),
    (stat.S_ISBLK, Reason("a block device")),
    (stat.S_ISSOCK, Reason("a socket")),
    (stat.S_ISDIR, Reason("a folder")),
)


def _component(name: str) -> str:
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def shown(path: str | Path) -> str:
    """`path` as people read it: each part that is not UTF-8 decoded as GB18030 (most
    such names come from Chinese Windows), else its odd bytes written as `\\xNN`."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "/".join(_component(part) for part in text.split("/"))


def key_name(path: str) -> str:
    """`path` as the archive records it: UTF-8 as it is, other bytes as `\\xNN`, so two
    files whose names differ only in their bytes never share a record."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def too_big(label: str, max_bytes: int, size: int | None = None) -> IngestError:
    limit = f"{max_bytes / 1e6:.0f}"
    if size is None:
        return IngestError(label, Reason(
            "is larger than the %(limit)s MB limit: split it, or raise the limit with "
            "--max-size", limit=limit))
    return IngestError(label, Reason(
        "is %(size)s MB, over the %(limit)s MB limit: split it, or raise the limit with "
        "--max-size", size=f"{size / 1e6:.1f}", limit=limit))


def open_regular(path: str | Path, label: str) -> BinaryIO:
    """`path` open for reading, if it is a regular file; else `IngestError` saying what
    it is. Opening does not block (a FIFO's `open()` would wait for a writer forever)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((k for test, k in _KINDS if test(mode)),
                        Reason("not a regular file"))
            raise IngestError(
                label, Reason("is %(kind)s, not a regular file: wenhai reads only regular "
                              "files", kind=kind)
            )
        return os.fdopen(fd, "rb", buffering=0)  # O_NONBLOCK means nothing to a regular file
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | Path, label: str, max_bytes: int) -> bytes:
    """The bytes of the regular file `path`, or `IngestError` past `max_bytes` (counted as
    read, not as stat says: a file may grow, and stat's size of a device is 0)."""
    with open_regular(path, label) as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise too_big(label, max_bytes, size)
        chunks: list[bytes] = []
        left = max_bytes + 1  # one more byte tells a file over the limit
        want = min(size, max_bytes) + 1  # a file that has not grown is one read
        while left > 0:
            chunk = f.read(min(want, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = 1 << 20
    if left <= 0:
        raise too_big(label, max_bytes)
    return b"".join(chunks)


@dataclass
class Found:
    """What `discover` found: files to read, in order, and what it left out and why."""

    #: As strings: a million `Path`s took 388 MB, kept the whole ingest long; these, 92.
    files: list[str] = field(default_factory=list)
    #: Files in the folders of a kind wenhai does not read (counted, not named).
    unsupported: int = 0
    #: Paths that cannot be read at all (missing, a link that loops or leads nowhere).
    failed: list[IngestError] = field(default_factory=list)
    #: Links not followed, on purpose: each is named once.
    left_out: list[IngestError] = field(default_factory=list)


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _broken_link(path: str | Path) -> IngestError | None:
    """Why the link `path` cannot be followed (it loops, or leads nowhere), if it cannot."""
    try:
        os.stat(path)
    except OSError as e:
        target = os.readlink(path)
        if e.errno == errno.ELOOP:
            return IngestError(
                shown(path),
                Reason("is a symbolic link that leads back to itself (→ %(target)s): "
                       "fix or remove the link", target=shown(target)),
            )
        return IngestError(
            shown(path),
            Reason("is a symbolic link to %(target)s, which does not exist: "
                   "fix or remove the link", target=shown(target)),
        )
    return None


def _outside(path: str | Path, real: str) -> IngestError:
    return IngestError(
        shown(path),
        Reason("is a symbolic link to %(target)s, outside the folders named on the "
               "command line (pass --follow-symlinks to read it)", target=shown(real)),
    )


def _walk(top: Path, follow: bool, seen: set[str]) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk, following links to folders when `follow`, each real folder once (a link
    to a parent would otherwise loop for ever)."""
    for root, dirs, names in os.walk(top, followlinks=follow):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        yield root, dirs, names


def discover(paths: list[Path], suffixes: set[str], *, follow_symlinks: bool = False) -> Found:
    """Files with `suffixes` under `paths` (folders recursively, hidden entries skipped),
    in order, each once. A path named here is read even if it is a link; a link found
    inside a folder is followed only if it stays inside the folders named, or if
    `follow_symlinks`."""
    found = Found()
    roots = [os.path.realpath(p) for p in paths if p.is_dir()]
    seen: set[str] = set()
    for p in paths:
        if p.is_dir():
            for root, dirs, names in _walk(p, follow_symlinks, seen):
                kept = []
                for d in sorted(d for d in dirs if not d.startswith(".")):
                    link = Path(root) / d
                    if follow_symlinks or not link.is_symlink():
                        kept.append(d)
                    elif not _inside(real := os.path.realpath(link), roots):
                        found.left_out.append(_outside(link, real))
                    # a link to a folder inside: its files are found where they are
                dirs[:] = kept
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    f = os.path.join(root, name)
                    if os.path.splitext(name)[1].lower() not in suffixes:
                        found.unsupported += 1
                    elif not os.path.islink(f):
                        found.files.append(f)
                    elif (broken := _broken_link(f)) is not None:
                        found.failed.append(broken)
                    elif follow_symlinks or _inside(real := os.path.realpath(f), roots):
                        found.files.append(f)
                    else:
                        found.left_out.append(_outside(f, real))
        elif p.is_symlink() and (broken := _broken_link(p)) is not None:
            found.failed.append(broken)
        elif p.exists():
            if p.suffix.lower() in suffixes:
                found.files.append(str(p))
            else:
                kinds = ", ".join(sorted(suffixes))
                found.failed.append(
                    IngestError(shown(p), Reason("unsupported file type; wenhai reads %(kinds)s",
                                                 kinds=kinds))
                )
        else:
            found.failed.append(IngestError(shown(p), Reason("no such file or folder")))
    found.files = list(dict.fromkeys(found.files))
    return found
