"""Shared fixtures: a private copy of the sample newsletter for each test that changes it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_PARTS = ("flemletter.toml", "articles", "issues")


def copy_sample(destination: Path) -> Path:
    """The sample newsletter (config, articles, issues) copied into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in SAMPLE_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy2(source, destination / part)
    return destination


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A writable copy of the sample newsletter."""
    return copy_sample(tmp_path / "newsletter")


@pytest.fixture
def edit(sample: Path) -> Callable[[str, str, str], None]:
    """Replace text in one of the sample's files: ``edit(path, old, new)``."""

    def replace(relative: str, old: str, new: str) -> None:
        path = sample / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> str:
    """The browser, or a skip (a failure in CI, where FLEMLETTER_REQUIRE_BROWSER=1)."""
    path = chromium_path()
    if path is None:
        reason = "needs Debian's chromium (apt-get install chromium)"
        if os.environ.get("FLEMLETTER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; FLEMLETTER_REQUIRE_BROWSER=1 forbids skipping")
        pytest.skip(reason)
    return path
