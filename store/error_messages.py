"""The store's errors and notices in the reader's language, for every interface that
says them.

A store error carries an English message for logs and scripts, a stable `code` and the
values the message names (`errors.ArchiveError`). An interface speaking 简体, 繁體 or
English says it from the code with this catalog (`store/translations/`; the messages
are written in 简体), so a page or a terminal in 繁體 never shows a message in another
language. An error raised without a code of its own is said by its class's code, with
the English message after it.
"""

from __future__ import annotations

from gettext import NullTranslations

from .language import N_

#: Error code → its message, `%(name)s` placeholders filled from the error's details.
ERRORS = {
    # the query
    "query.empty": N_("查询是空的：请输入要搜索的词或短语。"),
    "query.too_long": N_("查询有 %(length)s 个字符，请缩短到 %(limit)s 个以内。"),
    "query.too_many_terms": N_("查询的词超过 %(limit)s 个，请去掉一些。"),
    "query.field_empty": N_("「%(query)s」中的 %(field)s 冒号后面什么也没有：把要找的词紧接在冒号后面写（%(field)s小米），或加引号把它当作文字搜索（\"%(field)s\"）。"),
    "query.date_unreadable": N_("看不懂「%(query)s」中的日期 %(value)s：日期写作 2024、2024-03 或 2024-03-05，范围写作 date:2024-01..2024-06。"),
    "query.date_impossible": N_("「%(query)s」中的 %(value)s 不是日期：月份从 01 到 12，日从 01 到 31。"),
    "query.date_range_empty": N_("「%(query)s」中的日期范围是空的：请写成 date:2024-01..2024-06。"),
    "query.or_one_sided": N_("「%(query)s」中的 OR 两边都要有词。"),
    "query.or_excluded": N_("「%(query)s」中的 OR 不能连接排除的词。"),
    "query.only_excluded": N_("「%(query)s」只有排除的词：请加一个要搜索的词，例如 小米 -手机。"),
    "query.nothing_to_search": N_("「%(query)s」里没有可以搜索的字母、数字或汉字。"),
    "query.sort": N_("不能按 %(value)s 排序：请选 %(choices)s 之一。"),
    "query.by": N_("不能按 %(value)s 计数：请选 %(choices)s 之一。"),
    "query.reposts": N_("参数 reposts 必须是 %(choices)s 之一。"),
    "query.per_page": N_("每页的条数必须在 1 到 %(limit)s 之间。"),
    "query.page": N_("页码必须在 1 到 %(limit)s 之间。"),
    "query.export_format": N_("不能导出为 %(value)s：请选 %(choices)s 之一。"),
    "trends.measure": N_("不能计数 %(value)s：请选 articles（文章数）或 occurrences（出现次数）。"),
    "query.invalid": N_("无法理解这个查询：%(message)s"),
    "query.syntax": N_("查询的写法有误：%(message)s"),
    # filters
    "filter.too_long": N_("筛选条件 %(filter)s 太长，请缩短。"),
    "filter.year": N_("%(year)s 不是年份：请写四位数字，例如 2024。"),
    "filter.dates": N_("看不懂从「%(date_from)s」到「%(date_to)s」的日期范围：请写年、月或日，例如 2024、2024-01 或 2024-03-05。"),
    # concordance and trends
    "kwic.empty": N_("没有要找的字符串：请输入要找的字，例如 碳纤维。"),
    "kwic.too_long": N_("语境索引最多找 %(limit)s 个字符的字符串，这里有 %(length)s 个：请缩短。"),
    "kwic.punctuation": N_("「%(query)s」含有空格或标点，索引不保存它们，所以无法准确找出每一处：请只找其中连续的一段，例如「%(longest)s」。"),
    "kwic.punctuation_only": N_("「%(query)s」只有空格或标点，索引不保存它们：请加上它前后的字。"),
    "trends.empty": N_("没有要比较的词：最多 %(limit)s 个，用逗号隔开，例如 雷军,小米汽车,SU7。"),
    "trends.too_many": N_("%(count)s 个词太多，一张图最多比较 %(limit)s 个（%(first)s）。"),
    "trends.term_too_long": N_("词「%(term)s…」超过 %(limit)s 个字符，请缩短。"),
    # the archive
    "article.not_found": N_("没有编号为 %(id)s 的文章。"),
    "archive.busy": N_("另一个程序正在写入文海，请稍后再试。（%(message)s）"),
    "index.missing": N_("文海有文章但还没有搜索索引：请运行 wenhai check --repair。（%(message)s）"),
    "index.version": N_("搜索索引由另一个版本建立：请运行 wenhai check --repair 重建。（%(message)s）"),
    "index.damaged": N_("搜索索引的文件无法读取：请运行 wenhai check --repair 从存档重建。（%(message)s）"),
    "archive.error": N_("文海暂时无法回答：%(message)s"),
    "archive.read_only": N_("这里不能写入文海，但仍可以搜索：%(message)s"),
    "storage.failed": N_("写入文海失败，已存入的内容没有丢失：%(message)s"),
    "dictionary.invalid": N_("词典有误：%(message)s"),
    "dictionary.not_utf8": N_("词典 %(path)s 不是 UTF-8 编码（第 %(byte)s 字节）：请存为 UTF-8，一行一个词（词 [词频] [词性]）。"),
    "dictionary.unreadable": N_("无法读取词典 %(path)s：%(error)s。"),
    "dictionary.bad_line": N_("%(path)s 第 %(line)s 行：%(problem)s。请改正或删除这一行（一行一个词：词 [词频] [词性]）。"),
    "dictionary.cannot_add": N_("无法加入：%(problem)s。请给出一个词，照它的写法。"),
    "word.space": N_("%(word)s 中有空格，而 jieba 分出的词从不含空格"),
    "word.no_letter": N_("%(word)s 中没有字母、数字或汉字"),
    "tag.invalid": N_("无法这样修改标签：%(message)s"),
    "setting.invalid": N_("环境变量里的设置有误：%(message)s"),
    # the cluster: why results are partial
    "cluster.shard_silent": N_("%(shard)s 没有回应（%(warning)s）：这些结果只来自其他分片，可能缺少一些文章。"),
    "cluster.cannot_count": N_("无法通过集群数出「%(query)s」的每一处：%(why)s"),
    "cluster.too_many_candidates": N_("它出现在 %(total)s 篇文章中，超过集群返回的 %(returned)s 篇"),
    "cluster.checked_first": N_("这个查询在集群中可能匹配 %(total)s 篇文章：只有排在前面的 %(checked)s 篇与存档的原文核对过，结果和计数都来自这些文章。请缩小范围：加一个词、给短语加引号，或按来源或年份筛选。"),
    # notices (`errors.Notice`): of a check
    "store.intact": N_("完好"),
    "store.damaged": N_("SQLite 的完整性检查发现问题：%(found)s"),
    # the copies of the index kept beside it
    "copy.damaged": N_("发现损坏时移到一旁的索引"),
    "copy.new": N_("一次没有完成或仍在进行的重建"),
    "copy.old": N_("一次中断的替换要换掉的旧索引"),
    "dictionary.mismatch": N_("索引分词时用的词典与 %(path)s 不同（%(count)s 个词不同：%(words)s）：请运行 `wenhai check --repair`，重新分词含有这些词的文章"),
    # of a write
    "index.damaged_moved": N_("%(path)s 中的搜索索引已损坏（%(error)s），已移到 %(kept)s（`wenhai prune` 会删除它），正在用文海里的文章建立新索引。"),
    "index.rebuilding": N_("%(path)s 中的搜索索引不见了，正在用文海里的文章重建。"),
    "index.rebuild_left": N_("已删除 %(copy)s（%(mb)s MB），那是一次中断的重建留下的。"),
    "index.swap_left": N_("已删除 %(copy)s（%(mb)s MB），那是一次中断的索引替换留下的。"),
    "index.damaged_kept": N_("损坏的索引已移到 %(kept)s（`wenhai prune` 会删除它）。"),
}


#: Between the notices a message lists (the reasons a count through a cluster failed).
SEPARATOR = N_("；")


def say(e: Exception, translations: NullTranslations) -> str:
    """What `e` (a store error, or any error with a `code` and `details`) says in the
    language of `translations`."""
    # its own code, else its classes' (those messages end with the English one)
    codes = [getattr(e, "code", None)] + [vars(c).get("code") for c in type(e).__mro__]
    template = next((ERRORS[c] for c in codes if c in ERRORS), "%(message)s")
    values = {"message": str(e), **getattr(e, "details", {})}
    # a detail that is itself a notice (a dictionary line's problem), or a list of them,
    # in the same language
    values = {k: _said(v, translations) for k, v in values.items()}
    try:
        return translations.gettext(template) % values
    except (KeyError, ValueError, TypeError):  # a detail missing: the English message
        return str(e)


def _said(value, translations: NullTranslations):
    if getattr(value, "code", None):
        return say(value, translations)
    if isinstance(value, (tuple, list)) and all(getattr(v, "code", None) for v in value):
        return translations.gettext(SEPARATOR).join(say(v, translations) for v in value)
    return value
