"""The email of one edition: Jinja2 → MJML → mjml-python → CSS inliner, plus its text part.

The result is plain data (:class:`RenderedEmail`); the MIME message is made from it by
:mod:`flemletter.render.mime`, and only the build writes it anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mjml
from babel import Locale
from markupsafe import Markup

from flemletter import urls
from flemletter.config import Config
from flemletter.models import Article, Edition
from flemletter.render.i18n import Catalogue, long_date, text_direction
from flemletter.render.inline import inline_css
from flemletter.render.templates import environment
from flemletter.render.text import LinkReferences, markdown_to_text

UNSUBSCRIBE_PLACEHOLDER = "%%unsubscribe_url%%"
"""Stands for the recipient's own unsubscribe URL until delivery fills it in."""

# Zero-width characters after the preheader keep clients from filling the inbox preview
# line with the start of the body.
PREHEADER_SPACER = Markup("&#847;&zwnj;&nbsp;" * 80)

ImageUrl = Callable[[Article], str]

# A value between double quotes after an attribute name: only the templates write these, as
# Jinja escapes every quote of the content to &#34;.
_ATTRIBUTE_VALUE = re.compile(r'(\s[\w:-]+=")([^"<>]*)(")')


def protect_attributes(mjml_source: str) -> str:
    """Work around mjml-python writing attribute values Rust-debug-escaped: a zero-width
    joiner or a bidi control became the text ``\\u{200d}`` in an ``aria-label`` or ``alt``,
    and a backslash two. Character references pass through untouched, so in attribute
    values every backslash and every non-printable character is written as one."""

    def escape(value: str) -> str:
        return "".join(char if _kept(char) else f"&#x{ord(char):x};" for char in value)

    return _ATTRIBUTE_VALUE.sub(lambda m: m[1] + escape(m[2]) + m[3], mjml_source)


def _kept(char: str) -> bool:
    # Rust escapes more than the unprintable: grapheme extenders such as combining marks and
    # variation selectors too, so every mark and format character goes as a reference.
    return char == " " or (
        char != "\\" and char.isprintable() and unicodedata.category(char)[0] not in "MCZ"
    )


@dataclass(frozen=True)
class RenderedEmail:
    lang: str
    subject: str
    preheader: str
    mjml: str
    html: str
    text: str


class MJMLError(Exception):
    """mjml-python refused the MJML the templates produced (``mjml``, kept for locating it)."""

    def __init__(self, message: str, mjml: str) -> None:
        super().__init__(message)
        self.message = message
        self.mjml = mjml


def published_image_url(config: Config) -> ImageUrl:
    """Images as they are published beside the article's archive page."""

    def image_url(article: Article) -> str:
        assert article.image is not None
        return urls.asset_url(config, article.lang, article.slug, article.image.file.name)

    return image_url


def template_context(
    config: Config, edition: Edition, image_url: ImageUrl, *, web: bool
) -> dict[str, Any]:
    """What the email and web templates see."""
    lang = edition.lang
    return {
        "lang": lang,
        "dir": text_direction(lang),
        "edition": edition,
        "web": web,
        "publication_name": config.publication_name(lang),
        "postal_address": config.publication.postal_address,
        "language_name": Locale.parse(lang).get_language_name(lang),
        "issue_date": long_date(edition.date, lang),
        "archive_url": urls.archive_url(config, lang),
        "web_version_url": urls.issue_url(config, lang, edition.issue_id),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "article_url": lambda article: urls.article_url(config, article),
        "image_url": image_url,
        "preheader_spacer": PREHEADER_SPACER,
    }


def render_mjml(
    config: Config, edition: Edition, catalogue: Catalogue, image_url: ImageUrl, *, web: bool
) -> str:
    env = environment(config.root, catalogue)
    context = template_context(config, edition, image_url, web=web)
    return env.get_template("email/email.mjml.j2").render(context)


def compile_mjml(source: str) -> str:
    try:
        return str(mjml.mjml2html(protect_attributes(source), disable_comments=True, fonts={}))
    except ValueError as exc:
        raise MJMLError(str(exc), source) from None


def render_text(config: Config, edition: Edition, catalogue: Catalogue) -> str:
    env = environment(config.root, catalogue)
    refs = LinkReferences()
    context = template_context(config, edition, published_image_url(config), web=False)

    def body_text(article: Article) -> str:
        page = urls.article_page_url(config, article.lang, article.slug)
        return markdown_to_text(article.body_markdown, refs, lambda u: urls.absolute(u, page))

    context.update(body_text=body_text, ref=refs.ref, references=refs.listing)
    text = env.get_template("email/email.txt.j2").render(context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


def render_email(
    config: Config,
    edition: Edition,
    catalogue: Catalogue,
    image_url: ImageUrl | None = None,
    *,
    web: bool = False,
) -> RenderedEmail:
    """The finished email (or, with ``web``, the issue's web page) of one edition."""
    image_url = image_url or published_image_url(config)
    source = render_mjml(config, edition, catalogue, image_url, web=web)
    env = environment(config.root, catalogue)
    css = env.get_template("email/inline.css.j2").render()
    html = inline_css(compile_mjml(source), css, config.file.email.inliner)
    return RenderedEmail(
        lang=edition.lang,
        subject=edition.subject,
        preheader=edition.preheader,
        mjml=source,
        html=html,
        text=render_text(config, edition, catalogue),
    )
