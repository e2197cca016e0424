"""A sample newsletter with subscribers, set up to send through a local SMTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flemletter.delivery.send import RetryPolicy
from tests.conftest import run_flemletter

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


def use_sendgrid(root: Path, base_url: str, **settings: object) -> None:
    """Point the sample's ``[sendgrid]`` table at a local server, with extra settings."""
    config = root / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[sendgrid]")
    lines = [f'base_url = "{base_url}"', "connect_timeout = 2", "read_timeout = 5"]
    lines = [line for line in lines if line.split(" =")[0] not in settings]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    config.write_text(text[:start] + "[sendgrid]\n" + "\n".join(lines) + "\n", encoding="utf-8")


def use_unsubscribe_endpoint(root: Path, endpoint: str) -> None:
    """Set ``[delivery] unsubscribe_url``: an unsubscribe endpoint of the newsletter's own."""
    config = root / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    table = f'[delivery]\nunsubscribe_url = "{endpoint}"\n'
    config.write_text(text.replace("[delivery]\n", table, 1), encoding="utf-8")


def many(count: int, langs: tuple[str, ...] = ("en", "sv")) -> list[tuple[str, str, str]]:
    """``count`` subscribers spread over ``langs``."""
    return [(f"r{n:06d}@example.org", langs[n % len(langs)], f"Läsare {n}") for n in range(count)]


def write_subscribers(root: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = root / "subscribers.csv"
    lines = ["email,language,name", *(f"{e},{lang},{name}" for e, lang, name in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


flemletter = run_flemletter  # the delivery tests call it by the command's name

FAST = RetryPolicy(first_delay=0.01, max_delay=0.05, attempts=4)
"""Retries without the real waits: the tests are about what is retried, not how long."""


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "test-unsubscribe-secret-0123456789"
    monkeypatch.setenv(SECRET_ENV, value)
    return value
