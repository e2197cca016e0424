"""The SQLite file holding the subscribers and the send ledger.

One file for both, so freezing a send's recipient list from the subscribers is one
transaction. WAL lets ``status`` read while a send writes; ``synchronous=FULL`` makes every
committed state change survive a crash of the machine, not only of the process.
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
    provider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    batch_id TEXT,
    send_at INTEGER,
    PRIMARY KEY (issue, lang)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    issue TEXT NOT NULL,
    lang TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE,
    name TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
        ('pending', 'submitting', 'accepted', 'failed', 'uncertain', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    reason TEXT,
    request TEXT,
    updated_at TEXT,
    UNIQUE (issue, lang, email)
);
CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (issue, lang, state, id);
"""


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
    db.executescript(SCHEMA)
    return db
