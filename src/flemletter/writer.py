"""Writing the build: the only stage that touches the output folder.

Files are collected first, then written; the same path twice in one build is a bug and
refused (as Pelican does). Unchanged files are left alone, so their times stay put, and
files a previous build left that this build no longer makes are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Output:
    """Files to write under ``folder``, by relative path."""

    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relative: str, content: bytes | str) -> None:
        if relative in self.files:
            raise RuntimeError(f"two outputs want the same file: {relative}")
        self.files[relative] = content.encode("utf-8") if isinstance(content, str) else content

    def write(self, prune: bool = True) -> list[Path]:
        """Write every file; with ``prune``, remove files in ``folder`` no longer produced."""
        written = []
        for relative, content in sorted(self.files.items()):
            path = self.folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_file() or path.read_bytes() != content:
                temporary = path.with_name(f".{path.name}.tmp")
                temporary.write_bytes(content)
                temporary.replace(path)  # atomic: a reader never sees half a file
            written.append(path)
        if prune and self.folder.is_dir():
            keep = {self.folder / r for r in self.files}
            for path in sorted(self.folder.rglob("*"), reverse=True):
                if path.is_file() and path not in keep:
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return written
