"""Writing the build: the only stage that touches the output folder.

Files are collected first, then written; the same path twice in one build is a bug and
refused (as Pelican does). Unchanged files are left alone, so their times stay put.

The build deletes nothing it did not write. Each output folder holds a manifest
(``.flemletter-build.json``) of the files the last build wrote there, with a hash of each; a
later build removes only the files listed there, and only while they still hold what it wrote
(a file someone edited since is kept). A folder with files but no manifest is not ours, and
nothing is written into it. Writes never follow a link planted in the folder: every file goes
to a fresh temporary name first and replaces the path itself, and a folder that leads out of
the output folder (or, for the default ``build/``, out of the newsletter) is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flemletter.problems import Problem, UserError

MANIFEST = ".flemletter-build.json"
_FORMAT = "flemletter-build/1"


@dataclass
class Output:
    """Files to write under ``folder``, by relative path.

    ``root`` is the newsletter's folder: an output folder inside it must stay inside it, so a
    ``build`` that is a link to somewhere else is refused.
    """

    folder: Path
    root: Path | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relative: str, content: bytes | str) -> None:
        if relative in self.files:
            raise RuntimeError(f"two outputs want the same file: {relative}")
        self.files[relative] = content.encode("utf-8") if isinstance(content, str) else content

    def write(self) -> list[Path]:
        """Write every file, then remove what the previous build wrote and this one did not."""
        home = self._home()
        previous = self._previous(home)
        written = []
        for relative, content in sorted(self.files.items()):
            path = home / relative
            _make_folders(home, PurePosixPath(relative).parent)
            if path.is_symlink() or not path.is_file() or path.read_bytes() != content:
                _replace(path, content)
            written.append(path)
        for relative, digest in sorted(previous.items(), reverse=True):
            if relative not in self.files:
                _remove_if_ours(home, home / relative, digest)
        manifest = {
            "format": _FORMAT,
            "files": {r: _digest(c) for r, c in sorted(self.files.items())},
        }
        _replace(home / MANIFEST, json.dumps(manifest, indent=1).encode())
        return written

    def _home(self) -> Path:
        """The output folder, resolved, if it is somewhere this build may write."""
        home = self.folder.resolve()
        root = self.root
        inside_root = root is not None and self.folder.absolute().is_relative_to(root.absolute())
        if root is not None and inside_root and not home.is_relative_to(root.resolve()):
            raise _refused(
                self.folder,
                f"is a link to {home}, outside the newsletter's folder",
                "remove the link: flemletter makes this folder itself (or build elsewhere"
                " with --out DIR)",
            )
        if home.exists() and not home.is_dir():
            raise _refused(self.folder, "is a file, not a folder", "choose another --out")
        return home

    def _previous(self, home: Path) -> dict[str, str]:
        """What the last build wrote here (relative path: hash); refuses a folder not ours."""
        manifest = self.folder / MANIFEST
        if not home.is_dir():
            return {}
        if manifest.is_file() and not manifest.is_symlink():
            with contextlib.suppress(ValueError, OSError):
                data = json.loads(manifest.read_text(encoding="utf-8"))
                if data.get("format") == _FORMAT and isinstance(data.get("files"), dict):
                    return {
                        r: d
                        for r, d in data["files"].items()
                        if isinstance(r, str) and isinstance(d, str) and _is_plain(r)
                    }
        others = sorted(p.name for p in home.iterdir())
        if not others:
            return {}
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise _refused(
            self.folder,
            f"already holds files flemletter did not write ({shown})",
            "build into an empty or new folder (--out DIR); if the folder holds only an older"
            " flemletter build, delete it and build again",
        )


def _refused(folder: Path, what: str, hint: str) -> UserError:
    return UserError([Problem(str(folder), None, f"the output folder {what}", hint=hint)])


def _is_plain(relative: str) -> bool:
    pure = PurePosixPath(relative)
    return bool(relative) and not pure.is_absolute() and ".." not in pure.parts


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _make_folders(home: Path, relative: PurePosixPath) -> None:
    """Make ``home/relative`` one level at a time, never through a link."""
    home.mkdir(parents=True, exist_ok=True)
    current = home
    for part in relative.parts:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            raise _refused(
                current,
                f"leads out of {home} (it is a link or a file, not a folder)",
                "remove it; flemletter writes only folders of its own inside its output folder",
            )
        current.mkdir(exist_ok=True)


def _replace(path: Path, content: bytes) -> None:
    # a fresh, exclusive name (never a planted link), then an atomic rename over the path
    # itself: a reader never sees half a file, and a link at ``path`` is replaced, not followed
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_if_ours(home: Path, path: Path, digest: str) -> None:
    """Remove a file the last build wrote, if it still holds what it wrote; then its folders
    that became empty, up to the output folder."""
    if path.is_symlink() or not path.is_file() or not path.parent.resolve().is_relative_to(home):
        return
    if _digest(path.read_bytes()) != digest:
        return  # changed since: someone's work now
    path.unlink()
    folder = path.parent
    while folder.resolve() != home and folder.resolve().is_relative_to(home):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            break
        folder = folder.parent
