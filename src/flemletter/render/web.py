"""The web archive's pages: models in, HTML out (Jinja2 templates in ``templates/web/``).

Every page's ``<head>`` comes from one template, ``web/head.html.j2``: canonical URL,
``hreflang`` links to the other languages, feed autodiscovery and Open Graph. An issue's page
is its email rendered for the web (:func:`issue_page`, the same renderer for
``build/<issue>/<lang>/index.html`` and the site) with that head added. Links between pages
are relative, so the built site works wherever it is served from.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.core import get_global

from flemletter import urls
from flemletter.config import Config
from flemletter.models import Edition
from flemletter.published import Archive, Entry, Site
from flemletter.render.email import ImageUrl, render_email
from flemletter.render.i18n import Catalogue, long_date, text_direction
from flemletter.render.templates import environment

FEED_NAMES: dict[urls.FeedKind, str] = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


@dataclass(frozen=True)
class FeedLink:
    name: str
    """The format: "Atom", "RSS", "JSON Feed"."""
    title: str
    type: str
    href: str
    hreflang: str


@dataclass(frozen=True)
class Alternate:
    """The same page in another language."""

    hreflang: str
    href: str
    name: str
    """The language's name in that language: "svenska"."""

    @property
    def locale(self) -> str:
        return og_locale(self.hreflang)


@dataclass(frozen=True)
class Head:
    lang: str
    title: str
    description: str
    canonical: str
    site_name: str
    og_type: str = "website"
    image: str | None = None
    image_alt: str = ""
    alternates: tuple[Alternate, ...] = ()
    feeds: tuple[FeedLink, ...] = ()
    icon: str | None = None
    hreflang: str | None = None
    """The page's own ``hreflang``: its language, or ``x-default`` for the language chooser."""

    @property
    def own_hreflang(self) -> str:
        return self.hreflang or self.lang

    @property
    def locale(self) -> str:
        return og_locale(self.lang)


def language_name(lang: str) -> str:
    return str(Locale.parse(lang).get_language_name(lang))


def og_locale(lang: str) -> str:
    """Open Graph wants ``language_TERRITORY``: ``sv`` → ``sv_SE`` (Babel's likely region)."""
    locale = Locale.parse(lang)
    if locale.territory is None:
        likely = get_global("likely_subtags").get(locale.language)
        locale = Locale.parse(likely) if likely else locale
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def feed_links(config: Config, site: Site, lang: str) -> tuple[FeedLink, ...]:
    """Own-language feeds first (every format), then the other languages' Atom feeds."""
    links = []
    for other, archive in site.archives.items():
        if not archive.entries:
            continue
        kinds: tuple[urls.FeedKind, ...] = ("atom", "rss", "json") if other == lang else ("atom",)
        for kind in kinds:
            title = f"{config.publication_name(other)} ({language_name(other)}, {FEED_NAMES[kind]})"
            links.append(
                FeedLink(
                    FEED_NAMES[kind],
                    title,
                    urls.FEED_TYPES[kind],
                    urls.feed_url(config, other, kind),
                    other,
                )
            )
    links.sort(key=lambda link: link.hreflang != lang)  # stable: own language first
    return tuple(links)


def _alternates(pairs: list[tuple[str, str]]) -> tuple[Alternate, ...]:
    return tuple(Alternate(lang, href, language_name(lang)) for lang, href in pairs)


def issue_head(config: Config, site: Site, edition: Edition) -> Head:
    lang = edition.lang
    lead = edition.lead
    others = [
        (other.lang, urls.issue_url(config, other.lang, other.issue_id))
        for other in site.translations_of(edition)
    ]
    return Head(
        lang=lang,
        title=edition.subject,
        description=lead.teaser,
        canonical=urls.issue_url(config, lang, edition.issue_id),
        site_name=config.publication_name(lang),
        image=urls.image_url(config, lead) if lead.image else None,
        image_alt=lead.image.alt if lead.image else "",
        alternates=_alternates(others),
        feeds=feed_links(config, site, lang),
        icon=site.icon.url if site.icon else None,
    )


def issue_page(
    config: Config,
    site: Site,
    edition: Edition,
    catalogue: Catalogue,
    image_url: ImageUrl,
) -> str:
    """An issue's web version: the email rendered for the web, with the site's ``<head>``."""
    html = render_email(config, edition, catalogue, image_url, web=True).html
    head = environment(config.root, catalogue).get_template("web/head.html.j2")
    tags = head.render(head=issue_head(config, site, edition))
    return html.replace("</head>", tags + "</head>", 1)


def site_pages(config: Config, site: Site, catalogues: dict[str, Catalogue]) -> dict[str, str]:
    """Every page of the site by path under ``build/site/``."""
    pages = {urls.site_path(config, urls.site_url(config)): home_page(config, site, catalogues)}
    for lang, archive in site.archives.items():
        catalogue = catalogues[lang]
        pages[urls.site_path(config, urls.archive_url(config, lang))] = archive_page(
            config, site, archive, catalogue
        )
        for edition in archive.editions:
            page = urls.issue_url(config, lang, edition.issue_id)
            pages[urls.site_path(config, page)] = issue_page(
                config, site, edition, catalogue, _site_image(config, page)
            )
        for entry in archive.entries:
            page = urls.article_page_url(config, lang, entry.article.slug)
            pages[urls.site_path(config, page)] = article_page(config, site, entry, catalogue)
    for lang in config.languages:  # every language's readers get emails, issues or not
        page = urls.unsubscribe_page_url(config, lang)
        pages[urls.site_path(config, page)] = unsubscribe_page(config, site, lang, catalogues[lang])
    return pages


