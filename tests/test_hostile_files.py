"""Odd files in a batch (issue 27): each is one line naming the file, saying what happened
and what to do; the exit status says whether anything failed; every other file is stored.

Each test builds its hostile input itself. Inputs that hung or exhausted memory before
(a FIFO, /dev/zero) run `wenhai` in a subprocess with a timeout and a memory cap, so a
regression fails the test instead of the machine; every subprocess is reaped.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

TOPICS = ["港口", "茶叶", "地铁", "图书馆", "法院", "电池", "稻田", "桥梁"]


def good_files(folder: Path, n: int = 2) -> list[str]:
    """`n` ordinary articles in `folder`, each with a marker word; returns the markers."""
    folder.mkdir(parents=True, exist_ok=True)
    markers = []
    for i in range(n):
        marker = f"正常稿件{i:02d}号"
        topic = TOPICS[i % len(TOPICS)]
        (folder / f"good{i:02d}.txt").write_text(
            f"{topic}新闻{i}\n\n{marker}：{topic}的消息，记者现场采访了市民。\n", encoding="utf-8"
        )
        markers.append(marker)
    return markers


def total(wenhai, query: str) -> int:
    return json.loads(wenhai("search", query, "--json").stdout)["total"]


def assert_stored(wenhai, markers: list[str]) -> None:
    for marker in markers:
        assert total(wenhai, marker) == 1, marker


def lines(stderr: str, prefix: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(prefix)]


def wenhai_process(home: Path, *args: str | Path, timeout: float = 120,
                   memory: int = 1 << 30) -> subprocess.CompletedProcess:
    """`wenhai` in a subprocess, killed after `timeout` s, its address space capped."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory * 4, memory * 4))

    cmd = [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(home),
           *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=cap, env={**os.environ, "PYTHONPATH": str(Path.cwd())})


# 1. Links out of the folders named -------------------------------------------------------

def test_a_link_out_of_the_folder_is_left_out_and_named(wenhai, tmp_path):
    folder = tmp_path / "s"
    markers = good_files(folder)
    secret = tmp_path / "elsewhere" / "密码.txt"
    secret.parent.mkdir()
    secret.write_text("秘密文件\n\n不该被收进文海的密码口令。\n", encoding="utf-8")
    os.symlink(secret, folder / "p.txt")
    os.symlink(secret.parent, folder / "外面的文件夹")
    result = wenhai("ingest", folder)
    assert result.exit_code == 0, result.output
    assert sorted(lines(result.stderr, "skipped:")) == [
        f"skipped: {folder / 'p.txt'}: is a symbolic link to {secret}, outside the folders "
        "named on the command line (pass --follow-symlinks to read it)",
        f"skipped: {folder / '外面的文件夹'}: is a symbolic link to {secret.parent}, outside "
        "the folders named on the command line (pass --follow-symlinks to read it)",
    ]
    assert result.stdout.strip() == (
        "2 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed, 2 skipped")
    assert total(wenhai, "密码口令") == 0
    assert_stored(wenhai, markers)


