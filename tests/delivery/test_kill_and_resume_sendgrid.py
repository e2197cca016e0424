"""Kill-and-resume through SendGrid: a real `flemletter send` SIGKILLed while requests are in
flight, many times, then resumed: every answered batch is delivered exactly once, and only
whole batches whose answer was lost are uncertain."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flemletter.config import require_config
from flemletter.delivery.database import database_path
from flemletter.delivery.subscribers import import_csv
from tests.delivery.conftest import SECRET_ENV, many, use_sendgrid, write_subscribers
from tests.sendgrid_server import API_KEY, FakeSendGrid, sendgrid_server

RECIPIENTS = 16_000
KILLS = 6

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def start_send(root: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        SECRET_ENV: "kill-test-secret-of-at-least-32-characters",
        "SENDGRID_API_KEY": API_KEY,
    }
    command = [sys.executable, "-m", "flemletter", "send", "2025-11", "--provider", "sendgrid"]
    return subprocess.Popen(
        [*command, "--yes"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def test_killed_while_requests_are_in_flight_then_resumed(sample: Path) -> None:
    import_csv(require_config(sample), write_subscribers(sample, many(RECIPIENTS)))
    chance = random.Random(os.environ.get("KILL_SEED", str(time.time_ns())))
    fake = FakeSendGrid(delay=0.15)
    with sendgrid_server(fake) as (url, fake):
        use_sendgrid(sample, url)
        kills = 0
        while kills < KILLS:
            before = len(fake.requests)
            process = start_send(sample)
            while len(fake.requests) == before and process.poll() is None:
                time.sleep(0.005)
            time.sleep(chance.uniform(0.0, 0.4))
            if process.poll() is not None:
                break
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        final = start_send(sample)
        _, errors = final.communicate(timeout=120)
        time.sleep(0.3)  # let the server finish a request a killed client left behind
    with sqlite3.connect(database_path(require_config(sample))) as db:
        states = dict(db.execute("SELECT email, state FROM deliveries").fetchall())
    print(f"{kills} kills, {len(fake.requests)} requests, {sum(fake.delivered.values())} delivered")
    print(f"uncertain: {sum(1 for s in states.values() if s == 'uncertain')}")
    assert kills >= 3, "the send finished too early to test interruptions"
    assert fake.invalid == []
    assert len(states) == RECIPIENTS
    assert set(states.values()) <= {"accepted", "uncertain"}
    assert max(fake.delivered.values()) == 1, "somebody received the issue twice"
    accepted = {email for email, state in states.items() if state == "accepted"}
    assert {email for email in accepted if fake.delivered.get(email) != 1} == set()
    uncertain = len(states) - len(accepted)
    assert uncertain % 1000 == 0, "only whole batches (8000 per language) can be uncertain"
    assert uncertain <= 1000 * kills
    assert final.returncode == (1 if uncertain else 0), errors.decode()  # uncertain ones: red
