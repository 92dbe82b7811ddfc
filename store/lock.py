"""One writer at a time: an advisory lock on a file in the archive home.

The operating system releases it when the process dies, so a killed ingest never
leaves the archive locked.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .errors import ArchiveBusyError


class WriteLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
