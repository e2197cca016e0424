"""`flemletter status ISSUE --counts-only`: what a public log (a GitHub job summary) may show:
counts, and the reasons for failures grouped and counted, with no address anywhere."""

from __future__ import annotations

from pathlib import Path

from tests.delivery.conftest import flemletter, use_smtp, write_subscribers
from tests.smtp_server import smtp_server

PEOPLE = [
    ("ellen@example.org", "sv", "Ellen Mäkipiha"),
    ("aida@example.org", "sv", "Aida Hadžialić"),
    ("bob@example.org", "en", "Bob Smith"),
    ("carol@example.org", "en", "Carol"),
    ("dan@example.org", "en", "Dan"),
]
REJECTED = ("aida@example.org", "bob@example.org", "carol@example.org")


def test_counts_only_shows_no_address(sample: Path, secret: str) -> None:
    write_subscribers(sample, PEOPLE)
    assert flemletter("subscribers", "import", "subscribers.csv", cwd=sample).returncode == 0
    with smtp_server() as (port, server):
        server.rejected.update(REJECTED)
        use_smtp(sample, port)
        sent = flemletter("send", "2025-11", "--yes", "--provider", "smtp", cwd=sample)
        assert sent.returncode == 0, sent.stderr  # refused addresses are reported, not red

    public = flemletter("status", "2025-11", "--counts-only", cwd=sample)
    assert public.returncode == 0, public.stderr
    assert "@" not in public.stdout
    assert "│ en       │ 0       │ 0          │ 1        │ 2      │" in public.stdout
    assert "en failed: 2 × 550 5.1.1 <address>: no such user here" in public.stdout
    assert "sv failed: 1 × 550 5.1.1 <address>: no such user here" in public.stdout

    private = flemletter("status", "2025-11", cwd=sample)  # the default is unchanged
    assert "en failed: bob@example.org — 550 5.1.1 <bob@example.org>: no such user here" in (
        private.stdout
    )
    assert "sv failed: aida@example.org" in private.stdout


def test_counts_only_of_an_issue_not_sent(sample: Path) -> None:
    run = flemletter("status", "2025-11", "--counts-only", cwd=sample)
    assert run.returncode == 0 and "2025-11 has not been sent." in run.stdout
