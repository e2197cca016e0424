"""The plain-text part: what a person reads when their client shows no HTML.

Headings are underlined, paragraphs wrapped at 72 columns, quotes marked with ``>``, lists
keep their bullets, and links become numbered references (``[1]``) listed at the end, so
the text stays readable and every address stays whole and clickable.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from markdown_it.token import Token

from flemletter.markup import parse
from flemletter.rawhtml import hidden_depth

WIDTH = 72


class LinkReferences:
    """Numbers links in the order they appear; the same URL keeps its number."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}

    def ref(self, url: str) -> str:
        number = self._numbers.setdefault(url, len(self._numbers) + 1)
        return f"[{number}]"

    def listing(self) -> str:
        if not self._numbers:
            return ""
        lines = [f"[{number}] {url}" for url, number in self._numbers.items()]
        return "\n".join(["", *lines])


def wrap(text: str, width: int = WIDTH, prefix: str = "") -> str:
    """Wrap each paragraph of ``text``; words and URLs are never broken."""
    paragraphs = text.split("\n")
    wrapped = [
        textwrap.fill(
            " ".join(p.split()),
            width=width,
            initial_indent=prefix,
            subsequent_indent=prefix,
            break_long_words=False,
            break_on_hyphens=False,
        )
        or prefix.rstrip()
        for p in paragraphs
    ]
    return "\n".join(wrapped)


def heading(text: str, underline: str) -> str:
    """``text`` wrapped, then underlined as long as its longest line."""
    lines = wrap(text).splitlines() or [""]
    return "\n".join(lines) + "\n" + underline * max(len(line) for line in lines)


def markdown_to_text(
    markdown: str,
    refs: LinkReferences,
    resolve_url: Callable[[str], str] = str,
    width: int = WIDTH,
) -> str:
    """Plain text of a Markdown body, with links (made absolute) as references in ``refs``."""
    blocks: list[str] = []
    quote_depth = 0
    list_stack: list[list[int]] = []  # per open list: [next number or 0 for bullets]
    hidden = [0]  # open raw <script>/<style>: their text is dropped, as in the HTML
    tokens = parse(markdown)
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "html_block":
            hidden[0] = hidden_depth(token.content, hidden[0])
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "bullet_list_open":
            list_stack.append([0])
        elif kind == "ordered_list_open":
            list_stack.append([int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif kind == "inline":
            opener = tokens[index - 1]
            text = _inline(token, refs, resolve_url, hidden)
            raw = any(child.type == "html_inline" for child in token.children or [])
            if raw and not text.strip():
                continue  # nothing left to read (a raw <script>, say)
            prefix = "> " * quote_depth
            if opener.type == "heading_open":
                underline = "=" if opener.tag in ("h1", "h2") else "-"
                blocks.append(prefix + heading(text, underline))
            elif list_stack and opener.type == "paragraph_open" and _starts_item(tokens, index):
                counter = list_stack[-1]
                marker = "*" if counter[0] == 0 else f"{counter[0]}."
                if counter[0]:
                    counter[0] += 1
                indent = prefix + "  " * (len(list_stack) - 1)
                item = wrap(text, width, indent + "   ")
                blocks.append(indent + f"{marker:<3}" + item[len(indent) + 3 :])
            else:
                blocks.append(wrap(text, width, prefix))
        elif kind in ("fence", "code_block"):
            blocks.append(textwrap.indent(token.content.rstrip("\n"), "    "))
        elif kind == "hr":
            blocks.append("-" * 24)
    return "\n\n".join(blocks)


def _starts_item(tokens: list[Token], index: int) -> bool:
    """Whether the paragraph whose inline token is at ``index`` opens a list item."""
    return index >= 2 and tokens[index - 2].type == "list_item_open"


def _inline(
    token: Token, refs: LinkReferences, resolve_url: Callable[[str], str], hidden: list[int]
) -> str:
    parts: list[str] = []
    href: str | None = None
    for child in token.children or []:
        kind = child.type
        if kind == "html_inline":
            hidden[0] = hidden_depth(child.content, hidden[0])
        elif hidden[0]:
            continue
        elif kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "link_open":
            href = resolve_url(str(child.attrGet("href") or ""))
        elif kind == "link_close" and href:
            if href.startswith(("http://", "https://", "mailto:")):
                parts.append(" " + refs.ref(href))
            href = None
        elif kind == "image":
            parts.append(f"[{child.content}]" if child.content else "")
    return "".join(parts)
