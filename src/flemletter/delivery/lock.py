"""One send of an issue at a time: an operating-system lock the system drops if the process dies.

A lock row in the database would outlive a killed process and need guessing whether its owner
still runs; a file lock is released by the kernel when the holder exits, however it exits.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flemletter.config import Config
from flemletter.delivery.database import database_path
from flemletter.problems import Problem, UserError


def lock_path(config: Config, issue_id: str) -> Path:
    """Beside the database: ``flemletter.sqlite3.<issue>.lock``."""
    database = database_path(config)
    return database.with_name(f"{database.name}.{issue_id}.lock")


def _try_lock(handle: IO[str]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)  # msvcrt locks bytes from the current position
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextmanager
def send_lock(path: Path, issue_id: str) -> Iterator[None]:
    """Hold the lock of ``issue_id`` for the duration; refuse at once if another send holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            message = f"another send of {issue_id} is running ({holder})"
            hint = "wait for it to finish; `flemletter status` shows its progress"
            raise UserError([Problem(issue_id, None, message, hint=hint)])
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        yield
