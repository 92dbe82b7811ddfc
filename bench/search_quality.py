"""Search quality: wenhai against stock jieba + Whoosh on real news, side by side.

    python bench/search_quality.py [--articles N] [--queries N] [--seed S] [--cluster HOST:PORT]

Both engines index the same text: what wenhai stored for each iNews article (title and
clean body). Queries are drawn at random from that text; the ground truth for a query is
every article whose normalized text (NFKC, traditional→simplified, lower case) or one of
the values wenhai read from its file contains the normalized query, spaces counting for
nothing except between two Latin letters or two digits, under the boundary rule: the
query starts where a run of Latin letters or of digits starts, and letters may go on
after it, digits may not (the truth for "su" excludes "usual" and includes "super"; for
"15", excludes "150" and "2015") — a brute-force scan. Query classes:

* 1 char, 2 chars, 3-6 chars: runs of CJK characters cut anywhere in a sentence;
* traditional: a 2-4 character query rewritten in traditional characters (OpenCC s2t);
* latin/digit: a whole Latin/digit token as it appears (SU7, 5G, 2019年);
* pasted + marks: 6-16 characters of a line cut anywhere between a CJK character or a
  punctuation mark and another, crossing at least one mark, typed with its marks — often
  one of a pair of quotation marks (家庭“因病致贫);
* latin, case: a Latin word of the text typed in another case (iPhone as IPHONE);
* han+alnum: 2-10 characters of a string mixing CJK characters with letters or digits
  (国家AAAA级, 2月26日, 用iPhone), starting at a CJK character or where a run of letters
  or digits starts and ending at a CJK character, a number's end or inside a word;
* titles: an article's exact title, scored by the rank of that article (MRR);
* passage: 8-16 CJK characters of a sentence run that crosses punctuation, a space or
  a line break in the text, typed without them; the truth is every article whose text
  with everything but letters, digits and CJK characters removed contains them;
* metadata: a value the file gave that is not in the clean text (an editor, a
  correspondent, an original title…); the truth is every article whose text or
  values contain it;
* other titles: the title another file with the same text gave it (MRR), where the
  corpus has such copies.

`--traditional` converts the corpus to traditional characters first (OpenCC s2t), for
a traditional-Chinese corpus of the same news.

Metrics: recall (share of the truth retrieved), R-precision (of the top R results, R =
size of the truth, the share that contain the exact string) and MRR for titles; "4xx"
counts the queries wenhai refused (a `QueryError`: the API's 400).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from indexer.ingest import ingest  # noqa: E402
from store import Archive, QueryError, normalize, packing  # noqa: E402

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{6,}")
#: A run of CJK characters with punctuation, spaces or line breaks inside it.
SPANNING = re.compile(r"[\u4e00-\u9fff]{4,}(?:[，。、；：！？,.;:!?\s　]+[\u4e00-\u9fff]{2,})+")
NOT_UNIT = re.compile(r"[^\u4e00-\u9fff0-9a-z]")
TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+[0-9]*|[0-9]+[年月日万亿]")
#: A Latin word as the text writes it (its letters, before NFKC: Ｓ is one).
WORD = re.compile(r"(?<![A-Za-zＡ-Ｚａ-ｚ])[A-Za-zＡ-Ｚａ-ｚ]{2,}(?![A-Za-zＡ-Ｚａ-ｚ])")
#: CJK characters glued to letters or digits, either way round.
MIXED = re.compile(r"[\u4e00-\u9fff]*(?:[A-Za-z0-9]+[\u4e00-\u9fff]+)+[A-Za-z0-9]*"
                   r"|[\u4e00-\u9fff]+[A-Za-z0-9]+")
#: A line a passage is cut from (no line breaks inside a paste).
LINE = re.compile(r"[^\n]{12,}")


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the two engines ------------------------------------------------------------


def build_wenhai(files: list[Path], home: Path) -> dict:
    started = time.perf_counter()
    with Archive(home, CLUSTER) as archive, archive.writing():
        report = ingest(archive, files)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "failed": len(report.failed),
            "index_bytes": dir_size(home / "index")}


def load_texts(home: Path) -> dict[int, tuple[str, str]]:
    with Archive(home, CLUSTER) as archive:
        return {r[0]: (r[1], packing.text(archive.db, r[2]))
                for r in archive.db.execute("SELECT id, title, body FROM articles")}


def load_values(home: Path) -> dict[int, list[str]]:
    """Each article's values besides its text (`extra`, but not wenhai's own notes)."""
    import json

    with Archive(home, CLUSTER) as archive:
        return {r[0]: [str(v) for k, v in json.loads(r[1]).items()
                       if k not in ("truncated", "edited")]
                for r in archive.db.execute("SELECT id, extra FROM articles")}


def load_other_titles(home: Path) -> list[tuple[int, str]]:
    """(article, title) for each title a copy of its text was saved under, besides its own."""
    with Archive(home, CLUSTER) as archive:
        return [(i, archive.get(i).titles[0]) for (i,) in archive.db.execute(
            "SELECT DISTINCT f.article_id FROM file_articles f JOIN articles a "
            "ON a.id = f.article_id WHERE f.title IS NOT NULL AND f.title != a.title")]


def traditional_copy(files: list[Path], folder: Path) -> list[Path]:
    """The files converted to traditional characters (OpenCC s2t), in `folder`."""
    import opencc

    s2t = opencc.OpenCC("s2t.json")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        target = folder / f.name
        target.write_text(s2t.convert(f.read_text(encoding="utf-8")), encoding="utf-8")
        out.append(target)
    return out


def print_reposts(home: Path, examples: int = 5) -> None:
    """How many articles wenhai grouped as reposts of another, with a few pairs to eyeball."""
    with Archive(home, CLUSTER) as archive:
        db = archive.db
        copies = db.execute("SELECT count(*) FROM articles WHERE group_id != id").fetchone()[0]
        groups = db.execute(
            "SELECT count(DISTINCT group_id) FROM articles WHERE group_id != id").fetchone()[0]
        print(f"reposts: {copies} articles grouped as copies of another, in {groups} groups")
        pairs = db.execute(
            "SELECT a.title, b.title FROM articles a JOIN articles b ON b.group_id = a.id "
            "WHERE b.id != a.id ORDER BY random() LIMIT ?", (examples,)).fetchall()
        for first, second in pairs:
            print(f"  {first[:30]}  ~  {second[:30]}")


class Baseline:
    """jieba's ChineseAnalyzer in a Whoosh schema, queried through Whoosh's MultifieldParser."""

    def __init__(self, texts: dict[int, tuple[str, str]], folder: Path):
        from jieba.analyse import ChineseAnalyzer
        from whoosh import index
        from whoosh.fields import ID, TEXT, Schema

        analyzer = ChineseAnalyzer()
        schema = Schema(id=ID(stored=True), title=TEXT(analyzer=analyzer, field_boost=2.0),
                        body=TEXT(analyzer=analyzer))
        started = time.perf_counter()
        self.ix = index.create_in(str(folder), schema)
        with self.ix.writer(limitmb=256) as w:
            for i, (title, body) in texts.items():
                w.add_document(id=str(i), title=title, body=body)
        self.seconds = time.perf_counter() - started
        self.index_bytes = dir_size(folder)
        self.searcher = self.ix.searcher()

    def ids(self, q: str) -> list[int]:
        from whoosh.qparser import MultifieldParser

        parsed = MultifieldParser(["title", "body"], self.ix.schema).parse(q)
        return [int(h["id"]) for h in self.searcher.search(parsed, limit=None)]


# -- queries and truth ----------------------------------------------------------


def draw_queries(texts: dict[int, tuple[str, str]], n: int, rng: random.Random) -> dict[str, list]:
    import opencc

    s2t = opencc.OpenCC("s2t.json")
    docs = list(texts.items())
    runs = [(i, m.group()) for i, (t, b) in docs for m in CJK_RUN.finditer(b)]
    tokens = [m.group() for _, (t, b) in docs for m in TOKEN.finditer(t + "\n" + b)]

    def cut(length: int) -> str:
        _, run = rng.choice(runs)
        start = rng.randrange(0, len(run) - length + 1)
        return run[start : start + length]

    queries: dict[str, list] = {
        "1 char": [cut(1) for _ in range(n)],
        "2 chars": [cut(2) for _ in range(n)],
        "3-6 chars": [cut(rng.randint(3, 6)) for _ in range(n)],
        "traditional": [],
        "latin/digit": [rng.choice(tokens) for _ in range(n)] if tokens else [],
    }
    while len(queries["traditional"]) < n:
        simplified = cut(rng.randint(2, 4))
        traditional = s2t.convert(simplified)
        if traditional != simplified:
            queries["traditional"].append(traditional)
    titled = [(i, t) for i, (t, _) in docs if len(t) >= 4]
    queries["titles"] = rng.sample(titled, min(n, len(titled)))
    spanning = [m.group() for _, (t, b) in docs for m in SPANNING.finditer(b)]
    queries["passage"] = []
    while spanning and len(queries["passage"]) < n:
        typed = passage(rng.choice(spanning), rng)
        if typed:
            queries["passage"].append(typed)
    lines = [m.group() for _, (t, b) in docs for m in LINE.finditer(b) if MARK.search(m.group())]
    queries["pasted + marks"] = []
    while lines and len(queries["pasted + marks"]) < n:
        if pasted := pasted_passage(rng.choice(lines), rng):
            queries["pasted + marks"].append(pasted)
    latin = [m.group() for _, (t, b) in docs for m in WORD.finditer(t + "\n" + b)]
    queries["latin, case"] = [other_case(rng.choice(latin), rng) for _ in range(n)] if latin else []
    mixed = [m.group() for _, (t, b) in docs for m in MIXED.finditer(t + "\n" + b)]
    queries["han+alnum"] = []
    while mixed and len(queries["han+alnum"]) < n:
        if cut_mixed := mixed_string(rng.choice(mixed), rng):
            queries["han+alnum"].append(cut_mixed)
    return queries


#: What a pasted passage may start or end with besides a CJK character: a mark (not the
#: ASCII hyphen, whose leading use is the syntax for excluding).
MARK = re.compile(r"[^\w\s\-]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def pasted_passage(line: str, rng: random.Random) -> str | None:
    """6-16 characters of `line` from a CJK character or a mark to another, with a mark
    inside or at an end: a passage pasted as the text shows it."""
    for _ in range(20):
        size = rng.randint(6, 16)
        if len(line) < size:
            return None
        start = rng.randrange(0, len(line) - size + 1)
        cut = line[start : start + size]
        ends = (cut[0], cut[-1])
        if (all(CJK.match(c) or MARK.match(c) for c in ends) and MARK.search(cut)
                and len(CJK.findall(cut)) >= 4):
            return cut
    return None


def other_case(word: str, rng: random.Random) -> str:
    """`word` typed in another case: upper if it has lower-case letters, else lower, or
    every letter's case swapped."""
    if rng.random() < 0.3:
        return word.swapcase()
    return word.upper() if word != word.upper() else word.lower()


