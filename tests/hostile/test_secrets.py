"""Class 6 of issue 11 (delivery): secrets and addresses stay where they belong.

Unsubscribe tokens travel in links and subjects that land in server logs and forwarded
emails: a new token says nothing of the address, and tokens of earlier versions still work.
A configured secret never appears in what the tool prints when something goes wrong.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery.database import database_path
from flemletter.delivery.personal import recipient, token_address, unsubscribe_token
from flemletter.delivery.subscribers import add, subscribers
from tests.delivery.conftest import use_sendgrid, use_smtp
from tests.sendgrid_server import loopback_server
from tests.smtp_server import smtp_server

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
    domain = email.lower().partition("@")[2]
    for revealing in (email.lower(), domain):
        assert revealing not in token.lower()
    assert _b64(email.lower().encode())[:6] not in token
    assert _b64(email.lower().encode())[:6] not in link.unsubscribe_url
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


# --- SendGrid: no redirect followed with the key; an answer that is not SendGrid's is plain ---

API_KEY = "SG.hostile-key-QwErTy.never-printed-9876543210"


class _Recorder(BaseHTTPRequestHandler):
    """A server that is not SendGrid: answers every POST with ``answer`` and notes what came."""

    answer: tuple[int, dict[str, str], bytes] = (200, {}, b"")
    seen: list[dict[str, str]]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(dict(self.headers))
        status, headers, body = self.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def wrong_server(
    status: int, headers: dict[str, str], body: bytes
) -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Recorder,), {"answer": (status, headers, body), "seen": seen})
    with loopback_server(handler) as address:
        yield address, seen


def sendgrid_send(root: Path, url: str, *args: str) -> Result:
    use_sendgrid(root, url)
    return cli(root, "send", "2025-11", "--provider", "sendgrid", "--yes", *args)


@pytest.fixture
def keyed(sample: Path, secret: bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    add(require_config(sample), "ellen@example.org", "en")
    return sample


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("args", [(), ("--at", "soon")], ids=["send", "scheduled"])
def test_a_redirect_is_an_error_naming_the_host_and_the_key_stays(
    keyed: Path, status: int, args: tuple[str, ...]
) -> None:
    with wrong_server(200, {}, b"") as (elsewhere, received):
        location = {"Location": f"{elsewhere.replace('127.0.0.1', 'localhost')}/v3/mail/send"}
        with wrong_server(status, location, b"") as (url, _):
            if args:
                soon = dt.datetime.now(ZoneInfo("Europe/Stockholm")) + dt.timedelta(hours=2)
                args = ("--at", f"{soon:%Y-%m-%d %H:%M}")
            result = sendgrid_send(keyed, url, *args)
    assert result.exit_code == 1
    assert received == [], "the request (and the API key) followed the redirect"
    assert f"answered {status}" in result.output and "localhost" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert API_KEY not in result.output and SECRET not in result.output


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, b"<!DOCTYPE html><html><body>Welcome to nginx</body></html>"),
        (202, b"<html>captive portal</html>"),
        (404, b"<html><h1>Not Found</h1></html>"),
        (400, b""),
        (500, b"<html>Bad gateway</html>"),
    ],
    ids=["html-200", "html-202", "html-404", "empty-400", "html-500"],
)
def test_an_answer_that_is_not_sendgrids_is_a_plain_sentence(
    keyed: Path, status: int, body: bytes
) -> None:
    with wrong_server(status, {"Content-Type": "text/html"}, body) as (url, _):
        result = sendgrid_send(keyed, url)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    if body:
        assert "a web page, not SendGrid's answer" in result.output + states_reasons(keyed)
    assert API_KEY not in result.output and SECRET not in result.output


@pytest.mark.parametrize("body", [b"", b"<html>oops</html>", b"{}", b'{"batch_id": 7}'])
def test_a_batch_id_answer_that_is_not_sendgrids_stops_plainly(keyed: Path, body: bytes) -> None:
    soon = dt.datetime.now(ZoneInfo("Europe/Stockholm")) + dt.timedelta(hours=2)
    with wrong_server(201, {"Content-Type": "application/json"}, body) as (url, _):
        result = sendgrid_send(keyed, url, "--at", f"{soon:%Y-%m-%d %H:%M}")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "SendGrid gave no batch id" in result.output
    assert API_KEY not in result.output and SECRET not in result.output


def states_reasons(root: Path) -> str:
    with sqlite3.connect(database_path(require_config(root))) as db:
        return " ".join(r or "" for (r,) in db.execute("SELECT reason FROM deliveries"))


@pytest.mark.parametrize(
    "given",
    ["a-wrong-password-with-ÅÄÖ-0123", "right-password-but-wrong-user-x"],
    ids=["wrong", "other-user"],
)
def test_an_smtp_login_refused_never_prints_the_password(
    keyed: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", given)
    with smtp_server(password="the-right-one") as (port, _):
        use_smtp(keyed, port, user="newsletter")
        result = cli(keyed, "send", "2025-11", "--provider", "smtp", "--yes")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "user name or" in result.output and "The send stopped" in result.output
    for secret in (given, SECRET, API_KEY):
        assert secret not in result.output
