"""What the delivery commands print: the plan, a progress bar, the summary, the status.

Kept out of ``cli.py`` so the CLI stays a thin layer; everything here only formats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from flemletter.config import Config, require_config
from flemletter.delivery.database import connect
from flemletter.delivery.ledger import STATES, Ledger
from flemletter.delivery.providers import Outcome, Result
from flemletter.delivery.send import Progress as ProgressCallback
from flemletter.delivery.send import SendPlan, SendSummary
from flemletter.delivery.shown import for_terminal
from flemletter.delivery.subscribers import counts as subscriber_table


def plan(out: Console, send: SendPlan) -> None:
    for lp in send.languages:
        when = ""
        if send.schedule is not None:
            local = send.schedule.when[lp.lang]
            when = f", scheduled for {local:%Y-%m-%d %H:%M %Z} ({send.config.timezone(lp.lang)})"
        note = ""
        if lp.frozen:
            note = f" (continuing: {lp.accepted} already accepted"
            note += f", {lp.uncertain} uncertain)" if lp.uncertain else ")"
        out.print(
            f"{lp.lang}: “{escape(lp.subject)}” to {lp.to_send} recipient(s) "
            f"through {send.provider}{when}{note}"
        )
    if send.total == 0:
        out.print("Nothing to send.")


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} msg/s")


class _Bar:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, lang: str, done: int, total: int) -> None:
        if lang not in self.tasks:
            self.tasks[lang] = self.progress.add_task(lang, total=total)
        self.progress.update(self.tasks[lang], completed=done, total=max(total, done))


@contextmanager
def progress_bar(console: Console, send: SendPlan) -> Iterator[ProgressCallback]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )
    with progress:
        yield _Bar(progress)


def summary(out: Console, send: SendPlan, result: SendSummary) -> None:
    if result.recovered:
        out.print(
            f"[yellow]{result.recovered} message(s) were being handed over when an earlier run "
            "stopped: they are now 'uncertain' (see `flemletter status`).[/]"
        )
    for lang, counts in result.counts.items():
        if lang not in {lp.lang for lp in send.languages}:
            continue
        parts = [f"{counts[s]} {s}" for s in STATES if counts.get(s)]
        out.print(f"{lang}: {', '.join(parts)}")
    if result.deferred:
        out.print(
            f"[yellow]{result.deferred} message(s) were refused for now after every retry: "
            "run the same `flemletter send` later to try them again.[/]"
        )
    failed = sum(c.get("failed", 0) for c in result.counts.values())
    uncertain = sum(c.get("uncertain", 0) for c in result.counts.values())
    if failed or uncertain:
        out.print(f"`flemletter status {send.issue_id}` lists the failed and uncertain ones.")
    else:
        out.print("[green]Done.[/]")


# An address in a provider's answer ("550 5.1.1 <bob@example.org>: no such user"), with its
# angle brackets if it has them.
_ADDRESS = re.compile(r"<?[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+>?")


def without_addresses(reason: str) -> str:
    """``reason`` with every email address in it replaced by ``<address>``."""
    return _ADDRESS.sub("<address>", reason)


def status(out: Console, root: Path, issue_id: str, *, counts_only: bool = False) -> None:
    """The ledger of ``issue_id``: counts per language and state, then each failed, uncertain
    or deferred recipient with the reason; with ``counts_only``, no address at all (for logs
    others can read): the reasons, addresses blanked, grouped and counted instead."""
    config = require_config(root)
    issue_id = Path(issue_id).stem
    with closing(connect(config)) as db:
        ledger = Ledger(db)
        counts = ledger.counts(issue_id)
        troubles = ledger.problems(issue_id)
    if not counts:
        out.print(f"{issue_id} has not been sent.")
        return
    table = Table("language", *STATES)
    for lang, row in counts.items():
        table.add_row(lang, *(str(row[s]) for s in STATES))
    out.print(table)
    if counts_only:
        grouped = Counter((t.lang, _label(t.state), without_addresses(t.reason)) for t in troubles)
        for (lang, label, reason), count in sorted(grouped.items()):
            out.print(escape(for_terminal(f"{lang} {label}: {count} × {reason}")))
        return
    for trouble in troubles:
        line = f"{trouble.lang} {_label(trouble.state)}: {trouble.email} — {trouble.reason}"
        out.print(escape(for_terminal(line)))


def _label(state: str) -> str:
    return "deferred" if state == "pending" else state


def test_results(out: Console, results: list[tuple[str, Result]]) -> None:
    for lang, result in results:
        if result.outcome is Outcome.ACCEPTED:
            out.print(f"{lang}: test copy to {escape(for_terminal(result.email))} accepted")
        else:
            out.print(
                f"[red]{lang}: test copy to {escape(for_terminal(result.email))} "
                f"{result.outcome.value}: {escape(for_terminal(result.reason))}[/]"
            )


def cancel(out: Console, root: Path, issue_id: str, langs: tuple[str, ...]) -> None:
    from flemletter.delivery.schedule import cancel_send

    for done in cancel_send(root, require_config(root), Path(issue_id).stem, langs):
        out.print(
            f"{done.lang}: cancelled the scheduled send (batch {done.batch_id}); "
            f"{done.recipients} recipient(s) will be sent again by the next `flemletter send`."
        )


def subscriber_counts(out: Console, config: Config) -> None:
    table = Table("language", "active", "unsubscribed")
    counts = subscriber_table(config)
    for lang in config.languages:
        table.add_row(
            lang, str(counts.get((lang, "active"), 0)), str(counts.get((lang, "unsubscribed"), 0))
        )
    out.print(table)