def mixed_string(run: str, rng: random.Random) -> str | None:
    """2-10 characters of `run` (CJK glued to letters or digits) with both kinds in them,
    starting at a CJK character or where a run of letters or digits starts, and ending at
    a CJK character, where a number ends, or anywhere in a Latin word."""

    def kind(c: str) -> str:
        return "a" if c.isascii() and c.isalpha() else "0" if c.isdigit() else "h"

    for _ in range(20):
        size = rng.randint(2, min(10, len(run)))
        start = rng.randrange(0, len(run) - size + 1)
        end = start + size
        cut = run[start:end]
        first, last = kind(cut[0]), kind(cut[-1])
        if start and first != "h" and kind(run[start - 1]) == first:
            continue  # inside a word or a number
        if last == "0" and end < len(run) and kind(run[end]) == "0":
            continue  # a number cut short
        if "h" in map(kind, cut) and {"a", "0"} & set(map(kind, cut)):
            return cut
    return None


def passage(run: str, rng: random.Random) -> str | None:
    """8-16 CJK characters of `run` that cross what parts them, typed without it."""
    units = [(m.start(), m.group()) for m in re.finditer(r"[\u4e00-\u9fff]", run)]
    size = rng.randint(8, 16)
    if len(units) < size:
        return None
    for _ in range(20):
        first = rng.randrange(0, len(units) - size + 1)
        chosen = units[first : first + size]
        if chosen[-1][0] - chosen[0][0] >= size:  # something stands between two of them
            return "".join(c for _, c in chosen)
    return None


