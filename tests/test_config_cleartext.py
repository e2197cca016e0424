"""Secrets never cross the network unencrypted: `[smtp] security = "none"` and an `http://`
`[sendgrid] base_url` are accepted only for this machine, and refused at their line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flemletter.config import load_config
from tests.conftest import run_flemletter

Edit = Callable[[str, str, str], None]


def smtp(edit: Edit, host: str, security: str) -> None:
    edit("flemletter.toml", 'host = "smtp.example.org"', f'host = "{host}"')
    edit("flemletter.toml", 'security = "starttls"', f'security = "{security}"')


def sendgrid(edit: Edit, url: str) -> None:
    edit("flemletter.toml", 'base_url = "https://api.sendgrid.com"', f'base_url = "{url}"')


def problems(sample: Path) -> list[str]:
    config, found = load_config(sample)
    assert (config is None) == bool(found)
    return [str(p) for p in found]


def test_unencrypted_smtp_and_http_to_another_host_are_refused_at_their_line(
    sample: Path, edit: Edit
) -> None:
    smtp(edit, "smtp.example.org", "none")
    sendgrid(edit, "http://api.sendgrid.com")
    run = run_flemletter("subscribers", "counts", cwd=sample)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert (
        "flemletter.toml:49: 'smtp.security': \"none\" would send the password and the messages"
        " to 'smtp.example.org' unencrypted; it is allowed only for 127.0.0.1, ::1 or localhost"
    ) in run.stderr
    assert (
        "flemletter.toml:55: 'sendgrid.base_url': 'http://api.sendgrid.com' would send the API"
        " key unencrypted: use https://"
    ) in run.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "LOCALHOST"])
def test_unencrypted_smtp_is_fine_on_this_machine(sample: Path, edit: Edit, host: str) -> None:
    smtp(edit, host, "none")
    assert problems(sample) == []


@pytest.mark.parametrize("host", ["127.0.0.2", "10.0.0.5", "localhost.example.org", "mail"])
def test_unencrypted_smtp_elsewhere_is_refused(sample: Path, edit: Edit, host: str) -> None:
    smtp(edit, host, "none")
    assert len(problems(sample)) == 1


def test_encrypted_smtp_anywhere_is_fine(sample: Path, edit: Edit) -> None:
    smtp(edit, "smtp.example.org", "tls")
    assert problems(sample) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://api.eu.sendgrid.com",
        "http://127.0.0.1:8025",
        "http://[::1]:8025",
        "http://localhost",
    ],
)
def test_sendgrid_urls_that_keep_the_key_safe(sample: Path, edit: Edit, url: str) -> None:
    sendgrid(edit, url)
    assert problems(sample) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://api.sendgrid.com",
        "http://127.0.0.1.example.org",
        "http://localhost@api.example.org",
        "ftp://api.sendgrid.com",
        "api.sendgrid.com",
    ],
)
def test_sendgrid_urls_that_would_expose_the_key(sample: Path, edit: Edit, url: str) -> None:
    sendgrid(edit, url)
    assert len(problems(sample)) == 1
