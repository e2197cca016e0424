"""Golden files: the sample issue's built output that readers see, pinned and reviewed.

Regenerate after a deliberate change with ``make golden`` (``python -m tests.golden``),
then read ``git diff tests/golden`` as you would read code.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flemletter.build import build

GOLDEN = Path(__file__).resolve().parent / "golden"
PROJECT = GOLDEN.parent.parent
ISSUE = "2025-11"
PINNED_SUFFIXES = (".html", ".txt", ".eml", ".mjml")


def pinned_files(folder: Path) -> dict[str, bytes]:
    """The readable outputs under ``folder`` by relative path (images are not pinned)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.suffix in PINNED_SUFFIXES
    }


def build_sample(out: Path) -> dict[str, bytes]:
    result = build(PROJECT, ISSUE, out)
    return pinned_files(result.folder)


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        files = build_sample(Path(scratch))
    target = GOLDEN / ISSUE
    shutil.rmtree(target, ignore_errors=True)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    print(f"wrote {len(files)} golden files to {target}; review them with: git diff {GOLDEN}")


if __name__ == "__main__":
    regenerate()
