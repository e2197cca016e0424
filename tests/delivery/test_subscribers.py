"""The subscriber list through the command line: import with bad rows, add, unsubscribe (by
address or by the token of an unsubscribe email), export."""

from __future__ import annotations

import csv
import email
import io
import mailbox
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from flemletter.delivery.personal import unsubscribe_token
from tests.delivery.conftest import flemletter

GOOD_AND_BAD = """\
Name,Email,Language,consent_date,consent_source
Ellen Mäkipiha,ellen@example.org,sv,2025-03-01,web form
Bob,bob@example.org,en,,
X,not-an-address,en,,
Dup,BOB@Example.org,en,,
Z,z@example.org,fi,,
Aida Hadžialić,aida@example.org,sv,1 March,
"""


def import_(sample: Path, text: str, *extra: str) -> tuple[int, str, str]:
    (sample / "list.csv").write_text(text, encoding="utf-8")
    run = flemletter("subscribers", "import", "list.csv", *extra, cwd=sample)
    return run.returncode, run.stdout, run.stderr


def test_bad_rows_are_named_by_line_and_nothing_is_imported(sample: Path) -> None:
    code, _, stderr = import_(sample, GOOD_AND_BAD)
    assert code == 1
    assert "Traceback" not in stderr
    assert "list.csv:4: 'not-an-address' is not an email address" in stderr
    assert "list.csv:5: 'BOB@example.org' appears twice (also on line 3)" in stderr
    assert "list.csv:6: unknown language 'fi' — use one of: en, sv" in stderr
    assert "list.csv:7: consent_date '1 March' is not a date — write dates as YYYY-MM-DD" in stderr
    counts = flemletter("subscribers", "counts", cwd=sample).stdout
    assert "│ 0      │" in counts  # nobody: all or nothing


def test_a_refused_import_ends_by_naming_the_way_out(sample: Path) -> None:
    _, _, stderr = import_(sample, GOOD_AND_BAD)
    assert stderr.splitlines()[-1] == (
        "Fix the rows above and import again, or run the same command with --skip-bad to "
        "import the 2 good row(s) now and leave those out."
    )
    _, _, only_bad = import_(sample, "email,language\nnot-an-address,en\n")
    assert "--skip-bad" not in only_bad  # it would import nothing


def test_skip_bad_imports_the_good_rows_and_still_names_the_bad(sample: Path) -> None:
    code, stdout, stderr = import_(sample, GOOD_AND_BAD, "--skip-bad")
    assert code == 0, stderr
    assert "Imported 2 new subscriber(s)" in stdout
    assert "list.csv:6: warning: unknown language 'fi'" in stderr
    listing = flemletter("subscribers", "list", cwd=sample).stdout
    assert "ellen@example.org\tsv\tactive\tEllen Mäkipiha" in listing
    assert "bob@example.org\ten\tactive\tBob" in listing


def test_a_reimport_adds_nothing_twice_and_never_resubscribes(sample: Path) -> None:
    import_(sample, GOOD_AND_BAD, "--skip-bad")
    run = flemletter("subscribers", "unsubscribe", "ELLEN@example.org", cwd=sample)
    assert "Unsubscribed" in run.stdout
    code, _, stderr = import_(sample, "email,language\nBob@example.org,en\nellen@example.org,sv\n")
    assert code == 1
    assert "list.csv:3: 'ellen@example.org' has unsubscribed; an import does not re-add" in stderr
    code, stdout, _ = import_(sample, "email,language\nBob@example.org,en\n")
    assert code == 0
    assert "Imported 0 new subscriber(s); 1 already subscribed" in stdout


def test_a_missing_column_is_reported_on_the_header_line(sample: Path) -> None:
    code, _, stderr = import_(sample, "mail,language\nbob@example.org,en\n")
    assert code == 1
    assert "list.csv:1: no 'email' column; unknown column 'mail'" in stderr


