"""The subscriber list: import from CSV, add, unsubscribe (by address or token), list, export,
count.

Two spellings of one address are one subscriber, whatever their case, script or way of
writing the domain: every lookup goes by :func:`~flemletter.delivery.addresses.address_key`,
stored beside the address (see :mod:`flemletter.delivery.addresses`). An import checks
every row first and reports each bad one with its line; then it imports all rows or, with
``skip_bad``, the good ones: never half of the file silently. An address that unsubscribed is
never re-added by an import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from flemletter.config import Config
from flemletter.delivery.addresses import address_key, key_of_normalized
from flemletter.delivery.addresses import normalized_address as normalized_address  # re-exported
from flemletter.delivery.database import connect
from flemletter.delivery.personal import token_address, unsubscribe_secret
from flemletter.problems import Problem, Severity, UserError, did_you_mean, display_path
from flemletter.sources import read_text

REQUIRED = ("email", "language")
OPTIONAL = ("name", "consent_date", "consent_source")
EXPORTED = ("email", "name", "language", "status", "consent_date", "consent_source",
            "unsubscribed_at", "added_at")  # fmt: skip


@dataclass(frozen=True)
class Subscriber:
    email: str
    language: str
    name: str | None = None
    status: str = "active"
    consent_date: str | None = None
    consent_source: str | None = None
    unsubscribed_at: str | None = None
    added_at: str | None = None


@dataclass(frozen=True)
class ImportResult:
    added: int
    unchanged: int
    """Rows whose address was already subscribed."""
    skipped: list[Problem]
    """Bad rows left out (only with ``skip_bad``)."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_csv(config: Config, path: Path) -> tuple[list[tuple[int, Subscriber]], list[Problem]]:
    """Every row of ``path`` checked: the good ones with their line, and a problem per bad one."""
    shown = display_path(path, config.root)
    source, problems = read_text(path, shown)
    if source is None:
        return [], problems
    reader = csv.DictReader(io.StringIO(source.text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        wanted = ", ".join(REQUIRED + OPTIONAL)
        what = [f"no '{c}' column" for c in missing] + [f"unknown column '{c}'" for c in unknown]
        return [], [Problem(shown, 1, "; ".join(what), hint=f"the header row names: {wanted}")]
    good: list[tuple[int, Subscriber]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        email, row_problems = _checked_row(config, cells, shown, line)
        if email is None or row_problems:
            problems += row_problems
            continue
        key = key_of_normalized(email)
        if key in seen:
            message = f"'{email}' appears twice (also on line {seen[key]})"
            problems.append(Problem(shown, line, message))
            continue
        seen[key] = line
        good.append((line, _subscriber(email, cells)))
    return good, problems


def _checked_row(
    config: Config, cells: dict[str, str], shown: str, line: int
) -> tuple[str | None, list[Problem]]:
    """The row's address normalised (``None`` if it is not one), and the row's problems."""
    problems = []
    email: str | None = None
    try:
        email = normalized_address(cells["email"])
    except ValueError as exc:
        problems.append(Problem(shown, line, str(exc)))
    lang = cells["language"]
    if lang not in config.languages:
        known = ", ".join(config.languages)
        hint = did_you_mean(lang, config.languages) or f"use one of: {known}"
        problems.append(Problem(shown, line, f"unknown language '{lang}'", hint=hint))
    if cells.get("consent_date"):
        try:
            dt.date.fromisoformat(cells["consent_date"])
        except ValueError:
            message = f"consent_date '{cells['consent_date']}' is not a date"
            problems.append(Problem(shown, line, message, hint="write dates as YYYY-MM-DD"))
    return email, problems


def _subscriber(email: str, cells: dict[str, str]) -> Subscriber:
    return Subscriber(
        email=email,
        language=cells["language"],
        name=cells.get("name") or None,
        consent_date=cells.get("consent_date") or None,
        consent_source=cells.get("consent_source") or None,
    )


def import_csv(config: Config, path: Path, *, skip_bad: bool = False) -> ImportResult:
    """Import every good row of ``path``; bad rows abort it, or with ``skip_bad`` are left out."""
    good, problems = read_csv(config, path)
    shown = display_path(path, config.root)
    with closing(connect(config)) as db, db:
        db.execute("BEGIN IMMEDIATE")  # nobody adds between the check and the insert
        known = {
            r["address_key"]: r for r in db.execute("SELECT address_key, status FROM subscribers")
        }
        new, unchanged = [], 0
        for line, subscriber in good:
            existing = known.get(key_of_normalized(subscriber.email))
            if existing is None:
                new.append(subscriber)
            elif existing["status"] == "unsubscribed":
                message = f"'{subscriber.email}' has unsubscribed; an import does not re-add them"
                problems.append(Problem(shown, line, message, hint="remove the row"))
            else:
                unchanged += 1
        if problems and not skip_bad:
            way_out = None
            if new:
                way_out = (
                    f"Fix the rows above and import again, or run the same command with "
                    f"--skip-bad to import the {len(new)} good row(s) now and leave those out."
                )
            raise UserError(problems, way_out=way_out)
        _insert(db, new)
    skipped = [Problem(p.path, p.line, p.message, Severity.WARNING, p.hint) for p in problems]
    return ImportResult(added=len(new), unchanged=unchanged, skipped=skipped)


def _insert(db: sqlite3.Connection, subscribers: list[Subscriber]) -> None:
    stamp = now()
    db.executemany(
        "INSERT INTO subscribers"
        " (email, address_key, name, language, consent_date, consent_source, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                s.email,
                key_of_normalized(s.email),
                s.name,
                s.language,
                s.consent_date,
                s.consent_source,
                stamp,
            )
            for s in subscribers
        ],
    )


def add(config: Config, email: str, language: str, name: str | None = None) -> Subscriber:
    """Subscribe one address (consent source: ``flemletter subscribers add``)."""
    cells = {"email": email, "language": language}
    normalized, problems = _checked_row(config, cells, "subscribers", 0)
    if normalized is None or problems:
        raise UserError([Problem("command line", None, p.message, hint=p.hint) for p in problems])
    subscriber = Subscriber(
        normalized, language, name, consent_date=now()[:10], consent_source="add"
    )
    with closing(connect(config)) as db, db:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "SELECT email, status FROM subscribers WHERE address_key = ?",
            (key_of_normalized(subscriber.email),),
        ).fetchone()
        if row is not None:
            message = f"'{email.strip()}' is already on the list ({row['status']})"
            if row["email"] != email.strip():
                message += f" as '{row['email']}'"
            raise UserError([Problem("command line", None, message)])
        _insert(db, [subscriber])
    return subscriber


