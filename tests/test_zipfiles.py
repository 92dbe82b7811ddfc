"""Zipped exports: every article inside is ingested, bad members and zip bombs are named."""

from __future__ import annotations

import json
import zipfile

from .conftest import FIXTURES, SAMPLES


def make_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_every_supported_file_in_a_zip_is_ingested_and_labelled(wenhai, tmp_path):
    export = tmp_path / "导出.zip"
    make_zip(export, {
        "公众号/雨水花园.txt": (FIXTURES / "wechat_rain_garden.txt").read_bytes(),
        "新闻/江城大桥.txt": (SAMPLES / "jiangcheng_bridge_gb18030.txt").read_bytes(),
        "新闻/说明.pdf": b"%PDF-1.4 not an article",
        "__MACOSX/公众号/._雨水花园.txt": b"\x00\x05\x16\x07",
    })
    result = wenhai("ingest", export)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 added, 0 updated, 0 unchanged, 0 duplicate, 0 failed"
    hits = json.loads(wenhai("search", "雨水花园", "--json").stdout)["hits"]
    assert [h["path"] for h in hits] == [f"{export}!公众号/雨水花园.txt"]
    shown = json.loads(wenhai("show", str(hits[0]["id"]), "--json").stdout)
    assert (shown["title"], shown["author"]) == ("老城区的雨水花园", "许晴")
    bridge = json.loads(wenhai("search", "限行", "--json").stdout)["hits"]
    assert bridge[0]["source"] == "江城晚报"  # a GB18030 member is decoded like a file

    again = wenhai("ingest", export)
    assert again.stdout.startswith("0 added, 0 updated, 2 unchanged")


def test_a_bad_member_is_reported_and_the_others_kept(wenhai, tmp_path):
    export = tmp_path / "export.zip"
    make_zip(export, {
        "good.txt": "好消息\n\n图书馆延长开放时间到晚上十点。".encode(),
        "broken.json": '{"title": "半截'.encode(),
        "empty.md": b"",
    })
    result = wenhai("ingest", export)
    assert result.exit_code == 1
    assert result.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 duplicate, 2 failed"
    errors = result.stderr.splitlines()
    assert f"failed: {export}!empty.md: is empty" in errors
    assert any(e.startswith(f"failed: {export}!broken.json: is not valid JSON") for e in errors)


def test_a_damaged_member_is_named(wenhai, tmp_path):
    export = tmp_path / "damaged.zip"
    make_zip(export, {"a.txt": "第一篇\n\n这一篇完好无损，可以读。".encode(),
                      "b.txt": ("第二篇\n\n" + "这一篇在压缩包里坏掉了。" * 50).encode()})
    data = bytearray(export.read_bytes())
    with zipfile.ZipFile(export) as zf:
        info = zf.getinfo("b.txt")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5 : start + 15] = b"\xff" * 10  # corrupt b.txt's compressed bytes
    export.write_bytes(bytes(data))
    result = wenhai("ingest", export)
    assert result.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed"
    (error,) = result.stderr.splitlines()
    assert (error.startswith(f"failed: {export}!b.txt: is damaged in the zip")
            and "re-create the zip" in error)


def test_not_a_zip_at_all(wenhai, tmp_path):
    fake = tmp_path / "fake.zip"
    fake.write_text("这不是压缩包", encoding="utf-8")
    result = wenhai("ingest", fake)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"failed: {fake}: is not a readable zip archive")


def test_zip_bomb_is_refused_before_it_is_unpacked(wenhai, tmp_path):
    bomb = tmp_path / "bomb.zip"
    zeros = b"0" * (1024 * 1024)  # 1 MB of text, a kilobyte compressed
    make_zip(bomb, {f"{i}.txt": zeros for i in range(30)})
    assert bomb.stat().st_size < 100_000
    result = wenhai("ingest", "--max-size", "1", bomb)
    assert result.exit_code == 1
    assert result.stdout.strip() == "0 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed"
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"failed: {bomb}: unpacks to more than 20 MB, the limit per zip")
    assert "unpack it yourself" in error


def test_zip_with_too_many_files_is_refused(wenhai, tmp_path):
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"{i}.txt", b"")
    result = wenhai("ingest", many)
    assert result.exit_code == 1
    assert f"failed: {many}: holds 10001 files, over the limit of 10000 per zip" in result.stderr


def test_gbk_member_names_from_chinese_windows_are_read_correctly(wenhai, tmp_path):
    export = tmp_path / "win.zip"
    export.write_bytes(_gbk_zip("江城/报道.txt",
                                "江城报道\n\n这是用中文 Windows 压缩的文件。".encode()))
    result = wenhai("ingest", export)
    assert result.exit_code == 0, result.output
    hits = json.loads(wenhai("search", "中文 Windows", "--json").stdout)["hits"]
    assert hits[0]["path"] == f"{export}!江城/报道.txt"


def _gbk_zip(name: str, data: bytes) -> bytes:
    """A stored (uncompressed) zip with one member whose name is GBK bytes, no UTF-8 flag."""
    import struct
    import zlib

    raw = name.encode("gbk")
    crc = zlib.crc32(data)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                        len(raw), 0)
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc, len(data),
                          len(data), len(raw), 0, 0, 0, 0, 0, 0)
    body = local + raw + data
    directory = central + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end
