"""Class 9 of issue 11 (markup): raw HTML links and images are checked like Markdown ones,
what the sanitiser drops is a warning naming it, script and style text stays out of the
plain-text part, and invisible characters reach ``aria-label`` as themselves."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from flemletter.build import build
from flemletter.checks import check
from flemletter.render.email import compile_mjml

LEAD = "articles/collaboration-in-science/en.md"
TEASER = "articles/limitless-potential/en.md"


def with_body(root: Path, relative: str, body: str) -> int:
    """Replace the article's body; returns the line the body starts on."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + len("\n---\n")
    path.write_text(text[:end] + "\n" + body, encoding="utf-8")
    return text[:end].count("\n") + 2


def messages_at(root: Path, relative: str) -> list[tuple[int | None, str]]:
    return sorted(
        (p.line, p.message) for p in check(root, "2025-11").problems if p.path == relative
    )


BASE = "https://www.flemingsbergscience.se/newsletter/"
# (Markdown, the same in raw HTML): each pair must draw the same messages at the same line.
SAME_AS_MARKDOWN = {
    "http link": ("[x](http://insecure.example/)", '<a href="http://insecure.example/">x</a>'),
    "http image block": (
        "![a chart](http://insecure.example/a.png)",
        '<img src="http://insecure.example/a.png" alt="a chart">',
    ),
    "image without alt": (
        "![](https://example.org/a.png)",
        "<img src='https://example.org/a.png'>",
    ),
    "relative link": ("[x](other-page)", "<p>See <a href=other-page>x</a></p>"),
    "missing archive page": (
        f"[x]({BASE}en/no-such-page/)",
        f'Text <a title="t" href="{BASE}en/no-such-page/">x</a>',
    ),
}


@pytest.mark.parametrize("case", list(SAME_AS_MARKDOWN))
def test_raw_html_links_and_images_are_checked_like_markdown(sample: Path, case: str) -> None:
    markdown, raw = SAME_AS_MARKDOWN[case]
    with_body(sample, TEASER, f"First paragraph.\n\n{markdown}\n")
    expected = messages_at(sample, TEASER)
    assert expected, "the Markdown form draws a message"
    with_body(sample, TEASER, f"First paragraph.\n\n{raw}\n")
    found = [m for m in messages_at(sample, TEASER) if "removed from the email" not in m[1]]
    assert found == expected


DROPPED = {
    "iframe": ("<iframe src='https://evil.example/'></iframe>", "<iframe>"),
    "table": ("<table><tr><td>1</td></tr></table>", "<table>"),
    "script": ("<script>alert(1)</script>", "<script> and its text"),
    "style": ("<style>p { color: red }</style>", "<style> and its text"),
    "onclick": ('A <a href="https://example.org/" onclick="steal()">link</a>.', "onclick"),
    "javascript": ("A <a href='javascript:alert(1)'>link</a>.", "javascript: address of <a>"),
    "inline style": ('A <span style="color:red">red</span> word.', "style attribute of <span>"),
}


@pytest.mark.parametrize("case", list(DROPPED))
def test_what_the_sanitiser_drops_is_a_warning_at_its_line(sample: Path, case: str) -> None:
    raw, named = DROPPED[case]
    first = with_body(sample, TEASER, f"First paragraph.\n\nSecond.\n\n{raw}\n")
    dropped = [m for m in messages_at(sample, TEASER) if "removed from the email" in m[1]]
    assert [line for line, _ in dropped] == [first + 4]
    assert named in dropped[0][1]


def test_allowed_raw_html_draws_no_warning(sample: Path) -> None:
    raw = 'A <strong>bold</strong> <a href="https://example.org/" title="t">link</a>.'
    with_body(sample, TEASER, f"First paragraph.\n\n{raw}\n")
    assert [m for m in messages_at(sample, TEASER) if "removed from the email" in m[1]] == []


HIDDEN = {
    "inline script": "Before <script>alert('LEAK')</script> after.",
    "block script": "<script>\nalert('LEAK')\n</script>",
    "inline style": "Before <style>.LEAK { color: red }</style> after.",
    "block style": "<style>\n.LEAK { color: red }\n</style>",
    "script with markdown": "Before <script>*LEAK* [x](https://e.example/)</script> after.",
}


def text_part(root: Path) -> str:
    folder = build(root, "2025-11").folder / "en"
    message = email.message_from_bytes(
        (folder / "message.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize("case", list(HIDDEN))
def test_script_and_style_text_never_reach_the_text_part(sample: Path, case: str) -> None:
    with_body(sample, LEAD, f"First paragraph.\n\n{HIDDEN[case]}\n\nLast paragraph.\n")
    text = text_part(sample)
    assert "LEAK" not in text
    assert "First paragraph." in text and "Last paragraph." in text


class Labels(HTMLParser):
    """The aria-label and alt values of a page, as a browser reads them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.labels += [value or "" for name, value in attrs if name in ("aria-label", "alt")]


INVISIBLE = {
    "zero-width joiner": "Scientist \U0001f469\u200d\U0001f52c of the year",
    "bidi override": "Name \u202eevil\u202c here",
    "bidi isolate": "Name \u2067عربي\u2069 here",
    "backslash": "Paths C:\\data and a\\b",
    "typed escape": "Literal \\u{200d} stays",
    "zero-width space": "Long\u200bword",
}


@pytest.mark.parametrize("case", list(INVISIBLE))
def test_aria_labels_carry_the_title_as_written(sample: Path, case: str) -> None:
    title = INVISIBLE[case]
    path = sample / TEASER
    text = path.read_text(encoding="utf-8")
    old = 'title: "Limitless Potential: Winner of the Flemingsberg Science Award 2025"'
    new = f"title: {json.dumps(title, ensure_ascii=False)}"
    path.write_text(text.replace(old, new), "utf-8")
    lead = sample / LEAD
    alt = 'alt: "Placeholder: stands in for a photo from the Collaboration in Science conference"'
    new_alt = f"alt: {json.dumps('Alt ' + title, ensure_ascii=False)}"
    lead.write_text(lead.read_text(encoding="utf-8").replace(alt, new_alt), "utf-8")
    folder = build(sample, "2025-11").folder / "en"
    labels = Labels((folder / "email.html").read_text(encoding="utf-8")).labels
    assert any(label.endswith(title) for label in labels), labels  # "Read more about …"
    assert f"Alt {title}" in labels, labels  # the lead's image


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_attribute_text_survives_mjml_python(label: str) -> None:
    source = (
        "<mjml><mj-body><mj-section><mj-column><mj-text>"
        f'<a href="https://example.org/" aria-label="{escape(label)}">x</a>'
        "</mj-text></mj-column></mj-section></mj-body></mjml>"
    )
    assert Labels(compile_mjml(source)).labels == [label]
