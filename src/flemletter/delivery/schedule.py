"""Scheduled sends (SendGrid): ``--at`` in each language's time zone, a batch id per issue
and language, and ``--cancel`` through that batch id.

SendGrid accepts a ``send_at`` at most 72 hours ahead and can cancel a scheduled send only
through the ``batch_id`` it was sent with, so the id is made before the first request and
kept in the ledger. It does not promise to cancel within 10 minutes of the time: then
``--cancel`` refuses, since a send it did not stop would be sent again.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from flemletter.config import Config
from flemletter.delivery.database import connect
from flemletter.delivery.ledger import Ledger, SendRecord
from flemletter.delivery.lock import lock_path, send_lock
from flemletter.delivery.providers import Provider, StopSending, make_provider, rehearsal
from flemletter.problems import Problem, UserError

if TYPE_CHECKING:
    from flemletter.delivery.send import SendPlan

MAX_AHEAD = dt.timedelta(hours=72)
CANCEL_BEFORE = dt.timedelta(minutes=10)
AT_FORMAT = "%Y-%m-%d %H:%M"


@runtime_checkable
class Scheduler(Protocol):
    """What a provider that schedules offers besides sending."""

    def new_batch_id(self) -> str: ...

    def cancel(self, batch_id: str) -> None: ...


@dataclass(frozen=True)
class Schedule:
    at: str
    """``--at`` as given: a time on the clock of each language's readers."""
    when: dict[str, dt.datetime]
    """Per language, the moment to deliver, timezone-aware (in the language's zone)."""


def prepare_schedule(
    config: Config,
    provider: str,
    at: str,
    langs: list[str] | tuple[str, ...] = (),
    now: dt.datetime | None = None,
) -> Schedule:
    """``--at "YYYY-MM-DD HH:MM"`` in each language's time zone, checked for every language
    (default: all); a language without its own ``timezone`` uses the publication's."""
    problems = []
    if provider != "sendgrid":
        problems.append(
            Problem(
                "--at",
                None,
                f"the {provider} provider cannot schedule a send",
                hint="use --provider sendgrid, or send without --at",
            )
        )
    try:
        wall = dt.datetime.strptime(at, AT_FORMAT)
    except ValueError:
        hint = 'write it as "YYYY-MM-DD HH:MM", e.g. "2025-11-20 08:00"'
        raise UserError(
            [*problems, Problem("--at", None, f"'{at}' is not a time", hint=hint)]
        ) from None
    now = now or dt.datetime.now(dt.UTC)
    when: dict[str, dt.datetime] = {}
    for lang in langs or config.languages:
        zone = ZoneInfo(config.timezone(lang))
        when[lang] = wall.replace(tzinfo=zone)
        problem = _time_problem(at, when[lang], zone, now)
        if problem is not None and problem not in problems:
            problems.append(problem)  # once per zone, not per language in it
    if problems:
        raise UserError(problems)
    return Schedule(at, when)


def _time_problem(at: str, when: dt.datetime, zone: ZoneInfo, now: dt.datetime) -> Problem | None:
    there = f"{at} ({zone.key})"
    if when.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != when.replace(tzinfo=None):
        hint = "the clocks move forward then; choose a time an hour later"
        return Problem("--at", None, f"{there} does not exist", hint=hint)
    if when <= now:
        return Problem("--at", None, f"{there} is in the past")
    if when - now > MAX_AHEAD:
        return Problem(
            "--at",
            None,
            f"{there} is more than 72 hours ahead",
            hint="SendGrid schedules at most 72 hours ahead; send nearer the time",
        )
    return None


