"""End to end in a real headless Chromium against `wenhai serve` (waitress) on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SAMPLES

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
    return [sys.executable, "-c", "from indexer.cli import main; main()", "--home", str(home), *args]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser") / "home"
    subprocess.run(_wenhai(home, "ingest", str(SAMPLES)), check=True, capture_output=True)
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


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_find_the_sample_article_and_open_it(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server)
    page.fill("input[name=q]", "碳纤维机盖")
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.results li.hit")
    assert page.locator("ol.results li.hit").count() == 1
    assert "碳纤维机盖" in page.locator("li.hit h2 mark").first.inner_text()
    _shot(page, "search-desktop")
    page.click("li.hit h2 a")
    page.wait_for_selector("article.reader h1")
    assert page.inner_text("article.reader h1") == "碳纤维机盖风波之后，车主还信发布会吗？"
    assert page.locator("article.reader h2").count() == 3
    assert page.locator("article.reader mark").count() >= 3
    _shot(page, "reader-desktop")
    assert errors == []  # nothing blocked by the Content-Security-Policy, no script errors
    page.close()


def test_pages_fit_a_phone_screen(server, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    page.goto(server + "search?q=%E6%9C%BA%E7%9B%96")
    page.wait_for_selector("li.hit")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, "search-phone")
    page.click("li.hit h2 a")
    page.wait_for_selector("article.reader")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _shot(page, "reader-phone")
    page.close()
