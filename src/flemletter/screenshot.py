"""Screenshots of the built emails, as a phone (375 px) and a desktop client (600 px) show them.

``flemletter screenshot ISSUE`` builds the issue, then opens each language's ``email.html``
(which uses the images copied beside it, so nothing is fetched) in headless Chromium and
writes full-height PNGs ``<lang>-375.png`` and ``<lang>-600.png``; with ``dark``, also
``<lang>-375-dark.png`` and ``<lang>-600-dark.png`` as a client in dark mode shows them.

The browser is Debian's ``chromium`` (or ``FLEMLETTER_CHROMIUM``), driven by Playwright:
Playwright's own browser download is not needed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from flemletter.build import build
from flemletter.problems import Problem, UserError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDTHS = (375, 600)
VIEWPORT_HEIGHT = 800
SCREENSHOTS_DIR = "screenshots"
BROWSER_ENV = "FLEMLETTER_CHROMIUM"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]
Scheme = Literal["light", "dark"]


def chromium_executable() -> str | None:
    """``FLEMLETTER_CHROMIUM``, else Chromium on the ``PATH``."""
    return (
        os.environ.get(BROWSER_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@contextmanager
def browser() -> Iterator[Browser]:
    """Headless Chromium; a missing browser or Playwright is explained, not a traceback."""
    executable = chromium_executable()
    if executable is None:
        raise UserError(
            [
                Problem(
                    "chromium",
                    None,
                    "screenshots need Chromium, and none was found",
                    hint=f"install it (apt-get install chromium) or set {BROWSER_ENV}",
                )
            ]
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UserError(
            [
                Problem(
                    "playwright",
                    None,
                    "screenshots need the Playwright package",
                    hint="pip install 'flemletter[screenshots]'",
                )
            ]
        ) from None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(chromium: Browser, html: Path, width: int, scheme: Scheme = "light") -> Page:
    """``html`` loaded (images included) in a window ``width`` CSS pixels wide."""
    page = chromium.new_page(
        viewport={"width": width, "height": VIEWPORT_HEIGHT}, color_scheme=scheme
    )
    page.goto(html.resolve().as_uri(), wait_until="load")
    return page


def screenshot_pages(
    chromium: Browser,
    pages: Mapping[str, Path],
    out: Path,
    widths: tuple[int, ...] = WIDTHS,
    schemes: tuple[Scheme, ...] = ("light",),
) -> list[Path]:
    """Full-height PNGs of each ``{name: html file}`` at each width and colour scheme."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, html in pages.items():
        for width in widths:
            for scheme in schemes:
                suffix = "" if scheme == "light" else f"-{scheme}"
                path = out / f"{name}-{width}{suffix}.png"
                page = open_page(chromium, html, width, scheme)
                page.screenshot(path=str(path), full_page=True)
                page.close()
                written.append(path)
    return written


def screenshot(
    root: Path, issue: str, out: Path | None = None, *, dark: bool = False
) -> list[Path]:
    """Build ``issue``, then write its screenshots (default ``build/<issue>/screenshots/``)."""
    result = build(root, issue)
    pages = {lang: result.folder / lang / "email.html" for lang in result.languages}
    schemes: tuple[Scheme, ...] = ("light", "dark") if dark else ("light",)
    with browser() as chromium:
        return screenshot_pages(
            chromium, pages, out or result.folder / SCREENSHOTS_DIR, schemes=schemes
        )
