"""Kill-and-resume: a real `flemletter send` SIGKILLed at random moments, many times, then
resumed, delivers every recipient exactly once, apart from those it reports uncertain."""

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
from tests.delivery.conftest import SECRET_ENV, use_smtp, write_subscribers
from tests.smtp_server import smtp_server

RECIPIENTS = 1500
KILLS = 10

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def start_send(root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, SECRET_ENV: "kill-test-secret-of-at-least-32-characters"}
    command = [sys.executable, "-m", "flemletter", "send", "2025-11", "--provider", "smtp"]
    return subprocess.Popen(
        [*command, "--yes"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_many_times_then_resumed_nobody_gets_it_twice(sample: Path) -> None:
    rows = [
        (f"r{n:05d}@example.org", ("en", "sv")[n % 2], f"Läsare {n}") for n in range(RECIPIENTS)
    ]
    import_csv(require_config(sample), write_subscribers(sample, rows))
    chance = random.Random(os.environ.get("KILL_SEED", str(time.time_ns())))
    with smtp_server() as (port, server):
        use_smtp(sample, port)
        kills = 0
        while kills < KILLS:
            before = len(server.received)
            process = start_send(sample)
            while len(server.received) == before and process.poll() is None:
                time.sleep(0.01)  # kill while it is sending, not while it starts up
            time.sleep(chance.uniform(0.0, 0.3))
            if process.poll() is not None:
                break  # it finished before we could kill it again
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        final = start_send(sample)
        _, errors = final.communicate(timeout=120)
        received = server.counts()
    with sqlite3.connect(database_path(require_config(sample))) as db:
        states = dict(db.execute("SELECT email, state FROM deliveries").fetchall())
    assert kills >= 3, "the send finished too early to test interruptions"
    assert len(states) == RECIPIENTS
    assert set(states.values()) <= {"accepted", "uncertain"}
    assert max(received.values()) == 1, "somebody received the issue twice"
    accepted = {email for email, state in states.items() if state == "accepted"}
    uncertain = set(states) - accepted
    assert {email for email in accepted if received.get(email) != 1} == set()
    assert set(received) <= set(states)
    assert len(uncertain) <= kills  # at most the one message in flight at each kill
    assert final.returncode == (1 if uncertain else 0), errors.decode()  # uncertain ones: red
