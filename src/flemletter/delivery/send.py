"""A send, as a recipe: check → plan → (confirm) → lock → freeze → claim, hand over, record.

:func:`plan_send` says per language what would go where (what ``--dry-run`` shows and
what the user confirms); the one thing it writes, under the issue's lock, is that a dead
run's rows in flight are ``uncertain``, so that no plan counts them as neither.
:func:`run_send` then sends it under the issue's lock, recording every recipient in the
ledger before the provider sees them, so that running it again continues where it stopped
and never hands over an accepted message again.
The recipients of every language are fixed together, when the send starts. A rehearsal (the
outbox, SendGrid's sandbox) keeps books of its own, so it never stands in for the real send.
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
from flemletter.config import CONFIG_NAME, Config
from flemletter.delivery.database import connect
from flemletter.delivery.ledger import GIVEN_UP, Ledger, ProviderChanged, Row
from flemletter.delivery.lock import lock_path, send_lock
from flemletter.delivery.personal import one_click, recipient, unsubscribe_secret
from flemletter.delivery.providers import (
    Batch,
    Outcome,
    Provider,
    Result,
    StopSending,
    make_provider,
    rehearsal,
)
from flemletter.delivery.schedule import (
    Schedule,
    ensure_batch_id,
    prepare_schedule,
    schedule_problem,
)
from flemletter.problems import Problem, Severity, UserError

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
    failed: int = 0


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
    resend_failed: bool = False
    rehearsal: str = ""
    """``""`` for the real send, else the rehearsal's own books (see :mod:`.ledger`)."""
    recovered: int = 0
    """Rows an earlier, dead run left ``submitting``, made ``uncertain`` before planning."""

    @property
    def total(self) -> int:
        return sum(lp.to_send for lp in self.languages)

    @property
    def unfinished(self) -> int:
        """Recipients uncertain that this plan does not send again. (A recipient the server
        refused for good, ``failed``, is an outcome, reported but not left to do.)"""
        return sum(0 if self.resend_uncertain else lp.uncertain for lp in self.languages)


@dataclass(frozen=True)
class SendSummary:
    counts: dict[str, dict[str, int]]
    """Per language, recipients in each ledger state after this run."""
    deferred: int
    """Recipients still refused for now after every attempt of this run."""
    recovered: int
    """Recipients found ``submitting`` from an interrupted run, now ``uncertain``."""
    unfinished: int = 0
    """Recipients of the sent languages left uncertain or deferred: not done, needing a look."""


class SendStopped(UserError):
    """The send stopped part-way; ``summary`` says what had been handed over by then."""

    def __init__(self, problems: list[Problem], summary: SendSummary) -> None:
        super().__init__(problems)
        self.summary = summary


def checked(root: Path, issue: str) -> CheckResult:
    """The issue, checked; ``send`` refuses while ``check`` reports errors."""
    result = check(root, issue)
    if result.errors:
        raise UserError(result.problems)
    assert result.config is not None and result.issue is not None
    return result


def languages(result: CheckResult, wanted: tuple[str, ...]) -> list[str]:
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
    resend_failed: bool = False,
) -> SendPlan:
    """What a send would do, per language; changes nothing but a dead run's rows in flight,
    now ``uncertain`` (see :func:`_recover`).

    Refuses to continue a send through another provider than the one it began with, and
    ``--at`` for a send already handed over at another time.
    """
    result = checked(root, issue)
    config, loaded = result.config, result.issue
    assert config is not None and loaded is not None
    name = provider or config.file.delivery.provider
    chosen = languages(result, langs)
    schedule = prepare_schedule(config, name, at, chosen) if at else None
    books = rehearsal(config, name)
    plans, problems = [], []
    with closing(connect(config)) as db:
        ledger = Ledger(db, books)
        recovered = _recover(config, ledger, loaded.id)
        for lang in chosen:
            counts = ledger.counts(loaded.id).get(lang, {})
            record = ledger.send_record(loaded.id, lang)
            if record is not None and record.provider != name:
                message = str(ProviderChanged(record, name))
                hint = f"continue it with --provider {record.provider}"
                problems.append(Problem(issue, None, message, hint=hint))
            if record is not None and schedule is not None:
                problem = schedule_problem(record, schedule.when[lang])
                problems += [problem] if problem is not None else []
            if record is None:
                to_send = db.execute(
                    "SELECT COUNT(*) FROM subscribers WHERE language = ? AND status = 'active'",
                    (lang,),
                ).fetchone()[0]
            else:
                to_send = counts.get("pending", 0)
                to_send += counts.get("uncertain", 0) if resend_uncertain else 0
                to_send += counts.get("failed", 0) if resend_failed else 0
            plans.append(
                LanguagePlan(
                    lang=lang,
                    subject=result.emails[lang].subject,
                    to_send=to_send,
                    frozen=record is not None,
                    accepted=counts.get("accepted", 0),
                    uncertain=counts.get("uncertain", 0) + counts.get("submitting", 0),
                    failed=counts.get("failed", 0),
                )
            )
    if problems:
        raise UserError(problems)
    warnings = [*result.warnings, *_one_click_warning(config, name, books)]
    return SendPlan(
        config,
        result,
        loaded.id,
        name,
        plans,
        resend_uncertain,
        schedule,
        warnings,
        resend_failed=resend_failed,
        rehearsal=books,
        recovered=recovered,
    )