def test_add_export_and_counts(sample: Path) -> None:
    run = flemletter(
        "subscribers", "add", "Eva@Example.org", "--lang", "sv", "--name", "Eva Török", cwd=sample
    )
    assert run.returncode == 0, run.stderr
    again = flemletter("subscribers", "add", "eva@example.org", "--lang", "sv", cwd=sample)
    assert again.returncode == 1 and "already on the list" in again.stderr
    wrong = flemletter("subscribers", "add", "x@example.org", "--lang", "de", cwd=sample)
    assert wrong.returncode == 1 and "unknown language 'de'" in wrong.stderr
    flemletter("subscribers", "add", "ann@example.org", "--lang", "en", cwd=sample)
    flemletter("subscribers", "unsubscribe", "ann@example.org", cwd=sample)
    exported = flemletter("subscribers", "export", "out.csv", cwd=sample)
    assert exported.returncode == 0
    with (sample / "out.csv").open(encoding="utf-8") as handle:
        rows = {r["email"]: r for r in csv.DictReader(handle)}
    assert rows["Eva@example.org"]["name"] == "Eva Török"
    assert rows["ann@example.org"]["status"] == "unsubscribed"
    assert rows["ann@example.org"]["unsubscribed_at"]
    counts = flemletter("subscribers", "counts", cwd=sample).stdout
    assert "│ en       │ 0      │ 1            │" in counts
    assert "│ sv       │ 1      │ 0            │" in counts


def sent_unsubscribe_links(sample: Path) -> dict[str, list[str]]:
    """Each recipient's ``List-Unsubscribe`` links, from the messages in the outbox."""
    box = mailbox.Maildir(sample / "outbox", create=False)
    found = {}
    for key in box.iterkeys():
        message = email.message_from_bytes(box.get_bytes(key), policy=default)
        links = [part.strip(" <>") for part in str(message["List-Unsubscribe"]).split(",")]
        found[str(message["To"].addresses[0].addr_spec).lower()] = links
    return found


def test_an_unsubscribe_email_is_processed_by_its_token(
    sample: Path, secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    flemletter("subscribers", "add", "Eva@Example.org", "--lang", "sv", cwd=sample)
    flemletter("subscribers", "add", "bob@example.org", "--lang", "en", cwd=sample)
    assert flemletter("send", "2025-11", "--yes", cwd=sample).returncode == 0
    links = sent_unsubscribe_links(sample)
    mailto, page = links["eva@example.org"]
    subject = parse_qs(urlsplit(mailto).query)["subject"][0]  # what reaches the communicator
    token = subject.removeprefix("unsubscribe ")

    guessed = unsubscribe_token(b"a guessed secret", "bob@example.org")
    forged = flemletter("subscribers", "unsubscribe", guessed, cwd=sample)
    assert forged.returncode == 1
    assert "is neither an address nor a genuine unsubscribe token" in forged.stderr
    assert "Traceback" not in forged.stderr
    monkeypatch.delenv("FLEMLETTER_UNSUBSCRIBE_SECRET")
    unsigned = flemletter("subscribers", "unsubscribe", token, cwd=sample)
    assert unsigned.returncode == 1
    assert "FLEMLETTER_UNSUBSCRIBE_SECRET is not set" in unsigned.stderr
    monkeypatch.setenv("FLEMLETTER_UNSUBSCRIBE_SECRET", secret)
    assert statuses(sample) == {"Eva@example.org": "active", "bob@example.org": "active"}

    run = flemletter("subscribers", "unsubscribe", subject, cwd=sample)  # the subject, whole
    assert run.returncode == 0, run.stderr
    assert "Unsubscribed eva@example.org." in run.stdout
    bob_page = links["bob@example.org"][1]  # or the link from the email, pasted
    assert flemletter("subscribers", "unsubscribe", bob_page, cwd=sample).returncode == 0
    assert statuses(sample) == {
        "Eva@example.org": "unsubscribed",
        "bob@example.org": "unsubscribed",
    }
    again = flemletter("subscribers", "unsubscribe", token, cwd=sample)
    assert again.returncode == 0 and "was not an active subscriber" in again.stdout
    assert page.endswith(f"/sv/unsubscribe/?token={token}")


def statuses(sample: Path) -> dict[str, str]:
    exported = flemletter("subscribers", "export", cwd=sample).stdout
    return {r["email"]: r["status"] for r in csv.DictReader(io.StringIO(exported))}