def test_follow_symlinks_reads_links_out_of_the_folder_once_even_when_they_loop(
        wenhai, tmp_path):
    folder = tmp_path / "s"
    markers = good_files(folder)
    outside = tmp_path / "elsewhere"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "外面.txt").write_text("外面的文章\n\n链接那头的稿件。\n", encoding="utf-8")
    os.symlink(outside, folder / "外面")
    os.symlink(folder, outside / "sub" / "back")  # leads back in: a loop when links are followed
    result = wenhai("ingest", "--follow-symlinks", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed")
    assert total(wenhai, "链接那头") == 1
    assert_stored(wenhai, markers)


def test_links_inside_the_folder_are_read_and_broken_links_named(wenhai, tmp_path):
    folder = tmp_path / "s"
    markers = good_files(folder)
    os.symlink(folder / "good00.txt", folder / "同一篇.txt")  # inside: read, the same file
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert sorted(lines(result.stderr, "failed:")) == [
        f"failed: {folder / 'dangling.txt'}: is a symbolic link to {folder / 'nowhere.txt'}, "
        "which does not exist: fix or remove the link",
        f"failed: {folder / 'loop.txt'}: is a symbolic link that leads back to itself "
        "(→ loop.txt): fix or remove the link",
    ]
    assert result.stdout.startswith("2 added, 0 updated, 1 unchanged, 0 duplicate, 2 failed")
    assert_stored(wenhai, markers)


# 2. FIFOs and devices --------------------------------------------------------------------

def test_a_fifo_is_refused_at_once_and_the_files_around_it_are_stored(tmp_path):
    folder = tmp_path / "f"
    markers = good_files(folder, 3)
    os.mkfifo(folder / "good01-pipe.txt")  # sorted between the good files
    result = wenhai_process(tmp_path / "home", "ingest", folder, timeout=120)
    assert result.returncode == 1, result.stderr
    assert lines(result.stderr, "failed:") == [
        f"failed: {folder / 'good01-pipe.txt'}: is a named pipe (FIFO), not a regular file: "
        "wenhai reads only regular files"
    ]
    for marker in markers:
        found = wenhai_process(tmp_path / "home", "search", marker, "--json")
        assert json.loads(found.stdout)["total"] == 1, marker


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_not_read_without_end(tmp_path, device):
    folder = tmp_path / "z"
    markers = good_files(folder)
    os.symlink(device, folder / "device.txt")
    home = tmp_path / "home"
    # Followed on request, or named on the command line: refused by what it is, not read.
    result = wenhai_process(home, "ingest", "--follow-symlinks", folder, folder / "device.txt",
                            memory=1 << 30)
    assert result.returncode == 1, result.stderr
    assert lines(result.stderr, "failed:") == [
        f"failed: {folder / 'device.txt'}: is a character device (like /dev/zero), not a "
        "regular file: wenhai reads only regular files"
    ]
    assert result.stdout.startswith("2 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed")
    for marker in markers:
        found = wenhai_process(home, "search", marker, "--json")
        assert json.loads(found.stdout)["total"] == 1, marker


def test_reads_are_bounded_by_the_limit_whatever_stat_said(tmp_path):
    from indexer.errors import IngestError
    from indexer.files import read_bounded

    maps = Path("/proc/self/maps")  # a regular file that stat says is empty
    assert maps.stat().st_size == 0
    with pytest.raises(IngestError) as e:
        read_bounded(maps, "maps.txt", 100)
    assert str(e.value) == ("maps.txt: is larger than the 0 MB limit: split it, or raise the "
                            "limit with --max-size")
    exact = tmp_path / "长文.txt"
    exact.write_bytes("长".encode() * 1000)
    assert read_bounded(exact, "长文.txt", 3000) == "长".encode() * 1000


# 7. Names that are not UTF-8 -------------------------------------------------------------

def raw_zip(members: list[tuple[bytes, bytes]]) -> bytes:
    """A stored zip whose member names are the given bytes, without the UTF-8 flag (as
    Windows writes them)."""
    import struct
    import zlib

    body, directory = b"", b""
    for name, data in members:
        crc = zlib.crc32(data)
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data),
                            len(data), len(name), 0) + name + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc,
                                 len(data), len(data), len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    return body + directory + end


