"""The ``flemletter`` command: options in, a library call, a message and an exit code out.

No logic lives here. A user's mistake (:class:`~flemletter.problems.UserError`) becomes its
list of problems and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from flemletter import __version__
from flemletter.annotations import github_annotation
from flemletter.build import build as build_issue
from flemletter.checks import check as check_issue
from flemletter.config import CONFIG_NAME, find_root, require_config
from flemletter.preflight import as_errors
from flemletter.preview import DEFAULT_PORT
from flemletter.preview import serve as serve_preview
from flemletter.problems import Problem, UserError
from flemletter.starting import new_article, new_issue

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
            if exc.way_out:
                err.print(escape(exc.way_out))
            sys.exit(1)
        except sqlite3.Error as exc:  # a lock or damage met after the database was opened
            from flemletter.delivery.database import database_error

            report(database_error(exc).problems)
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
@click.option("--strict", is_flag=True, help="Count warnings as errors (exit 1 on any).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: print problems as GitHub Actions annotations on stdout.",
)
def check(issue: str, root: Path | None, strict: bool, output_format: str) -> None:
    """Report every problem in ISSUE (an id such as 2025-11, or a path), with file and line."""
    result = check_issue(newsletter_root(root), issue)
    if strict:
        result.problems = as_errors(result.problems)
    if output_format == "github":
        for problem in result.problems:
            click.echo(github_annotation(problem))
    else:
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
    """Write ISSUE's email (HTML, text, .eml) and web version for each language, and the web
    archive and feeds of every issue."""
    result = build_issue(newsletter_root(root), issue, out)
    report(result.warnings)
    for lang in result.languages:
        folder = result.folder / lang
        stdout.print(f"{lang}: {folder / 'email.html'}  ({result.sizes[lang] / 1000:.1f} KB)")
    stdout.print(f"[green]Built {result.issue_id}[/] in {result.folder}")
    if result.site is not None:
        stdout.print(f"Web archive and feeds of every issue: {result.site / 'index.html'}")


@main.command("new")
@click.argument("issue")
@root_option
@handles_user_errors
def new_issue_command(issue: str, root: Path | None) -> None:
    """Start the issue ISSUE (e.g. 2025-12) from the previous one; never overwrites."""
    started = new_issue(require_config(newsletter_root(root)), issue)
    stdout.print(f"[green]Wrote {started.shown}[/]: fill in each edition, then run")
    stdout.print(f"  flemletter check {issue}")


@main.group()
def article() -> None:
    """Work with articles."""


@article.command("new")
@click.argument("slug")
@click.option("--lang", required=True, help="The language of this version, e.g. sv.")
@root_option
@handles_user_errors
def new_article_command(slug: str, lang: str, root: Path | None) -> None:
    """Start articles/SLUG/LANG.md with every field explained; never overwrites."""
    config = require_config(newsletter_root(root))
    started = new_article(config, slug, lang, dt.date.today())
    stdout.print(f"[green]Wrote {started.shown}[/]: fill in the title, write the text below it,")
    stdout.print("then list the article under an edition in the issue file.")


@main.command()
@click.argument("issue")
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the PNGs. Default: build/ISSUE/screenshots/.",
)
@click.option("--dark", is_flag=True, help="Also take each screenshot in dark mode.")
@handles_user_errors
def screenshot(issue: str, root: Path | None, out: Path | None, dark: bool) -> None:
    """Build ISSUE and save PNGs of each language's email, 375 and 600 px wide, full height."""
    from flemletter.screenshot import screenshot as take_screenshots

    for path in take_screenshots(newsletter_root(root), issue, out, dark=dark):
        stdout.print(str(path))


