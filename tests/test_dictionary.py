"""The user dictionary: `wenhai dict add/remove/list/suggest` on real archives.

A word added reaches the articles that contain it (and only those), the queries of
every process that searches (the CLI, worker processes, a running server), and
`wenhai check` knows which dictionary the index was built with.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from whoosh import index as windex

from indexer.ingest import ingest
from store import Archive
from store.engine import schema, workers
from store.engine.writer import Writer
from store.text import newwords, segmenter, userwords
from store.text.normalize import normalize

from .conftest import FIXTURES, SAMPLES
from .test_indexing_paths import index_content

WORD = "小米汽车"
WORDS_APART = "车展观察：汽车智能化成为主角"  # has 小米 and 汽车, never 小米汽车


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The sample articles and a few about 小米汽车, YU7 and 米粉 (the food)."""
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLES, folder)
    for f in (FIXTURES / "dictionary").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


@pytest.fixture
def filled(wenhai, corpus: Path, home: Path) -> Path:
    """The archive in `home`, with `corpus` ingested."""
    result = wenhai("ingest", corpus)
    assert result.exit_code == 0, result.output
    return home


def titles(home: Path, query: str) -> list[str]:
    with Archive(home) as archive:
        return [hit.title for hit in archive.search(query, per_page=50).hits]


def docnums(home: Path) -> dict[str, int]:
    """Each article id's document number in the index."""
    ix = windex.open_dir(str(home / "index"), schema=schema.schema())
    with ix.reader() as reader:
        return {fields["id"]: docnum for docnum, fields in reader.iter_docs()}


def word_terms(home: Path, article_id: str) -> set[str]:
    """The words the index holds for one article's body."""
    return {key[1].decode() for key, rows in index_content(home).items()
            if key[0] == "body" and any(row[0] == article_id for row in rows)}


def containing(home: Path, text: str) -> set[str]:
    """Ids of the stored articles whose title or body contains `text` (read directly)."""
    with Archive(home) as archive:
        return {str(a.id) for a in archive.articles()
                if text in normalize(a.title) or text in normalize(a.body)}


def test_a_word_added_is_one_word_in_the_articles_that_have_it_and_only_those(
    wenhai, filled, home,
):
    with Archive(home) as archive:
        [launch_id] = [str(h.id) for h in archive.search("title:小米汽车发布YU7").hits]
    # jieba splits it: the query finds an article with 小米 and 汽车 apart, and the
    # index holds 小米 and 汽车 for the launch article, not 小米汽车
    assert WORDS_APART in titles(home, WORD)
    assert {"小米", "汽车"} <= word_terms(home, launch_id)
    assert WORD not in word_terms(home, launch_id)
    before = docnums(home)
    having = containing(home, WORD)
    assert 0 < len(having) < len(before)

    result = wenhai("dict", "add", WORD)

    assert result.exit_code == 0, result.output
    assert f"updated {len(having)} articles (those containing {WORD})" in result.output
    assert (home / "dictionary.txt").read_text(encoding="utf-8") == f"{WORD}\n"
    # one word now: in the index, and in the query, which no longer matches it apart
    assert WORD in word_terms(home, launch_id)
    found = titles(home, WORD)
    assert WORDS_APART not in found and len(found) == len(having)
    # the other articles were not indexed again: the same documents, numbered as before
    after = docnums(home)
    untouched = set(before) - having
    assert {i: after[i] for i in untouched} == {i: before[i] for i in untouched}
    assert all(after[i] != before[i] for i in having)
    assert wenhai("check").exit_code == 0

    listed = wenhai("dict", "list")
    assert listed.output.splitlines()[-1] == WORD

    removed = wenhai("dict", "remove", WORD)
    assert removed.exit_code == 0, removed.output
    assert f"updated {len(having)} articles" in removed.output
    assert WORDS_APART in titles(home, WORD)
    assert WORD not in word_terms(home, launch_id)
    assert wenhai("check").exit_code == 0


def test_an_archive_changed_word_by_word_is_the_one_built_with_the_dictionary(
    wenhai, filled, home, corpus, tmp_path, monkeypatch,
):
    """Re-segmenting only the articles that contain the words gives the index a whole
    build with the dictionary gives, built here by worker processes."""
    assert wenhai("dict", "add", WORD, "米粉", "YU7", "1000").exit_code == 0
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    built = tmp_path / "built"
    built.mkdir()
    shutil.copy(home / "dictionary.txt", built / "dictionary.txt")
    with Archive(built) as archive, archive.writing(jobs=2):
        assert ingest(archive, [corpus]).indexed > 10
    changed, whole = index_content(home), index_content(built)
    del changed["order"], whole["order"]
    assert ("body", WORD.encode()) in whole
    assert changed == whole


