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
from _csv import Reader as CsvReader
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from flemletter.config import Config
from flemletter.delivery.addresses import address_key, key_of_normalized, lookalike_domain
from flemletter.delivery.addresses import normalized_address as normalized_address  # re-exported
from flemletter.delivery.database import connect
from flemletter.delivery.personal import token_address, unsubscribe_secret
from flemletter.delivery.shown import control_characters, for_spreadsheet, for_terminal
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
    warnings: list[Problem] = field(default_factory=list)
    """Rows imported that deserve a look (a look-alike domain)."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_csv(config: Config, path: Path) -> tuple[list[tuple[int, Subscriber]], list[Problem]]:
    """Every row of ``path`` checked: the good ones with their line, and a problem per bad one
    (all of them, so one round of fixes is enough)."""
    shown = display_path(path, config.root)
    wrong_encoding = _wrong_encoding(path, shown)
    if wrong_encoding is not None:
        return [], [wrong_encoding]
    source, problems = read_text(path, shown)
    if source is None:
        return [], [
            Problem(p.path, p.line, p.message, hint="save it as 'CSV UTF-8' (Excel: Save As)")
            if "UTF-8" in p.message
            else p
            for p in problems
        ]
    text = source.text
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        return [], [Problem(shown, reader.line_num, f"the header row cannot be read: {exc}")]
    header_problem = _header_problem(header, shown)
    if header_problem is not None:
        return [], [header_problem]
    good: list[tuple[int, Subscriber]] = []
    seen: dict[str, int] = {}
    for line, row, row_problem in _rows(reader, header, shown):
        if row_problem is not None:
            problems.append(row_problem)
            continue
        if not any(row):
            continue  # a blank line
        cells = {k: v.strip() for k, v in zip(header, row, strict=True)}
        email, row_problems = _checked_row(config, cells, shown, line)
        if email is None or row_problems:
            problems += row_problems
            continue
        key = key_of_normalized(email)
        if key in seen:
            message = f"'{for_terminal(email)}' appears twice (also on line {seen[key]})"
            problems.append(Problem(shown, line, message))
            continue
        seen[key] = line
        good.append((line, _subscriber(email, cells)))
    return good, problems


def _wrong_encoding(path: Path, shown: str) -> Problem | None:
    """A problem if ``path`` is UTF-16 (Excel's 'Unicode Text'), which reads as garbage."""
    try:
        start = path.read_bytes()[:4]
    except OSError:
        return None  # read_text says so
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in start:
        return Problem(
            shown, 1, "the file is UTF-16, not UTF-8",
            hint="save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8 (Comma delimited))",
        )  # fmt: skip
    return None


def _header_problem(header: list[str], shown: str) -> Problem | None:
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    twice = sorted({c for c in header if header.count(c) > 1})
    if not (missing or unknown or twice):
        return None
    wanted = ", ".join(REQUIRED + OPTIONAL)
    what = (
        [f"no '{c}' column" for c in missing]
        + [f"unknown column '{for_terminal(c)}'" for c in unknown]
        + [f"column '{c}' appears twice" for c in twice]
    )
    return Problem(shown, 1, "; ".join(what), hint=f"the header row names each of: {wanted}")


def _rows(
    reader: CsvReader, header: list[str], shown: str
) -> Iterator[tuple[int, list[str], Problem | None]]:
    """Each row with its line, or the problem with it: a cell count other than the header's,
    a control character (line break, escape) in a cell, or a broken quote (which ends the
    reading: after it, where a row starts is a guess)."""
    while True:
        start = reader.line_num + 1  # a quoted cell may hold line breaks: name the row's first
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = 'a cell that starts with " must end with "; write "" for a quote inside it'
            yield (
                reader.line_num,
                [],
                Problem(shown, reader.line_num, f"broken quoting: {exc}", hint=hint),
            )
            return
        line = start
        if row and len(row) != len(header):
            message = f"{len(row)} cell(s), but the header has {len(header)}"
            hint = 'a comma inside a name needs quotes around the cell: "Berg, Anna"'
            yield line, row, Problem(shown, line, message, hint=hint)
            continue
        bad = [(col, control_characters(cell)) for col, cell in zip(header, row, strict=False)]
        bad = [(col, chars) for col, chars in bad if chars]
        if bad:
            what = "; ".join(
                f"'{col}' holds control character(s) {', '.join(chars)}" for col, chars in bad
            )
            hint = "remove line breaks and invisible characters from the cell"
            yield line, row, Problem(shown, line, what, hint=hint)
            continue
        yield line, row, None


def _checked_row(
    config: Config, cells: dict[str, str], shown: str, line: int
) -> tuple[str | None, list[Problem]]:
    """The row's address normalised (``None`` if it is not one), and the row's problems."""
    problems = []
    email: str | None = None
    try:
        email = normalized_address(cells["email"])
    except ValueError as exc:
        problems.append(Problem(shown, line, for_terminal(str(exc))))
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
        new, unchanged, warnings = [], 0, []
        for line, subscriber in good:
            existing = known.get(key_of_normalized(subscriber.email))
            if existing is None:
                new.append(subscriber)
                lookalike = lookalike_domain(subscriber.email)
                if lookalike is not None:
                    message = f"'{subscriber.email}': {lookalike}"
                    hint = "check the address with the subscriber; unsubscribe it if it is a trick"
                    warnings.append(Problem(shown, line, message, Severity.WARNING, hint))
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
    return ImportResult(added=len(new), unchanged=unchanged, skipped=skipped, warnings=warnings)


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
    if name is not None and control_characters(name):
        message = f"the name holds control character(s) {', '.join(control_characters(name))}"
        raise UserError([Problem("command line", None, message, hint="give the name on one line")])
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
    secret = unsubscribe_secret(config, required=True)
    with closing(connect(config)) as db:
        listed = [row[0] for row in db.execute("SELECT email FROM subscribers")]
    address = token_address(secret, token, listed)
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
        writer.writerow([for_spreadsheet(getattr(subscriber, column) or "") for column in EXPORTED])
        count += 1
    return count


def counts(config: Config) -> dict[tuple[str, str], int]:
    """Number of subscribers per (language, status)."""
    with closing(connect(config)) as db:
        rows = db.execute(
            "SELECT language, status, COUNT(*) FROM subscribers GROUP BY language, status"
        ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}
