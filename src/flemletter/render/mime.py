"""The MIME message: multipart/alternative with the text part first and the HTML second.

Non-ASCII names and subjects are encoded by the standard library's ``email`` package
(RFC 2047 in headers, UTF-8 quoted-printable bodies); nothing here builds headers by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from flemletter.config import Config
from flemletter.render.email import RenderedEmail


def message_id(config: Config, issue_id: str, lang: str, recipient: str | None = None) -> str:
    """A stable Message-ID: the same issue, language and recipient always get the same one."""
    domain = config.file.sender.address.rpartition("@")[2]
    who = "" if recipient is None else "." + _token(recipient)
    return f"<{issue_id}.{lang}{who}@{domain}>"


def _token(recipient: str) -> str:
    return hashlib.sha256(recipient.lower().encode()).hexdigest()[:20]


def build_message(
    config: Config,
    email: RenderedEmail,
    issue_id: str,
    date: dt.datetime,
    *,
    to: str | None = None,
    subject_prefix: str = "",
) -> EmailMessage:
    """The complete message; ``to`` is omitted for the build's example copy."""
    sender = config.file.sender
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject_prefix + email.subject
    message["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    if to is not None:
        message["To"] = to
    if sender.reply_to:
        message["Reply-To"] = sender.reply_to
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(config, issue_id, email.lang, to)
    message.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # after the parts: set_content drops every Content-* header set before it
    message["Content-Language"] = email.lang
    # The standard boundary is random; one derived from the content keeps builds byte-identical.
    digest = hashlib.sha256((email.text + email.html).encode()).hexdigest()[:32]
    message.set_boundary(f"=_flemletter_{digest}")
    return message
