"""Pre-flight checks: what to fix before an issue goes out, beyond what stops the build.

:func:`preflight` runs after the editions have rendered. Each rule returns problems with the
file and line to change: the inbox line (subject and preheader), leads missing a translation,
images (alt text, credits, weight, pixel width), links (absolute, https, and into the web
archive only where the build makes a page), the template's CSS against caniemail's data
(:mod:`flemletter.csslint`) and the articles' text (:mod:`flemletter.prose`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from babel import Locale

from flemletter import urls
from flemletter.config import Config
from flemletter.content import ARTICLES_DIR, list_issue_ids, list_slugs
from flemletter.csslint import lint_templates
from flemletter.files import Refused, check_file, name_problem, publishable
from flemletter.markup import parse
from flemletter.models import Article, Edition, Issue
from flemletter.problems import Problem, Severity
from flemletter.prose import Paragraph, paragraphs_of, prose_problems
from flemletter.rawhtml import dropped_problems, references
from flemletter.render.email import RenderedEmail, published_image_url
from flemletter.render.i18n import Catalogue

SUBJECT_LIMIT = 60
"""Characters a phone's inbox shows of a subject before cutting it."""
PREHEADER_LIMIT = 100
"""Characters of preview text that clients show at most."""
IMAGE_BYTES_LIMIT = 1_000_000
"""Heavier images load slowly on phones and count against data plans."""
EMAIL_WIDTH = 600
"""Display width of an image whose MJML gives none: the body width."""
CREDIT_MESSAGE = "Photo: %(credit)s"
"""The catalogue message that writes a credit; its prefix is how credits are recognised."""


