"""Benchmark: 100,000 subscribers through the sendgrid provider to a local server.

Run with ``python -m benchmarks.send_sendgrid [COUNT]``. The local server answers 202 at once
and skips schema validation here (the tests validate every body): the figures are the
client's. Prints requests, wall time and the process's peak resident memory.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.send_outbox_smtp import newsletter, peak_mb
from flemletter.delivery.send import plan_send, run_send
from tests.delivery.conftest import use_sendgrid
from tests.sendgrid_server import API_KEY, FakeSendGrid, sendgrid_server


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    os.environ.setdefault(
        "FLEMLETTER_UNSUBSCRIBE_SECRET", "benchmark-secret-not-for-real-sends-0123456789"
    )
    os.environ["SENDGRID_API_KEY"] = API_KEY
    with tempfile.TemporaryDirectory() as scratch:
        root = newsletter(Path(scratch) / "sendgrid", count)
        before = peak_mb()
        fake = FakeSendGrid(validate=False, keep_requests=False)
        with sendgrid_server(fake) as (url, fake):
            use_sendgrid(root, url)
            plan = plan_send(root, "2025-11", provider="sendgrid")
            start = time.perf_counter()
            summary = run_send(plan)
            elapsed = time.perf_counter() - start
        accepted = sum(c["accepted"] for c in summary.counts.values())
        assert accepted == count == sum(fake.delivered.values()), summary
        print(
            f"sendgrid: {count} recipients in {len(fake.requests)} requests, {elapsed:.1f} s "
            f"({count / elapsed:,.0f} recipients/s); peak RSS {peak_mb():.0f} MB "
            f"({before:.0f} MB before the send)"
        )


if __name__ == "__main__":
    main()