def test_a_running_server_segments_queries_with_the_new_word_once_it_is_committed(
    wenhai, filled, home,
):
    proc = subprocess.Popen(
        [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(home),
         "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        assert proc.stdout.readline().startswith("wenhai: ")
        url = proc.stdout.readline().split()[2]

        def total() -> list[str]:
            query = urllib.parse.quote(WORD)
            with urllib.request.urlopen(f"{url}api/search?q={query}&per_page=50",
                                        timeout=30) as r:
                return [hit["title"] for hit in json.load(r)["hits"]]

        assert WORDS_APART in total()
        assert wenhai("dict", "add", WORD).exit_code == 0
        assert WORDS_APART not in total()
        assert wenhai("dict", "remove", WORD).exit_code == 0
        assert WORDS_APART in total()
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_check_knows_the_dictionary_the_index_was_built_with(wenhai, filled, home):
    (home / "dictionary.txt").write_text(f"{WORD} 2000 nz\n", encoding="utf-8")

    found = wenhai("check")

    assert found.exit_code == 1
    assert (f"words:   the index was segmented with another dictionary than "
            f"{home / 'dictionary.txt'} (1 word differ: {WORD}); run `wenhai check --repair`"
            in found.output)
    assert WORDS_APART in titles(home, WORD)  # searches keep the index's dictionary
    repaired = wenhai("check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert WORDS_APART not in titles(home, WORD)
    assert wenhai("check").exit_code == 0
    assert wenhai("dict", "list").output.splitlines()[-1] == f"{WORD} 2000 nz"


def test_reindex_builds_with_the_dictionary(wenhai, filled, home):
    (home / "dictionary.txt").write_text(f"{WORD}\n", encoding="utf-8")
    assert wenhai("reindex").exit_code == 0
    assert wenhai("check").exit_code == 0
    assert WORDS_APART not in titles(home, WORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "小米 汽车"), "Error: Cannot add '小米 汽车' has a space in it"),
        (("add", "，，"), "Error: Cannot add '，，' has no letter, digit or Chinese character"),
        (("add", "100"), "Error: 100: a frequency must follow a word (wenhai dict add 小米汽车"),
        (("remove", "米粉"), "Error: 米粉: not in the dictionary"),
    ],
)
def test_a_word_that_cannot_be_added_or_removed_says_why(wenhai, filled, home, args, message):
    result = wenhai("dict", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (home / "dictionary.txt").exists()


def test_a_dictionary_file_that_is_not_utf8_or_has_a_bad_line_is_named(wenhai, filled, home):
    path = home / "dictionary.txt"
    path.write_bytes("小米汽车\n".encode("gb18030"))
    result = wenhai("dict", "list")
    assert result.exit_code == 1
    assert f"Error: The dictionary {path} is not UTF-8 (byte 2)" in result.output
    path.write_text("小米汽车\n  \n小米 汽车\n", encoding="utf-8")
    result = wenhai("dict", "add", "米粉")
    assert result.exit_code == 1
    assert f"Error: {path}, line 3: '小米 汽车' has a space in it" in result.output
    assert "Fix or delete that line" in result.output


def test_suggest_proposes_the_brand_jieba_splits(wenhai, filled, home):
    result = wenhai("dict", "suggest", "--limit", "5")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split("\t")
    assert first[0] == WORD
    with Archive(home) as archive:
        assert int(first[1]) == sum((a.title + a.body).count(WORD) for a in archive.articles())
    assert float(first[2]) > 0 and first[3] == "小米 / 汽车"
    assert wenhai("dict", "add", WORD).exit_code == 0
    after = wenhai("dict", "suggest", "--limit", "5").output
    assert WORD not in after


def test_the_dictionary_in_use_is_the_threads_own():
    """A server's threads each segment with their own archive's dictionary."""
    words = userwords.for_jieba([("小米汽车", None, None)])
    seen: dict[str, list[str]] = {}
    ready = threading.Barrier(2)

    def cut(name: str, entries) -> None:
        with segmenter.using(entries):
            ready.wait()
            seen[name] = segmenter.cut("小米汽车发布")

    threads = [threading.Thread(target=cut, args=("user", words)),
               threading.Thread(target=cut, args=("jieba", ()))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"user": ["小米汽车", "发布"], "jieba": ["小米", "汽车", "发布"]}
    assert segmenter.cut("小米汽车") == ["小米", "汽车"]  # outside any `using`
    with segmenter.using(userwords.for_jieba([("ＹＵ７款", None, None)])):
        assert [w for w, _, _ in segmenter.tokenize("小米yu7款")] == ["小米", "yu7款"]
        assert segmenter.is_word("yu7款")


def test_suggest_finds_names_that_mix_han_letters_and_digits():
    """问界M9 is 问界/m9 to jieba and three units to the index (问, 界, m, 9 → 问界m9):
    a model name repeated in varied sentences comes out first."""
    sentences = ["今天试驾了问界M9，感觉不错。", "问界M9的销量上个月破万。",
                 "很多人拿问界M9和理想比较。", "据说问界Ｍ９还要降价", "我朋友刚提了问界m9！",
                 "这辆问界M9是黑色的。", "周末去看问界M9车展。"]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in SAMPLES.glob("*.txt")]
    texts += sentences
    found = newwords.candidates(texts, limit=3)
    assert found[0].text == "问界m9"
    assert found[0].count == 7 and found[0].pieces == ["问界", "m9"]


def test_a_change_stopped_before_the_index_is_written_is_found_and_repaired(
    wenhai, filled, home, monkeypatch,
):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Writer, "update_document", full_disk)
        failed = wenhai("dict", "add", WORD)
    assert failed.exit_code == 1
    assert f"Error: Writing to the archive at {home} failed: no space left on device" in (
        failed.output)
    # the word is in the user's file, not in the index: searches still split it
    assert WORDS_APART in titles(home, WORD)
    found = wenhai("check")
    assert found.exit_code == 1 and f"(1 word differ: {WORD})" in found.output
    assert wenhai("check", "--repair").exit_code == 0
    assert WORDS_APART not in titles(home, WORD)
    assert wenhai("check").exit_code == 0
