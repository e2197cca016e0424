"""Class 5 of issue 11: subscriber data in and out is safe. A CSV that Excel, Numbers or a
hand edit produced is read right or refused with its line; nothing of a file with errors is
imported; an export never carries a formula a spreadsheet would run; nothing printed from
subscriber data can drive the terminal."""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery import database
from flemletter.delivery.database import SCHEMA_VERSION, connect, database_path
from flemletter.delivery.shown import for_spreadsheet, for_terminal
from flemletter.delivery.subscribers import add, counts, export, import_csv, read_csv
from flemletter.problems import UserError


def write(sample: Path, data: bytes) -> Path:
    path = sample / "list.csv"
    path.write_bytes(data)
    return path


def problems_of(sample: Path, data: bytes) -> list[str]:
    config = require_config(sample)
    _, problems = read_csv(config, write(sample, data))
    return [str(p) for p in problems]


def nobody(sample: Path) -> bool:
    return sum(counts(require_config(sample)).values()) == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'email,language,name\na@example.org,en,"Anna\nb@example.org,sv,B\n', "broken quoting"),
        (b"email,language,name\na@example.org,en,Anna,extra\n", "list.csv:2: 4 cell(s)"),
        (b"email,language,name\na@example.org,en\n", "list.csv:2: 2 cell(s)"),
        (b"email,language,email\na@example.org,en,b@example.org\n", "appears twice"),
        (b"email,language,name\na@example.org,en,Anna\x1b[2J\n", "control character(s) U+001B"),
        (b'email,language,name\na@example.org,en,"An\rna"\n', "control character(s) U+000D"),
        ("email,language,name\na@example.org,en,Anna\n".encode("utf-16"), "UTF-16"),
        ("email,language,name\na@example.org,en,Åsa\n".encode("cp1252"), "not UTF-8"),
    ],
    ids=[
        "open-quote",
        "more-cells",
        "fewer-cells",
        "header-twice",
        "escape",
        "cr",
        "utf16",
        "cp1252",
    ],
)
def test_a_broken_file_is_refused_at_its_line_and_nothing_imported(
    sample: Path, data: bytes, expected: str
) -> None:
    good_row = b"ok@example.org,en,Ok\n"
    path = write(sample, data + (good_row if b"\x00" not in data else b""))
    with pytest.raises(UserError) as raised:
        import_csv(require_config(sample), path)
    assert expected in "\n".join(str(p) for p in raised.value.problems)
    assert nobody(sample)


def test_every_problem_is_listed_at_once(sample: Path) -> None:
    found = problems_of(
        sample,
        b"email,language,name\na@example.org,en,A,B\nb@example.org,en,\x07\nnot-one,en,C\n",
    )
    assert [p.split(":")[1] for p in found] == ["2", "3", "4"]


@pytest.mark.parametrize(
    "data",
    [
        b"email;language;name\na@example.org;sv;Berg, Anna\n",  # Swedish Excel: semicolons
        b'\xef\xbb\xbfemail,language,name\na@example.org,sv,"Berg, Anna"\n',  # CSV UTF-8
        b"\xef\xbb\xbfemail;language;name\r\na@example.org;sv;Berg, Anna\r\n",
    ],
    ids=["semicolon", "bom", "bom-semicolon-crlf"],
)
def test_what_excel_writes_is_read(sample: Path, data: bytes) -> None:
    config = require_config(sample)
    result = import_csv(config, write(sample, data))
    assert result.added == 1
    out = io.StringIO()
    export(config, out)
    (row,) = [r for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert (row["email"], row["name"]) == ("a@example.org", "Berg, Anna")


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]
)
def test_an_export_carries_no_formula(sample: Path, name: str) -> None:
    config = require_config(sample)
    quoted = name.replace('"', '""')
    write(sample, f'email,language,name\na@example.org,en,"{quoted}"\n'.encode())
    if "\t" in name:
        assert for_spreadsheet(name) == "'" + name  # refused at import; the rule still holds
        return
    import_csv(config, sample / "list.csv")
    out = io.StringIO()
    export(config, out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["name"] == "'" + name


@pytest.mark.parametrize(
    "name", ["\x1b[31mRed\x1b[0m", "\x1b]0;owned\x07Title", "Bell\x07", "Left\u202eright"]
)
def test_nothing_printed_from_subscriber_data_drives_the_terminal(sample: Path, name: str) -> None:
    config = require_config(sample)
    with pytest.raises(UserError):
        add(config, "a@example.org", "en", name)  # refused at the door
    assert not any(ord(c) < 32 or c in "\x7f\u202e" for c in for_terminal(name))
    # Written behind the tool's back (an older version, a database edit): still shown clean.
    add(config, "b@example.org", "en", "Plain")
    with closing(connect(config)) as db, db:
        db.execute("UPDATE subscribers SET name = ?", (name,))
    listed = CliRunner().invoke(main, ["subscribers", "list", "--root", str(sample)]).output
    assert "\x1b" not in listed and "\x07" not in listed and "\u202e" not in listed


def _valid_database(sample: Path) -> Path:
    config = require_config(sample)
    add(config, "a@example.org", "en")
    return database_path(config)


def _truncated(sample: Path) -> None:
    path = _valid_database(sample)
    with closing(connect(require_config(sample))) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.write_bytes(path.read_bytes()[:1500])


def _scrambled(sample: Path) -> None:
    path = _valid_database(sample)
    with closing(connect(require_config(sample))) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[100:] = bytes(len(data) - 100)  # header kept, every page zeroed
    path.write_bytes(bytes(data))


def _jpeg(sample: Path) -> None:
    path = database_path(require_config(sample))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))


def _foreign(sample: Path) -> None:
    path = database_path(require_config(sample))
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")


def _newer(sample: Path) -> None:
    path = _valid_database(sample)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (_truncated, "damaged or cut short"),
        (_scrambled, "damaged or cut short"),
        (_jpeg, "not an SQLite file"),
        (_foreign, "another program's database"),
        (_newer, "newer flemletter"),
    ],
    ids=["truncated", "zeroed", "jpeg", "foreign-sqlite", "newer-schema"],
)
@pytest.mark.parametrize("command", [["subscribers", "counts"], ["subscribers", "list"]])
def test_a_database_that_is_not_ours_is_one_plain_sentence(
    sample: Path, spoil: Callable[[Path], None], expected: str, command: list[str]
) -> None:
    spoil(sample)
    before = database_path(require_config(sample)).read_bytes()
    run = CliRunner().invoke(main, [*command, "--root", str(sample)])
    assert run.exit_code == 1
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert expected in run.output and "Traceback" not in run.output
    assert ".flemletter" in run.output or "sqlite" in run.output  # names the file
    if spoil in (_jpeg, _foreign):
        assert database_path(require_config(sample)).read_bytes() == before  # left untouched


def test_a_database_in_use_is_said_so_quickly(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_SECONDS", 0.2)
    path = _valid_database(sample)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        (sample / "list.csv").write_text("email,language\nb@example.org,en\n", encoding="utf-8")
        started = time.monotonic()
        run = CliRunner().invoke(main, ["subscribers", "import", "list.csv", "--root", str(sample)])
        assert time.monotonic() - started < 5
    finally:
        holder.rollback()
        holder.close()
    assert run.exit_code == 1
    assert "in use by another flemletter" in run.output and "Traceback" not in run.output
