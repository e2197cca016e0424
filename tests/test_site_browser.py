"""The web archive in a real browser at phone width (375 px): readable, nothing wider than
the screen, every image loaded. The site is served from 127.0.0.1 as it would be deployed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flemletter.build import build
from flemletter.screenshot import BROWSER_ARGS
from tests.conftest import copy_sample, require_browser, serve_folder

PHONE = {"width": 375, "height": 740}
PAGES = [
    "",
    "en/",
    "sv/",
    "en/2025-11/",
    "sv/2025-11/",
    "en/articles/collaboration-in-science/",
    "sv/articles/karolinska-atmp-centrum/",
    "sv/articles/agnes-torok-scenpoesi/",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_sample(tmp_path_factory.mktemp("browser") / "newsletter")
    site = build(root, "2025-11").folder.parent / "site"
    with serve_folder(site) as url:
        yield url


@pytest.mark.browser
def test_pages_are_readable_on_a_phone(served: str, tmp_path: Path) -> None:
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, device_scale_factor=1)
            for path in PAGES:
                page.goto(served + path)
                page.wait_for_load_state("load")
                found = page.evaluate(
                    """() => {
                    const longest = () => [...document.querySelectorAll('p')]
                        .sort((a, b) => b.innerText.length - a.innerText.length)[0];
                    return {
                        width: document.documentElement.scrollWidth,
                        font: parseFloat(getComputedStyle(longest()).fontSize),
                        family: getComputedStyle(longest()).fontFamily,
                        broken: [...document.images]
                            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
                        heading: (document.querySelector('h1') || {}).innerText || '',
                        language: document.documentElement.lang,
                    };
                    }"""
                )
                assert found["width"] <= PHONE["width"], f"{path} scrolls sideways"
                assert found["font"] >= 16, f"{path}: body text of {found['font']} px"
                assert found["broken"] == [], f"{path}: images not shown"
                assert found["heading"].strip(), f"{path}: no heading"
                assert found["language"] in ("en", "sv")
                assert "Segoe UI" in found["family"], f"{path}: the theme's fonts are lost"
                name = path.strip("/").replace("/", "_") or "front"
                page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        finally:
            browser.close()


@pytest.mark.browser
def test_following_links_from_the_front_page_reaches_an_article(served: str) -> None:
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(served)
            page.click("a[hreflang=sv]")
            page.click("text=Stiftelsen Flemingsberg Science välkomnar Ellen Mäkipiha")
            assert page.url == served + "sv/articles/ellen-makipiha-ny-kommunikator/"
            assert page.locator("h1").inner_text().startswith("Stiftelsen Flemingsberg Science")
            page.click("text=Nu är Karolinska ATMP Centrum invigt")  # the issue it appeared in
            assert page.url == served + "sv/2025-11/"
        finally:
            browser.close()
