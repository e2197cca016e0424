"""The command line: exit codes, messages on the right stream, never a traceback for a mistake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_flemletter

Edit = Callable[[str, str, str], None]


def test_check_clean_sample_exits_0(sample: Path) -> None:
    run = run_flemletter("check", "2025-11", cwd=sample)
    assert run.returncode == 0, run.stderr
    assert "No errors" in run.stdout
    assert "en: “Collaboration in Science and the future of Flemingsberg”" in run.stdout


def test_check_broken_sample_lists_errors_and_exits_1(sample: Path, edit: Edit) -> None:
    edit("issues/2025-11.yaml", "- collaboration-in-science", "- colaboration-in-science")
    edit("articles/karolinska-atmp-centrum/sv.md", "date: 2025-11-17", "date: 17 november")
    run = run_flemletter("check", "2025-11", cwd=sample)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "issues/2025-11.yaml:11: unknown article 'colaboration-in-science'" in run.stderr
    assert "articles/karolinska-atmp-centrum/sv.md:3: 'date': '17 november' is not a date" in (
        run.stderr
    )
    assert "2 error(s)" in run.stderr


def test_build_writes_and_says_where(sample: Path) -> None:
    run = run_flemletter("build", "2025-11", cwd=sample / "articles")  # root found from a subfolder
    assert run.returncode == 0, run.stderr
    assert str(sample / "build" / "2025-11" / "en" / "email.html") in run.stdout


def test_build_refuses_broken_input_without_traceback(sample: Path) -> None:
    (sample / "issues" / "2025-11.yaml").write_text("date: [2025\n", encoding="utf-8")
    run = run_flemletter("build", "2025-11", cwd=sample)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "issues/2025-11.yaml:2: not valid YAML" in run.stderr
    assert "nothing was written" in run.stderr
    assert not (sample / "build").exists()


def test_outside_a_newsletter_is_a_usage_error(tmp_path: Path) -> None:
    run = run_flemletter("check", "2025-11", cwd=tmp_path)
    assert run.returncode == 2
    assert "no flemletter.toml here or in any folder above" in run.stderr
    assert "Traceback" not in run.stderr


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    run = run_flemletter("--version", cwd=tmp_path)
    assert run.returncode == 0
    assert run.stdout.startswith("flemletter, version ")
