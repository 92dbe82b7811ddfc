"""The fast indexing paths build the index the plain ones would, and readers stay current.

Speed work (direct postings, worker processes, a compact pool, a result cache) must
not change what is found: these compare the fast paths with the plain ones on real
Chinese text, term by term and posting by posting.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions

import indexer.ingest as ingest_module
import store.search.searcher
from indexer import reading
from indexer.ingest import ingest
from store import Archive, packing
from store.engine import (
    columnar,
    columns,
    merging,
    occurrences,
    saved,
    schema,
    workers,
)
from store.engine import folder as index_folder
from store.engine import writer as segment_writer
from store.errors import StorageError
from store.search import cache
from store.search.filters import Filters
from store.text import analysis

from .conftest import SAMPLES
from .test_reliability import make_corpus


def sample_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.md")]
    texts += [p.read_text(encoding="utf-8") for p in SAMPLES.glob("xiaomi*.txt")]
    texts += ["", "Ｗｅｎｈａｉ 文海 2024年，GPT-4o 與 臺灣", "最高人民法院院长", "中，国 a b 12",
              "小米 第三季度财报\u3000显示\t好 \u200b的 new  york 5 G\n换行"]
    # positions past one and two bytes, and past the one-position encodings made once
    texts += ["人民代表大会" * 50 + "；单独一次" + "abc12。" * 30_000 + "最后一次"]
    return texts


@pytest.mark.parametrize(
    ("kind", "tokenizer"), [("words", analysis.WordTokenizer), ("grams", analysis.GramTokenizer)]
)
def test_batch_analysis_finds_the_terms_whoosh_would_index(kind, tokenizer):
    texts = sample_texts()
    found = (occurrences.words if kind == "words" else occurrences.grams)(texts)
    got: list[dict] = [{} for _ in texts]
    for key, doc, pos in zip(
        found.keys.tolist(), found.docs.tolist(), found.positions.tolist(), strict=True
    ):
        term = found.strings[key] if kind == "words" else occurrences.gram_term(key, found.strings)
        got[doc].setdefault(term, []).append(pos)
    plain = TEXT(analyzer=tokenizer(), phrase=True)
    for i, text in enumerate(texts):
        want = {t.decode(): (freq, Positions().decode_positions(v))
                for t, freq, _, v in plain.index(text)}
        assert {t: (len(p), p) for t, p in got[i].items()} == want, text[:40]
        assert found.lengths[i] == sum(freq for freq, _ in want.values())


def index_content(home: Path) -> dict:
    """Every term's postings (document id, weight, positions) and every stored document."""
    return _content(home / "index")


def _content(path: Path) -> dict:
    content: dict = {}
    ix = windex.open_dir(str(path), schema=schema.schema())
    with ix.searcher() as s:
        reader = s.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, term in reader.all_terms():
            matcher, rows = reader.postings(fieldname, term), []
            positional = reader.schema[fieldname].format.supports("positions")
            while matcher.is_active():
                if matcher.id() in ids:  # not a replaced document
                    value = tuple(matcher.value_as("positions")) if positional else None
                    rows.append((ids[matcher.id()], matcher.weight(), value))
                matcher.next()
            content[fieldname, term] = sorted(rows)
        content["order"] = [ids[d] for d in sorted(ids)]
        content["docs"] = sorted(tuple(sorted(f.items())) for f in s.all_stored_fields())
    ix.close()
    return content


def segment_ids(home: Path) -> set[str]:
    """The names of the segments the index's table of contents lists."""
    ix = index_folder.open_index(home / "index")
    found = {s.segment_id() for s in ix._segments()}
    ix.close()
    return found


def term_infos(path: Path) -> dict:
    """Every term's statistics as Whoosh's readers give them."""
    ix = windex.open_dir(str(path), schema=schema.schema())
    with ix.reader() as reader:
        infos = {(f, t): _stats(reader.term_info(f, t)) for f, t in reader.all_terms()}
    ix.close()
    return infos


