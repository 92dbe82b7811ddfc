"""Word documents: paragraphs and Heading styles become the article, Title its title."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import docx

from indexer.ingest import read_articles


def write_docx(path, *, title: str | None, author: str = "python-docx") -> None:
    document = docx.Document()
    document.core_properties.author = author
    if title:
        document.add_paragraph(title, style="Title")
    document.add_paragraph("来源：江城晚报 | 作者：周敏 | 2024年3月5日")
    document.add_paragraph("江城的老码头这几年变了模样，废弃的仓库被改成了展览馆和咖啡店。")
    document.add_heading("仓库里的展览", level=2)
    document.add_paragraph("第一座改造完成的仓库里，正在展出码头工人的老照片和工具。")
    document.add_paragraph("")
    document.add_heading("周末的人流", level=2)
    document.add_paragraph("每到周末，沿江步道上都是散步和骑车的市民，附近的停车场常常满位。")
    document.save(path)


def test_docx_paragraphs_headings_title_and_byline(tmp_path):
    path = tmp_path / "码头.docx"
    write_docx(path, title="老码头的新生活")
    (a,), bad = read_articles(path.read_bytes(), str(path))
    assert not bad
    assert (a.title, a.author, a.source, a.published) == (
        "老码头的新生活", "周敏", "江城晚报", dt.date(2024, 3, 5)
    )
    assert a.provenance["title"] == "docx title style"
    assert a.format == "docx"
    assert a.paragraphs() == [
        ("江城的老码头这几年变了模样，废弃的仓库被改成了展览馆和咖啡店。", False),
        ("仓库里的展览", True),
        ("第一座改造完成的仓库里，正在展出码头工人的老照片和工具。", False),
        ("周末的人流", True),
        ("每到周末，沿江步道上都是散步和骑车的市民，附近的停车场常常满位。", False),
    ]


def test_docx_author_property_is_used_unless_it_is_a_placeholder(tmp_path):
    path = tmp_path / "无标题.docx"
    write_docx(path, title=None, author="Administrator")
    (a,), _ = read_articles(path.read_bytes(), str(path))
    assert a.author == "周敏" and a.provenance["author"] == "byline"
    assert a.title == "无标题"


def test_docx_through_the_cli_and_a_broken_one_named(wenhai, tmp_path):
    folder = tmp_path / "word"
    folder.mkdir()
    write_docx(folder / "码头.docx", title="老码头的新生活")
    (folder / "坏的.docx").write_bytes(b"PK\x03\x04 not really a docx")
    result = wenhai("ingest", folder)
    assert result.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed"
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"failed: {folder / '坏的.docx'}: is not a readable Word .docx file")
    hits = json.loads(wenhai("search", "码头工人", "--json").stdout)["hits"]
    assert [h["title"] for h in hits] == ["老码头的新生活"]


def test_docx_inside_a_zip(wenhai, tmp_path):
    write_docx(tmp_path / "码头.docx", title="老码头的新生活")
    export = tmp_path / "稿件!2024.zip"  # a '!' in the zip's own name must not confuse the label
    with zipfile.ZipFile(export, "w") as zf:
        zf.write(tmp_path / "码头.docx", "稿件/码头.docx")
    assert wenhai("ingest", export).exit_code == 0
    hits = json.loads(wenhai("search", "码头工人", "--json").stdout)["hits"]
    assert hits[0]["path"] == f"{export}!稿件/码头.docx"
    assert wenhai("ingest", export).stdout.startswith("0 added, 0 updated, 1 unchanged")
