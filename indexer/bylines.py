"""Bylines and datelines as Chinese platforms print them → author, source, date, place.

Shapes tried on the first paragraphs of a body, in either script — lines are matched in
their normalized twin (`store.normalize`) and values cut from the original by offset
(the mapping keeps lengths), so `記者：林志豪` gives 林志豪, not 林志豪's simplified form:

* a byline line of `key value` parts — `作者 | 张逸 报道 | TOP电商`, `文 | 林舟`,
  `来源：江城晚报 | 作者：周敏 | 2024年3月5日 10:02`, `记者 王芳 通讯员 李强`, `記者：林志豪`;
* a report credit, Taiwan's and Hong Kong's byline — `記者林志豪／台北報導`,
  `【記者王小明／高雄報導】`, `（王煌忠／台中報導）`, a desk's `社會中心／綜合報導` (no person:
  cut, nothing read);
* a date alone on its line, as Hong Kong and Taiwan pages print it —
  `2024年3月5日（星期二）`, `113/03/05 下午 03:20`;
* a WeChat header line — `原创 林舟 汽车前哨 2025-10-18 07:45 上海` (author, account,
  date, the IP location);
* a news dateline opening the first paragraph — `新华社北京12月31日电（记者 王芳）`,
  `本报北京１月２０日讯`, `（江城网讯）`, `（记者 王芳）`, a wire's `中央社記者張三台北5日電`
  (the day alone: dated by the file's date), `（中央社）`, Hong Kong's `【明報專訊】` and
  `（星島日報報道）`, `〔記者王小明／高雄報導〕`. Only the dateline is cut; the sentence it
  opens stays.

A report credit closing one of the last paragraphs (`…釐清死因。（王煌忠／台中報導）`) is
read and cut too. Values are returned under the names `articles.build` files them by:
author, source, published (ISO date) and, kept in `Article.extra`, location, dateline,
editor, correspondent, photographer, translator, coordinator.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from store import is_word, normalize

from . import dates
from .folding import compile_folded

#: Byline keys → the field their value goes to. `报道` follows the author and names the
#: outlet. Written in simplified; a line's keys are compared normalized, so 記者, 攝影,
#: 責任編輯 and 來源 are these keys too.
KEYS = {
    "作者": "author", "文": "author", "撰文": "author", "文字": "author", "记者": "author",
    "本报记者": "author", "本网记者": "author", "实习生": "author", "报道": "source",
    "撰稿": "author", "特派记者": "author", "特约记者": "author", "实习记者": "author",
    "图文": "author", "来源": "source", "出处": "source", "转自": "source",
    "编辑": "editor", "责编": "editor", "责任编辑": "editor", "核稿编辑": "editor",
    "通讯员": "correspondent", "编译": "translator", "统筹": "coordinator",
    "摄影": "photographer", "摄": "photographer", "图": "photographer", "摄影报道": "photographer",
    "本报通讯员": "correspondent", "审核": "reviewer", "校对": "proofreader",
    "选稿": "editor", "值班编辑": "editor",
    "发布时间": "published", "发布于": "published", "日期": "published", "时间": "published",
}
_KEYS = {normalize(k): v for k, v in KEYS.items()}
#: Agencies whose name says only "this paper" — no source to record.
_SELF = {"本报", "本刊", "本台", "本网", "本站", "综合", "本报综合"}
#: News agencies a paragraph may open with alone, `（中央社）`.
AGENCIES = ("中央社", "法新社", "路透社", "美聯社", "共同社", "韓聯社", "德新社", "新華社",
            "中新社", "安莎社", "埃菲社", "塔斯社", "俄新社", "合眾國際社")
_AGENCIES = {normalize(a) for a in AGENCIES}
BYLINE_LINES = 6
#: A byline, date or WeChat header line is never longer: a longer paragraph is text, only
#: its start may be a dateline and its end a credit (`HEAD`), so that a 16-million-
#: character line costs no more than a short one.
LINE_MAX = 300
HEAD = 500
#: The last paragraphs searched for a closing report credit.
CLOSING_LINES = 3
_NAME_MAX = 20
_NOT_A_NAME = re.compile(r"[，。！？；,!?;“”\"《》（）()|｜:：【】〔〕\[\]]")
#: Words after a key that make a section heading (编辑 手记, 作者 简介), not a byline.
_NOT_A_VALUE = {"简介", "手记", "说明", "的话", "按", "注", "声明", "信息", "介绍", "寄语", "后记",
                "无关"}  # 图文无关: the picture is not of this story
#: Separators of a byline's parts, as normalized text writes them (｜：／ fold to |:/).
_PART = re.compile(r"[^\s|:/╱∕]+")
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
#: A wire dateline: `中央社記者張三台北5日電`, `法新社羅馬19日電`, `中央社台北5日綜合外電報導`.
#: The reporter's name runs into the place (`張三台北`); `_people_and_place` splits them.
_WIRE = compile_folded(
    r"^據?(?P<agency>[\u4e00-\u9fff]{1,6}?社)"
    r"(?:(?P<reporter>(?:特派|特約|駐地|實習)?記者)\s*)?"
    r"(?P<rest>[\u4e00-\u9fff、]{2,40}?)"
    rf"(?P<date>(?:{_NUM}{{4}}年)?(?:{_NUM}{{1,2}}月)?{_NUM}{{1,3}}日)"
    r"(?:專電|電|綜合外電報導|綜合報導)"
)
#: A dateline's or credit's brackets at the start of a paragraph: （…） 【…】 〔…〕 […].
_PAREN = re.compile(
    r"^\s*(?:\((?P<p>[^()]{2,40})\)|【(?P<b>[^【】]{2,40})】"
    r"|〔(?P<t>[^〔〕]{2,40})〕|\[(?P<s>[^\[\]]{2,40})\])"
)
#: The same brackets closing a paragraph (a report credit after the last sentence).
_CLOSING = re.compile(
    r"(?:\((?P<p>[^()]{2,40})\)|【(?P<b>[^【】]{2,40})】|〔(?P<t>[^〔〕]{2,40})〕)\s*$"
)
_AFTER_DATELINE = re.compile(r"^[\s:：，,—-]*")
#: `（江城网讯）`, `【明報專訊】`, `（星島日報報道）`: an outlet's own credit.
_NEWS_FLASH = compile_folded(
    r"^(?P<source>[\u4e00-\u9fffa-z0-9.]{2,12}?)(?:(?<![資快簡通])讯|消息|專訊)$"
    r"|^(?P<outlet>[\u4e00-\u9fffa-z0-9.]{1,10}?(?:報|社|網|台|新聞|傳媒|電視|刊))(?:報道|報導)$"
)
#: `記者林志豪／台北報導`, `社會中心／綜合報導`: who reported, from where.
_REPORT = compile_folded(
    r"^(?P<who>[^/╱∕【】〔〕\[\]()]{2,40}?)\s*[/╱∕]\s*"
    r"(?P<place>[^/╱∕\s【】〔〕\[\]()]{0,12}?)\s*(?:綜合外電|綜合)?(?:報導|報道|專電|電)$"
)
_REPORTER = compile_folded(r"^(?:特派|特約|駐地|實習|本報|本網)?記者(?!會)\s*")
#: Who is a newsroom, not a person: 社會中心, 即時新聞, 國際組, 編輯部.
_DESK = compile_folded(r"(?:中心|新聞|小組|編輯部|編輯室|組|社|報|網|台|頻道|綜合|外電)$")
#: A person's name: 2 to 4 characters, or a transcribed one with its dots (阿里·穆罕默德).
#: Han characters, rare ones too: normalized text writes 王頔 as 王𬱖 (U+2CC56).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_PERSON = re.compile(
    rf"^[{HAN}]{{2,4}}$|^[{HAN}]{{1,8}}(?:[·・.][{HAN}]{{1,8}}){{1,3}}$")
#: Keys of two or more characters, longest first: safe to find glued to a name.
_LONG_KEYS = "|".join(sorted((k for k in _KEYS if len(k) > 1), key=len, reverse=True))
_GLUED = re.compile(f"(.+?)({_LONG_KEYS})$")
_CREDIT_KEY = re.compile(f"({_LONG_KEYS})")
_NAMES_SPLIT = re.compile(r"[、,\s]+")


@dataclass
class Found:
    """What the first (and last) paragraphs say about the article, and how to cut them.

    `edits` maps a paragraph index to what is left of it: None drops the paragraph,
    a string replaces it (a dateline cut off the front of the first sentence).
    """

    #: name → (value, where it was found: "byline", "date line", "wechat header",
    #: "dateline" or "closing credit")
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    edits: dict[int, str | None] = field(default_factory=dict)

    def add(self, fields: dict[str, str], how: str) -> None:
        for name, value in fields.items():
            if value and name not in self.fields:
                self.fields[name] = (value, how)


def _blank(norm: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """`norm` with what `patterns` match blanked out (offsets kept). Built from slices:
    a list of its characters would cost ~80 bytes each."""
    spans = sorted(m.span() for pattern in patterns for m in pattern.finditer(norm))
    out: list[str] = []
    done = 0
    for start, end in spans:
        if end <= done:
            continue
        start = max(start, done)
        out += [norm[done:start], " " * (end - start)]
        done = end
    out.append(norm[done:])
    return "".join(out)


def _split_glued_keys(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`来源 |某某办编辑 |某某` → 来源, 某某办, 编辑, 某某: a key glued to the value before it.

    Tokens are (normalized, original) pairs of the same length."""
    out: list[tuple[str, str]] = []
    for i, (norm, orig) in enumerate(tokens):
        m = _GLUED.match(norm) if 0 < i < len(tokens) - 1 and norm not in _KEYS else None
        if m:
            cut = m.start(2)
            out += [(norm[:cut], orig[:cut]), (norm[cut:], orig[cut:])]
        else:
            out.append((norm, orig))
    return out


