"""Accessibility, measured: axe-core (Deque's rules engine, bundled by axe-playwright-python)
on every page in real Chromium, light and dark, desktop and phone — no serious or
critical violation anywhere — and the new controls used with the keyboard alone."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from .test_browser import DESKTOP, PHONE, _arrive, _open, browser
from .test_browser_research import research

pytestmark = pytest.mark.browser

__all__ = ["browser", "research"]  # the fixtures, shared

#: Every kind of page, each with something in it (and a few states: a syntax error, a
#: concordance sorted, an empty form, a missing article).
PAGES = [
    "",
    "search?" + urlencode({"q": "的"}),
    "search?" + urlencode({"q": "集卡", "source": "港航周刊"}),
    "search?" + urlencode({"q": "author:"}),
    "search?" + urlencode({"q": "不存在的字串甲乙丙"}),
    "browse",
    "browse?" + urlencode({"from": "2024", "to": "2024"}),
    "articles/1?" + urlencode({"q": "集卡"}),
    "help",
    "kwic",
    "kwic?" + urlencode({"q": "集卡", "sort": "left"}),
    "trends",
    "trends?" + urlencode({"q": "集卡,港口,的", "by": "year"}),
    "trends?" + urlencode({"q": "集卡", "measure": "occurrences", "by": "month"}),
    "articles/999999",
]
SERIOUS = ("serious", "critical")


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_no_serious_or_critical_violation_on_any_page(research, browser, scheme, device):
    url, _ = research
    page = _open(browser, **(DESKTOP if device == "desktop" else PHONE), color_scheme=scheme)
    found = {}
    for path in PAGES:
        page.goto(url + path)
        page.wait_for_load_state("load")
        if violations := _violations(page):
            found[path or "/"] = violations
    assert found == {}
    page.close()


def test_suggestions_open_without_a_violation(research, browser):
    """The search box's suggestion list, open, is a combobox and its listbox."""
    url, _ = research
    page = _open(browser, **DESKTOP)
    page.goto(url)
    page.fill("input[name=q]", "港")
    page.wait_for_selector(".suggestions:not([hidden]) a")
    assert page.get_attribute("input[name=q]", "aria-expanded") == "true"
    assert _violations(page) == []
    page.close()


def test_the_concordance_and_trends_work_from_the_keyboard(research, browser):
    url, _ = research
    page = _open(browser, **DESKTOP)
    page.goto(url + "kwic")
    page.wait_for_load_state("domcontentloaded")
    page.focus("form.kwic-form input[name=q]")
    page.keyboard.type("集卡")
    page.keyboard.press("Enter")
    _arrive(page, "table.kwic tbody tr")
    page.focus("nav.sort a[data-sort='right']")
    page.keyboard.press("Enter")
    _arrive(page, "nav.sort strong:has-text('按右侧语境')")
    page.focus("td.match a >> nth=0")
    page.keyboard.press("Enter")
    _arrive(page, "mark.current")
    page.goto(url + "trends")
    page.focus("form.kwic-form input[name=q]")
    page.keyboard.type("集卡,港口")
    page.keyboard.press("Enter")
    _arrive(page, "figure.trend-chart svg polyline")
    page.focus("table.trend-table tbody td a >> nth=0")
    page.keyboard.press("Enter")
    _arrive(page, "li.hit")
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("locale", ["zh-TW", "en-GB"])
def test_no_serious_or_critical_violation_in_the_other_languages(research, browser, locale):
    """繁體 and English pages (longer words, other <html lang>) keep the same bar, on a
    phone where longer words wrap first."""
    url, _ = research
    page = _open(browser, **PHONE, locale=locale)
    found, wide = {}, []
    for path in PAGES:
        page.goto(url + path)
        page.wait_for_load_state("load")
        if violations := _violations(page):
            found[path or "/"] = violations
        if page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
            wide.append(path or "/")
    assert page.get_attribute("html", "lang") == ("zh-Hant" if locale == "zh-TW" else "en")
    assert wide == [], "wider than a phone"
    assert found == {}
    page.close()
