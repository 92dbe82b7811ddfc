"""How wenhai writes Whoosh segments: Whoosh's own writer, with two costs taken out.

Profiled on 1,000 articles (2.1 million postings, 420,000 distinct terms), two parts of
Whoosh's commit did work that changes nothing in the result:

* Every term got a postings block of its own — a header, a pickle and a zlib stream —
  even the ~75% of n-gram terms that occur in one document. Whoosh can store such a
  posting inside the term's entry instead ("inlining", read back by the stock reader),
  but its default limit of 1 never inlines, and raising it trips a misspelt call
  (`set_inline` for `set_inlined`). `codec()` raises the limit and mends the call.
* For every posting the field writer looked the document's field length up again in
  the just-written lengths column (3 µs each); `Writer` reads each column once.
* Postings waited for the sort as one 5-tuple each (~200 bytes), so a 1,000-article
  batch overflowed the pool and was pickled to disk and merged back (15 of 50
  profiled seconds). `TermPool` keeps them grouped by term in flat lists (~80 bytes
  a posting) and sorts only the terms; it still spills sorted runs to disk past its
  limit, so memory stays bounded however large a batch is.

Merges do not go through the pool at all: `Merger` writes the merged segment straight
from the sorted term lists of its sources.

Files written this way are ordinary Whoosh 3 segments.
"""

from __future__ import annotations

import heapq
import os
import struct
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from pickle import dump, dumps, loads

import numpy as np
from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from . import packed, postings
from .index import GRAM_FIELDS

#: Terms with fewer postings than this are stored inside the term's entry (`_add_single`
#: writes the one-posting terms, so it must stay above 1).
INLINE_LIMIT = 2
#: W3TermInfo's fixed part: flags, total weight, document frequency, min and max length
#: (as bytes), max weight, first and last document.
_TERMINFO = struct.Struct("!BfIBBfII")

if not hasattr(whoosh3.W3TermInfo, "set_inline"):
    # W3PostingsWriter.finish_postings calls a method W3TermInfo names set_inlined.
    whoosh3.W3TermInfo.set_inline = whoosh3.W3TermInfo.set_inlined


def codec() -> whoosh3.W3Codec:
    return whoosh3.W3Codec(inlinelimit=INLINE_LIMIT)


#: Posting blocks whose pickle is shorter than this are written uncompressed.
SMALL_BLOCK = 512


class _PostingsWriter(whoosh3.W3PostingsWriter):
    """Whoosh's postings writer, leaving small blocks uncompressed.

    Whoosh means not to compress a block's pickle under 20 bytes but then overwrites
    its own choice, so every block goes through zlib, whose cost per call hardly
    depends on the size (~6 µs for a 200-byte block, ~12 µs on average): measured at
    1,000 articles, zlib took 2.2 s of the indexing process, and blocks under 512
    bytes (86% of them) 1.2 s of it while saving 7 MB of a 102 MB index. Readers
    (Whoosh's and `postings`) take the block's compression from its header.
    """

    def _write_block(self, last=False):
        compression = self._compression
        if self._pickled_size() < SMALL_BLOCK:
            self._compression = 0
        try:
            super()._write_block(last)
        finally:
            self._compression = compression

    def _pickled_size(self) -> int:
        # What `dumps((ids, weights, values), 2)` takes, near enough: a value (bytes,
        # pickled by protocol 2 as a call of codecs.encode) ~34 bytes beyond its length.
        return sum(len(v) + 34 for v in self._values) + 6 * len(self._ids)


def _start_field(fw, fieldname: str, fieldobj) -> None:
    fw.start_field(fieldname, fieldobj)
    pw = fw._postwriter
    fw._postwriter = _PostingsWriter(
        pw._postfile, pw._blocklimit, pw._byteids, pw._compression, pw._inlinelimit
    )


class _Lengths:
    """The new segment's field lengths, each column read once instead of per posting."""

    def __init__(self, reader):
        self._reader = reader
        self._columns: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        column = self._columns.get(fieldname)
        if column is None:
            read = self._reader.doc_field_length
            column = [read(d, fieldname, default) for d in range(self._reader.doc_count_all())]
            self._columns[fieldname] = column
        return column[docnum]