def test_file_names_that_are_not_utf8_are_stored_and_shown_decoded(wenhai, tmp_path):
    folder = tmp_path / "n"
    markers = good_files(folder)
    raw = os.fsencode(folder)
    gbk = raw + b"/gbk\xd6\xd0\xce\xc4.txt"  # gbk中文.txt, as a Windows zip unpacked keeps it
    with open(gbk, "wb") as f:
        f.write("这篇稿件的文件名是国标码。".encode())
    with open(raw + b"/bad\xff\xfe.txt", "wb") as f:  # no encoding at all
        f.write("这篇稿件的文件名什么编码都不是。".encode())
    with open(raw + b"/empty\xd6\xd0.txt", "wb"):
        pass
    (folder / "win.zip").write_bytes(raw_zip([
        ("江城/报道.txt".encode("gbk"), "压缩包里用国标码命名的稿件。".encode()),
        ("上海/消息.txt".encode(), "压缩包里用万国码命名却没有标记的稿件。".encode()),
        (b"odd\xff.txt", "压缩包里无从解读的名字。".encode()),
    ]))
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert lines(result.stderr, "failed:") == [f"failed: {folder}/empty中.txt: is empty"]
    assert result.stdout.startswith("7 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed")
    assert_stored(wenhai, markers)

    def shown(query: str) -> dict:
        hits = json.loads(wenhai("search", query, "--json").stdout)["hits"]
        assert len(hits) == 1, query
        return json.loads(wenhai("show", str(hits[0]["id"]), "--json").stdout)

    article = shown("文件名是国标码")
    assert article["title"] == "gbk中文"  # from the name, decoded
    assert article["path"] == f"{folder}/gbk\\xd6\\xd0\\xce\\xc4.txt"  # the bytes, kept
    assert shown("什么编码都不是")["path"] == f"{folder}/bad\\xff\\xfe.txt"
    assert shown("国标码命名")["path"] == f"{folder}/win.zip!江城/报道.txt"
    assert shown("没有标记")["path"] == f"{folder}/win.zip!上海/消息.txt"
    assert shown("无从解读")["title"] == "odd\\xff"
    # A re-run finds every file unchanged under the same names.
    again = wenhai("ingest", folder)
    assert again.stdout.startswith("0 added, 0 updated, 7 unchanged, 0 duplicate, 1 failed")


# 6. One bad byte -------------------------------------------------------------------------

def test_one_bad_byte_is_replaced_counted_and_the_article_stored(wenhai, tmp_path):
    folder = tmp_path / "b"
    markers = good_files(folder)
    text = ("坏字节文章\n\n这一篇文章几乎全部是合法的文字，只有一个坏字节。"
            "后面还有很多正常的中文句子。\n")
    raw = text.encode()
    cut = raw.index("。".encode()) + 3
    (folder / "ff.txt").write_bytes(raw[:cut] + b"\xff" + raw[cut:])
    (folder / "nul.txt").write_bytes(
        text.replace("坏字节", "空字符").encode()[:cut] + b"\x00" + text.encode()[cut:])
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 4)
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert lines(result.stderr, "note:") == [
        f"note: {folder / name}: read as utf-8 with 1 bad byte (not valid utf-8, or NUL) "
        "replaced by �: if the text looks wrong, pass its encoding with --encoding NAME"
        for name in ("ff.txt", "nul.txt")
    ]
    assert lines(result.stderr, "failed:") == [
        f"failed: {folder / 'junk.txt'}: cannot be decoded as UTF-8, UTF-16, GB18030 or Big5: "
        "if you know its encoding, pass it with --encoding NAME"
    ]
    assert result.stdout.startswith("4 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed")
    assert_stored(wenhai, markers)
    hits = json.loads(wenhai("search", "后面还有很多正常的中文句子", "--json").stdout)["hits"]
    shown = [json.loads(wenhai("show", str(h["id"]), "--json").stdout) for h in hits]
    assert sorted((a["title"], a["encoding"]) for a in shown) == [
        ("坏字节文章", "utf-8, 1 bad byte shown as �"),
        ("空字符文章", "utf-8, 1 bad byte shown as �"),
    ]
    assert all("只有一个坏字节。�后面" in a["body"] or "只有一个空字符。�后面" in a["body"]
               for a in shown)


# 6 and 9. JSON: errors belong to records ---------------------------------------------------

def record(title: str, text: str, **more) -> str:
    return json.dumps({"title": title, "content": text, **more}, ensure_ascii=False)