def preflight(
    config: Config,
    issue: Issue,
    emails: dict[str, RenderedEmail],
    catalogues: dict[str, Catalogue],
) -> list[Problem]:
    """Every pre-flight warning and error for an issue whose editions rendered."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for lang, edition in issue.editions.items():
        problems += inbox_line(issue, edition)
        problems += untranslated_lead(config, issue, edition)
        displayed = displayed_widths(emails[lang].mjml) if lang in emails else {}
        for article in edition.articles:
            if article.source in seen:
                continue
            seen.add(article.source)
            width = displayed.get(published_image_url(config)(article)) if article.image else None
            problems += image_problems(article, width)
            problems += credit_without_image(article, catalogues.get(lang))
            problems += link_problems(config, article)
            problems += prose_problems(article)
            problems += dropped_problems(article)
    problems += lint_templates(config.root)
    return problems


def as_errors(problems: Iterable[Problem]) -> list[Problem]:
    """``check --strict``: every warning counts as an error."""
    return [replace(p, severity=Severity.ERROR) for p in problems]


def _warning(path: str, line: int | None, message: str, hint: str | None = None) -> Problem:
    return Problem(path, line, message, Severity.WARNING, hint)


def inbox_line(issue: Issue, edition: Edition) -> Iterator[Problem]:
    """The subject and preheader: present, and short enough to show whole in an inbox."""
    where = f"editions.{edition.lang}"
    subject_line = edition.lines.get("subject")
    if len(edition.subject) > SUBJECT_LIMIT:
        yield _warning(
            issue.source,
            subject_line,
            f"the {edition.lang} subject has {len(edition.subject)} characters"
            f" (more than {SUBJECT_LIMIT}): inboxes will cut it",
            "say the one thing that makes people open it; the preheader carries the rest",
        )
    preheader_line = edition.lines.get("preheader", edition.lines.get("edition"))
    if not edition.preheader:
        yield _warning(
            issue.source,
            preheader_line,
            f"no preheader in '{where}': inboxes will show the email's first words instead",
            f"add 'preheader:' under '{where}', one sentence of up to {PREHEADER_LIMIT} characters",
        )
    elif len(edition.preheader) > PREHEADER_LIMIT:
        yield _warning(
            issue.source,
            preheader_line,
            f"the {edition.lang} preheader has {len(edition.preheader)} characters"
            f" (more than {PREHEADER_LIMIT}): inboxes will cut it",
            f"shorten it by {len(edition.preheader) - PREHEADER_LIMIT} or more",
        )


def untranslated_lead(config: Config, issue: Issue, edition: Edition) -> Iterator[Problem]:
    """The lead lacks a version in another language whose edition carries the rest of this one.

    Editions may carry different articles; but when the other edition has every other article
    of this one, the missing lead is most likely a translation not yet written.
    """
    lead = edition.lead
    others = [a.slug for a in edition.teasers]
    for lang, other in issue.editions.items():
        if lang == edition.lang or not others:
            continue
        carried = {a.slug for a in other.articles}
        translated = (config.root / ARTICLES_DIR / lead.slug / f"{lang}.md").is_file()
        if not translated and all(slug in carried for slug in others):
            language = Locale.parse(lang).get_display_name("en")
            yield _warning(
                issue.source,
                edition.lines.get(lead.slug),
                f"the lead '{lead.slug}' has no {language} version, while the '{lang}' edition"
                " carries every other article of this one",
                f"write {ARTICLES_DIR}/{lead.slug}/{lang}.md and list it first under"
                f" 'editions.{lang}'",
            )


def displayed_widths(mjml: str) -> dict[str, int]:
    """The width each image is shown at in the email, by its URL, read from the MJML."""
    widths = {}
    for tag in re.finditer(r"<mj-image\b[^>]*>", mjml):
        src = re.search(r'\bsrc="([^"]*)"', tag.group())
        width = re.search(r'\bwidth="(\d+)(?:px)?"', tag.group())
        if src:
            widths[src.group(1)] = int(width.group(1)) if width else EMAIL_WIDTH
    return widths


def image_problems(article: Article, displayed: int | None) -> Iterator[Problem]:
    image = article.image
    if image is not None:
        if not image.alt:
            yield _warning(
                article.source,
                article.lines.get("image.alt"),
                f"the image '{image.file.name}' has no alt text",
                "say in a few words what the photo shows: it is read aloud and shown when"
                " images are off",
            )
        line = article.lines.get("image.file")
        if image.size > IMAGE_BYTES_LIMIT:
            yield _warning(
                article.source,
                line,
                f"the image '{image.file.name}' weighs {image.size / 1_000_000:.1f} MB"
                f" (more than {IMAGE_BYTES_LIMIT / 1_000_000:.0f} MB)",
                "export it as JPEG at quality 80 or so",
            )
        if displayed and image.width > 2 * displayed:
            yield _warning(
                article.source,
                line,
                f"the image '{image.file.name}' is {image.width} px wide, shown at"
                f" {displayed} px: more than twice what even sharp screens use",
                f"resize it to {2 * displayed} px wide",
            )
    for paragraph in _blocks(article):
        for token in _inline_children(paragraph.source):
            if token[0] == "image" and not token[2]:
                yield _warning(
                    article.source,
                    paragraph.line + _line_in(paragraph.source, token[1]),
                    f"the image '{token[1]}' has no alt text",
                    "write it between the brackets: ![what it shows](...)",
                )


def credit_without_image(article: Article, catalogue: Catalogue | None) -> Iterator[Problem]:
    """A "Photo: ..." line in the text with no photo for it to credit."""
    if catalogue is None or article.image is not None:
        return
    prefix = catalogue.translations.gettext(CREDIT_MESSAGE).split("%(credit)s")[0].strip()
    if not prefix:
        return
    has_image = False
    for paragraph in paragraphs_of(article):
        starts_with_credit = paragraph.text.strip().startswith(prefix)
        if starts_with_credit and not has_image:
            yield _warning(
                article.source,
                paragraph.line,
                f"'{prefix}' credits a photo, but there is no photo before it",
                "add the image (front matter 'image:'), or remove the credit",
            )
        has_image = any(kind == "image" for kind, _, _ in _inline_children(paragraph.source))


def _blocks(article: Article) -> Iterator[Paragraph]:
    """The paragraphs, then the raw HTML blocks, whose links and images are checked alike."""
    yield from paragraphs_of(article)
    first = article.lines.get("body", 1)
    for token in parse(article.body_markdown):
        if token.type == "html_block" and token.map is not None:
            yield Paragraph(first + token.map[0], token.content, "")


def _inline_children(markdown: str) -> list[tuple[str, str, str]]:
    """(kind, address, text) of the links and images in a paragraph's Markdown or raw HTML."""
    found = []
    for token in parse(markdown):
        if token.type == "html_block":
            found += references(token.content)
        for child in token.children or []:
            if child.type == "link_open":
                found.append(("link", str(child.attrGet("href") or ""), ""))
            elif child.type == "image":
                found.append(("image", str(child.attrGet("src") or ""), child.content))
            elif child.type == "html_inline":
                found += references(child.content)
    return found


