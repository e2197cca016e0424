"""Markdown bodies to sanitised HTML, once, for email, web and feeds alike.

CommonMark is parsed by markdown-it-py; raw HTML is allowed in the source but everything is
then cleaned by nh3 (the Rust ``ammonia`` sanitiser) against an allow-list, so scripts, event
handlers, ``javascript:``/``data:`` URLs, iframes and styles never reach any output.

A quote is a blockquote; when its last paragraph starts with a dash ("– Name, role"), that
paragraph is the attribution, and the speaker's name (up to the first comma) is marked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "img",
    "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {"p": {"attribution"}, "span": {"speaker"}}
URL_SCHEMES = {"http", "https", "mailto"}
ATTRIBUTION_DASHES = ("– ", "— ", "-- ")


def markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True})


_PARSER = markdown_parser()


def parse(markdown: str) -> list[Token]:
    return _PARSER.parse(markdown)


def render_body(markdown: str, resolve_url: Callable[[str], str]) -> str:
    """The sanitised HTML of an article body; ``resolve_url`` makes links absolute."""
    tokens = parse(markdown)
    _mark_attributions(tokens)
    rendered = _PARSER.renderer.render(tokens, _PARSER.options, {})
    rendered = _SPEAKER.sub(r'\1<span class="speaker">\2</span>', rendered)
    return sanitise(rendered, resolve_url)


def sanitise(markup: str, resolve_url: Callable[[str], str] | None = None) -> str:
    """Clean HTML against the allow-list; URLs pass through ``resolve_url`` when given."""

    def attribute_filter(tag: str, name: str, value: str) -> str | None:
        if resolve_url is not None and name in ("href", "src"):
            return resolve_url(value)
        return value

    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        attribute_filter=attribute_filter,
        strip_comments=True,
    )
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned).strip()


# An image whose URL the sanitiser refused (javascript:, data:) would show as a broken box.
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_SPEAKER = re.compile(r'(<p class="attribution">(?:–|—|--) )([^,<]+)')


def _mark_attributions(tokens: list[Token]) -> None:
    """Give the dash-led last paragraph of each blockquote the ``attribution`` class."""
    paragraphs: list[list[int]] = []  # paragraph openings per open blockquote
    for index, token in enumerate(tokens):
        if token.type == "blockquote_open":
            paragraphs.append([])
        elif token.type == "paragraph_open" and paragraphs:
            paragraphs[-1].append(index)
        elif token.type == "blockquote_close":
            openings = paragraphs.pop()
            # a lone paragraph is the quote itself, even when it starts with a dash
            if len(openings) > 1 and tokens[openings[-1] + 1].content.startswith(
                ATTRIBUTION_DASHES
            ):
                tokens[openings[-1]].attrSet("class", "attribution")


def first_paragraph_text(markdown: str) -> str:
    """The plain text of the first paragraph, for a teaser when none is given.

    Taken from the sanitised HTML, so the text of a raw ``<script>`` never becomes a teaser.
    """
    tokens = parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            paragraph = _PARSER.renderer.render(tokens[index : index + 3], _PARSER.options, {})
            text = nh3.clean(paragraph, tags=set(), attributes={})
            return html.unescape(text).strip().replace("\n", " ")
    return ""


def inline_text(token: Token) -> str:
    """The words of an inline token, markup removed."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)
