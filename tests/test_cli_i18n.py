"""The terminal in the locale's language: 繁體 for zh_TW, 简体 for zh_CN, English for
en_US and C — the ingest summary and a failed file's line, a query's syntax error, and
`--help` of the group and of every command, run through the real CLI on a real archive."""

from __future__ import annotations

import gettext
import json
import shutil
from pathlib import Path

import click
import pytest

from indexer import language as indexer_language
from indexer.cli import main
from store import language
from store.cluster.candidates import shard_silent
from store.language import from_environment

UNSET = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def _run(runner, home: Path, lang: str, *args, input: str | None = None):
    return runner.invoke(main, ["--home", str(home), *map(str, args)], input=input,
                         env={**UNSET, "LANG": lang}, prog_name="wenhai")


#: (the locale variables, the language wenhai speaks under them)
ENVIRONMENTS = [
    ({}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh_Hans"),
    ({"LANG": "zh_SG.UTF-8"}, "zh_Hans"),
    ({"LANG": "zh_Hans"}, "zh_Hans"),
    ({"LANG": "zh"}, "zh_Hans"),
    ({"LANG": "zh_TW.UTF-8"}, "zh_Hant"),
    ({"LANG": "zh_HK.Big5-HKSCS"}, "zh_Hant"),
    ({"LANG": "zh_MO.UTF-8"}, "zh_Hant"),
    ({"LANG": "zh_Hant_TW"}, "zh_Hant"),
    # gettext's order: LANGUAGE, then LC_ALL, then LC_MESSAGES, then LANG
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh_Hant"),
    ({"LC_MESSAGES": "zh_TW.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANGUAGE": "zh_TW"}, "zh_Hant"),
    ({"LANGUAGE": "fr:zh_TW:en", "LANG": "zh_CN.UTF-8"}, "zh_Hant"),
    ({"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}, "zh_Hans"),
    ({"LC_ALL": "C", "LANG": "zh_TW.UTF-8"}, "en"),
    ({"LANG": "yue_HK.UTF-8"}, "zh_Hant"),
    ({"LANGUAGE": "en:zh_TW", "LANG": "zh_CN.UTF-8"}, "en"),
]


@pytest.mark.parametrize(("environ", "chosen"), ENVIRONMENTS)
def test_the_language_follows_the_locale_variables(environ, chosen):
    assert from_environment(environ) == chosen


EMPTY = "空的文章.txt"
RECORDS = "导出.jsonl"

#: locale → (summary, the empty file's line, a bad record's line, the count of the rest)
INGEST = {
    "zh_TW.UTF-8": ("新增 7，更新 0，未變 0，重複 0，失敗 1；已存入的檔案中有 1,234 條壞記錄",
                    "是空的",
                    "第 2 行沒有正文：它的鍵是 title；文海從鍵 content, text",
                    "另有 1,224 條記錄無法讀取（1,235 條記錄中存入了 1 條）"),
    "zh_CN.UTF-8": ("新增 7，更新 0，未变 0，重复 0，失败 1；已存入的文件中有 1,234 条坏记录",
                    "是空的",
                    "第 2 行没有正文：它的键是 title；文海从键 content, text",
                    "另有 1,224 条记录无法读取（1,235 条记录中存入了 1 条）"),
    "en_US.UTF-8": ("7 added, 0 updated, 0 unchanged, 0 duplicate, 1 failed; 1,234 bad "
                    "records in files stored",
                    "is empty",
                    "line 2 has no text: its keys are title; wenhai takes the text from the "
                    "key content, text",
                    "1,224 more records could not be read (1 of 1,235 records stored)"),
}
INGEST["C"] = INGEST["en_US.UTF-8"]


@pytest.mark.parametrize("lang", INGEST)
def test_ingest_summary_and_failed_files_in_the_locale_language(runner, samples, home, lang):
    (samples / EMPTY).write_text("", encoding="utf-8")
    lines = [json.dumps({"title": "一篇", "text": "碳纤维机盖的文章"}, ensure_ascii=False)]
    lines += [json.dumps({"title": "空"}, ensure_ascii=False)] * 1234
    (samples / RECORDS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary, empty, record, rest = INGEST[lang]

    result = _run(runner, home, lang, "ingest", "-j", "1", samples)

    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == summary
    problems = result.stderr.splitlines()
    # the prefix scripts look for and the path stay as they are; the reason is translated
    assert f"failed: {samples / EMPTY}: {empty}" in problems
    assert any(line.startswith(f"failed: {samples / RECORDS}: {record}") for line in problems)
    assert f"failed: {samples / RECORDS}: {rest}" in problems


#: locale → (the error's beginning, the notice that the text was searched as plain text)
SYNTAX = {
    "zh_TW.UTF-8": ("Error: 「author:」中的 author: 冒號後面什麼都沒有：把要找的詞緊接在冒號後面寫",
                    "「author:」已當作普通文字搜尋，不按搜尋語法。"),
    "zh_CN.UTF-8": ("Error: 「author:」中的 author: 冒号后面什么也没有：把要找的词紧接在冒号后面写",
                    "「author:」已当作普通文字搜索，不按搜索语法。"),
    "en_US.UTF-8": ("Error: «author:» in «author:» has nothing after the colon: write the term "
                    "right after it", "«author:» was searched as plain text, its syntax ignored."),
}
SYNTAX["C"] = SYNTAX["en_US.UTF-8"]


@pytest.mark.parametrize("lang", SYNTAX)
def test_a_query_syntax_error_in_the_locale_language(runner, ingested, lang):
    error, notice = SYNTAX[lang]
    result = _run(runner, ingested, lang, "search", "author:")
    assert result.exit_code == 2
    problems = result.stderr.splitlines()
    assert problems[-1].startswith(error), result.stderr
    assert notice in problems


def test_json_keeps_its_keys_in_every_language_and_says_its_notice_in_it(runner, ingested):
    said = {lang: json.loads(_run(runner, ingested, lang, "search", "码头“", "--json").stdout)
            for lang in ("zh_TW.UTF-8", "C")}
    assert said["zh_TW.UTF-8"].keys() == said["C"].keys()
    assert said["zh_TW.UTF-8"]["total"] == said["C"]["total"] > 0
    assert said["zh_TW.UTF-8"]["notice"].startswith("查詢中不成對的 “ 已當作文中的字元搜尋")
    assert said["C"]["notice"].startswith("The query's unpaired “ was searched as a character")


#: locale → what the group's --help says
HELP = {
    "zh_TW.UTF-8": ("用法：wenhai [OPTIONS] COMMAND [ARGS]...", "可搜尋的中文文章存檔", "選項：",
                    "命令：", "搜尋文海", "顯示此說明並退出。", "文海的資料夾（archive.db"),
    "zh_CN.UTF-8": ("用法：wenhai [OPTIONS] COMMAND [ARGS]...", "可搜索的中文文章存档", "选项：",
                    "命令：", "搜索文海", "显示此帮助并退出。", "文海的文件夹（archive.db"),
    "en_US.UTF-8": ("Usage: wenhai [OPTIONS] COMMAND [ARGS]...",
                    "a searchable archive of Chinese articles", "Options:", "Commands:",
                    "Search the archive", "Show this message and exit.", "Archive folder"),
}
HELP["C"] = HELP["en_US.UTF-8"]


@pytest.mark.parametrize("lang", HELP)
def test_help_in_the_locale_language(runner, home, lang):
    result = runner.invoke(main, ["--help"], env={**UNSET, "LANG": lang}, prog_name="wenhai")
    assert result.exit_code == 0
    for said in HELP[lang]:
        assert said in result.output, said


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


@pytest.mark.parametrize("lang", ["zh_TW.UTF-8", "zh_CN.UTF-8"])
def test_every_commands_help_and_options_are_translated(runner, home, lang):
    """No help text of any command or option is left in English."""
    commands = list(_commands(main))
    assert len(commands) > 20
    for path, command in commands:
        result = runner.invoke(main, [*path, "--help"], env={**UNSET, "LANG": lang},
                               prog_name="wenhai")
        shown = " ".join(result.output.split())
        assert result.exit_code == 0 and shown.startswith("用法：wenhai " + " ".join(path))
        english = [command.help] + [p.help for p in command.params if getattr(p, "help", None)]
        for text in english:
            assert " ".join(text.split())[:40] not in shown, (path, text)
        assert "Show this message" not in shown and "[default: " not in shown


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_TW.UTF-8", "notice: {index} 中的搜尋索引不見了，正在用文海裡的文章重建。"),
    ("zh_CN.UTF-8", "notice: {index} 中的搜索索引不见了，正在用文海里的文章重建。"),
    ("C", "notice: The search index in {index} was missing; it is being rebuilt from the "
          "archive."),
])
def test_a_notice_of_the_store_in_the_locale_language(runner, ingested, samples, lang, said):
    shutil.rmtree(ingested / "index")
    result = _run(runner, ingested, lang, "ingest", samples)
    assert result.exit_code == 0, result.output
    assert said.format(index=ingested / "index") in result.stderr.splitlines()


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_TW.UTF-8", "詞典：  索引斷詞時用的詞典與 {path} 不同（1 個詞不同：碳纤维机盖）"),
    ("C", "words:   the index was segmented with another dictionary than {path} (1 word "
          "differ: 碳纤维机盖)"),
])
def test_check_says_what_it_finds_in_the_locale_language(runner, ingested, lang, said):
    (ingested / "dictionary.txt").write_text("碳纤维机盖\n", encoding="utf-8")
    result = _run(runner, ingested, lang, "check")
    assert result.exit_code == 1
    path = ingested / "dictionary.txt"
    assert any(line.startswith(said.format(path=path)) for line in result.stdout.splitlines()), \
        result.stdout


