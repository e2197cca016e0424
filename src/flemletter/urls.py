"""Where things live on the published web archive. Every URL the outputs carry comes from here.

Layout under the base URL: ``<lang>/`` (archive), ``<lang>/<issue>/`` (an issue's web
version), ``<lang>/articles/<slug>/`` (an article and its images), ``<lang>/feed.*``,
``<lang>/unsubscribe/`` (where the emails' unsubscribe links lead).
Permanent feed ids (``tag:`` URIs) are made here too: they name the same things as the URLs
but never change when the site moves.
"""

from __future__ import annotations

import posixpath
from typing import Literal
from urllib.parse import quote, urlencode, urljoin, urlsplit

from flemletter.config import Config
from flemletter.models import Article

FeedKind = Literal["atom", "rss", "json"]
FEED_FILES: dict[FeedKind, str] = {
    "atom": "feed.atom.xml",
    "rss": "feed.rss.xml",
    "json": "feed.json",
}
FEED_TYPES: dict[FeedKind, str] = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}


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


def image_url(config: Config, article: Article) -> str:
    """The published address of an article's image (the article must have one)."""
    assert article.image is not None
    return asset_url(config, article.lang, article.slug, article.image.file.name)


def site_url(config: Config) -> str:
    """The site's front page, which leads readers to their language."""
    return config.publication.base_url


def site_file_url(config: Config, filename: str) -> str:
    """A file of the whole publication (its icon, its logo), at the site's root."""
    return config.publication.base_url + filename


def feed_url(config: Config, lang: str, kind: FeedKind) -> str:
    return archive_url(config, lang) + FEED_FILES[kind]


def site_path(config: Config, url: str) -> str:
    """The file under ``build/site/`` that serves ``url`` (``.../`` is its ``index.html``)."""
    base = config.publication.base_url
    assert url.startswith(base), f"{url} is not on the site {base}"
    path = url[len(base) :]
    return path + "index.html" if path == "" or path.endswith("/") else path


def relative(page: str, target: str) -> str:
    """``target`` as a link written on ``page``: relative when both are on the same site,
    so the built site works wherever it is deployed and from a local web server."""
    here, there = urlsplit(page), urlsplit(target)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc):
        return target
    folder = here.path if here.path.endswith("/") else posixpath.dirname(here.path) + "/"
    link = posixpath.relpath(there.path, folder)
    if there.path.endswith("/"):
        link = "./" if link == "." else link + "/"
    if there.fragment:
        link += "#" + there.fragment
    return link


def tag_authority(config: Config) -> str:
    """The domain in permanent ids: ``publication.tag_authority`` or the base URL's host."""
    return config.publication.tag_authority or urlsplit(config.publication.base_url).hostname or ""


def feed_id(config: Config, lang: str, since: str) -> str:
    """A language's feed, for ever: ``tag:example.org,2025:en``."""
    return f"tag:{tag_authority(config)},{since}:{lang}"


def entry_id(config: Config, lang: str, first_issue: str, slug: str) -> str:
    """An article in one language, fixed at its first publication:
    ``tag:example.org,2025-11:sv/karolinska-atmp-centrum``. No title, host or scheme in it,
    so neither an edit nor a move of the site makes feed readers show it as new."""
    return f"tag:{tag_authority(config)},{first_issue[:7]}:{lang}/{slug}"


def absolute(url: str, base: str) -> str:
    """``url`` made absolute against ``base``; absolute URLs and anchors pass unchanged."""
    if url.startswith("#") or urlsplit(url).scheme:
        return url
    return urljoin(base, url)


UNSUBSCRIBE_SUBJECT = "unsubscribe"
"""The subject of an unsubscribe email, before the token: one word mail filters can match."""
TOKEN_SLOT = "__TOKEN__"
"""Stands for the reader's token in the unsubscribe page's mailto, until its script fills it in."""


def unsubscribe_page_url(config: Config, lang: str) -> str:
    """The web archive's unsubscribe page: it helps the reader send the unsubscribe email."""
    return f"{archive_url(config, lang)}unsubscribe/"


def unsubscribe_url(config: Config, lang: str, token: str) -> str:
    """A recipient's unsubscribe link: ``[delivery] unsubscribe_url`` with their token, or
    the archive's unsubscribe page in their language with the token in the query."""
    endpoint = config.file.delivery.unsubscribe_url
    if endpoint is None:
        return f"{unsubscribe_page_url(config, lang)}?token={token}"
    return endpoint.replace("{token}", token).replace("{lang}", lang)


def unsubscribe_address(config: Config) -> str:
    """Where unsubscribe emails go: ``[unsubscribe] mailto``, else the sender."""
    return config.file.unsubscribe.mailto or config.file.sender.address


def unsubscribe_subject(token: str | None) -> str:
    return f"{UNSUBSCRIBE_SUBJECT} {token}" if token else UNSUBSCRIBE_SUBJECT


def unsubscribe_mailto(config: Config, token: str | None = None, body: str = "") -> str:
    """``mailto:`` the unsubscribe address, subject ``unsubscribe <token>`` (RFC 6068)."""
    fields = {"subject": unsubscribe_subject(token)} | ({"body": body} if body else {})
    query = urlencode(fields, quote_via=quote)
    return f"mailto:{quote(unsubscribe_address(config), safe='@+')}?{query}"
