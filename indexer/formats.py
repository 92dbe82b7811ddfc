"""Format readers: decoded file → drafts (text plus whatever metadata the format carries).

Each reader returns a list of `Draft` or `IngestError` (one per record, so one bad
line of a JSONL export is reported without losing the others).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import yaml

from store import normalize

from . import credits, jsonld, metadata, teasers
from .errors import IngestError


@dataclass
class Draft:
    """A record before cleaning. `fields` maps a metadata name to (value, provenance)."""

    text: str
    format: str
    original: bytes
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    markdown: bool = False  # lines starting with '#' are headings


Result = list[Draft | IngestError]

#: Header keys accepted at the top of a plain-text file ("Title: …" lines, then a blank line).
_HEADER_KEYS = {
    "title": "title", "标题": "title",
    "author": "author", "作者": "author",
    "source": "source", "来源": "source",
    "date": "published", "published": "published", "日期": "published", "时间": "published",
    "url": "url", "link": "url", "链接": "url",
    "tags": "tags", "keywords": "tags", "标签": "tags", "关键词": "tags",
}
_HEADER_LINE = re.compile(
    r"^\s*([A-Za-z]+|标题|作者|来源|日期|时间|链接|标签|关键词)\s*[:：]\s*(.*)$")

_URL = re.compile(r"(?i)\s*(https?://|www\.)")
_COPYRIGHT = re.compile(r"(?i)版权所有.*$|版權所有.*$|^.*(copyright|©|all rights reserved).*$")

#: JSON keys, most specific first.
JSON_KEYS = {
    "title": ("title", "headline", "name", "标题"),
    "text": ("content", "text", "body", "article", "content_text", "正文", "内容"),
    "author": ("author", "authors", "byline", "writer", "作者"),
    "source": ("source", "site", "site_name", "media", "publisher", "account", "来源"),
    "published": ("pub_date", "published", "publish_time", "date", "pubDate", "time",
                  "created_at", "日期", "发布时间"),
    "url": ("url", "link", "href", "链接"),
    # kept among the extra values (`extra:` searches them) and offered as you type
    "tags": ("tags", "keywords", "tag", "标签", "关键词"),
}


def _header_block(text: str) -> tuple[dict[str, tuple[str, str]], str]:
    """Leading `Key: value` lines ended by a blank line, if the first one is a known key."""
    lines = text.split("\n")
    fields: dict[str, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            if fields:
                return fields, "\n".join(lines[i + 1 :])
            break
        m = _HEADER_LINE.match(line)
        if not m:
            break
        key = _HEADER_KEYS.get(m.group(1).lower())
        if key is None:
            if not fields:
                break
            continue  # an unknown header key (e.g. Split:) inside a header block
        if m.group(2).strip():
            fields[key] = (m.group(2).strip(), "header")
    return {}, text


def read_txt(text: str, original: bytes, path: str) -> Result:
    fields, body = _header_block(text)
    return [Draft(body, "txt", original, fields)]


def read_md(text: str, original: bytes, path: str) -> Result:
    fields: dict[str, tuple[str, str]] = {}
    body = text
    m = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.S)
    if m:
        try:
            front = yaml.safe_load(m.group(1))
        except yaml.YAMLError as e:
            return [IngestError(path, f"has invalid YAML front matter ({e.__class__.__name__}): "
                                      "fix or remove the block between the --- lines")]
        except RecursionError:
            return [IngestError(path, "has YAML front matter nested too deeply to read: fix "
                                      "or remove the block between the --- lines")]
        if isinstance(front, dict):
            for name, keys in JSON_KEYS.items():
                for k in keys:
                    if front.get(k) not in (None, "", []):
                        v = front[k]
                        v = ", ".join(map(str, v)) if isinstance(v, list) else str(v)
                        fields[name] = (v, "front matter")
                        break
        body = text[m.end():]
    return [Draft(body, "md", original, fields, markdown=True)]


def read_html(text: str, original: bytes, path: str) -> Result:
    import trafilatura
    from lxml import html as lxml_html

    markdown = trafilatura.extract(
        text, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=True, include_images=False,
    )
    fields: dict[str, tuple[str, str]] = {}
    meta = trafilatura.extract_metadata(text)
    if not markdown or not markdown.strip():
        if meta is None or not (meta.title and meta.description):
            return [IngestError(path, "has no article text that could be extracted from its "
                                      "HTML, nor a title and description to store it by")]
        markdown = meta.description  # a video or picture page: stored by what it says it is
        fields["page_note"] = (NO_TEXT, "html description")
    if meta is not None:
        for name, attr in (("title", "title"), ("source", "sitename"), ("published", "date"),
                           ("url", "url")):
            value = getattr(meta, attr, None)
            if value:
                fields[name] = (str(value), "html metadata")
    try:
        tree = lxml_html.fromstring(text)
    except Exception:  # noqa: BLE001 - lxml raises several types on broken markup
        tree = None
    headings: list[str] = []
    sites: list[str] = []
    names: list[tuple[str, str]] = []  # author values, most trusted first
    page_title = ""
    page = credits.PageCredits()
    if tree is not None:
        ld = jsonld.metadata(tree)
        page = credits.page_credits(tree)
        kept = teasers.cut(markdown.split("\n"), teasers.zones(tree))
        markdown = "\n".join(kept)
        if teasers.is_list(kept, tree):
            if teasers.chars(kept) < teasers.LIST_MIN and meta is not None and meta.description:
                markdown = meta.description  # a video page's menu is not its text
                fields.setdefault("page_note", (NO_TEXT, "html description"))
            fields.setdefault("page_note", (NOT_AN_ARTICLE, "html links"))
        page_title = " ".join((tree.findtext(".//title") or "").split())
        names += [(w, "html byline") for w in page.writers]
        names += [(ld.pop("author"), "json-ld")] if "author" in ld else []
        names += [(v, "html meta author") for v in tree.xpath('//meta[@name="author"]/@content')]
        for name, value in ld.items():
            fields.setdefault(name, (value, "json-ld"))
        tags = [v.strip() for v in tree.xpath('//meta[@property="article:tag"]/@content')
                if v.strip()] or [v.strip() for v in tree.xpath(
                    '//meta[@name="news_keywords" or @name="keywords"]/@content') if v.strip()]
        if tags:
            fields["tags"] = (", ".join(tags), "html meta tags")
        headings = [h.text_content() for h in tree.xpath("//h1")[:5]]
        sites = [v.strip() for v in tree.xpath(
            '//meta[@property="og:site_name" or @name="application-name"]/@content') if v.strip()]
        if sites:  # the name the site gives itself, over trafilatura's guess from the <title>
            fields["source"] = (sites[0], "html metadata")
        sites += [ld["source"]] if "source" in ld else []
    if meta is not None and meta.author:
        names.append((str(meta.author), "html metadata"))
    if "source" in fields:  # `人民网版权所有`, `Copyright © 2017 Sohu.com Inc. …`: a footer
        fields["source"] = (_COPYRIGHT.sub("", fields["source"][0]).strip(), fields["source"][1])
    if "source" in fields and (_URL.match(fields["source"][0]) or not fields["source"][0]):
        del fields["source"]  # a Facebook page given as the site's name
    if "source" in fields:
        sites.append(fields["source"][0])
    _credit(fields, names, page, [*sites, *metadata.SITE_NAMES])
    if "title" in fields:
        title, how = fields["title"]
        fields["title"] = (metadata.headline(title, headings, sites), how)
        page_title = page_title or " ".join(title.split())
        if page_title != fields["title"][0]:  # with its site's name: still searchable
            fields["page_title"] = (page_title, "html title")
    return [Draft(markdown, "html", original, fields, markdown=True)]


NOT_AN_ARTICLE = ("not an article: nearly all its text is links to other pages (a list, "
                  "search or front page); kept as saved")


NO_TEXT = ("not an article: the page has no text of its own (a video, picture or app "
           "page); stored by its title and description")


def _credit(fields: dict[str, tuple[str, str]], names: list[tuple[str, str]],
            page: credits.PageCredits, sites: list[str]) -> None:
    """Author, editor and source from the names a page's markup gives (`credits.judge`):
    the most trusted person is the author; other people it names as authors stay
    searchable as `listed_author`; editors go to `editor`, outlets to `source`."""
    if page.editors:
        fields["editor"] = ("、".join(page.editors), "html editor line")
    listed: list[str] = []
    for value, how in names:
        for name, v in credits.judge(value, sites, page.editors).items():
            if name == "author" and "author" in fields:
                if normalize(v) != normalize(fields["author"][0]):
                    listed.append(v)
            else:
                fields.setdefault(name, (v, how))
    if listed:
        fields["listed_author"] = ("、".join(dict.fromkeys(listed)), "html metadata")


class NoText(IngestError):
    """A JSON record without text, with the keys it has: a file of them is one error."""

    def __init__(self, path: str, where: str, keys: list[str]):
        super().__init__(path, f"{where} has no text: {_keys_found(keys)}; {_ACCEPTED}")
        self.where = where
        self.keys = keys

    def __reduce__(self):
        return type(self), (self.path, self.where, self.keys)


_ACCEPTED = "wenhai takes the text from the key " + ", ".join(JSON_KEYS["text"][:-1]) + (
    f" or {JSON_KEYS['text'][-1]}")
#: JSON nested deeper than Python's parser goes (about 1,000 levels) is one bad record.
_TOO_DEEP = ("is nested too deeply to read (JSON arrays or objects more than about 1,000 "
             "levels deep): flatten it, or leave it out")


def _keys_found(keys: list[str], most: int = 12) -> str:
    if not keys:
        return "it has no keys"
    shown = ", ".join(keys[:most]) + (f" and {len(keys) - most} more" if len(keys) > most else "")
    return f"its keys are {shown}"


def _int(digits: str) -> int | str:
    """A JSON integer; one too long for Python (over 4,300 digits) stays its digits, so
    that a record with such a value is still read."""
    try:
        return int(digits)
    except ValueError:
        return digits


def _loads(text: str):
    return json.loads(text, parse_int=_int)


def _json_record(obj, original: bytes, path: str, where: str) -> Draft | IngestError:
    if not isinstance(obj, dict):
        return IngestError(path, f"{where} is not a JSON object with a text field")
    fields: dict[str, tuple[str, str]] = {}
    values: dict[str, str] = {}
    try:
        for name, keys in JSON_KEYS.items():
            for k in keys:
                v = obj.get(k)
                if v in (None, "", []):
                    continue
                if isinstance(v, list):
                    v = ", ".join(map(str, v))
                elif isinstance(v, dict):
                    v = str(v.get("name") or "")
                values[name] = str(v)
                break
    except RecursionError:
        return IngestError(path, f"{where} {_TOO_DEEP}")
    if not values.get("text", "").strip():
        return NoText(path, where, [str(k) for k in obj])
    for name, v in values.items():
        if name != "text":
            fields[name] = (v, "json")
    return Draft(values["text"], "json", original, fields)


def _records(out: Result, path: str) -> Result:
    """`out`, or one error for the whole file when no record has text: 7,246 records
    without a text key are one problem (the export's key names), not 7,246."""
    if len(out) < 2 or not all(isinstance(r, NoText) for r in out):
        return out
    keys: dict[str, int] = {}
    for r in out:
        for k in r.keys:
            keys[k] = keys.get(k, 0) + 1
    common = sorted(keys, key=lambda k: -keys[k])
    found = _keys_found(common).replace("its keys are", "their keys are", 1)
    return [IngestError(path, f"none of its {len(out):,} records has text: {found}; "
                              f"{_ACCEPTED}")]


def read_json(text: str, original: bytes, path: str) -> Result:
    try:
        data = _loads(text)
    except json.JSONDecodeError as e:
        return [IngestError(path,
                            f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})")]
    except RecursionError:
        return [IngestError(path, _TOO_DEEP)]
    if isinstance(data, dict) and not any(k in data for k in JSON_KEYS["text"]):
        for key in ("articles", "items", "data", "results", "posts"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    records = data if isinstance(data, list) else [data]
    out: Result = []
    for i, obj in enumerate(records, 1):
        where = f"record {i}" if len(records) > 1 else "the file"
        try:
            raw = (json.dumps(obj, ensure_ascii=False, indent=1).encode() if len(records) > 1
                   else original)
        except RecursionError:
            out.append(IngestError(path, f"{where} {_TOO_DEEP}"))
            continue
        out.append(_json_record(obj, raw, path, where))
    return _records(out, path)


def read_jsonl(text: str, original: bytes, path: str) -> Result:
    out: Result = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except json.JSONDecodeError as e:
            out.append(IngestError(path, f"line {lineno} is not valid JSON ({e.msg})"))
            continue
        except RecursionError:
            out.append(IngestError(path, f"line {lineno} {_TOO_DEEP}"))
            continue
        out.append(_json_record(obj, line.encode(), path, f"line {lineno}"))
    return _records(out, path)


READERS = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_md,
    ".markdown": read_md,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
