"""Class 2 of the hostile-input review: the build deletes nothing it did not write.

Each output folder keeps a manifest of what the build wrote; only those files, unchanged, are
ever removed, a folder with someone else's files is never written into, and links planted in
or at the output folder are neither followed out nor written through.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flemletter.build import build
from flemletter.cli import main
from flemletter.problems import UserError
from flemletter.writer import MANIFEST

ISSUE = "2025-11"


def run(sample: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--root", str(sample)], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("place", ["site", f"{ISSUE}/en", f"site/en/articles/{ISSUE}-notes"])
def test_a_file_of_ones_own_inside_the_build_survives_a_rebuild(sample: Path, place: str) -> None:
    build(sample, ISSUE)
    own = sample / "build" / place / "my-notes.txt"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text("mine", encoding="utf-8")
    build(sample, ISSUE)
    assert own.read_text(encoding="utf-8") == "mine"


def test_a_built_file_someone_edited_is_kept_when_no_longer_made(sample: Path) -> None:
    folder = sample / "articles" / "collaboration-in-science"
    photo = folder / "placeholder-collaboration-in-science.jpg"
    built = build(sample, ISSUE).folder / "en" / "images" / "collaboration-in-science"
    (built / photo.name).write_bytes(b"edited by hand")
    photo.rename(folder / "renamed.jpg")
    article = folder / "en.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace(photo.name, "renamed.jpg"), encoding="utf-8")
    build(sample, ISSUE)
    assert (built / photo.name).read_bytes() == b"edited by hand"


@pytest.mark.parametrize("inner", ["", ISSUE, "site"])
def test_out_into_a_folder_of_ones_own_files_is_refused(
    sample: Path, tmp_path: Path, inner: str
) -> None:
    out = tmp_path / "Documents"
    (out / inner).mkdir(parents=True, exist_ok=True)
    (out / inner / "thesis.docx").write_bytes(b"years of work")
    code, output = run(sample, "build", ISSUE, "--out", str(out))
    assert (out / inner / "thesis.docx").read_bytes() == b"years of work"
    if inner:  # the build's own folder holds files it did not write: nothing is written there
        assert code == 1
        assert "already holds files flemletter did not write (thesis.docx)" in output
        assert "Traceback" not in output
        assert not (out / inner / MANIFEST).exists()
    else:  # beside the user's file, in folders of its own
        assert code == 0, output
        assert (out / ISSUE / "en" / "email.html").is_file()


def test_out_into_an_empty_folder_then_again_works(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    for _ in range(2):
        code, output = run(sample, "build", ISSUE, "--out", str(out))
        assert code == 0, output
    assert (out / "site" / MANIFEST).is_file()


@pytest.mark.parametrize("linked", ["build", "build/site", f"build/{ISSUE}"])
def test_a_build_folder_linked_out_of_the_newsletter_is_refused(
    sample: Path, tmp_path: Path, linked: str
) -> None:
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (elsewhere / "photo.jpg").write_bytes(b"holiday")
    link = sample / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    code, output = run(sample, "build", ISSUE)
    assert code == 1
    assert "outside the newsletter's folder" in output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["photo.jpg"]


def test_a_subfolder_linked_out_is_not_written_through(sample: Path, tmp_path: Path) -> None:
    build(sample, ISSUE)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    english = sample / "build" / "site" / "en"
    for path in sorted(english.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    english.rmdir()
    english.symlink_to(elsewhere, target_is_directory=True)
    code, output = run(sample, "build", ISSUE)
    assert code == 1
    assert "leads out of" in output
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "planted", [MANIFEST, "index.html", "en/feed.json", f".{MANIFEST}.tmp", ".index.html.tmp"]
)
def test_a_link_planted_in_the_build_is_replaced_not_followed(
    sample: Path, tmp_path: Path, planted: str
) -> None:
    build(sample, ISSUE)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = sample / "build" / "site" / planted
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    code, output = run(sample, "build", ISSUE)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert code == (1 if planted == MANIFEST else 0), output  # a linked manifest is not ours
    assert "Traceback" not in output


def test_a_manifest_naming_other_files_deletes_none_of_them(sample: Path, tmp_path: Path) -> None:
    build(sample, ISSUE)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    mine = sample / "build" / "site" / "mine.txt"
    mine.write_text("keep", encoding="utf-8")
    manifest = sample / "build" / "site" / MANIFEST
    forged = (
        '{"format": "flemletter-build/1", "files": {"../../../outside.txt": "x",'
        f' "{os.path.relpath(outside, manifest.parent)}": "y", "mine.txt": "z"}}}}'
    )
    manifest.write_text(forged, encoding="utf-8")
    build(sample, ISSUE)
    assert outside.read_text(encoding="utf-8") == "keep"
    assert mine.read_text(encoding="utf-8") == "keep"


def test_screenshots_survive_a_later_build(sample: Path) -> None:
    folder = build(sample, ISSUE).folder
    shot = folder / "screenshots" / "en-375.png"
    shot.parent.mkdir()
    shot.write_bytes(b"\x89PNG taken earlier")
    build(sample, ISSUE)
    assert shot.read_bytes() == b"\x89PNG taken earlier"


def test_the_library_raises_a_user_error_not_a_traceback(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    (out / "site" / "index.html").write_text("someone's site", encoding="utf-8")
    with pytest.raises(UserError, match="did not write"):
        build(sample, ISSUE, out)
