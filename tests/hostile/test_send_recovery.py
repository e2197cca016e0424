"""Class 7 of issue 11: the send never strands a reader.

A run that died mid-hand-over leaves rows ``submitting``; the next run turns them ``uncertain``
before it plans anything, so ``--resend-uncertain`` sends them and a plain ``send`` says they
need a look (exit 1). A batch broken off by an unexpected error leaves only the recipients the
provider had begun to hand over ``uncertain``; the others go back to ``pending``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery import send as send_module
from flemletter.delivery.database import database_path
from flemletter.delivery.providers import outbox as outbox_module
from flemletter.delivery.subscribers import import_csv
from tests.delivery.conftest import use_sendgrid, write_subscribers
from tests.sendgrid_server import API_KEY, sendgrid_server

ROWS = [
    ("ann@example.org", "en", "Ann"),
    ("bob@example.org", "en", "Bob"),
    ("cid@example.org", "en", "Cid"),
    ("eva@example.org", "sv", "Eva"),
]


def cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=True)


def states(root: Path) -> dict[str, str]:
    with sqlite3.connect(database_path(require_config(root))) as db:
        return dict(db.execute("SELECT email, state FROM deliveries").fetchall())


def set_state(root: Path, state: str, emails: list[str]) -> None:
    with sqlite3.connect(database_path(require_config(root))) as db:
        marks = ",".join("?" * len(emails))
        db.execute(f"UPDATE deliveries SET state = ? WHERE email IN ({marks})", (state, *emails))


@pytest.fixture
def subscribed(sample: Path) -> Path:
    import_csv(require_config(sample), write_subscribers(sample, ROWS))
    return sample


@pytest.mark.parametrize(
    "stranded",
    [["cid@example.org"], ["eva@example.org"], ["bob@example.org", "cid@example.org"]],
    ids=["last-en", "last-sv", "two"],
)
def test_a_dead_runs_submitting_rows_are_resent_on_request(
    subscribed: Path, stranded: list[str]
) -> None:
    first = cli(subscribed, "send", "2025-11", "--yes")
    assert first.exit_code == 0, first.output
    set_state(subscribed, "submitting", stranded)  # what a SIGKILL mid-call leaves behind
    again = cli(subscribed, "send", "2025-11", "--resend-uncertain", "--yes")
    assert again.exit_code == 0, again.output
    assert "Nothing to send" not in again.output
    assert set(states(subscribed).values()) == {"accepted"}


@pytest.mark.parametrize("args", [(), ("--dry-run",)], ids=["send", "dry-run"])
def test_a_dead_runs_submitting_rows_are_reported_uncertain(
    subscribed: Path, args: tuple[str, ...]
) -> None:
    cli(subscribed, "send", "2025-11", "--yes")
    set_state(subscribed, "submitting", ["cid@example.org"])
    again = cli(subscribed, "send", "2025-11", "--yes", *args)
    assert states(subscribed)["cid@example.org"] == "uncertain"
    if not args:
        assert again.exit_code == 1
        assert "1 recipient(s) uncertain" in again.output


def _boom(*_: object, **__: object) -> object:
    raise RuntimeError("a bug")


def _interrupt(*_: object, **__: object) -> object:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("module", "name", "fault"),
    [
        (send_module, "recipient", _boom),  # before the batch exists
        (outbox_module, "personal_message", _boom),  # inside the provider, before hand-over
        (outbox_module, "personal_message", _interrupt),  # Ctrl-C before hand-over
    ],
    ids=["building-batch", "in-provider", "ctrl-c"],
)
def test_an_unexpected_error_before_hand_over_leaves_the_batch_pending(
    subscribed: Path, monkeypatch: pytest.MonkeyPatch, module: object, name: str, fault: object
) -> None:
    monkeypatch.setattr(module, name, fault)
    broken = cli(subscribed, "send", "2025-11", "--yes")
    assert broken.exit_code != 0
    assert "uncertain" not in set(states(subscribed).values())
    assert "submitting" not in set(states(subscribed).values())
    monkeypatch.undo()
    resumed = cli(subscribed, "send", "2025-11", "--yes")
    assert resumed.exit_code == 0, resumed.output
    assert set(states(subscribed).values()) == {"accepted"}


@pytest.mark.parametrize("fault", [_boom, _interrupt], ids=["bug", "ctrl-c"])
def test_an_unexpected_error_after_hand_over_marks_only_that_one_uncertain(
    subscribed: Path, monkeypatch: pytest.MonkeyPatch, fault: object
) -> None:
    monkeypatch.setattr("os.replace", fault)  # the moment the outbox message goes out
    cli(subscribed, "send", "2025-11", "--yes")
    monkeypatch.undo()
    found = states(subscribed)
    assert list(found.values()).count("uncertain") == 1
    assert set(found.values()) == {"uncertain", "pending"}


@pytest.mark.parametrize(
    "reason",
    ["550 \x1b]0;pwned\x07no such user", "451 \x1b[2J\x1b[31mtry later", "550 a\rb\u202eevil"],
    ids=["osc-title", "clear-screen", "cr-bidi"],
)
def test_status_prints_what_a_server_said_without_its_control_characters(
    subscribed: Path, reason: str
) -> None:
    cli(subscribed, "send", "2025-11", "--yes")
    with sqlite3.connect(database_path(require_config(subscribed))) as db:
        db.execute("UPDATE deliveries SET rehearsal = '', state = 'failed', reason = ?", (reason,))
        db.execute("UPDATE sends SET rehearsal = ''")
    for args in ((), ("--counts-only",)):
        shown = cli(subscribed, "status", "2025-11", *args).output
        assert "failed" in shown
        assert not any(c in shown for c in "\x1b\x07\r\u202e")


def test_a_cancel_after_a_dead_run_leaves_nobody_submitting(
    subscribed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    monkeypatch.setenv("FLEMLETTER_UNSUBSCRIBE_SECRET", "a-test-secret-0123456789abcdef-0123456789")
    soon = dt.datetime.now(ZoneInfo("Europe/Stockholm")) + dt.timedelta(hours=30)
    with sendgrid_server() as (url, _):
        use_sendgrid(subscribed, url)
        sent = cli(subscribed, "send", "2025-11", "--provider", "sendgrid", "--yes", "--at",
                   f"{soon:%Y-%m-%d %H:%M}")  # fmt: skip
        assert sent.exit_code == 0, sent.output
        set_state(subscribed, "submitting", ["cid@example.org"])  # killed mid-call
        cancelled = cli(subscribed, "send", "2025-11", "--cancel")
    assert cancelled.exit_code == 0, cancelled.output
    assert set(states(subscribed).values()) == {"pending"}
