"""The preview's one page, as plain data (:class:`Snapshot`) rendered through a Jinja2 template.

The page is the communicator's tool, not something subscribers see, so its words are in
English like the command line's; the emails inside it are the real, translated builds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2
from babel import Locale

from flemletter.checks import CheckResult
from flemletter.preflight import PREHEADER_LIMIT, SUBJECT_LIMIT
from flemletter.problems import Problem
from flemletter.render.i18n import long_date

SITE_DIR = "site"
"""Where the build puts the web archive and feeds, below its output folder."""
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class EditionView:
    """What the page shows of one language's edition."""

    lang: str
    language_name: str
    sender: str
    sender_address: str
    date: str
    subject: str
    preheader: str
    email_url: str
    text: str
    links: tuple[Link, ...]
    archive_missing: bool


@dataclass(frozen=True)
class Snapshot:
    """The page's state after the latest build attempt."""

    instance: str
    issue: str
    generation: int = 0
    problems: tuple[Problem, ...] = ()
    editions: tuple[EditionView, ...] = ()
    """From the last build that worked (possibly older than ``problems``)."""
    built_at: str | None = None
    checked_at: str | None = None
    stale: bool = False
    """The editions shown are from an earlier build: the latest one failed."""
    bug: str | None = None
    subject_limit: int = field(default=SUBJECT_LIMIT)
    preheader_limit: int = field(default=PREHEADER_LIMIT)

    def built(self, problems: list[Problem], editions: list[EditionView]) -> Snapshot:
        now = _now()
        return replace(
            self,
            generation=self.generation + 1,
            problems=tuple(problems),
            editions=tuple(editions),
            built_at=now,
            checked_at=now,
            stale=False,
            bug=None,
        )

    def failed(self, problems: list[Problem], bug: str | None = None) -> Snapshot:
        return replace(
            self,
            generation=self.generation + 1,
            problems=tuple(problems),
            checked_at=_now(),
            stale=bool(self.editions),
            bug=bug,
        )

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def edition_views(result: CheckResult, folder: Path) -> list[EditionView]:
    """One view per rendered edition of a build written to ``folder``."""
    config, issue = result.config, result.issue
    assert config is not None and issue is not None
    views = []
    for lang, email in result.emails.items():
        edition = issue.editions[lang]
        base = f"/build/{issue.id}/{lang}"
        links = [
            Link("Web version", f"{base}/index.html"),
            Link("Message as sent (.eml)", f"{base}/message.eml"),
        ]
        site = folder / SITE_DIR / lang
        archive = _site_links(folder, site, issue.id)
        views.append(
            EditionView(
                lang=lang,
                language_name=(Locale.parse(lang).get_display_name(lang) or lang).capitalize(),
                sender=config.file.sender.name,
                sender_address=config.file.sender.address,
                date=long_date(edition.date, lang),
                subject=email.subject,
                preheader=email.preheader,
                email_url=f"{base}/email.html",
                text=email.text,
                links=tuple(links + archive),
                archive_missing=not archive,
            )
        )
    return views


def _site_links(folder: Path, site: Path, issue_id: str) -> list[Link]:
    """Links to the web archive and feeds of one language, when the build made them."""
    if not site.is_dir():
        return []
    links = []
    for label, page in (
        ("Archive", site / "index.html"),
        ("This issue in the archive", site / issue_id / "index.html"),
    ):
        if page.is_file():
            links.append(Link(label, "/build/" + page.relative_to(folder).as_posix()))
    for feed in sorted(site.iterdir()):
        if feed.is_file() and feed.suffix in FEED_SUFFIXES:
            links.append(
                Link(f"Feed: {feed.name}", "/build/" + feed.relative_to(folder).as_posix())
            )
    return links


@cache
def _template() -> jinja2.Template:
    source = (files("flemletter") / "data" / "preview" / "page.html.j2").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source)


def render_page(snapshot: Snapshot) -> str:
    return _template().render(s=snapshot)
