"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives.

Scripted answers per recipient: ``temporary`` addresses are refused with 451 the first time
and accepted after; ``rejected`` ones always get 550. With a ``password``, AUTH is required.
Refusals of the whole send: ``refuse_sender_after`` messages, MAIL FROM gets 550;
``refuse_message`` answers the message's content (after DATA) with that reply.
"""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "newsletter"


@dataclass
class Recorder:
    temporary: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    keep_content: bool = True
    """Off for benchmarks: only who received a message is kept, not the message."""
    refused_once: set[str] = field(default_factory=set)
    refuse_sender_after: int | None = None
    refuse_message: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_sender_after is not None and len(self.received) >= self.refuse_sender_after:
            return "550 5.7.1 <" + address + ">: sender not allowed to send here"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.rejected:
            return "550 5.1.1 <" + address + ">: no such user here"
        if address in self.temporary and address not in self.refused_once:
            self.refused_once.add(address)
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_message is not None:
            return self.refuse_message
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                content = envelope.original_content if self.keep_content else b""
                self.received.append((rcpt, content))
        return "250 2.0.0 queued"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(rcpt.lower() for rcpt, _ in self.received)

    def messages(self) -> dict[str, EmailMessage]:
        found = {}
        for rcpt, raw in self.received:
            message = email.message_from_bytes(raw, policy=default)
            assert isinstance(message, EmailMessage)
            found[rcpt.lower()] = message
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    password: str | None = None, *, keep_content: bool = True
) -> Iterator[tuple[int, Recorder]]:
    recorder = Recorder(keep_content=keep_content)

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == USER
        # handled=False: aiosmtpd itself answers 535 on failure
        return AuthResult(success=ok and data.password.decode() == password, handled=False)

    options: dict[str, Any] = {}
    if password is not None:
        options = {
            "authenticator": authenticate,
            "auth_require_tls": False,
            "auth_required": True,
        }
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, recorder
    finally:
        controller.stop()
