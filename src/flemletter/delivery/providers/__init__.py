"""Mail providers: ``outbox`` (a local Maildir), ``smtp`` and ``sendgrid``, one interface."""

from __future__ import annotations

from flemletter.config import Config
from flemletter.delivery.providers.base import (
    Batch,
    Outcome,
    Provider,
    Recipient,
    Result,
    StopSending,
)

__all__ = [
    "Batch",
    "Outcome",
    "Provider",
    "Recipient",
    "Result",
    "StopSending",
    "make_provider",
    "rehearsal",
]

PROVIDERS = ("outbox", "smtp", "sendgrid")


def make_provider(config: Config, name: str) -> Provider:
    """The provider called ``name``, set up from the config; secrets from the environment."""
    if name == "outbox":
        from flemletter.delivery.providers.outbox import Outbox

        return Outbox(config)
    if name == "smtp":
        from flemletter.delivery.providers.smtp import SMTPProvider

        return SMTPProvider(config)
    if name == "sendgrid":
        from flemletter.delivery.providers.sendgrid import SendGridProvider

        return SendGridProvider(config)
    raise ValueError(f"unknown provider {name!r}")


def rehearsal(config: Config, name: str) -> str:
    """``""`` when provider ``name`` really delivers, else the rehearsal's name: the outbox,
    or SendGrid in sandbox mode. A rehearsal keeps books of its own in the send ledger."""
    if name == "outbox":
        return "outbox"
    if name == "sendgrid" and config.file.sendgrid.sandbox:
        return "sendgrid-sandbox"
    return ""