def _line_in(source: str, needle: str) -> int:
    at = source.find(needle)
    return source.count("\n", 0, at) if at >= 0 else 0


def link_problems(config: Config, article: Article) -> Iterator[Problem]:
    """Links that readers of the email could not follow, or follow insecurely."""
    targets: list[tuple[int | None, str, str]] = []
    if article.url:
        targets.append((article.lines.get("url"), "link", article.url))
    for paragraph in _blocks(article):
        for kind, address, _ in _inline_children(paragraph.source):
            at = paragraph.line + _line_in(paragraph.source, address)
            targets.append((at, kind, address))
    page = urls.article_page_url(config, article.lang, article.slug)
    archive = ArchivePages(config)
    for line, kind, address in targets:
        scheme = urlsplit(address).scheme
        if address.startswith("#") or scheme in ("mailto", "tel"):
            continue
        if not scheme:
            resolved = urls.absolute(address, page)
            # a file beside the article is published beside its page: relative is right
            name = unquote(urlsplit(address).path)
            beside = (config.root / article.source).parent / name
            refused = _refusal(config.root, name, beside, images_only=kind == "image")
            if refused is not None:
                yield Problem(article.source, line, refused.reason, hint=refused.hint)
                continue
            if kind == "link" and not beside.is_file():
                yield _warning(
                    article.source,
                    line,
                    f"the link '{address}' is not a full web address",
                    f"in the email it would lead to {resolved}; write the whole address,"
                    " starting with https://",
                )
            address = resolved
        elif scheme == "http":
            yield _warning(
                article.source,
                line,
                f"the link '{address}' is not secure (http)",
                "use https:// if the site offers it",
            )
        if not archive.produces(address):
            what = "link" if kind == "link" else "image"
            yield Problem(
                article.source,
                line,
                f"the {what} '{address}' points into the web archive, where the build makes"
                " no such page",
                hint=archive.hint(address),
            )


def _refusal(root: Path, name: str, beside: Path, *, images_only: bool) -> Refused | None:
    """Why the file an article links to or shows may not be published, if it may not.

    Only files that are there are judged (a link to another page of the archive is not a
    file); an image named by a path on this computer or outside the folder never is.
    """
    if not name:
        return None
    refused = name_problem(name)
    if refused is not None:
        return refused if images_only else None
    if not (beside.exists() or beside.is_symlink()) or beside.is_dir():
        return None
    try:
        check_file(root, beside, images_only=images_only)
    except Refused as exc:
        return exc
    return None


class ArchivePages:
    """Which addresses under the base URL the build publishes.

    Per language: the archive's front page, its feeds, each issue's page and each article's
    page with the files beside it (its images).
    """

    FEED = re.compile(r"^(feed|atom|rss)[\w.-]*\.(xml|rss|atom)$")

    def __init__(self, config: Config) -> None:
        self.base = config.publication.base_url
        self.languages = config.languages
        self.issues = set(list_issue_ids(config.root))
        self.root: Path = config.root

    def produces(self, address: str) -> bool:
        if not address.startswith(self.base):
            return True  # not ours to judge
        path = urlsplit(address[len(self.base) :]).path
        parts = [p for p in path.split("/") if p]
        if parts and parts[-1] in ("index.html", "index.htm"):
            parts = parts[:-1]
        if not parts:
            return True
        lang, rest = parts[0], parts[1:]
        if lang not in self.languages:
            return False
        if not rest or (len(rest) == 1 and (rest[0] in self.issues or self.FEED.match(rest[0]))):
            return True
        if rest[0] == "articles" and len(rest) in (2, 3) and rest[1] in list_slugs(self.root):
            folder = self.root / ARTICLES_DIR / rest[1]
            written = (folder / f"{lang}.md").is_file()
            return written and (len(rest) == 2 or publishable(self.root, folder / rest[2]))
        return False

    def hint(self, address: str) -> str:
        return (
            f"the archive has {self.base}<language>/, <language>/<issue>/ and"
            " <language>/articles/<slug>/ (with the files in its folder) for each article"
            " written in that language"
        )
