"""CSS inlining after MJML compiles: the template's inline-only rules go into ``style=""``.

Many clients drop ``<style>`` blocks, so the rules every client must honour are written into
the elements. MJML's own ``<style>`` blocks (media queries, dark mode, the column classes)
are left in ``<style>``: they cannot be inlined, and inlining them would only add weight.
Either inliner works offline (nothing is fetched) and keeps the doctype.

- ``css-inline`` (default): Rust, about 1 ms per email.
- ``premailer``: pure Python, about 20 times slower; drops the lowercase doctype MJML
  writes (restored here) and would inline every ``<style>`` unless told to ignore them.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

import css_inline

Inliner = Literal["css-inline", "premailer"]
INLINERS: tuple[Inliner, ...] = ("css-inline", "premailer")

_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)
_IGNORE = ' data-premailer="ignore"'


def inline_css(html: str, css: str, inliner: Inliner = "css-inline") -> str:
    """``html`` with ``css`` inlined; its own ``<style>`` blocks stay as they are."""
    if inliner == "premailer":
        return _premailer(html, css)
    return _css_inline(html, css)


def _css_inline(html: str, css: str) -> str:
    engine = css_inline.CSSInliner(
        inline_style_tags=False,
        keep_style_tags=True,
        keep_link_tags=True,
        load_remote_stylesheets=False,
        extra_css=css,
    )
    return str(engine.inline(html))


def _premailer(html: str, css: str) -> str:
    from premailer import Premailer  # imported on demand: it takes 0.3 s to import

    doctype = _DOCTYPE.match(html)
    marked = re.sub(r"<style\b", "<style" + _IGNORE, html, flags=re.IGNORECASE)
    engine = Premailer(
        marked,
        css_text=css,
        allow_network=False,
        keep_style_tags=True,
        strip_important=False,
        disable_validation=True,
        disable_leftover_css=True,
        remove_classes=False,
        cssutils_logging_level=logging.CRITICAL,
    )
    result = str(engine.transform()).replace(_IGNORE, "")
    if doctype and not _DOCTYPE.match(result):
        result = doctype.group().strip() + result
    return result