class _Counted:
    """A file being written that counts its position instead of asking the system.

    The postings writer asks for the position twice per term and the terms table
    once; on a buffered file each `tell` is a system call (profiled: 18% of the
    indexing process's time at ~10,000 articles).
    """

    def __init__(self, f):
        self._f = f
        self._pos = f.tell()

    def write(self, b) -> int:
        n = self._f.write(b)  # bytes written (all of them: the file blocks)
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = self._f.seek(pos, whence)
        return self._pos

    def __getattr__(self, name):
        return getattr(self._f, name)


class TermPool(PostingPool):
    """Whoosh's posting pool, holding postings grouped by (field, term) until the flush."""

    #: Estimated bytes for a new term's entry and for each posting besides its encoded
    #: positions (measured: 1,000 articles, 2.1 M postings, 420 k terms, took ~200 MB).
    TERM_BYTES = 200
    POSTING_BYTES = 64

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._terms: dict[tuple[str, bytes], list] = {}
        self._weights: dict[float, float] = {}

    def add(self, item):
        fieldname, tbytes, docnum, weight, vbytes = item
        # Whoosh reads an inlined posting without a value (an ID field's) back as "" (a
        # str), which its postings writer refuses; no value is None to the writer.
        vbytes = vbytes or None
        key = (fieldname, tbytes)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = []
            self.fieldnames.add(fieldname)
            self.currentsize += self.TERM_BYTES + len(tbytes)
        # One float object per distinct weight instead of one per posting.
        found += (docnum, self._weights.setdefault(weight, weight), vbytes)
        self.currentsize += self.POSTING_BYTES + len(vbytes or b"")
        if self.currentsize > self.limit:
            self.save()

    def add_document_postings(self, fieldname: str, docnum: int, postings) -> int:
        """`add` for one field of one document at once; returns the field's length."""
        terms, weights = self._terms, self._weights
        size = length = 0
        for tbytes, freq, weight, vbytes in postings:
            key = (fieldname, tbytes)
            found = terms.get(key)
            if found is None:
                found = terms[key] = []
                size += self.TERM_BYTES + len(tbytes)
            found += (docnum, weights.setdefault(weight, weight), vbytes)
            size += self.POSTING_BYTES + len(vbytes)
            length += freq
        self.fieldnames.add(fieldname)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()
        return length

    def _grouped(self):
        # Postings of a term arrive in document order, so only the terms need sorting.
        terms, self._terms = self._terms, {}
        for key in sorted(terms):
            yield key[0], key[1], terms.pop(key)

    def grouped(self):
        """Every term as (field, term, [docnum, weight, value, docnum, ...]), in order."""
        if not self.runs:
            yield from self._grouped()
            return
        self.save()
        runs, self.runs = self.runs, []
        yield from self._merge_runs(runs)

    def items(self, maxfiles=128):
        """Whoosh's interface: one (field, term, docnum, weight, value) tuple per posting."""
        for fieldname, tbytes, flat in self.grouped():
            for i in range(0, len(flat), 3):
                yield (fieldname, tbytes, flat[i], flat[i + 1], flat[i + 2])

    # Spilled runs hold one pickle per term, not Whoosh's one per posting: measured at
    # 2,000 articles, spilling that way cost ~8 ms an article, which made segments
    # larger than the pool too dear to write.

    def save(self):
        if self._terms:
            path, f = self._new_run()
            self._write_run(f, self._grouped())
            self._add_run(path)
        self.currentsize = 0

    def _write_run(self, f, grouped):
        for item in grouped:
            dump(item, f, -1)
        f.close()

    def _merge_runs(self, paths):
        # Runs are merged all at once, in the order they were written: a term's
        # postings from an earlier run have the lower document numbers, and heapq.merge
        # keeps equal terms in the order of its inputs.
        merged = heapq.merge(*(self._read_run(p) for p in paths), key=_term)
        current, flat = None, []
        for fieldname, tbytes, more in merged:
            if (fieldname, tbytes) == current:
                flat += more
                continue
            if current is not None:
                yield current[0], current[1], flat
            current, flat = (fieldname, tbytes), more
        if current is not None:
            yield current[0], current[1], flat


