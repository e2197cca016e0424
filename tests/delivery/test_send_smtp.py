"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import os
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import pytest

from flemletter.config import require_config
from flemletter.delivery.copies import send_test
from flemletter.delivery.database import database_path
from flemletter.delivery.lock import lock_path, send_lock
from flemletter.delivery.personal import token_address
from flemletter.delivery.send import plan_send, run_send
from flemletter.delivery.subscribers import import_csv, unsubscribe
from flemletter.problems import UserError
from tests.delivery.conftest import (
    FAST,
    flemletter,
    use_smtp,
    use_unsubscribe_endpoint,
    write_subscribers,
)
from tests.smtp_server import USER, smtp_server

PEOPLE = [
    ("ellen@example.org", "sv", "Ellen Mäkipiha"),
    ("aida@example.org", "sv", "Aida Hadžialić"),
    ("agnes@example.org", "sv", "Agnes Török"),
    ("bob@example.org", "en", "Bob Smith"),
    ("carol@example.org", "en", ""),
]


def subscribed(sample: Path, rows: list[tuple[str, str, str]] = PEOPLE) -> None:
    import_csv(require_config(sample), write_subscribers(sample, rows))


def ledger_states(sample: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(database_path(require_config(sample))) as db:
        rows = db.execute("SELECT email, state, reason FROM deliveries").fetchall()
    return {email: (state, reason) for email, state, reason in rows}


def test_every_subscriber_gets_one_message_in_their_language(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        summary = run_send(plan_send(sample, "2025-11", provider="smtp"), policy=FAST)
        assert server.counts() == {email: 1 for email, _, _ in PEOPLE}
        messages = server.messages()
    assert summary.counts["sv"]["accepted"] == 3 and summary.counts["en"]["accepted"] == 2
    ellen = messages["ellen@example.org"]
    assert ellen["Subject"] == "Nu är Karolinska ATMP Centrum invigt"
    assert ellen["To"].addresses[0].display_name == "Ellen Mäkipiha"
    assert messages["aida@example.org"]["To"].addresses[0].display_name == "Aida Hadžialić"
    assert messages["bob@example.org"]["Subject"].startswith("Collaboration in Science")
    # The archive is static: no one-click promise, the mailto first, the page for people.
    assert "List-Unsubscribe-Post" not in ellen
    mailto, https = unsubscribe_links(ellen)
    assert https.startswith("https://www.flemingsbergscience.se/newsletter/sv/unsubscribe/?token=")
    token = https.partition("token=")[2]
    assert mailto == f"mailto:newsletter@flemingsbergscience.se?subject=unsubscribe%20{token}"
    assert token_address(secret.encode(), token, list(messages)) == "ellen@example.org"
    assert token_address(b"another secret", token, list(messages)) is None
    bob_page = unsubscribe_links(messages["bob@example.org"])[1]
    assert bob_page.startswith("https://www.flemingsbergscience.se/newsletter/en/unsubscribe/?")
    assert ellen["List-Id"] == "Flemingsberg Science (sv) <sv.newsletter.flemingsbergscience.se>"
    assert ellen["List-Archive"] == "<https://www.flemingsbergscience.se/newsletter/sv/>"
    assert ellen["Message-ID"] != messages["aida@example.org"]["Message-ID"]
    assert ellen["Message-ID"].endswith("@flemingsbergscience.se>")
    text, html = (part.get_content() for part in ellen.iter_parts())
    assert f"Avregistrera: {https}" in text or https in text
    assert f'href="{https}"' in html
    assert "%%unsubscribe_url%%" not in text + html


def unsubscribe_links(message: EmailMessage) -> list[str]:
    return [part.strip(" <>") for part in message["List-Unsubscribe"].split(",")]


def test_an_unsubscribe_endpoint_of_ones_own_gets_one_click(sample: Path, secret: str) -> None:
    use_unsubscribe_endpoint(sample, "https://lists.example.org/leave?l=fs-{lang}&t={token}")
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        run_send(plan_send(sample, "2025-11", provider="smtp"), policy=FAST)
        agnes = server.messages()["agnes@example.org"]
    assert agnes["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = unsubscribe_links(agnes)  # RFC 8058: the https endpoint first
    assert https.startswith("https://lists.example.org/leave?l=fs-sv&t=")
    token = https.partition("&t=")[2]
    assert token_address(secret.encode(), token, ["agnes@example.org"]) == "agnes@example.org"
    assert mailto.endswith(f"?subject=unsubscribe%20{token}")
    html = agnes.get_body(("html",))
    assert html is not None and f'href="{https.replace("&", "&amp;")}"' in html.get_content()


def test_an_unsubscribe_endpoint_must_be_https_and_take_the_token(sample: Path) -> None:
    original = (sample / "flemletter.toml").read_text(encoding="utf-8")
    for endpoint, said in [
        ("http://example.org/u?t={token}", "starting with https://"),
        ("https://example.org/unsubscribe", "has no {token}"),
    ]:
        (sample / "flemletter.toml").write_text(original, encoding="utf-8")
        use_unsubscribe_endpoint(sample, endpoint)
        run = flemletter("send", "2025-11", "--dry-run", cwd=sample)
        assert run.returncode == 1
        assert "flemletter.toml:" in run.stderr and said in run.stderr, run.stderr


def test_451_is_retried_and_550_is_failed_with_the_servers_words(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        server.temporary.add("aida@example.org")
        server.rejected.add("bob@example.org")
        use_smtp(sample, port)
        run_send(plan_send(sample, "2025-11", provider="smtp"), policy=FAST)
        assert server.counts()["aida@example.org"] == 1
        assert "bob@example.org" not in server.counts()
    states = ledger_states(sample)
    assert states["aida@example.org"][0] == "accepted"
    assert states["bob@example.org"] == (
        "failed",
        "550 5.1.1 <bob@example.org>: no such user here",
    )
    status = flemletter("status", "2025-11", cwd=sample)
    assert "en failed: bob@example.org — 550 5.1.1 <bob@example.org>: no such user here" in (
        status.stdout
    )


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_a_wrong_password_stops_with_a_clear_message_and_marks_nothing(
    sample: Path, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribed(sample)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
    with smtp_server(password="right") as (port, server):
        use_smtp(sample, port, user=USER)
        run = flemletter("send", "2025-11", "--provider", "smtp", "--yes", cwd=sample)
        assert run.returncode == 1
        assert "Traceback" not in run.stderr
        assert "refused the user name or password (newsletter, password from " in run.stderr
        assert "TEST_SMTP_PASSWORD" in run.stderr and "wrong" not in run.stderr
        assert server.received == []
        assert {state for state, _ in ledger_states(sample).values()} == {"pending"}
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "right")
        fixed = flemletter("send", "2025-11", "--provider", "smtp", "--yes", cwd=sample)
        assert fixed.returncode == 0, fixed.stderr
        assert sum(server.counts().values()) == len(PEOPLE)


def test_the_list_is_frozen_and_unsubscribes_during_the_send_are_honoured(
    sample: Path, secret: str
) -> None:
    subscribed(sample)
    config = require_config(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        plan = plan_send(sample, "2025-11", provider="smtp", langs=("sv",))
        calls = []

        def meanwhile(lang: str, done: int, total: int) -> None:
            calls.append(done)
            if done == 1:  # after the first message: one leaves, one joins
                unsubscribe(config, "aida@example.org")
                subscribed(sample, [("late@example.org", "sv", "Late Comer")])

        run_send(plan, progress=meanwhile, policy=FAST)
        received = server.counts()
    assert received == {"agnes@example.org": 1, "ellen@example.org": 1}  # in address order
    states = ledger_states(sample)
    assert "late@example.org" not in states
    assert states["aida@example.org"] == ("skipped", "unsubscribed during the send")
    assert calls == [1, 2, 3]


def test_a_second_send_of_the_same_issue_at_once_refuses(sample: Path, secret: str) -> None:
    subscribed(sample)
    config = require_config(sample)
    with send_lock(lock_path(config, "2025-11"), "2025-11"):
        run = flemletter("send", "2025-11", "--yes", cwd=sample)
    assert run.returncode == 1
    assert f"another send of 2025-11 is running (process {os.getpid()})" in run.stderr
    assert set(ledger_states(sample)) == set()


def test_test_copies_touch_neither_ledger_nor_subscribers(sample: Path, secret: str) -> None:
    subscribed(sample)
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        results = send_test(sample, "2025-11", ("me@example.org",), provider="smtp")
        messages = server.messages()
    assert [r.outcome.value for _, r in results] == ["accepted", "accepted"]
    assert server.counts() == {"me@example.org": 2}  # one per language
    subjects = sorted(m["Subject"] for _, m in [(r, m) for r, m in messages.items()])
    assert all(s.startswith("[TEST] ") for s in subjects)
    assert ledger_states(sample) == {}


def test_send_refuses_while_check_reports_errors(sample: Path) -> None:
    (sample / "issues" / "2025-11.yaml").write_text("date: [2025\n", encoding="utf-8")
    run = flemletter("send", "2025-11", "--yes", cwd=sample)
    assert run.returncode == 1
    assert "issues/2025-11.yaml:2: not valid YAML" in run.stderr


def test_without_a_terminal_or_yes_send_refuses_instead_of_waiting(
    sample: Path, secret: str
) -> None:
    subscribed(sample)
    run = flemletter("send", "2025-11", cwd=sample, stdin="")
    assert run.returncode == 1
    assert "add --yes" in run.stderr
    assert ledger_states(sample) == {}


def test_smtp_without_the_unsubscribe_secret_refuses(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLEMLETTER_UNSUBSCRIBE_SECRET", raising=False)
    subscribed(sample)
    plan = plan_send(sample, "2025-11", provider="smtp")
    with pytest.raises(UserError, match="FLEMLETTER_UNSUBSCRIBE_SECRET is not set"):
        run_send(plan)
