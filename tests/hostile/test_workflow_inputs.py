"""Class 9 of issue 11 (workflows): the send workflow's ``issue`` input cannot name a path
outside ``issues/``, no workflow expands an input inside a shell script, and every job gets
the least token it needs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

PROJECT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return document


def steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job["steps"]]


SEND = load(PROJECT / ".github" / "workflows" / "send.yml")
VALIDATE = next(step for _, step in steps(SEND) if step.get("name") == "Check the issue name")


def validate(issue: str) -> int:
    run = subprocess.run(
        ["sh", "-e", "-c", VALIDATE["run"]],  # a container job's default shell
        env={"ISSUE": issue, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode


@pytest.mark.parametrize(
    "issue",
    [
        "../../etc/passwd",
        "2025-11/../../../home",
        "/etc/passwd",
        "2025-11\n../x",
        "2025-11\n",
        "x2025-11",
        "2025-11 --out /",
        "2025-1",
        "2025-11.yaml",
        "$(id)",
        "",
    ],
)
def test_the_send_refuses_an_issue_name_that_is_not_yyyy_mm(issue: str) -> None:
    assert validate(issue) == 1


@pytest.mark.parametrize("issue", ["2025-11", "2026-01"])
def test_the_send_accepts_an_issue_name(issue: str) -> None:
    assert validate(issue) == 0


def test_the_issue_name_is_checked_before_anything_uses_it() -> None:
    job = SEND["jobs"]["send"]
    assert job["steps"][0] is VALIDATE
    assert job["env"]["ISSUE"] == "${{ inputs.issue }}"  # given as data, through env


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_no_input_is_expanded_inside_a_script(path: Path) -> None:
    for _, step in steps(load(path)):
        script = step.get("run", "")
        assert not re.search(r"\$\{\{\s*(inputs|github\.event)\b", script), (step, script)


def test_the_send_token_may_only_write_contents() -> None:
    assert SEND["permissions"] == {}
    assert SEND["jobs"]["send"]["permissions"] == {"contents": "write"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_checkouts_keep_no_credentials_unless_the_job_pushes(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        pushes = path.name == "send.yml"  # the ledger goes to the newsletter-data branch
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout"):
                keeps = step.get("with", {}).get("persist-credentials", True)
                assert keeps is pushes, (path.name, name)