def _term(item: tuple) -> tuple:
    return item[0], item[1]


class Writer(SegmentWriter):
    """Whoosh's SegmentWriter with a compact pool and the field lengths cached."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, codec=codec(), limitmb=limitmb, **kwargs)
        self._packed: packed.Builder | None = None  # made at the flush
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        for written in (self.fieldwriter._postfile, self.fieldwriter._tindex.dbfile):
            written.file = _Counted(written.file)

    def add_document(self, **fields):
        """Whoosh's add_document, with ready postings (`index.Analyzed`) added in bulk.

        Whoosh's loop makes a tuple and a call per posting; here a field's postings go
        into the pool in one call. Anything else takes Whoosh's own path.
        """
        from .index import Analyzed

        ready = {
            name: value
            for name, value in fields.items()
            if isinstance(value, Analyzed) and not self.schema[name].separate_spelling()
        }
        if not ready:
            return super().add_document(**fields)
        self._check_state()
        self._check_fields(self.schema, fields)
        docnum = self.docnum
        self.perdocwriter.start_doc(docnum)
        try:
            for name in sorted(n for n in fields if not n.startswith("_")):
                value, field = fields[name], self.schema[name]
                if value is None:
                    continue
                if name in ready:
                    length = self.pool.add_document_postings(name, docnum, value)
                    self.perdocwriter.add_field(name, field, None, length)
                    continue
                length = 0
                if field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        length += freq if field.scorable else 0
                        self.pool.add((name, tbytes, docnum, weight, vbytes))
                self.perdocwriter.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    self.perdocwriter.add_column_value(
                        name, field.column_type, field.to_column_value(value)
                    )
        except Exception:
            self.perdocwriter.cancel_doc()
            raise
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            _write_terms(self.fieldwriter, self.schema, _Lengths(pdr), self.pool.grouped(),
                         self._packed_builder())
            self.fieldwriter.close()
        finally:
            pdr.close()

    def _packed_builder(self) -> packed.Builder:
        """The builder of the new segment's `packed` file (in this writer's temporary folder:
        Whoosh would take a file named after the segment into its compound file)."""
        name = f"{self.newsegment.segment_id()}.{packed.SUFFIX}"
        self._packed = packed.Builder(Path(self._tempstorage.folder) / name, GRAM_FIELDS)
        return self._packed

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        if self._packed is not None:
            self._packed.finish(Path(self.storage.folder) / self._packed.name)
        return segment

    def _finish(self):
        if self._packed is not None:
            self._packed.discard()  # a cancelled or failed writer's (none once finished)
        super()._finish()


def _write_terms(fw, schema, lengths, grouped, builder: packed.Builder) -> None:
    """Whoosh's `add_postings` for terms grouped by `TermPool.grouped`."""
    fieldlength = lengths.doc_field_length
    current = None
    for fieldname, tbytes, flat in grouped:
        if fieldname != current:
            if current is not None:
                fw.finish_field()
            _start_field(fw, fieldname, schema[fieldname])
            current = fieldname
        docs, weights, values = flat[0::3], flat[1::3], flat[2::3]
        _add_term(fw, tbytes, docs, weights, values, [fieldlength(d, fieldname) for d in docs])
        if builder.wants(fieldname, len(docs)):
            builder.add(fieldname, tbytes, docs, weights, values)
    if current is not None:
        fw.finish_field()


def _add_term(fw, tbytes: bytes, docs: list, weights: list, values: list, lengths: list) -> None:
    """A term's postings (parallel lists, in document order) into the field writer."""
    if len(docs) == 1:
        _add_single(fw, tbytes, docs[0], weights[0], values[0], lengths[0])
        return
    fw.start_term(tbytes)
    _fill_blocks(fw._postwriter, docs, weights, values, lengths)
    fw.finish_term()


