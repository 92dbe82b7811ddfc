"""Arrays a search needs from each segment, saved beside the segment when it is written.

A searcher needs, per segment, the facet and sort columns (as ordinals) and the field
lengths BM25F scores with. Read from Whoosh's columns one value at a time, that was most
of a server's start at 100,000 articles (~0.4 s for the columns alone). Segments never
change, so the writer saves them once as one numpy file per segment, named so that
Whoosh's own clean-up removes it with its segment (``MAIN_<id>.arrays.npz``), and a
reader loads it whole. Without the file (an index written before, a full disk) readers
compute the arrays as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

SUFFIX = "arrays.npz"


def folder(reader) -> Path:
    """The index folder of a segment reader."""
    storage = reader.storage()
    storage = getattr(storage, "b", storage)  # a compound segment's files over the folder
    return Path(storage.folder)


def file(reader) -> Path:
    return folder(reader) / f"{reader.segment().segment_id()}.{SUFFIX}"


def load(reader) -> dict | None:
    """The segment's saved arrays (name → array), or None if it has none."""
    found = reader.__dict__.get("_wenhai_saved", False)
    if found is False:
        try:
            with np.load(file(reader), allow_pickle=False) as npz:
                found = {name: npz[name] for name in npz.files}
        except (OSError, ValueError):
            found = None
        reader.__dict__["_wenhai_saved"] = found
    return found


def save(reader, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` for the segment (atomically: a reader sees all of them or none)."""
    target = file(reader)
    partial = target.with_name(target.name + f".{os.getpid()}.tmp")
    with open(partial, "wb") as f:
        np.savez(f, **arrays)
    os.replace(partial, target)


def missing(reader) -> bool:
    return not file(reader).exists()
