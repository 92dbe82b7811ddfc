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


def _rule(platform: str, removes: str, pattern: str) -> Rule:
    return Rule(platform, removes, re.compile(pattern))


LINE_RULES: tuple[Rule, ...] = (
    _rule("any", "image placeholder", r"^\s*(!\[[^\]]*\]\([^)]*\)\s*)+$"),
    _rule("any", "image credit", r"^\s*(图源|图片来源|图片来自|题图来源|题图|图源自)\s*[:：|｜]"),
    _rule("any", "promo: reply for a gift", r"^\s*回复.{1,20}(领取|获取|即可)"),
    _rule("any", "promo: follow the account", r"点击上方.{0,8}关注|关注我们|扫码关注|长按(识别)?二维码"),
    _rule("any", "promo: add a note to join", r"^\s*[【\[]?\s*添加备注"),
    _rule("any", "promo: more news here", r"(尽在|就在)\s*【.*】\s*[↓⬇]*\s*$|精彩不停\s*$"),
    _rule("any", "promo: read the original", r"^\s*(阅读原文|点击阅读原文.*)$"),
    _rule("any", "end marker", r"^\s*[-—]*\s*(END|完|THE END)\s*[-—]*\s*$"),
    _rule("any", "editor line", r"^\s*[（(]?\s*(责任编辑|责编|编辑)\s*[:：]\s*\S+\s*[）)]?\s*$"),
)

TAIL_RULES: tuple[Rule, ...] = (
    _rule("netease", "网易号 disclaimer", r"^\s*特别声明[:：].*(网易号|自媒体平台)"),
    _rule("netease", "网易号 English disclaimer", r"^\s*Notice: The content above .*NetEase"),
    _rule("wechat", "公众号 recommended reading", r"^\s*喜欢此内容的人还喜欢\s*$"),
)

INLINE_RULES: tuple[Rule, ...] = (
    _rule("any", "inline image placeholder", r"!\[[^\]]*\]\([^)]*\)"),
)


def clean_lines(lines: list[str]) -> list[str]:
    """The lines without boilerplate; blank lines are kept as paragraph breaks."""
    out: list[str] = []
    for line in lines:
        if any(r.pattern.search(line) for r in TAIL_RULES):
            break
        if any(r.pattern.search(line) for r in LINE_RULES):
            continue
        for r in INLINE_RULES:
            line = r.pattern.sub("", line)
        out.append(line.rstrip())
    return out


def matching_rule(line: str) -> Rule | None:
    """The first rule that would remove `line` (for tests and `wenhai show`)."""
    for r in (*TAIL_RULES, *LINE_RULES):
        if r.pattern.search(line):
            return r
    return None
