"""A send, as a recipe: check → plan → (confirm) → lock → freeze → claim, hand over, record.

:func:`plan_send` changes nothing: it says per language what would go where (what
``--dry-run`` shows and what the user confirms). :func:`run_send` then sends it under the
issue's lock, recording every recipient in the ledger before the provider sees them, so that
running it again continues where it stopped and never hands over an accepted message again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from flemletter.checks import CheckResult, check
from flemletter.config import Config
from flemletter.delivery.database import connect
from flemletter.delivery.ledger import GIVEN_UP, Ledger, Row
from flemletter.delivery.lock import lock_path, send_lock
from flemletter.delivery.personal import recipient, unsubscribe_secret
from flemletter.delivery.providers import (
    Batch,
    Outcome,
    Provider,
    Result,
    StopSending,
    make_provider,
)
from flemletter.delivery.schedule import Schedule, ensure_batch_id, prepare_schedule
from flemletter.problems import Problem, UserError

Progress = Callable[[str, int, int], None]
"""Called with (language, recipients handled, recipients to handle) after each batch."""


@dataclass(frozen=True)
class RetryPolicy:
    """Waiting between attempts of a recipient the provider deferred: doubling, with jitter."""

    first_delay: float = 5.0
    max_delay: float = 300.0
    attempts: int = 6
    """Attempts per run; a recipient still deferred after that waits for the next run."""

    def delay(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return asked
        base = min(self.max_delay, self.first_delay * 2.0 ** (attempt - 1))
        return base * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class LanguagePlan:
    lang: str
    subject: str
    to_send: int
    """Recipients this run would hand over."""
    frozen: bool
    """The recipient list was fixed by an earlier run of this send."""
    accepted: int = 0
    uncertain: int = 0


@dataclass
class SendPlan:
    config: Config
    check: CheckResult
    issue_id: str
    provider: str
    languages: list[LanguagePlan]
    resend_uncertain: bool = False
    schedule: Schedule | None = None
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(lp.to_send for lp in self.languages)


@dataclass(frozen=True)
class SendSummary:
    counts: dict[str, dict[str, int]]
    """Per language, recipients in each ledger state after this run."""
    deferred: int
    """Recipients still refused for now after every attempt of this run."""
    recovered: int
    """Recipients found ``submitting`` from an interrupted run, now ``uncertain``."""


def checked(root: Path, issue: str) -> CheckResult:
    """The issue, checked; ``send`` refuses while ``check`` reports errors."""
    result = check(root, issue)
    if result.errors:
        raise UserError(result.problems)
    assert result.config is not None and result.issue is not None
    return result


def _languages(result: CheckResult, wanted: tuple[str, ...]) -> list[str]:
    assert result.issue is not None
    unknown = [lang for lang in wanted if lang not in result.issue.editions]
    if unknown:
        have = ", ".join(result.issue.editions)
        message = f"the issue has no edition in {', '.join(unknown)} (it has {have})"
        raise UserError([Problem(result.issue.source, None, message)])
    return [lang for lang in result.issue.editions if not wanted or lang in wanted]


def plan_send(
    root: Path,
    issue: str,
    *,
    langs: tuple[str, ...] = (),
    provider: str | None = None,
    resend_uncertain: bool = False,
    at: str | None = None,
) -> SendPlan:
    """What a send would do, per language; changes nothing."""
    result = checked(root, issue)
    config, loaded = result.config, result.issue
    assert config is not None and loaded is not None
    name = provider or config.file.delivery.provider
    chosen = _languages(result, langs)
    schedule = prepare_schedule(config, name, at, chosen) if at else None
    plans = []
    with closing(connect(config)) as db:
        ledger = Ledger(db)
        for lang in chosen:
            counts = ledger.counts(loaded.id).get(lang, {})
            record = ledger.send_record(loaded.id, lang)
            if record is None:
                to_send = db.execute(
                    "SELECT COUNT(*) FROM subscribers WHERE language = ? AND status = 'active'",
                    (lang,),
                ).fetchone()[0]
            else:
                to_send = counts.get("pending", 0)
                to_send += counts.get("uncertain", 0) if resend_uncertain else 0
            plans.append(
                LanguagePlan(
                    lang=lang,
                    subject=result.emails[lang].subject,
                    to_send=to_send,
                    frozen=record is not None,
                    accepted=counts.get("accepted", 0),
                    uncertain=counts.get("uncertain", 0) + counts.get("submitting", 0),
                )
            )
    return SendPlan(
        config, result, loaded.id, name, plans, resend_uncertain, schedule, result.warnings
    )


def run_send(
    plan: SendPlan,
    *,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    provider: Provider | None = None,
) -> SendSummary:
    """Send what ``plan`` says, under the issue's lock, recording everything in the ledger."""
    config = plan.config
    policy = policy or RetryPolicy()
    provider = provider or make_provider(config, plan.provider)
    secret = unsubscribe_secret(config, required=plan.provider != "outbox")
    deferred = 0
    with send_lock(lock_path(config, plan.issue_id), plan.issue_id), closing(connect(config)) as db:
        ledger = Ledger(db)
        recovered = ledger.recover(plan.issue_id)
        try:
            for lang_plan in plan.languages:
                deferred += _send_language(
                    plan, lang_plan.lang, ledger, provider, secret, policy, progress
                )
        finally:
            provider.close()
        return SendSummary(ledger.counts(plan.issue_id), deferred, recovered)


