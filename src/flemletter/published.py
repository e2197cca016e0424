"""What is published: every issue in ``issues/``, per language, with permanent feed ids.

:func:`load_issues` reads the issue being built and every earlier one (ids sort by date);
an issue with errors is left out and its
problems come back as warnings, with file and line, so one broken draft never stops this
month's build. :func:`make_site` turns the issues into the :class:`Site`, plain data: per
language the editions and the articles, newest first, each article with its permanent
``tag:`` id and its dates taken from the content, never from the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from flemletter import urls
from flemletter.config import CONFIG_NAME, Config
from flemletter.content import ISSUES_DIR, list_issue_ids, load_issue
from flemletter.files import Refused, check_file, name_problem
from flemletter.models import Article, Edition, Issue
from flemletter.problems import Problem, Severity

PUBLISH_HOUR = 8
"""Articles carry dates, not times: they count as published at 08:00, publication time."""


@dataclass(frozen=True)
class Entry:
    """One article in one language as the archive and the feeds publish it."""

    article: Article
    issue_id: str
    """The first issue that carried it: its id is fixed from then on."""
    id: str
    """Permanent ``tag:`` URI, the same in every feed format."""
    published: dt.datetime
    updated: dt.datetime
    """Equal to ``published`` unless the article's front matter says ``updated:``."""
    translations: tuple[Article, ...] = ()
    """The same article in other languages, where those are published too."""


@dataclass(frozen=True)
class Archive:
    """Everything published in one language, newest first."""

    lang: str
    editions: tuple[Edition, ...]
    entries: tuple[Entry, ...]
    feed_id: str

    def edition(self, issue_id: str) -> Edition | None:
        return next((e for e in self.editions if e.issue_id == issue_id), None)


@dataclass(frozen=True)
class Picture:
    """The publication's icon or logo, published at the site's root."""

    file: Path
    url: str
    media_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Site:
    archives: dict[str, Archive]
    """Per language, in the configuration's order."""
    icon: Picture | None = None
    logo: Picture | None = None

    def translations_of(self, edition: Edition) -> list[Edition]:
        """The same issue in the other languages."""
        found = (a.edition(edition.issue_id) for a in self.archives.values())
        return [e for e in found if e is not None and e.lang != edition.lang]


def load_issues(config: Config, named: Issue) -> tuple[list[Issue], list[Problem]]:
    """``named`` and every earlier issue in ``issues/``, newest first; broken ones are left
    out and their problems returned as warnings.

    Later issues are drafts as far as this build knows: building 2025-11 never publishes the
    2025-12 file someone has started."""
    issues = {named.id: named}
    problems: list[Problem] = []
    for issue_id in list_issue_ids(config.root):
        if issue_id in issues or issue_id > named.id:
            continue
        path = config.root / ISSUES_DIR / f"{issue_id}.yaml"
        issue, found = load_issue(config, path)
        errors = [p for p in found if p.is_error]
        if issue is None or errors:
            problems += [_as_warning(p) for p in found]
            problems.append(
                Problem(
                    f"{ISSUES_DIR}/{issue_id}.yaml",
                    None,
                    "left out of the web archive and the feeds until its errors are fixed",
                    severity=Severity.WARNING,
                    hint=f"see flemletter check {issue_id}",
                )
            )
            continue
        problems += found
        issues[issue.id] = issue
    return sorted(issues.values(), key=lambda i: (i.date, i.id), reverse=True), problems


def identity_problems(config: Config) -> list[Problem]:
    """Feed ids must outlive the site's address: without ``tag_authority`` they follow it."""
    if config.publication.tag_authority is not None:
        return []
    return [
        Problem(
            CONFIG_NAME,
            None,
            "publication.tag_authority is not set: feed ids follow the base URL's host, so "
            "moving the site would show every feed item as new again",
            severity=Severity.WARNING,
            hint=f'add tag_authority = "{urls.tag_authority(config)}" under [publication]',
        )
    ]


def load_pictures(config: Config) -> tuple[Picture | None, Picture | None, list[Problem]]:
    """The ``[feeds]`` icon and logo; one that cannot be published is a warning, left out."""
    problems: list[Problem] = []
    found: list[Picture | None] = []
    for key in ("icon", "logo"):
        name = getattr(config.file.feeds, key)
        picture = None
        if name is not None:
            try:
                picture = _picture(config, name)
            except Refused as refused:
                problems.append(
                    Problem(
                        CONFIG_NAME,
                        None,
                        f"feeds.{key}: {refused.reason}",
                        severity=Severity.WARNING,
                        hint=refused.hint,
                    )
                )
        found.append(picture)
    return found[0], found[1], problems


def _picture(config: Config, name: str) -> Picture:
    refused = name_problem(name)
    if refused is not None:
        raise refused
    file = config.root / name
    if not file.exists() and not file.is_symlink():
        raise Refused(
            f"'{name}' not found", "give the path of an image file, relative to flemletter.toml"
        )
    checked = check_file(config.root, file, images_only=True)
    if checked.kind not in ("PNG", "JPEG", "GIF"):  # what feed readers show
        raise Refused(
            f"'{name}' is a {checked.kind} image, which feed readers do not show",
            "save it as PNG",
        )
    url = urls.site_file_url(config, file.name)
    return Picture(file, url, checked.media_type, checked.width, checked.height)


def _as_warning(problem: Problem) -> Problem:
    return Problem(
        problem.path,
        problem.line,
        problem.message,
        Severity.WARNING,
        problem.hint,
        problem.column,
    )


def published_at(config: Config, date: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        date, dt.time(PUBLISH_HOUR), tzinfo=ZoneInfo(config.publication.timezone)
    )


def make_site(
    config: Config,
    issues: list[Issue],
    icon: Picture | None = None,
    logo: Picture | None = None,
) -> Site:
    """The published site from ``issues`` (any order)."""
    oldest_first = sorted(issues, key=lambda i: (i.date, i.id))
    since = str(oldest_first[0].date.year) if oldest_first else "2000"
    first: dict[tuple[str, str], tuple[Issue, int, Article]] = {}
    for issue in oldest_first:
        for edition in issue.editions.values():
            for position, article in enumerate(edition.articles):
                first.setdefault((edition.lang, article.slug), (issue, position, article))
    archives = {}
    for lang in config.languages:
        entries = []
        for (entry_lang, slug), (issue, position, article) in first.items():
            if entry_lang != lang:
                continue
            published = published_at(config, article.date)
            updated = published_at(config, article.updated) if article.updated else published
            others = tuple(
                first[(other, slug)][2]
                for other in config.languages
                if other != lang and (other, slug) in first
            )
            entry = Entry(
                article=article,
                issue_id=issue.id,
                id=urls.entry_id(config, lang, issue.id, slug),
                published=published,
                updated=max(updated, published),
                translations=others,
            )
            entries.append((entry, -position))
        entries.sort(key=lambda pair: (pair[0].published, pair[0].issue_id, pair[1]), reverse=True)
        editions = tuple(
            issue.editions[lang] for issue in reversed(oldest_first) if lang in issue.editions
        )
        archives[lang] = Archive(
            lang=lang,
            editions=editions,
            entries=tuple(entry for entry, _ in entries),
            feed_id=urls.feed_id(config, lang, since),
        )
    return Site(archives, icon=icon, logo=logo)
