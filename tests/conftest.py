"""Shared fixtures: a private copy of the sample newsletter for each test that changes it."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flemletter.screenshot import chromium_executable

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_PARTS = ("flemletter.toml", "articles", "issues")

# What an attentive editor points out in the sample as it stands: flaws of the foundation's own
# text, kept word for word (tests/test_preflight.py pins them exactly).
SAMPLE_WARNINGS = [
    "articles/50-years-of-life-changing-therapies/en.md:7:48: warning: 'marrrow' has a letter"
    " three times in a row — a typing slip?",
    "articles/50-years-of-life-changing-therapies/en.md:7: warning: “On November 12 1975, the"
    " first allogeneic stem cell transpl…” nearly repeats “On November 12 1975, the first"
    " allogeneic bone marrrow tran…” (line 7) — keep one of them, or merge what each adds",
    "articles/karolinska-atmp-centrum/sv.md:15: warning: the paragraph ends without a full"
    " stop: “…Region Stockholm, vid invigningen” — end it with a full stop (or ! or ?), or join"
    " it to the next",
    "articles/konst-och-kulturliv-i-flemingsberg/sv.md:7:85: warning: two spaces in a row (one a"
    " no-break space) — one is enough: a no-break space shows as a space of its own",
]


def beyond_sample(problems: Iterable[object]) -> list[str]:
    """Problems as text, less the warnings the sample itself carries."""
    return [str(p) for p in problems if str(p) not in SAMPLE_WARNINGS]


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
    return chromium_executable()


def require(what: str, found: str | None, install: str) -> str:
    """``found``, or a skip saying what to install; in CI (``FLEMLETTER_NO_SKIPS=1``, set by
    .ci/run, which installs these) the skip is a failure instead."""
    if found is None:
        reason = f"needs {what} ({install})"
        if os.environ.get("FLEMLETTER_NO_SKIPS") == "1":
            pytest.fail(f"{reason}; FLEMLETTER_NO_SKIPS=1 forbids skipping")
        pytest.skip(reason)
    return found


def require_browser() -> str:
    """The browser, or a skip (a failure in CI)."""
    return require("Debian's chromium", chromium_path(), "apt-get install chromium")


def run_flemletter(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m flemletter ARGS`` as a user runs it, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "flemletter", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
        input=stdin,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A static web server for ``folder`` on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