def passage_truth(squeezed: dict[int, str], q: str) -> set[int]:
    nq = NOT_UNIT.sub("", normalize(q))
    return {i for i, t in squeezed.items() if nq in t}


SPACES = re.compile(r"[ \t\u200b]+")


def _kind(c: str) -> str:
    return "a" if "a" <= c <= "z" else "0" if "0" <= c <= "9" else ""


def spaced(norm: str) -> str:
    """Normalized text with the spaces that count for nothing dropped: all but those
    between two Latin letters or two digits, which count as one."""

    def kept(m: re.Match) -> str:
        before = _kind(norm[m.start() - 1]) if m.start() else ""
        after = _kind(norm[m.end()]) if m.end() < len(norm) else ""
        return " " if before and before == after else ""

    return SPACES.sub(kept, norm)


def truth(norm_texts: dict[int, str], q: str) -> set[int]:
    """Articles of `norm_texts` (normalized, `spaced`) with `q` under the boundary rule:
    `q` starts where a run of letters or of digits starts; letters may go on after it,
    digits may not."""
    nq = spaced(normalize(q)).strip()
    if not nq:
        return set()
    first, last = nq[0], nq[-1]
    pattern = re.compile(
        ("(?<![a-z])" if "a" <= first <= "z" else "(?<![0-9])" if first.isdigit() else "")
        + re.escape(nq) + ("(?![0-9])" if last.isdigit() else "")
    )
    return {i for i, t in norm_texts.items() if pattern.search(t)}


