"""End to end in a real headless Chromium against `wenhai serve` (waitress) on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import FIXTURES, SAMPLES

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing in CI: `make browser` installs Debian's chromium")
    pytest.skip("needs Debian's chromium (`make browser` installs it)", allow_module_level=True)


def _wenhai(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from indexer.cli import main; main()",
            "--home", str(home), *args]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser") / "home"
    subprocess.run(
        _wenhai(home, "ingest", str(SAMPLES), str(FIXTURES / "harbor_series.jsonl")),
        check=True, capture_output=True,
    )
    proc = subprocess.Popen(
        _wenhai(home, "serve", "--port", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        for _ in range(5):
            line = proc.stdout.readline()
            m = re.search(r"Serving on (http://\S+/)", line)
            if m:
                url = m.group(1)
                break
        assert url, proc.stderr.read() if proc.poll() is not None else "no address printed"
        yield url
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # reaps the server and closes its pipes


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


DOCS = Path(__file__).resolve().parent.parent / "docs"
DESKTOP = {"viewport": {"width": 1200, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open(browser, **options):
    """A new page that records script errors and CSP violations (both reach the console),
    of a reader whose browser asks for Simplified Chinese unless `options` say otherwise."""
    page = browser.new_page(**{"locale": "zh-CN", **options})
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _results(browser, server: str, q: str, **options):
    """A new page showing the search results for `q`."""
    page = _open(browser, **(options or DESKTOP))
    page.goto(server + "search?" + urlencode({"q": q}))
    page.wait_for_selector("li.hit")
    return page


def _arrive(page, selector: str) -> None:
    """Wait for a page reached by a click or a key: for `selector` on it, then for its
    deferred script to have run (the keyboard handlers are installed by then)."""
    page.wait_for_selector(selector)
    page.wait_for_load_state("domcontentloaded")


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_find_the_sample_article_and_open_it(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server)
    page.fill("input[name=q]", "碳纤维机盖")
    page.keyboard.press("Enter")
    _arrive(page, "ol.results li.hit")
    assert page.locator("ol.results li.hit").count() == 1
    assert "碳纤维机盖" in page.locator("li.hit h2 mark").first.inner_text()
    _shot(page, "search-desktop")
    page.click("li.hit h2 a")
    _arrive(page, "article.reader h1")
    assert page.inner_text("article.reader h1") == "碳纤维机盖风波之后，车主还信发布会吗？"
    assert page.locator("article.reader h2").count() == 3
    assert page.locator("article.reader mark").count() >= 3
    _shot(page, "reader-desktop")
    assert errors == []  # nothing blocked by the Content-Security-Policy, no script errors
    page.close()


def test_pages_fit_a_phone_screen(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2,
                            locale="zh-CN")
    page.goto(server + "search?q=%E6%9C%BA%E7%9B%96")
    page.wait_for_selector("li.hit")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, "search-phone")
    page.click("li.hit h2 a")
    _arrive(page, "article.reader")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _shot(page, "reader-phone")
    page.close()


def test_facet_pagination_and_back_button(server, browser):
    page = _results(browser, server, "的")  # every article
    assert "11 条结果" in page.inner_text("p.count")
    first_titles = page.locator("li.hit h2").all_inner_texts()
    page.click("a[rel=next]")
    page.wait_for_url("**page=2**")
    assert page.locator("li.hit").count() == 1
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert page.locator("li.hit h2").all_inner_texts() == first_titles

    page.click("section.facet[data-facet=source] a:text-is('海岸日报')")
    page.wait_for_url("**source=**")
    assert "2 条结果" in page.inner_text("p.count")
    assert set(page.locator("li.hit .meta span:first-child").all_inner_texts()) == {"海岸日报"}
    assert page.inner_text("a.chip").startswith("来源：海岸日报")
    page.click("section.facet[data-facet=year] a:text-is('2022')")
    page.wait_for_url("**year=2022**")
    assert page.locator("a.chip").count() == 2
    assert page.locator("li.hit h2").all_inner_texts() == ["港口自动化码头的第三年"]
    page.go_back()
    page.wait_for_url(lambda url: "year=" not in url)
    assert page.locator("a.chip").count() == 1
    page.click("a.chip")
    page.wait_for_url(lambda url: "source=" not in url)
    assert "11 条结果" in page.inner_text("p.count")

    page.click("nav.sort a[data-sort=newest]")
    page.wait_for_url("**sort=newest**")
    assert page.locator("li.hit h2").first.inner_text() == "海港城市的夜班公交"
    assert page.errors == []
    page.close()


def test_keyboard_moves_through_results_and_opens_one(server, browser):
    page = _results(browser, server, "码头")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    current = page.locator("li.hit.current")
    assert current.count() == 1
    title = current.locator("h2").inner_text()
    assert title == page.locator("li.hit h2").first.inner_text()
    page.keyboard.press("j")
    second = page.locator("li.hit.current h2").inner_text()
    assert second == page.locator("li.hit h2").nth(1).inner_text()
    page.keyboard.press("Enter")
    _arrive(page, "article.reader h1")
    assert page.inner_text("article.reader h1") == second

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("x")  # typing in the box is not a shortcut
    assert page.input_value("input[name=q]").endswith("x")
    assert page.errors == []
    page.close()


def test_search_box_suggests_titles_as_you_type(server, browser):
    page = _open(browser, **DESKTOP)
    page.goto(server)
    page.locator("input[name=q]").press_sequentially("港口自动", delay=30)
    page.wait_for_selector("ul.suggestions:not([hidden]) a")
    assert page.locator("ul.suggestions a").all_inner_texts() == ["港口自动化码头的第三年"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    _arrive(page, "article.reader h1")
    assert page.inner_text("article.reader h1") == "港口自动化码头的第三年"
    assert page.errors == []
    page.close()


def test_输入拼音首字母_用键盘选中作者建议(server, browser):
    page = _open(browser, **DESKTOP)
    page.goto(server)
    page.locator("input[name=q]").press_sequentially("lz", delay=30)  # 林舟, lin zhou
    page.wait_for_selector("ul.suggestions:not([hidden]) a[data-kind=author]")
    assert page.locator("ul.suggestions li.group").first.inner_text() == "作者"
    first = page.locator("ul.suggestions a[role=option]").first
    assert first.locator(".text").inner_text() == "林舟"
    assert first.locator(".count").inner_text() == "2 篇"
    _shot(page, "suggestions-pinyin")
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert page.get_attribute("input[name=q]", "aria-activedescendant") == first.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=author%3A**")
    _arrive(page, "li.hit")
    assert page.input_value("input[name=q]") == "author:林舟"
    assert "2 条结果" in page.inner_text("p.count")
    assert page.errors == []
    page.close()


def test_拼音不选建议就按原样搜索(server, browser):
    page = _open(browser, **DESKTOP)
    page.goto(server)
    box = page.locator("input[name=q]")
    box.press_sequentially("linzhou", delay=30)
    page.wait_for_selector("ul.suggestions:not([hidden]) a[data-kind=author]")
    box.press("Enter")  # no suggestion chosen: the text typed is the search
    page.wait_for_url("**/search?q=linzhou")
    _arrive(page, "p.count")
    assert page.input_value("input[name=q]") == "linzhou"
    assert page.errors == []
    page.close()


def test_reader_jumps_between_highlights(server, browser):
    page = _results(browser, server, "集卡")
    page.click("li.hit h2 a:has-text('雨天测试记录')")
    page.wait_for_selector("nav.matches:not([hidden])")
    marks = page.locator("article.reader .body mark").count()
    assert marks == 2
    assert page.inner_text(".match-pos") == "2 处匹配"
    page.click("nav.matches button[data-step='1']")
    assert page.inner_text(".match-pos") == "1 / 2"
    page.keyboard.press("n")
    assert page.inner_text(".match-pos") == "2 / 2"
    assert page.locator("mark.current").count() == 1
    page.keyboard.press("Shift+N")
    assert page.inner_text(".match-pos") == "1 / 2"
    page.click("nav.matches button[data-step='-1']")
    assert page.inner_text(".match-pos") == "2 / 2"  # wraps around
    similar = page.locator("aside.similar a").all_inner_texts()
    assert similar[0] == "港口无人集卡规模化上岗" and "无人集卡雨天测试记录" not in similar
    page.click("aside.similar a >> nth=0")
    _arrive(page, "article.reader h1")
    assert page.inner_text("article.reader h1") == "港口无人集卡规模化上岗"
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_in_both_themes_fit_the_screen(server, browser, scheme, device):
    page = _results(browser, server, "碳纤维机盖", color_scheme=scheme,
                    **(DESKTOP if device == "desktop" else PHONE))
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(23, 23, 26)") == (scheme == "dark")
    assert _overflow(page) <= 0
    _shot(page, f"search-{device}-{scheme}")
    if device == "desktop" and scheme == "light" and os.environ.get("WENHAI_DOCS_SCREENSHOT"):
        page.screenshot(path=str(DOCS / "search.png"))  # opt-in: a test run leaves git clean
    page.click("li.hit h2 a")
    page.wait_for_selector("nav.matches:not([hidden])")
    page.keyboard.press("n")
    assert _overflow(page) <= 0
    _shot(page, f"reader-{device}-{scheme}")
    page.goto(server + "help")
    assert _overflow(page) <= 0
    assert page.errors == []
    page.close()


def test_phone_search_page_shows_facets_above_results(server, browser):
    page = _results(browser, server, "的", **PHONE)
    facets = page.locator("aside.facets").bounding_box()
    first_hit = page.locator("li.hit").first.bounding_box()
    assert facets["y"] < first_hit["y"]
    assert facets["width"] <= 375
    assert _overflow(page) <= 0
    page.close()


def test_the_header_switches_the_language_and_it_stays(server, browser):
    """简体 from the browser's zh-CN; 繁體 and English by the header's links, remembered
    across pages (the reader, an error, the suggestions' words); screenshots of the
    results page in the three languages."""
    page = _open(browser, locale="zh-CN", **DESKTOP)
    page.goto(server + "search?" + urlencode({"q": "集卡"}))
    page.wait_for_selector("li.hit")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "条结果" in page.inner_text("p.count")
    _shot(page, "lang-zh-Hans")
    page.click("nav.languages a[data-lang=zh_Hant]")
    _arrive(page, "html[lang=zh-Hant] li.hit")
    assert "筆結果" in page.inner_text("p.count") and page.inner_text("header .brand") == "文海"
    assert page.inner_text("header button[type=submit]") == "搜尋"
    _shot(page, "lang-zh-Hant")
    page.click("nav.languages a[data-lang=en]")
    _arrive(page, "html[lang=en] li.hit")
    assert re.fullmatch(r"\d+ results · \d+ ms", page.inner_text("p.count"))
    day = page.inner_text("li.hit p.meta time >> nth=0")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", day)
    _shot(page, "lang-en")
    page.click("li.hit h2 a:has-text('雨天测试记录')")  # the cookie carries the choice
    page.wait_for_selector("nav.matches:not([hidden])")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text(".match-pos") == "2 matches"
    assert "Download the original" in page.inner_text("footer.origin")
    assert page.errors == []
    page.goto(server + "search?" + urlencode({"q": "-碳纤维机盖"}))
    _arrive(page, "div.notice.error h1")
    assert page.inner_text("div.notice.error h1") == "This search could not be done"
    assert "only excludes terms" in page.inner_text("div.notice.error p >> nth=0")
    page.locator("header input[name=q]").fill("")
    page.locator("header input[name=q]").press_sequentially("港口自动", delay=30)
    page.wait_for_selector("ul.suggestions:not([hidden]) a")
    assert page.get_attribute("ul.suggestions", "aria-label") == "Suggestions"
    assert [e for e in page.errors if "400" not in e] == []  # the error page is a 400
    page.close()