def test_bad_jsonl_lines_are_reported_each_and_the_good_records_stored(wenhai, tmp_path):
    folder = tmp_path / "j"
    markers = good_files(folder)
    export = folder / "export.jsonl"
    export.write_text("\n".join([
        record("第一条", "第一条记录讲述港口的新闻。"),
        '{"title": "大数", "content": "一个五千位的数字。", "n": ' + "9" * 5000 + "}",
        "[" * 50_000 + "]" * 50_000,
        '{"title": "半截",',
        record("第二条", "第二条记录讲述茶叶的新闻。"),
    ]) + "\n", encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert lines(result.stderr, "failed:") == [
        f"failed: {export}: line 3 is nested too deeply to read (JSON arrays or objects more "
        "than about 1,000 levels deep): flatten it, or leave it out",
        f"failed: {export}: line 4 is not valid JSON (Expecting property name enclosed in "
        "double quotes)",
    ]
    assert result.stdout.strip() == ("3 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed; "
                                     "2 bad records in files stored")
    assert_stored(wenhai, markers)
    for found in ("第一条记录", "第二条记录", "五千位的数字"):  # the long number is kept as digits
        assert total(wenhai, found) == 1, found


def test_a_jsonl_file_without_text_is_one_line_naming_its_keys(wenhai, tmp_path):
    folder = tmp_path / "j"
    markers = good_files(folder)
    export = folder / "inews.jsonl"
    export.write_text("".join(
        json.dumps({"id": i, "headline": f"标题{i}", "label": i % 3}, ensure_ascii=False) + "\n"
        for i in range(7246)), encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"failed: {export}: none of its 7,246 records has text: their keys are id, headline, "
        "label; wenhai takes the text from the key content, text, body, article, content_text, "
        "正文 or 内容"
    ]
    assert result.stdout.strip() == "2 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed"
    assert_stored(wenhai, markers)


def test_many_bad_records_beside_good_ones_are_named_up_to_a_cap_then_counted(wenhai, tmp_path):
    folder = tmp_path / "j"
    markers = good_files(folder)
    export = folder / "mixed.jsonl"
    rows = [record("好记录", "唯一一条有正文的记录，讲述稻田。")]
    rows += [json.dumps({"title": f"空{i}"}, ensure_ascii=False) for i in range(25)]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    failed = lines(result.stderr, "failed:")
    assert len(failed) == 11
    assert failed[0] == (f"failed: {export}: line 2 has no text: its keys are title; wenhai "
                         "takes the text from the key content, text, body, article, "
                         "content_text, 正文 or 内容")
    assert failed[-1] == (f"failed: {export}: 15 more records could not be read (1 of 26 "
                          "records stored)")
    assert result.stdout.strip() == ("3 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed; "
                                     "25 bad records in files stored")
    assert total(wenhai, "讲述稻田") == 1
    assert_stored(wenhai, markers)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[" * 50_000 + "]" * 50_000, "is nested too deeply to read (JSON arrays or objects "
                                      "more than about 1,000 levels deep): flatten it, or "
                                      "leave it out"),
        ('{"title": "一条", "n": ' + "1" * 4301 + "}", "the file has no text: its keys are "
         "title, n; wenhai takes the text from the key content, text, body, article, "
         "content_text, 正文 or 内容"),
    ],
)
def test_a_json_file_too_deep_or_with_a_huge_number_is_one_line(wenhai, tmp_path, content,
                                                                 reason):
    folder = tmp_path / "j"
    markers = good_files(folder)
    (folder / "odd.json").write_text(content, encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"failed: {folder / 'odd.json'}: {reason}"]
    assert_stored(wenhai, markers)


# 11. Zips: members leaving the zip, zips inside zips ---------------------------------------

