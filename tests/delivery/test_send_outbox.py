"""The default provider: `flemletter send --yes` fills the Maildir outbox, once."""

from __future__ import annotations

import email
import mailbox
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from tests.delivery.conftest import flemletter, write_subscribers

ROWS = [
    ("ellen@example.org", "sv", "Ellen Mäkipiha"),
    ("bob@example.org", "en", "Bob"),
    ("carol@example.org", "en", "Carol"),
]


def test_send_to_the_outbox_then_again_sends_nothing_new(sample: Path) -> None:
    write_subscribers(sample, ROWS)
    assert flemletter("subscribers", "import", "subscribers.csv", cwd=sample).returncode == 0
    dry = flemletter("send", "2025-11", "--dry-run", cwd=sample)
    assert "en: “Collaboration in Science and the future of Flemingsberg” to 2 recipient(s)" in (
        dry.stdout
    )
    assert not (sample / "outbox").exists()
    first = flemletter("send", "2025-11", "--yes", cwd=sample)
    assert first.returncode == 0, first.stderr
    assert "en: 2 accepted" in first.stdout and "sv: 1 accepted" in first.stdout
    box = mailbox.Maildir(sample / "outbox", create=False)
    messages = [
        email.message_from_bytes(box.get_bytes(key), policy=default) for key in box.iterkeys()
    ]
    assert sorted(str(m["To"]) for m in messages) == [
        "Bob <bob@example.org>",
        "Carol <carol@example.org>",
        "Ellen Mäkipiha <ellen@example.org>",
    ]
    assert all(isinstance(m, EmailMessage) and m["List-Unsubscribe"] for m in messages)
    files = sorted(p.name for p in (sample / "outbox" / "new").iterdir())
    again = flemletter("send", "2025-11", "--yes", cwd=sample)
    assert again.returncode == 0
    assert "Nothing to send." in again.stdout
    assert sorted(p.name for p in (sample / "outbox" / "new").iterdir()) == files
    status = flemletter("status", "2025-11", cwd=sample)  # a rehearsal is not the real send
    assert "has not been sent" in status.stdout


def test_a_test_copy_goes_only_to_the_given_address(sample: Path) -> None:
    write_subscribers(sample, ROWS)
    flemletter("subscribers", "import", "subscribers.csv", cwd=sample)
    run = flemletter("send", "2025-11", "--test-to", "me@example.org", "--lang", "sv", cwd=sample)
    assert run.returncode == 0, run.stderr
    assert "sv: test copy to me@example.org accepted" in run.stdout
    (only,) = (sample / "outbox" / "new").iterdir()
    message = email.message_from_bytes(only.read_bytes(), policy=default)
    assert message["Subject"] == "[TEST] Nu är Karolinska ATMP Centrum invigt"
    assert "has not been sent" in flemletter("status", "2025-11", cwd=sample).stdout
