"""The send ledger: one row per (issue, language, recipient), recorded before it is handed over.

States: ``pending`` → ``submitting`` (committed just before the provider call) → ``accepted``,
``failed`` (with the provider's reason) or, when the process died in between, ``uncertain``:
it may have gone out, so it is resent only when the user asks. ``skipped`` marks recipients
who unsubscribed after the send started. Nothing moves on when rows are fetched, only when
the provider has been called (listmonk's checkpoint-at-fetch loses mail on a crash).

A :class:`Ledger` keeps the books of one send: the real one (``rehearsal=""``), or a
rehearsal (``outbox``, ``sendgrid-sandbox``) with books of its own, so that rehearsing never
marks anyone as delivered for the real send.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flemletter.delivery.providers.base import Outcome, Result
from flemletter.delivery.subscribers import now

STATES = ("pending", "submitting", "accepted", "failed", "uncertain", "skipped")
GIVEN_UP = 1e18
"""``next_attempt`` of a row this run no longer retries; the next run tries it again."""
DIED_MID_CALL = "the send stopped while handing this over: it may or may not have gone out"
BROKE_MID_CALL = "the send broke off while handing this over: it may or may not have gone out"


@dataclass(frozen=True)
class Row:
    id: int
    email: str
    name: str | None


Outcomes = Iterable[tuple["Row", Result, float]]


@dataclass(frozen=True)
class Failure:
    lang: str
    email: str
    state: str
    reason: str


@dataclass(frozen=True)
class SendRecord:
    issue: str
    lang: str
    rehearsal: str
    provider: str
    started_at: str
    batch_id: str | None
    send_at: int | None


class ProviderChanged(Exception):
    """A send continued through another provider than the one it began with."""

    def __init__(self, record: SendRecord, provider: str) -> None:
        self.record = record
        self.provider = provider
        super().__init__(
            f"the {record.lang} send of {record.issue} began through {record.provider}; "
            f"continuing it through {provider} could mail people twice"
        )


class Ledger:
    def __init__(self, db: sqlite3.Connection, rehearsal: str = "") -> None:
        self.db = db
        self.rehearsal = rehearsal
        """``""``: the books of the real send; else those of this rehearsal."""

    def send_record(self, issue: str, lang: str) -> SendRecord | None:
        row = self.db.execute(
            "SELECT * FROM sends WHERE issue = ? AND lang = ? AND rehearsal = ?",
            (issue, lang, self.rehearsal),
        ).fetchone()
        return None if row is None else SendRecord(**dict(row))

    def freeze(self, issue: str, lang: str, provider: str) -> int:
        """Fix the recipients of (issue, lang) from today's active subscribers, once.

        Refuses (:class:`ProviderChanged`) a provider other than the one the send began with:
        neither knows what the other delivered, so switching could mail people twice.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            record = self.send_record(issue, lang)
            if record is not None:
                if record.provider != provider:
                    raise ProviderChanged(record, provider)
                return 0
            self.db.execute(
                "INSERT INTO sends (issue, lang, rehearsal, provider, started_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (issue, lang, self.rehearsal, provider, now()),
            )
            return self.db.execute(
                "INSERT INTO deliveries (issue, lang, rehearsal, email, name, updated_at)"
                " SELECT ?, ?, ?, email, name, ? FROM subscribers"
                " WHERE language = ? AND status = 'active' ORDER BY email",
                (issue, lang, self.rehearsal, now(), lang),
            ).rowcount

    def set_batch(self, issue: str, lang: str, batch_id: str | None, send_at: int | None) -> None:
        with self.db:
            self.db.execute(
                "UPDATE sends SET batch_id = ?, send_at = ?"
                " WHERE issue = ? AND lang = ? AND rehearsal = ?",
                (batch_id, send_at, issue, lang, self.rehearsal),
            )

    def recover(self, issue: str) -> int:
        """After a crash: rows left ``submitting`` become ``uncertain`` (call under the lock)."""
        with self.db:
            return self.db.execute(
                "UPDATE deliveries SET state = 'uncertain', reason = ?, updated_at = ?"
                " WHERE issue = ? AND state = 'submitting'",
                (DIED_MID_CALL, now(), issue),
            ).rowcount

    def requeue(self, issue: str, lang: str, state: str) -> int:
        """Rows in ``state`` go back to ``pending`` (``--resend-uncertain``, ``--resend-failed``,
        a cancelled send)."""
        with self.db:
            return self.db.execute(
                "UPDATE deliveries SET state = 'pending', next_attempt = 0, reason = NULL,"
                " updated_at = ? WHERE issue = ? AND lang = ? AND rehearsal = ? AND state = ?",
                (now(), issue, lang, self.rehearsal, state),
            ).rowcount

    def restart_retries(self, issue: str, lang: str) -> None:
        with self.db:
            self.db.execute(
                "UPDATE deliveries SET next_attempt = 0"
                " WHERE issue = ? AND lang = ? AND rehearsal = ? AND state = 'pending'",
                (issue, lang, self.rehearsal),
            )

    def claim(
        self, issue: str, lang: str, size: int, request: str, done: Outcomes = ()
    ) -> tuple[list[Row], int]:
        """The next due rows, marked ``submitting`` in one transaction before the hand-over.

        ``done``, the previous batch's outcomes, are stored in the same transaction: one
        durable write per message instead of two. Recipients who unsubscribed since the send
        started are marked ``skipped`` instead; their number is the second value.
        """
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._store(done)
            rows = self.db.execute(
                "SELECT d.id, d.email, d.name, s.status FROM deliveries d"
                " LEFT JOIN subscribers s ON s.email = d.email"
                " WHERE d.issue = ? AND d.lang = ? AND d.rehearsal = ? AND d.state = 'pending'"
                " AND d.next_attempt <= ? ORDER BY d.id LIMIT ?",
                (issue, lang, self.rehearsal, time.time(), size),
            ).fetchall()
            gone = [(now(), r["id"]) for r in rows if r["status"] != "active"]
            self.db.executemany(
                "UPDATE deliveries SET state = 'skipped', reason = 'unsubscribed during the send',"
                " updated_at = ? WHERE id = ?",
                gone,
            )
            claimed = [Row(r["id"], r["email"], r["name"]) for r in rows if r["status"] == "active"]
            self.db.executemany(
                "UPDATE deliveries SET state = 'submitting', request = ?, updated_at = ?"
                " WHERE id = ?",
                [(request, now(), r.id) for r in claimed],
            )
        return claimed, len(gone)

    def release(self, rows: Iterable[Row]) -> None:
        """Rows claimed but not handed over (the provider refused the whole send)."""
        with self.db:
            self.db.executemany(
                "UPDATE deliveries SET state = 'pending' WHERE id = ? AND state = 'submitting'",
                [(r.id,) for r in rows],
            )

    def interrupted(self, rows: Iterable[Row], handed: set[str]) -> None:
        """A batch broken off by an unexpected error: the rows whose message the provider had
        begun to hand over (``handed``) become ``uncertain``; the others were never handed
        over and go back to ``pending``."""
        handed = {e.lower() for e in handed}
        stamp = now()
        with self.db:
            self.db.executemany(
                "UPDATE deliveries SET state = ?, reason = ?, updated_at = ?"
                " WHERE id = ? AND state = 'submitting'",
                [
                    ("uncertain", BROKE_MID_CALL, stamp, r.id)
                    if r.email.lower() in handed
                    else ("pending", None, stamp, r.id)
                    for r in rows
                ],
            )

    def record(self, outcomes: Outcomes) -> None:
        """Store each outcome; for ``RETRY``, the third value is when to try again."""
        with self.db:
            self._store(outcomes)

    def _store(self, outcomes: Outcomes) -> None:
        stamp = now()
        updates = []
        for row, result, next_attempt in outcomes:
            state = "pending" if result.outcome is Outcome.RETRY else result.outcome.value
            updates.append((state, result.reason or None, next_attempt, stamp, row.id))
        self.db.executemany(
            "UPDATE deliveries SET state = ?, reason = ?, next_attempt = ?,"
            " attempts = attempts + 1, updated_at = ? WHERE id = ?",
            updates,
        )

    def next_retry(self, issue: str, lang: str) -> float | None:
        """When the earliest deferred row is due, or ``None`` if none is left to try this run."""
        value = self.db.execute(
            "SELECT MIN(next_attempt) FROM deliveries WHERE issue = ? AND lang = ?"
            " AND rehearsal = ? AND state = 'pending' AND next_attempt < ?",
            (issue, lang, self.rehearsal, GIVEN_UP),
        ).fetchone()[0]
        return None if value is None else float(value)

    def given_up(self, issue: str) -> int:
        """Rows deferred after every attempt of this run (the next run tries them again)."""
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM deliveries WHERE issue = ? AND rehearsal = ?"
                " AND state = 'pending' AND next_attempt >= ?",
                (issue, self.rehearsal, GIVEN_UP),
            ).fetchone()[0]
        )

    def counts(self, issue: str) -> dict[str, dict[str, int]]:
        """Per language, the number of rows in each state."""
        table: dict[str, dict[str, int]] = {}
        for lang, state, count in self.db.execute(
            "SELECT lang, state, COUNT(*) FROM deliveries WHERE issue = ? AND rehearsal = ?"
            " GROUP BY lang, state",
            (issue, self.rehearsal),
        ):
            table.setdefault(lang, dict.fromkeys(STATES, 0))[state] = count
        return table

    def problems(
        self, issue: str, states: tuple[str, ...] = ("failed", "uncertain")
    ) -> list[Failure]:
        marks = ", ".join("?" * len(states))
        rows = self.db.execute(
            f"SELECT lang, email, state, reason FROM deliveries WHERE issue = ? AND rehearsal = ?"
            f" AND (state IN ({marks}) OR (state = 'pending' AND reason IS NOT NULL))"
            " ORDER BY lang, state, email",
            (issue, self.rehearsal, *states),
        )
        return [Failure(r["lang"], r["email"], r["state"], r["reason"] or "") for r in rows]

    def accepted_requests(self, issue: str, lang: str) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT request FROM deliveries WHERE issue = ? AND lang = ?"
            " AND rehearsal = ? AND state = 'accepted'",
            (issue, lang, self.rehearsal),
        )
        return [r[0] for r in rows]