def _site_image(config: Config, page: str) -> ImageUrl:
    """Images as published beside their articles, linked relative to ``page``."""
    return lambda article: urls.relative(page, urls.image_url(config, article))


def _render(config: Config, catalogue: Catalogue, name: str, **context: Any) -> str:
    env = environment(config.root, catalogue)
    return env.get_template(name).render(context)


def _page_context(config: Config, site: Site, lang: str, page: str) -> dict[str, Any]:
    """What every page template sees."""

    def link(url: str) -> str:
        return urls.relative(page, url)

    return {
        "lang": lang,
        "dir": text_direction(lang),
        "publication_name": config.publication_name(lang),
        "archive_url": urls.archive_url(config, lang),
        "link": link,
        "long_date": lambda date: long_date(date, lang),
        "feeds": [f for f in feed_links(config, site, lang) if f.hreflang == lang],
    }


def archive_page(config: Config, site: Site, archive: Archive, catalogue: Catalogue) -> str:
    lang = archive.lang
    page = urls.archive_url(config, lang)
    others = [
        (other, urls.archive_url(config, other))
        for other, a in site.archives.items()
        if other != lang and a.editions
    ]
    head = Head(
        lang=lang,
        title=config.publication_name(lang),
        description=config.file.languages[lang].description or config.publication_name(lang),
        canonical=page,
        site_name=config.publication_name(lang),
        alternates=_alternates(others),
        feeds=feed_links(config, site, lang),
        icon=site.icon.url if site.icon else None,
    )
    return _render(
        config,
        catalogue,
        "web/archive.html.j2",
        head=head,
        archive=archive,
        description=head.description,
        issue_url=lambda edition: urls.issue_url(config, lang, edition.issue_id),
        article_page=lambda article: urls.article_page_url(config, lang, article.slug),
        **_page_context(config, site, lang, page),
    )


def article_page(config: Config, site: Site, entry: Entry, catalogue: Catalogue) -> str:
    article = entry.article
    lang = article.lang
    page = urls.article_page_url(config, lang, article.slug)
    translations = [
        (other.lang, urls.article_page_url(config, other.lang, other.slug))
        for other in entry.translations
    ]
    head = Head(
        lang=lang,
        title=article.title,
        description=article.teaser,
        canonical=urls.article_url(config, article),
        site_name=config.publication_name(lang),
        og_type="article",
        image=urls.image_url(config, article) if article.image else None,
        image_alt=article.image.alt if article.image else "",
        alternates=_alternates(translations),
        feeds=feed_links(config, site, lang),
        icon=site.icon.url if site.icon else None,
    )
    archive = site.archives[lang]
    return _render(
        config,
        catalogue,
        "web/article.html.j2",
        head=head,
        article=article,
        entry=entry,
        edition=archive.edition(entry.issue_id),
        issue_url=urls.issue_url(config, lang, entry.issue_id),
        image_url=lambda a: urls.relative(page, urls.image_url(config, a)),
        **_page_context(config, site, lang, page),
    )


def unsubscribe_page(config: Config, site: Site, lang: str, catalogue: Catalogue) -> str:
    """Where the emails' unsubscribe links lead. The archive is static and cannot unsubscribe
    anyone: the page writes the unsubscribe email for the reader, with the token of its
    address (``?token=…``) in the subject, and says how to send it without JavaScript."""
    page = urls.unsubscribe_page_url(config, lang)
    name = config.publication_name(lang)
    gettext = catalogue.translations.gettext
    head = Head(
        lang=lang,
        title=f"{gettext('Unsubscribe')} – {name}",
        description=gettext(UNSUBSCRIBE_INTRO) % {"name": name},
        canonical=page,
        site_name=name,
        feeds=feed_links(config, site, lang),
        icon=site.icon.url if site.icon else None,
    )

    def mailto(token: str | None, body: str) -> str:
        return urls.unsubscribe_mailto(config, token, html.unescape(str(body)).strip())

    return _render(
        config,
        catalogue,
        "web/unsubscribe.html.j2",
        head=head,
        mailto=mailto,
        token_slot=urls.TOKEN_SLOT,
        address=urls.unsubscribe_address(config),
        subject=urls.unsubscribe_subject(None),
        **_page_context(config, site, lang, page),
    )


UNSUBSCRIBE_INTRO = (
    "To stop receiving the newsletter of %(name)s, send us an unsubscribe email. "
    "The button below writes it for you."
)
"""The unsubscribe page's first paragraph (``web/unsubscribe.html.j2``), its description too."""


def home_page(config: Config, site: Site, catalogues: dict[str, Catalogue]) -> str:
    """The site's front page: every language, each introduced in its own words."""
    default = config.publication.default_language
    page = urls.site_url(config)
    choices = [
        {
            "lang": lang,
            "name": language_name(lang),
            "publication_name": config.publication_name(lang),
            "description": config.file.languages[lang].description,
            "url": urls.archive_url(config, lang),
        }
        for lang in sorted(site.archives, key=lambda lang: lang != default)
        if site.archives[lang].editions
    ]
    head = Head(
        lang=default,
        title=config.publication.name,
        description=config.file.languages[default].description or config.publication.name,
        canonical=page,
        site_name=config.publication.name,
        alternates=_alternates([(c["lang"], c["url"]) for c in choices]),
        feeds=feed_links(config, site, default),
        icon=site.icon.url if site.icon else None,
        hreflang="x-default",
    )
    return _render(
        config,
        catalogues[default],
        "web/home.html.j2",
        head=head,
        choices=choices,
        **_page_context(config, site, default, page),
    )
