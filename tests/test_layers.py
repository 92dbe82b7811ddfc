"""The architecture's one-way dependencies and README's completeness, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

from indexer.cli import main

ROOT = Path(__file__).resolve().parent.parent


def imported_top_levels(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_store_imports_neither_click_nor_flask_nor_the_other_layers():
    assert not imported_top_levels("store") & {
        "click", "flask", "werkzeug", "indexer", "web", "rich"
    }


def test_web_never_imports_indexer():
    assert "indexer" not in imported_top_levels("web")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"`wenhai {name}" in readme, name
