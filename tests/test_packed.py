"""Frequent terms' postings saved as arrays (`store.packed`) are the postings Whoosh stores.

A search reads a term from the segment's packed file when it has it, so every term in
it must hold exactly the documents, weights and positions of Whoosh's blocks, after
worker-written flushes and after merges with replaced articles; and a search must
answer the same without the files.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh.formats import Positions

import indexer.ingest as ingest_module
from indexer.cli import main
from indexer.ingest import ingest
from store import Archive, cache, index, packed, postings, segments, workers

from .test_indexing_paths import segment_ids
from .test_reliability import make_corpus


def test_decoding_positions_all_at_once_reads_what_whoosh_wrote():
    encode = Positions().encode
    lists = [[5], [0, 3], list(range(7, 9000, 3)), [70_000, 70_001, 2**31 - 1], [0]]
    values = [encode(p) for p in lists]
    counts, gaps = packed.decode(values)
    assert counts.tolist() == [len(p) for p in lists]
    whooshs = [Positions().decode_positions(v) for v in values]
    assert postings._running(gaps, counts).tolist() == [p for w in whooshs for p in w]
    # A value of another shape (no pickle stop, as older Whoosh wrote) is read one by one.
    values[1] = values[1][:-1]
    assert packed.decode(values)[0].tolist() == counts.tolist()


def packed_terms(home) -> dict:
    """Per segment: packed term → whether it equals the blocks; and the terms it should hold."""
    found = {}
    ix = index.open_index(home / "index")
    with ix.reader() as reader:
        for leaf, _ in postings.leaves(reader):
            file = packed.load(leaf)
            assert file is not None, "every segment has its packed file"
            held, expected = {}, set()
            for fieldname in index.GRAM_FIELDS:
                for tbytes, info in postings.terms(leaf, fieldname):
                    if info.doc_frequency() >= packed.MIN_DOCS:
                        expected.add((fieldname, tbytes))
                    arrays = file.get(fieldname, tbytes)
                    if arrays is None:
                        continue
                    docs, weights, counts, gaps = arrays
                    blocks = postings.read_term(leaf, fieldname, info, values=True)
                    rows = np.arange(len(docs))
                    from_file = postings.Postings(docs, weights, None, counts, gaps)
                    held[fieldname, tbytes] = (  # deleted documents kept, as in the blocks
                        docs.tolist() == blocks.docs.tolist()
                        and weights.tolist() == blocks.weights.tolist()
                        and [a.tolist() for a in from_file.positions(rows)]
                        == [a.tolist() for a in blocks.positions(rows)]
                    )
            found[leaf.segment().segment_id()] = (held, expected, leaf.has_deletions())
    ix.close()
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_packed_postings_are_the_blocks_after_flushes_and_merges(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(packed, "MIN_DOCS", 3)
    monkeypatch.setattr(ingest_module, "SYNC_EVERY", 9)
    monkeypatch.setattr(index, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)  # jobs=2: segments written by workers
    gathered, renumbered = [], []
    gather, renumber = segments.Merger._packed_arrays, segments.Merger._postings
    monkeypatch.setattr(segments.Merger, "_packed_arrays",
                        lambda *a: gathered.append(1) or gather(*a))
    monkeypatch.setattr(segments.Merger, "_postings", lambda *a: renumbered.append(1) or renumber(*a))
    folder = tmp_path / "files"
    make_corpus(folder, 40, paragraphs=3)
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=jobs):
        ingest(archive, [folder])
    for path in sorted(folder.glob("*.txt"))[:20:3]:  # edited: old documents deleted
        path.write_text(path.read_text(encoding="utf-8") + "\n补充报道：港口夜间停航。\n",
                        encoding="utf-8")
    make_corpus(folder, 20, start=40, paragraphs=3)
    with Archive(home) as archive, archive.writing(jobs=jobs):
        ingest(archive, [folder])
    for path in sorted(folder.glob("*.txt"))[1:60:7]:  # and again, left unmerged
        path.write_text(path.read_text(encoding="utf-8") + "\n港口恢复通航。\n", encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=jobs):
        ingest(archive, [folder])
    # Merged segments' files were written from their parts, some with deletions.
    assert gathered and renumbered
    found = packed_terms(home)
    assert set(found) == segment_ids(home)
    for held, expected, _ in found.values():
        assert len(held) > 50 and all(held.values())
        assert set(held) == expected  # no frequent term missing, no rare one added
    assert any(deletions for *_, deletions in found.values())
    files = {p.name.split(".")[0] for p in (home / "index").glob(f"*.{packed.SUFFIX}")}
    assert files == segment_ids(home)  # merged-away segments' files are gone with them
    assert not list((home / "index").glob(f"*.tmp-*/*.{packed.SUFFIX}"))


def ingested(tmp_path, n: int, paragraphs: int):
    """(archive home, folder, markers) after one serial ingest of `n` corpus articles."""
    folder = tmp_path / "files"
    markers = make_corpus(folder, n, paragraphs=paragraphs)
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
    return home, folder, markers


def test_searches_answer_the_same_without_the_packed_files(tmp_path, monkeypatch):
    monkeypatch.setattr(packed, "MIN_DOCS", 5)
    home, _, _ = ingested(tmp_path, 60, paragraphs=4)
    queries = ["市民", "记者现场采访", '"的第2段报道"', "采访 -港口", "新闻 报道"]

    def answers() -> list:
        monkeypatch.setattr(cache, "results", cache.ResultCache())  # answer again, not from memory
        with Archive(home) as archive:
            found = [archive.search(q) for q in queries]
        return [(r.total, [(h.id, round(h.score, 5)) for h in r.hits]) for r in found]

    read = []
    get = packed.Packed.get
    monkeypatch.setattr(packed.Packed, "get", lambda *a, **kw: read.append(a[2]) or get(*a, **kw))
    with_files = answers()
    assert read and all(total > 3 for total, _ in with_files)
    files = list((home / "index").glob(f"*.{packed.SUFFIX}"))
    assert files
    for path in files:
        path.unlink()
    assert answers() == with_files


def test_a_packed_file_that_cannot_be_written_only_slows_searches(tmp_path, monkeypatch):
    monkeypatch.setattr(packed, "MIN_DOCS", 5)

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packed.os, "replace", full_disk)
    home, _, markers = ingested(tmp_path, 30, paragraphs=2)
    assert not list((home / "index").rglob(f"*.{packed.SUFFIX}"))  # nor a partial one left
    with Archive(home) as archive:
        assert archive.search(markers[7]).total == 1
        assert archive.search("记者现场采访").total == 30


def test_segments_written_before_packed_files_get_theirs_at_the_next_ingest(tmp_path, monkeypatch):
    monkeypatch.setattr(packed, "MIN_DOCS", 4)
    home, folder, _ = ingested(tmp_path, 30, paragraphs=2)
    old = list((home / "index").glob(f"*.{packed.SUFFIX}"))
    assert len(old) == 1
    old[0].unlink()  # as an index written by an earlier version
    (home / "index" / f"{old[0].name}.999.tmp").write_bytes(b"left by a killed run")
    make_corpus(folder, 5, start=30, paragraphs=2)
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
    assert old[0].exists() and not list((home / "index").glob("*.tmp"))
    found = packed_terms(home)
    assert len(found) == 2
    for held, expected, _ in found.values():
        assert held and all(held.values()) and set(held) == expected


def test_a_packed_file_holds_any_weights_and_numbers_it_is_given(tmp_path, monkeypatch):
    monkeypatch.setattr(packed, "MIN_DOCS", 2)
    docs = np.array([3, 70_000, 70_001, 5_000_000_000])
    terms = {  # weights: whole and small, whole and large, fractional (a field boost)
        "民代".encode(): (np.array([1.0, 2.0, 1.0, 3.0]), np.array([1, 2, 1, 3])),
        "代表".encode(): (np.array([1.0, 70_000.0, 1.0, 2.0]), np.array([1, 1, 1, 2])),
        "表大".encode(): (np.array([0.5, 1.5, 2.25, 1.0]), np.array([1, 1, 1, 1])),
    }
    builder = packed.Builder(tmp_path / "partial", ["body_g"])
    for tbytes in sorted(terms, reverse=True):  # out of order: the directory is sorted
        weights, counts = terms[tbytes]
        gaps = np.arange(1, counts.sum() + 1) * 40_000
        builder.add_arrays("body_g", tbytes, (docs, weights, counts, gaps))
    builder.add_arrays("body_g", "大会".encode(), (docs[:1], np.ones(1), np.ones(1), np.ones(1)))
    builder.finish(tmp_path / "MAIN_x.postings")
    assert not (tmp_path / "partial").exists()
    file = packed.Packed(tmp_path / "MAIN_x.postings")
    for tbytes, (weights, counts) in terms.items():
        got = file.get("body_g", tbytes)
        assert got[0].tolist() == docs.tolist() and got[1].tolist() == weights.tolist()
        assert got[2].tolist() == counts.tolist()
        assert got[3].tolist() == (np.arange(1, counts.sum() + 1) * 40_000).tolist()
        assert file.get("body_g", tbytes, positions=False)[1].tolist() == weights.tolist()
    assert file.get("body_g", "大会".encode()) is None  # in fewer than MIN_DOCS documents
    assert file.get("title_g", "民代".encode()) is None


def test_a_damaged_packed_file_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(packed, "MIN_DOCS", 5)
    home, _, _ = ingested(tmp_path, 30, paragraphs=2)
    with Archive(home) as archive:
        expected = archive.search("记者现场采访").total
    (path,) = (home / "index").glob(f"*.{packed.SUFFIX}")
    raw = path.read_bytes()
    for damaged in (raw[:-3], raw[: len(raw) // 2] + raw[-16:], b"\0" * len(raw)):
        path.write_bytes(damaged)
        monkeypatch.setattr(cache, "results", cache.ResultCache())
        with Archive(home) as archive:  # read from Whoosh's blocks instead
            assert archive.search("记者现场采访").total == expected == 30


def test_check_finds_a_packed_file_damaged_in_place_and_repair_rewrites_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(packed, "MIN_DOCS", 5)
    home, _, _ = ingested(tmp_path, 30, paragraphs=2)
    queries = ["记者现场采访", "市民", '"的第1段报道"']

    def answers() -> list:
        monkeypatch.setattr(cache, "results", cache.ResultCache())
        with Archive(home) as archive:
            return [[h.id for h in archive.search(q, per_page=50).hits] for q in queries]

    def check(*args: str):
        return CliRunner().invoke(main, ["--home", str(home), "check", *args])

    expected = answers()
    assert check().exit_code == 0
    (path,) = (home / "index").glob(f"*.{packed.SUFFIX}")
    good = path.read_bytes()
    raw = bytearray(good)
    raw[0] ^= 0x05  # the first term's first document: the directory still reads fine
    path.write_bytes(bytes(raw))
    assert packed.Packed(path).damaged()  # searches would read the wrong document

    found = check()
    assert found.exit_code == 1
    assert f"damaged: {path.name}: 1 terms fail their checksums" in found.output
    assert "wenhai check --repair" in found.output
    repaired = check("--repair")
    assert repaired.exit_code == 0 and "repaired" in repaired.output
    assert path.read_bytes() == good
    assert answers() == expected