def schedule_problem(record: SendRecord, when: dt.datetime) -> Problem | None:
    """Why ``--at`` cannot apply to a send already handed over at another time, if it cannot.

    A cancelled send has no batch id any more: it may be scheduled anew.
    """
    if record.batch_id is None or record.send_at == int(when.timestamp()):
        return None
    at = f"--at {when:%Y-%m-%d %H:%M} ({when.tzinfo})"
    if record.send_at is None or record.send_at <= time.time():
        message = f"the {record.lang} send of {record.issue} has already gone out; {at} is too late"
        return Problem("--at", None, message, hint="send without --at to continue it")
    zone = when.tzinfo if isinstance(when.tzinfo, ZoneInfo) else None
    first = dt.datetime.fromtimestamp(record.send_at, zone or dt.UTC)
    message = (
        f"the {record.lang} send of {record.issue} is scheduled for {first:%Y-%m-%d %H:%M}, "
        f"not {when:%Y-%m-%d %H:%M}"
    )
    hint = (
        f"to change the time, cancel it (flemletter send {record.issue} --cancel), then send "
        "again with the new --at; to continue it as scheduled, send without --at"
    )
    return Problem("--at", None, message, hint=hint)


def ensure_batch_id(
    plan: SendPlan, lang: str, ledger: Ledger, provider: Provider
) -> tuple[str | None, dt.datetime | None]:
    """The (issue, language)'s batch id and delivery time, made and recorded on first use."""
    record = ledger.send_record(plan.issue_id, lang)
    assert record is not None, "freeze the send first"
    if record.batch_id is None and isinstance(provider, Scheduler):
        send_at = int(plan.schedule.when[lang].timestamp()) if plan.schedule else None
        try:
            batch_id = provider.new_batch_id()
        except StopSending as exc:
            raise UserError([Problem(provider.name, None, str(exc))]) from None
        ledger.set_batch(plan.issue_id, lang, batch_id, send_at)
        record = ledger.send_record(plan.issue_id, lang)
        assert record is not None
    when = None
    if record.send_at is not None and record.send_at > time.time():
        when = dt.datetime.fromtimestamp(record.send_at, dt.UTC)
    return record.batch_id, when


@dataclass(frozen=True)
class Cancelled:
    lang: str
    batch_id: str
    recipients: int


def cancel_send(
    root: Path, config: Config, issue_id: str, langs: tuple[str, ...] = ()
) -> list[Cancelled]:
    """Cancel the scheduled, not yet delivered send of ``issue_id`` through its batch ids.

    The recipients it had go back to ``pending``: a later ``send`` sends them again. Every
    language is checked before any is cancelled, so a refusal cancels nothing.
    """
    provider = make_provider(config, "sendgrid")
    assert isinstance(provider, Scheduler)
    done = []
    with send_lock(lock_path(config, issue_id), issue_id), closing(connect(config)) as db:
        ledger = Ledger(db, rehearsal(config, "sendgrid"))
        ledger.recover(issue_id)  # a dead run's rows in flight: uncertain, so cancelled below
        records = [ledger.send_record(issue_id, lang) for lang in langs or config.languages]
        scheduled = [r for r in records if r is not None and r.batch_id is not None]
        problems = [p for p in map(_cancel_problem, scheduled) if p is not None]
        if problems:
            raise UserError(problems)
        for record in scheduled:
            lang = record.lang
            assert record.batch_id is not None
            try:
                provider.cancel(record.batch_id)
            except StopSending as exc:
                raise UserError([Problem("sendgrid", None, str(exc))]) from None
            # Once cancelled, nothing of that batch goes out: uncertain ones are certain now.
            count = ledger.requeue(issue_id, lang, "accepted")
            count += ledger.requeue(issue_id, lang, "uncertain")
            ledger.set_batch(issue_id, lang, None, None)
            done.append(Cancelled(lang, record.batch_id, count))
    if not done:
        raise UserError([Problem(issue_id, None, f"no scheduled send of {issue_id} to cancel")])
    return done


def _cancel_problem(record: SendRecord) -> Problem | None:
    left = None if record.send_at is None else record.send_at - time.time()
    if left is None or left <= 0:
        message = (
            f"the {record.lang} send of {record.issue} was not scheduled, or its time has come"
        )
        return Problem(record.issue, None, message, hint="nothing was cancelled")
    if left < CANCEL_BEFORE.total_seconds():
        message = (
            f"the {record.lang} send of {record.issue} goes out in {int(left // 60)} minute(s): "
            "SendGrid may no longer stop it, and its readers would then get it twice"
        )
        hint = "nothing was cancelled; SendGrid cancels only until 10 minutes before the time"
        return Problem(record.issue, None, message, hint=hint)
    return None
