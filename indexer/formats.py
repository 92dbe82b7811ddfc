"""Format readers: decoded file → drafts (text plus whatever metadata the format carries).

Each reader returns a list of `Draft` or `IngestError` (one per record, so one bad
line of a JSONL export is reported without losing the others).
"""

from __future__ import annotations

import json
import re

import yaml

from . import webpages
from .drafts import Draft, Result
from .errors import IngestError
from .language import Reason

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
            return [IngestError(path, Reason(
                "has invalid YAML front matter (%(error)s): fix or remove the block between "
                "the --- lines", error=e.__class__.__name__))]
        except RecursionError:
            return [IngestError(path, Reason(
                "has YAML front matter nested too deeply to read: fix or remove the block "
                "between the --- lines"))]
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


class NoText(IngestError):
    """A JSON record without text, with the keys it has: a file of them is one error."""

    def __init__(self, path: str, where: str, keys: list[str]):
        super().__init__(path, Reason("%(where)s has no text: %(keys)s; %(accepted)s",
                                      where=where, keys=_keys_found(keys), accepted=_ACCEPTED))
        self.where = where
        self.keys = keys

    def __reduce__(self):
        return type(self), (self.path, self.where, self.keys)


_ACCEPTED = Reason("wenhai takes the text from the key %(keys)s or %(last)s",
                   keys=", ".join(JSON_KEYS["text"][:-1]), last=JSON_KEYS["text"][-1])
#: JSON nested deeper than Python's parser goes (about 1,000 levels) is one bad record.
_TOO_DEEP = Reason("is nested too deeply to read (JSON arrays or objects more than about "
                   "1,000 levels deep): flatten it, or leave it out")


def _keys_found(keys: list[str], most: int = 12, records: bool = False) -> str:
    """What keys a record has (or the records of a file, `records`)."""
    if not keys:
        return Reason("it has no keys")
    shown = ", ".join(keys[:most])
    if len(keys) > most:
        return (Reason("their keys are %(keys)s and %(n)s more", keys=shown, n=len(keys) - most)
                if records else
                Reason("its keys are %(keys)s and %(n)s more", keys=shown, n=len(keys) - most))
    return (Reason("their keys are %(keys)s", keys=shown) if records
            else Reason("its keys are %(keys)s", keys=shown))


def _where(where: str, reason: str) -> str:
    """A reason about one record of a file (`where`: "line 3")."""
    return Reason("%(where)s %(reason)s", where=where, reason=reason)


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
        return IngestError(path, Reason("%(where)s is not a JSON object with a text field",
                                        where=where))
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
        return IngestError(path, _where(where, _TOO_DEEP))
    if not values.get("text", "").strip():
        return NoText(path, where, [str(k) for k in obj])
    for name, v in values.items():
        if name != "text":
            fields[name] = (v, "json")
    extra = obj.get("extra")  # wenhai's own export: editor, page_title, dateline…
    if isinstance(extra, dict):
        for name, v in extra.items():
            if isinstance(name, str) and name not in JSON_KEYS and isinstance(v, str | int):
                fields.setdefault(name, (str(v), "json extra"))
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
    found = _keys_found(common, records=True)
    return [IngestError(path, Reason("none of its %(n)s records has text: %(keys)s; "
                                     "%(accepted)s", n=len(out), keys=found,
                                     accepted=_ACCEPTED))]


def read_json(text: str, original: bytes, path: str) -> Result:
    try:
        data = _loads(text)
    except json.JSONDecodeError as e:
        return [IngestError(path, Reason(
            "is not valid JSON (line %(line)s, column %(column)s: %(error)s)",
            line=str(e.lineno), column=str(e.colno), error=e.msg))]
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
        where = Reason("record %(n)s", n=str(i)) if len(records) > 1 else Reason("the file")
        try:
            raw = (json.dumps(obj, ensure_ascii=False, indent=1).encode() if len(records) > 1
                   else original)
        except RecursionError:
            out.append(IngestError(path, _where(where, _TOO_DEEP)))
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
            out.append(IngestError(path, Reason("line %(n)s is not valid JSON (%(error)s)",
                                                n=str(lineno), error=e.msg)))
            continue
        except RecursionError:
            out.append(IngestError(path, _where(Reason("line %(n)s", n=str(lineno)),
                                                _TOO_DEEP)))
            continue
        out.append(_json_record(obj, line.encode(), path, Reason("line %(n)s", n=str(lineno))))
    return _records(out, path)


READERS = {
    ".txt": read_txt,
    ".text": read_txt,
    ".md": read_md,
    ".markdown": read_md,
    ".html": webpages.read_page,
    ".htm": webpages.read_page,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
