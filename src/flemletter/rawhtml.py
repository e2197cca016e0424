"""Raw HTML in Markdown bodies, read with a real parser (:mod:`html.parser`), never regexes.

CommonMark lets an author write HTML; :func:`flemletter.markup.sanitise` then keeps only
what its allow-list names. Three users of the raw HTML itself live here:

- :func:`references`: the ``<a href>`` and ``<img src>`` it holds, checked by the pre-flight
  exactly like Markdown links and images;
- :func:`dropped_problems`: a warning at the article's line for each element, attribute or
  address the sanitiser removes, naming it, so nothing vanishes without the author knowing;
- :func:`hidden_depth`: whether a raw ``<script>``/``<style>`` is open, so their text stays out
  of the plain-text part as it stays out of the HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markdown_it.token import Token

from flemletter.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    parse,
)
from flemletter.models import Article
from flemletter.problems import Problem, Severity

HIDDEN = frozenset({"script", "style"})
"""Elements the sanitiser drops with their text (nh3's ``clean_content_tags`` default)."""


@dataclass(frozen=True)
class Tag:
    name: str
    attributes: tuple[tuple[str, str], ...]
    end: bool
    line: int
    """1-based, within the fragment parsed."""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pairs = tuple((name, value or "") for name, value in attrs)
        self.found.append(Tag(tag, pairs, False, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.found.append(Tag(tag, (), True, self.getpos()[0]))


def tags(fragment: str) -> list[Tag]:
    """The start and end tags of an HTML fragment, in order."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser.found


def references(fragment: str) -> list[tuple[str, str, str]]:
    """(kind, address, alt) of each ``<a href>`` (``"link"``) and ``<img src>`` (``"image"``)."""
    found = []
    for tag in tags(fragment):
        attributes = dict(tag.attributes)
        if tag.end:
            continue
        if tag.name == "a" and "href" in attributes:
            found.append(("link", attributes["href"].strip(), ""))
        elif tag.name == "img" and "src" in attributes:
            found.append(("image", attributes["src"].strip(), attributes.get("alt", "")))
    return found


def hidden_depth(fragment: str, depth: int) -> int:
    """``depth`` (open ``<script>``/``<style>`` elements) after the tags of ``fragment``."""
    for tag in tags(fragment):
        if tag.name in HIDDEN:
            depth = max(0, depth - 1) if tag.end else depth + 1
    return depth


def dropped(tag: Tag) -> list[str]:
    """What the sanitiser removes of a start tag, in words."""
    if tag.end:
        return []
    if tag.name not in ALLOWED_TAGS:
        return [f"<{tag.name}> and its text" if tag.name in HIDDEN else f"<{tag.name}>"]
    allowed = ALLOWED_ATTRIBUTES.get(tag.name, set())
    found = []
    for name, value in tag.attributes:
        if name == "class" and set(value.split()) <= ALLOWED_CLASSES.get(tag.name, set()):
            continue
        if name not in allowed:
            found.append(f"the {name} attribute of <{tag.name}>")
        elif name in ("href", "src"):
            scheme = urlsplit(value.strip()).scheme.lower()
            if scheme and scheme not in URL_SCHEMES:
                found.append(f"the {scheme}: address of <{tag.name}>")
    return found


def raw_fragments(tokens: list[Token]) -> Iterator[tuple[int, str]]:
    """(line offset in the body, HTML) of each raw HTML block and inline piece."""
    for token in tokens:
        if token.map is None:
            continue
        if token.type == "html_block":
            yield token.map[0], token.content
        elif token.type == "inline":
            cursor = 0
            for child in token.children or []:
                if child.type == "html_inline":
                    at = token.content.find(child.content, cursor)
                    cursor = max(cursor, at)
                    yield token.map[0] + token.content.count("\n", 0, max(at, 0)), child.content


def dropped_problems(article: Article) -> Iterator[Problem]:
    """A warning for each piece of raw HTML in the body that no reader will get."""
    first = article.lines.get("body", 1)
    by_line: dict[int, list[str]] = {}
    for offset, fragment in raw_fragments(parse(article.body_markdown)):
        for tag in tags(fragment):
            found = by_line.setdefault(first + offset + tag.line - 1, [])
            found += [what for what in dropped(tag) if what not in found]
    for line, found in by_line.items():
        if found:
            names = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
            verb = "is" if len(found) == 1 and " and " not in found[0] else "are"
            yield Problem(
                article.source,
                line,
                f"{names} {verb} removed from the email, the web page and the feeds",
                Severity.WARNING,
                "only simple formatting, links and images are kept (the text inside a removed"
                " element stays, unformatted): write it in Markdown, or leave it out",
            )
