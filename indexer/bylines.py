"""Bylines and datelines as Chinese platforms print them → author, source, date, place.

Three shapes, tried on the first paragraphs of a body:

* a byline line of `key value` parts — `作者 | 张逸 报道 | TOP电商`, `文 | 林舟`,
  `来源：江城晚报 | 作者：周敏 | 2024年3月5日 10:02`, `记者 王芳 通讯员 李强`;
* a WeChat header line — `原创 林舟 汽车前哨 2025-10-18 07:45 上海` (author, account,
  date, the IP location);
* a news dateline opening the first paragraph — `新华社北京12月31日电（记者 王芳）`,
  `本报北京１月２０日讯`, `（江城网讯）`, `（记者 王芳）`. Only the dateline is cut; the
  sentence it opens stays.

Values are returned under the names `articles.build` files them by: author, source,
published (ISO date) and, kept in `Article.extra`, location, dateline, editor,
correspondent, photographer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store import normalize

from . import dates

#: Byline keys → the field their value goes to. `报道` follows the author and names the outlet.
KEYS = {
    "作者": "author", "文": "author", "撰文": "author", "文字": "author", "记者": "author",
    "本报记者": "author", "本网记者": "author", "实习生": "author", "报道": "source",
    "来源": "source", "出处": "source", "转自": "source",
    "编辑": "editor", "责编": "editor", "责任编辑": "editor", "通讯员": "correspondent",
    "摄影": "photographer", "摄": "photographer", "图": "photographer", "摄影报道": "photographer",
    "本报通讯员": "correspondent", "审核": "reviewer", "校对": "proofreader",
    "发布时间": "published", "发布于": "published", "日期": "published", "时间": "published",
}
#: Agencies whose name says only "this paper" — no source to record.
_SELF = {"本报", "本刊", "本台", "本网", "本站"}
BYLINE_LINES = 6
_NAME_MAX = 20
_NOT_A_NAME = re.compile(r"[，。！？；,!?;“”\"《》（）()|｜:：]")
#: Words after a key that make a section heading (编辑 手记, 作者 简介), not a byline.
_NOT_A_VALUE = {"简介", "手记", "说明", "的话", "按", "注", "声明", "信息", "介绍", "寄语", "后记"}
_TIME = re.compile(r"(?<!\d)\d{1,2}[:：]\d{2}([:：]\d{2})?(?!\d)")
_WECHAT = re.compile(
    r"^(?P<original>原创\s+)?(?P<names>(?:\S+\s+){0,4}?)"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?P<time>\s+\d{1,2}:\d{2})?(?:\s+(?P<location>[\u4e00-\u9fff]{2,8}))?\s*$"
)
_NUM = r"[0-9〇○零一二三四五六七八九十]"
_DATELINE = re.compile(
    r"^据?(?P<agency>[\u4e00-\u9fff]{1,6}?(?:社|网|报|台|刊|新闻))"
    r"(?:(?P<location>[\u4e00-\u9fff]{2,8}?)"
    rf"(?P<date>(?:{_NUM}{{4}}年)?{_NUM}{{1,3}}月{_NUM}{{1,3}}日)(?:电|讯|消息)|讯|消息)"
)
_PAREN = re.compile(r"^\s*[（(](?P<inner>[^（）()]{2,40})[）)]")
_AFTER_DATELINE = re.compile(r"^[\s:：，,—-]*")
_NEWS_FLASH = re.compile(r"^(?P<source>[\u4e00-\u9fffA-Za-z0-9]{2,12}?)(?:讯|消息)$")
#: Keys of two or more characters, longest first: safe to find glued to a name.
_LONG_KEYS = "|".join(sorted((k for k in KEYS if len(k) > 1), key=len, reverse=True))
_GLUED = re.compile(f"(.+?)({_LONG_KEYS})$")
_CREDIT_KEY = re.compile(f"({_LONG_KEYS})")


@dataclass
class Found:
    """What the first paragraphs say about the article, and how to cut them.

    `edits` maps a paragraph index to what is left of it: None drops the paragraph,
    a string replaces it (a dateline cut off the front of the first sentence).
    """

    #: name → (value, where it was found: "byline", "wechat header" or "dateline")
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    edits: dict[int, str | None] = field(default_factory=dict)

    def add(self, fields: dict[str, str], how: str) -> None:
        for name, value in fields.items():
            if value and name not in self.fields:
                self.fields[name] = (value, how)


def _blank(text: str, norm: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """`text` with what `patterns` match in its normalized twin `norm` blanked out."""
    chars = list(text)
    for pattern in patterns:
        for m in pattern.finditer(norm):
            chars[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(chars)


def _split_glued_keys(tokens: list[str]) -> list[str]:
    """`来源 |某某办编辑 |某某` → 来源, 某某办, 编辑, 某某: a key glued to the value before it."""
    out: list[str] = []
    for i, token in enumerate(tokens):
        m = _GLUED.match(token) if 0 < i < len(tokens) - 1 and token not in KEYS else None
        out.extend(m.groups() if m else (token,))
    return out


def key_values(line: str) -> dict[str, str] | None:
    """The fields of a `key value` byline line, or None if the line is anything else."""
    line = line.strip()
    norm = normalize(line)  # full-width digits folded; same length as `line`
    date = dates.parse_date(norm)
    bare = _blank(line, norm, (dates.WRITTEN_DATE, _TIME))  # dates are read, not names
    tokens = _split_glued_keys([t for t in re.split(r"[\s|｜:：/／]+", bare) if t])
    if not tokens or tokens[0] not in KEYS or len(tokens) > 12:
        return None
    found: dict[str, list[str]] = {}
    key = ""
    for token in tokens:
        if token in KEYS:
            key = KEYS[token]
            found.setdefault(key, [])
        elif len(token) > _NAME_MAX or _NOT_A_NAME.search(token) or token in _NOT_A_VALUE:
            return None
        else:
            found[key].append(token)
    fields = {k: "、".join(v) for k, v in found.items() if v and k != "published"}
    if date and (fields or "published" in found):
        fields["published"] = date.isoformat()
    return fields or None


def wechat(line: str) -> dict[str, str] | None:
    """Fields of a WeChat header line (`原创 作者 公众号 2025-10-18 07:45 上海`)."""
    m = _WECHAT.match(normalize(line.strip()))
    if not m:
        return None
    s = line.strip()
    names = s[m.start("names"):m.end("names")].split()
    if names and not (m.group("original") or m.group("time")):
        return None  # `某某 2024-03-05` might be anything; WeChat prints 原创 or the time
    if any(len(n) > _NAME_MAX or _NOT_A_NAME.search(n) for n in names):
        return None
    date = dates.parse_date(m.group("date"))
    if date is None:
        return None
    fields = {"published": date.isoformat()}
    if names:
        fields["source"] = names[-1]
    if len(names) > 1:
        fields["author"] = "、".join(names[:-1])
    if m.group("location"):
        fields["location"] = s[m.start("location"):m.end("location")]
    return fields


def _credit(inner: str) -> dict[str, str] | None:
    """`（记者 王芳 通讯员 李强）`, `（江城网讯）`, `（来源：江城晚报）` → fields."""
    inner = inner.strip()
    m = _NEWS_FLASH.match(normalize(inner))
    if m:
        return {"source": inner[: m.end("source")]}
    # Inside the brackets a key glued to names is still a key: （记者苏小坡通讯员达峰）.
    return key_values(_CREDIT_KEY.sub(r" \1 ", inner))


def dateline(paragraph: str, year: int | None) -> tuple[dict[str, str], str] | None:
    """(fields, the rest of the paragraph) when `paragraph` opens with a dateline."""
    norm = normalize(paragraph)
    fields: dict[str, str] = {}
    end = 0
    m = _DATELINE.match(norm)
    if m:
        agency = paragraph[m.start("agency"):m.end("agency")]
        if agency not in _SELF:
            fields["source"] = agency
        if m.group("date"):
            fields["dateline"] = paragraph[m.start():m.end()].removeprefix("据")
            fields["location"] = paragraph[m.start("location"):m.end("location")]
            full = dates.parse_date(m.group("date"))
            md = dates.month_day(m.group("date"))
            day = full or (dates.with_year(*md, year) if md else None)
            if day:
                fields["published"] = day.isoformat()
        end = m.end()
    while p := _PAREN.match(norm[end:]):
        credit = _credit(paragraph[end + p.start("inner"):end + p.end("inner")])
        if credit is None:
            break
        for k, v in credit.items():
            fields.setdefault(k, v)
        end += p.end()
    if not end:
        return None
    end += _AFTER_DATELINE.match(norm[end:]).end()
    return fields, paragraph[end:]


def find(paragraphs: list[str], year: int | None = None) -> Found:
    """Bylines and datelines among the first paragraphs. `year` completes 12月31日 datelines."""
    found = Found()
    for i, para in enumerate(paragraphs[:BYLINE_LINES]):
        if fields := key_values(para):
            found.add(fields, "byline")
            found.edits[i] = None
        elif fields := wechat(para):
            found.add(fields, "wechat header")
            found.edits[i] = None
        elif (cut := dateline(para, year)) is not None:
            fields, rest = cut
            found.add(fields, "dateline")
            found.edits[i] = rest if rest.strip() else None
    return found
