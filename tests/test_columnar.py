"""The text fields' postings as arrays (`store.columnar`): merged as if grouped at once,
read back whole, and checked.

The index as a whole is compared with Whoosh's own in `test_indexing_paths`; these
are the file's own promises: a merge of parts with different tables of Latin runs and
words equals grouping everything at once; positions and counts wider than two bytes
survive; damage is found by `wenhai check` and mended by `--repair`.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.ingest import ingest
from store import Archive, packing
from store.engine import columnar, occurrences
from store.search import cache, postings

from .test_reliability import make_corpus

TEXTS = [
    "小米SU7发布，雷军说：SU7 Max售价29.99万元。",
    "华为Mate60和iPhone15在上海同台，GPT-4o也来了。",
    "ＡＩ芯片與GPT-4o同台竞技，记者现场采访了市民。",
    "港口吞吐量创下新高，alpha、beta与gamma三条航线开通。",
    "最高人民法院院长在北京作报告。",
]


@pytest.mark.parametrize("kind", ["words", "grams"])
def test_a_merge_of_parts_equals_grouping_everything_at_once(tmp_path, monkeypatch, kind):
    analyse = occurrences.words if kind == "words" else occurrences.grams
    texts = TEXTS * 7
    monkeypatch.setattr(columnar, "CHUNK_POSTINGS", 50)  # many key ranges
    monkeypatch.setattr(columnar, "SAMPLE", 3)  # lookups cross many stretches of the table
    parts, base = [], 0
    for size in (3, 1, 9, 5, 17):  # each part with tables of its own
        parts.append(columnar.group(analyse(texts[base : base + size]), base))
        base += size
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(p) for p in parts], kind)
    out.finish(tmp_path / "f.text")
    merged = columnar.TextFile(tmp_path / "f.text").fields["body"]
    whole = columnar.group(analyse(texts[:base]))

    assert merged.strings == whole.strings
    for name in ("keys", "tstart", "pstart", "docs", "counts", "positions"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    for t in range(len(merged.keys)):
        assert merged.find(merged.text(t)) == t
    su7 = merged.find("su7" if kind == "words" else "su")
    assert su7 is not None and merged.postings(su7)[0].tolist() == list(range(0, base, 5))
    assert merged.find("不存在" if kind == "words" else "zzz") is None


def test_deleted_documents_leave_a_merge(tmp_path):
    part = columnar.group(occurrences.grams(TEXTS))
    renumber = np.array([0, -1, 1, -1, 2])  # the second and fourth text deleted
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body_g", [columnar.Source(part, renumber=renumber)], "grams")
    out.finish(tmp_path / "f.text")
    merged = columnar.TextFile(tmp_path / "f.text").fields["body_g"]
    kept = columnar.group(occurrences.grams([TEXTS[0], TEXTS[2], TEXTS[4]]))
    assert [merged.text(t) for t in range(len(merged.keys))] == [
        occurrences.gram_term(int(k), kept.strings) for k in kept.keys
    ]
    for name in ("tstart", "pstart", "docs", "counts", "positions"):
        assert np.array_equal(getattr(merged, name), getattr(kept, name)), name


def test_a_file_written_before_narrow_types_reads_and_merges_with_a_new_one(tmp_path):
    # Written by the code of c432b44: documents in 32 bits, starts in 64.
    archive = Path(__file__).resolve().parent / "archives" / "schema-2"
    (path,) = (archive / "index").glob(f"*.{columnar.SUFFIX}")
    old = columnar.TextFile(path).fields["body_g"]
    assert old.docs.dtype == np.uint32 and old.tstart.dtype == np.int64
    db = sqlite3.connect(archive / "archive.db")
    bodies = [r[0] for r in db.execute("SELECT body FROM articles ORDER BY id")]
    db.close()
    assert old.postings(old.find("轻轨"))[0].tolist() == [1]  # 高雄輕軌 is the second
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body_g", [columnar.Source(old.part()),
                             columnar.Source(columnar.group(occurrences.grams(TEXTS)),
                                             shift=len(bodies))], "grams")
    out.finish(tmp_path / "f.text")
    merged = columnar.TextFile(tmp_path / "f.text").fields["body_g"]
    whole = columnar.group(occurrences.grams(bodies + TEXTS))
    # Written today: the documents as gaps, under a byte each in blocks this small.
    assert isinstance(merged.docs, columnar.Gaps) and max(merged.docs.widths.tolist()) < 8
    assert merged.tstart.dtype == np.uint32
    for name in ("keys", "tstart", "pstart", "docs", "counts", "positions"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name


def test_an_archive_written_before_document_gaps_answers_as_it_did_and_merges(tmp_path):
    # Written by the code of f697486 from tests/fixtures' files: each field's documents
    # in 16 bits. The answers are what that code gave.
    home = tmp_path / "home"
    shutil.copytree(Path(__file__).resolve().parent / "archives" / "plain-docs", home)
    answers = {"捷运": [8], "台北": [3, 12], "夜市": [1], "公车": [12], "雨水花园": [15],
               "的": [15, 18, 13, 10, 16, 6, 9, 1, 7, 12, 2, 5, 3, 8]}
    with Archive(home) as archive:
        assert archive.check().healthy
        for query, ids in answers.items():
            assert [hit.id for hit in archive.search(query, per_page=50).hits] == ids, query
        bodies = [packing.text(archive.db, stored) for (stored,) in archive.db.execute(
            "SELECT body FROM articles ORDER BY id")]
    (path,) = (home / "index").glob(f"*.{columnar.SUFFIX}")
    old = columnar.TextFile(path).fields["body_g"]
    assert old.docs.dtype == np.uint16  # the documents themselves
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body_g", [columnar.Source(old.part()),
                             columnar.Source(columnar.group(occurrences.grams(TEXTS)),
                                             shift=len(bodies))], "grams")
    out.finish(tmp_path / "f.text")
    merged = columnar.TextFile(tmp_path / "f.text").fields["body_g"]
    assert isinstance(merged.docs, columnar.Gaps)
    whole = columnar.group(occurrences.grams(bodies + TEXTS))
    for name in ("keys", "tstart", "pstart", "docs", "counts", "positions"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    new = tmp_path / "files" / "港口.txt"
    new.parent.mkdir()
    new.write_text("港口夜市\n\n" + TEXTS[3], encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [new.parent]).added == 1
    with Archive(home) as archive:
        assert [hit.id for hit in archive.search("夜市").hits] == [1, 19]
        assert archive.check().healthy


def test_a_word_field_keeps_no_positions_and_leaves_those_of_a_file_before(tmp_path):
    # Word fields are searched a term at a time; the schema-2 fixture's file has their
    # positions, which a merge into today's format leaves behind.
    archive = Path(__file__).resolve().parent / "archives" / "schema-2"
    (path,) = (archive / "index").glob(f"*.{columnar.SUFFIX}")
    old = columnar.TextFile(path).fields["body"]
    assert old.has_positions and len(old.positions)
    db = sqlite3.connect(archive / "archive.db")
    bodies = [r[0] for r in db.execute("SELECT body FROM articles ORDER BY id")]
    db.close()
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(old.part()),
                           columnar.Source(columnar.group(occurrences.words(TEXTS)),
                                           shift=len(bodies))], "words", positions=False)
    out.finish(tmp_path / "f.text")
    merged = columnar.TextFile(tmp_path / "f.text").fields["body"]
    whole = columnar.group(occurrences.words(bodies + TEXTS))
    assert not merged.has_positions and merged.strings == whole.strings
    for name in ("keys", "tstart", "docs", "counts"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    docs, counts, _ = merged.postings(merged.find("轻轨"), positions=False)
    assert docs.tolist() == [1] and counts.tolist() == [whole.counts[
        whole.tstart[whole.strings.index("轻轨")]]]
    with pytest.raises(ValueError, match="keeps no positions"):
        merged.postings(merged.find("轻轨"))


@pytest.fixture
def each_block_its_own_width(monkeypatch):
    """Documents written each block at the width its own gaps need, as the files of
    22879d7 to 24859f4 (and in bytes, ``WHTEXT02``) have them, where a common word's
    blocks now take one width: readers meet both."""
    def write(column, docs, firsts):
        column.put(columnar._gaps(docs, firsts))

    monkeypatch.setattr(columnar._GapColumn, "write", write)


def test_documents_far_apart_read_back_from_gaps_of_every_width(tmp_path, each_block_its_own_width):
    # A word in blocks of documents 1 to 4 bytes apart, runs of blocks of one width and
    # of mixed widths, between words of one posting; then merged after another part.
    rng = np.random.default_rng(28)
    spans = [(1, 200), (300, 60_000), (70_000, 2_000_000), (17_000_000, 20_000_000)]
    widths = [0, 0, 1, 3, 2, 2, 0, 1, 0]  # per block of the long word (under 2**32 in all)
    gaps = np.concatenate([rng.integers(*spans[w], size=columnar.BLOCK) for w in widths])
    common = np.cumsum(gaps[:-5])  # ends mid-block
    strings = ["丙", "乙", "甲"]  # a word field's table: sorted, keys their ranks
    docs = np.concatenate([[7], common, [common[-1] + 1]]).astype(np.uint32)
    n = len(docs)
    # Counts in blocks of 0 to 8 bits (all 1; up to 2, 4, 16, 255) and some wider.
    tops = [1, 2, 1, 4, 16, 255, 255, 1, 3]
    counts = np.concatenate([rng.integers(1, top + 1, size=columnar.BLOCK) for top in tops])
    counts[[300, 301, 900]] = [255, 70_000, 256]
    counts = counts[:n]
    part = columnar.Part(
        keys=np.arange(3), tstart=np.array([0, 1, n - 1, n]), pstart=np.arange(n + 1),
        docs=docs, counts=counts.astype(np.uint32), positions=np.zeros(n, np.uint16),
        strings=strings)
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(part)], "words", positions=False)
    out.finish(tmp_path / "f.text")
    found = columnar.TextFile(tmp_path / "f.text")
    body = found.fields["body"]
    assert set(body.docs.widths.tolist()) == {8, 16, 24, 32}
    assert np.array_equal(body.docs, docs) and np.array_equal(body.counts, counts)
    assert body.postings(body.find("乙"), positions=False)[1].tolist() == counts[1:-1].tolist()
    assert body.counts[290:910].tolist() == counts[290:910].tolist()
    assert body.postings(body.find("乙"), positions=False)[0].tolist() == common.tolist()
    assert body.postings(body.find("甲"), positions=False)[0].tolist() == [common[-1] + 1]
    assert body.docs_of(0, 3).tolist() == docs.tolist()
    assert found.damaged() == []

    other = columnar.Part(keys=np.arange(2), tstart=np.arange(3), pstart=np.arange(3),
                          docs=np.zeros(2, np.uint32), counts=np.ones(2, np.uint8),
                          positions=np.zeros(2, np.uint16), strings=["丁", "乙"])
    top = int(docs[-1]) + 1
    out = columnar.Writer(tmp_path / "g.partial")
    out.add_field("body", [columnar.Source(body.part()), columnar.Source(other, shift=top)],
                  "words", positions=False)
    out.finish(tmp_path / "g.text")
    merged = columnar.TextFile(tmp_path / "g.text").fields["body"]
    found, found_counts, _ = merged.postings(merged.find("乙"), positions=False)
    assert found.tolist() == [*common.tolist(), top]
    assert found_counts.tolist() == [*counts[1:-1].tolist(), 1]
    assert merged.postings(merged.find("丙"), positions=False)[0].tolist() == [7]
    assert merged.postings(merged.find("丁"), positions=False)[0].tolist() == [top]


def _one_word_then_one_posting(docs: np.ndarray) -> columnar.Part:
    """A part of a word (乙) on `docs`, then a word (甲) on the document after them."""
    return columnar.Part(
        keys=np.arange(2), tstart=np.array([0, len(docs), len(docs) + 1]),
        pstart=np.arange(len(docs) + 2),
        docs=np.append(docs, docs[-1] + 1).astype(np.uint32),
        counts=np.ones(len(docs) + 1, np.uint32), positions=np.zeros(len(docs) + 1, np.uint16),
        strings=["乙", "甲"])


def test_documents_read_back_from_blocks_of_every_width_their_gaps_need(
        tmp_path, each_block_its_own_width):
    # A word whose blocks of gaps each need one of the widths (a block of 1s with one
    # gap of that many bits), in an order that mixes them, then runs of one width;
    # then a word of one posting.
    widths = list(columnar._GapColumn.WIDTHS)
    order = [widths[(7 * i) % len(widths)] for i in range(len(widths))] + [5] * 3 + [10] * 4
    gaps = np.ones(len(order) * columnar.BLOCK, np.int64)
    gaps[np.arange(len(order)) * columnar.BLOCK + 5] = [1 << (w - 1) for w in order]
    gaps[0] = 1  # the first document
    docs = np.cumsum(gaps)
    assert docs[-1] < 1 << 32
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(_one_word_then_one_posting(docs))], "words",
                  positions=False)
    out.finish(tmp_path / "f.text")
    body = columnar.TextFile(tmp_path / "f.text").fields["body"]
    assert set(body.docs.widths.tolist()) == set(widths)
    assert body.postings(body.find("乙"), positions=False)[0].tolist() == docs.tolist()
    assert body.postings(body.find("甲"), positions=False)[0].tolist() == [docs[-1] + 1]
    assert np.array_equal(body.docs, np.append(docs, docs[-1] + 1))
    stored = np.append(gaps, docs[-1] + 1)
    rng = np.random.default_rng(5)
    for items in (np.sort(rng.choice(len(stored), 40, replace=False)),
                  np.arange(100, 1_000, 3)):
        assert body.docs.take(items).tolist() == stored[items].tolist()
    for p0, p1 in ((0, len(stored)), (130, 131), (127, 1_400), (len(widths) * 128, len(stored))):
        assert body.docs.values(p0, p1).tolist() == stored[p0:p1].tolist()


def test_a_common_words_blocks_of_documents_are_as_wide_as_its_widest_gap(tmp_path):
    # 乙: a gap of 1 in most blocks, of 300 (9 bits) in one, its first document at
    # 70,000 (17 bits): its inner blocks all take 10 bits, read as one stretch; 甲 after.
    gaps = np.ones(20 * columnar.BLOCK, np.int64)
    gaps[0], gaps[7 * columnar.BLOCK + 3] = 70_000, 300
    docs = np.cumsum(gaps)
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(_one_word_then_one_posting(docs))], "words",
                  positions=False)
    out.finish(tmp_path / "f.text")
    body = columnar.TextFile(tmp_path / "f.text").fields["body"]
    assert body.docs.widths.tolist() == [20] + [10] * 19 + [20]
    assert body.postings(body.find("乙"), positions=False)[0].tolist() == docs.tolist()
    assert body.postings(body.find("甲"), positions=False)[0].tolist() == [docs[-1] + 1]
    stored = np.append(gaps, docs[-1] + 1)
    assert body.docs.values(0, len(stored)).tolist() == stored.tolist()
    items = np.arange(5, len(stored), 37)
    assert body.docs.take(items).tolist() == stored[items].tolist()


def test_common_words_documents_read_back_at_every_width(tmp_path):
    # A word for each width, in 70 blocks of gaps of 1 but one that needs the width
    # (read as one stretch, each width's own way of unpacking many blocks at once).
    widths = columnar._GapColumn.WIDTHS
    words = [f"词{i:02d}" for i in range(len(widths))]
    docs = []
    for width in widths:
        gaps = np.ones(70 * columnar.BLOCK, np.int64)
        gaps[3_000] = 1 << (width - 1)
        docs.append(np.cumsum(gaps))
    tstart = np.append(0, np.cumsum([len(d) for d in docs]))
    part = columnar.Part(
        keys=np.arange(len(words)), tstart=tstart, pstart=tstart,
        docs=np.concatenate(docs).astype(np.uint32), counts=np.ones(tstart[-1], np.uint32),
        positions=np.zeros(tstart[-1], np.uint16), strings=words)
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(part)], "words", positions=False)
    out.finish(tmp_path / "f.text")
    body = columnar.TextFile(tmp_path / "f.text").fields["body"]
    for word, width, expected in zip(words, widths, docs, strict=True):
        t = body.find(word)
        inner = body.docs.widths[tstart[t] // columnar.BLOCK + 1 : tstart[t + 1] // columnar.BLOCK]
        assert set(inner.tolist()) == {width}
        assert body.postings(t, positions=False)[0].tolist() == expected.tolist()


def test_counts_read_back_from_blocks_as_wide_as_each_term_needs(tmp_path):
    # Words whose counts need 0, 1, 2, 4 and 8 bits (and more), a word of one posting
    # between each two, so that blocks hold the ends of words of other widths.
    rng = np.random.default_rng(28)
    strings, docs, counts = [], [], []
    for i, top in enumerate([1, 2, 3, 16, 255, 300]):
        for word, size in ((f"词{i}乙", 200 + 37 * i), (f"词{i}甲", 1)):  # in sorted order
            strings.append(word)
            docs.append(np.sort(rng.choice(100_000, size, replace=False)))
            counts.append(rng.integers(1, top + 1, size=size))
    assert strings == sorted(strings)
    counts[-2][[5, 9]] = [70_000, 255]
    lengths = [len(d) for d in docs]
    tstart = np.append(0, np.cumsum(lengths))
    part = columnar.Part(
        keys=np.arange(len(strings)), tstart=tstart, pstart=tstart,
        docs=np.concatenate(docs).astype(np.uint32),
        counts=np.concatenate(counts).astype(np.uint32),
        positions=np.zeros(tstart[-1], np.uint16), strings=strings)
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(part)], "words", positions=False)
    out.finish(tmp_path / "f.text")
    body = columnar.TextFile(tmp_path / "f.text").fields["body"]
    widths = body.counts.narrow.widths
    assert set(widths.tolist()) == {0, 1, 2, 4, 8}
    assert np.array_equal(body.counts, np.concatenate(counts))
    for t, word in enumerate(strings):
        found = body.postings(body.find(word), positions=False)
        assert found[0].tolist() == docs[t].tolist() and found[1].tolist() == counts[t].tolist()
        inner = widths[-(-tstart[t] // columnar.BLOCK) : tstart[t + 1] // columnar.BLOCK]
        assert len(set(inner.tolist())) <= 1  # a word's own blocks are of one width
    merged_path = tmp_path / "g.text"
    out = columnar.Writer(tmp_path / "g.partial")
    out.add_field("body", [columnar.Source(body.part())], "words", positions=False)
    out.finish(merged_path)
    assert np.array_equal(columnar.TextFile(merged_path).fields["body"].counts,
                          np.concatenate(counts))


def test_positions_read_back_from_blocks_of_every_width(tmp_path):
    # A word with postings whose positions need 4 to 32 bits (each posting's first as it
    # is, then gaps), a word of one posting between each two, so blocks hold both; read
    # whole, a few postings at a time (as a phrase does), and merged after another part.
    rng = np.random.default_rng(28)
    strings, docs, counts, positions = [], [], [], []
    for i, (top, per) in enumerate([(15, 3), (200, 5), (4_000, 2), (60_000, 4),
                                    (16_000_000, 3), (4_000_000_000, 2)]):
        for word, size in ((f"词{i}乙", 150 + 41 * i), (f"词{i}甲", 1)):  # in sorted order
            strings.append(word)
            docs.append(np.sort(rng.choice(100_000, size, replace=False)))
            n = rng.integers(1, per + 1, size=size)
            counts.append(n)
            positions.append(np.concatenate([np.sort(rng.choice(top, k, replace=False))
                                             for k in n.tolist()]))
    assert strings == sorted(strings)
    tstart = np.append(0, np.cumsum([len(d) for d in docs]))
    pstart = np.append(0, np.cumsum([len(p) for p in positions]))
    part = columnar.Part(
        keys=np.arange(len(strings)), tstart=tstart, pstart=pstart,
        docs=np.concatenate(docs).astype(np.uint32),
        counts=np.concatenate(counts).astype(np.uint32),
        positions=np.concatenate(positions).astype(np.uint64), strings=strings)
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body", [columnar.Source(part)], "words")
    out.finish(tmp_path / "f.text")
    found = columnar.TextFile(tmp_path / "f.text")
    body = found.fields["body"]
    assert isinstance(body.positions, columnar.Positions)
    assert set(body.positions.widths.tolist()) == {4, 8, 12, 16, 24, 32}
    assert np.array_equal(body.positions, part.positions) and found.damaged() == []
    stored = body.positions.values(0, len(body.positions))  # each posting's first, then gaps
    for share in (1, 3, 50):  # read as the stretch, and value by value where they lie
        items = np.unique(np.append(rng.choice(len(stored), len(stored) // share),
                                    [0, len(stored) - 1]))
        assert body.positions.take(items).tolist() == stored[items].tolist()
    for t, word in enumerate(strings):
        got_docs, got_counts, got = body.postings(body.find(word))
        assert got_docs.tolist() == docs[t].tolist() and got.tolist() == positions[t].tolist()
        stored = postings.Postings(got_docs, got_counts.astype(float), got_counts,
                                   body.postings(t, stored=True)[2])
        rows = np.sort(rng.choice(len(got_docs), max(1, len(got_docs) // 9), replace=False))
        owner, at = stored.positions(rows)
        starts = np.append(0, np.cumsum(counts[t]))
        assert at.tolist() == [p for r in rows.tolist()
                               for p in positions[t][starts[r] : starts[r + 1]].tolist()]
        assert owner.tolist() == np.repeat(rows, counts[t][rows]).tolist()
        assert stored.keys(np.arange(len(got_docs))).tolist() == (
            np.repeat(docs[t] << 32, counts[t]) + positions[t]).tolist()
    other = columnar.group(occurrences.words(TEXTS))
    out = columnar.Writer(tmp_path / "g.partial")
    out.add_field("body", [columnar.Source(other), columnar.Source(body.part(), shift=10)],
                  "words")
    out.finish(tmp_path / "g.text")
    merged = columnar.TextFile(tmp_path / "g.text").fields["body"]
    for t, word in enumerate(strings):
        got_docs, _, got = merged.postings(merged.find(word))
        assert got_docs.tolist() == (docs[t] + 10).tolist()
        assert got.tolist() == positions[t].tolist()
    for t, word in enumerate(other.strings):  # the other part's, first, as grouped
        q0, q1 = other.pstart[t], other.pstart[t + 1]
        assert merged.postings(merged.find(word))[2].tolist() == other.positions[q0:q1].tolist()


def test_counts_of_a_byte_and_more_read_back_as_written(tmp_path):
    texts = ["甲" * n + "。" for n in (1, 254, 255, 256, 70_000)] + ["乙丙"]
    part = columnar.group(occurrences.grams(texts))
    out = columnar.Writer(tmp_path / "f.partial")
    out.add_field("body_g", [columnar.Source(part)], "grams")
    out.finish(tmp_path / "f.text")
    found = columnar.TextFile(tmp_path / "f.text")
    body = found.fields["body_g"]
    assert np.array_equal(body.counts, part.counts) and len(body.counts.wide) > 0
    assert body.postings(body.find("甲"))[1].tolist() == [1, 254, 255, 256, 70_000]
    assert body.counts[1:3].tolist() == part.counts[1:3].tolist()
    assert found.damaged() == []


def test_positions_and_counts_wider_than_two_bytes_are_found(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    long = "人民代表大会" * 50 + "；单独一次" + "abc12号。" * 30_000 + "最后一次出现"
    (folder / "long.txt").write_text(f"很长的文章\n\n{long}\n", encoding="utf-8")
    make_corpus(folder, 3)
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [folder], max_chars=500_000)
        assert archive.search('"最后一次出现"').total == 1  # positions past 65,535
        assert archive.search('"单独一次"').total == 1
        assert archive.search("abc12号").total == 1
    (path,) = (home / "index").glob(f"*.{columnar.SUFFIX}")
    body = columnar.TextFile(path).fields["body_g"]
    assert isinstance(body.positions, columnar.Positions)  # in blocks: past 65,535, 24 bits
    assert 24 in body.positions.widths.tolist()
    # At most a byte per count, in blocks; those of 255 or more apart (30,000 here).
    assert isinstance(body.counts.narrow, columnar.Blocks)
    assert max(body.counts.narrow.widths.tolist()) == 8 and 30_000 in body.counts.wide.tolist()
    docs, counts, positions = body.postings(body.find("abc"))
    assert counts.tolist() == [30_000] and positions[-1] > 90_000


def cli(home, *args: str):
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_check_finds_a_damaged_postings_file_and_repair_rebuilds_it(tmp_path):
    folder = tmp_path / "files"
    markers = make_corpus(folder, 30, paragraphs=2)
    home = tmp_path / "home"
    assert cli(home, "ingest", str(folder)).exit_code == 0
    queries = ["记者现场采访", "市民", '"的第1段报道"', markers[4]]

    def answers() -> list:
        cache.results.clear()
        with Archive(home) as archive:
            return [[h.id for h in archive.search(q, per_page=50).hits] for q in queries]

    expected = answers()
    assert cli(home, "check").exit_code == 0
    (path,) = (home / "index").glob(f"*.{columnar.SUFFIX}")
    raw = bytearray(path.read_bytes())
    at = columnar.TextFile(path)._dir["title.dgaps"]["at"]
    raw[at + 1] ^= 0x01  # inside the first field's documents: the file still parses
    path.write_bytes(bytes(raw))

    found = cli(home, "check")
    assert found.exit_code == 1
    assert f"{path.name}: title.dgaps fail their checksums" in found.output
    assert "wenhai check --repair" in found.output
    repaired = cli(home, "check", "--repair")
    assert repaired.exit_code == 0 and "repaired" in repaired.output
    assert list(home.glob("index.damaged-*"))  # kept for inspection, not deleted
    assert cli(home, "check").exit_code == 0
    assert answers() == expected


def test_a_missing_postings_file_is_a_damaged_index_that_the_next_ingest_rebuilds(tmp_path):
    folder = tmp_path / "files"
    markers = make_corpus(folder, 12, paragraphs=2)
    home = tmp_path / "home"
    assert cli(home, "ingest", str(folder)).exit_code == 0
    for path in (home / "index").glob(f"*.{columnar.SUFFIX}"):
        path.unlink()
    searched = cli(home, "search", markers[3])
    assert searched.exit_code == 1
    assert "is damaged" in searched.output and "wenhai check --repair" in searched.output
    again = cli(home, "ingest", str(folder))
    assert again.exit_code == 0 and "was damaged" in again.output
    with Archive(home) as archive:
        assert [archive.search(m).total for m in markers] == [1] * 12


def mapped(path_part: str) -> list[str]:
    """This process's memory maps of files whose path contains `path_part`."""
    with open("/proc/self/maps") as f:
        return [line for line in f if path_part in line]


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_archives_in_one_process_share_one_map_of_each_segment_file(ingested):
    """A server's pooled archives each read every segment: one map per file, not per
    archive, so pages read by two are resident once."""
    index = str(ingested / "index")
    first, second = Archive(ingested), Archive(ingested)
    try:
        for archive in (first, second):
            assert archive.search("碳纤维").total == 1
        files = sorted(ingested.glob("index/*.text"))
        assert files and all(len(mapped(str(f))) == 1 for f in files)
        first.close_index()  # the other archive still searches through the shared map
        assert second.search("岩茶").total == 1
        assert all(len(mapped(str(f))) == 1 for f in files)
    finally:
        first.close()
        second.close()
    import gc

    gc.collect()
    assert not [m for m in mapped(index) if ".text" in m]


def test_a_reader_closed_while_a_map_is_being_opened_does_not_hang(ingested):
    """The garbage collector may run an archive's finalizer — closing its readers — in
    the middle of `columnar.shared`, in the same thread: that must not deadlock."""
    import threading

    def open_and_close_inside():
        with columnar._OPEN_LOCK:  # as `shared` holds it when the collector runs
            with Archive(ingested) as archive:
                assert archive.search("碳纤维").total == 1

    worker = threading.Thread(target=open_and_close_inside, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "closing a reader inside `shared` deadlocked"