def unsubscribe(config: Config, email: str) -> bool:
    """Mark ``email`` (however it is written) unsubscribed; ``False`` when it was not an
    active subscriber."""
    with closing(connect(config)) as db, db:
        changed = db.execute(
            "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?"
            " WHERE address_key = ? AND status = 'active'",
            (now(), address_key(email)),
        ).rowcount
    return changed > 0


def unsubscribe_address(config: Config, given: str) -> str:
    """Who ``given`` names: an address, or a token from an unsubscribe email's subject or
    link (``unsubscribe <token>``, ``…?token=<token>``), verified with the signing secret."""
    given = given.strip()
    if "@" in given:
        return given
    words = given.rpartition("token=")[2].split()
    token = words[-1] if words else ""
    address = token_address(unsubscribe_secret(config, required=True), token)
    if address is None:
        secret_env = config.file.unsubscribe.secret_env
        message = f"'{given}' is neither an address nor a genuine unsubscribe token"
        hint = (
            "copy the token whole from the email's subject; it is checked with the secret in "
            f"{secret_env}, which must be the one the send used"
        )
        raise UserError([Problem("command line", None, message, hint=hint)])
    return address


def subscribers(config: Config) -> Iterator[Subscriber]:
    """Everyone on the list, unsubscribed too, by language and address."""
    with closing(connect(config)) as db:
        for row in db.execute(
            f"SELECT {', '.join(EXPORTED)} FROM subscribers ORDER BY language, email"
        ):
            yield Subscriber(**dict(row))


def export(config: Config, out: TextIO) -> int:
    """Write the whole list as CSV (the import's columns plus status and dates)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORTED)
    count = 0
    for subscriber in subscribers(config):
        writer.writerow([getattr(subscriber, column) or "" for column in EXPORTED])
        count += 1
    return count


def counts(config: Config) -> dict[tuple[str, str], int]:
    """Number of subscribers per (language, status)."""
    with closing(connect(config)) as db:
        rows = db.execute(
            "SELECT language, status, COUNT(*) FROM subscribers GROUP BY language, status"
        ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}