def _padded_names(tokens: list[str]) -> list[str]:
    """`方 敏` → `方敏`: typesetting pads a two-character name to the width of three."""
    out: list[str] = []
    for t in tokens:
        if out and len(t) == 1 and len(out[-1]) == 1:
            out[-1] += t
        else:
            out.append(t)
    return out


def key_values(line: str) -> dict[str, str] | None:
    """The fields of a `key value` byline line, or None if the line is anything else."""
    line = line.strip()
    norm = normalize(line)  # same length as `line`
    date = dates.parse_date(norm)
    bare = _blank(norm, (dates.WRITTEN_DATE, dates.TIME))  # dates are read, not names
    tokens = [(m.group(), line[m.start():m.end()]) for m in _PART.finditer(bare)]
    tokens = _split_glued_keys(tokens)
    if not tokens or tokens[0][0] not in _KEYS or len(tokens) > 12:
        return None
    found: dict[str, list[str]] = {}
    key = ""
    for norm_token, token in tokens:
        if norm_token in _KEYS:
            key = _KEYS[norm_token]
            found.setdefault(key, [])
        elif len(token) > _NAME_MAX or _NOT_A_NAME.search(norm_token) or norm_token in _NOT_A_VALUE:
            return None
        else:
            found[key].append(token)
    fields = {k: "、".join(_padded_names(v)) for k, v in found.items() if v and k != "published"}
    if date and (fields or "published" in found):
        fields["published"] = date.isoformat()
    return fields or None


