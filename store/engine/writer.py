"""How wenhai writes Whoosh segments: Whoosh's writer for the documents and their IDs,
`columnar` arrays for the text fields' postings.

Whoosh's writer handles each posting in Python several times over (pool, sort,
block, pickle, term table); with the n-gram fields that was most of the cost of an
ingest (profiled at 2,000 articles: 49 of 87 s in the flush, 22 s in the analysis
feeding it). `Writer` keeps Whoosh for what it does per document — stored fields,
field lengths, sortable columns, the ID fields' few postings — and gathers documents
in batches of `BATCH`, analyses each batch at once (`occurrences`) and groups its
postings with numpy (`columnar.group`). The batches' postings are merged into the
segment's `columnar` file when the segment is flushed; past the writer's memory limit
they are merged into a run on disk first, so memory stays bounded however large a
segment is.

It writes ordinary Whoosh 3 segments (`codec.Codec`) plus the text file beside each;
`merging` merges segments the same way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from whoosh.writing import SegmentWriter

from . import columnar, occurrences
from .codec import Codec, text_file_path
from .schema import TEXT_FIELDS

#: Documents analysed together: enough to spend the time in numpy, not in per-call costs
#: (a batch's arrays take ~0.25 MB a document while it is analysed).
BATCH = 256


def codec() -> Codec:
    return Codec()


def _analyse(kind: str, texts: list[str]) -> occurrences.Occurrences:
    return occurrences.words(texts) if kind == "words" else occurrences.grams(texts)


class Writer(SegmentWriter):
    """Whoosh's SegmentWriter, with the text fields' postings gathered as arrays."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, codec=codec(), limitmb=limitmb, **kwargs)
        self._limit = limitmb * 1024 * 1024
        self._waiting: list[dict] = []
        self._parts: dict[str, list[columnar.Part]] = {name: [] for name in TEXT_FIELDS}
        self._runs: list[columnar.TextFile] = []
        self._partial: columnar.Writer | None = None
        self._written: Path | None = None

    def add_document(self, **fields):
        """Whoosh's add_document; the document is written with the rest of its batch."""
        self._check_state()
        self._check_fields(self.schema, [n for n in fields if not n.startswith("_")])
        self._waiting.append(fields)
        self.docnum += 1
        self._added = True
        if len(self._waiting) >= BATCH:
            self._write_batch()

    def _write_batch(self) -> None:
        docs, self._waiting = self._waiting, []
        if not docs:
            return
        base = self.docnum - len(docs)
        lengths: dict[str, list[int]] = {}
        for name, kind in TEXT_FIELDS.items():
            texts = [doc.get(name) or "" for doc in docs]
            if not any(texts):
                continue
            found = _analyse(kind, texts)
            if len(found.keys):
                self._parts[name].append(columnar.group(found, base))
            lengths[name] = found.lengths.tolist()
        for i, fields in enumerate(docs):
            self._write_document(base + i, fields, lengths, i)
        if sum(p.nbytes for parts in self._parts.values() for p in parts) > self._limit:
            self._spill()

    def _write_document(self, docnum: int, fields: dict, lengths: dict, i: int) -> None:
        """What Whoosh's add_document writes per document; text fields' lengths given."""
        pdw = self.perdocwriter
        pdw.start_doc(docnum)
        try:
            for name in sorted(n for n in fields if not n.startswith("_")):
                value, field = fields[name], self.schema[name]
                if value is None:
                    continue
                stored = value if field.stored else None
                if name in TEXT_FIELDS:
                    pdw.add_field(name, field, stored, lengths[name][i] if name in lengths else 0)
                    continue
                length = 0
                if field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        length += freq if field.scorable else 0
                        self.pool.add((name, tbytes, docnum, weight, vbytes))
                pdw.add_field(name, field, stored, length)
                if field.column_type:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()

    def _spill(self) -> None:
        """Merge the batches' postings so far into a run file (in the writer's temporary folder)."""
        path = Path(self._tempstorage.folder) / f"run{len(self._runs)}.{columnar.SUFFIX}"
        out = columnar.Writer(path.with_suffix(".partial"))
        try:
            for name, kind in TEXT_FIELDS.items():
                out.add_field(name, [columnar.Source(p) for p in self._parts[name]], kind,
                              _positional(self.schema, name))
        except BaseException:
            out.discard()
            raise
        out.finish(path)
        self._runs.append(columnar.TextFile(path))
        self._parts = {name: [] for name in TEXT_FIELDS}

    def _text_sources(self, name: str) -> list[columnar.Source]:
        runs = [columnar.Source(r.fields[name].part()) for r in self._runs if name in r.fields]
        return runs + [columnar.Source(p) for p in self._parts[name]]

    def _flush_segment(self):
        self._write_batch()
        self._flush_documents()
        self._write_text(self._text_sources)

    def _flush_documents(self) -> None:
        """Whoosh's flush of the documents and the ID fields' postings, without looking
        up a field length for each posting (ID fields have none: all would be 0)."""
        self.perdocwriter.close()
        self.fieldwriter.add_postings(self.schema, None, self.pool.iter_postings())
        self.fieldwriter.close()

    def _write_text(self, sources) -> None:
        """The new segment's `columnar` file, from each text field's `sources(name)`.

        Written in the writer's temporary folder and moved beside the segment once it is
        assembled: Whoosh would take a file named after the segment into its compound file.
        """
        target = text_file_path(self._tempstorage, self.newsegment)
        self._partial = columnar.Writer(target.with_name(f"{target.name}.partial"))
        for name, kind in TEXT_FIELDS.items():
            self._partial.add_field(name, sources(name), kind, _positional(self.schema, name))
        self._partial.finish(target)
        self._partial = None
        self._written = target

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        os.replace(self._written, text_file_path(self.storage, segment))
        return segment

    def cancel(self):
        """Whoosh's cancel, letting go of the segment's files even when closing them
        fails. After a failed flush (a full disk) Whoosh's field writer fails at its
        first file on every close, so the postings file stayed open (its buffer was
        written again, and failed again, when collected: Python 3.13 prints that after
        the error), and cancel stopped before its cleanup, which releases the lock."""
        try:
            super().cancel()
        except Exception:
            if not self.is_closed:
                _let_go(self.fieldwriter)
                self._finish()
            raise

    def _finish(self):
        if self._partial is not None:  # a failed flush's
            self._partial.discard()
            self._partial = None
        self._runs = []
        super()._finish()  # removes the temporary folder, and any file left in it


def _let_go(fieldwriter) -> None:
    """Close the files of Whoosh's field writer (its term table's, its postings') that
    are still open, dropping what their buffers hold: the write failed already."""
    for handle in (fieldwriter._tindex.dbfile.file, fieldwriter._postfile.file):
        if not handle.closed:
            with contextlib.suppress(OSError):
                handle.close()


def _positional(schema, name: str) -> bool:
    """Whether the field's postings keep positions (its format says: `schema`)."""
    return schema[name].format.supports("positions")


def write(ix, docs: Iterable[dict], limitmb: int):
    """Write `docs` as a new segment beside `ix`, outside its table of contents.

    For a process other than the one holding the index's lock (Whoosh's multi-segment
    pattern): that writer adds the returned segment at its commit. None if `docs` is
    empty. Files of a segment no commit takes in are removed by the next commit.
    """
    writer = Writer(ix, limitmb=limitmb, _lk=False)
    try:
        for doc in docs:
            writer.add_document(**doc)
        if not writer._added:
            writer.cancel()
            return None
        segment = writer._finalize_segment()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    writer._finish()
    return segment
