"""What must never happen in a send: a rehearsal standing in for the real send, a refusal of
the whole send taken for a reader's, a cancel SendGrid may not honour, options quietly
ignored, a success reported for a send that stopped. Real SMTP and SendGrid stand-ins."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flemletter.config import require_config
from flemletter.delivery.database import connect, database_path
from flemletter.delivery.send import SendStopped, plan_send, run_send
from flemletter.delivery.subscribers import import_csv
from tests.delivery.conftest import (
    FAST,
    flemletter,
    many,
    use_sendgrid,
    use_smtp,
    use_unsubscribe_endpoint,
    write_subscribers,
)
from tests.sendgrid_server import API_KEY, FakeSendGrid, sendgrid_server
from tests.smtp_server import smtp_server

PEOPLE = [
    ("agnes@example.org", "sv", "Agnes Török"),
    ("aida@example.org", "sv", "Aida Hadžialić"),
    ("ellen@example.org", "sv", "Ellen Mäkipiha"),
    ("bob@example.org", "en", "Bob Smith"),
    ("carol@example.org", "en", "Carol"),
]
EVERYONE = {email: 1 for email, _, _ in PEOPLE}


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch, secret: str) -> str:
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    return API_KEY


def subscribed(root: Path, rows: list[tuple[str, str, str]] = PEOPLE) -> None:
    import_csv(require_config(root), write_subscribers(root, rows))


def states(root: Path) -> dict[str, str]:
    with sqlite3.connect(database_path(require_config(root))) as db:
        rows = db.execute("SELECT email, state FROM deliveries WHERE rehearsal = ''").fetchall()
    return dict(rows)


def send(root: Path, *args: str) -> tuple[int, str, str]:
    run = flemletter("send", "2025-11", *args, cwd=root)
    return run.returncode, run.stdout, run.stderr


# --- 1. A rehearsal never uses up the real send ---------------------------------------------


def test_an_outbox_rehearsal_does_not_use_up_the_real_send(sample: Path, secret: str) -> None:
    subscribed(sample)
    assert send(sample, "--yes")[0] == 0  # the outbox
    code, out, _ = send(sample, "--yes")
    assert code == 0 and "Nothing to send." in out  # rehearsals are idempotent among themselves
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        code, out, err = send(sample, "--provider", "smtp", "--yes")
        assert code == 0, err
        assert server.counts() == EVERYONE
    assert "sv: 3 accepted" in out
    assert set(states(sample).values()) == {"accepted"}


def test_a_sendgrid_sandbox_try_out_does_not_use_up_the_real_send(sample: Path, key: str) -> None:
    subscribed(sample)
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url, sandbox=True)
        assert send(sample, "--provider", "sendgrid", "--yes")[0] == 0
        assert fake.delivered == {} and len(fake.requests) == 2
        use_sendgrid(sample, url, unsubscribe_group=7)
        code, _, err = send(sample, "--provider", "sendgrid", "--yes")
        assert code == 0, err
    assert dict(fake.delivered) == EVERYONE
    assert "sandbox_mode" not in fake.requests[-1].get("mail_settings", {})


def test_continuing_through_another_real_provider_is_refused(sample: Path, key: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        assert send(sample, "--provider", "smtp", "--lang", "sv", "--yes")[0] == 0
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        code, _, err = send(sample, "--provider", "sendgrid", "--yes")
    assert code == 1
    assert "the sv send of 2025-11 began through smtp; continuing it through sendgrid could " in (
        err
    )
    assert "continue it with --provider smtp" in err
    assert fake.requests == [] and sum(server.counts().values()) == 3


OLD_SCHEMA = """
CREATE TABLE sends (issue TEXT NOT NULL, lang TEXT NOT NULL, provider TEXT NOT NULL,
    started_at TEXT NOT NULL, batch_id TEXT, send_at INTEGER, PRIMARY KEY (issue, lang));
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, issue TEXT NOT NULL, lang TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE, name TEXT, state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0, reason TEXT,
    request TEXT, updated_at TEXT, UNIQUE (issue, lang, email));
