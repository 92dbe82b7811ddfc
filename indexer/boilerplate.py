"""Platform boilerplate, as data: what to drop from the searchable body.

Each rule names its platform and what it removes, so adding a platform is adding
entries here (and a test per rule). The original bytes keep everything.

* `LINE_RULES` drop a whole line that matches.
* `TAIL_RULES` mark the start of a trailer (a platform disclaimer): the matching
  line and everything after it go.
* `INLINE_RULES` delete a fragment inside a line.

Rules match a line's normalized twin (`folding`): one rule written 责任编辑 also drops
責任編輯, and each may be written in its own platform's script (批踢踢實業坊, 自由時報);
a value a rule keeps is cut from the original line, in the article's own characters.
Rules are anchored to whole lines and known phrases, so that a sentence that merely
mentions 推, 中央社 or 延伸閱讀 stays: each platform's test table has such sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from store import normalize

from .folding import compile_folded


@dataclass(frozen=True)
class Rule:
    platform: str
    removes: str
    pattern: re.Pattern[str]
    #: The metadata field the pattern's `value` group fills: an editor line goes from the
    #: text, but the editor's name is worth keeping.
    keeps: str | None = None
    #: For a trailer that could be a line of anything alone (PTT's `--`): it starts only
    #: when a line within the next `CONFIRM_LINES` matches this too.
    confirm: re.Pattern[str] | None = None


def _rule(platform: str, removes: str, pattern: str, keeps: str | None = None,
          confirm: str | None = None) -> Rule:
    return Rule(platform, removes, compile_folded(pattern), keeps,
                compile_folded(confirm) if confirm else None)


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
    _rule("news", "share widget", r"^\s*(分享到|分享至|分享给好友)\s*[:：]?\s*$"),
    _rule("news", "disclaimer", r"^\s*(特别声明|免责声明|新浪声明)\s*[:：]"),
    _rule("news", "source footer",
          r"^\s*[（(]\s*(文章)?来源\s*[:：]\s*(?P<value>[^（）()]{1,30})[）)]\s*$",
          keeps="source"),
    # Taiwan and Hong Kong: each platform's own lines, then what every news site prints.
    _rule("udn", "聯合新聞網 copyright notice",
          r"^\s*本網站之文字、圖片及影音[，,]?\s*非經授權[，,]?\s*不得轉載"),
    _rule("udn", "聯合新聞網 follow promo",
          r"^(?!.*。)\s*[►▶➤👉★●>※]*\s*.{0,6}(追蹤|加入|訂閱|按讚).{0,8}(udn|聯合新聞網|聯合報)"
          r"[^。]{0,30}$"),
    _rule("ltn", "自由時報 APP lottery promo",
          r"^\s*(不用抽\s*不用搶|還想看更多新聞嗎|想看更多新聞嗎).{0,80}(APP|抽獎|中獎)"),
    _rule("ltn", "自由時報 APP download links", r"^\s*(iOS|Android)\s*載點"),
    _rule("ltn", "自由時報 fan page promo", r"^\s*看更多！?\s*請加入自由時報粉絲團\s*$"),
    _rule("ltn", "自由時報 channel promo", r"^\s*一手掌握經濟脈動.{0,30}$"),
    _rule("chinatimes", "中時新聞網 comment policy",
          r"^\s*(中時新聞網對留言系統使用者|違反上述規定者[，,]?\s*中時新聞網有權)"),
    _rule("chinatimes", "中時新聞網 closing credit",
          r"^\s*[（(]\s*中時(新聞網|電子報)?\s*[）)]\s*$"),
    _rule("ettoday", "ETtoday copyright notice",
          r"^\s*※?\s*本文版權所有[，,]?\s*非經授權[，,]?\s*不得轉載"),
    _rule("ettoday", "ETtoday related-news link", r"^\s*►[^。]{1,60}$"),
    _rule("cna", "中央社 ad break",
          r"^\s*([【\[]\s*廣告\s*[】\]]\s*)?請繼續往下閱讀\s*(\.{3}|…)?\s*$"),
    _rule("cna", "中央社 editor and date code",
          r"^\s*[（(]\s*(責任編輯|編輯|編譯)\s*[:：]\s*(?P<value>[^（）()]{1,30}?)\s*[）)]\s*\d{7}\s*$",
          keeps="editor"),
    _rule("cna", "中央社 photo credit",
          r"^\s*中央社(記者)?\S{2,16}(傳真|攝)\s*\d{2,3}年\d{1,2}月\d{1,2}日\s*$"),
    _rule("cna", "中央社 update time", r"^\s*(最新更新|更新時間)\s*[:：]\s*[\d/ :]+$"),
    _rule("cna", "中央社 expired-news notice", r"^\s*您所瀏覽的新聞已過查詢時效"),
    _rule("cna", "中央社 privacy notice", r"^\s*本網站使用相關技術提供更好的閱讀體驗"),
    _rule("cna", "中央社 language prompt",
          r"^\s*(Your browser does not appear to support Traditional Chinese|"
          r"こちらのページは繁体字版です|Se detecta que el idioma)"),
    _rule("nownews", "今日新聞 read more", r"^\s*更多\s*NOWnews\s*今日新聞\s*報導\s*$"),
    _rule("appledaily", "蘋果 fan page promo", r"^\s*>*\s*加入蘋果日報粉絲團"),
    _rule("appledaily", "蘋果 members-only copyright notice",
          r"^\s*本新聞文字、照片、影片專供.{0,20}會員閱覽"),
    _rule("appledaily", "蘋果 APP download",
          r"^\s*下載「?(蘋果新聞網|壹蘋新聞網|壹蘋)\s*APP」?\s*$"),
    _rule("appledaily", "壹蘋 follow promo",
          r"^(?!.*。)\s*[●★▶►]?\s*(追蹤|訂閱|加入)\s*壹蘋[^。]{0,30}$"),
    _rule("mingpao", "明報 tag list", r"^\s*相關字詞\s*[﹕:：]"),
    _rule("mingpao", "明報 previous/next article", r"^\s*[上下]一篇\s*[﹕:：]"),
    _rule("mingpao", "明報 copyright notice", r"^\s*.{0,6}明報(網站|新聞網).{0,6}版權所有"),
    _rule("singtao", "星島 app promo", r"^(?!.*。).{0,12}下載星島(頭條)?\s*App[^。]{0,30}$"),
    _rule("singtao", "星島 read more", r"^\s*(即睇|更多)\s*[:：]?\s*星島[^。]{0,20}$"),
    _rule("hk01", "香港01 gallery hint",
          r"^\s*[（(]?\s*點(擊)?(圖|圖片)(放大|看)(瀏覽)?\s*[）)]?\s*$"),
    _rule("hk01", "香港01 app promo", r"^(?!.*。).{0,12}下載香港01\s*App[^。]{0,30}$"),
    _rule("hk01", "香港01 read-more link",
          r"^[^。]{0,80}[（(]\s*(點擊藍字|按此)閱讀全文\s*[）)]\s*$"),
    _rule("initium", "端傳媒 membership promo",
          r"^(?!.*。)\s*.{0,10}(成為|加入|訂閱)\s*端(傳媒)?\s*(會員|Premium)[^。]{0,30}$"),
    _rule("initium", "端傳媒 copyright notice",
          r"^\s*.{0,10}端傳媒.{0,20}(版權所有|未經授權|不得轉載)"),
    _rule("facebook", "Facebook action bar",
          r"^\s*((讚|留言|分享|回覆|查看翻譯|查看更多|顯示更多|已編輯|所有心情|最相關|公開)"
          r"[\s·・:：\d.,萬千]*)+$"),
    _rule("facebook", "Facebook counts",
          r"^\s*([\d.,]+\s*[萬千]?\s*(則留言|次分享|個讚|則回覆|次觀看)[\s·・]*)+$"),
    _rule("ptt", "PTT header: author",
          r"^\s*作者\s*[:：]?\s+(?P<value>[A-Za-z][A-Za-z0-9_]{1,13})\s*(\([^)]*\))?"
          r"\s*(看板\s*[:：]?\s*\S+)?\s*$",
          keeps="author"),
    _rule("ptt", "PTT header: board", r"^\s*看板\s*[:：]?\s+[A-Za-z0-9_-]{1,15}\s*$"),
    _rule("ptt", "PTT header: title",
          r"^\s*標題\s*[:：]?\s+(?P<value>(\[[^\]]{1,6}\]|R:|Re:|Fw:).{1,80}?)\s*$",
          keeps="title"),
    _rule("ptt", "PTT header: time",
          r"^\s*時間\s*[:：]?\s+(?P<value>(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+\w{3}\s+\d{1,2}"
          r"\s+[\d:]{8}\s+\d{4})\s*$",
          keeps="published"),
    _rule("ptt", "PTT header rule", r"^\s*─{10,}\s*$"),
    _rule("ptt", "PTT push comment",
          r"^\s*(推|→|噓)\s+[A-Za-z][A-Za-z0-9_]{1,13}\s*:.*$"),
    _rule("ptt", "PTT article URL",
          r"^\s*※\s*文章網址\s*[:：]\s*(?P<value>https?://\S+)\s*$", keeps="url"),
    _rule("ptt", "PTT edit note", r"^\s*※\s*編輯\s*[:：]"),
    _rule("ptt", "PTT quote header", r"^\s*※\s*引述\s*《[^》]{1,40}》\s*之銘言\s*[:：]?\s*$"),
    _rule("any", "read more heading",
          r"^\s*[【\[]?\s*(延伸閱讀|相關新聞|相關報導|相關文章|推薦閱讀|熱門新聞|你可能也想看|"
          r"看更多|更多新聞)\s*[】\]]?\s*[:：]?\s*$"),
    _rule("any", "read more link",
          r"^\s*([【\[]\s*(延伸閱讀|相關新聞|相關報導|推薦閱讀)\s*[】\]]|"
          r"(延伸閱讀|相關新聞|相關報導|推薦閱讀)\s*[:：])[^。]{1,80}$"),
    _rule("any", "read more: more of an outlet's news",
          r"^\s*(點我|點此)?看?更多\s*[^\s，。！？]{1,12}(\s+[^\s，。！？]{1,8})?\s*(報導|新聞|文章)"
          r"\s*[>＞》»]*\s*$"),
    _rule("any", "follow or subscribe promo",
          r"^(?!.*。)\s*[►▶➤👉★●>※]*\s*(立即|快|歡迎|點我|點擊|一鍵)?\s*(加入|追蹤|訂閱|按讚)"
          r".{0,20}(LINE|Facebook|FB|臉書|粉絲團|粉絲專頁|粉專|YouTube|IG|Instagram|Google\s*新聞|"
          r"Telegram|頻道)[^。]{0,30}$"),
    _rule("any", "app download promo",
          r"^\s*[►▶➤👉★●>※]*\s*(點我|點此|點擊|立即|馬上|歡迎|快)\s*下載[^。]{0,40}$"),
    _rule("any", "photo credit",
          r"^\s*[（(]?\s*(圖|照片|圖片|影音|影片|資料照|圖文)\s*[/／╱]\s*[^（）()。]{1,30}[）)]?\s*$"
          r"|^\s*[（(][^（）()，。]{1,20}提供[）)]\s*$"),
    _rule("any", "photo caption", r"^\s*[▲▼△▽]+.*[（(]\s*(圖|照片)\s*[/／╱][^（）()]*[）)]\s*$"),
    _rule("taiwan", "hotline notice",
          r"^\s*[●★※＊*]?\s*(自殺防治)?(諮詢)?(安心專線|生命線(協談)?(專線)?|張老師(專線)?|"
          r"自殺(防治)?諮詢專線)\s*[:：]\s*[\d-]{3,}"
          r"|^\s*[●★※＊*]?\s*\S{0,16}(提醒您|關心您|關心你)\s*[:：，,]?\s*"
          r"(請給自己機會|再給自己一次機會|珍惜生命|自殺)"
          r"|^\s*(再給自己一次機會|自殺解決不了問題.{0,20}請珍惜生命。?)\s*$"),
    _rule("taiwan", "drinking and smoking warnings",
          r"^\s*[●★※＊*]?\s*(\S{0,10}提醒您\s*[:：]?\s*)?(禁止酒駕|飲酒過量[，,]?\s*(有礙健康|害人害己)|"
          r"未滿十八歲禁止飲酒|吸菸有害健康)[^。]{0,30}$"),
)

TAIL_RULES: tuple[Rule, ...] = (
    _rule("netease", "网易号 disclaimer", r"^\s*特别声明[:：].*(网易号|自媒体平台)"),
    _rule("netease", "网易号 English disclaimer", r"^\s*Notice: The content above .*NetEase"),
    _rule("wechat", "公众号 recommended reading", r"^\s*喜欢此内容的人还喜欢\s*$"),
    _rule("sohu", "搜狐 back-to-home link", r"^\s*返回搜狐[，,]\s*查看更多\s*$"),
    _rule("news", "copyright footer",
          r"^\s*(copyright\s*(©|\(c\)|\d{4})|©\s*\d{4})|^\s*版权所有\s*[:：©]"),
    _rule("ptt", "PTT signature", r"^--\s*$", confirm=r"^\s*※\s*發信站\s*[:：]\s*批踢踢實業坊"),
    _rule("ptt", "PTT site line and pushes", r"^\s*※\s*發信站\s*[:：]\s*批踢踢實業坊"),
)

INLINE_RULES: tuple[Rule, ...] = (
    _rule("any", "inline image placeholder", r"!\[[^\]]*\]\([^)]*\)"),
    _rule("weibo", "微博 expand link", r"\s*(\.\.\.|…)\s*(展开全文|收起全文)\s*[cd∨∧]?\s*$"),
    _rule("facebook", "Facebook see-more link", r"\s*(\.\.\.|…)\s*(查看更多|顯示更多)\s*$"),
    _rule("nownews", "今日新聞 source tag", r"^\s*[\[【]\s*NOWnews\s*今日新聞\s*[\]】]\s*"),
    _rule("appledaily", "蘋果 notice heading", r"《(蘋果|壹蘋)》\s*關心你\s*$"),
)


#: Scraped articles often arrive as one long line, promo phrases glued to the text
#: (点击上方“某某”关注我们夏天到了…). A line this long is article text: no line rule drops
#: it, and only a trailer that starts the line (特别声明…) cuts the rest.
LONG_LINE = 200


#: How far after a rule's line its `confirm` pattern is looked for.
CONFIRM_LINES = 15


#: A promo phrase glued to the article (点击上方“某某”关注公众号2018年6月20日，…) leaves
#: the line alone when this much text with a full stop follows what the rule matched.
GLUED_TEXT = 80


def _match(rule: Rule, norm: str, *, trailer: bool = False) -> re.Match[str] | None:
    m = rule.pattern.search(norm)
    if m is None:
        return None
    if trailer:
        return m if len(norm) <= LONG_LINE or m.start() <= 2 else None
    rest = norm[m.end():]
    if len(norm) > LONG_LINE or (len(rest) >= GLUED_TEXT and "。" in rest):
        return None
    return m


def _trailer_starts(rule: Rule, norms: list[str], i: int) -> bool:
    if _match(rule, norms[i], trailer=True) is None:
        return False
    return rule.confirm is None or any(
        rule.confirm.search(n) for n in norms[i + 1:i + 1 + CONFIRM_LINES])


def _keep(rule: Rule, m: re.Match[str], line: str, kept: dict[str, tuple[str, str]]) -> None:
    if rule.keeps:
        value = line[m.start("value"):m.end("value")].strip()
        kept.setdefault(rule.keeps, (value, rule.removes))


def _cut(line: str, norm: str, rule: Rule) -> tuple[str, str]:
    """`line` without what `rule` finds in `norm`, and the normalized twin of what is left."""
    spans = [m.span() for m in rule.pattern.finditer(norm) if m.end() > m.start()]
    for start, end in reversed(spans):
        line, norm = line[:start] + line[end:], norm[:start] + norm[end:]
    return line, norm


def clean_lines(lines: list[str]) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The lines without boilerplate (blank lines kept as paragraph breaks), and the
    metadata the removed lines carried: field → (value, the rule's `removes`).

    A trailer's lines are dropped whole, but still give what their rules keep (the URL
    line after PTT's 發信站)."""
    out: list[str] = []
    kept: dict[str, tuple[str, str]] = {}
    norms = [normalize(line) for line in lines]
    in_trailer = False
    for i, (line, norm) in enumerate(zip(lines, norms, strict=True)):
        if not in_trailer and any(_trailer_starts(r, norms, i) for r in TAIL_RULES):
            in_trailer = True
        found = next(((r, m) for r in LINE_RULES if (m := _match(r, norm))), None)
        if found is not None:
            _keep(*found, line, kept)
            continue
        if in_trailer:
            continue
        for r in INLINE_RULES:
            line, norm = _cut(line, norm, r)
        out.append(line.rstrip())
    return out, kept


#: Rules that remove markup, not text: a body is never kept for their sake.
_MARKUP = ("image placeholder", "inline image placeholder")


def markup_removed(lines: list[str]) -> list[str]:
    """`lines` without image placeholders and nothing else: the text a body falls back on
    when the rules would leave too little of it (`articles`)."""
    out = []
    for line in lines:
        norm = normalize(line)
        if any(r.pattern.search(norm) for r in LINE_RULES if r.removes in _MARKUP):
            continue
        for r in INLINE_RULES:
            if r.removes in _MARKUP:
                line, norm = _cut(line, norm, r)
        out.append(line.rstrip())
    return out


def matching_rule(line: str) -> Rule | None:
    """The first rule that would remove `line` or part of it (for tests and `wenhai show`)."""
    norm = normalize(line)
    for r in (*TAIL_RULES, *LINE_RULES, *INLINE_RULES):
        if r.pattern.search(norm):
            return r
    return None
