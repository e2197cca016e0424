"""Atom and RSS per language with feedgen 1.0.0, and JSON Feed (:mod:`flemletter.jsonfeed`).

Plain data in (:class:`~flemletter.site.Site`), bytes out. Each feed carries the newest
``[feeds] max_items`` articles of one language, newest first. feedgen's traps, each handled
where it bites (see ``../shared/reference/feeds.md``):

- Atom entry links lose every attribute but ``href`` (lkiesow/python-feedgen#135), so an
  enclosure would become the entry's link: :func:`_restore_entry_links` writes them again.
- ``add_entry`` prepends: entries are added with ``order="append"``, already sorted.
- every date would default to the build time: all are set from the content.
- RSS ``<channel><link>`` is the *last* link added and RSS keeps only the first ``self``:
  Atom and RSS are made by two generators, each given its links in the order it needs.
- ``enclosure()`` without a length writes ``length="None"``: the real length is passed.
- the media extension wraps a lone ``media:content`` in ``media:group`` unless ``group=None``.
- RSS drops authors without an email: entries name theirs in ``dc:creator``.
- RSS dates are formatted by switching the process-wide locale to C and back: a lock keeps
  two threads (the preview server's, say) from leaving it switched.

Text or HTML, field by field (one rule, :func:`rss_html`, for every field a reader parses as
HTML): everything a communicator writes is plain text, and the body is sanitised HTML.

- Atom: ``title``, ``subtitle`` and ``summary`` are ``type="text"`` (the default, and written
  as text by lxml), ``content`` is ``type="html"``; author names and category terms are text.
- RSS: ``title`` and ``description`` (channel, item, image) are read as HTML by most readers
  (the RSS 2.0 spec allows entity-encoded HTML there, and readers guess): the plain text is
  HTML-escaped first, so ``<script>`` or ``&lt;b&gt;`` shows literally. ``content:encoded``
  is the sanitised HTML, escaped by lxml, never CDATA (a ``]]>`` would end it).
  ``dc:creator`` and ``category`` are text.
- JSON Feed (:mod:`flemletter.jsonfeed`): ``title``, ``summary``, ``tags`` and author names
  are plain text by the spec; the body goes in ``content_html`` only.
"""

from __future__ import annotations

import html as html_escaping
import threading
from dataclasses import dataclass

from feedgen.feed import FeedEntry, FeedGenerator
from lxml import etree
from markupsafe import Markup

from flemletter import __version__, urls
from flemletter.config import Config
from flemletter.jsonfeed import json_feed
from flemletter.models import Article
from flemletter.published import Archive, Entry, Site
from flemletter.render.i18n import Catalogue

ATOM = "http://www.w3.org/2005/Atom"
RSS_IMAGE_WIDTH, RSS_IMAGE_HEIGHT = 144, 400
_LOCALE_SWITCH = threading.Lock()
HTML = "text/html"


def rss_html(text: str) -> str:
    """Plain ``text`` for an RSS field readers parse as HTML: shown literally, never markup."""
    return html_escaping.escape(text, quote=False)


@dataclass(frozen=True)
class Link:
    href: str
    rel: str = "alternate"
    type: str | None = None
    hreflang: str | None = None
    length: int | None = None

    def attributes(self) -> dict[str, str]:
        found = {
            "href": self.href,
            "rel": self.rel,
            "type": self.type,
            "hreflang": self.hreflang,
            "length": None if self.length is None else str(self.length),
        }
        return {name: value for name, value in found.items() if value is not None}