@main.command()
@click.argument("issue")
@root_option
@click.option(
    "--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port on 127.0.0.1."
)
@click.option("--open/--no-open", "open_browser", default=True, help="Open it in the browser.")
def preview(issue: str, root: Path | None, port: int, open_browser: bool) -> None:
    """Show ISSUE in the browser, both languages, desktop and phone; updates on every save."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # stop cleanly, even mid-start
    try:
        running = serve_preview(newsletter_root(root), issue, port, open_browser)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another with --port"
        ) from None
    stdout.print(f"Previewing {issue} at [bold]{running.url}[/]")
    stdout.print("It rebuilds whenever you save. Press Ctrl-C to stop.")
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


# --- Delivery: send, status, subscribers (the library is flemletter.delivery) ---------------


@main.command()
@click.argument("issue")
@root_option
@click.option("--lang", "langs", multiple=True, help="Send only this language (repeatable).")
@click.option(
    "--provider",
    type=click.Choice(["outbox", "smtp", "sendgrid"]),
    help="Where to hand the messages. Default: [delivery] provider in flemletter.toml.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--test-to", multiple=True, metavar="ADDR", help="Send a [TEST] copy here only.")
@click.option("--yes", is_flag=True, help="Do not ask before sending.")
@click.option("--resend-uncertain", is_flag=True, help="Send again those whose outcome is unknown.")
@click.option("--resend-failed", is_flag=True, help="Send again those the provider refused.")
@click.option(
    "--at",
    metavar='"YYYY-MM-DD HH:MM"',
    help="Schedule (SendGrid), on each language's clock ([languages.xx] timezone).",
)
@click.option("--cancel", is_flag=True, help="Cancel a scheduled send of ISSUE (SendGrid).")
@handles_user_errors
def send(
    issue: str,
    root: Path | None,
    langs: tuple[str, ...],
    provider: str | None,
    dry_run: bool,
    test_to: tuple[str, ...],
    yes: bool,
    resend_uncertain: bool,
    resend_failed: bool,
    at: str | None,
    cancel: bool,
) -> None:
    """Send ISSUE to the subscribers of each language; run again to continue after a stop.

    Exits 1 when recipients are left uncertain or deferred (see `flemletter status`); addresses
    a server refused for good are reported as failed, and --resend-failed tries them again."""
    from flemletter.delivery import report as delivery_report
    from flemletter.delivery.copies import plan_test, send_test
    from flemletter.delivery.send import SendStopped, plan_send, run_send

    folder = newsletter_root(root)
    if cancel:
        others = [name for name, given in [("--dry-run", dry_run), ("--test-to", test_to),
                  ("--at", at), ("--resend-uncertain", resend_uncertain),
                  ("--resend-failed", resend_failed)] if given]  # fmt: skip
        if others:
            hint = "cancel first, then run the other command"
            raise UserError([Problem("--cancel", None, f"--cancel with {others[0]}", hint=hint)])
        delivery_report.cancel(stdout, folder, issue, langs)
        return
    if test_to:
        if dry_run:
            _, copies = plan_test(folder, issue, test_to, langs=langs, provider=provider, at=at)
            for lang in copies.langs:
                for address in copies.addresses:
                    stdout.print(
                        f"{lang}: would send a [TEST] copy to {escape(address)} "
                        f"through {copies.provider}"
                    )
            stdout.print("Nothing was sent (--dry-run).")
            return
        results = send_test(folder, issue, test_to, langs=langs, provider=provider, at=at)
        delivery_report.test_results(stdout, results)
        return
    plan = plan_send(
        folder,
        issue,
        langs=langs,
        provider=provider,
        resend_uncertain=resend_uncertain,
        at=at,
        resend_failed=resend_failed,
    )
    report(plan.warnings)
    delivery_report.plan(stdout, plan)
    if dry_run:
        return
    if plan.total == 0:
        if plan.unfinished:
            err.print(
                f"[red]{plan.unfinished} recipient(s) uncertain: `flemletter status "
                f"{plan.issue_id}` lists them; --resend-uncertain sends them again.[/]"
            )
            sys.exit(1)
        return
    if not yes:
        if not sys.stdin.isatty():
            err.print("[red]Not sending: no terminal to ask for confirmation; add --yes.[/]")
            sys.exit(1)
        if not click.confirm(f"Send {plan.total} message(s)?", default=False):
            stdout.print("Nothing was sent.")
            return
    try:
        with delivery_report.progress_bar(err, plan) as progress:
            summary = run_send(plan, progress=progress)
    except SendStopped as stopped:  # part may have gone out: say what, then why it stopped
        for lang_plan in plan.languages:
            counts = stopped.summary.counts.get(lang_plan.lang, {})
            stdout.print(
                f"{lang_plan.lang}: {', '.join(f'{n} {s}' for s, n in counts.items() if n)}"
            )
        report(stopped.problems)
        err.print(
            "[red]The send stopped. Those not sent stay pending: fix the problem above, then "
            "run the same command again to continue.[/]"
        )
        sys.exit(1)
    delivery_report.summary(stdout, plan, summary)
    if summary.unfinished:
        err.print(
            f"[red]{summary.unfinished} recipient(s) left uncertain or deferred: "
            f"see `flemletter status {plan.issue_id}`.[/]"
        )
        sys.exit(1)


@main.command()
@click.argument("issue")
@root_option
@click.option(
    "--counts-only",
    is_flag=True,
    help="No addresses: counts, and failure reasons grouped (for public logs such as CI).",
)
@handles_user_errors
def status(issue: str, root: Path | None, counts_only: bool) -> None:
    """Show how far the send of ISSUE got: counts per state and language, and failures."""
    from flemletter.delivery import report as delivery_report

    delivery_report.status(stdout, newsletter_root(root), issue, counts_only=counts_only)


@main.group()
def subscribers() -> None:
    """Import, list, add, unsubscribe and export subscribers."""


@subscribers.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@root_option
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
@handles_user_errors
def subscribers_import(file: Path, root: Path | None, skip_bad: bool) -> None:
    """Import FILE.csv (columns: email, language; optional name, consent_date, consent_source)."""
    from flemletter.config import require_config
    from flemletter.delivery.subscribers import import_csv

    result = import_csv(require_config(newsletter_root(root)), file, skip_bad=skip_bad)
    report(result.skipped + result.warnings)
    stdout.print(
        f"[green]Imported {result.added} new subscriber(s)[/]; {result.unchanged} already "
        f"subscribed; {len(result.skipped)} bad row(s) left out."
    )


@subscribers.command("list")
@root_option
@handles_user_errors
def subscribers_list(root: Path | None) -> None:
    """List every subscriber: address, language, status, name."""
    from flemletter.config import require_config
    from flemletter.delivery.shown import for_terminal
    from flemletter.delivery.subscribers import subscribers as all_subscribers

    for s in all_subscribers(require_config(newsletter_root(root))):
        shown = (s.email, s.language, s.status, s.name or "")
        click.echo("\t".join(for_terminal(cell) for cell in shown))


@subscribers.command("add")
@click.argument("email")
@click.option("--lang", "language", required=True, help="The language they read.")
@click.option("--name", help="Their name, for the To line.")
@root_option
@handles_user_errors
def subscribers_add(email: str, language: str, name: str | None, root: Path | None) -> None:
    """Subscribe EMAIL to the newsletter in one language."""
    from flemletter.config import require_config
    from flemletter.delivery.shown import for_terminal
    from flemletter.delivery.subscribers import add

    added = add(require_config(newsletter_root(root)), email, language, name)
    stdout.print(f"Subscribed {escape(for_terminal(added.email))} ({added.language}).")


@subscribers.command("unsubscribe")
@click.argument("email", metavar="ADDRESS_OR_TOKEN")
@root_option
@handles_user_errors
def subscribers_unsubscribe(email: str, root: Path | None) -> None:
    """Unsubscribe an address, or whoever the token in an unsubscribe email's subject names
    (kept on the list as unsubscribed, so no import re-adds them)."""
    from flemletter.config import require_config
    from flemletter.delivery.shown import for_terminal
    from flemletter.delivery.subscribers import unsubscribe, unsubscribe_address

    config = require_config(newsletter_root(root))
    email = unsubscribe_address(config, email)
    shown = escape(for_terminal(email))
    if unsubscribe(config, email):
        stdout.print(f"Unsubscribed {shown}.")
    else:
        stdout.print(f"{shown} was not an active subscriber; nothing changed.")


@subscribers.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@root_option
@handles_user_errors
def subscribers_export(file: Path | None, root: Path | None) -> None:
    """Write all subscribers as CSV to FILE (default: the screen)."""
    from flemletter.config import require_config
    from flemletter.delivery.subscribers import export

    config = require_config(newsletter_root(root))
    if file is None:
        export(config, sys.stdout)
        return
    with file.open("w", encoding="utf-8", newline="") as out:
        count = export(config, out)
    err.print(f"Wrote {count} subscriber(s) to {file}.")


@subscribers.command("counts")
@root_option
@handles_user_errors
def subscribers_counts(root: Path | None) -> None:
    """How many subscribers each language has, active and unsubscribed."""
    from flemletter.config import require_config
    from flemletter.delivery import report as delivery_report

    delivery_report.subscriber_counts(stdout, require_config(newsletter_root(root)))


@main.command()
@click.argument("issue")
@root_option
def summary(issue: str, root: Path | None) -> None:
    """Print a Markdown summary of ISSUE for reviewers: subjects, preheaders, sizes, problems."""
    from flemletter.summary import markdown_summary

    click.echo(markdown_summary(issue, check_issue(newsletter_root(root), issue)), nl=False)
