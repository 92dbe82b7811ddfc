"""Every answer a checkout gives on an archive, to compare two builds: a change that
should give up nothing (a new index layout) must answer the same.

    python bench/answers.py CHECKOUT HOME OUT.json     # one build's answers
    python bench/answers.py --diff BEFORE.json AFTER.json

The answers: issue 17's query set (queryset.draw, 30 a class, seed 1998, from HOME's
own texts), each query's page and the page after at 20 a page with its total, every
hit's id, score, snippet, title and reposts, and the facets; the similar articles of 40
articles; a concordance page of 发展. CHECKOUT's code is imported (it and its bench/
put first on the path), so run it once per build on archives made from the same files.
`--diff` prints how many answers differ and the first few, and exits 1 if any does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def answers(checkout: Path, home: Path, out: Path) -> None:
    os.environ["WENHAI_RESULT_CACHE"] = "0"
    sys.path.insert(0, str(checkout))
    sys.path.insert(0, str(checkout / "bench"))  # its queries.py puts its checkout first
    from queries import dump_records
    from queryset import draw

    import store
    from store import Archive
    from store.search.filters import Filters

    if not Path(store.__file__).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"imported {store.__file__}, not {checkout}'s store")
    texts = dump_records(home, out.with_suffix(".records.jsonl"))
    found: dict[str, object] = {}
    with Archive(home) as archive:
        for q in draw(texts, 30, 1998):
            narrow = Filters(source=q.source) if q.source else None
            for page in (q.page, q.page + 1):
                r = archive.search(q.q, page=page, per_page=20, sort=q.sort or "relevance",
                                   filters=narrow)
                found[f"{q.cls}|{q.q}|{q.source}|{q.sort}|{page}"] = [
                    r.total, [[h.id, round(h.score, 6), str(h.snippet), str(h.title_html),
                               h.reposts] for h in r.hits],
                    json.dumps(r.facets, sort_keys=True, default=str)]
        for i in texts.ids[:: max(1, len(texts.ids) // 40)][:40]:
            found[f"similar|{i}"] = [[h.id, round(h.score, 6)] for h in archive.similar(i, 10)]
        found["kwic|发展"] = json.dumps(archive.kwic("发展", per_page=50), default=str,
                                        sort_keys=True)
    out.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    print(f"{len(found)} answers in {out}")


def diff(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} answers before, {len(b)} after; {len(differ)} differ")
    for key in differ[:5]:
        print(f"  {key}:\n    before {json.dumps(a.get(key), ensure_ascii=False)[:300]}"
              f"\n    after  {json.dumps(b.get(key), ensure_ascii=False)[:300]}")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--diff":
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    answers(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