def _people(text: str, norm: str) -> list[str] | None:
    """The names in `记者` credits (`林志豪、王小明`), or None if one is not a name."""
    names: list[str] = []
    for m in re.finditer(r"[^、,\s]+", norm):
        if not _PERSON.match(m.group()):
            return None
        names.append(text[m.start():m.end()])
    return names or None


def _report(text: str) -> dict[str, str] | None:
    """`記者林志豪／台北報導` → author, location; `社會中心／綜合報導` → {} (a newsroom, no
    person); None when `text` is not a report credit."""
    text = text.strip()
    norm = normalize(text)
    m = _REPORT.match(norm)
    if not m:
        return None
    who, who_norm = text[m.start("who"):m.end("who")], m.group("who")
    fields: dict[str, str] = {}
    place = text[m.start("place"):m.end("place")]
    if r := _REPORTER.match(who_norm):
        names = _people(who[r.end():], who_norm[r.end():])
        if names is None:
            return None
        fields["author"] = "、".join(names)
    elif _DESK.search(who_norm):
        return {}  # a desk credit: nothing to read, but a credit to cut
    else:
        names = _people(who, who_norm)
        if names is None:
            return None
        fields["author"] = "、".join(names)
    if place:
        fields["location"] = place
    return fields


def _strip_brackets(text: str, norm: str) -> tuple[str, str]:
    pairs = {"(": ")", "【": "】", "〔": "〕", "[": "]"}
    s, n = text.strip(), norm.strip()
    if len(n) > 2 and pairs.get(n[0]) == n[-1]:
        lead = len(text) - len(text.lstrip())
        return text[lead + 1:lead + len(s) - 1], n[1:-1]
    return s, n


def report_line(line: str) -> dict[str, str] | None:
    """A line that is a report credit, bracketed or not, perhaps followed by its date:
    `【記者王小明／高雄報導】`, `記者林志豪／台北報導 2024/03/05 10:02`."""
    norm = normalize(line)
    bare = _blank(norm, (dates.WRITTEN_DATE, dates.TIME)).rstrip()
    date = dates.parse_date(norm[len(bare):])
    text, inner = _strip_brackets(line[:len(bare)], bare)
    fields = _report(text) if inner == normalize(text) else None
    if fields is not None and date:
        fields["published"] = date.isoformat()
    return fields


