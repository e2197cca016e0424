"""The built email in a real browser (Debian's chromium): phone and desktop, light and dark."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from flemletter.build import build
from flemletter.screenshot import browser, open_page
from tests.conftest import copy_sample, require_browser

pytestmark = pytest.mark.browser
LANGS = ("en", "sv")
TITLES = {
    "en": "Collaboration in Science promotes research collaborations",
    "sv": "En nationell resurs för morgondagens behandlingar",
}
TOP = {"en": "Go to Top", "sv": "Till toppen"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("browser") / "newsletter")
    return build(root, "2025-11").folder


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require_browser()
    with browser() as opened:
        yield opened


def visible(page: Any, text: str) -> bool:
    return bool(page.get_by_text(text).first.is_visible())


@pytest.mark.parametrize("lang", LANGS)
def test_phone_width_has_no_horizontal_scrolling(chromium: Any, built: Path, lang: str) -> None:
    for width in (375, 320):  # 320: the width of 640 px at 200 % zoom
        page = open_page(chromium, built / lang / "email.html", width)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{lang} at {width} px scrolls sideways ({overflow} px)"
        page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_image_loads_and_keeps_its_aspect(chromium: Any, built: Path, lang: str) -> None:
    for width in (375, 600):
        page = open_page(chromium, built / lang / "email.html", width)
        images = page.evaluate(
            """[...document.images].map(i => ({complete: i.complete, natural: i.naturalWidth,
                naturalHeight: i.naturalHeight, width: i.clientWidth, height: i.clientHeight}))"""
        )
        assert images, "the sample's lead has a photo"
        for image in images:
            assert image["complete"] and image["natural"] > 0, f"image did not load: {image}"
            assert image["width"] <= width - 2 * 24
            shown = image["width"] / image["height"]
            assert shown == pytest.approx(image["natural"] / image["naturalHeight"], rel=0.02)
        page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_lead_title_and_back_to_top_are_visible(chromium: Any, built: Path, lang: str) -> None:
    page = open_page(chromium, built / lang / "email.html", 375)
    assert visible(page, TITLES[lang])
    assert page.evaluate("document.querySelectorAll('h1').length") == 1
    assert visible(page, TOP[lang])
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_links_outside_the_text_are_big_enough_to_tap(
    chromium: Any, built: Path, lang: str
) -> None:
    page = open_page(chromium, built / lang / "email.html", 375)
    small = page.evaluate(
        """[...document.querySelectorAll('a[href]')]
            .filter(a => !a.closest('.article-body') && !a.closest('h2') && a.offsetParent)
            .map(a => [a.textContent.trim(), a.getBoundingClientRect().height])
            .filter(([text, height]) => height < 44)"""
    )
    assert small == []
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_dark_mode_changes_the_background(chromium: Any, built: Path, lang: str) -> None:
    script = """() => {
        const title = document.querySelector('h1');
        const card = title.closest('td[class~="card"], div[class~="card"]') || document.body;
        let cell = title;
        while (cell && getComputedStyle(cell).backgroundColor === 'rgba(0, 0, 0, 0)') {
            cell = cell.parentElement;
        }
        return {card: getComputedStyle(cell).backgroundColor,
                text: getComputedStyle(title).color,
                body: getComputedStyle(document.body).backgroundColor};
    }"""
    light = open_page(chromium, built / lang / "email.html", 600, "light")
    dark = open_page(chromium, built / lang / "email.html", 600, "dark")
    seen_light, seen_dark = light.evaluate(script), dark.evaluate(script)
    assert seen_light["card"] == "rgb(255, 255, 255)"
    assert seen_dark["card"] != seen_light["card"]
    assert seen_dark["text"] != seen_light["text"], "the title would vanish on a dark card"
    light.close()
    dark.close()


def test_images_off_still_reads(chromium: Any, built: Path) -> None:
    """With images blocked the alt text shows, on the image's own background colour."""
    page = chromium.new_page(viewport={"width": 375, "height": 800})
    page.route("**/*.jpg", lambda route: route.abort())
    page.goto((built / "en" / "email.html").resolve().as_uri())
    image = page.evaluate(
        """(() => { const i = document.images[0]; const s = getComputedStyle(i);
            return {loaded: i.naturalWidth, alt: i.alt, background: s.backgroundColor,
                    height: i.getBoundingClientRect().height}; })()"""
    )
    assert image["loaded"] == 0
    assert image["alt"].startswith("Placeholder:")
    assert image["background"] != "rgba(0, 0, 0, 0)"
    assert image["height"] > 0
    assert visible(page, TITLES["en"])
    page.close()


def test_screenshot_command_writes_each_language_at_both_widths(tmp_path: Path) -> None:
    require_browser()
    root = copy_sample(tmp_path / "newsletter")
    run = subprocess.run(
        [sys.executable, "-m", "flemletter", "screenshot", "2025-11", "--out", "shots"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    written = sorted((root / "shots").iterdir())
    assert [p.name for p in written] == ["en-375.png", "en-600.png", "sv-375.png", "sv-600.png"]
    for path in written:
        with Image.open(path) as png:
            assert png.width == int(path.stem.split("-")[1])
            assert png.height > 2000, "full height, not just the first screen"
