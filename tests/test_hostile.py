"""Hostile content stays harmless in every output: the email (HTML, text, .eml), the web
archive and the three feeds. Markdown is sanitised once, when it is read (markup.py)."""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from flemletter.build import build
from tests.feedcheck import atom_problems, html_problems, json_feed_problems, rss_problems

Edit = Callable[[str, str, str], None]
SLUG = "hostile-guest-post"
BASE = "https://www.flemingsbergscience.se/newsletter/"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
HOSTILE = """---
title: "<script>alert('title')</script> Guest post & “quotes”"
date: 2025-11-19
image:
  file: photo.jpg
  alt: '"><script>alert(3)</script><img src=x onerror=alert(4)>'
  credit: "<b onmouseover=alert(5)>Mallory</b>"
tags: ["<script>alert(6)</script>", research]
---

Hello <script>alert(1)</script> reader, <a href="javascript:alert(2)" onclick="steal()">click</a>.

<img src="data:image/png;base64,AAAA" onerror="steal()">

<iframe src="https://evil.example/frame"></iframe>

<style>body { display: none }</style>

<p style="position:fixed" onmouseover="steal()">Hover me</p>

<svg onload="steal()"><circle r="5"/></svg>

<object data="https://evil.example/flash.swf"></object>

[a markdown link](javascript:alert(7)) and [a data link](data:text/html;base64,PHNjcmlwdD4=)
and [a relative link](../limitless-potential/).
"""
# Markup in the body that must vanish whole, not even left as text. Markup in the front
# matter (title, alt, credit, tags) is plain text by definition and must come out as text;
# markdown-it leaves a Markdown link to a javascript: or data: URL as text too. Those are
# checked by parsing each output (unsafe_html): no element or attribute may run.
FORBIDDEN = ("steal()", "evil.example", "display: none", "position:fixed")


@pytest.fixture
def built(sample: Path, edit: Edit) -> Path:
    folder = sample / "articles" / SLUG
    folder.mkdir()
    (folder / "en.md").write_text(HOSTILE, encoding="utf-8")
    lead = sample / "articles" / "collaboration-in-science"
    photo = lead / "placeholder-collaboration-in-science.jpg"
    (folder / "photo.jpg").write_bytes(photo.read_bytes())
    teaser = "      - limitless-potential"
    edit("issues/2025-11.yaml", teaser, f"      - {SLUG}\n{teaser}")
    return build(sample, "2025-11").folder.parent


def unsafe_html(html: str) -> list[str]:
    """Elements and attributes that run code or pull in other documents."""
    document = lxml.html.document_fromstring(html)
    found = [
        f"<{e.tag}>"
        for e in document.xpath("//script|//iframe|//object|//embed|//svg|//body//style")
    ]
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{name}= on <{element.tag}>")
            scheme = value.strip().lower()
            if name in ("href", "src") and scheme.startswith(("javascript:", "data:")):
                found.append(f"{name}={value}")
    return found


def email_parts(folder: Path) -> dict[str, str]:
    message = email.message_from_bytes((folder / "message.eml").read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    text, html = (part.get_content() for part in message.iter_parts())
    return {"message.eml text": text, "message.eml html": html}


def test_email_outputs_are_harmless(built: Path) -> None:
    folder = built / "2025-11" / "en"
    names = ("email.html", "email.txt", "index.html")
    outputs = {name: (folder / name).read_text(encoding="utf-8") for name in names}
    outputs |= email_parts(folder)
    for name, content in outputs.items():
        for bad in FORBIDDEN:
            assert bad not in content, f"{name} contains {bad}"
        if "html" in name:
            assert unsafe_html(content) == [], name
    # the hostile title is shown as text, not run
    shown = lxml.html.document_fromstring(outputs["email.html"]).text_content()
    assert "<script>alert('title')</script> Guest post & “quotes”" in shown
    assert "<script>alert('title')</script> Guest post" in outputs["email.txt"]


def test_web_pages_are_harmless(built: Path) -> None:
    site = built / "site"
    pages = [
        site / "en" / "index.html",
        site / "en" / "2025-11" / "index.html",
        site / "en" / "articles" / SLUG / "index.html",
    ]
    for path in pages:
        html = path.read_text(encoding="utf-8")
        for bad in FORBIDDEN:
            assert bad not in html, f"{path.relative_to(site)} contains {bad}"
        assert unsafe_html(html) == [], path
    article = lxml.html.fromstring((site / "en" / "articles" / SLUG / "index.html").read_bytes())
    assert article.xpath("//h1")[0].text_content().startswith("<script>alert('title')</script>")
    # relative links in the body were made absolute once, when the article was read
    assert BASE + "en/articles/limitless-potential/" in article.xpath("//a/@href")


def test_feeds_are_harmless_and_still_valid(built: Path) -> None:
    folder = built / "site" / "en"
    atom = (folder / "feed.atom.xml").read_bytes()
    rss = (folder / "feed.rss.xml").read_bytes()
    feed_json = (folder / "feed.json").read_bytes()
    assert atom_problems(atom) == []
    assert rss_problems(rss) == []
    assert json_feed_problems(feed_json) == []
    entries = etree.fromstring(atom).iter(f"{ATOM}entry")
    entry = next(e for e in entries if SLUG in (e.findtext(f"{ATOM}id") or ""))
    item = next(i for i in etree.fromstring(rss).iter("item") if SLUG in (i.findtext("guid") or ""))
    document = json.loads(feed_json)
    json_item = next(i for i in document["items"] if SLUG in i["id"])
    contents = {
        "atom content": entry.findtext(f"{ATOM}content") or "",
        "rss content:encoded": item.findtext(f"{CONTENT}encoded") or "",
        "json content_html": json_item["content_html"],
    }
    for name, html in contents.items():
        assert "Hello" in html and "Hover me" in html, name
        for bad in FORBIDDEN:
            assert bad not in html, f"{name} contains {bad}"
        assert html_problems(html, name) == []
        assert unsafe_html(html) == [], name
    # titles are text: the XML parser gives back exactly what was written, nothing is run
    assert entry.findtext(f"{ATOM}title") == "<script>alert('title')</script> Guest post & “quotes”"
    assert json_item["title"] == "<script>alert('title')</script> Guest post & “quotes”"
