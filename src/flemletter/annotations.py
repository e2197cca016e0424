"""Problems as GitHub Actions workflow commands, so a pull request shows them on its lines.

``::error file=articles/x/en.md,line=7,col=48,title=flemletter check::message — hint``;
the escaping follows GitHub's workflow-command rules (``%``, CR and LF everywhere, plus
``:`` and ``,`` in properties).
"""

from __future__ import annotations

from flemletter.problems import Problem

TITLE = "flemletter check"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """One problem as a workflow command line."""
    properties = [f"file={_property(problem.path)}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
        if problem.column is not None:
            properties.append(f"col={problem.column}")
    properties.append(f"title={_property(TITLE)}")
    message = problem.message + (f" — {problem.hint}" if problem.hint else "")
    return f"::{problem.severity.value} {','.join(properties)}::{_data(message)}"
