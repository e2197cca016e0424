"""A Markdown summary of an issue for reviewers: what each language's subscribers will see in
their inbox, how big the email is, and what `check` found. GitHub shows it on a pull request."""

from __future__ import annotations

from flemletter.checks import CheckResult

GMAIL_CLIP_BYTES = 102_000


def markdown_summary(issue: str, result: CheckResult) -> str:
    lines = [f"## Issue {issue}", ""]
    if result.issue is not None and result.emails:
        languages = list(result.emails)
        lines += [
            "| | " + " | ".join(f"`{lang}`" for lang in languages) + " |",
            "|---|" + "---|" * len(languages),
            _row("Subject", [_cell(result.emails[lang].subject) for lang in languages]),
            _row("Preheader", [_cell(result.emails[lang].preheader) for lang in languages]),
            _row("Lead", [_cell(result.issue.editions[lang].lead.title) for lang in languages]),
            _row("Teasers", [str(len(result.issue.editions[lang].teasers)) for lang in languages]),
            _row(
                "HTML size", [_size(len(result.emails[lang].html.encode())) for lang in languages]
            ),
            "",
        ]
    if not result.problems:
        lines.append("**Check:** no problems.")
    else:
        errors, warnings = len(result.errors), len(result.warnings)
        lines += [f"**Check:** {errors} error(s), {warnings} warning(s).", ""]
        lines += [
            f"- {'❌' if p.is_error else '⚠️'} `{p.location()}` {_cell(p.message)}"
            + (f" — {_cell(p.hint)}" if p.hint else "")
            for p in result.problems
        ]
    return "\n".join(lines) + "\n"


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _size(size: int) -> str:
    share = size / GMAIL_CLIP_BYTES
    return f"{size / 1000:.1f} KB ({share:.0%} of Gmail's clipping limit)"
