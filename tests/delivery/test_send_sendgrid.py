"""SendGrid: the real sendgrid client against a local server that checks every request
against SendGrid's official schema, with faults injected."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flemletter.config import require_config
from flemletter.delivery.database import database_path
from flemletter.delivery.send import plan_send, run_send
from flemletter.delivery.subscribers import import_csv
from tests.delivery.conftest import (
    FAST,
    flemletter,
    many,
    use_sendgrid,
    use_unsubscribe_endpoint,
    write_subscribers,
)
from tests.sendgrid_server import API_KEY, VALIDATOR, FakeSendGrid, rule_errors, sendgrid_server


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch, secret: str) -> str:
    monkeypatch.setenv("SENDGRID_API_KEY", API_KEY)
    return API_KEY


def subscribed(root: Path, rows: list[tuple[str, str, str]]) -> None:
    import_csv(require_config(root), write_subscribers(root, rows))


def states(root: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(database_path(require_config(root))) as db:
        rows = db.execute("SELECT email, state, reason FROM deliveries").fetchall()
    return {email: (state, reason) for email, state, reason in rows}


def test_a_few_thousand_make_the_right_number_of_valid_requests(sample: Path, key: str) -> None:
    subscribed(sample, many(2600))  # 1300 en, 1300 sv
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        run = flemletter("send", "2025-11", "--provider", "sendgrid", "--yes", cwd=sample)
        assert run.returncode == 0, run.stderr
        again = flemletter("send", "2025-11", "--provider", "sendgrid", "--yes", cwd=sample)
    assert "Nothing to send." in again.stdout
    assert fake.invalid == []
    assert len(fake.requests) == 4  # 1000 + 300 per language
    assert sorted(len(r["personalizations"]) for r in fake.requests) == [300, 300, 1000, 1000]
    assert set(fake.delivered.values()) == {1} and len(fake.delivered) == 2600
    first = fake.requests[0]
    lang = first["categories"][2]
    assert first["categories"] == ["newsletter", "2025-11", lang]
    assert first["custom_args"]["issue"] == "2025-11"
    assert first["custom_args"]["language"] == lang
    assert first["batch_id"] in fake.batches
    assert {r["batch_id"] for r in fake.requests if r["categories"][2] == lang} == {
        first["batch_id"]
    }
    assert len(fake.batches) == 2  # one per issue and language
    assert first["content"][0]["type"] == "text/plain"
    assert "%%unsubscribe_url%%" in first["content"][1]["value"]  # built once per language
    person = first["personalizations"][0]
    url = person["substitutions"]["%%unsubscribe_url%%"]
    assert url.startswith(f"https://www.flemingsbergscience.se/newsletter/{lang}/unsubscribe/?")
    token = url.partition("token=")[2]
    mailto = f"mailto:newsletter@flemingsbergscience.se?subject=unsubscribe%20{token}"
    assert person["headers"] == {"List-Unsubscribe": f"<{mailto}>, <{url}>"}  # no one-click:
    assert "List-Unsubscribe-Post" not in first["headers"]  # the archive cannot take a POST
    assert first["headers"]["List-Id"].endswith(f"<{lang}.newsletter.flemingsbergscience.se>")
    order = [p["to"][0]["email"] for p in first["personalizations"]]
    assert order == sorted(order)  # the ledger's order, not prepended


def test_429_waits_and_500_is_retried_without_loss_or_double(sample: Path, key: str) -> None:
    subscribed(sample, many(1500, ("en",)))
    with sendgrid_server(FakeSendGrid(faults=["429", "500"])) as (url, fake):
        use_sendgrid(sample, url)
        summary = run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
    assert fake.invalid == []
    assert summary.counts["en"]["accepted"] == 1500
    assert len(fake.delivered) == 1500 and set(fake.delivered.values()) == {1}
    sizes = [len(r["personalizations"]) for r in fake.requests]
    assert sizes == [1000, 500, 500, 1000], sizes  # 429, 500, then both again


@pytest.mark.parametrize("fault", ["hang", "drop"])
def test_no_answer_after_the_request_went_out_is_uncertain_and_not_resent(
    sample: Path, key: str, fault: str
) -> None:
    subscribed(sample, many(1200, ("en",)))
    with sendgrid_server(FakeSendGrid(faults=[fault], hang_for=3)) as (url, fake):
        use_sendgrid(sample, url, read_timeout=0.5)
        run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
        again = flemletter("send", "2025-11", "--provider", "sendgrid", "--yes", cwd=sample)
        assert again.returncode == 1  # uncertain ones are left: red until the user decides
    assert "1000 recipient(s) uncertain" in again.stderr
    ledger = states(sample)
    uncertain = {e for e, (state, _) in ledger.items() if state == "uncertain"}
    assert len(uncertain) == 1000
    assert {e for e, (state, _) in ledger.items() if state == "accepted"} == set(ledger) - uncertain
    assert set(fake.delivered.values()) == {1}, "an uncertain batch was sent again"
    assert len(fake.requests) == 2
    status = flemletter("status", "2025-11", cwd=sample).stdout
    assert "en uncertain: r000000@example.org — no answer from SendGrid" in status
    with sendgrid_server(fake) as (url, fake):  # the user decides a double beats a miss
        use_sendgrid(sample, url)
        flemletter(
            "send", "2025-11", "--provider", "sendgrid", "--resend-uncertain", "--yes", cwd=sample
        )
    assert {state for state, _ in states(sample).values()} == {"accepted"}
    assert sum(fake.delivered.values()) == 1200 + 1000


def test_a_wrong_key_stops_with_a_sentence_about_the_key(
    sample: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    subscribed(sample, many(5))
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.revoked")
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        run = flemletter("send", "2025-11", "--provider", "sendgrid", "--yes", cwd=sample)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "SENDGRID_API_KEY holds a current SendGrid API key with the “Mail Send” permission" in (
        run.stderr
    )
    assert "SG.revoked" not in run.stderr + run.stdout
    assert fake.delivered == {}
    assert {state for state, _ in states(sample).values()} == {"pending"}


def test_the_api_key_appears_nowhere(
    sample: Path, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    subscribed(sample, many(20))
    caplog.set_level(logging.DEBUG)
    with sendgrid_server(FakeSendGrid(faults=["500", "hang"], hang_for=1)) as (url, fake):
        use_sendgrid(sample, url, read_timeout=0.3)
        run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
        outputs = [
            flemletter("send", "2025-11", "--provider", "sendgrid", "--yes", cwd=sample),
            flemletter(
                "send",
                "2025-11",
                "--test-to",
                "me@example.org",
                "--provider",
                "sendgrid",
                cwd=sample,
            ),
            flemletter("status", "2025-11", cwd=sample),
            flemletter("build", "2025-11", cwd=sample),
        ]
    assert fake.headers_seen[0]["Authorization"] == f"Bearer {key}"  # it was really used
    seen = caplog.text + "".join(run.stdout + run.stderr for run in outputs)
    assert key not in seen
    secret_part = key.encode()
    for path in sample.rglob("*"):
        if path.is_file():
            assert secret_part not in path.read_bytes(), f"the API key is in {path}"


def test_sandbox_mode_validates_without_delivering(sample: Path, key: str) -> None:
    subscribed(sample, many(4))
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url, sandbox=True)
        run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
    assert fake.invalid == []
    assert all(r["mail_settings"] == {"sandbox_mode": {"enable": True}} for r in fake.requests)
    assert fake.delivered == {}


def test_an_unsubscribe_group_uses_sendgrids_own_links(sample: Path, key: str) -> None:
    subscribed(sample, many(4))
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url, unsubscribe_group=4321)
        run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
    assert fake.invalid == []
    request = fake.requests[0]
    assert request["asm"] == {"group_id": 4321}
    assert "<%asm_group_unsubscribe_raw_url%>" in request["content"][1]["value"]
    assert "%%unsubscribe_url%%" not in request["content"][1]["value"]
    assert "substitutions" not in request["personalizations"][0]
    assert "headers" not in request["personalizations"][0]  # SendGrid adds its own, one-click
    assert "List-Unsubscribe-Post" not in request["headers"]


def test_an_unsubscribe_endpoint_of_ones_own_gets_one_click(sample: Path, key: str) -> None:
    subscribed(sample, many(4))
    use_unsubscribe_endpoint(sample, "https://lists.example.org/leave/{token}")
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        run_send(plan_send(sample, "2025-11", provider="sendgrid"), policy=FAST)
    assert fake.invalid == []
    for request in fake.requests:
        for person in request["personalizations"]:
            link = person["substitutions"]["%%unsubscribe_url%%"]
            assert link.startswith("https://lists.example.org/leave/")
            assert person["headers"]["List-Unsubscribe"].startswith(f"<{link}>, <mailto:")
            assert person["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_scheduling_in_local_time_and_cancelling(sample: Path, key: str) -> None:
    subscribed(sample, many(6))
    zone = ZoneInfo("Europe/Stockholm")
    soon = (dt.datetime.now(zone) + dt.timedelta(hours=30)).replace(second=0, microsecond=0)
    at = soon.strftime("%Y-%m-%d %H:%M")
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        far = (soon + dt.timedelta(hours=48)).strftime("%Y-%m-%d %H:%M")
        refused = flemletter(
            "send", "2025-11", "--provider", "sendgrid", "--at", far, "--yes", cwd=sample
        )
        assert refused.returncode == 1
        assert "is more than 72 hours ahead" in refused.stderr
        outbox = flemletter("send", "2025-11", "--at", at, "--yes", cwd=sample)
        assert "the outbox provider cannot schedule a send" in outbox.stderr
        run = flemletter(
            "send", "2025-11", "--provider", "sendgrid", "--at", at, "--yes", cwd=sample
        )
        assert run.returncode == 0, run.stderr
        assert "scheduled for" in run.stdout
        assert {r["send_at"] for r in fake.requests} == {int(soon.timestamp())}
        cancel = flemletter("send", "2025-11", "--cancel", cwd=sample)
        assert cancel.returncode == 0, cancel.stderr
    assert sorted(fake.cancelled) == sorted(fake.batches)
    assert "en: cancelled the scheduled send" in cancel.stdout
    assert {state for state, _ in states(sample).values()} == {"pending"}


def test_at_is_on_the_clock_of_each_languages_readers(sample: Path, key: str) -> None:
    config = sample / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[languages.sv]", 'timezone = "America/New_York"\n\n[languages.sv]'),
        encoding="utf-8",
    )
    subscribed(sample, many(6))
    stockholm, new_york = ZoneInfo("Europe/Stockholm"), ZoneInfo("America/New_York")
    soon = (dt.datetime.now(stockholm) + dt.timedelta(hours=30)).replace(second=0, microsecond=0)
    at = soon.strftime("%Y-%m-%d %H:%M")
    with sendgrid_server() as (url, fake):
        use_sendgrid(sample, url)
        run = flemletter(
            "send", "2025-11", "--provider", "sendgrid", "--at", at, "--yes", cwd=sample
        )
        assert run.returncode == 0, run.stderr
    send_at = {r["categories"][2]: r["send_at"] for r in fake.requests}
    in_new_york = soon.replace(tzinfo=None).replace(tzinfo=new_york)
    assert send_at == {"en": int(in_new_york.timestamp()), "sv": int(soon.timestamp())}
    assert send_at["en"] - send_at["sv"] in (5 * 3600, 6 * 3600)  # same clock time, later
    assert "en: “Collaboration" in run.stdout
    assert f"scheduled for {at} E" in run.stdout and "(America/New_York)" in run.stdout
    assert "(Europe/Stockholm)" in run.stdout


def test_at_is_checked_in_each_languages_time_zone(sample: Path) -> None:
    from flemletter.config import require_config
    from flemletter.delivery.schedule import prepare_schedule
    from flemletter.problems import UserError

    config = sample / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[languages.sv]", 'timezone = "America/New_York"\n\n[languages.sv]'),
        encoding="utf-8",
    )
    loaded = require_config(sample)
    now = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)
    # At 12:00 UTC, 09:30 has passed in Stockholm; in New York it is still ahead.
    with pytest.raises(UserError) as caught:
        prepare_schedule(loaded, "sendgrid", "2026-03-07 09:30", now=now)
    assert [p.message for p in caught.value.problems] == [
        "2026-03-07 09:30 (Europe/Stockholm) is in the past"
    ]
    only_en = prepare_schedule(loaded, "sendgrid", "2026-03-07 09:30", ("en",), now=now)
    assert only_en.when["en"] == dt.datetime(2026, 3, 7, 14, 30, tzinfo=dt.UTC)
    # New York moves its clocks forward on 8 March 2026: 02:30 does not exist there.
    with pytest.raises(UserError) as caught:
        prepare_schedule(loaded, "sendgrid", "2026-03-08 02:30", now=now)
    assert [p.message for p in caught.value.problems] == [
        "2026-03-08 02:30 (America/New_York) does not exist"
    ]
    text = config.read_text(encoding="utf-8").replace("America/New_York", "America/Neu_York")
    config.write_text(text, encoding="utf-8")
    run = flemletter("send", "2025-11", "--dry-run", cwd=sample)
    assert run.returncode == 1
    line = 1 + text[: text.index("Neu_York")].count("\n")
    assert f"flemletter.toml:{line}: 'languages.en.timezone': 'America/Neu_York' is not a" in (
        run.stderr
    )


def test_the_contract_server_catches_real_mistakes() -> None:
    good = {
        "personalizations": [{"to": [{"email": "a@example.org"}]}],
        "from": {"email": "news@example.org"},
        "subject": "Hi",
        "content": [{"type": "text/plain", "value": "Hi"}],
    }
    assert list(VALIDATOR.iter_errors(good)) == []
    assert list(VALIDATOR.iter_errors({k: v for k, v in good.items() if k != "from"}))
    too_many = {**good, "personalizations": good["personalizations"] * 1001}
    assert list(VALIDATOR.iter_errors(too_many))
    assert list(VALIDATOR.iter_errors({**good, "categories": [str(n) for n in range(11)]}))
    assert list(VALIDATOR.iter_errors({**good, "send_at": "tomorrow"}))
    twice = {**good, "personalizations": good["personalizations"] * 2}
    assert rule_errors(twice, 0)[0]["message"] == "duplicate address a@example.org"
    assert rule_errors({**good, "send_at": 10**6}, 0)[0]["field"] == "send_at"
