"""Arrays a search needs from each segment, saved beside the segment when it is written.

A searcher needs, per segment, the facet and sort columns (as ordinals) and the field
lengths BM25F scores with. Read from Whoosh's columns one value at a time, that was most
of a server's start at 100,000 articles (~0.4 s for the columns alone). Segments never
change, so the writer saves them once as one numpy file per segment, named so that
Whoosh's own clean-up removes it with its segment (``MAIN_<id>.arrays.npz``), and a
reader loads it whole. Without the file (an index written before, a full disk) readers
compute the arrays as before (`read_columns`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from . import columns
from .schema import COLUMNS

SUFFIX = "arrays.npz"
T = TypeVar("T")


def folder(reader) -> Path:
    """The index folder of a segment reader."""
    storage = reader.storage()
    storage = getattr(storage, "b", storage)  # a compound segment's files over the folder
    return Path(storage.folder)


def file(reader, suffix: str = SUFFIX) -> Path:
    """The segment's file with `suffix` (a name Whoosh removes with the segment)."""
    return folder(reader) / f"{reader.segment().segment_id()}.{suffix}"


def once(reader, suffix: str, read: Callable[[Path], T], errors=(OSError, ValueError)) -> T | None:
    """`read` of the segment's file with `suffix`, once per segment reader (kept on it);
    None if the file is missing or `read` fails with `errors`: it is only a faster copy."""
    key = f"_wenhai_{suffix}"
    found = reader.__dict__.get(key, False)
    if found is False:
        try:
            found = read(file(reader, suffix))
        except errors:
            found = None
        reader.__dict__[key] = found
    return found


def load(reader) -> dict | None:
    """The segment's saved arrays (name → array), or None if it has none."""
    return once(reader, SUFFIX, _read)


def _read(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def save(reader, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` for the segment (atomically: a reader sees all of them or none)."""
    target = file(reader)
    partial = target.with_name(target.name + f".{os.getpid()}.tmp")
    with open(partial, "wb") as f:
        np.savez(f, **arrays)
    os.replace(partial, target)


def missing(reader) -> bool:
    return not file(reader).exists()


def segment_columns(reader) -> dict:
    """`read_columns` of the segment, from its saved arrays when it has them; once per
    segment reader (kept on it)."""
    cache = reader.__dict__.get("_wenhai_matches")
    if cache is None:
        arrays = load(reader)
        if arrays is not None and "group" in arrays and all(
                f"{name}.ords" in arrays for name in COLUMNS):
            cache = {name: (arrays[f"{name}.values"].tolist(), arrays[f"{name}.ords"])
                     for name in COLUMNS}
            cache["group"] = arrays["group"]
        else:
            cache = read_columns(reader)
        reader.__dict__["_wenhai_matches"] = cache
    return cache


def read_columns(reader) -> dict:
    """(sorted distinct values, ordinal of each document) per column of `schema.COLUMNS`,
    and the repost `group` of each document as a number (-1: none), from the segment."""
    found = {}
    for name in COLUMNS:
        # As fixed-width bytes numpy sorts in C; UTF-8 sorts as the strings do.
        raw = np.array(columns.raw_column(reader, name), dtype=bytes)
        values, ords = np.unique(raw, return_inverse=True)
        found[name] = ([v.decode("utf-8") for v in values.tolist()], ords.astype(np.int64))
    found["group"] = np.array([int(g or -1) for g in columns.column(reader, "group")],
                              dtype=np.int64)
    return found


def save_arrays(ix) -> None:
    """Save the columns and field lengths of each segment of `ix` that has none."""
    with ix.reader() as reader:
        for leaf, _ in columns.leaves(reader):
            if missing(leaf):
                save(leaf, _arrays(leaf))


def _arrays(leaf) -> dict[str, np.ndarray]:
    found = read_columns(leaf)
    arrays = {"group": found["group"]}
    for name in COLUMNS:
        values, ords = found[name]
        arrays[f"{name}.values"] = np.array(values, dtype=str)
        arrays[f"{name}.ords"] = ords
    for name, field in leaf.schema.items():
        if field.scorable and (raw := columns.raw_lengths(leaf, name)) is not None:
            arrays[f"length.{name}"] = raw
    return arrays
