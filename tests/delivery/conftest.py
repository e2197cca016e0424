"""A sample newsletter with subscribers, set up to send through a local SMTP server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SECRET_ENV = "FLEMLETTER_UNSUBSCRIBE_SECRET"


def use_smtp(root: Path, port: int, *, user: str | None = None) -> None:
    """Point the sample's ``[smtp]`` table at the local server (no TLS on loopback)."""
    config = root / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[smtp]")
    end = text.index("[sendgrid]")
    login = f'user = "{user}"\n' if user else ""
    table = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n{login}'
        'password_env = "TEST_SMTP_PASSWORD"\ntimeout = 10\n\n'
    )
    config.write_text(text[:start] + table + text[end:], encoding="utf-8")


def write_subscribers(root: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = root / "subscribers.csv"
    lines = ["email,language,name", *(f"{e},{lang},{name}" for e, lang, name in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flemletter(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
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


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "test-unsubscribe-secret-0123456789"
    monkeypatch.setenv(SECRET_ENV, value)
    return value
