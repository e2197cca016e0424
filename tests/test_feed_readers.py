"""Three feed readers' parsers read every feed: feedparser (what most Python readers use),
atoma (strict: it refuses what breaks the specifications) and fastfeedparser. Each must see
the items newest first, the lead's image, and links that lead to files the site has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import atoma
import fastfeedparser
import feedparser
import pytest

from flemletter.build import build
from tests.conftest import copy_sample

BASE = "https://www.flemingsbergscience.se/newsletter/"
NAMES = ("feed.atom.xml", "feed.rss.xml", "feed.json")
LEADS = {
    "en": "collaboration-in-science/placeholder-collaboration-in-science.jpg",
    "sv": "karolinska-atmp-centrum/platshallare-karolinska-atmp-centrum.jpg",
}

Item = tuple[str, str, str | None]
"""What a reader shows for an item: its id, its link, the image it offers (if any)."""


def with_feedparser(raw: bytes, name: str) -> list[Item]:
    parsed = feedparser.parse(raw)
    assert not parsed.bozo
    return [(e.id, e.link, e.enclosures[0].href if e.enclosures else None) for e in parsed.entries]


def with_atoma(raw: bytes, name: str) -> list[Item]:
    if name.endswith(".atom.xml"):
        atom = atoma.parse_atom_bytes(raw)
        return [
            (
                e.id_,
                next(x.href for x in e.links if x.rel == "alternate"),
                next((x.href for x in e.links if x.rel == "enclosure"), None),
            )
            for e in atom.entries
        ]
    if name.endswith(".rss.xml"):
        rss = atoma.parse_rss_bytes(raw)
        return [(i.guid, i.link, i.enclosures[0].url if i.enclosures else None) for i in rss.items]
    feed = atoma.parse_json_feed_bytes(raw)
    return [(i.id_, i.url, i.image) for i in feed.items]


def with_fastfeedparser(raw: bytes, name: str) -> list[Item]:
    parsed: Any = fastfeedparser.parse(raw)

    def image(entry: Any) -> str | None:
        enclosures = entry.get("enclosures") or [
            {"url": x["href"]} for x in entry.get("links", []) if x.get("rel") == "enclosure"
        ]
        return enclosures[0]["url"] if enclosures else None

    return [(e["id"], e["link"], image(e)) for e in parsed["entries"]]


READERS: dict[str, Callable[[bytes, str], list[Item]]] = {
    "feedparser": with_feedparser,
    "atoma": with_atoma,
    "fastfeedparser": with_fastfeedparser,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("readers") / "newsletter")
    return build(root, "2025-11").folder.parent / "site"


def served(site: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    path = site / url[len(BASE) :]
    return path / "index.html" if url.endswith("/") else path


# feedparser 6 reads no JSON Feed; the other two read all three formats.
CASES = [(r, n) for r in READERS for n in NAMES if (r, n) != ("feedparser", "feed.json")]


@pytest.mark.parametrize(("reader", "name"), CASES)
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_reader_sees_items_in_order_with_images_and_working_links(
    site: Path, reader: str, name: str, lang: str
) -> None:
    items = READERS[reader]((site / lang / name).read_bytes(), name)
    expected = [
        (e.id, e.link)
        for e in feedparser.parse((site / lang / "feed.atom.xml").read_bytes()).entries
    ]
    assert [(item_id, link) for item_id, link, _ in items] == expected
    assert len(items) == 4
    assert items[0][2] == f"{BASE}{lang}/articles/{LEADS[lang]}"
    for _, link, image in items:
        assert served(site, link).is_file()
        if image is not None:
            assert served(site, image).is_file()
