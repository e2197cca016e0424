"""Where things live on the published web archive. Every URL the outputs carry comes from here.

Layout under the base URL: ``<lang>/`` (archive), ``<lang>/<issue>/`` (an issue's web
version), ``<lang>/articles/<slug>/`` (an article and its images), ``<lang>/feed.*``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from flemletter.config import Config
from flemletter.models import Article


def archive_url(config: Config, lang: str) -> str:
    return f"{config.publication.base_url}{lang}/"


def issue_url(config: Config, lang: str, issue_id: str) -> str:
    return f"{archive_url(config, lang)}{issue_id}/"


def article_page_url(config: Config, lang: str, slug: str) -> str:
    return f"{archive_url(config, lang)}articles/{slug}/"


def article_url(config: Config, article: Article) -> str:
    """Where "Read more" leads: the article's own canonical URL, or its archive page."""
    return article.url or article_page_url(config, article.lang, article.slug)


def asset_url(config: Config, lang: str, slug: str, filename: str) -> str:
    """An article's image, published beside its archive page."""
    return article_page_url(config, lang, slug) + filename


def absolute(url: str, base: str) -> str:
    """``url`` made absolute against ``base``; absolute URLs and anchors pass unchanged."""
    if url.startswith("#") or urlsplit(url).scheme:
        return url
    return urljoin(base, url)


def unsubscribe_url(config: Config, token: str) -> str:
    """A recipient's one-click unsubscribe link: ``[delivery] unsubscribe_url`` with its token."""
    template = config.file.delivery.unsubscribe_url or (
        f"{config.publication.base_url}unsubscribe/?token={{token}}"
    )
    return template.replace("{token}", token)
