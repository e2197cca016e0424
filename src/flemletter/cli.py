"""The ``flemletter`` command: options in, a library call, a message and an exit code out.

No logic lives here. A user's mistake (:class:`~flemletter.problems.UserError`) becomes its
list of problems and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from flemletter import __version__
from flemletter.build import build as build_issue
from flemletter.checks import check as check_issue
from flemletter.config import CONFIG_NAME, find_root
from flemletter.problems import Problem, UserError

F = TypeVar("F", bound=Callable[..., Any])

stdout = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def report(problems: list[Problem]) -> None:
    for problem in problems:
        style = "red" if problem.is_error else "yellow"
        err.print(f"[{style}]{escape(str(problem))}[/]")


def handles_user_errors(command: F) -> F:
    """Turn a user's mistake into its problems on stderr and exit code 1, with no traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            report(exc.problems)
            errors = sum(p.is_error for p in exc.problems)
            err.print(f"[red]{errors} error{'s' if errors != 1 else ''}; nothing was written.[/]")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def newsletter_root(given: Path | None) -> Path:
    """The folder with ``flemletter.toml``: ``--root``, or the nearest one above here."""
    if given is not None:
        if not (given / CONFIG_NAME).is_file():
            raise click.UsageError(f"{given} has no {CONFIG_NAME}")
        return given
    root = find_root(Path.cwd())
    if root is None:
        raise click.UsageError(
            f"no {CONFIG_NAME} here or in any folder above: run flemletter inside the "
            "newsletter's folder, or pass --root"
        )
    return root


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"The newsletter's folder (the one holding {CONFIG_NAME}). Default: found from here.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flemletter")
def main() -> None:
    """Publish the newsletter: check an issue, build its email, web pages and feeds, send it."""


@main.command()
@click.argument("issue")
@root_option
def check(issue: str, root: Path | None) -> None:
    """Report every problem in ISSUE (an id such as 2025-11, or a path), with file and line."""
    result = check_issue(newsletter_root(root), issue)
    report(result.problems)
    errors, warnings = len(result.errors), len(result.warnings)
    if errors:
        err.print(f"[red]{errors} error(s), {warnings} warning(s).[/]")
        sys.exit(1)
    for lang, email in result.emails.items():
        stdout.print(f"{lang}: “{email.subject}”, {len(email.html.encode()) / 1000:.1f} KB of HTML")
    stdout.print(f"[green]No errors[/]{f', {warnings} warning(s)' if warnings else ''}.")


@main.command()
@click.argument("issue")
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write. Default: build/ in the newsletter's folder.",
)
@handles_user_errors
def build(issue: str, root: Path | None, out: Path | None) -> None:
    """Write ISSUE's email (HTML, text, .eml) and web version for each language."""
    result = build_issue(newsletter_root(root), issue, out)
    report(result.warnings)
    for lang in result.languages:
        folder = result.folder / lang
        stdout.print(f"{lang}: {folder / 'email.html'}  ({result.sizes[lang] / 1000:.1f} KB)")
    stdout.print(f"[green]Built {result.issue_id}[/] in {result.folder}")


@main.command()
@click.argument("issue")
@root_option
def summary(issue: str, root: Path | None) -> None:
    """Print a Markdown summary of ISSUE for reviewers: subjects, preheaders, sizes, problems."""
    from flemletter.summary import markdown_summary

    click.echo(markdown_summary(issue, check_issue(newsletter_root(root), issue)), nl=False)