def score(found: list[int], relevant: set[int]) -> tuple[float, float]:
    if not relevant:
        return 1.0, 1.0
    recall = len(relevant.intersection(found)) / len(relevant)
    top = found[: len(relevant)]
    return recall, sum(1 for i in top if i in relevant) / len(relevant)


#: A search cluster's address (--cluster): wenhai's column then answers through it.
CLUSTER: str | None = None


def main() -> None:
    global CLUSTER
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=0, help="use only the first N articles")
    ap.add_argument("--queries", type=int, default=100, help="queries per class")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--traditional", action="store_true",
                    help="convert the corpus to traditional characters first (OpenCC s2t)")
    ap.add_argument("--cluster", metavar="HOST:PORT",
                    help="feed and search an empty Sphinx/Manticore cluster (`wenhai cluster "
                    "start` prints its address) instead of wenhai's own index")
    args = ap.parse_args()
    CLUSTER = args.cluster

    files = sorted(corpus.inews().glob("*.txt"))
    if args.articles:
        files = files[: args.articles]
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.traditional:
            files = traditional_copy(files, tmp / "traditional")
        text_mb = sum(f.stat().st_size for f in files) / 1e6
        script = "traditional (s2t) " if args.traditional else ""
        print(f"corpus: {len(files)} {script}iNews articles, {text_mb:.1f} MB; "
              f"{os.cpu_count()} cores"
              + (f"; wenhai through the cluster at {CLUSTER}" if CLUSTER else ""), flush=True)
        w = build_wenhai(files, tmp / "wenhai")
        texts = load_texts(tmp / "wenhai")
        print_reposts(tmp / "wenhai")
        (tmp / "baseline").mkdir()
        base = Baseline(texts, tmp / "baseline")
        text_bytes = sum(len((t + b).encode()) for t, b in texts.values())
        print(f"\n{'ingest':<26}{'wenhai':>14}{'stock':>14}")
        print(f"{'seconds':<26}{w['seconds']:>14.1f}{base.seconds:>14.1f}"
              "  (wenhai: decode+clean+index)")
        print(f"{'MB/s':<26}{text_mb / w['seconds']:>14.2f}{text_mb / base.seconds:>14.2f}")
        print(f"{'index size / text size':<26}{w['index_bytes'] / text_bytes:>14.2f}"
              f"{base.index_bytes / text_bytes:>14.2f}")
        print(f"{'peak RSS of this run, MB':<26}{peak_rss_mb():>14.0f}")

        norm_texts = {i: normalize(t + "\n" + b) for i, (t, b) in texts.items()}
        squeezed = {i: NOT_UNIT.sub("", t) for i, t in norm_texts.items()}
        values = load_values(tmp / "wenhai")
        with_values = {i: spaced(norm_texts[i] + "\n" + normalize("\n".join(v)))
                       for i, v in values.items()}
        queries = draw_queries(texts, args.queries, rng)
        said = sorted({v for i, vs in values.items() for v in vs  # cut from its text
                       if 2 <= len(v) <= 30 and normalize(v) not in norm_texts[i]})
        queries["metadata"] = rng.sample(said, min(args.queries, len(said)))
        print(f"\n{'class':<16}{'n':>5}{'recall':>16}{'R-precision':>20}{'ms/query':>16}"
              f"{'4xx':>7}")
        print(f"{'':<16}{'':>5}{'wenhai':>8}{'stock':>8}{'wenhai':>10}{'stock':>10}"
              f"{'wenhai':>8}{'stock':>8}{'wenhai':>7}")
        with Archive(tmp / "wenhai", CLUSTER) as archive:
            for name, qs in queries.items():
                if name == "titles":
                    continue
                sums = {"wr": 0.0, "wp": 0.0, "br": 0.0, "bp": 0.0, "wt": 0.0, "bt": 0.0}
                misses: list[str] = []
                refused: list[str] = []
                for q in qs:
                    if name == "passage":
                        rel = passage_truth(squeezed, q)
                    else:
                        rel = truth(with_values, q)
                    t0 = time.perf_counter()
                    try:
                        wf = archive.matching_ids(q)
                    except QueryError:
                        wf = []
                        refused.append(q)
                    t1 = time.perf_counter()
                    bf = base.ids(q)
                    t2 = time.perf_counter()
                    wr, wp = score(wf, rel)
                    br, bp = score(bf, rel)
                    if wr < 1:
                        misses.append(q)
                    for k, v in (("wr", wr), ("wp", wp), ("br", br), ("bp", bp),
                                 ("wt", t1 - t0), ("bt", t2 - t1)):
                        sums[k] += v
                n = len(qs) or 1
                print(f"{name:<16}{len(qs):>5}{sums['wr'] / n:>8.3f}{sums['br'] / n:>8.3f}"
                      f"{sums['wp'] / n:>10.3f}{sums['bp'] / n:>10.3f}"
                      f"{sums['wt'] / n * 1000:>8.0f}{sums['bt'] / n * 1000:>8.0f}"
                      f"{len(refused):>7}", flush=True)
                if misses:
                    print(f"{'':<16}wenhai missed part of the truth for: {misses[:10]}")
                if refused:
                    print(f"{'':<16}wenhai refused: {refused[:10]}")
            rr_w = rr_b = 0.0
            same_title = {i: normalize(t) for i, (t, _) in texts.items()}

            def reciprocal_rank(found: list[int], title: str) -> float:
                # Articles that share the title count as the article sought.
                for rank, i in enumerate(found, 1):
                    if same_title[i] == normalize(title):
                        return 1 / rank
                return 0.0

            for _doc_id, title in queries["titles"]:
                try:
                    wf = archive.matching_ids(title, limit=100)
                except QueryError:
                    wf = []
                rr_w += reciprocal_rank(wf, title)
                rr_b += reciprocal_rank(base.ids(title)[:100], title)
            n = len(queries["titles"]) or 1
            print(f"{'titles (MRR)':<16}{n:>5}{rr_w / n:>8.3f}{rr_b / n:>8.3f}")
            others = load_other_titles(tmp / "wenhai")
            titled_as: dict[str, set[int]] = {}  # every article under each title
            for i, (t, _) in texts.items():
                titled_as.setdefault(normalize(t), set()).add(i)
            for i, t in others:
                titled_as.setdefault(normalize(t), set()).add(i)
            rr_w = rr_b = 0.0
            for _doc_id, title in others:
                sought = titled_as[normalize(title)]  # as for titles: any with that title
                wf = archive.matching_ids(title, limit=100)
                rr_w += next((1 / r for r, i in enumerate(wf, 1) if i in sought), 0.0)
                bf = base.ids(title)[:100]
                rr_b += next((1 / r for r, i in enumerate(bf, 1) if i in sought), 0.0)
            n = len(others) or 1
            print(f"{'other titles':<16}{len(others):>5}{rr_w / n:>8.3f}{rr_b / n:>8.3f}"
                  "  (MRR: titles of copies of a text, stored once)")


if __name__ == "__main__":
    main()