def date_line(line: str) -> dict[str, str] | None:
    """A line that is a date alone, with its weekday or time: `2024年3月5日（星期二）`,
    `113/03/05 下午 03:20` — the article's date, as Hong Kong and Taiwan pages print it."""
    norm = normalize(line)
    if not norm.strip() or _blank(norm, (dates.WRITTEN_DATE, dates.TIME)).strip():
        return None
    date = dates.parse_date(norm)
    return {"published": date.isoformat()} if date else None


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


def _people_and_place(text: str, norm: str) -> tuple[list[str], str] | None:
    """`張三台北` → ([張三], 台北); `張三、李四華盛頓` → ([張三, 李四], 華盛頓).

    A wire runs the last name into the place. The split is the one whose place jieba's
    dictionary knows as a word, trying names of 3, 2 and 4 characters; failing that, a
    name of 3 characters (the commonest) when at least 2 are left for the place, else 2.
    """
    head, _, last = norm.rpartition("、")
    start = len(head) + 1 if head else 0
    cut = next((n for n in (3, 2, 4) if len(last) - n >= 2 and is_word(last[n:])), None)
    if cut is None:
        cut = 3 if len(last) >= 5 else 2 if len(last) >= 4 else None
    if cut is None:
        return None
    names = _people(text[:start + cut], norm[:start + cut])
    return (names, text[start + cut:]) if names else None


def _wire(text: str, reference: dt.date | None) -> tuple[dict[str, str], int] | None:
    """(fields, length) of a wire dateline opening `text`: `中央社記者張三台北5日電`."""
    norm = normalize(text)
    m = _WIRE.match(norm)
    if not m:
        return None
    fields = {"source": text[m.start("agency"):m.end("agency")],
              "dateline": text[m.start("agency"):m.end()]}
    rest, rest_norm = text[m.start("rest"):m.end("rest")], m.group("rest")
    if m.group("reporter"):
        split = _people_and_place(rest, rest_norm)
        if split is None:
            return None
        fields["author"] = "、".join(split[0])
        fields["location"] = split[1]
    elif "、" in rest_norm:
        return None
    else:
        fields["location"] = rest
    day = _dateline_date(m.group("date"), reference)
    if day:
        fields["published"] = day.isoformat()
    return fields, m.end()


def _dateline_date(written: str, reference: dt.date | None) -> dt.date | None:
    """The date of a dateline's `12月31日` or `5日`, completed from `reference`."""
    if full := dates.parse_date(written):
        return full
    if md := dates.month_day(written):
        return dates.with_year(*md, reference.year if reference else None)
    day = dates.arabic(written).removesuffix("日")
    return dates.in_month_of(int(day), reference) if day.isdigit() else None


def _spaced_keys(text: str) -> str:
    """`记者苏小坡通讯员达峰` → ` 记者 苏小坡 通讯员 达峰`: keys found in the normalized text
    spaced apart in the original (in either script)."""
    out, at = [], 0
    for m in _CREDIT_KEY.finditer(normalize(text)):
        out += [text[at:m.start()], " ", text[m.start():m.end()], " "]
        at = m.end()
    return "".join(out) + text[at:]


def _credit(inner: str, reference: dt.date | None) -> dict[str, str] | None:
    """`（记者 王芳 通讯员 李强）`, `（江城网讯）`, `【明報專訊】`, `（中央社）`,
    `（中央社記者張三台北5日電）`, `〔記者王小明／高雄報導〕`, `（来源：江城晚报）` → fields."""
    inner = inner.strip()
    norm = normalize(inner)
    m = _NEWS_FLASH.match(norm)
    if m and not _REPORTER.match(norm):
        name = "source" if m.group("source") else "outlet"
        return {} if m.group(name) in _SELF else {"source": inner[: m.end(name)]}
    if norm.removesuffix("电") in _AGENCIES:
        return {"source": inner[: len(norm.removesuffix("电"))]}
    if (wire := _wire(inner, reference)) and wire[1] == len(inner):
        return wire[0]
    if (report := _report(inner)) is not None:
        return report
    # Inside the brackets a key glued to names is still a key: （记者苏小坡通讯员达峰）.
    return key_values(_spaced_keys(inner))


def _bracketed(m: re.Match[str]) -> tuple[int, int]:
    name = next(g for g in ("p", "b", "t", "s") if g in m.groupdict() and m.group(g))
    return m.start(name), m.end(name)


