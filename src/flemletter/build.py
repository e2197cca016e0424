"""The build, as a recipe: load → check → render → write.

``build`` writes, for one issue and each of its languages, ``build/<issue>/<lang>/``:
``email.mjml`` (the intermediate MJML, for debugging), ``email.html`` (the email, with its
images copied beside it under ``images/`` so it opens from disk), ``email.txt`` (the
plain-text part), ``message.eml`` (the whole message exactly as sent, images linked from the
web archive) and ``index.html`` (the web version). The site step writes ``build/site/``: the
web archive and feeds of every issue in ``issues/`` (see :mod:`flemletter.site`). Same input,
same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from flemletter.checks import CheckResult, check
from flemletter.config import Config
from flemletter.models import Article, Edition, Issue
from flemletter.problems import Problem, UserError
from flemletter.published import published_at
from flemletter.render.email import UNSUBSCRIBE_PLACEHOLDER, RenderedEmail, render_email
from flemletter.render.mime import build_message
from flemletter.render.web import issue_page
from flemletter.site import SITE_DIR, build_site
from flemletter.urls import unsubscribe_page_url
from flemletter.writer import Output

BUILD_DIR = "build"


@dataclass(frozen=True)
class BuildResult:
    issue_id: str
    folder: Path
    languages: list[str]
    warnings: list[Problem]
    sizes: dict[str, int]
    """Size of each language's email HTML in bytes."""
    site: Path | None = None
    """The web archive and feeds of every issue (``build/site``)."""


def build(root: Path, issue: str, out: Path | None = None) -> BuildResult:
    """Check the issue, then write its emails and web versions; raises ``UserError`` on errors."""
    result = check(root, issue)
    if result.errors:
        raise UserError(result.problems)
    config, loaded = _checked(result)
    folder = (out or root / BUILD_DIR) / loaded.id
    site, site_warnings = build_site(config, loaded, result.catalogues, folder.parent)
    output = Output(folder, root)
    for lang, edition in loaded.editions.items():
        catalogue = result.catalogues[lang]
        output.add(f"{lang}/email.mjml", result.emails[lang].mjml)
        # The built copies go to nobody: their unsubscribe link leads to the archive's
        # unsubscribe page instead of a recipient's own (delivery fills that in per person).
        email = _for_nobody(config, result.emails[lang])
        output.add(f"{lang}/email.txt", email.text)
        output.add(f"{lang}/message.eml", _example_message(config, email, edition))
        # The files in build/ are opened from disk, so they use the images copied beside them.
        local = render_email(config, edition, catalogue, _local_image, web=False)
        output.add(f"{lang}/email.html", _for_nobody(config, local).html)
        output.add(f"{lang}/index.html", issue_page(config, site, edition, catalogue, _local_image))
        for article in edition.articles:
            if article.image is not None:
                output.add(f"{lang}/{_local_image(article)}", article.image.file.read_bytes())
    output.write()
    return BuildResult(
        issue_id=loaded.id,
        folder=folder,
        languages=list(loaded.editions),
        warnings=list(dict.fromkeys(result.warnings + site_warnings)),
        sizes={lang: len(e.html.encode()) for lang, e in result.emails.items()},
        site=folder.parent / SITE_DIR,
    )


def _checked(result: CheckResult) -> tuple[Config, Issue]:
    assert result.config is not None and result.issue is not None
    return result.config, result.issue


def _local_image(article: Article) -> str:
    assert article.image is not None
    return f"images/{article.slug}/{article.image.file.name}"


def _for_nobody(config: Config, email: RenderedEmail) -> RenderedEmail:
    page = unsubscribe_page_url(config, email.lang)
    return replace(
        email,
        html=email.html.replace(UNSUBSCRIBE_PLACEHOLDER, page),
        text=email.text.replace(UNSUBSCRIBE_PLACEHOLDER, page),
    )


def _example_message(config: Config, email: RenderedEmail, edition: Edition) -> bytes:
    # dated as the archive dates the issue: its day, at the publication hour
    date = published_at(config, edition.date)
    return build_message(config, email, edition.issue_id, date).as_bytes()