#: locale → what click says of a mistake on the command line: (arguments, its last line)
CLICK = {
    "zh_TW.UTF-8": [(["search", "--x"], "Error: 沒有選項 '--x'。"),
                    (["search"], "Error: 缺少參數 'QUERY'."),
                    (["stats", "多餘"], "Error: 多了預期之外的參數（多餘）"),
                    (["search", "小米", "--limit", "500"],
                     "Error: '--limit' 的值無效：500 不在範圍 1<=x<=100 內。"),
                    (["搜尋"], "Error: 沒有命令 '搜尋'。")],
    "zh_CN.UTF-8": [(["search", "--x"], "Error: 没有选项 '--x'。"),
                    (["search"], "Error: 缺少参数 'QUERY'."),
                    (["stats", "多余"], "Error: 多了意料之外的参数（多余）"),
                    (["search", "小米", "--limit", "500"],
                     "Error: '--limit' 的值无效：500 不在范围 1<=x<=100 内。"),
                    (["搜索"], "Error: 没有命令 '搜索'。")],
    "en_US.UTF-8": [(["search", "--x"], "Error: No such option '--x'."),
                    (["search"], "Error: Missing argument 'QUERY'."),
                    (["stats", "多余"], "Error: Got unexpected extra argument (多余)"),
                    (["search", "小米", "--limit", "500"],
                     "Error: Invalid value for '--limit': 500 is not in the range 1<=x<=100."),
                    (["搜索"], "Error: No such command '搜索'.")],
}
CLICK["C"] = CLICK["en_US.UTF-8"]
#: locale → the usage hint click writes above the error
TRY = {"zh_TW.UTF-8": "執行 'wenhai search --help' 查看說明。",
       "zh_CN.UTF-8": "运行 'wenhai search --help' 查看帮助。",
       "en_US.UTF-8": "Try 'wenhai search --help' for help.",
       "C": "Try 'wenhai search --help' for help."}


