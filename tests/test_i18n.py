"""The reader's language: the catalogs are complete, and the results, reader and error
pages speak 简体 (the default), 繁體 or English as the reader chose."""

from __future__ import annotations

import re
from importlib import resources

import lxml.html
import pytest
from babel.messages.pofile import read_po

from web.i18n import negotiate

#: Each package's catalog: the language its messages are written in is the message itself,
#: the other two translate every one (the terminal's messages are written in English).
CATALOGS = {"web": ("zh_Hant", "en"), "store": ("zh_Hant", "en"),
            "indexer": ("zh_Hans", "zh_Hant")}
#: At least this many messages in each package's template: a catalog emptied by mistake
#: (an extraction from the wrong folder) fails too.
AT_LEAST = {"web": 150, "store": 30, "indexer": 150}
#: `%(name)s`, and click's `{name}` / `{name!r}` (its messages are in the terminal's catalog)
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)(?:![rsa])?\}")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def _catalog(lang: str, package: str = "web"):
    where = resources.files(package) / "translations" / f"{lang}.po"
    with where.open("rb") as f:
        return read_po(f, locale=lang)


def _template(package: str):
    with (resources.files(package) / "translations" / "messages.pot").open("rb") as f:
        return read_po(f)


def _ids(message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _said(lang: str) -> dict:
    """Every package's messages in `lang`, by message."""
    return {_ids(m)[0]: m.string for package, langs in CATALOGS.items() if lang in langs
            for m in _catalog(lang, package) if m.id}


@pytest.mark.parametrize(("package", "lang"),
                         [(p, lang) for p, langs in CATALOGS.items() for lang in langs])
def test_every_message_is_translated_with_its_placeholders(package, lang):
    """Each message has all three languages: its own and two translations."""
    catalog = _catalog(lang, package)
    wanted = {_ids(m)[0] for m in _template(package) if m.id}
    assert len(wanted) > AT_LEAST[package]
    missing = sorted(wanted - {_ids(m)[0] for m in catalog if m.id})
    assert not missing, f"{package} {lang} lacks {missing}"
    for m in catalog:
        if not m.id:
            continue
        strings = (m.string,) if isinstance(m.string, str) else tuple(m.string)
        assert strings and all(s.strip() for s in strings), f"{lang}: {m.id!r} untranslated"
        assert not m.fuzzy, f"{lang}: {m.id!r} is fuzzy"
        # a language with one form for every count writes the plural's (click's "1 was
        # given" has no {len}, its plural and 给了 {len} 个 have)
        forms = _ids(m) if len(strings) == len(_ids(m)) else _ids(m)[-1:] * len(strings)
        for form, s in zip(forms, strings, strict=True):
            assert _placeholders(s) == _placeholders(form), f"{lang}: {m.id!r} → {s!r}"
    assert not list(catalog.check()), f"{package} {lang}: Babel's checks fail"


def test_the_traditional_catalog_writes_as_taiwan_does():
    """Not a character conversion: 搜尋 for 搜索, 檔案 for 文件, 筆 for counted results."""
    said = _said("zh_Hant")
    assert said["搜索"] == "搜尋"
    assert said["下载原文件"] == "下載原檔案"
    assert said["%(num)s 条结果"][0] == "%(num)s 筆結果"
    assert said["「%(query)s」中的 OR 不能连接排除的词。"].endswith("不能連接排除的詞。")
    assert "參數" in said["参数 %(name)s 必须是整数，而不是 %(value)s。"]
    # the terminal's too: 檔案 and 資料夾, 參數, 說明, 處理程序 (a process), 連結
    assert said["no such file or folder"] == "沒有這個檔案或資料夾"
    assert said["Show this message and exit."] == "顯示此說明並退出。"
    assert "處理程序" in said["Processes that read and index a large batch (1: all in this "
                             "process, which Ctrl+C in a terminal stops most cleanly)."]
    assert "參數" in said["Give article ARTICLE_ID the TAGS (each an argument: 新能源 小米). "
                          "`tag:新能源` finds them, the results page counts them, and they "
                          "stay when the article's file changes."]
    assert said["is a symbolic link to %(target)s, which does not exist: fix or remove the "
                "link"].startswith("是指向 %(target)s 的符號連結")
    texts = " ".join(s if isinstance(s, str) else " ".join(s) for s in said.values())
    for mainland in ("搜索", "文件", "信息", "默认", "点击", "回车", "连线", "引數", "幫助",
                     "進程", "鏈接", "數據", "用戶", "文本", "型別", "進度條"):
        assert mainland not in texts, mainland


@pytest.mark.parametrize(("asked", "cookie", "accept", "chosen"), [
    (None, None, [], "zh_Hans"),
    (None, None, ["zh-TW", "en"], "zh_Hant"),
    (None, None, ["zh-HK"], "zh_Hant"),
    (None, None, ["zh-Hant-MO"], "zh_Hant"),
    (None, None, ["zh-CN"], "zh_Hans"),
    (None, None, ["yue-HK", "en"], "zh_Hant"),
    (None, None, ["fr-FR", "en-GB"], "en"),
    (None, None, ["fr-FR"], "zh_Hans"),
    (None, "en", ["zh-TW"], "en"),
    ("zh_Hant", "en", ["zh-CN"], "zh_Hant"),
    ("klingon", None, ["en"], "en"),
])
def test_the_language_is_the_address_then_the_cookie_then_the_browser(asked, cookie, accept,
                                                                        chosen):
    assert negotiate(asked, cookie, accept) == chosen


def _page(response):
    return lxml.html.fromstring(response.text)


def _dated_hit(archive):
    hits = [h for h in archive.search("的", per_page=50).hits if h.published]
    return hits[0]


# (Accept-Language, <html lang>, the results page's count, a long date's shape)
RESULTS = [
    (None, "zh-Hans", "条结果", r"\d{4}年\d{1,2}月\d{1,2}日"),
    ("zh-TW,zh;q=0.9", "zh-Hant", "筆結果", r"\d{4}年\d{1,2}月\d{1,2}日"),
    ("en-US,en;q=0.9", "en", "results", r"\d{1,2} [A-Z][a-z]+ \d{4}"),
]


@pytest.mark.parametrize(("accept", "tag", "count", "date"), RESULTS)
def test_results_page_in_each_language(client, archive, accept, tag, count, date):
    headers = {"Accept-Language": accept} if accept else {}
    hit = _dated_hit(archive)
    page = _page(client.get("/search", query_string={"q": "的"}, headers=headers))
    assert page.get("lang") == tag
    assert count in page.cssselect("p.count")[0].text_content()
    shown = page.cssselect("li.hit p.meta time")
    assert shown and all(re.fullmatch(date, t.text_content()) for t in shown)
    assert hit.published.isoformat() in [t.get("datetime") for t in shown]


def test_english_dates_and_numbers(client, archive):
    hit = _dated_hit(archive)
    reader = _page(client.get(f"/articles/{hit.id}", headers={"Accept-Language": "en"}))
    day = hit.published
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    assert reader.cssselect("p.meta time")[0].text_content() == \
        f"{day.day} {months[day.month - 1]} {day.year}"
    hans = _page(client.get(f"/articles/{hit.id}"))
    assert hans.cssselect("p.meta time")[0].text_content() == \
        f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize(("lang", "tag", "words"), [
    ("zh_Hans", "zh-Hans", ("下载原文件", "搜索")),
    ("zh_Hant", "zh-Hant", ("下載原檔案", "搜尋")),
    ("en", "en", ("Download the original", "Search")),
])
def test_reader_page_in_each_language_and_the_choice_is_remembered(client, archive, lang,
                                                                   tag, words):
    hit = _dated_hit(archive)
    response = client.get(f"/articles/{hit.id}", query_string={"lang": lang})
    assert f"lang={lang}" in response.headers["Set-Cookie"]
    page = _page(response)
    assert page.get("lang") == tag
    text = page.text_content()
    assert all(w in text for w in words), words
    again = _page(client.get(f"/articles/{hit.id}", headers={"Accept-Language": "fr"}))
    assert again.get("lang") == tag  # the cookie, not the browser
    switch = again.cssselect("nav.languages a")
    assert len(switch) == 2 and all("lang=" in a.get("href") for a in switch)
    assert again.cssselect("nav.languages strong[aria-current]")[0].get("lang") == tag


@pytest.mark.parametrize(("accept", "tag", "title", "message"), [
    (None, "zh-Hans", "找不到文章", "没有编号为 999999 的文章。"),
    ("zh-Hant", "zh-Hant", "找不到文章", "沒有編號為 999999 的文章。"),
    ("en", "en", "Article not found", "No article has id 999999."),
])
def test_error_page_in_each_language(client, accept, tag, title, message):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/articles/999999", headers=headers)
    assert response.status_code == 404
    page = _page(response)
    assert page.get("lang") == tag
    assert page.cssselect("h1")[0].text_content() == title
    assert page.cssselect("div.notice p")[0].text_content() == message


@pytest.mark.parametrize(("accept", "heading", "said"), [
    (None, "无法完成这次搜索", "「-碳纤维机盖」只有排除的词"),
    ("zh-TW", "無法完成這次搜尋", "「-碳纤维机盖」只有排除的詞"),
    ("en", "This search could not be done", "«-碳纤维机盖» only excludes terms"),
])
def test_a_query_error_is_said_in_the_page_language(client, accept, heading, said):
    headers = {"Accept-Language": accept} if accept else {}
    page = _page(client.get("/search", query_string={"q": "-碳纤维机盖"}, headers=headers))
    notice = page.cssselect("div.notice.error")[0]
    assert notice.cssselect("h1")[0].text_content() == heading
    assert said in notice.cssselect("p")[0].text_content()


def test_api_errors_have_a_code_and_follow_accept_language(client):
    english = client.get("/api/search", query_string={"q": "-碳纤维机盖"}).get_json()
    assert english["code"] == "query.only_excluded"
    assert english["error"].startswith("«-碳纤维机盖» only excludes terms")
    hant = client.get("/api/search", query_string={"q": "-碳纤维机盖"},
                      headers={"Accept-Language": "zh-TW"}).get_json()
    assert hant["code"] == "query.only_excluded"
    assert hant["error"].startswith("「-碳纤维机盖」只有排除的詞")
    missing = client.get("/api/articles/999999", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "没有编号为 999999 的文章。",
                                  "code": "article.not_found", "status": 404}
    nowhere = client.get("/api/nowhere", headers={"Accept-Language": "zh-Hant"}).get_json()
    assert nowhere == {"error": "這個網址沒有 API 介面。", "code": "http.404", "status": 404}
