"""The SQLite file holding the subscribers and the send ledger.

One file for both, so freezing a send's recipient list from the subscribers is one
transaction. A send is keyed on its issue, language and ``rehearsal``: ``''`` for the real
send, else the name of the rehearsal (``outbox``, ``sendgrid-sandbox``), so that a rehearsal
never counts as delivery. WAL lets ``status`` read while a send writes; ``synchronous=FULL``
makes every committed state change survive a crash of the machine, not only of the process.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flemletter.config import Config

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT,
    language TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed')),
    consent_date TEXT,
    consent_source TEXT,
    unsubscribed_at TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
    issue TEXT NOT NULL,
    lang TEXT NOT NULL,
    rehearsal TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    batch_id TEXT,
    send_at INTEGER,
    PRIMARY KEY (issue, lang, rehearsal)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    issue TEXT NOT NULL,
    lang TEXT NOT NULL,
    rehearsal TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL COLLATE NOCASE,
    name TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
        ('pending', 'submitting', 'accepted', 'failed', 'uncertain', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    reason TEXT,
    request TEXT,
    updated_at TEXT,
    UNIQUE (issue, lang, rehearsal, email)
);
CREATE INDEX IF NOT EXISTS deliveries_by_state
    ON deliveries (issue, lang, rehearsal, state, id);
"""

# Databases made before sends had a ``rehearsal``: rebuild both tables with it (SQLite cannot
# change a key in place). Their outbox sends were rehearsals; every other send was real.
MIGRATE_REHEARSAL = """
ALTER TABLE sends RENAME TO sends_before_rehearsal;
ALTER TABLE deliveries RENAME TO deliveries_before_rehearsal;
DROP INDEX IF EXISTS deliveries_by_state;
{schema}
INSERT INTO sends (issue, lang, rehearsal, provider, started_at, batch_id, send_at)
    SELECT issue, lang, CASE provider WHEN 'outbox' THEN 'outbox' ELSE '' END, provider,
        started_at, batch_id, send_at FROM sends_before_rehearsal;
INSERT INTO deliveries (id, issue, lang, rehearsal, email, name, state, attempts,
        next_attempt, reason, request, updated_at)
    SELECT d.id, d.issue, d.lang, CASE s.provider WHEN 'outbox' THEN 'outbox' ELSE '' END,
        d.email, d.name, d.state, d.attempts, d.next_attempt, d.reason, d.request, d.updated_at
    FROM deliveries_before_rehearsal d
    LEFT JOIN sends_before_rehearsal s ON s.issue = d.issue AND s.lang = d.lang;
DROP TABLE deliveries_before_rehearsal;
DROP TABLE sends_before_rehearsal
"""


def _has_rehearsal(db: sqlite3.Connection) -> bool:
    columns = {row[1] for row in db.execute("PRAGMA table_info(sends)")}
    return not columns or "rehearsal" in columns


def _migrate(db: sqlite3.Connection) -> None:
    """Add ``rehearsal`` to an older database, once, whoever opens it first."""
    if _has_rehearsal(db):
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        if _has_rehearsal(db):  # another process migrated it meanwhile
            return
        for statement in MIGRATE_REHEARSAL.format(schema=SCHEMA).split(";"):
            if statement.strip():
                db.execute(statement)


def database_path(config: Config) -> Path:
    return config.root / config.file.subscribers.database


def connect(config: Config) -> sqlite3.Connection:
    """Open (and create, if new) the database; transactions are explicit (``with db:``)."""
    path = database_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30.0)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    _migrate(db)
    db.executescript(SCHEMA)
    return db
