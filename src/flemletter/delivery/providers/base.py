"""The one interface every mail provider implements, and the plain data it takes and gives.

A provider gets a :class:`Batch` — the rendered email of one language and up to
``batch_size`` recipients with their personal data — and answers with one :class:`Result` per
recipient. SMTP and the outbox send one message per recipient; SendGrid sends one request per
batch, the content built once. The send ledger, retries and waiting live in
:mod:`flemletter.delivery.send`, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from flemletter.render.email import RenderedEmail


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    """The provider took the message; it is its job now."""
    RETRY = "retry"
    """Not handed over (a temporary refusal, no connection): safe to try again later."""
    FAILED = "failed"
    """Refused for good (e.g. 550 no such user); ``reason`` has the provider's words."""
    UNCERTAIN = "uncertain"
    """Handed over, but no answer came back: it may or may not go out."""


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    unsubscribe_url: str
    """This recipient's own unsubscribe link (in the email and ``List-Unsubscribe``)."""
    unsubscribe_mailto: str
    """``mailto:`` the unsubscribe address with this recipient's token in the subject."""


@dataclass(frozen=True)
class Batch:
    issue_id: str
    lang: str
    email: RenderedEmail
    """The rendered email; its unsubscribe links are still the placeholder."""
    recipients: list[Recipient]
    date: dt.datetime
    """The send's Date header."""
    test: bool = False
    """A test copy: subject marked ``[TEST]``, a Message-ID of its own."""
    batch_key: str = ""
    """Identifies the batch in the provider's events (SendGrid ``custom_args``)."""
    send_at: dt.datetime | None = None
    """Deliver at this time (providers that schedule), else now."""
    provider_batch_id: str | None = None
    """The provider's own id grouping this issue and language (SendGrid ``batch_id``)."""
    extra: dict[str, str] = field(default_factory=dict)
    handed: set[str] = field(default_factory=set, compare=False)
    """Filled in by the provider: each address whose message it begins to hand over, just
    before the moment it may go out. If the send then breaks unexpectedly, only these may have
    gone out (``uncertain``); the rest of the batch was never handed over (back to pending)."""


@dataclass(frozen=True)
class Result:
    email: str
    outcome: Outcome
    reason: str = ""
    retry_after: float | None = None
    """For ``RETRY``: seconds the provider asked us to wait, if it said."""


class StopSending(Exception):
    """The provider cannot send at all (bad password, API key without permission).

    Raised before anything of the batch was handed over, so the batch stays unsent.
    """


class Provider(Protocol):
    name: str
    batch_size: int
    """At most this many recipients per :meth:`send`."""

    def send(self, batch: Batch) -> list[Result]:
        """Hand the batch over; one result per recipient, in any order."""
        ...

    def close(self) -> None:
        """Release connections; the provider may be used again afterwards."""
        ...
