"""Reading article and issue files into models, keeping every problem with its file and line.

``load_issue`` is the one entry point: it reads the issue file, resolves each edition's
article references, reads those articles, and returns the :class:`~flemletter.models.Issue`
together with every problem found on the way. It goes as far as the files allow, so one run
reports everything a communicator has to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flemletter import urls
from flemletter.config import Config
from flemletter.fields import Date, HeaderLine, OneLine, Text, WebAddress, printable, shorten
from flemletter.files import Refused, check_file, inside, name_problem
from flemletter.markup import first_paragraph_text, render_body
from flemletter.models import Article, Edition, Image, Issue
from flemletter.problems import Problem, did_you_mean, display_path
from flemletter.sources import (
    MAX_ARTICLE_BYTES,
    MAX_SETTINGS_BYTES,
    LineOf,
    as_plain,
    load_yaml,
    read_text,
    split_front_matter,
    validation_problems,
)

ARTICLES_DIR = "articles"
ISSUES_DIR = "issues"
ISSUE_ID = re.compile(r"^\d{4}-\d{2}(-[a-z0-9-]+)?$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_PARAGRAPH_CHARS = 20_000
"""About 3,000 words: no real paragraph is longer, and Markdown parsing of one paragraph grows
faster than its length (runs of ``[`` or ``_``), so longer ones are refused before parsing."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ImageFields(_Strict):
    file: OneLine = Field(min_length=1)
    """The image file's name, in the article's folder."""
    alt: OneLine
    """What the photo shows, for readers who cannot see it. Empty only for decoration."""
    credit: OneLine | None = None
    """The photographer, shown as "Photo: ..."."""


class ArticleFields(_Strict):
    """The front matter of ``articles/<slug>/<lang>.md``."""

    title: OneLine = Field(min_length=1)
    date: Date
    teaser: Text | None = None
    image: ImageFields | None = None
    url: WebAddress | None = None
    author: OneLine | None = None
    section: OneLine | None = None
    tags: list[OneLine] = []
    updated: Date | None = None


class EditionFields(_Strict):
    subject: HeaderLine = Field(min_length=1)
    preheader: OneLine = ""
    articles: list[OneLine] = Field(min_length=1)
    lead: OneLine | None = None
    """The lead article, when it is not the first in ``articles``."""


class IssueFields(_Strict):
    """The fields of ``issues/<id>.yaml``."""

    id: OneLine | None = None
    date: Date
    editions: dict[str, EditionFields] = Field(min_length=1)


def issue_path(root: Path, issue: str) -> Path:
    """An issue given as a path or as an id such as ``2025-11``."""
    as_path = Path(issue)
    if as_path.suffix in (".yaml", ".yml") or as_path.parent != Path("."):
        return as_path if as_path.is_absolute() else Path.cwd() / as_path
    return root / ISSUES_DIR / f"{issue}.yaml"


def list_issue_ids(root: Path) -> list[str]:
    folder = root / ISSUES_DIR
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def list_slugs(root: Path) -> list[str]:
    folder = root / ARTICLES_DIR
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


@dataclass
class _IssueLoader:
    config: Config
    problems: list[Problem]

    @property
    def root(self) -> Path:
        return self.config.root

    def shown(self, path: Path) -> str:
        return display_path(path, self.root)

    def load(self, path: Path) -> Issue | None:
        shown = self.shown(path)
        if path.exists() and not path.is_file():
            self.problems.append(Problem(shown, None, "is a folder, not an issue file"))
            return None
        if not path.is_file():
            known = list_issue_ids(self.root)
            hint = did_you_mean(path.stem, known) or (
                f"known issues: {', '.join(known)}" if known else "create it with flemletter new"
            )
            self.problems.append(Problem(shown, None, "no such issue file", hint=hint))
            return None
        source, problems = read_text(path, shown, max_bytes=MAX_SETTINGS_BYTES, controls=True)
        self.problems += problems
        if source is None:
            return None
        data, line_of, problems = load_yaml(source)
        self.problems += problems
        if problems:
            return None
        if not isinstance(data, dict):
            self.problems.append(
                Problem(shown, 1, "an issue file holds fields such as 'date:' and 'editions:'")
            )
            return None
        issue_id = path.stem
        try:
            fields = IssueFields.model_validate(as_plain(data))
        except ValidationError as exc:
            self.problems += validation_problems(exc, shown, line_of, IssueFields)
            self._check_sound_editions(issue_id, data, exc, shown, line_of)
            return None
        if not ISSUE_ID.match(issue_id):
            self.problems.append(
                Problem(
                    shown, None, f"'{issue_id}' is not an issue id", hint="name it YYYY-MM.yaml"
                )
            )
        if fields.id is not None and fields.id != issue_id:
            self.problems.append(
                Problem(
                    shown,
                    line_of(("id",)),
                    f"id '{fields.id}' differs from the file name '{issue_id}'",
                    hint="remove the id line or rename the file",
                )
            )
        editions = {}
        for lang, edition_fields in fields.editions.items():
            edition = self.edition(issue_id, fields.date, lang, edition_fields, shown, line_of)
            if edition is not None:
                editions[lang] = edition
        return Issue(id=issue_id, date=fields.date, source=shown, editions=editions)

    def _check_sound_editions(
        self,
        issue_id: str,
        data: dict[str, Any],
        error: ValidationError,
        shown: str,
        line_of: LineOf,
    ) -> None:
        """Go on into the editions the error does not concern, so their articles' problems
        are reported in the same run (the issue itself stays unusable)."""
        editions = data.get("editions")
        if not isinstance(editions, dict):
            return
        broken = {tuple(item["loc"][:2]) for item in error.errors()}
        for lang, raw in editions.items():
            if ("editions", lang) in broken or ("editions",) in broken:
                continue
            try:
                fields = EditionFields.model_validate(as_plain(raw))
            except ValidationError:
                continue
            self.edition(issue_id, dt.date.min, str(lang), fields, shown, line_of)

    def edition(
        self,
        issue_id: str,
        date: dt.date,
        lang: str,
        fields: EditionFields,
        shown: str,
        line_of: LineOf,
    ) -> Edition | None:
        where = ("editions", lang)
        if lang not in self.config.languages:
            self.problems.append(
                Problem(
                    shown,
                    line_of(where),
                    f"unknown language '{printable(lang)}'",
                    hint=did_you_mean(lang, self.config.languages)
                    or f"the languages in flemletter.toml are {', '.join(self.config.languages)}",
                )
            )
            return None
        slugs = list(fields.articles)
        if fields.lead is not None:
            if fields.lead not in slugs:
                self.problems.append(
                    Problem(
                        shown,
                        line_of((*where, "lead")),
                        f"the lead '{fields.lead}' is not among this edition's articles",
                        hint="add it to the articles list",
                    )
                )
            else:
                slugs.remove(fields.lead)
                slugs.insert(0, fields.lead)
        articles: list[Article] = []
        seen: set[str] = set()
        for index, slug in enumerate(fields.articles):
            line = line_of((*where, "articles", index))
            if slug in seen:
                self.problems.append(
                    Problem(shown, line, f"'{slug}' is listed twice", hint="remove one of them")
                )
                continue
            seen.add(slug)
            article = self.article(slug, lang, shown, line)
            if article is not None:
                articles.append(article)
        if len(articles) != len(seen):
            return None
        lines = {
            name: line
            for name, line in (
                ("edition", line_of(where)),
                ("subject", line_of((*where, "subject"))),
                ("preheader", line_of((*where, "preheader"))),
                *(
                    (slug, line_of((*where, "articles", i)))
                    for i, slug in enumerate(fields.articles)
                ),
            )
            if line is not None
        }
        by_slug = {a.slug: a for a in articles}
        ordered = [by_slug[s] for s in dict.fromkeys(slugs) if s in by_slug]
        return Edition(
            issue_id=issue_id,
            lang=lang,
            date=date,
            subject=fields.subject,
            preheader=fields.preheader,
            lead=ordered[0],
            teasers=tuple(ordered[1:]),
            lines=lines,
        )

    def article(self, slug: str, lang: str, referrer: str, line: int | None) -> Article | None:
        if len(slug) > MAX_SLUG or not re.fullmatch(r"[\w-][\w.-]*", slug) or ".." in slug:
            self.problems.append(
                Problem(
                    referrer,
                    line,
                    f"'{printable(shorten(slug))}' is not the name of an article folder",
                    hint=f"write the name of a folder in {ARTICLES_DIR}/, e.g. 'new-lab-opens'",
                )
            )
            return None
        folder = self.root / ARTICLES_DIR / slug
        if not folder.is_dir():
            hint = did_you_mean(slug, list_slugs(self.root)) or (
                f"create {ARTICLES_DIR}/{slug}/{lang}.md"
            )
            self.problems.append(Problem(referrer, line, f"unknown article '{slug}'", hint=hint))
            return None
        path = folder / f"{lang}.md"
        if not path.is_file():
            others = sorted(p.stem for p in folder.glob("*.md"))
            self.problems.append(
                Problem(
                    referrer,
                    line,
                    f"article '{slug}' has no version in '{lang}' ({self.shown(path)} is missing)",
                    hint=f"it exists in: {', '.join(others)}" if others else None,
                )
            )
            return None
        return load_article(self.config, path, slug, lang, self.problems)


def load_article(
    config: Config, path: Path, slug: str, lang: str, problems: list[Problem]
) -> Article | None:
    """Read one article file; problems are appended to ``problems``."""
    shown = display_path(path, config.root)
    try:
        inside(config.root, path)
    except Refused as refused:
        problems.append(Problem(shown, None, refused.reason, hint=refused.hint))
        return None
    source, found = read_text(path, shown, max_bytes=MAX_ARTICLE_BYTES, controls=True)
    problems += found
    if source is None:
        return None
    document, found = split_front_matter(source)
    problems += found
    if document is None or found:
        return None
    if not isinstance(document.meta, dict):
        problems.append(Problem(shown, 2, "the front matter must hold fields such as 'title:'"))
        return None
    try:
        fields = ArticleFields.model_validate(as_plain(document.meta))
    except ValidationError as exc:
        problems += validation_problems(exc, shown, document.line_of, ArticleFields)
        return None
    if not SLUG.match(slug):
        problems.append(
            Problem(
                shown,
                None,
                f"the folder name '{slug}' is not usable in a web address",
                hint="use lowercase letters, digits and dashes, e.g. 'new-lab-opens'",
            )
        )
    long = _overlong_paragraph(document.body)
    if long is not None:
        problems.append(
            Problem(
                shown,
                document.body_first_line + long,
                f"this paragraph is more than {MAX_PARAGRAPH_CHARS:,} characters long",
                hint="split it into paragraphs with empty lines between them",
            )
        )
        return None
    body = document.body.strip()
    if not body and not fields.teaser:
        problems.append(
            Problem(shown, document.body_first_line, "the article has no text", hint="write it")
        )
        return None
    image = None
    if fields.image is not None:
        image = _load_image(config, path.parent, fields.image, shown, document.line_of, problems)
        if image is None:
            return None
    leading = document.body[: len(document.body) - len(document.body.lstrip())]
    lines = {"body": document.body_first_line + leading.count("\n")}
    for name in ("title", "teaser", "url", "image.file", "image.alt", "image.credit"):
        line = document.line_of(tuple(name.split(".")))
        if line is not None and (name in fields.model_fields_set or "." in name):
            lines[name] = line
    page = urls.article_page_url(config, lang, slug)
    resolve: Callable[[str], str] = lambda url: urls.absolute(url, page)  # noqa: E731
    return Article(
        slug=slug,
        lang=lang,
        title=fields.title,
        teaser=fields.teaser or first_paragraph_text(body),
        date=fields.date,
        body_html=render_body(body, resolve),
        body_markdown=body,
        source=shown,
        image=image,
        url=fields.url,
        author=fields.author,
        section=fields.section,
        tags=tuple(fields.tags),
        updated=fields.updated,
        lines=lines,
    )


def _overlong_paragraph(body: str) -> int | None:
    """Lines into ``body`` where the first paragraph too long to parse safely starts."""
    line = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        if len(paragraph) > MAX_PARAGRAPH_CHARS:
            return line
        line += paragraph.count("\n")
    return None


def _load_image(
    config: Config,
    folder: Path,
    fields: ImageFields,
    shown: str,
    line_of: LineOf,
    problems: list[Problem],
) -> Image | None:
    """The article's photo, through the gate; a refusal is a problem at ``image.file``."""
    line = line_of(("image", "file"))
    refused = name_problem(fields.file)
    file = folder / fields.file
    if refused is None and not file.exists() and not file.is_symlink():
        present = sorted(p.name for p in folder.iterdir() if p.suffix.lower() != ".md")
        hint = did_you_mean(fields.file, present) or (
            f"the folder has: {', '.join(present)}"
            if present
            else f"put the image in the same folder as {shown}"
        )
        problems.append(Problem(shown, line, f"image '{fields.file}' not found", hint=hint))
        return None
    try:
        if refused is not None:
            raise refused
        checked = check_file(config.root, file, images_only=True)
    except Refused as exc:
        problems.append(Problem(shown, line, exc.reason, hint=exc.hint))
        return None
    return Image(
        file=file,
        alt=fields.alt,
        credit=fields.credit,
        width=checked.width,
        height=checked.height,
        media_type=checked.media_type,
        size=checked.size,
    )


def load_issue(config: Config, path: Path) -> tuple[Issue | None, list[Problem]]:
    """The issue at ``path`` with its articles, and every problem found reading them."""
    loader = _IssueLoader(config, [])
    issue = loader.load(path)
    return issue, loader.problems
