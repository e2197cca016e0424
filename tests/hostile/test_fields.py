"""Class 3 of issue 11: whatever `check` accepts, `build` accepts. Every field a communicator
writes goes through flemletter.fields; a bad value is an error at its file:line in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from flemletter.build import build
from flemletter.checks import check
from flemletter.problems import UserError

ISSUE = "issues/2025-11.yaml"
ART = "articles/limitless-potential/en.md"
CFG = "flemletter.toml"
SUBJECT = 'subject: "Collaboration in Science and the future of Flemingsberg"'
TITLE = 'title: "Limitless Potential: Winner of the Flemingsberg Science Award 2025"'
BODY = "Young people in disadvantaged areas"
BASE = 'base_url = "https://www.flemingsbergscience.se/newsletter/"'
UNSUB = '# unsubscribe_url = "https://example.org/unsubscribe?t={token}"'

CASES = [
    (
        "subject \\n",
        ISSUE,
        SUBJECT,
        'subject: "Hi\\nBcc: x@evil.example"',
        f"{ISSUE}:8: 'editions.en.subject': contains a line break",
    ),
    (
        "subject | block",
        ISSUE,
        SUBJECT,
        "subject: |\n      One\n      Two",
        f"{ISSUE}:8: 'editions.en.subject': contains a line break",
    ),
    ("subject U+2028", ISSUE, SUBJECT, 'subject: "Hi\\u2028there"', "(U+2028 LINE SEPARATOR)"),
    ("subject U+0085", ISSUE, SUBJECT, 'subject: "Hi\\x85there"', "line break"),
    (
        "subject encoded word",
        ISSUE,
        SUBJECT,
        'subject: "=?utf-8?b?SGk=?= x"',
        "encoded header text",
    ),
    (
        "subject 2000 chars",
        ISSUE,
        SUBJECT,
        'subject: "' + "a" * 2000 + '"',
        "is 2000 characters long",
    ),
    ("preheader ESC", ISSUE, 'preheader: "Also:', 'preheader: "\\e[31mAlso:', "U+001B ESCAPE"),
    (
        "sender name \\n",
        CFG,
        'name = "Flemingsberg Science"\naddress',
        'name = "F\\nBcc: x@e.org"\naddress',
        f"{CFG}:25: 'sender.name': contains a line break",
    ),
    (
        "language name \\n",
        CFG,
        '[languages.sv]\nname = "Flemingsberg Science"',
        '[languages.sv]\nname = "F\\nX: y"',
        f"{CFG}:21: 'languages.sv.name'",
    ),
    (
        "unsubscribe_url CRLF",
        CFG,
        UNSUB,
        'unsubscribe_url = "https://e.org/u?t={token}\\r\\nBcc: x@e.org"',
        "'delivery.unsubscribe_url'",
    ),
    (
        "unsubscribe_url http",
        CFG,
        UNSUB,
        'unsubscribe_url = "http://e.org/u?t={token}"',
        "starting with https://",
    ),
    (
        "title VT",
        ART,
        TITLE,
        'title: "Limitless\\vPotential"',
        f"{ART}:2: 'title': contains a line break (U+000B VERTICAL TAB)",
    ),
    ("title FF", ART, TITLE, 'title: "Limitless\\fPotential"', "FORM FEED"),
    (
        "title ESC",
        ART,
        TITLE,
        'title: "Limitless\\ePotential"',
        f"{ART}:2: 'title': contains an invisible control character (U+001B ESCAPE)",
    ),
    ("section with NUL", ART, "date: 2025-11-14", 'date: 2025-11-14\nsection: "a\\0b"', "NULL"),
    (
        "body VT",
        ART,
        BODY,
        "Young \x0b people in disadvantaged areas",
        f"{ART}:7:7: an invisible control character (U+000B VERTICAL TAB)",
    ),
    ("body ESC", ART, BODY, "Young \x1b[31m people in disadvantaged areas", f"{ART}:7:7:"),
    ("body NUL", ART, BODY, "Young \x00 people in disadvantaged areas", "U+0000 NULL"),
    ("body C1", ART, BODY, "Young \x9b people in disadvantaged areas", "U+009B"),
    ("date: 0", ISSUE, "date: 2025-11-20", "date: 0", f"{ISSUE}:4: 'date': '0' is not a date"),
    ("date: 20251201", ISSUE, "date: 2025-11-20", "date: 20251201", "'20251201' is not a date"),
    ("article date: 0", ART, "date: 2025-11-14", "date: 0", f"{ART}:3: 'date': '0' is not a date"),
    ("date 9999", ART, "date: 2025-11-14", "date: 9999-12-31", "is not a date"),
    ("base_url http", CFG, BASE, BASE.replace("https", "http"), f"{CFG}:7: 'publication.base_url'"),
    ("base_url no host", CFG, BASE, 'base_url = "https:///newsletter/"', "'publication.base_url'"),
    ("base_url quote", CFG, BASE, 'base_url = "https://e.org/a\\"b/"', "cannot hold"),
    ("base_url query", CFG, BASE, 'base_url = "https://e.org/?x=1"', "'?' or '#'"),
    ("base_url userinfo", CFG, BASE, 'base_url = "https://me:pw@e.org/"', "user name or password"),
    (
        "article url javascript",
        ART,
        "date: 2025-11-14",
        'date: 2025-11-14\nurl: "javascript:alert(1)"',
        "'url'",
    ),
]


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_field_is_a_check_error_at_its_line(
    sample: Path, path: str, old: str, new: str, expected: str
) -> None:
    edit(sample, path, old, new)
    errors = [str(p) for p in check(sample, "2025-11").errors]
    assert any(expected in e for e in errors), errors
    assert not any("MJML" in e or "\n" in e or "\x1b" in e for e in errors), errors
    with pytest.raises(UserError):
        build(sample, "2025-11")


def test_empty_editions(sample: Path) -> None:
    (sample / ISSUE).write_text("date: 2025-11-20\neditions: {}\n", encoding="utf-8")
    errors = [str(p) for p in check(sample, "2025-11").errors]
    assert errors == [f"{ISSUE}:2: 'editions' is empty — list at least one"]


def test_the_sample_still_builds(sample: Path) -> None:
    assert build(sample, "2025-11").languages == ["en", "sv"]
