"""The newsletter as plain data: articles, issues, editions. No I/O happens here.

Content is read into these by :mod:`flemletter.content`; renderers only ever see these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Image:
    """A photo beside its article. ``alt`` says what it shows; empty means decorative."""

    file: Path
    alt: str
    credit: str | None
    width: int
    height: int
    media_type: str
    size: int


@dataclass(frozen=True)
class Article:
    """One language version of an article (``articles/<slug>/<lang>.md``)."""

    slug: str
    lang: str
    title: str
    teaser: str
    """One paragraph, plain text: what a teaser card and a feed summary show."""
    date: dt.date
    body_html: str
    """The body rendered from CommonMark and sanitised: safe to put in any output."""
    body_markdown: str
    source: str
    """Display path of the file, for messages."""
    image: Image | None = None
    url: str | None = None
    """The article's own canonical web address, when it lives elsewhere than the archive."""
    author: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    updated: dt.date | None = None
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)
    """Source lines for messages: ``"body"`` (first line of ``body_markdown``) and front-matter
    fields by dotted name (``"image.alt"``)."""


@dataclass(frozen=True)
class Edition:
    """One issue in one language: a lead shown at length, then teasers."""

    issue_id: str
    lang: str
    date: dt.date
    subject: str
    preheader: str
    lead: Article
    teasers: tuple[Article, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)
    """Lines in the issue file for messages: ``"subject"``, ``"preheader"``, ``"edition"``,
    and each article's reference by slug."""

    @property
    def articles(self) -> tuple[Article, ...]:
        return (self.lead, *self.teasers)


@dataclass(frozen=True)
class Issue:
    """One month's newsletter (``issues/<id>.yaml``), with an edition per language."""

    id: str
    date: dt.date
    source: str
    editions: dict[str, Edition] = field(default_factory=dict)
