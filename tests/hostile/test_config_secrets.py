"""Class 6 (config part) of issue 11: a secret where the NAME of an environment variable
belongs is refused without being echoed; the unsubscribe secret must be strong."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flemletter.cli import main
from flemletter.config import require_config
from flemletter.delivery.personal import unsubscribe_secret
from flemletter.problems import UserError

CFG = "flemletter.toml"


def set_line(root: Path, old: str, new: str) -> None:
    file = root / CFG
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "secret"),
    [
        ('password_env = "FLEMLETTER_SMTP_PASSWORD"', 'password_env = "Hunter2!"', "Hunter2!"),
        (
            'password_env = "FLEMLETTER_SMTP_PASSWORD"',
            'password_env = "smtp_password"',
            "smtp_password",
        ),
        (
            'password_env = "FLEMLETTER_SMTP_PASSWORD"',
            'password_env = "SG.abc-DEF.123"',
            "SG.abc-DEF.123",
        ),
        (
            "[sendgrid]",
            '[unsubscribe]\nsecret_env = "correct horse battery staple"\n\n[sendgrid]',
            "correct horse",
        ),
        ("[sendgrid]", '[unsubscribe]\nsecret_env = "1STARTS_WITH_DIGIT"\n\n[sendgrid]', "1STARTS"),
    ],
    ids=["password", "lowercase", "api-key", "passphrase", "digit-first"],
)
def test_a_secret_in_an_env_field_is_refused_unshown(
    sample: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, secret: str
) -> None:
    set_line(sample, old, new)
    monkeypatch.chdir(sample)
    result = CliRunner().invoke(main, ["check", "2025-11"])
    assert result.exit_code == 1
    assert "must be the NAME of an environment variable" in result.output
    assert secret not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["FLEMLETTER_SMTP_PASSWORD", "_X", "SMTP_PASS_2"])
def test_good_names_pass(sample: Path, name: str) -> None:
    set_line(sample, 'password_env = "FLEMLETTER_SMTP_PASSWORD"', f'password_env = "{name}"')
    assert require_config(sample).file.smtp.password_env == name


@pytest.mark.parametrize(
    "value", ["hunter2", "x" * 31, "ab" * 20], ids=["short", "31-chars", "repetitive"]
)
def test_weak_unsubscribe_secret_is_refused_unshown(
    sample: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FLEMLETTER_UNSUBSCRIBE_SECRET", value)
    with pytest.raises(UserError) as raised:
        unsubscribe_secret(require_config(sample), required=True)
    text = str(raised.value)
    assert "FLEMLETTER_UNSUBSCRIBE_SECRET" in text and value not in text
    assert "secrets.token_urlsafe(32)" in text


def test_strong_unsubscribe_secret(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    strong = "Zq3v8Kx1-bN7pT0sW4yH9cF2mR6jL5dA"
    monkeypatch.setenv("FLEMLETTER_UNSUBSCRIBE_SECRET", strong)
    assert unsubscribe_secret(require_config(sample), required=True) == strong.encode()
