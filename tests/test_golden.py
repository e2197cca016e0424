"""The sample issue builds to exactly the reviewed golden files (``make golden`` updates them)."""

from __future__ import annotations

import difflib

import pytest

from tests.golden import GOLDEN, ISSUE, SITE, build_sample, golden_files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build_sample(tmp_path_factory.mktemp("build"))


def test_the_same_files_are_built(built: dict[str, bytes]) -> None:
    assert sorted(built) == sorted(golden_files())


@pytest.mark.parametrize("relative", sorted(golden_files()))
def test_output_matches_golden(built: dict[str, bytes], relative: str) -> None:
    expected = (GOLDEN / relative).read_bytes()
    actual = built.get(relative, b"")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.decode(errors="replace").splitlines(),
            actual.decode(errors="replace").splitlines(),
            f"golden/{relative}",
            f"built/{relative}",
            lineterm="",
            n=1,
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"{relative} differs from its golden file; if intended, run make golden\n{shown}"
        )


def test_golden_files_exist() -> None:
    assert (GOLDEN / ISSUE / "en" / "email.html").is_file(), "run make golden once"
    assert (GOLDEN / ISSUE / "sv" / "message.eml").is_file()
    for lang in ("en", "sv"):
        for name in ("feed.atom.xml", "feed.rss.xml", "feed.json"):
            assert (GOLDEN / SITE / lang / name).is_file(), "run make golden once"