CREATE INDEX deliveries_by_state ON deliveries (issue, lang, state, id);
INSERT INTO sends VALUES ('2025-11', 'sv', 'outbox', '2025-11-20T08:00:00Z', NULL, NULL);
INSERT INTO deliveries (issue, lang, email, state) VALUES
    ('2025-11', 'sv', 'agnes@example.org', 'accepted'),
    ('2025-11', 'sv', 'aida@example.org', 'accepted'),
    ('2025-11', 'sv', 'ellen@example.org', 'accepted');
"""


def test_an_outbox_rehearsal_in_an_older_database_does_not_count_either(
    sample: Path, secret: str
) -> None:
    path = database_path(require_config(sample))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        code, _, err = send(sample, "--provider", "smtp", "--yes")
        assert code == 0, err
        assert server.counts() == EVERYONE
    with connect(require_config(sample)) as db:
        kept = db.execute("SELECT COUNT(*) FROM deliveries WHERE rehearsal = 'outbox'")
        assert kept.fetchone()[0] == 3


# --- 2 and 6. A refusal of the whole send stops it, says so, and leaves the rest to send ----


def test_a_refused_sender_stops_the_send_and_says_what_went_out(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        server.refuse_sender_after = 2
        code, out, err = send(sample, "--provider", "smtp", "--yes")
        assert code == 1
        assert "refuses to send from newsletter@flemingsbergscience.se (550 5.7.1" in err
        assert "nothing was written" not in err and "Done." not in out
        assert "Those not sent stay pending" in err
        assert "en: 2 accepted" in out  # en goes first: both went out before the refusal
        assert "sv: 3 pending" in out
        assert sorted(states(sample).values()) == ["accepted"] * 2 + ["pending"] * 3
        server.refuse_sender_after = None
        code, out, err = send(sample, "--provider", "smtp", "--yes")
        assert code == 0, err
        assert server.counts() == EVERYONE


def test_a_refused_message_stops_the_send_and_fails_nobody(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        server.refuse_message = "554 5.7.1 message content rejected by policy"
        plan = plan_send(sample, "2025-11", provider="smtp")
        with pytest.raises(SendStopped, match="refuses the message itself") as stopped:
            run_send(plan, policy=FAST)
    assert stopped.value.summary.counts["en"]["pending"] == 2
    assert set(states(sample).values()) == {"pending"}


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("400", "SendGrid refused to send from this address (SendGrid 400: The from address "
         "does not match a verified Sender Identity (field from.email)); verify the [sender]"),
        ("413", "SendGrid refused the request as too large (SendGrid 413: content too large)"),
    ],
)  # fmt: skip
def test_a_sendgrid_refusal_of_the_request_stops_and_leaves_all_pending(
    sample: Path, key: str, fault: str, said: str
) -> None:
    subscribed(sample, many(6))
    with sendgrid_server(FakeSendGrid(faults=[fault])) as (url, fake):
        use_sendgrid(sample, url)
        code, _, err = send(sample, "--provider", "sendgrid", "--yes")
        assert code == 1
        assert said in err
        assert set(states(sample).values()) == {"pending"}
        code, _, err = send(sample, "--provider", "sendgrid", "--yes")
        assert code == 0, err
    assert len(fake.delivered) == 6 and set(fake.delivered.values()) == {1}


def test_a_refused_recipient_is_reported_failed_and_can_be_resent(
    sample: Path, secret: str
) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        server.rejected.add("bob@example.org")
        code, out, err = send(sample, "--provider", "smtp", "--yes")
        # a bad address is an outcome, not unfinished work: reported, and the run is done
        assert code == 0, err
        assert "en: 1 accepted, 1 failed" in out
        assert "lists the failed and uncertain ones" in out
        code, out, err = send(sample, "--provider", "smtp", "--yes")
        assert code == 0 and "Nothing to send." in out
        server.rejected.clear()
        code, out, err = send(sample, "--provider", "smtp", "--resend-failed", "--yes")
        assert code == 0, err
        assert "en: “Collaboration in Science" in out and "to 1 recipient(s)" in out
        assert server.counts() == EVERYONE


# --- 3. No cancel SendGrid may not honour ---------------------------------------------------


def test_cancel_is_refused_within_ten_minutes_of_the_time(sample: Path, key: str) -> None:
    subscribed(sample)
    zone = ZoneInfo("Europe/Stockholm")
    soon = (dt.datetime.now(zone) + dt.timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M")
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        code, _, err = send(sample, "--provider", "sendgrid", "--at", soon, "--yes")
        assert code == 0, err
        code, _, err = send(sample, "--cancel")
    assert code == 1
    assert "SendGrid may no longer stop it, and its readers would then get it twice" in err
    assert "nothing was cancelled" in err
    assert fake.cancelled == []
    assert set(states(sample).values()) == {"accepted"}


# --- 4. Every language's recipients are fixed when the send starts --------------------------


def test_every_languages_list_is_fixed_before_the_first_message(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        plan = plan_send(sample, "2025-11", provider="smtp")
        first, second = (lp.lang for lp in plan.languages)

        def meanwhile(lang: str, done: int, total: int) -> None:
            if lang == first and done == 1:
                subscribed(sample, [("late@example.org", second, "Late Comer")])

        run_send(plan, progress=meanwhile, policy=FAST)
        assert "late@example.org" not in server.counts()
    assert "late@example.org" not in states(sample)


# --- 5. Options that cannot go together are refused, not ignored ----------------------------


def test_a_dry_run_test_copy_sends_nothing(sample: Path, secret: str) -> None:
    code, out, err = send(sample, "--dry-run", "--test-to", "me@example.org")
    assert code == 0, err
    assert "sv: would send a [TEST] copy to me@example.org through outbox" in out
    assert "Nothing was sent (--dry-run)." in out
    assert not (sample / "outbox").exists()


def test_at_with_a_test_copy_and_cancel_with_a_dry_run_are_refused(
    sample: Path, secret: str
) -> None:
    code, _, err = send(sample, "--test-to", "me@example.org", "--at", "2099-01-01 08:00")
    assert code == 1 and "a test copy goes at once" in err
    code, _, err = send(sample, "--cancel", "--dry-run")
    assert code == 1 and "--cancel with --dry-run" in err
    assert not (sample / "outbox").exists()


def test_another_at_when_continuing_a_scheduled_send_is_refused(sample: Path, key: str) -> None:
    subscribed(sample)
    zone = ZoneInfo("Europe/Stockholm")
    soon = (dt.datetime.now(zone) + dt.timedelta(hours=30)).replace(second=0, microsecond=0)
    at, later = (t.strftime("%Y-%m-%d %H:%M") for t in (soon, soon + dt.timedelta(hours=1)))
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        assert send(sample, "--provider", "sendgrid", "--at", at, "--yes")[0] == 0
        code, _, err = send(sample, "--provider", "sendgrid", "--at", later, "--yes")
        assert code == 1
        assert f"the en send of 2025-11 is scheduled for {at}, not {later}" in err
        assert "cancel it (flemletter send 2025-11 --cancel)" in err
        assert send(sample, "--provider", "sendgrid", "--at", at, "--yes")[0] == 0  # the same
        assert send(sample, "--cancel")[0] == 0
        code, _, err = send(sample, "--provider", "sendgrid", "--at", later, "--yes")
        assert code == 0, err
    assert [r["send_at"] for r in fake.requests[-2:]] == [int(soon.timestamp()) + 3600] * 2


# --- 7. Bulk mail without one-click unsubscribe is warned about -----------------------------


def test_a_real_send_without_one_click_unsubscribe_is_warned_about(sample: Path, key: str) -> None:
    warning = "offer no one-click unsubscribe: Gmail and Yahoo require it of bulk senders"
    assert warning in send(sample, "--provider", "smtp", "--dry-run")[2]
    assert warning in send(sample, "--provider", "sendgrid", "--dry-run")[2]
    assert warning not in send(sample, "--dry-run")[2]  # the outbox delivers nothing
    use_sendgrid(sample, "http://127.0.0.1:9", sandbox=True)
    assert warning not in send(sample, "--provider", "sendgrid", "--dry-run")[2]
    use_sendgrid(sample, "http://127.0.0.1:9", unsubscribe_group=12)
    assert warning not in send(sample, "--provider", "sendgrid", "--dry-run")[2]
    assert warning in send(sample, "--provider", "smtp", "--dry-run")[2]
    use_unsubscribe_endpoint(sample, "https://lists.example.org/leave/{token}")
    assert warning not in send(sample, "--provider", "smtp", "--dry-run")[2]
