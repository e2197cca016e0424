"""Class 6 of issue 11 (delivery): secrets and addresses stay where they belong.

Unsubscribe tokens travel in links and subjects that land in server logs and forwarded
emails: a new token says nothing of the address, and tokens of earlier versions still work.
A configured secret never appears in what the tool prints when something goes wrong.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery.personal import recipient, token_address, unsubscribe_token
from flemletter.delivery.subscribers import add, subscribers

SECRET = "s3cr3t-unsubscribe-value-0123456789abcdef"
SECRET_ENV = "FLEMLETTER_UNSUBSCRIBE_SECRET"
ADDRESSES = ["ellen@example.org", "Bob.Smith@Example.ORG", "asa@exempel.se", "x@y.io"]


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def old_token(secret: bytes, email: str) -> str:
    """A token as versions before the opaque ones made it: the address readable in it."""
    address = email.strip().lower().encode()
    mac = hmac.new(secret, b"unsubscribe:" + address, hashlib.sha256).digest()[:16]
    return f"{_b64(address)}.{_b64(mac)}"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET.encode()


@pytest.mark.parametrize("email", ADDRESSES)
def test_a_token_reveals_nothing_of_the_address(sample: Path, secret: bytes, email: str) -> None:
    config = require_config(sample)
    link = recipient(config, secret, email, None, "en")
    token = unsubscribe_token(secret, email)
    assert token in link.unsubscribe_url and token in link.unsubscribe_mailto
    local, _, domain = email.lower().partition("@")
    for revealing in (email.lower(), local, domain, _b64(email.lower().encode())[:6]):
        assert revealing not in token.lower()
        assert revealing not in link.unsubscribe_url.lower().partition("token=")[2]
    padded = token.partition(".")[2] + "=="
    assert email.lower().encode() not in base64.urlsafe_b64decode(padded)
    assert token != unsubscribe_token(secret, "other" + email)


@pytest.mark.parametrize(
    "given",
    [
        lambda t: t,
        lambda t: f"unsubscribe {t}",
        lambda t: f"Re: unsubscribe {t}",
        lambda t: f"https://example.org/en/unsubscribe/?token={t}",
    ],
    ids=["bare", "subject", "reply", "link"],
)
@pytest.mark.parametrize("make", [unsubscribe_token, old_token], ids=["opaque", "old"])
def test_new_and_old_tokens_unsubscribe_the_one_they_name(
    sample: Path, secret: bytes, given: object, make: object
) -> None:
    config = require_config(sample)
    for email in ADDRESSES:
        add(config, email, "en")
    assert callable(given) and callable(make)
    result = cli(sample, "subscribers", "unsubscribe", given(make(secret, "asa@exempel.se")))
    assert result.exit_code == 0, result.output
    left = {s.email for s in subscribers(config) if s.status == "unsubscribed"}
    assert left == {"asa@exempel.se"}


@pytest.mark.parametrize(
    "token",
    [
        unsubscribe_token(b"a guessed secret", "ellen@example.org"),
        old_token(b"a guessed secret", "ellen@example.org"),
        "o." + "A" * 22,
        "o.",
        "not-a-token",
    ],
    ids=["opaque-forged", "old-forged", "opaque-made-up", "empty-mac", "junk"],
)
def test_a_forged_token_is_refused_and_the_secret_never_shown(
    sample: Path, secret: bytes, token: str
) -> None:
    add(require_config(sample), "ellen@example.org", "en")
    result = cli(sample, "subscribers", "unsubscribe", token)
    assert result.exit_code == 1
    assert "is neither an address nor a genuine unsubscribe token" in result.output
    assert SECRET not in result.output
    assert token_address(secret, token, ["ellen@example.org"]) is None
    assert all(s.status == "active" for s in subscribers(require_config(sample)))