def _fill_blocks(pw, docs: list, weights: list, values: list, lengths: list) -> None:
    """What `add_posting` does for each posting of a term, a block at a time.

    Whoosh's postings writer buffers a block (128 postings) and writes it when the next
    posting arrives; here each block's ids, weights, values and statistics are filled
    in one go (the bytes written are the same, tested).
    """
    step = pw._blocklimit
    for start in range(0, len(docs), step):
        if start:
            pw._write_block()
        end = start + step
        block_weights = weights[start:end]
        pw._ids.extend(docs[start:end])
        pw._weights.extend(block_weights)
        pw._values.extend(v for v in values[start:end] if v)
        pw._maxweight = max(0, max(block_weights))
        present = [n for n in lengths[start:end] if n]
        if present:
            pw._minlength, pw._maxlength = min(present), max(present)


def _add_single(fw, tbytes: bytes, docnum: int, weight: float, vbytes, length: int) -> None:
    """The term-table entry `start_term`, `add` and `finish_term` write for a term found
    in one document (inlined), without their objects.

    Three in four n-gram terms of a segment occur in one document; Whoosh's way builds
    a term info, a block buffer with three arrays and their statistics for each
    (profiled: ~60% of a segment's flush). The bytes are the same (tested).
    """
    weight32 = array("f", (weight,))[0]
    minbyte = length_to_byte(length) if length else 0
    info = _TERMINFO.pack(
        1, weight32, 1, minbyte, length_to_byte(length or 0), max(0, weight), docnum, docnum
    )
    inlined = ((docnum,), (weight32,), (vbytes,) if vbytes else ())
    fw._tindex.add(pack_ushort(fw._fieldid) + tbytes, info + dumps(inlined, 2))


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


