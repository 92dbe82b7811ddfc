"""Errors and notices in the reader's language.

The store's errors carry an English message for the terminal and logs, a stable `code`
and the values the message names (`store.ArchiveError`); the web says them from the code
with the catalogs, so a page in 繁體 or English never shows a message in another
language. An error raised without a code of its own is said by its class's code, with
the English message after it.
"""

from __future__ import annotations

from .i18n import gettext as _
from .i18n import number


def _said(code: str) -> str | None:
    """The message for `code`, `%(name)s` placeholders to fill from the error's details.

    Built on each call, so that `_` translates for the request at hand."""
    return {
        # the query
        "query.empty": _("查询是空的：请输入要搜索的词或短语。"),
        "query.too_long": _("查询有 %(length)s 个字符，请缩短到 %(limit)s 个以内。"),
        "query.too_many_terms": _("查询的词超过 %(limit)s 个，请去掉一些。"),
        "query.field_empty": _("「%(query)s」中的 %(field)s 冒号后面什么也没有：把要找的词紧接在冒号后面写（%(field)s小米），或加引号把它当作文字搜索（\"%(field)s\"）。"),
        "query.date_unreadable": _("看不懂「%(query)s」中的日期 %(value)s：日期写作 2024、2024-03 或 2024-03-05，范围写作 date:2024-01..2024-06。"),
        "query.date_impossible": _("「%(query)s」中的 %(value)s 不是日期：月份从 01 到 12，日从 01 到 31。"),
        "query.date_range_empty": _("「%(query)s」中的日期范围是空的：请写成 date:2024-01..2024-06。"),
        "query.or_one_sided": _("「%(query)s」中的 OR 两边都要有词。"),
        "query.or_excluded": _("「%(query)s」中的 OR 不能连接排除的词。"),
        "query.only_excluded": _("「%(query)s」只有排除的词：请加一个要搜索的词，例如 小米 -手机。"),
        "query.nothing_to_search": _("「%(query)s」里没有可以搜索的字母、数字或汉字。"),
        "query.sort": _("不能按 %(value)s 排序：请选 %(choices)s 之一。"),
        "query.by": _("不能按 %(value)s 计数：请选 %(choices)s 之一。"),
        "query.reposts": _("参数 reposts 必须是 %(choices)s 之一。"),
        "query.per_page": _("每页的条数必须在 1 到 %(limit)s 之间。"),
        "query.page": _("页码必须在 1 到 %(limit)s 之间。"),
        "query.export_format": _("不能导出为 %(value)s：请选 %(choices)s 之一。"),
        "trends.measure": _("不能计数 %(value)s：请选 articles（文章数）或 occurrences（出现次数）。"),
        "query.invalid": _("无法理解这个查询：%(message)s"),
        "query.syntax": _("查询的写法有误：%(message)s"),
        # filters
        "filter.too_long": _("筛选条件 %(filter)s 太长，请缩短。"),
        "filter.year": _("%(year)s 不是年份：请写四位数字，例如 2024。"),
        "filter.dates": _("看不懂从「%(date_from)s」到「%(date_to)s」的日期范围：请写年、月或日，例如 2024、2024-01 或 2024-03-05。"),
        # concordance and trends
        "kwic.empty": _("没有要找的字符串：请输入要找的字，例如 碳纤维。"),
        "kwic.too_long": _("语境索引最多找 %(limit)s 个字符的字符串，这里有 %(length)s 个：请缩短。"),
        "kwic.punctuation": _("「%(query)s」含有空格或标点，索引不保存它们，所以无法准确找出每一处：请只找其中连续的一段，例如「%(longest)s」。"),
        "kwic.punctuation_only": _("「%(query)s」只有空格或标点，索引不保存它们：请加上它前后的字。"),
        "trends.empty": _("没有要比较的词：最多 %(limit)s 个，用逗号隔开，例如 雷军,小米汽车,SU7。"),
        "trends.too_many": _("%(count)s 个词太多，一张图最多比较 %(limit)s 个（%(first)s）。"),
        "trends.term_too_long": _("词「%(term)s…」超过 %(limit)s 个字符，请缩短。"),
        # the archive
        "article.not_found": _("没有编号为 %(id)s 的文章。"),
        "archive.busy": _("另一个程序正在写入文海，请稍后再试。（%(message)s）"),
        "index.missing": _("文海有文章但还没有搜索索引：请运行 wenhai check --repair。（%(message)s）"),
        "index.version": _("搜索索引由另一个版本建立：请运行 wenhai check --repair 重建。（%(message)s）"),
        "index.damaged": _("搜索索引的文件无法读取：请运行 wenhai check --repair 从存档重建。（%(message)s）"),
        "archive.error": _("文海暂时无法回答：%(message)s"),
        # the request
        "param.not_integer": _("参数 %(name)s 必须是整数，而不是 %(value)s。"),
        "param.range": _("参数 %(name)s 必须在 %(low)s 到 %(high)s 之间，而不是 %(value)s。"),
        "param.choice": _("参数 %(name)s 必须是 %(choices)s 之一，而不是 %(value)s。"),
        "param.missing_q": _("缺少参数 q：请给出要搜索的文字，例如 %(example)s。"),
    }.get(code)


def error_message(e: Exception) -> str:
    """What `e` (a store error or a `BadParameter`) says, in the reader's language."""
    # its own code, else its classes' (those messages end with the English one)
    codes = [getattr(e, "code", None)] + [vars(c).get("code") for c in type(e).__mro__]
    template = next((t for c in codes if c and (t := _said(c))), "%(message)s")
    values = {"message": str(e), **getattr(e, "details", {})}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a detail missing: the English message
        return str(e)


def syntax_help() -> str:
    return _("搜索词语（小米 汽车）、确切的短语（\"碳纤维机盖\"）；用 -词 排除，用 A OR B 表示任一，"
             "用 title: author: source: extra: tag: 限定字段，用 date:2024-01..2024-06 限定日期。")


def status_title(status: int) -> str:
    """The heading of an error page for an HTTP status."""
    return {
        400: _("请求有误"),
        404: _("找不到页面"),
        405: _("不支持此请求方法"),
        413: _("请求太大"),
        414: _("网址太长"),
        503: _("文海正忙"),
    }.get(status) or _("出错了（%(status)s）", status=status)


def http_message(status: int, for_api: bool, description: str) -> str:
    """The sentence under an HTTP error's heading."""
    said = {
        404: _("这个网址没有 API 接口。") if for_api else _("这个网址没有网页。"),
        405: _("这个网址不接受这种请求方法。"),
        413: _("请求的内容太大：请发送更小的请求。"),
    }.get(status)
    return said or description


def url_too_long(length: int, limit: int) -> str:
    return _("网址长 %(length)s 字节，超过上限 %(limit)s：请搜索更少的词或用更少的筛选条件。",
             length=number(length), limit=number(limit))


def too_busy(seconds: int) -> str:
    return _("同时进行的搜索太多，请 %(seconds)s 秒后再试。", seconds=seconds)
