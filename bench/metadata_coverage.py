"""Metadata coverage: how often the text alone tells wenhai an article's date, author, source.

    python bench/metadata_coverage.py [--articles N] [--examples N] [--seed S]

Runs the indexer on the iNews corpus (real Chinese web news, fetched by `corpus.inews()`).
The corpus files start with `Title:` and `Source: iNews` header lines that the corpus
builder wrote, not the articles' authors; they are cut off, and only the body (with the
title as a known header value, which is not counted) goes through `articles.build` — so
every value counted was found in the article's own text (a byline, a WeChat header, a
dateline, a boilerplate line), never in a header.

Prints the share of articles with a date / author / source / location / editor, which
rule shape found them, and a few random articles with what was found next to the first
lines of their text, to check by eye that the values are right.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=0, help="sample this many (0: all)")
    ap.add_argument("--examples", type=int, default=8, help="spot-check this many hits")
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    rng = random.Random(args.seed)

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
        values = {
            "published": a.published.isoformat() if a.published else "",
            "author": a.author or "", "source": a.source or "", **a.extra,
        }
        got = {k: v for k, v in values.items() if k in FIELDS and v}
        for k in got:
            counts[k] += 1
            how[(k, a.provenance.get(k, "?"))] += 1
        if got:
            found_in.append((f, body, got))

    n = len(files) - failed
    print(f"iNews articles read: {n} (unreadable: {failed}); values found in the text itself:")
    for k in FIELDS:
        print(f"  {k:<10} {counts[k]:>5}  {counts[k] / max(n, 1):6.1%}")
    print(f"  any field  {len(found_in):>5}  {len(found_in) / max(n, 1):6.1%}")
    print("found by:")
    for (k, where), c in sorted(how.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {k:<10} {where:<22} {c:>5}")
    print(f"\nspot checks ({min(args.examples, len(found_in))} random articles with a value):")
    for f, body, got in rng.sample(found_in, min(args.examples, len(found_in))):
        first = " / ".join(body.strip().split("\n")[:2])
        print(f"- {f.name}: {got}\n    text: {first[:110]}")


if __name__ == "__main__":
    main()