def _stats(info) -> tuple:
    return info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(), info.max_id()


def test_the_index_is_the_one_whoosh_itself_writes(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    make_corpus(folder, 300, paragraphs=2)  # common words: several blocks of 128
    for f in SAMPLES.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    with Archive(tmp_path / "src") as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
        rows = [dict(r) for r in archive.db.execute("SELECT * FROM articles ORDER BY id")]
        for row in rows:
            row["body"] = packing.text(archive.db, row["body"])
    docs = [schema.document(row) for row in rows]

    spilled = []
    spill = segment_writer.Writer._spill
    monkeypatch.setattr(segment_writer.Writer, "_spill", lambda w: spilled.append(1) or spill(w))
    monkeypatch.setattr(segment_writer, "BATCH", 64)
    monkeypatch.setattr(columnar, "CHUNK_POSTINGS", 5000)  # merges a few keys at a time
    ix = index_folder.create(tmp_path / "fast" / "index")
    writer = segment_writer.Writer(ix, limitmb=1)
    writer._limit = 200_000  # batches merged into runs on disk, then merged
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    ix.close()
    assert spilled  # the flush merged a run from disk with batches in memory

    # Whoosh's own writer and codec, every posting through its pool and blocks.
    (tmp_path / "plain").mkdir()
    ix = FileStorage(str(tmp_path / "plain")).create_index(schema.schema())
    with ix.writer() as plain:
        for doc in docs:
            plain.add_document(**doc)
    ix.close()
    (tmp_path / "plain" / index_folder.SIDECAR).write_text(json.dumps(schema.identity()))

    fast_infos, plain_infos = (term_infos(tmp_path / "fast" / "index"),
                               term_infos(tmp_path / "plain"))
    assert ("body_g", "记者".encode()) in plain_infos and len(plain_infos) > 4000
    assert fast_infos == plain_infos
    assert index_content(tmp_path / "fast") == _content(tmp_path / "plain")


def test_parallel_ingest_builds_the_same_index_as_serial(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    make_corpus(folder, 60, paragraphs=3)
    for f in SAMPLES.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    homes = {}
    for jobs in (1, 2):
        homes[jobs] = tmp_path / f"jobs{jobs}"
        with Archive(homes[jobs]) as archive, archive.writing(jobs=jobs):
            report = ingest(archive, [folder])
        assert not report.failed and report.indexed > 60
    serial, parallel = index_content(homes[1]), index_content(homes[2])
    assert ("body_g", "港口".encode()) in serial
    assert serial == parallel


def stored_rows(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "archive.db")
    rows = conn.execute(
        "SELECT a.id, a.title, a.author, a.source, a.published, a.body, a.content_hash, "
        "a.group_id, a.encoding, length(a.original), f.path, f.n FROM articles a "
        "JOIN file_articles f ON f.article_id = a.id ORDER BY a.id, f.path").fetchall()
    rows += conn.execute("SELECT hash, article_id FROM repost_keys ORDER BY 1, 2").fetchall()
    conn.close()
    return rows


def test_reading_in_worker_processes_stores_what_reading_in_one_does(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    make_corpus(folder, 40, paragraphs=3)
    for f in SAMPLES.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    repost = (folder / "0003.txt").read_text(encoding="utf-8").replace("编号甲0003号", "转载")
    (folder / "0003-copy.txt").write_text(repost + "\n本文转载自网络。\n", encoding="utf-8")
    (folder / "0007.txt").write_bytes((folder / "0007.txt").read_bytes())  # a duplicate file
    (folder / "0008-dup.txt").write_bytes((folder / "0008.txt").read_bytes())
    (folder / "empty.md").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "huge.txt").write_bytes("大".encode() * 400_000)
    (folder / "broken.jsonl").write_text('{"title": "好", "content": "正文"}\n{oops\n',
                                         encoding="utf-8")
    monkeypatch.setattr(ingest_module, "PARALLEL_FILES", 1)
    monkeypatch.setattr(reading, "CHUNK", 3)
    monkeypatch.setattr(reading, "AHEAD", 1)
    reports, homes = {}, {}
    for jobs in (1, 2):
        homes[jobs] = tmp_path / f"jobs{jobs}"
        with Archive(homes[jobs]) as archive, archive.writing(jobs=jobs):
            reports[jobs] = ingest(archive, [folder], max_bytes=1_000_000)
    assert reports[1] == reports[2]
    failed = {Path(f.path).name: f.reason for f in reports[2].failed}
    assert set(failed) == {"empty.md", "binary.txt", "huge.txt"}
    assert "over the 1 MB limit" in failed["huge.txt"]
    bad = [(Path(f.path).name, f.reason) for f in reports[2].bad_records]
    assert len(bad) == 1 and bad[0][0] == "broken.jsonl" and "line 2" in bad[0][1]
    assert reports[2].duplicate == 1 and reports[2].added == 40 + 6 + 2
    assert stored_rows(homes[1]) == stored_rows(homes[2])
    with Archive(homes[2]) as archive, archive.writing(jobs=2):
        assert archive.search("编号甲0003号").hits[0].reposts  # the copy was grouped with it
        again = ingest(archive, [folder], max_bytes=1_000_000)  # unchanged: nothing read
    assert again.unchanged == reports[2].files - len(failed)


def test_merging_segments_keeps_every_posting(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    make_corpus(folder, 60, paragraphs=3)
    one = tmp_path / "one"
    with Archive(one) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])  # one commit, one segment
    # Many small commits, merged as they pile up, fed by worker processes.
    monkeypatch.setattr(ingest_module, "SYNC_EVERY", 7)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    many = tmp_path / "many"
    with Archive(many) as archive, archive.writing(jobs=2):
        ingest(archive, [folder])
    assert 1 < len(segment_ids(many)) < 60 // 7  # merged, but not into one
    merged, single = index_content(many), index_content(one)
    del merged["order"], single["order"]  # a merge renumbers documents
    assert merged == single


@pytest.mark.parametrize("jobs", [1, 2])
def test_merging_segments_with_replaced_articles_keeps_only_the_new_text(
    tmp_path, monkeypatch, jobs
):
    folder = tmp_path / "files"
    make_corpus(folder, 30, paragraphs=3)
    monkeypatch.setattr(ingest_module, "SYNC_EVERY", 7)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)  # jobs=2: segments written by workers
    calls = {"shifted": 0, "renumbered": 0}
    live = columnar._live

    def counted(source, positions=True):
        calls["shifted" if source.renumber is None else "renumbered"] += 1
        return live(source, positions)

    monkeypatch.setattr(columnar, "_live", counted)
    many = tmp_path / "many"
    with Archive(many) as archive, archive.writing(jobs=jobs):
        ingest(archive, [folder])
    for path in sorted(folder.glob("*.txt"))[:12:3]:  # edited: their old documents are deleted
        path.write_text(path.read_text(encoding="utf-8") + "\n补充报道：港口夜间停航。\n",
                        encoding="utf-8")
    make_corpus(folder, 30, start=30, paragraphs=3)
    with Archive(many) as archive, archive.writing(jobs=jobs):
        ingest(archive, [folder])
    one = tmp_path / "one"
    monkeypatch.setattr(ingest_module, "SYNC_EVERY", 10_000)
    with Archive(one) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
    assert calls["shifted"] and calls["renumbered"]  # segments merged with and without deletions
    merged, single = index_content(many), index_content(one)
    del merged["order"], single["order"]
    assert merged == single
    with Archive(many) as archive:
        assert archive.search("港口夜间停航").total == 4