def zip_bytes(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_leaving_the_zip_are_named_and_zips_inside_zips_read(wenhai, tmp_path):
    folder = tmp_path / "zz"
    markers = good_files(folder)
    deepest = zip_bytes({"最深.txt": "第四层的稿件。".encode()})
    deeper = zip_bytes({"第三层.txt": "第三层压缩包里的稿件，讲述桥梁。".encode(),
                        "deepest.zip": deepest})
    inner = zip_bytes({"内层.txt": "内层压缩包里的稿件，讲述电池。".encode(), "deeper.zip": deeper})
    export = folder / "export.zip"
    export.write_bytes(zip_bytes({
        "ok.txt": "压缩包里正常的稿件，讲述医院。".encode(),
        "../evil.txt": "想写到上级目录的稿件。".encode(),
        "/etc/cron.txt": "想写到绝对路径的稿件。".encode(),
        "inner.zip": inner,
    }))
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert lines(result.stderr, "skipped:") == [
        f"skipped: {export}!{name}: has a path that leaves the zip, as a zip-slip attack's "
        "does: left out (if you trust the zip, unpack it yourself and ingest the folder)"
        for name in ("../evil.txt", "/etc/cron.txt")
    ]
    assert lines(result.stderr, "failed:") == [
        f"failed: {export}!inner.zip!deeper.zip!deepest.zip: is a zip nested more than 2 "
        "deep: unpack it and ingest the folder"
    ]
    assert result.stdout.strip() == (
        "5 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed, 2 skipped")
    for text in ("讲述医院", "讲述电池", "讲述桥梁"):
        assert total(wenhai, text) == 1, text
    assert total(wenhai, "上级目录") == total(wenhai, "绝对路径") == 0
    hits = json.loads(wenhai("search", "讲述桥梁", "--json").stdout)["hits"]
    assert hits[0]["path"] == f"{export}!inner.zip!deeper.zip!第三层.txt"
    assert_stored(wenhai, markers)
    again = wenhai("ingest", folder)  # members of nested zips are known on a re-run
    assert again.stdout.startswith("0 added, 0 updated, 5 unchanged, 0 duplicate, 1 failed")


def test_zips_inside_a_zip_share_its_limits(wenhai, tmp_path):
    folder = tmp_path / "zz"
    markers = good_files(folder)
    blank = b" " * 900_000  # 0.9 MB each, deflated to almost nothing
    nested = {f"part{i}.zip": zip_bytes({f"{j}.txt": blank for j in range(8)}) for i in range(3)}
    export = folder / "nested-bomb.zip"
    export.write_bytes(zip_bytes(nested))
    result = wenhai("ingest", "--max-size", "1", folder)  # 20 MB per zip on disk, in all
    assert result.exit_code == 1
    failed = lines(result.stderr, "failed:")
    assert failed[-1] == (
        f"failed: {export}!part2.zip: unpacks to more than 20 MB, the limit per zip "
        "(20 × --max-size; a zip bomb?): if you trust it, unpack it yourself and ingest the "
        "folder")
    assert all(line.endswith(": is empty") for line in failed[:-1]) and len(failed) == 17
    assert_stored(wenhai, markers)


# 9. Foreseeable failures say what happened -----------------------------------------------

def test_an_xml_entity_bomb_in_a_word_file_is_one_line(wenhai, tmp_path):
    import io
    import zipfile

    import docx

    folder = tmp_path / "w"
    markers = good_files(folder)
    document = docx.Document()
    document.add_paragraph("炸弹文档的正文。")
    plain = io.BytesIO()
    document.save(plain)
    laughs = '<!DOCTYPE w [<!ENTITY a0 "哈哈">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                head, rest = data.decode().split("?>", 1)
                data = (head + "?>" + laughs + rest.replace("炸弹文档的正文。", "&a9;")).encode()
            dst.writestr(item, data)
    (folder / "laughs.docx").write_bytes(bomb.getvalue())
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"failed: {folder / 'laughs.docx'}: is not a readable Word .docx file: its XML defines "
        "entities that expand without bound (an XML bomb): open and re-save it in Word or "
        "LibreOffice if you trust it"
    ]
    assert_stored(wenhai, markers)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n深层的正文。\n",
         "has YAML front matter nested too deeply to read: fix or remove the block between "
         "the --- lines"),
        ("deep.jsonl", "[" * 50_000 + "]" * 50_000 + "\n",
         "line 1 is nested too deeply to read (JSON arrays or objects more than about 1,000 "
         "levels deep): flatten it, or leave it out"),
    ],
)
def test_nesting_too_deep_is_one_line_in_a_zip_too(wenhai, tmp_path, name, content, reason):
    folder = tmp_path / "d"
    markers = good_files(folder)
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "export.zip").write_bytes(zip_bytes({name: content.encode()}))
    result = wenhai("ingest", folder)
    assert result.exit_code == 1
    assert lines(result.stderr, "failed:") == [
        f"failed: {folder / name}: {reason}",
        f"failed: {folder / 'export.zip'}!{name}: {reason}",
    ]
    assert_stored(wenhai, markers)


