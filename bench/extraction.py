"""Extraction quality on real saved web pages: what a reader sees first, scored.

    python bench/extraction.py [--pages DIR] [--misses]

Reads the 63 pages of `../shared/html_real` (45 Chinese news and self-media sites, 53
simplified, 10 traditional; `SOURCES.md` there says where each page and its expected
output come from) as `wenhai ingest` would (`indexer.reading.read_articles`), and, in the
same run, with trafilatura (plain `extract` and `extract_metadata`) and readability-lxml
(`Document.short_title`, `author` and `summary`), so the table shows wenhai beside the
two libraries it could lean on. Not part of the test suite: the pages are a benchmark,
not test data, and their licences differ (see SOURCES.md).

Per field:

* title exact — the headline the suite expects (16 pages), after NFKC and with runs of
  spaces made one; `with suffix` counts titles that are the expected headline plus more
  (a site's or section's name);
* writer byline — on the 6 pages whose expected author is the writer (not a page's
  responsible editor, which 4 suites give: `byline_note`, or a name the page itself
  calls its editor), the name is among the authors;
* authors given / junk / editor-as-author — every page: an author that is a URL, a
  number, carries a label (`责任编辑：`), is a widget word or names a site or outlet is
  junk; one that the page itself calls its editor (after 责任编辑/编辑/責任編輯 in the
  page's text, or a suite byline noted as the editor) is an editor given as author;
* editor names kept — (wenhai only) every name the page calls its editor is stored in
  a searchable field (text, title, author or an extra value);
* date — the 12 pages with an expected date;
* body — bag of character bigrams over letters, digits and CJK after NFKC (punctuation
  and spaces dropped): precision, recall and F1 against the 52 full expected texts,
  micro-averaged, with the pages under 0.8 precision; `snippets` counts expected
  sentences found and unwanted ones (teasers, ads) left in (`must` / `must_not`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import decode  # noqa: E402
from indexer.reading import read_articles  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "html_real"

_WORD = re.compile(r"[\w]", re.UNICODE)
_URL = re.compile(r"(?i)https?://|www\.|\.com\b")
_LABEL = re.compile(r"[:：|｜]|^(作者|记者|記者|编辑|編輯|责任编辑|責任編輯|来源|來源)")
_WIDGETS = {"字号", "字號", "分享", "评论", "评论数", "热门跟贴", "跟贴", "打印", "关闭", "收藏"}
_OUTLET = re.compile(r"(网|網|新闻|新聞|报|報|社|台|频道|頻道|传媒|傳媒|媒体|媒體|app|APP)"
                     r"($|[-–—·])")
_EDITOR_ON_PAGE = re.compile(
    r"(?:责任编辑|責任編輯|编辑|編輯|责编|責編)\s*[:：]\s*([\u4e00-\u9fff]{2,4})(?![\u4e00-\u9fff:：])")


def flat(s: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", s or "").split())


def bare(s: str | None) -> str:
    """`史蒂文的家_藍天 (stevenhgm)` and `史蒂文的家 藍天` alike: no spaces or underscores."""
    return re.sub(r"[\s_]", "", unicodedata.normalize("NFKC", s or ""))


def bigrams(text: str) -> Counter:
    chars = [c for c in unicodedata.normalize("NFKC", text or "") if _WORD.match(c)
             and c != "_"]
    return Counter(a + b for a, b in zip(chars, chars[1:], strict=False))


def overlap(got: str, want: str) -> tuple[int, int, int]:
    g, w = bigrams(got), bigrams(want)
    return sum((g & w).values()), sum(g.values()), sum(w.values())


def wenhai(html: bytes, path: str) -> dict:
    good, bad = read_articles(html, path)
    if not good:
        return {"text": "", "note": bad[0].message if bad else "nothing"}
    a = good[0]
    return {"title": a.title, "authors": _split(a.author), "date": a.published and
            a.published.isoformat(), "text": a.body, "extra": a.extra}


def _text(html: bytes, path: str) -> str:
    declared = decode.declared_charset(html)
    return decode.decode(html, path, None, declared).text


def with_trafilatura(html: bytes, path: str) -> dict:
    import trafilatura

    text = _text(html, path)
    meta = trafilatura.extract_metadata(text)
    return {"title": meta and meta.title, "authors": _split(meta and meta.author),
            "date": meta and meta.date, "text": trafilatura.extract(text) or ""}


def with_readability(html: bytes, path: str) -> dict:
    from lxml import html as lxml_html
    from readability import Document

    doc = Document(_text(html, path))
    summary = doc.summary(html_partial=True)
    body = "\n".join(lxml_html.fromstring(summary).itertext()) if summary.strip() else ""
    author = doc.author()
    return {"title": doc.short_title(), "authors": _split(
        None if author == "[no-author]" else author), "date": None, "text": body}


EXTRACTORS = {"wenhai": wenhai, "trafilatura": with_trafilatura,
              "readability": with_readability}


def _split(value: str | None) -> list[str]:
    return [v for v in re.split(r"[、;；,，]\s*|\s{2,}", value or "") if v.strip()]


def editors_on(page: str) -> set[str]:
    """Names the page itself calls its editor."""
    from lxml import html as lxml_html

    try:
        visible = lxml_html.fromstring(page).text_content()
    except Exception:  # noqa: BLE001 - a page lxml cannot read has no editors to find
        visible = ""
    return {m.group(1) for m in _EDITOR_ON_PAGE.finditer(unicodedata.normalize(
        "NFKC", visible))}


def junk(author: str) -> bool:
    a = flat(author)
    return bool(_URL.search(a) or a.replace(" ", "").isdigit() or _LABEL.search(a)
                or a in _WIDGETS or _OUTLET.search(a) or len(a) > 30)


def score(name: str, rows: list[dict], pages: Path, misses: bool) -> dict:
    extract = EXTRACTORS[name]
    t = Counter()
    low: list[str] = []
    for row in rows:
        html = (pages / row["file"]).read_bytes()
        try:
            got = extract(html, row["file"])
        except Exception as e:  # noqa: BLE001 - a library failing on a page is scored
            got = {"text": "", "note": f"{type(e).__name__}: {e}"}
        if row.get("title"):
            t["titles"] += 1
            title = flat(got.get("title"))
            if title == flat(row["title"]):
                t["title exact"] += 1
            elif title.startswith(flat(row["title"])):
                t["title with suffix"] += 1
                if misses:
                    print(f"  {name} title {row['file']}: {title!r}", file=sys.stderr)
            elif misses:
                print(f"  {name} title {row['file']}: {title!r} ≠ {row['title']!r}",
                      file=sys.stderr)
        authors = got.get("authors") or []
        on_page = editors_on(_text(html, row["file"]))
        editors = on_page | ({row["byline"]} if row.get("byline_note") else set())
        for a in authors:
            t["authors given"] += 1
            if junk(a):
                t["author junk"] += 1
            if any(e in a for e in editors):
                t["editor as author"] += 1
            if misses and (junk(a) or any(e in a for e in editors)):
                print(f"  {name} author {row['file']}: {a!r}", file=sys.stderr)
        if name == "wenhai":  # every editor the page names is stored somewhere searchable
            said = "\n".join([got.get("text") or "", got.get("title") or "", *authors,
                              *map(str, (got.get("extra") or {}).values())])
            for editor in on_page:
                t["page editors"] += 1
                t["page editors kept"] += editor in said
                if misses and editor not in said:
                    print(f"  {name} editor lost {row['file']}: {editor}", file=sys.stderr)
        if row.get("byline") and row["byline"] not in editors:
            t["writers"] += 1
            if any(bare(row["byline"]) in bare(a) or bare(a) in bare(row["byline"])
                   for a in authors):
                t["writer found"] += 1
            elif misses:
                print(f"  {name} writer {row['file']}: {authors} ≠ {row['byline']!r}",
                      file=sys.stderr)
        if row.get("date"):
            t["dates"] += 1
            if str(got.get("date") or "")[:10] == row["date"]:
                t["date right"] += 1
            elif misses:
                print(f"  {name} date {row['file']}: {got.get('date')} ≠ {row['date']}",
                      file=sys.stderr)
        text = got.get("text") or ""
        if row.get("text"):
            both, g, w = overlap(text, row["text"])
            t["bigrams both"] += both
            t["bigrams got"] += g
            t["bigrams want"] += w
            t["bodies"] += 1
            if g == 0 or both / g < 0.8:
                low.append(f"{row['file']} P {both / g if g else 0:.2f}")
        plain = flat(text).replace(" ", "")
        for s in row.get("must") or []:
            t["must"] += 1
            t["must found"] += flat(s).replace(" ", "") in plain
        for s in row.get("must_not") or []:
            t["must_not"] += 1
            t["must_not left"] += flat(s).replace(" ", "") in plain
    if misses:
        for line in low:
            print(f"  {name} body {line}", file=sys.stderr)
    t["low precision"] = len(low)
    return t


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a}/{b})" if b else "—"


def table(results: dict[str, Counter]) -> str:
    lines = ["| field | " + " | ".join(results) + " |", "|---" * (len(results) + 1) + "|"]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(t) for t in results.values()) + " |")

    row("title exact", lambda t: _ratio(t["title exact"], t["titles"]))
    row("title = headline + site suffix", lambda t: f"{t['title with suffix']}")
    row("writer byline", lambda t: _ratio(t["writer found"], t["writers"]))
    row("authors given", lambda t: f"{t['authors given']}")
    row("author junk", lambda t: _ratio(t["author junk"], t["authors given"]))
    row("editor as author", lambda t: _ratio(t["editor as author"], t["authors given"]))
    row("editor names on the page kept", lambda t: _ratio(t["page editors kept"],
                                                           t["page editors"]))
    row("date", lambda t: _ratio(t["date right"], t["dates"]))

    def p(t):
        return t["bigrams both"] / t["bigrams got"] if t["bigrams got"] else 0

    def r(t):
        return t["bigrams both"] / t["bigrams want"] if t["bigrams want"] else 0

    row("body precision", lambda t: f"{p(t):.3f}")
    row("body recall", lambda t: f"{r(t):.3f}")
    row("body F1", lambda t: f"{2 * p(t) * r(t) / (p(t) + r(t)) if p(t) + r(t) else 0:.3f}")
    row("pages with precision < 0.8", lambda t: f"{t['low precision']} of {t['bodies']}")
    row("expected sentences found", lambda t: _ratio(t["must found"], t["must"]))
    row("unwanted sentences left in", lambda t: _ratio(t["must_not left"], t["must_not"]))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, default=SHARED,
                    help="folder with pages/ and truth.jsonl (default ../shared/html_real)")
    ap.add_argument("--misses", action="store_true", help="list each miss on stderr")
    ap.add_argument("--only", choices=list(EXTRACTORS), action="append",
                    help="score only these extractors")
    args = ap.parse_args()
    truth = args.pages / "truth.jsonl"
    if not truth.exists():
        sys.exit(f"{truth} not found: pass --pages with the folder holding pages/ and "
                 "truth.jsonl (../shared/html_real beside the project)")
    rows = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    results = {name: score(name, rows, args.pages / "pages", args.misses)
               for name in (args.only or EXTRACTORS)}
    print(f"{len(rows)} pages from {args.pages}\n")
    print(table(results))


if __name__ == "__main__":
    main()