def dateline(paragraph: str, reference: dt.date | None) -> tuple[dict[str, str], str] | None:
    """(fields, the rest of the paragraph) when `paragraph` opens with a dateline.

    `reference` (the file's date, or another date in it) completes a dateline's date:
    its year for `12月31日`, its month too for a wire's `5日`."""
    head = paragraph[:HEAD]
    norm = normalize(head)
    fields: dict[str, str] = {}
    end = 0
    if wire := _wire(head, reference):
        fields, end = wire
    elif m := _DATELINE.match(norm):
        agency = paragraph[m.start("agency"):m.end("agency")]
        if m.group("agency") not in _SELF:
            fields["source"] = agency
        if m.group("date"):
            fields["dateline"] = paragraph[m.start():m.end()].removeprefix("据")
            fields["location"] = paragraph[m.start("location"):m.end("location")]
            day = _dateline_date(m.group("date"), reference)
            if day:
                fields["published"] = day.isoformat()
        end = m.end()
    while p := _PAREN.match(norm[end:]):
        start, stop = _bracketed(p)
        credit = _credit(paragraph[end + start:end + stop], reference)
        if credit is None:
            break
        for k, v in credit.items():
            fields.setdefault(k, v)
        end += p.end()
    if not end:
        return None
    end += _AFTER_DATELINE.match(norm[end:]).end()
    return fields, paragraph[end:]


def closing_credit(paragraph: str) -> tuple[dict[str, str], str] | None:
    """(fields, the paragraph before it) when a report credit closes `paragraph`:
    `…將進一步釐清死因。（王煌忠／台中報導）`."""
    before = max(len(paragraph) - HEAD, 0)
    tail = paragraph[before:]
    m = _CLOSING.search(normalize(tail))
    if not m:
        return None
    start, stop = _bracketed(m)
    fields = _report(tail[start:stop])
    if fields is None:
        return None
    return fields, paragraph[:before + m.start()].rstrip()


def credited(value: str, sites: list[str] | tuple[str, ...] = ()) -> dict[str, str] | None:
    """What an author value from a format's metadata says, when it is not a plain name.

    Pages put their own name (蘋果新聞網: the source, or one of `sites`), their Facebook
    page or a whole byline (`記者陳嘉寧／桃園機場報導`, `责任编辑：孔德明`) in the author
    field. A byline gives its fields (an editor is no author); the others nothing, so that
    the article's text may say who wrote it. None: `value` is a name, to keep as it is.
    """
    v = value.strip()
    if re.match(r"(?i)(https?://|www\.)", v) or "facebook.com" in v.lower():
        return {}
    if normalize(v) in {normalize(site.strip()) for site in sites}:
        return {}
    fields = report_line(v)
    if fields is None:
        fields = key_values(v)
    return fields


def credited_author(value: str, sites: list[str] | tuple[str, ...] = ()) -> str | None:
    """The person an author value from a format's metadata names, or None (`credited`)."""
    fields = credited(value, sites)
    return value.strip() if fields is None else fields.get("author")


def find(paragraphs: list[str], reference: dt.date | None = None) -> Found:
    """Bylines and datelines among the first paragraphs, report credits closing the last.

    `reference` completes datelines without a year (12月31日) or month (5日)."""
    found = Found()
    for i, para in enumerate(paragraphs[:BYLINE_LINES]):
        if len(para) > LINE_MAX:  # text, not a byline; it may open with a dateline
            if (cut := dateline(para, reference)) is not None:
                fields, rest = cut
                found.add(fields, "dateline")
                found.edits[i] = rest if rest.strip() else None
            continue
        if (fields := report_line(para)) is not None:
            found.add(fields, "byline")
            found.edits[i] = None
        elif fields := key_values(para):
            found.add(fields, "byline")
            found.edits[i] = None
        elif fields := date_line(para):
            found.add(fields, "date line")
            found.edits[i] = None
        elif fields := wechat(para):
            found.add(fields, "wechat header")
            found.edits[i] = None
        elif (cut := dateline(para, reference)) is not None:
            fields, rest = cut
            found.add(fields, "dateline")
            found.edits[i] = rest if rest.strip() else None
    for i in range(max(len(paragraphs) - CLOSING_LINES, 0), len(paragraphs)):
        para = found.edits.get(i, paragraphs[i])
        if para is not None and (cut := closing_credit(para)) is not None:
            fields, rest = cut
            found.add(fields, "closing credit")
            found.edits[i] = rest if rest.strip() else None
    return found
