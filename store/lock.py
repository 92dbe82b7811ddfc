"""One writer at a time: an advisory lock on a file in the archive home.

The operating system releases it when the process dies, so a killed ingest never
leaves the archive locked. A writer takes it before it touches the database, without
waiting: a second writer is refused at once, whatever the first is doing.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from .errors import ArchiveBusyError, ArchiveReadOnlyError


class WriteLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise read_only(self.path.parent, e) from e
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise ArchiveBusyError(
                f"The archive at {self.path.parent} is busy: another wenhai process "
                f"(pid {holder}) is writing to it. Wait for it to finish, then run this again."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def read_only(home: Path, e: OSError) -> ArchiveReadOnlyError:
    return ArchiveReadOnlyError(
        f"The archive at {home} cannot be written ({e.strerror or e}): it is on a read-only "
        "disk, or its files are not yours to write. It can still be searched and served; to "
        "add articles, copy it to a disk you can write and point --home there."
    )