def test_a_failing_indexing_worker_loses_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    markers = make_corpus(folder, 24, paragraphs=2)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers, "START", "fork")  # the workers inherit the failing document()
    document = schema.document

    def disk_full_at_one_article(row):
        if markers[17] in row["body"]:
            raise OSError(28, "No space left on device")
        return document(row)

    monkeypatch.setattr(schema, "document", disk_full_at_one_article)
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=2):
        with pytest.raises(StorageError, match="failed: no space left on device.*run the same"):
            ingest(archive, [folder])
        assert archive.pending_count() == 24  # stored, waiting for the index
        assert archive.search(markers[3]).total == 0
    monkeypatch.setattr(schema, "document", document)  # the disk has room again
    with Archive(home) as archive, archive.writing(jobs=2):
        report = ingest(archive, [folder])
        assert report.unchanged == 24 and report.indexed == 24
        assert [archive.search(m).total for m in markers] == [1] * 24
        assert archive.check().healthy and archive.check().indexed == 24
    written = {p.name.split(".")[0] for p in (home / "index").glob("MAIN_*.*")}
    assert written == segment_ids(home)  # the failed run's segment files are gone


def test_saved_segment_arrays_answer_as_the_index_itself_does(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    make_corpus(folder, 20, paragraphs=2)
    authors, sources = (["郑海", "林舟", "周敏", "陈清", "王岚"],
                        ["海岸日报", "港航周刊", "江城晚报"])
    for i in range(36):  # twelve files of three articles, with sources, authors and dates
        record = {"title": f"港口观察第{i}期", "author": authors[i % 5], "source": sources[i % 3],
                  "pub_date": f"{2019 + i % 6}-0{1 + i % 9}-{10 + i % 17}",
                  "content": f"记者走访港口和市民。{'报道' * (1 + i % 4)}，第{i}期。"}
        with (folder / f"series{i // 3:02d}.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    monkeypatch.setattr(ingest_module, "SYNC_EVERY", 5)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    home = tmp_path / "home"
    with Archive(home) as archive, archive.writing(jobs=1):
        ingest(archive, [folder])
    files = sorted((home / "index").glob(f"*.{saved.SUFFIX}"))
    # merged segments' files are gone
    assert {p.name.split(".")[0] for p in files} == segment_ids(home)

    ix = index_folder.open_index(home / "index")
    with ix.reader() as reader:
        for leaf, _ in columns.leaves(reader):
            arrays = saved.load(leaf)
            read = saved.read_columns(leaf)
            assert (arrays["group"] == read.pop("group")).all()
            for name, (values, ords) in read.items():
                assert arrays[f"{name}.values"].tolist() == values
                assert (arrays[f"{name}.ords"] == ords).all()
            for name in schema.WORD_FIELDS + schema.GRAM_FIELDS:
                raw = columns.raw_lengths(leaf, name)  # None: no document has the field
                assert (arrays[f"length.{name}"] == raw).all() if raw is not None else (
                    f"length.{name}" not in arrays)
    ix.close()

    queries = [("市民", {}), ("记者", {"sort": "newest"}),
               ("报道", {"filters": Filters(year="2022")}),
               ("港口 -编号", {"sort": "oldest", "per_page": 20}), ("观察", {"page": 2})]

    def answers() -> list:
        with Archive(home) as archive:
            found = [archive.search(q, **kw) for q, kw in queries]
        return [(r.total, [(h.id, round(h.score, 5)) for h in r.hits], r.facets) for r in found]

    loaded = []
    load = saved.load
    monkeypatch.setattr(saved, "load", lambda r: loaded.append(1) or load(r))
    with_files = answers()
    assert loaded and all(total > 2 for total, _, _ in with_files)
    assert len(with_files[1][2]["author"]) == 5 and len(with_files[1][2]["year"]) == 6
    for path in files:
        path.unlink()
    monkeypatch.setattr(cache, "results", cache.ResultCache())  # answer again, not from memory
    assert answers() == with_files


def test_a_kept_archive_sees_new_articles_for_a_query_it_answered_before(tmp_path):
    home = tmp_path / "home"
    make_corpus(tmp_path / "first", 3)
    with Archive(home) as writer, writer.writing():
        ingest(writer, [tmp_path / "first"])
    with Archive(home) as reader:
        before = reader.search("市民")
        assert reader.search("市民").total == before.total == 3  # answered again, from cache
        added = make_corpus(tmp_path / "second", 2, start=3)
        with Archive(home) as writer, writer.writing():
            ingest(writer, [tmp_path / "second"])
        assert reader.search("市民").total == 5
        assert reader.search(added[0]).total == 1


def test_a_kept_archive_sees_merges_and_updates_as_a_new_one_does(tmp_path):
    # Whoosh's `Searcher.refresh` kept the segments a merge had replaced (a server counted
    # the merged articles twice) and the old deletions of a segment that gained new ones.
    home = tmp_path / "home"
    with Archive(home) as reader:
        for batch in range(merging.FAN_IN + 1):  # the last ingest merges four segments
            make_corpus(tmp_path / f"batch{batch}", 3, start=batch * 3)
            with Archive(home) as writer, writer.writing(jobs=1):
                ingest(writer, [tmp_path / f"batch{batch}"])
            assert reader.search("市民", reposts="all", per_page=100).total == 3 * (batch + 1)
        assert len(reader._searcher().whoosh.reader().leaf_readers()) < merging.FAN_IN
        edited = tmp_path / "batch4" / "0013.txt"  # in a segment the merge left alone
        edited.write_text(edited.read_text(encoding="utf-8") + "\n补记一段。\n", encoding="utf-8")
        with Archive(home) as writer, writer.writing(jobs=1):
            ingest(writer, [edited])
        assert reader.search("市民", reposts="all", per_page=100).total == 15
        assert reader.search("编号甲0013号").total == reader.search("补记一段").total == 1
        assert reader.check().healthy


def test_a_search_out_of_time_shows_what_it_found_and_asks_to_narrow_it(
    tmp_path, client_for, monkeypatch
):
    home = tmp_path / "home"
    for batch, (start, n) in enumerate([(0, 3), (3, 2)]):  # two commits: two segments
        make_corpus(tmp_path / f"batch{batch}", n, start=start)
        with Archive(home) as writer, writer.writing():
            ingest(writer, [tmp_path / f"batch{batch}"])
    monkeypatch.setattr(store.search.searcher, "SEARCH_SECONDS", -1.0)  # out of time at once
    with Archive(home) as archive:
        result = archive.search("市民")
        assert result.partial and "Narrow it down" in result.notice
        assert 0 < result.total < 5  # what the first segment found
        client = client_for(home)
        answer = client.get("/api/search?q=市民").get_json()
        assert answer["partial"] is True and "Narrow it down" in answer["notice"]
        page = client.get("/search?q=市民").get_data(as_text=True)
        assert "请缩小范围" in page
        monkeypatch.undo()
        assert not archive.search("市民").partial  # partial answers are not cached
        assert archive.search("市民").total == 5


def test_the_deadline_covers_showing_the_hits_of_a_huge_article(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "files"
    make_corpus(folder, 3)
    huge = "条例的第一款规定了市民的权利。" * 30_000 + "最后一句提到港口。"
    (folder / "huge.txt").write_text(f"一部很长的条例\n\n{huge}\n", encoding="utf-8")
    with Archive(home) as writer, writer.writing(jobs=1):
        ingest(writer, [folder], max_chars=1_000_000)
    with Archive(home) as archive:
        found = archive.search("市民", per_page=10)
        assert not found.partial and found.total == 4
        assert any("<mark>市民</mark>" in str(hit.snippet) for hit in found.hits)
        cache.results.clear()
        late = archive.search("市民", per_page=10, deadline=time.perf_counter() - 1)
        assert late.partial and "Narrow it down" in late.notice
        assert [hit.id for hit in late.hits] == [hit.id for hit in found.hits]
        shown = {hit.id: str(hit.snippet) for hit in late.hits}
        assert all("<mark>" not in s and s for s in shown.values())  # text's beginning
        assert not archive.search("市民", per_page=10).partial  # partial answers not cached