def _send_language(
    plan: SendPlan,
    lang: str,
    ledger: Ledger,
    provider: Provider,
    secret: bytes,
    policy: RetryPolicy,
    progress: Progress | None,
) -> int:
    issue_id, config = plan.issue_id, plan.config
    ledger.freeze(issue_id, lang, provider.name)
    if plan.resend_uncertain:
        ledger.requeue(issue_id, lang, "uncertain")
    ledger.restart_retries(issue_id, lang)
    batch_id, send_at = ensure_batch_id(plan, lang, ledger, provider)
    total = ledger.counts(issue_id).get(lang, {}).get("pending", 0)
    done, tries, deferred = 0, dict[int, int](), 0
    email = plan.check.emails[lang]
    date = dt.datetime.now(ZoneInfo(config.timezone(lang))).replace(microsecond=0)
    done_outcomes: list[tuple[Row, Result, float]] = []
    try:
        for number in itertools.count(1):
            request = f"{issue_id}/{lang}/{int(time.time())}-{number}"
            rows, skipped = ledger.claim(
                issue_id, lang, provider.batch_size, request, done_outcomes
            )
            done_outcomes = []
            done += skipped
            if skipped and not rows:  # a batch of people who all left meanwhile: on to the next
                if progress is not None:
                    progress(lang, done, total)
                continue
            if not rows:
                due = ledger.next_retry(issue_id, lang)
                if due is None:
                    break
                time.sleep(max(0.0, due - time.time()))
                continue
            batch = Batch(
                issue_id=issue_id,
                lang=lang,
                email=email,
                recipients=[recipient(config, secret, r.email, r.name, lang) for r in rows],
                date=date,
                batch_key=request,
                send_at=send_at,
                provider_batch_id=batch_id,
            )
            try:
                results = provider.send(batch)
            except StopSending as exc:
                ledger.release(rows)
                raise UserError([Problem(provider.name, None, str(exc))]) from None
            done_outcomes = list(_outcomes(rows, results, tries, policy))
            deferred += sum(1 for _, _, when in done_outcomes if when == GIVEN_UP)
            done += sum(1 for _, r, when in done_outcomes if r.outcome is not Outcome.RETRY)
            done += sum(1 for _, _, when in done_outcomes if when == GIVEN_UP)
            if progress is not None:
                progress(lang, done, total)
    finally:
        ledger.record(done_outcomes)  # what was answered is kept, whatever stopped the loop
    return deferred


def _outcomes(
    rows: list[Row], results: list[Result], tries: dict[int, int], policy: RetryPolicy
) -> Iterator[tuple[Row, Result, float]]:
    by_email = {r.email.lower(): r for r in results}
    start = time.time()
    delays: dict[tuple[int, float | None], float] = {}  # one wait per batch, so it stays whole
    for row in rows:
        result = by_email.get(row.email.lower()) or Result(
            row.email, Outcome.UNCERTAIN, "the provider gave no answer for this recipient"
        )
        if result.outcome is not Outcome.RETRY:
            yield row, result, 0.0
            continue
        tries[row.id] = attempt = tries.get(row.id, 0) + 1
        if attempt >= policy.attempts:
            yield row, result, GIVEN_UP
            continue
        key = (attempt, result.retry_after)
        if key not in delays:
            delays[key] = policy.delay(attempt, result.retry_after)
        yield row, result, start + delays[key]


def send_test(
    root: Path,
    issue: str,
    addresses: tuple[str, ...],
    *,
    langs: tuple[str, ...] = (),
    provider: str | None = None,
    chosen: Provider | None = None,
) -> list[tuple[str, Result]]:
    """Copies marked ``[TEST]`` to ``addresses``, in each language; no ledger, no subscribers."""
    from flemletter.delivery.subscribers import normalized_address

    result = checked(root, issue)
    config = result.config
    assert config is not None and result.issue is not None
    try:
        emails = [normalized_address(a) for a in addresses]
    except ValueError as exc:
        raise UserError([Problem("--test-to", None, str(exc))]) from None
    chosen = chosen or make_provider(config, provider or config.file.delivery.provider)
    secret = unsubscribe_secret(config, required=False)
    date = dt.datetime.now(ZoneInfo(config.publication.timezone)).replace(microsecond=0)
    sent = []
    try:
        for lang in _languages(result, langs):
            for start in range(0, len(emails), chosen.batch_size):
                group = emails[start : start + chosen.batch_size]
                batch = Batch(
                    issue_id=result.issue.id,
                    lang=lang,
                    email=result.emails[lang],
                    recipients=[recipient(config, secret, e, None, lang) for e in group],
                    date=date,
                    test=True,
                    batch_key=f"{result.issue.id}/{lang}/test",
                )
                try:
                    sent += [(lang, r) for r in chosen.send(batch)]
                except StopSending as exc:
                    raise UserError([Problem(chosen.name, None, str(exc))]) from None
    finally:
        chosen.close()
    return sent
