"""Draft → `Article`: clean the body, then settle title, author, source and date.

Order of trust for each field: the format's own metadata (header lines, front
matter, HTML meta tags, JSON keys), then what the text says (a byline, a title-like
first line), then the file name for the title. Each value records where it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

from store import Article

from . import boilerplate, metadata
from .errors import IngestError
from .formats import Draft

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_MARKUP = re.compile(r"(\*\*|__|`)")


def _paragraphs(draft: Draft) -> tuple[list[str], set[int]]:
    """Clean paragraphs and which of them are markdown headings."""
    lines = boilerplate.clean_lines(draft.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
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
    return paras, heads


def build(draft: Draft, path: str, encoding: str) -> Article:
    paras, md_heads = _paragraphs(draft)
    fields = dict(draft.fields)

    byline = metadata.find_byline(paras)
    if byline is not None:
        i, found = byline
        for name, value in found.items():
            fields.setdefault(name, (value, "byline"))
        del paras[i]
        md_heads = {h - (h > i) for h in md_heads if h != i}

    if "title" not in fields and paras and metadata.is_title_like(paras[0]):
        fields["title"] = (paras.pop(0), "first line")
        md_heads = {h - 1 for h in md_heads if h != 0}
    elif "title" in fields and paras and paras[0].strip() == fields["title"][0].strip():
        paras.pop(0)  # the page repeats its title as the first heading
        md_heads = {h - 1 for h in md_heads if h != 0}
    if "title" not in fields:
        fields["title"] = (PurePath(path.split("#")[0]).stem, "file name")

    if not "".join(paras).strip():
        raise IngestError(path, "has no article text after removing boilerplate")

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

    return Article(
        title=value("title") or PurePath(path).stem,
        body="\n".join(paras),
        author=value("author"),
        source=value("source"),
        published=published,
        url=value("url"),
        headings=sorted(heads),
        provenance={name: how for name, (_, how) in fields.items()},
        format=draft.format,
        encoding=encoding,
        original=draft.original,
        original_name=PurePath(path).name,
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return metadata.parse_date(text)