def _recover(config: Config, ledger: Ledger, issue_id: str) -> int:
    """Rows a dead run left ``submitting`` become ``uncertain``, before anything is planned
    from the ledger; done only when no other send of the issue runs (a live one's rows
    ``submitting`` are in its hands). Returns how many."""
    try:
        with send_lock(lock_path(config, issue_id), issue_id):
            return ledger.recover(issue_id)
    except UserError:
        return 0  # another send runs: run_send will refuse; the plan only reports


def _one_click_warning(config: Config, provider: str, books: str) -> list[Problem]:
    """Gmail and Yahoo require one-click unsubscribe (RFC 8058) of bulk senders."""
    group = provider == "sendgrid" and config.file.sendgrid.unsubscribe_group is not None
    if books or group or one_click(config):
        return []
    endpoint = "[delivery] unsubscribe_url (an endpoint taking RFC 8058 POSTs)"
    hint = f"set [sendgrid] unsubscribe_group, or {endpoint}"
    if provider != "sendgrid":
        hint = f"set {endpoint}, or send through SendGrid with an unsubscribe group"
    message = (
        "these messages offer no one-click unsubscribe: Gmail and Yahoo require it of bulk "
        "senders and may refuse or junk the mail"
    )
    return [Problem(CONFIG_NAME, None, message, Severity.WARNING, hint)]


def run_send(
    plan: SendPlan,
    *,
    progress: Progress | None = None,
    policy: RetryPolicy | None = None,
    provider: Provider | None = None,
) -> SendSummary:
    """Send what ``plan`` says, under the issue's lock, recording everything in the ledger.

    Raises :class:`SendStopped`, with what was handed over so far, when the provider refuses
    the whole send; the recipients it had not taken stay ``pending`` for the next run.
    """
    config = plan.config
    policy = policy or RetryPolicy()
    provider = provider or make_provider(config, plan.provider)
    secret = unsubscribe_secret(config, required=plan.provider != "outbox")
    with send_lock(lock_path(config, plan.issue_id), plan.issue_id), closing(connect(config)) as db:
        ledger = Ledger(db, plan.rehearsal)
        recovered = plan.recovered + ledger.recover(plan.issue_id)
        try:
            try:
                batches = _start(plan, ledger, provider)
                for lang_plan in plan.languages:
                    lang = lang_plan.lang
                    _send_language(
                        plan, lang, batches[lang], ledger, provider, secret, policy, progress
                    )
            finally:
                provider.close()
        except (StopSending, ProviderChanged) as exc:
            problem = Problem(provider.name, None, str(exc))
            raise SendStopped([problem], _summary(plan, ledger, recovered)) from None
        except UserError as exc:
            raise SendStopped(exc.problems, _summary(plan, ledger, recovered)) from None
        return _summary(plan, ledger, recovered)


def _summary(plan: SendPlan, ledger: Ledger, recovered: int) -> SendSummary:
    counts = ledger.counts(plan.issue_id)
    deferred = ledger.given_up(plan.issue_id)
    unfinished = deferred + sum(
        counts.get(lp.lang, {}).get(state, 0)
        for lp in plan.languages
        for state in ("uncertain", "submitting")
    )
    return SendSummary(counts, deferred, recovered, unfinished)


def _start(
    plan: SendPlan, ledger: Ledger, provider: Provider
) -> dict[str, tuple[str | None, dt.datetime | None]]:
    """Fix every language's recipients at once, before any is sent; per language, the
    provider's batch id and delivery time."""
    issue_id = plan.issue_id
    for lang_plan in plan.languages:
        ledger.freeze(issue_id, lang_plan.lang, provider.name)
    batches = {}
    for lang_plan in plan.languages:
        lang = lang_plan.lang
        if plan.resend_uncertain:
            ledger.requeue(issue_id, lang, "uncertain")
        if plan.resend_failed:
            ledger.requeue(issue_id, lang, "failed")
        ledger.restart_retries(issue_id, lang)
        batches[lang] = ensure_batch_id(plan, lang, ledger, provider)
    return batches


def _send_language(
    plan: SendPlan,
    lang: str,
    batch: tuple[str | None, dt.datetime | None],
    ledger: Ledger,
    provider: Provider,
    secret: bytes,
    policy: RetryPolicy,
    progress: Progress | None,
) -> None:
    issue_id, config = plan.issue_id, plan.config
    batch_id, send_at = batch
    total = ledger.counts(issue_id).get(lang, {}).get("pending", 0)
    done, tries = 0, dict[int, int]()
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
            batch_sent: Batch | None = None
            try:
                batch_sent = Batch(
                    issue_id=issue_id,
                    lang=lang,
                    email=email,
                    recipients=[recipient(config, secret, r.email, r.name, lang) for r in rows],
                    date=date,
                    batch_key=request,
                    send_at=send_at,
                    provider_batch_id=batch_id,
                )
                results = provider.send(batch_sent)
            except StopSending:
                ledger.release(rows)
                raise
            except BaseException:  # a bug, Ctrl-C: only what the provider began may have gone
                ledger.interrupted(rows, batch_sent.handed if batch_sent else set())
                raise
            done_outcomes = list(_outcomes(rows, results, tries, policy))
            done += sum(1 for _, r, when in done_outcomes if r.outcome is not Outcome.RETRY)
            done += sum(1 for _, _, when in done_outcomes if when == GIVEN_UP)
            if progress is not None:
                progress(lang, done, total)
    finally:
        ledger.record(done_outcomes)  # what was answered is kept, whatever stopped the loop


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
