"""Test copies: ``send --test-to ADDR`` sends a copy marked ``[TEST]`` in each language to the
given addresses only, through the chosen provider; no ledger, no subscribers. With
``--dry-run`` it only says what it would send.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from flemletter.checks import CheckResult
from flemletter.delivery.personal import recipient, unsubscribe_secret
from flemletter.delivery.providers import Batch, Provider, Result, StopSending, make_provider
from flemletter.delivery.send import checked, languages
from flemletter.delivery.subscribers import normalized_address
from flemletter.problems import Problem, UserError


@dataclass(frozen=True)
class CopyPlan:
    issue_id: str
    provider: str
    langs: list[str]
    addresses: list[str]


def plan_test(
    root: Path,
    issue: str,
    addresses: tuple[str, ...],
    *,
    langs: tuple[str, ...] = (),
    provider: str | None = None,
    at: str | None = None,
) -> tuple[CheckResult, CopyPlan]:
    """Who would get a ``[TEST]`` copy in which language, through what; changes nothing."""
    if at is not None:
        message = "a test copy goes at once: --at schedules only the send to the subscribers"
        raise UserError([Problem("--at", None, message, hint="drop --at or --test-to")])
    result = checked(root, issue)
    config = result.config
    assert config is not None and result.issue is not None
    try:
        emails = [normalized_address(a) for a in addresses]
    except ValueError as exc:
        raise UserError([Problem("--test-to", None, str(exc))]) from None
    name = provider or config.file.delivery.provider
    return result, CopyPlan(result.issue.id, name, languages(result, langs), emails)


def send_test(
    root: Path,
    issue: str,
    addresses: tuple[str, ...],
    *,
    langs: tuple[str, ...] = (),
    provider: str | None = None,
    chosen: Provider | None = None,
    at: str | None = None,
) -> list[tuple[str, Result]]:
    """Copies marked ``[TEST]`` to ``addresses``, in each language; no ledger, no subscribers.

    Refuses ``at``: a test copy goes at once."""
    result, plan = plan_test(root, issue, addresses, langs=langs, provider=provider, at=at)
    config = result.config
    assert config is not None
    chosen = chosen or make_provider(config, plan.provider)
    secret = unsubscribe_secret(config, required=False)
    date = dt.datetime.now(ZoneInfo(config.publication.timezone)).replace(microsecond=0)
    sent = []
    try:
        for lang in plan.langs:
            for start in range(0, len(plan.addresses), chosen.batch_size):
                group = plan.addresses[start : start + chosen.batch_size]
                batch = Batch(
                    issue_id=plan.issue_id,
                    lang=lang,
                    email=result.emails[lang],
                    recipients=[recipient(config, secret, e, None, lang) for e in group],
                    date=date,
                    test=True,
                    batch_key=f"{plan.issue_id}/{lang}/test",
                )
                try:
                    sent += [(lang, r) for r in chosen.send(batch)]
                except StopSending as exc:
                    raise UserError([Problem(chosen.name, None, str(exc))]) from None
    finally:
        chosen.close()
    return sent
