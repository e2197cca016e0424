"""Benchmark: importing a CSV of 100,000 subscribers, and upgrading a database of that size
made before address keys (schema version 0) to the current one.

Run with ``python -m benchmarks.import_subscribers [COUNT]``. Prints seconds for each.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from flemletter.config import require_config
from flemletter.delivery.database import connect, database_path
from flemletter.delivery.subscribers import import_csv
from tests.conftest import copy_sample
from tests.delivery.conftest import many, write_subscribers


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = copy_sample(Path(folder) / "newsletter")
        config = require_config(root)
        path = write_subscribers(root, many(count))
        start = time.perf_counter()
        added = import_csv(config, path).added
        print(f"import of {added:,} subscribers: {time.perf_counter() - start:.2f} s")

        with closing(sqlite3.connect(database_path(config))) as db, db:
            db.execute("DROP INDEX subscribers_by_key")
            db.execute("DROP TRIGGER subscribers_need_a_key")
            db.execute("UPDATE subscribers SET address_key = NULL")
            db.execute("PRAGMA user_version = 0")
        start = time.perf_counter()
        connect(config).close()
        print(f"upgrade of a version-0 database of {count:,}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
