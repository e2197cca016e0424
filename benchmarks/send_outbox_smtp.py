"""Benchmark: 10,000 subscribers sent through the outbox and through a local SMTP server.

Run with ``python -m benchmarks.send_outbox_smtp [COUNT]``. Prints messages per second and
the process's peak resident memory (which includes the in-process aiosmtpd server).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flemletter.delivery.send import plan_send, run_send
from tests.conftest import copy_sample
from tests.delivery.conftest import use_smtp, write_subscribers
from tests.smtp_server import smtp_server


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def newsletter(folder: Path, count: int) -> Path:
    root = copy_sample(folder)
    rows = [
        (f"reader{n:06d}@example.org", "en" if n % 2 else "sv", f"Reader Nº {n}")
        for n in range(count)
    ]
    write_subscribers(root, rows)  # imported by another process: its memory is not ours
    command = [sys.executable, "-m", "flemletter", "subscribers", "import", "subscribers.csv"]
    subprocess.run(command, cwd=root, check=True, capture_output=True)
    return root


def timed(root: Path, provider: str) -> float:
    plan = plan_send(root, "2025-11", provider=provider)
    start = time.perf_counter()
    summary = run_send(plan)
    elapsed = time.perf_counter() - start
    accepted = sum(c["accepted"] for c in summary.counts.values())
    assert accepted == plan.total, summary
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    os.environ.setdefault(
        "FLEMLETTER_UNSUBSCRIBE_SECRET", "benchmark-secret-not-for-real-sends-0123456789"
    )
    with tempfile.TemporaryDirectory() as scratch:
        root = newsletter(Path(scratch) / "outbox", count)
        elapsed = timed(root, "outbox")
        files = len(list((root / "outbox" / "new").iterdir()))
        print(
            f"outbox: {count} messages ({files} files) in {elapsed:.1f} s = "
            f"{count / elapsed:,.0f} msg/s; peak RSS so far {peak_mb():.0f} MB"
        )
        root = newsletter(Path(scratch) / "smtp", count)
        with smtp_server(keep_content=False) as (port, server):
            use_smtp(root, port)
            elapsed = timed(root, "smtp")
            received = len(server.received)
        print(
            f"smtp:   {count} messages ({received} received) in {elapsed:.1f} s = "
            f"{count / elapsed:,.0f} msg/s; peak RSS {peak_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
