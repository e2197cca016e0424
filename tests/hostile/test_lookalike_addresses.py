"""Class 9 of issue 11 (addresses): a look-alike domain in an imported address is a warning.

``pаypal.com`` with a Cyrillic ``а`` is not ``paypal.com``: an import names the row and what
the domain imitates, and still imports it (it may be genuine); a domain wholly in another
script, or with a letter like ``ü``, is not a look-alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery.subscribers import import_csv, subscribers

LOOKALIKES = [
    ("anna@pаypal.com", "paypal.com", "Cyrillic"),  # one Cyrillic а
    ("anna@аррӏе.com", "appie.com", "Cyrillic"),  # every letter Cyrillic
    ("anna@news.gооgle.com", "news.google.com", "Cyrillic"),  # a sub-domain
    ("anna@αpple.com", "apple.com", "Greek"),
    ("anna@exаmple.org", "example.org", "Cyrillic"),
]
GENUINE = ["anna@bücher.de", "anna@пример.рф", "anna@example.org", "anna@xn--bcher-kva.de"]


def write(root: Path, emails: list[str]) -> Path:
    path = root / "people.csv"
    rows = ["email,language,name", *(f"{e},en,Anna {n}" for n, e in enumerate(emails))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("email", "imitated", "script"), LOOKALIKES)
def test_a_lookalike_domain_is_a_warning_naming_the_line(
    sample: Path, email: str, imitated: str, script: str
) -> None:
    path = write(sample, ["first@example.org", email])
    result = CliRunner().invoke(main, ["subscribers", "import", str(path), "--root", str(sample)])
    assert result.exit_code == 0, result.output
    assert "people.csv:3" in result.output
    assert f"looks like {imitated}" in result.output and script in result.output
    assert "Imported 2 new subscriber(s)" in result.output
    assert len(list(subscribers(require_config(sample)))) == 2


@pytest.mark.parametrize("email", GENUINE)
def test_a_genuine_international_domain_is_not_flagged(sample: Path, email: str) -> None:
    result = import_csv(require_config(sample), write(sample, [email]))
    assert result.added == 1 and result.warnings == []