class Merger(Writer):
    """Writes the live documents of some segments as one new segment, without the pool.

    Whoosh merges by pouring every posting of the merged segments into the writer's
    pool, which spills sorted runs to disk and reads them back (profiled at ~25,000
    articles: half of a merge's time, and the pool's 512 MB). Each segment's terms and
    each term's postings are sorted already, and documents are renumbered in segment
    order, so the new segment's terms come from a merge of the sorted term lists and
    each term's postings from the segments in turn: whole blocks copied with their
    document numbers shifted where a segment has no deletions, else read block by
    block and renumbered posting by posting. 10,000 articles in five segments merged
    in 98 s and 240 MB, against Whoosh's 251 s and 584 MB.
    """

    def __init__(self, ix, readers: list):
        super().__init__(ix, _lk=False)  # the writer that asked holds the lock
        self._readers = readers
        self._renumber: list[np.ndarray] = []

    def merged(self):
        """The new segment (written, not yet in the index's table of contents)."""
        fieldnames = set(self.schema.names())
        for reader in self._readers:
            base, count = self.docnum, reader.doc_count_all()
            docmap = self.write_per_doc(fieldnames, reader)  # None: nothing deleted
            if docmap is None:
                new = np.arange(base, base + count, dtype=np.int64)
            else:
                new = np.full(count, -1, dtype=np.int64)
                new[np.fromiter(docmap.keys(), np.int64, len(docmap))] = np.fromiter(
                    docmap.values(), np.int64, len(docmap))
            self._renumber.append(new)
        self._added = True
        return self._finalize_segment()

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        builder = self._packed_builder()
        names = sorted(set().union(*(r.indexed_field_names() for r in self._readers)))
        for fieldname in names:
            if fieldname not in self.schema:
                continue
            started = False
            for tbytes, found in self._field_terms(fieldname):
                blocks = self._copyable(found)
                columns = None if blocks else self._postings(fieldname, found)
                if not blocks and columns is None:
                    continue  # every document with the term was deleted
                if not started:
                    _start_field(fw, fieldname, self.schema[fieldname])
                    started = True
                if blocks:
                    fw.start_term(tbytes)
                    self._copy_blocks(fw._postwriter, blocks)
                    fw.finish_term()
                else:
                    _add_term(fw, tbytes, *columns)
                if builder.wants(fieldname, sum(info.doc_frequency() for _, info in found)):
                    builder.add_arrays(fieldname, tbytes, self._packed_arrays(fieldname, tbytes, found))
            if started:
                fw.finish_field()
        fw.close()

    def _field_terms(self, fieldname: str):
        """(term, [(reader number, term info), ...]) for every term of the field, in order."""
        lists = [_numbered(postings.terms(r, fieldname), i) for i, r in enumerate(self._readers)]
        current, found = None, []
        for tbytes, i, info in heapq.merge(*lists, key=lambda item: item[:2]):
            if tbytes != current and found:
                yield current, found
                found = []
            current = tbytes
            found.append((i, info))
        if found:
            yield current, found

    def _copyable(self, found: list) -> list | None:
        """(reader, term info, docnum shift) per part if the term's blocks can be copied.

        A segment without deletions keeps its documents in order, shifted by the
        documents before it; its blocks then only need their first (absolute) document
        number and last-document mark changed. Inlined postings and segments with
        deletions go posting by posting instead.
        """
        if len(found) < 2 and found[0][1].doc_frequency() < INLINE_LIMIT:
            return None
        parts = []
        for i, info in found:
            if info.is_inlined() or self._readers[i].has_deletions():
                return None
            parts.append((self._readers[i], info, int(self._renumber[i][0])))
        return parts

    @staticmethod
    def _copy_blocks(writer, parts: list) -> None:
        """Write the parts' posting blocks, renumbered, as the current term's postings."""
        post = writer._postfile
        post.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        total = writer._terminfo
        for n, (reader, info, shift) in enumerate(parts):
            for header, data, last in postings.raw_blocks(reader, info):
                count, maxid, maxweight, comp, minlen, maxlen = header
                if shift:
                    raw = zlib.decompress(data) if comp else data
                    ids, weights, values = loads(raw)
                    raw = dumps(((ids[0] + shift,) + tuple(ids[1:]), weights, values), 2)
                    data = zlib.compress(raw, comp) if comp else raw
                infobytes = dumps((count, maxid + shift, maxweight, comp, minlen, maxlen), 2)
                size = len(infobytes) + len(data)
                post.write_int(-size if last and n == len(parts) - 1 else size)
                post.write(infobytes)
                post.write(data)
                writer._blockcount += 1
            _add_stats(total, info, shift)

    def _packed_arrays(self, fieldname: str, tbytes: bytes, found: list) -> packed.Arrays:
        """A term's live postings as `packed` arrays: from the segments' own files where
        they have the term, else decoded from their blocks."""
        parts = []
        for i, info in found:
            reader, new = self._readers[i], self._renumber[i]
            file = packed.load(reader)
            arrays = file.get(fieldname, tbytes) if file is not None else None
            if arrays is None:
                got = postings.read_term(reader, fieldname, info, values=True)
                arrays = (got.docs, got.weights, *packed.decode(got.values))
            docs, weights, counts, gaps = arrays
            renumbered = new[docs]
            live = renumbered >= 0
            if not live.all():
                gaps = gaps[np.repeat(live, counts)]
                renumbered, weights, counts = renumbered[live], weights[live], counts[live]
            parts.append((renumbered, weights, counts, gaps))
        return tuple(np.concatenate(column) for column in zip(*parts))

    def _postings(self, fieldname: str, found: list):
        """[new docnums], [weights], [values], [lengths] of a term's live postings, or None."""
        docs, weights, values, lengths = [], [], [], []
        for i, info in found:
            reader, new = self._readers[i], self._renumber[i]
            got = postings.read_term(reader, fieldname, info, values=True)
            renumbered = new[got.docs]
            live = renumbered >= 0
            if live.all():
                docs.append(renumbered)
                weights.append(got.weights)
                values += got.values
                lengths.append(postings.lengths(reader, fieldname)[got.docs])
            elif live.any():
                docs.append(renumbered[live])
                weights.append(got.weights[live])
                values += [v for v, keep in zip(got.values, live.tolist()) if keep]
                lengths.append(postings.lengths(reader, fieldname)[got.docs[live]])
        if not docs:
            return None
        return (np.concatenate(docs).tolist(), np.concatenate(weights).tolist(), values,
                np.concatenate(lengths).astype(np.int64).tolist())


