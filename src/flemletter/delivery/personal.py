"""What makes a message personal: the signed unsubscribe link and the per-recipient headers.

The token is ``o.<HMAC-SHA256 of the address>``: opaque, so a forwarded email or a link in a
server's log does not reveal who it was for. Whoever processes an unsubscribe (``flemletter
subscribers unsubscribe <token>``, or an endpoint of your own) finds the subscriber whose
address gives that HMAC with the secret, which only the environment holds. Tokens of earlier
versions, ``<address in base64url>.<HMAC>``, keep working. Readers
send it back in the subject of an unsubscribe email (``List-Unsubscribe``'s mailto, or the
archive's unsubscribe page), or to ``[delivery] unsubscribe_url`` if one is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import os
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage

from flemletter import urls
from flemletter.config import Config
from flemletter.delivery.providers.base import Batch, Recipient
from flemletter.fields import MAKE_SECRET, weak_secret
from flemletter.problems import Problem, UserError
from flemletter.render.email import UNSUBSCRIBE_PLACEHOLDER
from flemletter.render.mime import build_message, message_id

TEST_PREFIX = "[TEST] "
# Only for the outbox, which delivers nothing: lets `make demo` run without any set-up.
OUTBOX_SECRET = b"flemletter-outbox-only-not-a-secret"


def unsubscribe_secret(config: Config, *, required: bool) -> bytes:
    """The signing secret from the environment; without it, a real send cannot start."""
    name = config.file.unsubscribe.secret_env
    value = os.environ.get(name, "")
    if value and (weak := weak_secret(value)) is not None:
        message = f"the secret in the environment variable {name} {weak} (it is not shown)"
        hint = f"make a new one with {MAKE_SECRET}, set {name} to it and keep it for every send"
        raise UserError([Problem("environment", None, message, hint=hint)])
    if value:
        return value.encode()
    if not required:
        return OUTBOX_SECRET
    message = f"the environment variable {name} is not set: it signs the unsubscribe links"
    hint = f"set {name} to a long random text, the same for every send (openssl rand -hex 32)"
    raise UserError([Problem("environment", None, message, hint=hint)])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


OPAQUE = "o."
"""The start of an opaque token (never the start of an earlier token: no base64 of an address
is one character long)."""


def unsubscribe_token(secret: bytes, email: str) -> str:
    """``email``'s token: says nothing of the address without the secret."""
    address = email.strip().lower().encode()
    mac = hmac.new(secret, b"unsubscribe-opaque:" + address, hashlib.sha256).digest()[:16]
    return OPAQUE + _b64(mac)


def _legacy_token(secret: bytes, address: str) -> str:
    """The token of earlier versions, which carried the address readably."""
    data = address.strip().lower().encode()
    mac = hmac.new(secret, b"unsubscribe:" + data, hashlib.sha256).digest()[:16]
    return f"{_b64(data)}.{_b64(mac)}"


def token_address(secret: bytes, token: str, candidates: Iterable[str] = ()) -> str | None:
    """The address a genuine token was made for, else ``None``: for an opaque token, the one
    of ``candidates`` (the subscriber list) it was made for; an earlier token names its own."""
    if token.startswith(OPAQUE):
        for address in candidates:
            if hmac.compare_digest(unsubscribe_token(secret, address), token):
                return address.strip().lower()  # as an earlier token named it
        return None
    encoded, _, _ = token.partition(".")
    try:
        address = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return address if hmac.compare_digest(_legacy_token(secret, address), token) else None


def recipient(config: Config, secret: bytes, email: str, name: str | None, lang: str) -> Recipient:
    token = unsubscribe_token(secret, email)
    return Recipient(
        email=email,
        name=name,
        unsubscribe_url=urls.unsubscribe_url(config, lang, token),
        unsubscribe_mailto=urls.unsubscribe_mailto(config, token),
    )


def one_click(config: Config) -> bool:
    """Whether the unsubscribe link is an endpoint that takes RFC 8058 one-click POSTs: only
    one configured as ``[delivery] unsubscribe_url``, never the static archive's page."""
    return config.file.delivery.unsubscribe_url is not None


def unsubscribe_headers(config: Config, to: Recipient) -> dict[str, str]:
    """``List-Unsubscribe`` (RFC 2369), and ``List-Unsubscribe-Post`` (RFC 8058) only when
    a POST really unsubscribes. Without such an endpoint the mailto comes first: a mail
    program that unsubscribes by itself sends that email; the page is for people."""
    if one_click(config):
        return {
            "List-Unsubscribe": f"<{to.unsubscribe_url}>, <{to.unsubscribe_mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return {"List-Unsubscribe": f"<{to.unsubscribe_mailto}>, <{to.unsubscribe_url}>"}


def list_id(config: Config, lang: str) -> str:
    domain = config.file.sender.address.rpartition("@")[2]
    return f"{config.publication_name(lang)} ({lang}) <{lang}.newsletter.{domain}>"


def personal_message(config: Config, batch: Batch, to: Recipient) -> EmailMessage:
    """The complete message for one recipient, with its unsubscribe headers."""
    email = batch.email
    personal = type(email)(
        lang=email.lang,
        subject=email.subject,
        preheader=email.preheader,
        mjml="",
        html=email.html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(to.unsubscribe_url)),
        text=email.text.replace(UNSUBSCRIBE_PLACEHOLDER, to.unsubscribe_url),
    )
    prefix = TEST_PREFIX if batch.test else ""
    message = build_message(config, personal, batch.issue_id, batch.date, subject_prefix=prefix)
    message["To"] = Address(display_name=to.name or "", addr_spec=to.email)
    # A test copy must not share the real message's id: clients drop a second copy of an id.
    who = f"test {batch.date.isoformat()} {to.email}" if batch.test else to.email.lower()
    message.replace_header("Message-ID", message_id(config, batch.issue_id, batch.lang, who))
    for header, value in unsubscribe_headers(config, to).items():
        message[header] = value
    message["List-Id"] = list_id(config, batch.lang)
    message["List-Archive"] = f"<{urls.archive_url(config, batch.lang)}>"
    # Fold only at spaces: a long unsubscribe URL must stay whole, not become RFC 2047 words.
    message.policy = message.policy.clone(max_line_length=998)
    return message
