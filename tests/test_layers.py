"""The architecture's one-way dependencies, the layout's promises, and README's completeness."""

from __future__ import annotations

import ast
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.ingest import ingest
from store import Archive, IndexVersionError
from store.engine import folder, schema

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "indexer", "web")
#: Inside `store`, each layer imports only the layers before it (`errors` is below all).
LAYERS = ("store.errors", "store.text", "store.engine", "store.search", "store")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project's modules `name` imports, anywhere in its body (function-level too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def imported_top_levels(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def layer(module: str) -> int:
    return max(i for i, prefix in enumerate(LAYERS)
               if module == prefix or module.startswith(prefix + "."))


def test_store_imports_neither_click_nor_flask_nor_the_other_layers():
    assert not imported_top_levels("store") & {
        "click", "flask", "werkzeug", "indexer", "web", "rich"
    }


def test_web_never_imports_indexer():
    assert "indexer" not in imported_top_levels("web")


def test_no_module_imports_one_of_its_importers():
    edges = graph()
    circles = []
    for start in edges:  # depth-first from each module: does a path lead back to it?
        seen, stack = set(), [(start, [start])]
        while stack:
            at, path = stack.pop()
            for target in edges[at]:
                if target == start:
                    circles.append(" → ".join([*path, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    assert not circles, "\n".join(circles)


def test_store_layers_import_only_the_layers_below():
    upward = [
        f"{name} → {target}"
        for name, targets in graph().items() if name.startswith("store.")
        for target in targets
        if target.startswith("store") and target != "store" and layer(target) > layer(name)
    ]
    assert not upward, "\n".join(upward)


def test_text_handling_imports_nothing_else_of_the_store():
    for name, targets in graph().items():
        if name.startswith("store.text"):
            assert {t for t in targets if not t.startswith("store.text")} == set(), name


def test_the_folder_tree_shows_the_layers():
    for package in ("text", "engine", "search"):
        assert (ROOT / "store" / package / "__init__.py").read_text(encoding="utf-8").strip()
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_an_archive_built_before_the_layout_opens_and_is_rebuilt_on_request(tmp_path):
    # Built by the code before store/ gained its subpackages: Whoosh pickled its codec as
    # `store.codec.Codec` (and analyzers as `store.analysis.*`) into the table of contents.
    home = tmp_path / "home"
    shutil.copytree(ROOT / "tests" / "archives" / "before-layout", home)
    toc = next((home / "index").glob("_MAIN_*.toc")).read_bytes()
    assert b"store.codec" in toc and b"store.engine" not in toc
    with Archive(home) as archive:  # schema 4: searching it says what to do
        with pytest.raises(IndexVersionError, match="wenhai reindex"):
            archive.search("台北捷运")
    # Its segments load under the new layout (told the index is current, it searches)…
    sidecar = (home / "index" / folder.SIDECAR).read_text()
    (home / "index" / folder.SIDECAR).write_text(json.dumps(schema.identity()))
    with Archive(home) as archive:
        found = archive.search("台北捷运")
        assert [hit.title for hit in found.hits] == ["臺北捷運新線通車首日 乘客體驗無人駕駛"]
        assert archive.search("碳纤维机盖").total == 1
    # …and `wenhai reindex` rebuilds it as this version writes indexes.
    (home / "index" / folder.SIDECAR).write_text(sidecar)
    with Archive(home) as archive, archive.writing(rebuilding=True, jobs=1):
        assert archive.reindex() == archive.counts()["articles"] > 0
    with Archive(home) as archive:
        assert archive.check().healthy
        assert archive.search("台北捷运").total == 1 and archive.suggest("捷運")
    new = tmp_path / "文海新篇.txt"
    new.write_text("布局调整之后写入的第一篇文章。", encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [new]).added == 1
    with Archive(home) as archive:
        assert archive.search("文海新篇").total == 1
        assert archive.check().healthy


def test_an_archive_with_the_text_before_its_metadata_is_rebuilt_keeping_every_article(
        tmp_path):
    # Made before schema 2, its articles table has the text and the original bytes in
    # the middle; it was left with ids up to 30 given out and 24-30 removed since.
    home = tmp_path / "home"
    shutil.copytree(ROOT / "tests" / "archives" / "before-layout", home)
    db = sqlite3.connect(home / "archive.db")
    db.execute("UPDATE sqlite_sequence SET seq = 30 WHERE name = 'articles'")
    db.commit()
    columns = [r[1] for r in db.execute("PRAGMA table_info(articles)")]
    assert columns.index("body") < columns.index("group_id")
    before = db.execute("SELECT * FROM articles ORDER BY id").fetchall()
    db.close()
    with Archive(home) as archive, archive.writing(rebuilding=True, jobs=1):
        archive.reindex()  # its index is of an older version too
    new = tmp_path / "重排之后.txt"
    new.write_text("表格重排之后写入的第一篇文章。", encoding="utf-8")
    with Archive(home) as archive, archive.writing(jobs=1):
        assert ingest(archive, [new]).added == 1
    db = sqlite3.connect(home / "archive.db")
    after_columns = [r[1] for r in db.execute("PRAGMA table_info(articles)")]
    assert after_columns[-2:] == ["body", "original"]
    assert set(after_columns) == set(columns) | {"size", "chars"}  # schema 3
    names = ", ".join(columns)
    after = db.execute(f"SELECT {names} FROM articles WHERE id <= 23 ORDER BY id").fetchall()
    assert after == before  # every value of every article, the original bytes too
    assert db.execute("SELECT id FROM articles WHERE title = '重排之后'").fetchone() == (31,)
    db.close()
    with Archive(home) as archive:
        assert archive.check().healthy
        assert archive.original(3)[1] and archive.get(3).title.startswith("臺北捷運")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"`wenhai {name}" in readme, name
