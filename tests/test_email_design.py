"""The built email, read as a subscriber's client and a screen reader read it (no browser)."""

from __future__ import annotations

import re
from gettext import NullTranslations
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flemletter.build import build
from flemletter.checks import check
from flemletter.render.email import UNSUBSCRIBE_PLACEHOLDER
from flemletter.render.i18n import Catalogue
from flemletter.render.templates import environment
from tests.conftest import copy_sample

LANGS = ("en", "sv")
# (text colour, background) pairs as the templates use them, light and dark.
CONTRAST_PAIRS = [
    ("text", "card"),
    ("heading", "card"),
    ("muted", "card"),
    ("muted", "page"),
    ("accent", "card"),
    ("link", "card"),
    ("link", "page"),
    ("quote", "card"),
    ("on_brand", "brand"),
    ("text", "image"),
    ("dark_text", "dark_card"),
    ("dark_muted", "dark_card"),
    ("dark_muted", "dark_page"),
    ("dark_link", "dark_card"),
    ("dark_link", "dark_page"),
    ("dark_text", "dark_page"),
    ("dark_accent", "dark_card"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("design") / "newsletter")
    return build(root, "2025-11").folder


def palette() -> dict[str, str]:
    """The colours ``email/theme.j2`` defines."""
    env = environment(Path("/nonexistent"), Catalogue("", NullTranslations(), frozenset()))
    colours = env.get_template("email/theme.j2").module.colours  # type: ignore[attr-defined]
    return dict(colours)


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("text", "background"), CONTRAST_PAIRS)
def test_palette_contrast_is_at_least_4_5(text: str, background: str) -> None:
    colours = palette()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"


class Outline(HTMLParser):
    """The parts of an email that accessibility depends on."""

    def __init__(self) -> None:
        super().__init__()
        self.html_attrs: dict[str, str | None] = {}
        self.tables: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.headings: list[str] = []
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_attrs = found
        elif tag == "table":
            self.tables.append(found)
        elif tag == "img":
            self.images.append(found)
        elif tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        elif tag == "a":
            self.links.append(found)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("lang", LANGS)
def test_language_direction_and_layout_tables(built: Path, lang: str) -> None:
    html = (built / lang / "email.html").read_text(encoding="utf-8")
    found = outline(html)
    assert html.startswith("<!DOCTYPE html>")
    assert found.html_attrs["lang"] == lang
    assert found.html_attrs["dir"] == "ltr"
    assert found.tables and all(t.get("role") == "presentation" for t in found.tables)


@pytest.mark.parametrize("lang", LANGS)
def test_images_have_alt_and_headings_are_one_h1_then_h2(built: Path, lang: str) -> None:
    found = outline((built / lang / "email.html").read_text(encoding="utf-8"))
    assert found.images and all(img.get("alt") for img in found.images)
    assert found.headings.count("h1") == 1
    assert found.headings[0] == "h1"
    assert found.headings.count("h2") >= 3  # one per teaser


def test_read_more_says_what_it_leads_to(built: Path) -> None:
    found = outline((built / "sv" / "email.html").read_text(encoding="utf-8"))
    labels = [a["aria-label"] for a in found.links if a.get("class") == "more"]
    assert labels == [
        "Läs mer om Stiftelsen Flemingsberg Science välkomnar Ellen Mäkipiha som ny kommunikatör",
        "Läs mer om Ett växande konst- och kulturliv i Flemingsberg",
        "Läs mer om Agnes Török: En Röst för Scenpoesi & Läsfrämjande",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_preheader_is_hidden_and_padded(built: Path, lang: str) -> None:
    html = (built / lang / "email.html").read_text(encoding="utf-8")
    hidden = re.search(r'<div style="display:none;[^"]*">(.*?)</div>', html, re.DOTALL)
    assert hidden is not None
    text = hidden.group(1)
    preheader = {"en": "Also: the Flemingsberg Science Award", "sv": "Dessutom: Ellen"}[lang]
    assert text.startswith(preheader)
    assert text.count("\u200c") >= 50, "the spacer keeps the body out of the inbox preview"


@pytest.mark.parametrize("lang", LANGS)
def test_dark_mode_and_media_queries_stay_in_style(built: Path, lang: str) -> None:
    html = (built / lang / "email.html").read_text(encoding="utf-8")
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL))
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in styles
    assert "@media only screen and (max-width: 479px)" in styles
    # the template's own rules are inlined for clients that drop <style>
    assert re.search(r'<h1 class="lead-title" style="[^"]*font-size: 32px', html)


@pytest.mark.parametrize("lang", LANGS)
def test_unsubscribe_placeholder_in_both_parts(built: Path, lang: str) -> None:
    # what delivery personalises carries the placeholder in both parts ...
    email = check(built.parent.parent, "2025-11").emails[lang]
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in email.html
    assert f": {UNSUBSCRIBE_PLACEHOLDER}" in email.text
    # ... while the copies in build/ go to nobody: their link leads to the archive's page
    page = f"https://www.flemingsbergscience.se/newsletter/{lang}/unsubscribe/"
    for name in ("email.html", "email.txt", "message.eml"):
        built_text = (built / lang / name).read_text(encoding="utf-8")
        assert UNSUBSCRIBE_PLACEHOLDER not in built_text
    assert f'href="{page}"' in (built / lang / "email.html").read_text(encoding="utf-8")
    assert f": {page}" in (built / lang / "email.txt").read_text(encoding="utf-8")


def test_text_part_reads_like_a_letter(built: Path) -> None:
    text = (built / "en" / "email.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    title = "Collaboration in Science promotes research collaborations and the future"
    assert lines[lines.index(title) + 1] == "of Flemingsberg"
    assert lines[lines.index(title) + 2] == "=" * len(title)
    teaser = "50 years of life-changing therapies"
    assert lines[lines.index(teaser) + 1] == "-" * len(teaser)
    assert any(line.startswith("> “It’s wonderful") for line in lines)
    assert all(len(line) <= 72 for line in lines if "://" not in line)
    assert "Read more: [2]" in text
    assert lines[-1].startswith("[3] https://www.flemingsbergscience.se/newsletter/en/articles/")
