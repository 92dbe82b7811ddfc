"""The one error type ingest raises on purpose: it names the file and what to do."""

from __future__ import annotations


class IngestError(Exception):
    """A file (or one record in it) cannot be turned into an article."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self):  # pickled back from a reading worker process (`reading`)
        return type(self), (self.path, self.reason)
