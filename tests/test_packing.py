"""Articles' texts and original bytes stored packed (zstd), and archives stored before."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from pathlib import Path

import zstandard

from indexer.ingest import ingest
from store import Archive, database, packing

from .conftest import FIXTURES, SAMPLES

ROOT = Path(__file__).resolve().parent.parent
#: Made by the code of schema 2 (commit c432b44) from these fixtures: the text and the
#: original bytes stored plain.
SCHEMA_2 = ROOT / "tests" / "archives" / "schema-2"
SCHEMA_2_FILES = ["cna_wind_farm.txt", "ltn_light_rail_big5.html", "taipei_bus_big5.txt",
                  "udn_lanterns.html", "wechat_rain_garden.txt", "xinhua_year_end.txt"]


def stored(home: Path) -> list[tuple]:
    """(id, type of the text, its bytes as stored, characters) of every article."""
    db = sqlite3.connect(home / "archive.db")
    try:
        return db.execute("SELECT id, typeof(body), length(CAST(body AS BLOB)), chars "
                          "FROM articles ORDER BY id").fetchall()
    finally:
        db.close()


def test_originals_come_back_byte_for_byte_from_packed_rows(wenhai, home, samples):
    assert wenhai("ingest", samples).exit_code == 0
    with Archive(home) as archive:
        for article_id, kind, packed, chars in stored(home):
            assert kind == "blob" and packed < chars * 3  # UTF-8 would be 3 bytes a character
            name, original = archive.original(article_id)
            if not name.endswith(".jsonl"):  # one file, several articles: the record's bytes
                assert original == (samples / name).read_bytes(), name
        assert archive.search("碳纤维机盖").hits[0].title
        hood = archive.get(archive.search("碳纤维机盖").hits[0].id)
        assert "碳纤维机盖" in hood.body and hood.size == len(archive.original(hood.id)[1])
        assert archive.check().healthy
    stats = wenhai("stats", "--json")
    assert '"body_chars": ' in stats.stdout and '"body_chars": 0' not in stats.stdout


def page_size(home: Path) -> int:
    db = sqlite3.connect(home / "archive.db")
    try:
        return db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()


def test_a_new_archive_keeps_several_articles_to_a_page(wenhai, home, samples):
    """Pages of 16 KB: a packed article of 2-3 KB filled a 4 KB page alone."""
    assert wenhai("ingest", samples).exit_code == 0
    assert page_size(home) == database.PAGE_SIZE == 16384
    db = sqlite3.connect(home / "archive.db")
    rows = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    pages = db.execute("SELECT count(*) FROM dbstat WHERE name = 'articles'").fetchone()[0] \
        if _has_dbstat(db) else None
    db.close()
    if pages is not None:
        assert pages < rows


def _has_dbstat(db: sqlite3.Connection) -> bool:
    try:
        db.execute("SELECT 1 FROM dbstat LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
        return False
    return True


def _articles(n: int) -> dict[str, str]:
    """`n` articles of real sentences (the fixtures'), each a different draw."""
    text = "".join(p.read_text(encoding="utf-8") for p in [
        *sorted(FIXTURES.glob("*.txt")), *sorted(SAMPLES.glob("*.txt"))]
        if "big5" not in p.name and "gb18030" not in p.name)
    sentences = [s for s in re.findall(r"[^。！？\n]+[。！？]", text) if len(s) > 8]
    rng = random.Random(28)
    return {f"第{i}篇.txt": f"样稿第{i}篇\n\n" + "".join(rng.sample(sentences, 12))
            for i in range(n)}


def test_dictionaries_trained_as_the_archive_grows_read_beside_each_other(
        tmp_path, home, monkeypatch):
    monkeypatch.setattr(packing, "TRAIN_AT", (40, 100))
    folder = tmp_path / "稿件"
    folder.mkdir()
    for name, body in _articles(130).items():
        (folder / name).write_text(body, encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [folder]).added == 130
    db = sqlite3.connect(home / "archive.db")
    trained = db.execute("SELECT id, articles FROM dictionaries ORDER BY id").fetchall()
    frames = {i: zstandard.get_frame_parameters(body).dict_id
              for i, body in db.execute("SELECT id, body FROM articles")}
    db.close()
    utf16 = packing.UTF16
    assert trained == [(utf16 + 1, 40), (utf16 + 2, 100)]
    # Rows before the first dictionary have none; each later row names the newest.
    assert {frames[i] for i in range(1, 40)} == {0}
    assert {frames[i] for i in range(41, 100)} == {utf16 + 1}
    assert {frames[i] for i in range(101, 131)} == {utf16 + 2}
    with Archive(home) as archive:
        for article_id in (1, 60, 130):
            name, original = archive.original(article_id)
            assert original == (folder / name).read_bytes()
            sentence = archive.get(article_id).body.split("。")[3]
            assert article_id in archive.matching_ids(f'"{sentence}"')
        assert archive.check().healthy


def test_texts_packed_in_utf8_with_a_dictionary_read_beside_utf16_ones(
        tmp_path, home, monkeypatch):
    # Until 2026-12 a dictionary's texts were UTF-8 (ids without `UTF16`): an archive
    # that has some goes on with UTF-16 ones from its next dictionary.
    monkeypatch.setattr(packing, "TRAIN_AT", (40, 100))
    articles = _articles(130)
    folder = tmp_path / "稿件"
    folder.mkdir()
    names = list(articles)
    for name in names[:70]:
        (folder / name).write_text(articles[name], encoding="utf-8")
    with monkeypatch.context() as before:
        before.setattr(packing, "UTF16", 0)  # the code before: UTF-8, ids from 1
        with Archive(home) as archive, archive.writing(jobs=1):
            assert ingest(archive, [folder]).added == 70
    for name in names[70:]:
        (folder / name).write_text(articles[name], encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [folder]).added == 60
    db = sqlite3.connect(home / "archive.db")
    trained = db.execute("SELECT id, articles FROM dictionaries ORDER BY id").fetchall()
    rows = db.execute("SELECT id, body FROM articles ORDER BY id").fetchall()
    data = {i: zstandard.ZstdCompressionDict(bytes(d))
            for i, d in db.execute("SELECT id, data FROM dictionaries")}
    db.close()
    assert trained == [(1, 40), (packing.UTF16 + 2, 100)]
    with Archive(home) as archive:
        for article_id, body in rows:
            dict_id = zstandard.get_frame_parameters(body).dict_id
            if article_id not in (40, 100):  # where a dictionary is trained
                assert dict_id == (0 if article_id < 40 else 1 if article_id < 100
                                   else packing.UTF16 + 2)
            raw = zstandard.ZstdDecompressor(dict_data=data.get(dict_id)).decompress(body)
            text = archive.get(article_id).body
            assert raw == text.encode("utf-16-le" if dict_id & packing.UTF16 else "utf-8")
            name, original = archive.original(article_id)
            assert original == (folder / name).read_bytes()
            assert article_id in archive.matching_ids(f'"{text.split("。")[3]}"')
        assert archive.check().healthy
        # A text holding a high and a low surrogate, each alone, which UTF-16 would read
        # back as one character: packed in UTF-8, without the dictionary.
        odd = "孤立的代理项\ud83d\udc80之后，正文照常。"
        body, original = packing.pack(archive.db, odd, b"raw")
        assert zstandard.get_frame_parameters(body).dict_id == 0
        assert packing.text(archive.db, body) == odd
        assert packing.original(archive.db, body, original) == b"raw"
        plain = "没有代理项的文字\udc80照常用字典。"
        body, _ = packing.pack(archive.db, plain, b"")
        assert zstandard.get_frame_parameters(body).dict_id == packing.UTF16 + 2
        assert packing.text(archive.db, body) == plain


def test_an_archive_stored_plain_opens_as_it_is_and_packs_what_comes_after(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(SCHEMA_2, home)
    db_bytes = (home / "archive.db").read_bytes()
    with Archive(home) as archive:  # a reader reads it as it is
        assert [h.id for h in archive.search("高雄轻轨").hits] == [2]
        for article_id, name in enumerate(SCHEMA_2_FILES, start=1):
            assert archive.original(article_id) == (name, (FIXTURES / name).read_bytes())
            assert archive.get(article_id).size == (FIXTURES / name).stat().st_size
        assert archive.check().healthy
        assert archive.stats()["original_bytes"] == sum(
            (FIXTURES / name).stat().st_size for name in SCHEMA_2_FILES)
    assert (home / "archive.db").read_bytes() == db_bytes  # and changes nothing
    new = tmp_path / "打包之后.txt"
    new.write_text("升级之后写入的第一篇文章，正文压缩存储，原件逐字节保留。", encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [new]).added == 1
    rows = stored(home)
    assert [kind for _, kind, _, _ in rows] == ["text"] * 6 + ["blob"]
    assert page_size(home) == 4096  # as it was made: only a new database takes 16 KB
    with Archive(home) as archive:
        assert archive.original(7) == ("打包之后.txt", new.read_bytes())
        name = SCHEMA_2_FILES[1]
        assert archive.original(2) == (name, (FIXTURES / name).read_bytes())
        assert archive.search("原件逐字节保留").total == 1
        assert archive.stats()["body_chars"] == sum(chars for *_, chars in rows) > 0
        assert archive.check().healthy


def test_check_names_the_article_whose_packed_text_is_damaged(wenhai, home, samples):
    assert wenhai("ingest", samples).exit_code == 0
    db = sqlite3.connect(home / "archive.db")
    article_id, body = db.execute("SELECT id, body FROM articles ORDER BY id LIMIT 1").fetchone()
    broken = bytearray(body)
    broken[len(broken) // 2] ^= 0xFF
    db.execute("UPDATE articles SET body = ? WHERE id = ?", (bytes(broken), article_id))
    db.commit()
    db.close()
    result = wenhai("check")
    assert result.exit_code == 1
    assert f"1 stored articles cannot be unpacked (article {article_id}: " in result.output
    assert "restore it from a backup" in result.output