def save_packed(ix) -> None:
    """Write the `packed` file of each segment of `ix` that has none.

    Segments written before there were such files (or when one could not be written
    or read) get theirs here, from their blocks: ~35 s for 25,000 articles, once.
    """
    for stale in Path(ix.storage.folder).glob(f"*.{packed.SUFFIX}.*.tmp"):
        stale.unlink()  # a killed run's
    with ix.reader() as reader:
        for leaf, _ in postings.leaves(reader):
            if packed.load(leaf) is not None:
                continue
            target = packed.file(leaf)
            builder = packed.Builder(target.with_name(f"{target.name}.{os.getpid()}.tmp"),
                                     GRAM_FIELDS)
            try:
                for fieldname in builder.fields & set(leaf.indexed_field_names()):
                    for tbytes, info in postings.terms(leaf, fieldname):
                        if builder.wants(fieldname, info.doc_frequency()):
                            got = postings.read_term(leaf, fieldname, info, values=True)
                            builder.add(fieldname, tbytes, got.docs, got.weights, got.values)
                builder.finish(target)
            finally:
                builder.discard()


def damaged_packed(ix) -> list[tuple[Path, int]]:
    """(file, damaged terms) of each segment's `packed` file whose bytes no longer match
    their checksums: searches would read wrong postings from it until it is rewritten
    (`drop_packed`, then `save_packed`)."""
    found = []
    with ix.reader() as reader:
        for leaf, _ in postings.leaves(reader):
            file = packed.load(leaf)
            if file is not None and (terms := file.damaged()):
                found.append((file.path, len(terms)))
    return found


def drop_packed(paths) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


def _add_stats(total, info, shift: int) -> None:
    """Add a part's term statistics (Whoosh's W3TermInfo fields) to the merged term's."""
    total._weight += info._weight
    total._df += info._df
    total._minlength = info._minlength if total._minlength is None else min(
        total._minlength, info._minlength)
    total._maxlength = max(total._maxlength, info._maxlength)
    total._maxweight = max(total._maxweight, info._maxweight)
    if total._minid is None:
        total._minid = info._minid + shift
    total._maxid = info._maxid + shift


def _numbered(terms, i: int):
    for tbytes, info in terms:
        yield tbytes, i, info


def merge(writer, segments: list):
    """One new segment holding the live documents of `segments`, in order."""
    from whoosh.index import FileIndex
    from whoosh.reading import SegmentReader

    ix = FileIndex(writer.storage, writer.schema, writer.indexname)
    readers = [SegmentReader(writer.storage, writer.schema, seg) for seg in segments]
    try:
        return Merger(ix, readers).merged()
    finally:
        for reader in readers:
            reader.close()


# -- reading: columns in memory ---------------------------------------------------
#
# Every match of a search reads, per scored field, the document's field length, and
# per facet (source, author, year, repost group) one column value. Whoosh reads each
# with a seek and a read on the segment's file (profiled: a sixth of a search's time
# at 10,000 articles). A segment reader now reads such a column whole the first time
# it is asked for it (0.7 µs a value) and answers from a list after that. Stored
# fields and other columns are left on disk.


class _MemoryColumn(columns.ColumnReader):
    """A column reader answering from a list; reversing falls back to Whoosh's own reader."""

    def __init__(self, values: list, reopen):
        self._values = values
        self._doccount = len(values)
        self._reopen = reopen
        self._reversed = None

    def __getitem__(self, docnum):
        if self._reversed is not None:
            return self._reversed[docnum]
        return self._values[docnum]

    def sort_key(self, docnum):
        if self._reversed is not None:
            return self._reversed.sort_key(docnum)
        return self._values[docnum]

    def __iter__(self):
        return iter(self._reversed) if self._reversed is not None else iter(self._values)

    def load(self):
        return list(self._values)

    def set_reverse(self):
        self._reversed = self._reopen()
        self._reversed.set_reverse()


_disk_column_reader = whoosh3.W3PerDocReader.column_reader


def _column_reader(self, fieldname, column):
    if not (column is whoosh3.LENGTHS_COLUMN or type(column) is columns.VarBytesColumn):
        return _disk_column_reader(self, fieldname, column)
    cache = self.__dict__.setdefault("_wenhai_columns", {})
    if fieldname not in cache:
        cache[fieldname] = list(_disk_column_reader(self, fieldname, column))
    return _MemoryColumn(
        cache[fieldname], lambda: _disk_column_reader(self, fieldname, column)
    )


whoosh3.W3PerDocReader.column_reader = _column_reader
