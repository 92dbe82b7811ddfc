"""Who a saved web page names, and as what: writer, editor, publisher — or nothing.

A page names people in several places, trusted in this order: a byline in the
article's text (`bylines`, applied in `articles.build`), a byline element of the page
(Readability's cue: class, id or itemprop `author`/`byline`/`reporter`, `rel="author"`,
a link to `/author/` or `/reporter/`), JSON-LD `author`, then `<meta name="author">`.
On mainland portals `<meta name="author">` is usually the responsible editor (the page
prints `责任编辑：孔德明`); elsewhere it holds the site's name, its Facebook page, a
channel code (`2909`) or a widget's label (`字号`). Each value is judged (`judge`): a
person or a named team is an author, a name the page calls its editor is the editor,
an outlet is the source, the rest is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from store import normalize

from . import bylines, teasers
from .folding import compile_folded

#: Labels of page widgets that land in author fields: font size, share, comments, print.
WIDGETS = {normalize(w) for w in (
    "字号", "字號", "分享", "评论", "評論", "跟贴", "热门跟贴", "打印", "关闭", "收藏", "作者",
    "记者", "記者", "编辑", "來源", "来源", "admin", "匿名", "佚名", "未知", "unknown",
)}
#: Words of a follow button, a comment box or a counter: `管不饿 关注`, `丰羽煊 热门跟贴`
#: (a commenter), `粉丝 - 1`.
_WIDGET_WORDS = compile_folded(r"关注|粉丝|跟贴|跟帖|评论|点赞|阅读|来自|前天|昨天|分钟前|小时前")
#: A publisher, not a person: `中国科普网`, `新华社`, `中時電子報`, `青年时报`.
_OUTLET = compile_folded(
    r"(网|網|社|报|報|台|新闻|新聞|频道|頻道|传媒|傳媒|媒体|媒體|杂志|雜誌|客户端|app|\.com|\.cn|"
    r"电视|電視|电台|電台|日報|週刊|周刊)$")
#: `责任编辑：孔德明`, `[责任编辑:肖春芳]`, `编辑：严玉洁 王辉`, `選稿：许文杰` in a page's text.
_EDITOR_LINE = compile_folded(
    r"(?:责任编辑|责编|值班编辑|编辑|选稿|编审)\s*[:：︱|]\s*"
    rf"(?P<names>[{bylines.HAN}]{{2,4}}(?:[ 、][{bylines.HAN}]{{2,4}}){{0,3}})"
    r"(?=$|[\s\]】)），,。.;；_])", re.M)  # not `责任编辑：\n平台声明：…`
#: Class, id or itemprop of a byline element (Readability's `byline|author|writer`).
_BYLINE_ATTR = re.compile(r"(?i)(^|[\s_-])(author|byline|reporter|writer)s?($|[\s_-]|name)")
_NOT_BYLINE_ATTR = re.compile(r"(?i)editor|comment|avatar|share|related|recommend|views")
#: What follows a blogger's name: `史蒂文的家_藍天 發表在 痞客邦`.
_POSTED = compile_folded(r"\s*(发表在|发表于|发布于|发布在|posted\b|于\s*\d{4}).*$")
_MAX = 40


@dataclass
class PageCredits:
    """Names a page shows as its writers (byline elements) and editors."""

    writers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


def _visible(tree: HtmlElement) -> str:
    parts = []
    for text in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]"):
        if text.strip():
            parts.append(text.strip())
    return "\n".join(parts)


def _elsewhere(el: HtmlElement) -> bool:
    """Inside a block of other articles' teasers or of comments: not the page's byline."""
    return any(teasers.ELSEWHERE.search(" ".join(str(a.get(k) or "") for k in ("class", "id")))
               for a in el.iterancestors())


def _byline_text(el: HtmlElement) -> str:
    """A byline element's name: its own text before its first child (`史蒂文的家_藍天 發表在
    <a>痞客邦</a>`), else its first child's (`<div class="author"><a>謝明俊</a>`), else all
    of it; without what says where it was posted."""
    text = " ".join((el.text or "").split())
    if not text and len(el):
        text = " ".join(el[0].text_content().split())
    if not text:
        text = " ".join(el.text_content().split())
    m = _POSTED.search(normalize(text))
    return text[:m.start()].strip() if m else text


def page_credits(tree: HtmlElement) -> PageCredits:
    """The page's byline elements and the names it calls its editors (its
    `责任编辑：…` lines, wherever they are, and `<meta name="editor">`)."""
    found = PageCredits()
    for value in tree.xpath('//meta[@name="editor"]/@content'):
        found.editors += [n for n in re.split(r"[\s、,，]+", value.strip()) if n]
    text = _visible(tree)
    norm = normalize(text)
    for m in _EDITOR_LINE.finditer(norm):
        found.editors += re.split(r"[ 、]", text[m.start("names"):m.end("names")])
    for el in tree.xpath("//body//*[@class or @id or @itemprop or @rel or @href]"):
        attrs = " ".join(str(el.get(a) or "") for a in ("class", "id", "itemprop", "rel"))
        href = str(el.get("href") or "")
        if not (_BYLINE_ATTR.search(attrs) or re.search(r"/(author|reporter)s?/", href)):
            continue
        if _NOT_BYLINE_ATTR.search(attrs) or len(el) > 3 or _elsewhere(el):
            continue
        value = _byline_text(el)
        if value and len(value) <= _MAX:
            found.writers.append(value)
    found.editors = list(dict.fromkeys(n for n in found.editors if n))
    found.writers = list(dict.fromkeys(found.writers))
    return found


def _is_outlet(value: str, sites: list[str]) -> bool:
    v = normalize(value)
    names = {normalize(s.strip()) for s in (*sites, *bylines.AGENCIES) if s and s.strip()}
    # `香港電台-財經`: an outlet and its section
    return v in names or any(_OUTLET.search(part) for part in re.split(r"\s*[-–—·|]\s*", v))


def judge(value: str, sites: list[str], editors: list[str]) -> dict[str, str]:
    """What an author value from a page's markup is: `{"author": …}` for a person or a
    named team, `{"editor": …}` for a name the page calls its editor (`青网新闻张毅` when
    the page says `责任编辑：张毅`), `{"source": …}` for an outlet, `{}` for anything else
    (a URL, a number, a widget's label, a whole paragraph). A byline (`记者 王芳`,
    `責任編輯：孔德明`) gives its own fields."""
    v = " ".join(value.split())
    if not v or len(v) > _MAX:
        return {}
    said = bylines.credited(v, sites)
    if said is not None:
        return said
    norm = normalize(v)
    if (norm in WIDGETS or not re.search(r"[^\W\d_]", norm)  # no letter: 2909, 103553
            or re.search(r"[:：|｜!！?？。，,]|\s[/／]\s", v) or _WIDGET_WORDS.search(norm)):
        return {}
    for editor in editors:  # the editor's whole name, not the start of a longer one
        whole = re.escape(normalize(editor)) + r"(?![^\W\d_])"
        if len(editor) >= 2 and re.search(whole, norm):
            return {"editor": editor}
    if _is_outlet(v, sites):
        return {"source": v}
    return {"author": v}
