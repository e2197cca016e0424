"""One subscriber, however their address is written: non-ASCII case, an IDNA (punycode) domain,
stray spaces. Unsubscribes by address or token must find them; adding them again must say so,
never crash; a database made before address keys is brought up to date."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from flemletter.config import require_config
from flemletter.delivery.database import SCHEMA_VERSION, database_path
from flemletter.delivery.personal import recipient
from tests.delivery.conftest import flemletter


def statuses(sample: Path) -> dict[str, str]:
    exported = flemletter("subscribers", "export", cwd=sample).stdout
    return {r["email"]: r["status"] for r in csv.DictReader(io.StringIO(exported))}


def add(sample: Path, address: str, lang: str = "sv") -> tuple[int, str]:
    run = flemletter("subscribers", "add", address, "--lang", lang, cwd=sample)
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, run.stdout + run.stderr


def test_letters_beyond_ascii_before_the_at_are_refused_clearly(sample: Path) -> None:
    code, output = add(sample, "Ärla@example.se")
    assert code == 1
    assert "'Ärla@example.se' has letters before the @ that mail servers often cannot" in output
    assert statuses(sample) == {}


def test_the_token_of_an_address_with_a_capital_umlaut_unsubscribes_it(
    sample: Path, secret: str
) -> None:
    assert add(sample, "Arla@Bücher.de")[0] == 0
    # The links a send gives this subscriber, made as the send makes them.
    (stored,) = statuses(sample)
    links = recipient(require_config(sample), secret.encode(), stored, None, "sv")
    subject = parse_qs(urlsplit(links.unsubscribe_mailto).query)["subject"][0]
    run = flemletter("subscribers", "unsubscribe", subject, cwd=sample)
    assert run.returncode == 0, run.stderr
    assert "Unsubscribed arla@bücher.de." in run.stdout
    assert statuses(sample) == {"Arla@bücher.de": "unsubscribed"}


def test_an_unsubscribe_finds_the_address_however_it_is_written(sample: Path) -> None:
    add(sample, "x@bücher.de")
    add(sample, "Osten@Ärla.se")
    add(sample, "anna@example.org", "en")
    for written in ("x@xn--bcher-kva.de", "OSTEN@ÄRLA.SE", "  Anna@Example.org  "):
        run = flemletter("subscribers", "unsubscribe", written, cwd=sample)
        assert run.returncode == 0, run.stderr
        assert "Unsubscribed" in run.stdout, (written, run.stdout)
    assert set(statuses(sample).values()) == {"unsubscribed"}
    again = flemletter("subscribers", "unsubscribe", "X@BÜCHER.DE", cwd=sample)
    assert "was not an active subscriber; nothing changed" in again.stdout
    typo = flemletter("subscribers", "unsubscribe", "nobody@", cwd=sample)
    assert typo.returncode == 0 and "Traceback" not in typo.stderr
    assert "was not an active subscriber" in typo.stdout


def test_adding_an_address_again_in_another_spelling_says_so(sample: Path) -> None:
    assert add(sample, "anna@example.org", "en")[0] == 0
    assert add(sample, "x@bücher.de")[0] == 0
    assert add(sample, "Arla@ärla.se")[0] == 0
    for written, stored in [
        (" anna@example.org", None),
        ("x@xn--bcher-kva.de", "x@bücher.de"),
        ("arla@ärla.se", "Arla@ärla.se"),
        ("ARLA@ÄRLA.SE", "Arla@ärla.se"),
    ]:
        code, output = add(sample, written)
        assert code == 1, output
        assert f"'{written.strip()}' is already on the list (active)" in output
        if stored:
            assert f"as '{stored}'" in output
    assert len(statuses(sample)) == 3


def test_an_import_knows_both_spellings(sample: Path) -> None:
    add(sample, "Arla@ärla.se")
    flemletter("subscribers", "unsubscribe", "Arla@ärla.se", cwd=sample)
    (sample / "list.csv").write_text(
        "email,language\narla@xn--rla-pla.se,sv\nx@bücher.de,sv\nx@xn--bcher-kva.de,sv\n",
        encoding="utf-8",
    )
    run = flemletter("subscribers", "import", "list.csv", cwd=sample)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "list.csv:2: 'arla@ärla.se' has unsubscribed; an import does not re-add" in (run.stderr)
    assert "list.csv:4: 'x@bücher.de' appears twice (also on line 3)" in run.stderr


# The subscribers table as flemletter made it before address keys (schema version 0).
OLD_SUBSCRIBERS = """
CREATE TABLE subscribers (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT,
    language TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed')),
    consent_date TEXT,
    consent_source TEXT,
    unsubscribed_at TEXT,
    added_at TEXT NOT NULL
);
"""


def test_an_older_database_is_upgraded_and_its_duplicates_merged(sample: Path) -> None:
    path = database_path(require_config(sample))
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SUBSCRIBERS)
        db.executemany(
            "INSERT INTO subscribers (email, language, status, added_at) VALUES (?, ?, ?, ?)",
            [
                ("Ärla@example.se", "sv", "active", "2025-01-01T00:00:00+00:00"),
                ("ärla@example.se", "sv", "unsubscribed", "2025-02-01T00:00:00+00:00"),
                ("Östen@example.se", "sv", "active", "2025-01-01T00:00:00+00:00"),
                ("x@bücher.de", "en", "active", "2025-01-01T00:00:00+00:00"),
            ],
        )
    db.close()
    # Two spellings of Ärla: the one who unsubscribed stays, unsubscribed.
    assert statuses(sample) == {
        "ärla@example.se": "unsubscribed",
        "Östen@example.se": "active",
        "x@bücher.de": "active",
    }
    assert (
        "Unsubscribed"
        in flemletter("subscribers", "unsubscribe", "östen@example.se", cwd=sample).stdout
    )
    code, output = add(sample, "x@xn--bcher-kva.de", "en")
    assert code == 1 and "already on the list" in output
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_an_upgraded_database_takes_no_row_without_its_key(sample: Path) -> None:
    add(sample, "anna@example.org", "en")  # creates the database at the current version
    path = database_path(require_config(sample))
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="newer"):
        # what an older flemletter's `subscribers add` does
        db.execute(
            "INSERT INTO subscribers (email, language, added_at) VALUES (?, ?, ?)",
            ("Ärla@example.se", "sv", "2025-01-01T00:00:00+00:00"),
        )
    db.close()
