"""The researcher's instruments in a real headless Chromium against `wenhai serve`: the
timeline narrows a search by click and by keyboard, the concordance sorts and opens the
reader at an occurrence, its CSV download has every occurrence, trends draw; screenshots
of each in both themes on a desktop and a phone."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from store import Archive, normalize

from .conftest import FIXTURES, SAMPLES
from .test_browser import DESKTOP, PHONE, _arrive, _open, _overflow, _shot, _wenhai, browser

pytestmark = pytest.mark.browser

__all__ = ["browser"]  # the fixture, shared with test_browser


@pytest.fixture(scope="module")
def research(tmp_path_factory):
    """(address, home) of a server over the samples and the test fixtures."""
    home = tmp_path_factory.mktemp("research") / "home"
    subprocess.run(_wenhai(home, "ingest", str(SAMPLES), str(FIXTURES)), check=True,
                   capture_output=True)
    proc = subprocess.Popen(_wenhai(home, "serve", "--port", "0"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for _ in range(5):
            m = re.search(r"Serving on (http://\S+/)", proc.stdout.readline())
            if m:
                url = m.group(1)
                break
        assert url, proc.stderr.read() if proc.poll() is not None else "no address printed"
        yield url, home
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _goto(browser, url: str, selector: str, **options):
    page = _open(browser, **(options or DESKTOP))
    page.goto(url)
    page.wait_for_selector(selector)
    return page


def test_clicking_a_timeline_bar_narrows_the_search_to_its_month(research, browser):
    url, _ = research
    page = _goto(browser, url + "search?" + urlencode({"q": "集卡"}), "figure.timeline svg a")
    bars = page.locator("figure.timeline svg a")
    assert bars.count() >= 3
    bar = page.locator("figure.timeline svg a[data-period='2023-08']")
    assert bar.get_attribute("aria-label") == "2023-08：1 篇"
    bar.click()
    _arrive(page, "ul.chips")
    assert parse_qs(urlsplit(page.url).query)["from"] == ["2023-08"]
    assert page.locator("li.hit h2").all_inner_texts() == ["无人集卡雨天测试记录"]
    assert page.locator("p.count").inner_text().startswith("1 条结果")
    assert page.errors == []
    page.close()


def test_a_timeline_bar_is_reached_and_followed_with_the_keyboard(research, browser):
    url, _ = research
    page = _goto(browser, url + "search?" + urlencode({"q": "集卡"}), "figure.timeline svg a")
    page.locator("figure.timeline svg a").first.focus()
    first = page.evaluate("document.activeElement.getAttribute('data-period')")
    page.keyboard.press("Tab")  # the next bar
    second = page.evaluate("document.activeElement.getAttribute('data-period')")
    assert first < second
    page.keyboard.press("Enter")
    _arrive(page, "ul.chips")
    assert parse_qs(urlsplit(page.url).query)["to"] == [second]
    page.close()


def test_timeline_bars_are_a_fingers_width_on_a_phone(research, browser):
    url, _ = research
    widths, sideways = {}, {}
    for device, options in (("phone", PHONE), ("desktop", DESKTOP)):
        page = _goto(browser, url + "browse?" + urlencode({"from": "2023-07", "to": "2025"}),
                     "figure.timeline svg a", **options)  # 28 months
        bars = page.locator("figure.timeline svg a rect.hitbox")
        periods = page.locator("figure.timeline svg > *").count()  # bars and empty months
        assert periods * 24 > 375  # wider than the phone at 24px a period
        widths[device] = min(box["width"] for box in
                             (bars.nth(i).bounding_box() for i in range(bars.count())))
        assert _overflow(page) == 0  # the chart scrolls inside the page, not the page
        sideways[device] = page.evaluate(
            "(e => e.scrollWidth - e.clientWidth)(document.querySelector('.timeline-scroll'))")
        last = page.locator("figure.timeline svg a").last
        last.scroll_into_view_if_needed()
        period = last.get_attribute("data-period")
        last.click()
        _arrive(page, "ul.chips")
        assert parse_qs(urlsplit(page.url).query)["to"] == [period]
        assert page.errors == []
        page.close()
    assert widths["phone"] >= 24 and sideways["phone"] > 0
    assert sideways["desktop"] == 0  # a mouse keeps the whole chart in view


def test_sorting_the_concordance_reorders_its_lines(research, browser):
    url, _ = research
    page = _goto(browser, url + "kwic?" + urlencode({"q": "集卡"}), "table.kwic tbody tr")
    before = page.locator("table.kwic td.right").all_inner_texts()
    page.click("nav.sort a[data-sort='right']")
    _arrive(page, "nav.sort strong:has-text('按右侧语境')")
    after = page.locator("table.kwic td.right").all_inner_texts()
    assert sorted(before) == sorted(after) and before != after
    assert after == sorted(after, key=normalize)
    page.click("nav.sort a[data-sort='left']")
    _arrive(page, "nav.sort strong:has-text('按左侧语境')")
    lefts = page.locator("table.kwic td.left").all_inner_texts()
    assert lefts == sorted(lefts, key=lambda x: normalize(x)[::-1])
    assert page.errors == []
    page.close()


def test_a_concordance_line_opens_the_reader_at_its_occurrence(research, browser):
    url, _ = research
    page = _goto(browser, url + "kwic?" + urlencode({"q": "集卡"}), "table.kwic tbody tr")
    second = page.locator("td.match a[href$='#match-2']").first
    second.click()
    page.wait_for_selector("mark.current")
    total = page.locator("article.reader .body mark").count()
    assert page.inner_text(".match-pos") == f"2 / {total}"
    assert page.locator("article.reader .body mark").nth(1).get_attribute("class") == "current"
    page.close()


def test_the_concordance_csv_download_has_every_occurrence(research, browser, tmp_path):
    url, home = research
    page = _goto(browser, url + "kwic?" + urlencode({"q": "的", "reposts": "all"}),
                 "table.kwic tbody tr")
    shown = int(re.search(r"出现 (\d+) 次", page.inner_text("#kwic-count")).group(1))
    with page.expect_download() as waiting:
        page.click("p.downloads a:has-text('CSV')")
    saved = Path(tmp_path / "kwic.csv")
    waiting.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    with Archive(home) as archive:  # every occurrence, found by reading every text
        expected = sorted(article.id for article in archive.articles()
                          for _ in range(article.body.count("的")))
    assert len(rows) == shown == len(expected)
    assert sorted(int(r["article"]) for r in rows) == expected
    assert {r["match"] for r in rows} == {"的"}
    page.close()


def test_the_results_download_parses_and_lists_every_result(research, browser, tmp_path):
    url, _ = research
    page = _goto(browser, url + "search?" + urlencode({"q": "的"}), "li.hit")
    total = int(page.inner_text("p.count").split()[0])
    with page.expect_download() as waiting:
        page.click("p.downloads a:has-text('CSV')")
    waiting.value.save_as(tmp_path / "results.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "results.csv").read_text("utf-8"))))
    assert len(rows) == total > 10  # every result, not the page of 10
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_timeline_kwic_and_trends(research, browser, scheme, device):
    url, _ = research
    options = {**(DESKTOP if device == "desktop" else PHONE), "color_scheme": scheme}
    shots = [("timeline", "search?" + urlencode({"q": "的"}), "figure.timeline"),
             ("browse", "browse", "figure.timeline"),
             ("home", "", "section.overview"),
             ("kwic", "kwic?" + urlencode({"q": "集卡", "sort": "left"}), "table.kwic"),
             ("trends", "trends?" + urlencode({"q": "集卡,港口,的", "by": "year"}),
              "figure.trend-chart")]
    for name, path, selector in shots:
        page = _goto(browser, url + path, selector, **options)
        assert _overflow(page) <= 0, name
        _shot(page, f"{name}-{device}-{scheme}")
        assert page.errors == [], name
        page.close()
