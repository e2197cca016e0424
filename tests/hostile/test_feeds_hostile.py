"""Class 8 of issue 11: feeds never carry markup they shouldn't.

Hostile text goes through every field a communicator writes (title, teaser, section, tags,
image alt and credit, author, the body with raw HTML, the publication's description), then
each feed (Atom, RSS, JSON Feed) is read twice: by feedparser, as a reader would, and raw,
as HTML, as a careless reader would. Text must come back literally; no field may carry an
active element or attribute.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from flemletter.build import build
from tests.conftest import copy_sample

SLUG = "collaboration-in-science"
ACTIVE_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form"}
HOSTILE = {
    "script": "<script>alert(1)</script> tag",
    "escaped script": "&lt;script&gt;alert(1)&lt;/script&gt; text",
    "javascript link": "<a href='javascript:alert(1)'>click</a> me",
    "img onerror": '<img src=x onerror="alert(1)"> pic',
    "cdata end": "]]><script>alert(1)</script><![CDATA[ x",
    "quotes": "\"double\" & 'single' <b>bold</b> &amp; ok",
}


class Elements(HTMLParser):
    """Every element and attribute in an HTML fragment, and its text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def active(fragment: str) -> list[str]:
    """What in an HTML fragment could run or lead somewhere unsafe."""
    found = []
    for tag, attrs in Elements(fragment).tags:
        if tag in ACTIVE_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{tag} {name}")
            if name in ("href", "src") and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                found.append(f"{tag} {name}={value}")
    return found


def as_text(detail: Any) -> str:
    """What a reader shows for a feedparser text construct."""
    if "html" in detail.type:
        parsed = Elements(detail.value)
        assert parsed.tags == [], f"markup in a text field: {detail.value!r}"
        return "".join(parsed.text)
    return str(detail.value)


def article(hostile: str) -> str:
    front = {
        "title": f"Title {hostile}",
        "teaser": f"Teaser {hostile}",
        "date": "2025-11-18",
        "section": f"Section {hostile}",
        "author": f"Author {hostile}",
        "tags": [f"tag {hostile}", "plain"],
        "image": {
            "file": "placeholder-collaboration-in-science.jpg",
            "alt": f"Alt {hostile}",
            "credit": f"Credit {hostile}",
        },
    }
    lines = [f"{name}: {json.dumps(value)}" for name, value in front.items()]
    body = (
        f"Body text {html.escape(hostile)}.\n\n"
        "<script>alert('body')</script>\n\n"
        "A <a href=\"javascript:alert('x')\" onclick=\"alert('y')\">raw link</a> and"
        ' <img src="https://example.org/x.png" onerror="alert(2)" alt="raw"> here.\n\n'
        "<iframe src='https://evil.example/'></iframe>\n"
    )
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


@pytest.fixture(scope="module", params=list(HOSTILE), ids=list(HOSTILE))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    hostile = HOSTILE[request.param]
    root = copy_sample(tmp_path_factory.mktemp("hostile-feeds") / "newsletter")
    (root / "articles" / SLUG / "en.md").write_text(article(hostile), encoding="utf-8")
    config = root / "flemletter.toml"
    described = f"description = {json.dumps('Described ' + hostile)}"
    original = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^description = .*$", described, original, count=1)
    config.write_text(text, encoding="utf-8")
    folder = build(root, "2025-11").folder.parent / "site" / "en"
    return hostile, folder


def entry_of(parsed: Any) -> Any:
    return next(e for e in parsed.entries if SLUG in e.link)


@pytest.mark.parametrize("name", ["feed.atom.xml", "feed.rss.xml"])
def test_feedparser_shows_every_text_field_literally(site: Any, name: str) -> None:
    hostile, folder = site
    parsed = feedparser.parse((folder / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = entry_of(parsed)
    assert as_text(entry.title_detail) == f"Title {hostile}"
    assert as_text(entry.summary_detail) == f"Teaser {hostile}"
    assert as_text(parsed.feed.subtitle_detail) == f"Described {hostile}"
    assert entry.author == f"Author {hostile}"
    assert [tag.term for tag in entry.tags] == [f"tag {hostile}", "plain"]


def raw_fields(folder: Path, name: str) -> tuple[dict[str, str], str]:
    """(text fields, the entry's full content) of the hostile entry, as written."""
    if name.endswith(".json"):
        document = json.loads((folder / name).read_bytes())
        item = next(i for i in document["items"] if SLUG in i["url"])
        texts = {"title": item["title"], "summary": item["summary"]}
        texts["description"] = document["description"]
        return texts, item["content_html"]
    root = etree.fromstring((folder / name).read_bytes())
    if root.tag == "rss":
        item = next(i for i in root.iter("item") if SLUG in (i.findtext("link") or ""))
        texts = {f: item.findtext(f) or "" for f in ("title", "description")}
        texts["channel description"] = root.findtext("channel/description") or ""
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        return texts, content
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(e for e in root.iter(f"{atom}entry") if SLUG in (e.findtext(f"{atom}id") or ""))
    assert entry.find(f"{atom}summary").get("type", "text") == "text"
    assert entry.find(f"{atom}title").get("type", "text") == "text"
    assert entry.find(f"{atom}content").get("type") == "html"
    return {}, entry.findtext(f"{atom}content") or ""


@pytest.mark.parametrize("name", ["feed.atom.xml", "feed.rss.xml", "feed.json"])
def test_no_field_carries_active_markup(site: Any, name: str) -> None:
    hostile, folder = site
    texts, content = raw_fields(folder, name)
    for field, value in texts.items():
        if name == "feed.rss.xml":  # read as HTML by readers: pure text once parsed
            parsed = Elements(value)
            assert parsed.tags == [], (field, value)
            assert "".join(parsed.text).endswith(hostile), (field, value)
        else:  # plain text by the format
            assert value.endswith(hostile), (field, value)
    assert active(content) == [], content
    parsed = Elements(content)
    alts = [dict(attrs).get("alt") for tag, attrs in parsed.tags if tag == "img"]
    assert f"Alt {hostile}" in alts
    words = "".join(parsed.text)
    assert f"Credit {hostile}" in words
    assert f"Body text {hostile}." in words
    assert "alert('body')" not in words


def test_json_feed_keeps_html_out_of_its_text_fields(site: Any) -> None:
    hostile, folder = site
    document = json.loads((folder / "feed.json").read_bytes())
    item = next(i for i in document["items"] if SLUG in i["url"])
    assert "content_text" not in item
    assert item["tags"] == [f"tag {hostile}", "plain"]
    assert item["authors"] == [{"name": f"Author {hostile}"}]