def test_json_ld_nested_too_deeply_is_ignored_and_the_page_read(wenhai, tmp_path):
    folder = tmp_path / "d"
    markers = good_files(folder)
    (folder / "page.html").write_text(
        '<html><head><title>港口的故事</title><script type="application/ld+json">'
        + "[" * 50_000 + "]" * 50_000 + "</script></head><body><article><p>"
        + "正文讲述一个港口的故事，码头上的工人从清晨忙到傍晚。" * 3
        + "</p></article></body></html>", encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 0, result.output
    assert total(wenhai, "码头上的工人") == 1
    assert_stored(wenhai, markers)


# 5. Boilerplate never empties an article ---------------------------------------------------

def test_boilerplate_never_empties_an_article_nor_merges_unrelated_ones(wenhai, tmp_path):
    folder = tmp_path / "news"
    markers = good_files(folder)
    (folder / "yixing.txt").write_text(
        "Title: 【宜兴上影·影讯】5月1日影讯\n\n5月1日排片表仅作参考，以影城实际排片为准；"
        "扫码关注上影国际影城更多惊喜等着您\n", encoding="utf-8")
    for name, title in (("qi.txt", "戚薇回应唱歌车祸现场"), ("yiyang.txt", "益阳一的士车遇车祸")):
        (folder / name).write_text(
            f"Title: {title}\n\n原标题：{title}\n返回搜狐，查看更多 责任编辑：\n", encoding="utf-8")
    long_text = "汉阳区的江滩公园完成改造，新增了三公里步道和两处亲水平台。" * 3
    (folder / "hanyang.txt").write_text(
        f"Title: 汉阳江滩改造完成\n\n{long_text}\n扫码关注汉阳发布\n", encoding="utf-8")
    result = wenhai("ingest", folder)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "6 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed"
    assert_stored(wenhai, markers)
    for query in ("宜兴上影", "戚薇", "益阳"):
        hits = json.loads(wenhai("search", query, "--json").stdout)["hits"]
        assert len(hits) == 1 and query in hits[0]["title"], query
    hanyang = json.loads(wenhai("search", "江滩公园", "--json").stdout)["hits"][0]
    body = json.loads(wenhai("show", str(hanyang["id"]), "--json").stdout)["body"]
    assert body == long_text  # a long text still loses its promo line


def test_odd_files_read_in_worker_processes_are_reported_the_same(wenhai, home, tmp_path):
    """Batches of 64 files or more are read in worker processes: what they find comes
    back to be reported (and counted) as if read in the storing process."""
    folder = tmp_path / "many"
    markers = good_files(folder, 70)
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    (folder / "ff.txt").write_bytes("坏字节文章\n\n只有一个坏字节。".encode() + b"\xff"
                                    + "后面正常。".encode())
    (folder / "mixed.jsonl").write_text(
        record("好记录", "工作进程读到的唯一好记录。") + "\n" + json.dumps({"title": "空"}) + "\n",
        encoding="utf-8")
    with open(os.fsencode(folder) + b"/gbk\xd6\xd0\xce\xc4.txt", "wb") as f:
        f.write("工作进程里的国标码文件名。".encode())
    result = wenhai_process(home, "ingest", "-j", "2", "--follow-symlinks", folder)
    assert result.returncode == 1
    assert sorted(lines(result.stderr, "failed:")) == [
        f"failed: {folder / 'mixed.jsonl'}: line 2 has no text: its keys are title; wenhai "
        "takes the text from the key content, text, body, article, content_text, 正文 or 内容",
        f"failed: {folder / 'pipe.txt'}: is a named pipe (FIFO), not a regular file: wenhai "
        "reads only regular files",
        f"failed: {folder / 'zero.txt'}: is a character device (like /dev/zero), not a regular "
        "file: wenhai reads only regular files",
    ]
    assert lines(result.stderr, "note:") == [
        f"note: {folder / 'ff.txt'}: read as utf-8 with 1 bad byte (not valid utf-8, or NUL) "
        "replaced by �: if the text looks wrong, pass its encoding with --encoding NAME"]
    assert result.stdout.strip() == ("73 added, 0 updated, 0 unchanged, 0 duplicate, 2 failed; "
                                     "1 bad record in files stored")
    assert_stored(wenhai, markers[::10])
    assert total(wenhai, "国标码文件名") == total(wenhai, "唯一好记录") == 1