def feed_files(config: Config, site: Site, catalogues: dict[str, Catalogue]) -> dict[str, bytes]:
    """``<lang>/feed.atom.xml``, ``feed.rss.xml`` and ``feed.json`` of every language with
    published articles, by path under the site folder."""
    files: dict[str, bytes] = {}
    for lang, archive in site.archives.items():
        if not archive.entries:
            continue
        catalogue = catalogues[lang]
        html = EntryHtml(config, catalogue)
        made: dict[urls.FeedKind, bytes] = {
            "atom": atom_feed(config, site, archive, catalogue),
            "rss": rss_feed(config, site, archive, catalogue),
            "json": json_feed(config, site, lang, newest(config, archive), html),
        }
        for kind, content in made.items():
            files[urls.site_path(config, urls.feed_url(config, lang, kind))] = content
    return files


def newest(config: Config, archive: Archive) -> tuple[Entry, ...]:
    return archive.entries[: config.file.feeds.max_items]


def feed_links(config: Config, site: Site, lang: str) -> list[Link]:
    """The Atom feed's links, in the order readers rely on: the own-language page first, then
    ``self``, then the other languages' feeds."""
    links = [
        Link(urls.archive_url(config, lang), type=HTML, hreflang=lang),
        Link(urls.feed_url(config, lang, "atom"), rel="self", type=urls.FEED_TYPES["atom"]),
    ]
    for other, archive in site.archives.items():
        if other != lang and archive.entries:
            feed = urls.feed_url(config, other, "atom")
            links.append(Link(feed, type=urls.FEED_TYPES["atom"], hreflang=other))
    return links


def entry_links(config: Config, entry: Entry) -> list[Link]:
    """An entry's links: its own page first, its translations, then its image."""
    article = entry.article
    links = [Link(urls.article_url(config, article), type=HTML, hreflang=article.lang)]
    for translation in entry.translations:
        links.append(
            Link(urls.article_url(config, translation), type=HTML, hreflang=translation.lang)
        )
    if article.image is not None:
        image = article.image
        href = urls.image_url(config, article)
        links.append(Link(href, rel="enclosure", type=image.media_type, length=image.size))
    return links


@dataclass(frozen=True)
class EntryHtml:
    """An entry's full content: the image as ``<img>`` (readers that ignore enclosures
    show it), its credit, then the body, sanitised once when it was read, URLs absolute."""

    config: Config
    catalogue: Catalogue

    def __call__(self, article: Article) -> str:
        parts: list[str] = []
        image = article.image
        if image is not None:
            src = urls.image_url(self.config, article)
            parts.append(
                Markup('<p><img src="{}" alt="{}" width="{}" height="{}"></p>').format(
                    src, image.alt, image.width, image.height
                )
            )
            if image.credit:
                credit = self.catalogue.translations.gettext("Photo: %(credit)s")
                parts.append(
                    Markup("<p><small>{}</small></p>").format(credit % {"credit": image.credit})
                )
        parts.append(Markup(article.body_html))  # sanitised once, by markup.render_body
        return "\n".join(str(part) for part in parts)


def _generator(config: Config, archive: Archive, entries: tuple[Entry, ...]) -> FeedGenerator:
    """What Atom and RSS share; each adds its own links and images."""
    lang = archive.lang
    feed = FeedGenerator()
    feed.id(archive.feed_id)
    feed.title(config.publication_name(lang))
    feed.subtitle(config.file.languages[lang].description or config.publication_name(lang))
    feed.language(lang)
    feed.author(name=config.publication_name(lang), uri=urls.archive_url(config, lang))
    feed.generator("flemletter", version=__version__)
    feed.updated(max(entry.updated for entry in entries))  # never the build time
    return feed


