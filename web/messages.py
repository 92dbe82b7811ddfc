"""Errors and notices in the reader's language.

The store's errors carry an English message for the terminal and logs, a stable `code`
and the values the message names (`store.ArchiveError`); the web says them from the code
with the store's catalog (`store.error_messages`, shared with the terminal), so a page in
繁體 or English never shows a message in another language. The request's own errors
(`params.BadParameter`) are said here.
"""

from __future__ import annotations

from store import error_messages

from .i18n import asked, current, number, translations
from .i18n import gettext as _


def _said(code: str) -> str | None:
    """The message of a request's own error (`params.BadParameter`) for `code`;
    the store's are said by `store.error_messages`."""
    return {
        "param.not_integer": _("参数 %(name)s 必须是整数，而不是 %(value)s。"),
        "param.range": _("参数 %(name)s 必须在 %(low)s 到 %(high)s 之间，而不是 %(value)s。"),
        "param.choice": _("参数 %(name)s 必须是 %(choices)s 之一，而不是 %(value)s。"),
        "param.missing_q": _("缺少参数 q：请给出要搜索的文字，例如 %(example)s。"),
    }.get(code)


def error_message(e: Exception) -> str:
    """What `e` (a store error or a `BadParameter`) says, in the reader's language."""
    template = _said(getattr(e, "code", ""))
    if template is None:
        return error_messages.say(e, translations(current()))
    try:
        return template % {"message": str(e), **getattr(e, "details", {})}
    except (KeyError, ValueError, TypeError):  # a detail missing: the English message
        return str(e)


def reason(reasons) -> str | None:
    """Why results are partial (a cluster's shard that did not answer), for the API's
    `reason`: in the language the request asks for, else in English, as its errors."""
    if not reasons:
        return None
    return " ".join(error_message(r) if asked() else str(r) for r in reasons)


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
