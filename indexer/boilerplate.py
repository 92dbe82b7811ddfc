"""Platform boilerplate, as data: what to drop from the searchable body.

Each rule names its platform and what it removes, so adding a platform is adding
entries here (and a test per rule). The original bytes keep everything.

* `LINE_RULES` drop a whole line that matches.
* `TAIL_RULES` mark the start of a trailer (a platform disclaimer): the matching
  line and everything after it go.
* `INLINE_RULES` delete a fragment inside a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    platform: str
    removes: str
    pattern: re.Pattern[str]
    #: The metadata field the pattern's `value` group fills: an editor line goes from the
    #: text, but the editor's name is worth keeping.
    keeps: str | None = None


def _rule(platform: str, removes: str, pattern: str, keeps: str | None = None) -> Rule:
    return Rule(platform, removes, re.compile(pattern), keeps)


_DATE_TIME = (
    r"(\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?(\s+\d{1,2}:\d{2})?|昨天.*|今天.*|\d+\s*(分钟|小时|天)前"
)
_IP_PLACE = r"(\s*[・·]\s*IP\s*属地\s*\S+)?"  # Zhihu and Weibo print where the poster was

LINE_RULES: tuple[Rule, ...] = (
    _rule("any", "image placeholder", r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$"),
    _rule("any", "image credit", r"^\s*(图源|图片来源|图片来自|题图来源|题图|图源自)\s*[:：|｜]"),
    _rule("any", "promo: reply for a gift", r"^\s*回复.{1,20}(领取|获取|即可)"),
    _rule("any", "promo: follow the account",
          r"点击上方.{0,8}关注|^\s*关注我们|扫码关注|长按(识别)?二维码"),
    _rule("any", "promo: add a note to join", r"^\s*[【\[]?\s*添加备注"),
    _rule("any", "promo: more news here", r"(尽在|就在)\s*【.*】\s*[↓⬇]*\s*$|精彩不停\s*$"),
    _rule("any", "promo: read the original", r"^\s*(阅读原文|点击阅读原文.*)$"),
    _rule("any", "end marker", r"^\s*[-—]*\s*(END|完|THE END)\s*[-—]*\s*$"),
    _rule("any", "editor line",
          r"^\s*[（(]?\s*(责任编辑|责编|编辑)\s*[:：]\s*(?P<value>[^\s）)，。！？；,_]{1,20}(\s+[^\s）)，。！？；,_]{1,20})?)(_\w+)?\s*[）)]?\s*$",
          keeps="editor"),
    _rule("any", "original title of a repost",
          r"^\s*[（(【]?\s*原标题\s*[:：]\s*(?P<value>.{1,80}?)\s*[）)】]?\s*$",
          keeps="original_title"),
    _rule("wechat", "公众号 label note", r"^\s*预览时标签不可点\s*$"),
    _rule("wechat", "公众号 scan to follow",
          r"^\s*(微信扫一扫|扫一扫)?\s*(关注该公众号|可打开此内容.*)\s*$|^\s*微信扫一扫\s*$"),
    _rule("wechat", "公众号 swipe for next", r"^\s*(继续|向上)滑动看下一个\s*$"),
    _rule("wechat", "公众号 tap to read the original", r"^\s*轻触阅读原文\s*$"),
    _rule("wechat", "公众号 action bar",
          r"^\s*((分享|收藏|点赞|赞|在看|写留言|留言|阅读\s*[\d.万+]*|知道了|取消|允许)\s*)+$"),
    _rule("toutiao", "头条号 original-content notice",
          r"^\s*本文由.{1,30}原创.{0,10}(未经|禁止).{0,20}(授权|转载)"),
    _rule("toutiao", "report button", r"^\s*举报\s*$"),
    _rule("zhihu", "知乎 edited date", rf"^\s*编辑于\s*(?P<value>{_DATE_TIME}){_IP_PLACE}\s*$",
          keeps="edited"),
    _rule("zhihu", "知乎 published date", rf"^\s*发布于\s*(?P<value>{_DATE_TIME}){_IP_PLACE}\s*$",
          keeps="published"),
    _rule("zhihu", "知乎 copyright notice", r"^\s*著作权归作者所有。?\s*(商业转载|$)"),
    _rule("weibo", "微博 expand/collapse", r"^\s*(\.\.\.|…)?\s*(展开全文|收起全文)\s*[cd∨∧]?\s*$"),
    _rule("tencent", "腾讯新闻 self-media notice", r"^\s*本文来自腾讯新闻客户端.{0,12}不代表腾讯"),
    _rule("sina", "新浪 app promo", r"^\s*海量资讯、精准解读，尽在新浪.{0,6}APP\s*$"),
    _rule("news", "disclaimer", r"^\s*(特别声明|免责声明|新浪声明)\s*[:：]"),
    _rule("news", "source footer",
          r"^\s*[（(]\s*(文章)?来源\s*[:：]\s*(?P<value>[^（）()]{1,30})[）)]\s*$",
          keeps="source"),
)

TAIL_RULES: tuple[Rule, ...] = (
    _rule("netease", "网易号 disclaimer", r"^\s*特别声明[:：].*(网易号|自媒体平台)"),
    _rule("netease", "网易号 English disclaimer", r"^\s*Notice: The content above .*NetEase"),
    _rule("wechat", "公众号 recommended reading", r"^\s*喜欢此内容的人还喜欢\s*$"),
    _rule("sohu", "搜狐 back-to-home link", r"^\s*返回搜狐[，,]\s*查看更多\s*$"),
)

INLINE_RULES: tuple[Rule, ...] = (
    _rule("any", "inline image placeholder", r"!\[[^\]]*\]\([^)]*\)"),
    _rule("weibo", "微博 expand link", r"\s*(\.\.\.|…)\s*(展开全文|收起全文)\s*[cd∨∧]?\s*$"),
)


#: Scraped articles often arrive as one long line, promo phrases glued to the text
#: (点击上方“某某”关注我们夏天到了…). A line this long is article text: no line rule drops
#: it, and only a trailer that starts the line (特别声明…) cuts the rest.
LONG_LINE = 200


def _removes(rule: Rule, line: str, *, trailer: bool = False) -> bool:
    m = rule.pattern.search(line)
    if m is None:
        return False
    return len(line) <= LONG_LINE or (trailer and m.start() <= 2)


def clean_lines(lines: list[str]) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The lines without boilerplate (blank lines kept as paragraph breaks), and the
    metadata the removed lines carried: field → (value, the rule's `removes`)."""
    out: list[str] = []
    kept: dict[str, tuple[str, str]] = {}
    for line in lines:
        if any(_removes(r, line, trailer=True) for r in TAIL_RULES):
            break
        rule = next((r for r in LINE_RULES if _removes(r, line)), None)
        if rule is not None:
            if rule.keeps:
                value = rule.pattern.search(line).group("value").strip()
                kept.setdefault(rule.keeps, (value, rule.removes))
            continue
        for r in INLINE_RULES:
            line = r.pattern.sub("", line)
        out.append(line.rstrip())
    return out, kept


def matching_rule(line: str) -> Rule | None:
    """The first rule that would remove `line` or part of it (for tests and `wenhai show`)."""
    for r in (*TAIL_RULES, *LINE_RULES, *INLINE_RULES):
        if r.pattern.search(line):
            return r
    return None