@pytest.mark.parametrize("lang", CLICK)
def test_clicks_own_complaints_in_the_locale_language(runner, home, lang):
    """A wrong option, a missing argument, an extra one, a value out of range and an
    unknown command, as click itself says them: exit 2, the `Error:` prefix kept."""
    for args, said in CLICK[lang]:
        result = _run(runner, home, lang, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines()[-1] == said, (args, result.stderr)
    result = _run(runner, home, lang, "search")
    assert TRY[lang] in result.stderr.splitlines()


#: locale → (the question, with its [y/N]; what click says when the answer is no)
CONFIRM = {
    "zh_TW.UTF-8": ("刪除它們嗎？[y 是/N 否]: ", "已中止！"),
    "zh_CN.UTF-8": ("删除它们吗？[y 是/N 否]: ", "已中止！"),
    "C": ("Remove them? [y/N]: ", "Aborted!"),
}


@pytest.mark.parametrize("lang", CONFIRM)
def test_a_confirmation_and_its_refusal_in_the_locale_language(runner, ingested, samples,
                                                               lang):
    question, aborted = CONFIRM[lang]
    result = _run(runner, ingested, lang, "remove", samples / "tea_notes.md", input="n\n")
    assert result.exit_code == 1, result.output
    problems = result.stderr.splitlines()
    assert problems[-2] == question + "n", result.stderr  # the runner echoes the answer
    assert problems[-1] == aborted
    assert _run(runner, ingested, "C", "search", "普洱").stdout  # nothing was removed


@pytest.mark.parametrize(("environ", "chosen"), ENVIRONMENTS)
def test_gettext_picks_the_language_wenhai_picks(tmp_path, monkeypatch, environ, chosen):
    """click asks the standard library's gettext, which reads the locale itself: the
    catalog it finds is the one of the language the rest of the terminal speaks."""
    folder = language.gettext_folder(("indexer",), "messages", tmp_path)
    assert folder is not None
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert from_environment(environ) == chosen
    said = gettext.translation("messages", str(folder), fallback=True)
    assert said.gettext("Show this message and exit.") == {
        "en": "Show this message and exit.", "zh_Hans": "显示此帮助并退出。",
        "zh_Hant": "顯示此說明並退出。"}[chosen]


def test_clicks_messages_stay_english_where_no_catalog_can_be_written(tmp_path):
    """No cache folder (a file in its place, a read-only home): no catalog, no error."""
    (tmp_path / "cache").write_text("not a folder", encoding="utf-8")
    assert language.gettext_folder(("indexer",), "messages", tmp_path / "cache") is None
    assert language.gettext_folder(("indexer",), "messages", tmp_path / "cache" / "x") is None


@pytest.mark.parametrize(("lang", "integrity", "copy"), [
    ("zh_TW.UTF-8", "儲存：  完好（", "（發現損壞時移到一旁的索引）"),
    ("zh_CN.UTF-8", "存储：  完好（", "（发现损坏时移到一旁的索引）"),
    ("C", "store:   ok (", "(set aside when found damaged)"),
])
def test_check_says_the_store_and_the_kept_copies_in_the_locale_language(
        runner, ingested, lang, integrity, copy):
    damaged = ingested / "index.damaged-20260101"
    damaged.mkdir()
    (damaged / "segment").write_bytes(b"\0" * 2_000_000)
    result = _run(runner, ingested, lang, "check")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(integrity), result.stdout
    assert any(line.endswith(f"{damaged}  {copy}") for line in lines), result.stdout


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_TW.UTF-8", "Error: {path} 第 2 行：'小 米' 中有空格，而 jieba 斷出的詞從不含空格。"
                    "請改正或刪除這一行（一行一個詞：詞 [詞頻] [詞性]）。"),
    ("zh_CN.UTF-8", "Error: {path} 第 2 行：'小 米' 中有空格，而 jieba 分出的词从不含空格。"
                    "请改正或删除这一行（一行一个词：词 [词频] [词性]）。"),
    ("C", "Error: {path}, line 2: '小 米' has a space in it: jieba's words never do. Fix or "
          "delete that line (one word a line: 词 [词频] [词性])."),
])
def test_a_dictionary_that_cannot_be_read_is_said_in_the_locale_language(runner, ingested,
                                                                         lang, said):
    path = ingested / "dictionary.txt"
    path.write_text("小米汽车\n小 米\n", encoding="utf-8")
    result = _run(runner, ingested, lang, "dict", "add", "碳纤维")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == said.format(path=path), result.stderr


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_TW.UTF-8", "shard 2 沒有回應（agent 127.0.0.1:9313: connection refused）：這些結果只"
                    "來自其他分片，可能缺少一些文章。"),
    ("zh_CN.UTF-8", "shard 2 没有回应（agent 127.0.0.1:9313: connection refused）：这些结果只"
                    "来自其他分片，可能缺少一些文章。"),
    ("C", "shard 2 did not answer (agent 127.0.0.1:9313: connection refused): these results "
          "come from the other shards only and may lack some articles."),
])
def test_a_shard_that_did_not_answer_is_said_in_the_locale_language(monkeypatch, lang, said):
    """The reason a cluster's results are partial (tests/test_cluster.py kills a shard
    and reads it on the page and the terminal)."""
    monkeypatch.setenv("LANG", lang)
    reason = shard_silent("shard 2", "agent 127.0.0.1:9313: connection refused")
    assert indexer_language.said(reason) == said
