"""The preview page in a real browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from flemletter.preview import RunningPreview, running
from flemletter.screenshot import BROWSER_ARGS
from tests.conftest import require_browser

pytestmark = pytest.mark.browser

SOON = 15_000  # ms: generous for slow CI; the benchmark measures the real delay
LEAD_EN = "articles/collaboration-in-science/en.md"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = require_browser()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live(sample: Path) -> Iterator[RunningPreview]:
    with running(sample, "2025-11") as preview:
        yield preview


@pytest.fixture
def page(browser: Browser, live: RunningPreview) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.goto(live.url)
    yield opened
    context.close()


def viewport_width(page: Page, frame_id: str) -> int:
    width: int = (
        page.frame_locator(f"#{frame_id}")
        .locator("html")
        .evaluate("html => html.ownerDocument.defaultView.innerWidth")
    )
    return width


def test_the_page_switches_language_frame_and_dark_mode(page: Page) -> None:
    english = page.frame_locator("#desktop-en").locator("h1")
    expect(english).to_contain_text("Collaboration in Science promotes research")
    expect(page.locator(".edition[data-lang=en] .subject")).to_have_text(
        "Collaboration in Science and the future of Flemingsberg"
    )
    assert viewport_width(page, "desktop-en") == 600
    assert viewport_width(page, "phone-en") == 375

    page.click("[data-lang-button=sv]")
    expect(page.locator("#desktop-en")).to_be_hidden()
    expect(page.frame_locator("#desktop-sv").locator("h1")).to_contain_text(
        "Karolinska ATMP Centrum invigt"
    )
    expect(page.locator(".edition[data-lang=sv] .preheader")).to_contain_text("Ellen Mäkipiha")

    page.click("[data-frame-button=phone]")
    expect(page.locator("#desktop-sv")).to_be_hidden()
    expect(page.locator("#phone-sv")).to_be_visible()
    expect(page.frame_locator("#phone-sv").locator("h1")).to_contain_text("Karolinska")

    page.click("#dark")
    expect(page.locator("#phone-sv")).to_have_attribute(
        "src", "/build/2025-11/sv/email.html?scheme=dark"
    )
    card = page.frame_locator("#phone-sv").locator("h1")
    expect(card).to_have_css("color", "rgb(230, 235, 240)")  # the theme's dark_text

    page.reload()  # the choices survive a reload (as after every rebuild)
    expect(page.locator("[data-lang-button=sv]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#desktop-sv")).to_be_hidden()


def test_a_saved_edit_appears_in_both_frames_by_itself(page: Page, sample: Path) -> None:
    expect(page.frame_locator("#desktop-en").locator("h1")).to_contain_text("Collaboration")
    article = sample / LEAD_EN
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("Collaboration in Science promotes research", "Freshly edited: research"),
        encoding="utf-8",
    )
    for frame in ("#desktop-en", "#phone-en"):
        expect(page.frame_locator(frame).locator("h1")).to_contain_text(
            "Freshly edited: research", timeout=SOON
        )


def test_a_broken_issue_file_shows_its_error_and_recovers(page: Page, sample: Path) -> None:
    expect(page.locator("#status")).to_contain_text("Up to date")
    issue = sample / "issues/2025-11.yaml"
    good = issue.read_text(encoding="utf-8")
    issue.write_text(good.replace('subject: "Nu är', 'subject: "Nu: "är'), encoding="utf-8")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("issues/2025-11.yaml:17", timeout=SOON)
    expect(problems).to_contain_text("not valid YAML")
    expect(page.locator("#status")).to_contain_text("1 error")
    expect(page.locator("#stale")).to_be_visible()
    expect(page.frame_locator("#desktop-en").locator("h1")).to_contain_text("Collaboration")

    issue.write_text(good, encoding="utf-8")
    expect(page.locator("#status")).to_contain_text("Up to date", timeout=SOON)
    expect(page.locator("#stale")).to_have_count(0)
