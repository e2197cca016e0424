"""Starting a month: a new issue file, a new article file, each explained line by line.

The files are written for communicators, so every field carries a comment saying what it
is for. Nothing is ever overwritten: an existing file is a problem, not a replacement. Left
empty, the new files give plain errors from ``flemletter check`` ("'title' is empty"), never
a traceback.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date

from flemletter.config import Config
from flemletter.content import ARTICLES_DIR, ISSUE_ID, ISSUES_DIR, SLUG, list_issue_ids
from flemletter.preflight import PREHEADER_LIMIT, SUBJECT_LIMIT
from flemletter.problems import Problem, UserError, did_you_mean, display_path
from flemletter.sources import load_yaml, read_text


@dataclass(frozen=True)
class Started:
    path: Path
    shown: str


def new_issue(config: Config, issue_id: str) -> Started:
    """Write ``issues/<issue_id>.yaml`` from the previous issue: its languages, a date."""
    if not ISSUE_ID.match(issue_id):
        raise UserError([Problem(issue_id, None, "not an issue id", hint="write it as YYYY-MM")])
    path = config.root / ISSUES_DIR / f"{issue_id}.yaml"
    earlier = [i for i in list_issue_ids(config.root) if i < issue_id]
    previous = earlier[-1] if earlier else None
    languages, day = config.languages, 1
    if previous is not None:
        languages, day = _previous_shape(config, previous) or (languages, day)
    year, month = int(issue_id[:4]), int(issue_id[5:7])
    date = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
    return _write_new(config, path, issue_text(issue_id, date, languages, previous))


def _previous_shape(config: Config, previous: str) -> tuple[list[str], int] | None:
    """The languages and day of the month of the previous issue, if it can be read."""
    path = config.root / ISSUES_DIR / f"{previous}.yaml"
    source, _ = read_text(path, path.name)
    if source is None:
        return None
    data, _, problems = load_yaml(source)
    if problems or not isinstance(data, dict):
        return None
    editions = data.get("editions")
    languages = [str(k) for k in editions] if isinstance(editions, dict) else config.languages
    try:
        day = dt.date.fromisoformat(str(data.get("date"))).day
    except ValueError:
        day = 1
    return languages or config.languages, day


def issue_text(issue_id: str, date: dt.date, languages: list[str], previous: str | None) -> str:
    month = format_date(date, "MMMM yyyy", locale="en")
    lines = [
        f"# The {month} issue" + (f", started from {previous}." if previous else "."),
        "# Fill in each edition below, then run: flemletter check " + issue_id,
        "",
        "# date: the day the issue goes out (YYYY-MM-DD). The email shows it under the title,",
        "# and the web archive and feeds date the issue by it.",
        f"date: {date.isoformat()}",
        "",
        "# One edition per language: its own subject, preheader and articles. Readers of each",
        "# language get only their edition. Delete a language here to skip it this month.",
        "editions:",
    ]
    for lang in languages:
        lines += [
            f"  {lang}:",
            f"    # subject: the email's subject line, in {lang}. Inboxes show about"
            f" {SUBJECT_LIMIT} characters.",
            '    subject: ""',
            "    # preheader: the grey line inboxes show after the subject. One sentence, at most",
            f'    # {PREHEADER_LIMIT} characters, e.g. "Also: ..." naming the other articles.',
            '    preheader: ""',
            "    # articles: the folder names under articles/ (each holding"
            f" {lang}.md), one per line",
            "    # as '- folder-name'. The first is the lead, shown at length; the others are",
            '    # teasers with a "Read more" link. Start one with:'
            f" flemletter article new SLUG --lang {lang}",
            "    articles: []",
        ]
    return "\n".join(lines) + "\n"


def new_article(config: Config, slug: str, lang: str, today: dt.date) -> Started:
    """Write ``articles/<slug>/<lang>.md`` with every front-matter field, explained."""
    problems = []
    if not SLUG.match(slug):
        problems.append(
            Problem(
                slug,
                None,
                f"'{slug}' cannot be a folder name in a web address",
                hint="use lowercase letters, digits and dashes, e.g. 'new-lab-opens'",
            )
        )
    if lang not in config.languages:
        hint = did_you_mean(lang, config.languages) or (
            f"the languages in flemletter.toml are {', '.join(config.languages)}"
        )
        problems.append(Problem("--lang", None, f"unknown language '{lang}'", hint=hint))
    if problems:
        raise UserError(problems)
    folder = config.root / ARTICLES_DIR / slug
    others = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
    other = next((code for code in config.languages if code != lang), lang)
    text = article_text(slug, lang, today, others, other)
    return _write_new(config, folder / f"{lang}.md", text)


def article_text(slug: str, lang: str, today: dt.date, others: list[str], other: str) -> str:
    beside = (
        f"# Other language versions of this article: {', '.join(f'{o}.md' for o in others)}."
        if others
        else f"# A translation goes beside this file, named by its language ({other}.md)."
    )
    lines = [
        "---",
        f"# The {lang} version of the article '{slug}'. Each field is explained above it;",
        "# a field left empty is simply not used. Write the text below the closing '---'.",
        beside,
        "",
        "# title: the headline, as readers see it in the email, on the web and in feeds.",
        'title: ""',
        "# date: when the article was written or published (YYYY-MM-DD).",
        f"date: {today.isoformat()}",
        "# teaser: one short paragraph shown when the article is not the lead, and in feeds.",
        "# Leave it empty to use the first paragraph of the text.",
        "teaser:",
        "# image: a photo shown with the article when it is the lead. Put the file in this",
        "# folder, then replace 'image:' below with these lines (without the '# '):",
        "# image:",
        "#   file: photo.jpg        the file's name in this folder (JPEG or PNG)",
        '#   alt: "..."             what the photo shows, for readers who cannot see it',
        '#   credit: "..."          the photographer, shown as "Photo: ..."',
        "image:",
        "# url: the article's own web address, if it is published elsewhere (https://...);",
        '# "Read more" then leads there instead of the newsletter\'s web archive.',
        "url:",
        "# author: who wrote it; shown in feeds.",
        "author:",
        '# section: a short label shown above the lead\'s title, e.g. "Research".',
        "section:",
        "# tags: keywords for feeds and the archive, e.g. [research, award].",
        "tags: []",
        "# updated: the date of a correction after publication (YYYY-MM-DD), if any.",
        "updated:",
        "---",
        "",
    ]
    return "\n".join(lines)


def _write_new(config: Config, path: Path, text: str) -> Started:
    shown = display_path(path, config.root)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise UserError(
            [Problem(shown, None, "already exists", hint="edit it, or remove it first")]
        ) from None
    return Started(path, shown)
