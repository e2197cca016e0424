"""The build's site step: the web archive and the feeds of every issue, in ``build/site/``.

:func:`build_site` loads every issue (:mod:`flemletter.published`), renders the pages
(:mod:`flemletter.render.web`) and the feeds (:mod:`flemletter.feeds`), copies each
article's image beside its page, and writes the folder. Same input, same bytes; files a
previous build made and this one does not are removed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

from flemletter import urls
from flemletter.config import Config
from flemletter.content import ARTICLES_DIR
from flemletter.feeds import feed_files
from flemletter.files import publishable
from flemletter.models import Article, Issue
from flemletter.problems import Problem
from flemletter.published import (
    Site,
    identity_problems,
    load_issues,
    load_pictures,
    make_site,
)
from flemletter.render.i18n import Catalogue
from flemletter.render.web import site_pages
from flemletter.writer import Output

SITE_DIR = "site"


def build_site(
    config: Config, named: Issue, catalogues: dict[str, Catalogue], out: Path
) -> tuple[Site, list[Problem]]:
    """The site step: load every issue, render the archive and the feeds, write ``out/site``."""
    issues, problems = load_issues(config, named)
    icon, logo, found = load_pictures(config)
    problems += found + identity_problems(config)
    site = make_site(config, issues, icon, logo)
    output = Output(out / SITE_DIR, config.root)
    for relative, page in site_pages(config, site, catalogues).items():
        output.add(relative, page)
    for relative, feed in feed_files(config, site, catalogues).items():
        output.add(relative, feed)
    for archive in site.archives.values():
        for entry in archive.entries:
            for relative, file in article_files(config, entry.article).items():
                output.add(relative, file.read_bytes())
    for picture in (site.icon, site.logo):
        if picture is not None and urls.site_path(config, picture.url) not in output.files:
            output.add(urls.site_path(config, picture.url), picture.file.read_bytes())
    output.write()
    return site, problems


def article_files(config: Config, article: Article) -> dict[str, Path]:
    """The files published beside an article's page: its photo, and every file of its folder
    that its body links to or shows (``![chart](chart.png)``, ``[report](report.pdf)``)."""
    page = urls.article_page_url(config, article.lang, article.slug)
    files = {}
    if article.image is not None:
        files[urls.site_path(config, urls.image_url(config, article))] = article.image.file
    folder = config.root / ARTICLES_DIR / article.slug
    for found in _LINKED.findall(article.body_html):
        url = html.unescape(found)
        if not url.startswith(page):
            continue
        name = unquote(url[len(page) :].split("#")[0].split("?")[0])
        file = folder / name
        # the same gate as check's: only images and PDFs inside the folder are published
        if name and "/" not in name and publishable(config.root, file):
            files[urls.site_path(config, page + name)] = file
    return files


_LINKED = re.compile(r'(?:src|href)="([^"]+)"')
