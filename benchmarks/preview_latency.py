"""Time from saving an article to seeing it in the preview.

Run: ``python -m benchmarks.preview_latency``.

Copies the sample newsletter to a temporary folder, starts the preview, opens it in headless
chromium, then saves an edited title ROUNDS times and measures, for each save, the time until
the server has rebuilt and until both frames in the page show the new title.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from flemletter.preview import running
from flemletter.screenshot import BROWSER_ARGS
from tests.conftest import chromium_path, copy_sample

ROUNDS = 10
ARTICLE = "articles/collaboration-in-science/en.md"
TITLE = "Collaboration in Science promotes research collaborations"


def main() -> None:
    browser_path = chromium_path()
    assert browser_path, "needs chromium"
    with tempfile.TemporaryDirectory() as folder:
        root = copy_sample(Path(folder) / "newsletter")
        article = root / ARTICLE
        original = article.read_text(encoding="utf-8")
        rebuilt, shown = [], []
        with running(root, "2025-11") as live, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_path, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(live.url)
            page.frame_locator("#desktop-en").locator("h1").wait_for()
            for round_number in range(ROUNDS):
                marker = f"Round {round_number} edit"
                seen = live.preview.snapshot.generation
                start = time.perf_counter()
                article.write_text(original.replace(TITLE, marker), encoding="utf-8")
                live.preview.wait_for_change(seen, 30)
                rebuilt.append(time.perf_counter() - start)
                for frame in ("#desktop-en", "#phone-en"):
                    page.frame_locator(frame).locator(f"h1:has-text('{marker}')").wait_for(
                        timeout=30_000
                    )
                shown.append(time.perf_counter() - start)
            browser.close()
    for label, values in (("save → rebuilt", rebuilt), ("save → both frames show it", shown)):
        print(
            f"{label}: median {statistics.median(values) * 1000:.0f} ms,"
            f" max {max(values) * 1000:.0f} ms over {len(values)} saves"
        )


if __name__ == "__main__":
    main()
