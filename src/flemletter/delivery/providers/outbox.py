"""The ``outbox`` provider: every message it would send, written into a local Maildir.

Any mail client opens a Maildir (``outbox/new/``). A message's file name comes from the issue,
language and recipient, so writing the same message twice replaces it rather than doubling it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flemletter.config import Config
from flemletter.delivery.personal import personal_message
from flemletter.delivery.providers.base import Batch, Outcome, Result


class Outbox:
    name = "outbox"
    batch_size = 1

    def __init__(self, config: Config, folder: Path | None = None) -> None:
        self.config = config
        self.folder = folder or config.root / config.file.delivery.outbox

    def send(self, batch: Batch) -> list[Result]:
        for sub in ("tmp", "new", "cur"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        results = []
        for to in batch.recipients:
            data = personal_message(self.config, batch, to).as_bytes()
            name = self.file_name(batch, to.email)
            temporary = self.folder / "tmp" / name
            temporary.write_bytes(data)
            batch.handed.add(to.email)
            os.replace(temporary, self.folder / "new" / name)  # Maildir: tmp/ then new/
            results.append(Result(to.email, Outcome.ACCEPTED))
        return results

    @staticmethod
    def file_name(batch: Batch, email: str) -> str:
        who = hashlib.sha256(email.lower().encode()).hexdigest()[:20]
        test = f"-test-{batch.date:%Y%m%dT%H%M%S}" if batch.test else ""
        return f"{batch.issue_id}-{batch.lang}-{who}{test}.eml"

    def close(self) -> None:
        pass
