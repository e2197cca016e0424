"""Problems found in a communicator's files, and the error that carries them.

Every stage that reads user input reports what is wrong as :class:`Problem` values (file,
line, message, hint) instead of raising at the first one, so `flemletter check` can list
everything at once. :class:`UserError` is raised only when a stage cannot go on; it carries
the problems collected so far. Anything else that escapes is a bug in flemletter.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place. ``path`` is shown relative to the newsletter's root."""

    path: str
    line: int | None
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None
    column: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        label = "" if self.is_error else f"{self.severity.value}: "
        text = f"{self.location()}: {label}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


class UserError(Exception):
    """The user's files cannot be processed; ``problems`` says why, with file and line.
    ``way_out``, if given, is the one sentence shown after them: what to do besides fixing."""

    def __init__(self, problems: Iterable[Problem], *, way_out: str | None = None) -> None:
        self.problems = sorted(problems, key=_reading_order)
        self.way_out = way_out
        super().__init__("\n".join(str(p) for p in self.problems))


def _reading_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order a reader fixes them: by file, then line."""
    return sorted(problems, key=_reading_order)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known choice, if one is close enough to be a typo."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def display_path(path: Path, root: Path) -> str:
    """``path`` as the user knows it: relative to the newsletter root when inside it."""
    # as written first: a link inside the folder is shown where it is, not where it leads
    for inner, outer in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        if inner.is_relative_to(outer):
            return inner.relative_to(outer).as_posix()
    return str(path)
