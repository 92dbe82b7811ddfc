"""Draft → `Article`: clean the body, then settle title, author, source and date.

Order of trust for each field: the format's own metadata (header lines, front
matter, HTML meta tags and JSON-LD, JSON keys), then what the text says (a byline, a
WeChat header, a news dateline, a line the boilerplate rules drop but keep the value
of, a title-like first line), then the file name for the title. Each value records
where it came from; values that are not `Article` fields go to `Article.extra`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

from store import Article, normalize

from . import boilerplate, bylines, metadata
from .drafts import Draft
from .errors import IngestError
from .language import Reason

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_MARKUP = re.compile(r"(\*\*|__|`)")
_IN_ZIP = re.compile(r"(?i)\.zip!")


#: Boilerplate rules never leave a body shorter than this many characters (spaces aside)
#: when they took a third of the text or more: the text is kept whole instead. A post
#: that is one promo-like line, or a repost's 原标题 line and a site's footer, must not
#: lose its only text, nor become a copy of every other file the rules cut down the same
#: way (copies are recognised by their text). A short post that loses only a 展开全文
#: stays clean.
MIN_KEPT = 50

#: Fields an `Article` has; anything else found goes to `Article.extra`.
_FIELDS = ("title", "author", "source", "published", "url")


def _paragraphs(draft: Draft) -> tuple[list[str], set[int], dict[str, tuple[str, str]]]:
    """Clean paragraphs, which of them are markdown headings, and what boilerplate carried."""
    text = draft.text.replace("\r\n", "\n").replace("\r", "\n")
    if draft.markdown:  # **bold** around a promo line must not hide it from the rules
        text = _MD_MARKUP.sub("", text)
    lines, kept = boilerplate.clean_lines(text.split("\n"))
    whole = boilerplate.markup_removed(text.split("\n"))
    left, before = _chars(lines), _chars(whole)
    if left < MIN_KEPT and 2 * (before - left) >= left:
        lines = whole  # the rules would take most of a short text: keep it all
    paras: list[str] = []
    heads: set[int] = set()
    for line in lines:
        s = line.strip()
        if not s:
            continue
        if draft.markdown:
            m = _MD_HEADING.match(s)
            if m:
                heads.add(len(paras))
                s = m.group(2)
            s = _MD_MARKUP.sub("", s)
            s = re.sub(r"^\s*[-*+]\s+", "· ", s)
            if not s:
                continue
        paras.append(s)
    return paras, heads, kept


def _chars(lines: list[str]) -> int:
    return sum(len("".join(line.split())) for line in lines)


def _apply(
    edits: dict[int, str | None], paras: list[str], heads: set[int]
) -> tuple[list[str], set[int]]:
    """Paragraphs with bylines dropped or cut, and the heading indexes moved to match."""
    out: list[str] = []
    moved: set[int] = set()
    for i, p in enumerate(paras):
        p = edits.get(i, p)
        if p is None:
            continue
        if i in heads:
            moved.add(len(out))
        out.append(p)
    return out, moved


def build(draft: Draft, path: str, encoding: str) -> Article:
    paras, md_heads, kept = _paragraphs(draft)
    fields = dict(draft.fields)
    if "author" in fields:  # a page's own name or a whole byline in its author field
        value, how = fields["author"]
        sites = [fields["source"][0]] if "source" in fields else []
        said = bylines.credited(value, [*sites, *metadata.SITE_NAMES])
        if said is not None:
            del fields["author"]
            for name, v in said.items():
                fields.setdefault(name, (v, how))

    # A dateline says 12月31日 or 5日; the rest comes from the file's date, else any date in it.
    known = _date(fields["published"][0]) if "published" in fields else None
    known = known or metadata.parse_date(draft.text)
    found = bylines.find(paras, known)
    _byline_authors(fields, found.fields.get("author"))
    for name, value_how in (*found.fields.items(), *kept.items()):
        fields.setdefault(name, value_how)
    edited, edited_heads = _apply(found.edits, paras, md_heads)
    if "".join(edited).strip():  # bylines never take the whole text either
        paras, md_heads = edited, edited_heads

    # A one-paragraph post keeps its paragraph as its text, even when it reads like a title.
    if "title" not in fields and len(paras) > 1 and metadata.is_title_like(paras[0]):
        fields["title"] = (paras.pop(0), "first line")
        md_heads = {h - 1 for h in md_heads if h != 0}
    elif "title" in fields and len(paras) > 1 and paras[0].strip() == fields["title"][0].strip():
        paras.pop(0)  # the page repeats its title as the first heading
        md_heads = {h - 1 for h in md_heads if h != 0}
    if "title" not in fields:
        fields["title"] = (PurePath(_file_name(path.split("#")[0])).stem, "file name")

    if not "".join(paras).strip():
        raise IngestError(
            path, Reason("has no article text: nothing but headers, front matter or image "
                         "placeholders"))

    heads = set(md_heads)
    if not draft.markdown:
        heads = {
            i for i, p in enumerate(paras)
            if metadata.is_heading(p, paras[i + 1] if i + 1 < len(paras) else None)
        }

    published = None
    if "published" in fields:
        published = _date(fields["published"][0])
        if published is None:
            del fields["published"]

    def value(name: str) -> str | None:
        v = fields.get(name, ("", ""))[0].strip()
        return v[:500] or None

    if "edited" in fields:  # a Zhihu edit date: ISO like `published`, kept as written if odd
        text, how = fields["edited"]
        edited = _date(text)
        fields["edited"] = (edited.isoformat() if edited else text, how)

    return Article(
        title=value("title") or PurePath(_file_name(path)).stem,
        body="\n".join(paras),
        author=value("author"),
        source=value("source"),
        published=published,
        url=value("url"),
        headings=sorted(heads),
        provenance={name: how for name, (_, how) in fields.items()},
        extra={name: v for name in fields if name not in _FIELDS and (v := value(name))},
        format=draft.format,
        encoding=encoding,
        original=draft.original,
        original_name=_file_name(path),
    )


#: Where a page's markup, not its text, named the author: a byline in the text wins.
MARKUP = {"html metadata", "html meta author", "json-ld", "html byline"}


def _byline_authors(fields: dict[str, tuple[str, str]], said: tuple[str, str] | None) -> None:
    """The names a byline or dateline in the text gives (`北京商报讯（记者 岳品瑜 董晗萱）`)
    are never lost: over a page's markup they are the authors (the markup's name stays
    searchable as `listed_author`); beside an author a file states itself (a header, front
    matter, a JSON key) they are kept as `byline_author`."""
    if said is None or "author" not in fields:
        return
    value, how = fields["author"]
    if normalize(value) == normalize(said[0]):
        return
    if how in MARKUP:
        fields["author"] = said
        listed = fields.get("listed_author", ("", how))[0]
        fields["listed_author"] = ("、".join(v for v in (value, listed) if v), how)
    else:
        fields.setdefault("byline_author", said)


def _file_name(path: str) -> str:
    """The file's own name: for a zip's member (`/a/export.zip!b.txt`), the member's."""
    return _IN_ZIP.split(PurePath(path).name)[-1]


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return metadata.parse_date(text)
