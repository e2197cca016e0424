"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) for one language.

feedgen writes no JSON Feed, and the format is small enough to write directly. Items carry
the same permanent ids, dates, content and image as the Atom and RSS feeds.

Text or HTML: ``title``, ``summary``, ``description``, ``tags`` and author names are plain
text by the spec and written as the author typed them; the body goes only in
``content_html`` (sanitised), never in ``content_text``. See :mod:`flemletter.feeds`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from flemletter import urls
from flemletter.config import Config
from flemletter.models import Article
from flemletter.published import Entry, Site

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(
    config: Config,
    site: Site,
    lang: str,
    entries: tuple[Entry, ...],
    html: Callable[[Article], str],
) -> bytes:
    """The feed of ``entries`` (of ``lang``, newest first) as UTF-8 JSON; ``html`` gives an
    article's full content, the same as in the Atom and RSS feeds."""
    name = config.publication_name(lang)
    document: dict[str, Any] = {
        "version": VERSION,
        "title": name,
        "home_page_url": urls.archive_url(config, lang),
        "feed_url": urls.feed_url(config, lang, "json"),
        "description": config.file.languages[lang].description or name,
        "language": lang,
        "authors": [{"name": name, "url": urls.archive_url(config, lang)}],
    }
    if site.icon is not None:
        document["icon"] = document["favicon"] = site.icon.url
    document["items"] = [_item(config, entry, html) for entry in entries]
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _item(config: Config, entry: Entry, html: Callable[[Article], str]) -> dict[str, Any]:
    article = entry.article
    item: dict[str, Any] = {
        "id": entry.id,
        "url": urls.article_url(config, article),
        "title": article.title,
        "content_html": html(article),
        "summary": article.teaser,
        "date_published": _rfc3339(entry.published),
        "date_modified": _rfc3339(entry.updated),
        "language": article.lang,
    }
    if article.image is not None:
        image = article.image
        href = urls.image_url(config, article)
        item["image"] = href
        item["attachments"] = [
            {"url": href, "mime_type": image.media_type, "size_in_bytes": image.size}
        ]
    if article.tags:
        item["tags"] = list(article.tags)
    if article.author:
        item["authors"] = [{"name": article.author}]
    return item


def _rfc3339(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")
