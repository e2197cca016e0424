"""The SQLite file holding the subscribers and the send ledger.

One file for both, so freezing a send's recipient list from the subscribers is one
transaction. A send is keyed on its issue, language and ``rehearsal``: ``''`` for the real
send, else the name of the rehearsal (``outbox``, ``sendgrid-sandbox``), so that a rehearsal
never counts as delivery. WAL lets ``status`` read while a send writes; ``synchronous=FULL``
makes every committed state change survive a crash of the machine, not only of the process.

``PRAGMA user_version`` records which changes a file has had; :func:`connect` brings an older
file up to date (:data:`SCHEMA_VERSION`) in one transaction before anything else reads it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flemletter.config import Config
from flemletter.delivery.addresses import address_key
from flemletter.problems import Problem, UserError, display_path

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    address_key TEXT,  -- delivery.addresses.address_key(email); unique (version 1)
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

# Version 2: sends get a ``rehearsal``; both tables are rebuilt with it (SQLite cannot change
# a key in place). Their outbox sends were rehearsals; every other send was real.
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


def _add_rehearsals(db: sqlite3.Connection) -> None:
    """Version 2: a rehearsal (the outbox, SendGrid's sandbox) keeps books of its own."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(sends)")}
    if "rehearsal" in columns:
        return
    statement = ""
    for piece in MIGRATE_REHEARSAL.format(schema=SCHEMA).split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):  # a ";" in a comment does not end it
            if statement.strip(" \n;"):
                db.execute(statement)
            statement = ""


def database_path(config: Config) -> Path:
    return config.root / config.file.subscribers.database


last_opened = "the subscriber database"
"""The file :func:`connect` last opened, for an error SQLite raises later (a lock held
by another flemletter at a write): see :func:`database_error`."""
BUSY_SECONDS = 5.0
"""How long to wait for another flemletter's write before saying the file is in use."""
OUR_TABLES = {"subscribers", "deliveries"}
DAMAGED_HINT = "put back your latest backup of it, or move it away to start a new list"


def connect(config: Config) -> sqlite3.Connection:
    """Open (and create, if new) the database; transactions are explicit (``with db:``).

    A file that is not a flemletter database (damaged, cut short, a JPEG, another program's
    SQLite), one made by a newer flemletter, or one held by another flemletter is a
    :class:`UserError` in one sentence: which file, what is wrong, what to do.
    """
    path = database_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = display_path(path, config.root)
    global last_opened
    last_opened = shown
    _check_header(path, shown)
    db = sqlite3.connect(path, timeout=BUSY_SECONDS)
    try:
        db.row_factory = sqlite3.Row
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and not tables & OUR_TABLES:
            raise _refused(
                shown,
                "is another program's database, not flemletter's",
                "point [subscribers] database in flemletter.toml at another file",
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _refused(
                shown,
                "was written by a newer flemletter",
                "update flemletter (pip install -U flemletter) and run it again",
            )
        db.execute("PRAGMA journal_mode=WAL")  # only now: it rewrites the file's header
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
        if version < SCHEMA_VERSION:
            _upgrade(db)
    except sqlite3.Error as exc:
        db.close()
        raise database_error(exc, shown) from None
    except BaseException:
        db.close()
        raise
    return db


def database_error(exc: sqlite3.Error, shown: str | None = None) -> UserError:
    """``exc`` from SQLite as one plain sentence about the file ``shown`` (by default the
    one last opened)."""
    shown = shown or last_opened
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return _refused(
            shown,
            "is in use by another flemletter",
            "wait until it has finished (see 'flemletter status') and run again",
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return _refused(shown, "is damaged or cut short", DAMAGED_HINT)
    return _refused(
        shown, f"cannot be used ({exc})", "check that the file and its folder can be written"
    )


def _check_header(path: Path, shown: str) -> None:
    """A file that exists but does not start as an SQLite file does (a JPEG, a text file)."""
    try:
        with path.open("rb") as file:
            start = file.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _refused(shown, f"cannot be read ({exc.strerror})", "check its permissions") from None
    if start and start != b"SQLite format 3\x00":
        if len(start) < 16 and b"SQLite format 3".startswith(start):
            raise _refused(shown, "is damaged or cut short", DAMAGED_HINT)
        raise _refused(
            shown,
            "is not a flemletter database (not an SQLite file at all)",
            "point [subscribers] database in flemletter.toml at the right file",
        )


def _refused(shown: str, what: str, hint: str) -> UserError:
    return UserError([Problem(shown, None, f"the subscriber database {what}", hint=hint)])


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a file made by an older flemletter (or just created) to :data:`SCHEMA_VERSION`."""
    with db:
        db.execute("BEGIN IMMEDIATE")  # another process may be upgrading the same file
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        if version < 1:
            _add_address_keys(db)
        if version < 2:
            _add_rehearsals(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _add_address_keys(db: sqlite3.Connection) -> None:
    """Version 1: every subscriber gets its :func:`address_key`, unique from now on.

    Older files compared addresses with ``NOCASE`` only, so one person may be on the list
    twice (``Ärla@…`` and ``ärla@…``). Such rows become one: the unsubscribed one if any (an
    unsubscribe is never undone), otherwise the first added.
    """
    columns = {row["name"] for row in db.execute("PRAGMA table_info(subscribers)")}
    if "address_key" not in columns:
        db.execute("ALTER TABLE subscribers ADD COLUMN address_key TEXT")
    rows = db.execute(
        "SELECT rowid, email, status, added_at FROM subscribers"
        " ORDER BY status = 'unsubscribed' DESC, added_at, rowid"
    ).fetchall()
    kept: set[str] = set()
    for row in rows:
        key = address_key(row["email"])
        if key in kept:
            db.execute("DELETE FROM subscribers WHERE rowid = ?", (row["rowid"],))
            continue
        kept.add(key)
        db.execute("UPDATE subscribers SET address_key = ? WHERE rowid = ?", (key, row["rowid"]))
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS subscribers_by_key ON subscribers (address_key)")
    # An older flemletter does not know the key: a row it added would be found by no lookup.
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS subscribers_need_a_key BEFORE INSERT ON subscribers"
        " WHEN NEW.address_key IS NULL BEGIN"
        " SELECT RAISE(ABORT, 'this database was upgraded by a newer flemletter: update it');"
        " END"
    )
