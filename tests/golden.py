"""Golden files: the sample issue's built output that readers see, pinned and reviewed.

Regenerate after a deliberate change with ``make golden`` (``python -m tests.golden``),
then read ``git diff tests/golden`` as you would read code.

``golden/<issue>/`` holds the issue's email and web version; ``golden/site/`` the feeds
of each language (one file per format and language) and its unsubscribe page.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flemletter.build import build

GOLDEN = Path(__file__).resolve().parent / "golden"
PROJECT = GOLDEN.parent.parent
ISSUE = "2025-11"
SITE = "site"
PINNED_SUFFIXES = (".html", ".txt", ".eml", ".mjml")
PINNED_SITE_FILES = ("feed.atom.xml", "feed.rss.xml", "feed.json")
PINNED_SITE_PAGES = ("unsubscribe/index.html",)


def pinned_files(folder: Path) -> dict[str, bytes]:
    """The readable outputs under ``folder`` by relative path (images are not pinned)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.suffix in PINNED_SUFFIXES
    }


def pinned_site_files(folder: Path) -> dict[str, bytes]:
    """The feeds and the unsubscribe pages under a built ``site`` folder, by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.name in PINNED_SITE_FILES or path.as_posix().endswith(PINNED_SITE_PAGES)
    }


def golden_files() -> dict[str, bytes]:
    """Every golden file by its path under ``golden/``."""
    issue = {f"{ISSUE}/{k}": v for k, v in pinned_files(GOLDEN / ISSUE).items()}
    site = {f"{SITE}/{k}": v for k, v in pinned_site_files(GOLDEN / SITE).items()}
    return issue | site


def build_sample(out: Path) -> dict[str, bytes]:
    """The sample's pinned outputs, by their path under ``golden/``."""
    result = build(PROJECT, ISSUE, out)
    issue = {f"{ISSUE}/{k}": v for k, v in pinned_files(result.folder).items()}
    site_folder = result.folder.parent / SITE
    site = {f"{SITE}/{k}": v for k, v in pinned_site_files(site_folder).items()}
    return issue | site


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        files = build_sample(Path(scratch))
    for part in (ISSUE, SITE):
        shutil.rmtree(GOLDEN / part, ignore_errors=True)
    for relative, content in files.items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"wrote {len(files)} golden files to {GOLDEN}; review them with: git diff {GOLDEN}")


if __name__ == "__main__":
    regenerate()
