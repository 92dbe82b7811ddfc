"""What the postings files would weigh in other encodings: the levers issue 28 names,
priced on a real index before anyone builds them.

    python bench/levers.py HOME [--text FOLDER]

For each text field of every segment's postings file (`store.engine.columnar`) it reads
the arrays as they are and computes, without writing anything, the bytes of:

* **as stored** — today's arrays (narrowest fixed-width types);
* **no unigram positions** — the positions of one-unit terms dropped (their documents
  and counts kept);
* **bit-packed deltas** — as Lucene and tantivy store postings: per term, documents as
  gaps from the one before, counts less one, and each posting's positions as gaps from
  the one before, in blocks of 128 values packed at the bit width of the block's
  largest value (plus a byte for that width), the tail of fewer than 128 as variable-length
  bytes (7 bits each); keys as gaps in variable-length bytes; term starts as the gaps
  between them (each term's number of postings and of positions) in variable-length bytes;
* **both**.

These are lower bounds of a real encoding (no skip data, no block offsets). The home's
other components (`archive.db`, Whoosh's `.seg` files) are added unchanged, so the last
lines give the whole home each lever would leave. Results on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import footprint  # noqa: E402

from store.engine import columnar  # noqa: E402
from store.engine.occurrences import BIGRAM  # noqa: E402

BLOCK = 128


def arrays(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """field → array name → the array, memory-mapped, of one `.text` file."""
    raw = np.memmap(path, np.uint8, "r")
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, entry in footprint.directory(path).items():
        if "n" not in entry:
            continue
        field, _, array = name.rpartition(".")
        out.setdefault(field, {})[array] = np.frombuffer(
            raw, np.dtype(entry["dtype"]), entry["n"], entry["at"])
    for a in out.values():  # documents and counts kept in blocks: priced from the values
        if "dgaps" in a:
            a["docs"] = np.asarray(columnar.Gaps(a["dgaps"], a["dwidth"], a["dat"], a["tstart"]))
        if "cbits" in a:
            a["counts"] = np.asarray(columnar.Counts(
                columnar.Blocks(a["cbits"], a["cwidth"], a["cat"], len(a["docs"])),
                a["wide_at"], a["wide"]))
        if "pgaps" in a:
            a["positions"] = np.asarray(columnar.Positions(
                a["pgaps"], a["pwidth"], a["pat"], int(a["pstart"][-1]), a["counts"]))
    return out


def vint_bytes(values: np.ndarray) -> int:
    """Bytes of `values` (non-negative) as 7-bit variable-length integers."""
    v = values.astype(np.uint64)
    n = np.ones(len(v), np.int64)
    for shift in (7, 14, 21, 28, 35, 42, 49, 56):
        n += v >= (np.uint64(1) << np.uint64(shift))
    return int(n.sum())


def packed_bytes(values: np.ndarray, run_starts: np.ndarray) -> int:
    """Bytes of `values` cut into runs (each beginning at `run_starts`, ascending, the
    first 0), each run in blocks of BLOCK packed at their widest value's bit width plus
    a byte, the run's tail of fewer than BLOCK as variable-length bytes."""
    n = len(values)
    if not n:
        return 0
    lengths = np.diff(np.append(run_starts, n))
    run = np.repeat(np.arange(len(run_starts)), lengths)
    rank = np.arange(n) - run_starts[run]
    whole = (lengths // BLOCK * BLOCK)[run]
    in_block = rank < whole
    tail = vint_bytes(values[~in_block])
    v = values[in_block].astype(np.uint64)
    if not len(v):
        return tail
    bits = np.zeros(len(v), np.int64)
    for b in range(64):
        bits += v >= (np.uint64(1) << np.uint64(b))
    widest = bits.reshape(-1, BLOCK).max(axis=1)  # blocks are whole and contiguous
    return tail + int((widest * BLOCK // 8).sum()) + len(widest)


def field_levers(a: dict[str, np.ndarray]) -> dict[str, int]:
    keys = a["keys"].astype(np.int64)
    tstart = a["tstart"].astype(np.int64)
    docs = a["docs"].astype(np.int64)
    counts = a["counts"].astype(np.int64)
    if len(a.get("wide", ())):
        counts[a["wide_at"].astype(np.int64)] = a["wide"]
    stored = {name: arr.nbytes for name, arr in a.items()  # not those decoded
              if not (name == "docs" and "dgaps" in a) and not (name == "counts" and "cbits" in a)
              and not (name == "positions" and "pgaps" in a)}
    kept_positions = ("positions", "pstart", "pgaps", "pwidth", "pat")
    base = sum(n for name, n in stored.items() if name not in kept_positions)
    positions_now = sum(stored.get(name, 0) for name in kept_positions)
    out = {"as stored": base + positions_now}
    per_term = np.diff(tstart)
    term_of = np.repeat(np.arange(len(keys)), per_term)
    unigram = keys[term_of] < BIGRAM  # per posting
    # documents as gaps within each term, the first from 0
    gaps = np.diff(docs, prepend=0)
    gaps[tstart[:-1][per_term > 0]] = docs[tstart[:-1][per_term > 0]]
    runs = tstart[:-1][per_term > 0]
    packed = (packed_bytes(gaps, runs) + packed_bytes(counts - 1, runs)
              + vint_bytes(np.diff(keys, prepend=0)) + vint_bytes(per_term)
              + sum(stored.get(n, 0) for n in ("strings", "offsets", "sample")))
    if "positions" not in a:
        out["no unigram positions"] = out["as stored"]
        out["bit-packed deltas"] = out["both"] = packed
        return out
    pos = a["positions"].astype(np.int64)
    posting_start = np.cumsum(counts) - counts  # where each posting's positions begin
    pgaps = np.diff(pos, prepend=0)
    pgaps[posting_start] = pos[posting_start]
    unigram_positions = int(counts[unigram].sum())
    # bytes a position takes as stored (in blocks: on average)
    item = (stored["pgaps"] / max(1, len(pos)) if "pgaps" in a
            else a["positions"].dtype.itemsize)
    out["no unigram positions"] = out["as stored"] - int(unigram_positions * item)
    # positions in runs per term: where each term's positions begin
    term_pos_start = posting_start[runs]
    pos_packed = packed_bytes(pgaps, term_pos_start)
    out["bit-packed deltas"] = packed + pos_packed + vint_bytes(
        np.diff(np.append(term_pos_start, len(pos))))
    kept = ~np.repeat(unigram, counts)  # per position: its term is not one unit
    kept_before = np.append(0, np.cumsum(kept))
    bigram_runs = term_pos_start[keys[per_term > 0] >= BIGRAM]
    out["both"] = (packed + packed_bytes(pgaps[kept], kept_before[bigram_runs])
                   + vint_bytes(np.diff(np.append(kept_before[bigram_runs], kept.sum()))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("home", type=Path)
    ap.add_argument("--text", type=Path, help="the folder of files it was made from")
    args = ap.parse_args()
    totals: dict[str, dict[str, int]] = {}
    for path in sorted((args.home / "index").glob("*.text")):
        for field, a in arrays(path).items():
            for lever, n in field_levers(a).items():
                totals.setdefault(field, {}).setdefault(lever, 0)
                totals[field][lever] += n
    home = sum(p.stat().st_size for p in args.home.rglob("*") if p.is_file())
    postings = sum(t["as stored"] for t in totals.values())
    text = (sum(p.stat().st_size for p in args.text.rglob("*") if p.is_file())
            if args.text else None)
    levers = list(next(iter(totals.values())))
    print(f"{'field':12}" + "".join(f"{lever:>24}" for lever in levers))
    for field, t in sorted(totals.items(), key=lambda f: -f[1]["as stored"]):
        print(f"{field:12}" + "".join(f"{t[lever] / 1e6:21.2f} MB" for lever in levers))
    line = f"{'whole home':12}"
    for lever in levers:
        n = home - postings + sum(t[lever] for t in totals.values())
        line += f"{n / 1e6:15.2f} MB" + (f" {n / text:5.2f}×" if text else " " * 7)
    print(line)
    if text:
        print(f"text: {text / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
