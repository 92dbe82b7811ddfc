"""What an archive home holds on disk, per component, beside the text it was made from.

    python bench/footprint.py HOME [HOME...] --text FOLDER [--json]
    python bench/footprint.py --ingest FOLDER [--home DIR] [--wenhai CMD]

Prints one row per component: `archive.db` by table and index (SQLite's `dbstat`
virtual table: the pages each one owns, as on disk), the articles table's columns
(the bytes of each value, as stored: the part of the table each column is), and
`index/` by file kind — each segment's postings file (`.text`) by field and array
(from the file's own directory, so a file written by any version is read), Whoosh's
segment files (`.seg`: stored fields, lengths, columns), the saved arrays
(`.arrays.npz`) and the rest — each in MB and as a multiple of the text: the bytes of
the files in FOLDER; given several homes made from the same files (before and after a
change), a column each. Run it after the ingest has finished (the last merge is part of
the ingest). `--ingest` first ingests FOLDER into DIR (a new temporary folder unless
given) with `wenhai ingest` (`--wenhai` names the command, so that an older checkout's
archive can be measured the same way). Results on stdout.
"""

from __future__ import annotations

import argparse
import collections
import json
import shlex
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The postings file's footer (`store.engine.columnar`): directory offset, length, magic.
_FOOTER = struct.Struct("<QQ8s")
_ITEM = {"u1": 1, "i1": 1, "u2": 2, "i2": 2, "u4": 4, "i4": 4, "f4": 4, "u8": 8, "i8": 8,
         "f8": 8}


def text_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def database_rows(db: Path) -> list[tuple[str, int]]:
    """Bytes per table and index (pages owned, dbstat), largest first."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
        sizes = conn.execute("SELECT " + ", ".join(
            f"coalesce(sum(length(CAST({c} AS BLOB))), 0)" for c in columns)
            + " FROM articles").fetchone()
    finally:
        conn.close()
    out = [(f"archive.db: {name}", size) for name, size in rows if size >= 50_000]
    by_column = sorted(zip(columns, sizes, strict=True), key=lambda c: -c[1])
    out += [(f"  articles.{c} (values)", n) for c, n in by_column if n >= 100_000]
    out += [("  articles: other columns (values)",
             sum(n for _, n in by_column if n < 100_000))]
    return out


def directory(path: Path) -> dict[str, dict]:
    """One `.text` file's directory: array name → offset, dtype, length, CRC-32."""
    with open(path, "rb") as f:
        f.seek(-_FOOTER.size, 2)
        at, length, _ = _FOOTER.unpack(f.read(_FOOTER.size))
        f.seek(at)
        return json.loads(f.read(length))


def postings_file(path: Path) -> dict[str, int]:
    """Bytes per field and array of one `.text` file, from its directory."""
    out: dict[str, int] = {}
    for name, entry in directory(path).items():
        if "n" in entry:
            out[name] = entry.get("bytes", entry["n"] * _ITEM[entry["dtype"][1:]])
    return out


def index_rows(index: Path) -> list[tuple[str, int]]:
    """Bytes of `index/` by kind of file, the postings by field and array."""
    kinds: collections.Counter[str] = collections.Counter()
    arrays: collections.Counter[str] = collections.Counter()
    for p in index.iterdir():
        if not p.is_file():
            continue
        size = p.stat().st_size
        if p.suffix == ".text":
            kinds["index: postings (.text)"] += size
            for name, n in postings_file(p).items():
                arrays[name] += n
        elif p.name.endswith(".arrays.npz"):
            kinds["index: saved arrays (.arrays.npz)"] += size
        elif p.suffix == ".seg":
            kinds["index: Whoosh segments (.seg)"] += size
        else:
            kinds["index: other (toc, sidecar, dictionary)"] += size
    fields: collections.Counter[str] = collections.Counter()
    for name, n in arrays.items():
        fields[name.rpartition(".")[0]] += n
    out = sorted(kinds.items(), key=lambda k: -k[1])
    for field, n in sorted(fields.items(), key=lambda f: -f[1]):
        if n < 100_000:
            continue
        out.append((f"  .text {field}", n))
        parts = sorted(((a, m) for a, m in arrays.items() if a.rpartition(".")[0] == field),
                       key=lambda a: -a[1])
        out += [(f"    {a.rpartition('.')[2]}", m) for a, m in parts if m >= 100_000]
    return out


def footprint(home: Path, text: int) -> dict:
    db, index = home / "archive.db", home / "index"
    files = [p for p in home.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    db_total = sum(p.stat().st_size for p in home.glob("archive.db*"))
    index_total = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    rows = [("home (everything)", total), ("archive.db (+ -wal, -shm)", db_total)]
    rows += database_rows(db)
    rows += [("index/", index_total)] + index_rows(index)
    return {"home": str(home), "text_bytes": text,
            "rows": [{"component": c, "bytes": n} for c, n in rows]}


def report(found: list[dict]) -> None:
    text = found[0]["text_bytes"]
    print(f"text (the files ingested): {text / 1e6:.1f} MB")
    for i, f in enumerate(found, 1):
        print(f"[{i}] {f['home']}")
    print(f"{'component':46}" + "".join(f"{f'[{i}] MB':>9} {'× text':>7}"
                                        for i in range(1, len(found) + 1)))
    names = list(dict.fromkeys(r["component"] for f in found for r in f["rows"]))
    for name in names:
        sizes = [next((r["bytes"] for r in f["rows"] if r["component"] == name), 0)
                 for f in found]
        print(f"{name:46}" + "".join(f"{n / 1e6:9.2f} {n / text:7.3f}" for n in sizes))


def ingest(folder: Path, home: Path, wenhai: str) -> float:
    started = time.perf_counter()
    subprocess.run([*shlex.split(wenhai), "--home", str(home), "ingest", "-q", str(folder)],
                   check=True, stdout=sys.stderr)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("homes", nargs="*", type=Path, help="archive homes to measure")
    ap.add_argument("--text", type=Path, help="the folder of files it was made from")
    ap.add_argument("--ingest", type=Path, help="ingest this folder first (into --home)")
    ap.add_argument("--home", dest="into", type=Path, help="where --ingest builds the archive")
    ap.add_argument("--wenhai", default=f"{shlex.quote(sys.executable)} -c "
                    "'import sys; from indexer.cli import main; sys.argv[0] = \"wenhai\"; "
                    "main()'", help="the command that runs wenhai (for --ingest)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    if args.ingest:
        home = args.into or Path(tempfile.mkdtemp(prefix="footprint-"))
        seconds = ingest(args.ingest, home, args.wenhai)
        print(f"ingested {args.ingest} into {home} in {seconds:.1f} s", file=sys.stderr)
        homes, folder = [home], args.ingest
    elif args.homes and args.text:
        homes, folder = args.homes, args.text
    else:
        ap.error("give HOME and --text FOLDER, or --ingest FOLDER")
    text = text_bytes(folder)
    found = [footprint(home, text) for home in homes]
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
    else:
        report(found)


if __name__ == "__main__":
    main()