def _add_entry(
    config: Config, feed: FeedGenerator, entry: Entry, html: EntryHtml, *, atom: bool
) -> FeedEntry:
    article = entry.article
    item = feed.add_entry(order="append")
    item.id(entry.id)
    item.title(article.title if atom else rss_html(article.title))
    item.updated(entry.updated)
    item.published(entry.published)
    item.summary(article.teaser, type="text")  # Atom's, and RSS's until replaced below
    if not atom:
        item.description(rss_html(article.teaser))
    item.content(html(article), type="html")  # type="CDATA" would break Atom
    links = entry_links(config, entry)
    for link in links if atom else links[:1]:
        if link.rel != "enclosure":
            item.link(**link.attributes())
    if article.image is not None:
        image = article.image
        href = urls.image_url(config, article)
        item.enclosure(href, str(image.size), image.media_type)
        item.media.content(
            url=href,
            fileSize=str(image.size),
            type=image.media_type,
            medium="image",
            width=str(image.width),
            height=str(image.height),
            group=None,
        )
    for tag in article.tags:
        item.category(term=tag)
    if article.author:
        item.author(name=article.author)
        item.dc.dc_creator(article.author)
    return item


def _load_extensions(feed: FeedGenerator) -> None:
    """Before any entry is added: entries get the extensions loaded at that moment."""
    feed.load_extension("media")
    feed.load_extension("dc", atom=False)


def atom_feed(config: Config, site: Site, archive: Archive, catalogue: Catalogue) -> bytes:
    entries = newest(config, archive)
    feed = _generator(config, archive, entries)
    _load_extensions(feed)
    if site.icon is not None:
        feed.icon(site.icon.url)
    if site.logo is not None:
        feed.logo(site.logo.url)
    for link in feed_links(config, site, archive.lang):
        feed.link(**link.attributes())
    html = EntryHtml(config, catalogue)
    for entry in entries:
        _add_entry(config, feed, entry, html, atom=True)
    xml = feed.atom_str(pretty=False)
    return _restore_entry_links(xml, [entry_links(config, entry) for entry in entries])


def rss_feed(config: Config, site: Site, archive: Archive, catalogue: Catalogue) -> bytes:
    entries = newest(config, archive)
    lang = archive.lang
    feed = _generator(config, archive, entries)
    _load_extensions(feed)
    name = rss_html(config.publication_name(lang))
    feed.title(name)
    feed.description(rss_html(config.file.languages[lang].description or "") or name)
    feed.pubDate(max(entry.published for entry in entries))
    # RSS keeps the first rel=self and makes the *last* link its <link>: the homepage.
    feed.link(href=urls.feed_url(config, lang, "rss"), rel="self", type=urls.FEED_TYPES["rss"])
    feed.link(href=urls.archive_url(config, lang), rel="alternate")
    picture = site.icon or site.logo
    if picture is not None:
        # RSS allows an image of at most 144 × 400 px; a larger one is named without size.
        fits = picture.width <= RSS_IMAGE_WIDTH and picture.height <= RSS_IMAGE_HEIGHT
        size = {"width": str(picture.width), "height": str(picture.height)} if fits else {}
        feed.image(url=picture.url, title=name, **size)
    html = EntryHtml(config, catalogue)
    for entry in entries:
        _add_entry(config, feed, entry, html, atom=False)
    with _LOCALE_SWITCH:
        rss = feed.rss_str(pretty=False)
    return _pretty(rss)


def _restore_entry_links(xml: bytes, wanted: list[list[Link]]) -> bytes:
    """Work around feedgen#135: replace each Atom entry's links with the intended ones,
    every attribute kept, in the same place."""
    root = etree.fromstring(xml)
    entries = root.findall(f"{{{ATOM}}}entry")
    assert len(entries) == len(wanted), "one list of links per entry"
    for element, links in zip(entries, wanted, strict=True):
        old = element.findall(f"{{{ATOM}}}link")
        position = element.index(old[0]) if old else len(element)
        for link in old:
            element.remove(link)
        for offset, link in enumerate(links):
            new = etree.Element(f"{{{ATOM}}}link", link.attributes())
            element.insert(position + offset, new)
    return _pretty(etree.tostring(root, encoding="UTF-8", xml_declaration=True))


def _pretty(xml: bytes) -> bytes:
    """Indented, so a golden-file diff reads line by line; whitespace-only text is dropped
    first, or lxml keeps the old layout around inserted elements."""
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(xml, parser)
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))
