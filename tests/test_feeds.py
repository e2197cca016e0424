"""The feeds as feed readers see them: feedparser as the client, an independent validity check.

What readers' users complain about most is guarded here: items unread again after a rebuild
(ids or dates changed), every item looking new (dates from the clock), broken links and images.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from flemletter.build import build
from tests.conftest import beyond_sample
from tests.feedcheck import atom_problems, json_feed_problems, rss_problems

Edit = Callable[[str, str, str], None]
BASE = "https://www.flemingsbergscience.se/newsletter/"
ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ("feed.atom.xml", "feed.rss.xml")
EN_ORDER = [  # the English articles by their dates, newest first
    "collaboration-in-science",
    "limitless-potential",
    "50-years-of-life-changing-therapies",
    "royal-opera-and-idun-loven-art-school",
]


def build_site(root: Path) -> Path:
    return build(root, "2025-11").folder.parent / "site"


def read(site: Path, lang: str, name: str) -> Any:
    parsed = feedparser.parse((site / lang / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_id(lang: str, slug: str, issue: str = "2025-11") -> str:
    return f"tag:flemingsbergscience.se,{issue}:{lang}/{slug}"


def utc(parsed: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)


def add_swedish_translation(sample: Path, edit: Edit) -> None:
    """``collaboration-in-science`` in Swedish too, as a teaser of the Swedish edition."""
    folder = sample / "articles" / "collaboration-in-science"
    (folder / "sv.md").write_text(
        "---\ntitle: Collaboration in Science främjar forskningssamarbeten\n"
        "date: 2025-11-18\ntags: [forskning]\n---\n\nVartannat år arrangerar KI konferensen.\n",
        encoding="utf-8",
    )
    teaser = "      - agnes-torok-scenpoesi"
    edit("issues/2025-11.yaml", teaser, f"{teaser}\n      - collaboration-in-science")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import copy_sample

    return build_site(copy_sample(tmp_path_factory.mktemp("feeds") / "newsletter"))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_feed_passes_the_independent_check(site: Path, lang: str) -> None:
    assert atom_problems((site / lang / "feed.atom.xml").read_bytes()) == []
    assert rss_problems((site / lang / "feed.rss.xml").read_bytes()) == []
    assert json_feed_problems((site / lang / "feed.json").read_bytes()) == []


@pytest.mark.parametrize("name", FEEDS)
def test_feedparser_reads_back_what_was_written(site: Path, name: str) -> None:
    feed = read(site, "en", name)
    assert feed.feed.language == "en"
    assert feed.feed.title == "Flemingsberg Science"
    assert feed.feed.link == BASE + "en/"
    assert [e.id for e in feed.entries] == [entry_id("en", slug) for slug in EN_ORDER]
    lead = feed.entries[0]
    assert lead.title.startswith("Collaboration in Science promotes research collaborations")
    assert lead.link == BASE + "en/articles/collaboration-in-science/"
    # 08:00 in Stockholm on the article's date, read back as the same instant
    assert utc(lead.published_parsed) == dt.datetime(2025, 11, 18, 7, 0, tzinfo=dt.UTC)
    tags = ["Collaboration in Science", "research", "Campus Flemingsberg"]
    assert [t.term for t in lead.tags] == tags
    assert lead.author == "Flemingsberg Science"
    image = BASE + "en/articles/collaboration-in-science/placeholder-collaboration-in-science.jpg"
    assert lead.enclosures == [{"href": image, "type": "image/jpeg", "length": "36732"}]
    assert lead.media_content[0]["url"] == image
    assert f'src="{image}"' in lead.content[0].value
    assert lead.summary.startswith("Every two years, Karolinska Institutet")


def test_swedish_feeds_speak_swedish(site: Path) -> None:
    for name in FEEDS:
        feed = read(site, "sv", name)
        assert feed.feed.language == "sv"
        assert feed.feed.subtitle.startswith("Nyheter från Stiftelsen Flemingsberg Science")
        assert feed.entries[0].id == entry_id("sv", "karolinska-atmp-centrum")
        assert "Foto: Fahimeh Hekmatandish" in feed.entries[0].content[0].value
    document = json.loads((site / "sv" / "feed.json").read_bytes())
    assert document["language"] == "sv"
    assert document["items"][0]["title"].startswith("En nationell resurs för morgondagens")


def test_feed_updated_is_the_newest_entry_not_the_clock(site: Path) -> None:
    atom = read(site, "en", "feed.atom.xml")
    newest = max(utc(e.updated_parsed) for e in atom.entries)
    assert utc(atom.feed.updated_parsed) == newest
    rss = etree.fromstring((site / "en" / "feed.rss.xml").read_bytes())
    assert rss.findtext("channel/lastBuildDate") == "Tue, 18 Nov 2025 08:00:00 +0100"


def test_atom_links_in_the_order_readers_rely_on(site: Path) -> None:
    root = etree.fromstring((site / "sv" / "feed.atom.xml").read_bytes())
    links = [(x.get("rel"), x.get("hreflang"), x.get("href")) for x in root.findall(f"{ATOM}link")]
    assert links == [
        ("alternate", "sv", BASE + "sv/"),
        ("self", None, BASE + "sv/feed.atom.xml"),
        ("alternate", "en", BASE + "en/feed.atom.xml"),
    ]


def test_feedgen_still_has_bug_135_which_we_work_around() -> None:
    """feedgen 1.0.0 drops every attribute of an Atom entry link but href. If this test
    fails, feedgen is fixed and ``feeds._restore_entry_links`` may go."""
    feed = FeedGenerator()
    feed.id("tag:example.org,2025:x")
    feed.title("x")
    feed.updated(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    entry = feed.add_entry()
    entry.id("tag:example.org,2025:x/1")
    entry.title("x")
    entry.updated(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    entry.link(href="https://example.org/page", rel="alternate", type="text/html")
    entry.enclosure("https://example.org/photo.jpg", "10", "image/jpeg")
    raw = feed.atom_str()
    assert any("DuplicateAtomLink" in problem for problem in atom_problems(raw))
    parsed = feedparser.parse(raw)
    assert parsed.entries[0].enclosures == []  # the photo is lost to readers


def test_atom_keeps_the_enclosure_and_the_alternate_link(site: Path) -> None:
    """The workaround of feedgen#135, seen by a reader: the entry's link is the article, the
    photo is an enclosure with its real length and type."""
    lead = read(site, "sv", "feed.atom.xml").entries[0]
    page = BASE + "sv/articles/karolinska-atmp-centrum/"
    image = page + "platshallare-karolinska-atmp-centrum.jpg"
    assert lead.link == page
    assert [(x["rel"], x["href"], x.get("type")) for x in lead.links] == [
        ("alternate", page, "text/html"),
        ("enclosure", image, "image/jpeg"),
    ]
    size = (site / image[len(BASE) :]).stat().st_size
    assert lead.enclosures == [{"href": image, "type": "image/jpeg", "length": str(size)}]


def test_a_translation_is_a_second_alternate_link(sample: Path, edit: Edit) -> None:
    add_swedish_translation(sample, edit)
    site = build_site(sample)
    lead = read(site, "en", "feed.atom.xml").entries[0]
    alternates = [(x["hreflang"], x["href"]) for x in lead.links if x["rel"] == "alternate"]
    assert alternates == [
        ("en", BASE + "en/articles/collaboration-in-science/"),
        ("sv", BASE + "sv/articles/collaboration-in-science/"),
    ]
    assert atom_problems((site / "en" / "feed.atom.xml").read_bytes()) == []
    swedish = {e.id for e in read(site, "sv", "feed.atom.xml").entries}
    assert entry_id("sv", "collaboration-in-science") in swedish  # its own id per language


def test_ids_and_dates_survive_a_move_and_an_edit(sample: Path, edit: Edit) -> None:
    def snapshot(site: Path) -> list[tuple[str, str, str]]:
        return [
            (e.id, e.published, e.updated if name.endswith(".atom.xml") else "")
            for lang in ("en", "sv")
            for name in FEEDS
            for e in read(site, lang, name).entries
        ]

    before = snapshot(build_site(sample))
    edit("flemletter.toml", f'base_url = "{BASE}"', 'base_url = "https://news.example.org/"')
    edit(
        "articles/limitless-potential/en.md",
        'title: "Limitless Potential: Winner',
        'title: "Limitless Potential, the winner',
    )
    edit("articles/limitless-potential/en.md", "Young people", "Many young people")
    site = build_site(sample)
    assert snapshot(site) == before
    moved = read(site, "en", "feed.atom.xml")
    assert moved.entries[0].link == "https://news.example.org/en/articles/collaboration-in-science/"


def test_a_real_edit_moves_updated_but_not_published(sample: Path, edit: Edit) -> None:
    path = "articles/limitless-potential/en.md"
    edit(path, "date: 2025-11-14\n", "date: 2025-11-14\nupdated: 2025-11-21\n")
    feed = read(build_site(sample), "en", "feed.atom.xml")
    entry = next(e for e in feed.entries if e.id == entry_id("en", "limitless-potential"))
    assert entry.published.startswith("2025-11-14T08:00:00")
    assert entry.updated.startswith("2025-11-21T08:00:00")
    assert feed.feed.updated.startswith("2025-11-21T08:00:00")


def test_feeds_are_capped_at_max_items_newest_first(sample: Path) -> None:
    text = (sample / "flemletter.toml").read_text(encoding="utf-8")
    (sample / "flemletter.toml").write_text(text.replace("max_items = 30", "max_items = 2"))
    site = build_site(sample)
    for name in FEEDS:
        ids = [e.id for e in read(site, "en", name).entries]
        assert ids == [entry_id("en", slug) for slug in EN_ORDER[:2]]
    document = json.loads((site / "en" / "feed.json").read_bytes())
    assert [item["id"] for item in document["items"]] == [entry_id("en", s) for s in EN_ORDER[:2]]
    assert (site / "en" / "articles" / EN_ORDER[3] / "index.html").is_file()  # archive keeps all


def test_json_feed_carries_the_same_items_as_atom(site: Path) -> None:
    document = json.loads((site / "en" / "feed.json").read_bytes())
    atom = read(site, "en", "feed.atom.xml")
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == BASE + "en/feed.json"
    assert [item["id"] for item in document["items"]] == [e.id for e in atom.entries]
    lead = document["items"][0]
    assert lead["date_published"] == "2025-11-18T08:00:00+01:00"
    assert lead["url"] == atom.entries[0].link
    assert lead["attachments"] == [
        {"url": lead["image"], "mime_type": "image/jpeg", "size_in_bytes": 36732}
    ]
    assert lead["tags"] == ["Collaboration in Science", "research", "Campus Flemingsberg"]


def test_feeds_point_at_files_the_site_has(site: Path) -> None:
    for lang in ("en", "sv"):
        for entry in read(site, lang, "feed.atom.xml").entries:
            for link in entry.links:
                if link["href"].startswith(BASE):
                    path = site / link["href"][len(BASE) :]
                    assert (path / "index.html" if link["href"].endswith("/") else path).is_file()


def test_the_issue_id_first_carrying_an_article_stays_its_id(sample: Path) -> None:
    october = (sample / "issues" / "2025-11.yaml").read_text(encoding="utf-8")
    october = october.replace("date: 2025-11-20", "date: 2025-10-16")
    (sample / "issues" / "2025-10.yaml").write_text(october, encoding="utf-8")
    ids = {e.id for e in read(build_site(sample), "en", "feed.atom.xml").entries}
    assert ids == {entry_id("en", slug, "2025-10") for slug in EN_ORDER}


def test_icon_and_logo_reach_every_feed_and_page(sample: Path, edit: Edit) -> None:
    from PIL import Image

    Image.new("RGB", (64, 64), "#0b3b5c").save(sample / "icon.png")
    Image.new("RGB", (400, 200), "#0b3b5c").save(sample / "logo.png")
    edit("flemletter.toml", "[feeds]\n", '[feeds]\nicon = "icon.png"\nlogo = "logo.png"\n')
    site = build_site(sample)
    assert (site / "icon.png").is_file() and (site / "logo.png").is_file()
    atom = read(site, "sv", "feed.atom.xml")
    assert (atom.feed.icon, atom.feed.logo) == (BASE + "icon.png", BASE + "logo.png")
    rss = read(site, "sv", "feed.rss.xml")
    assert rss.feed.image.href == BASE + "icon.png"
    assert rss.feed.image.width == 64
    document = json.loads((site / "sv" / "feed.json").read_bytes())
    assert document["icon"] == document["favicon"] == BASE + "icon.png"
    assert atom_problems((site / "sv" / "feed.atom.xml").read_bytes()) == []
    assert rss_problems((site / "sv" / "feed.rss.xml").read_bytes()) == []
    assert json_feed_problems((site / "sv" / "feed.json").read_bytes()) == []
    page = (site / "sv" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="icon" href="{BASE}icon.png">' in page


def test_a_missing_icon_is_a_warning_not_a_failure(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", "[feeds]\n", '[feeds]\nicon = "logo/icon.png"\n')
    result = build(sample, "2025-11")
    assert beyond_sample(result.warnings) == [
        "flemletter.toml: warning: feeds.icon: 'logo/icon.png' not found — give the path of an"
        " image file, relative to flemletter.toml"
    ]
    assert "<icon>" not in (sample / "build" / "site" / "en" / "feed.atom.xml").read_text("utf-8")


def test_without_tag_authority_ids_follow_the_host_and_a_warning_says_so(
    sample: Path, edit: Edit
) -> None:
    edit("flemletter.toml", 'tag_authority = "flemingsbergscience.se"\n', "")
    result = build(sample, "2025-11")
    assert beyond_sample(result.warnings) == [
        "flemletter.toml: warning: publication.tag_authority is not set: feed ids follow the"
        " base URL's host, so moving the site would show every feed item as new again"
        ' — add tag_authority = "www.flemingsbergscience.se" under [publication]'
    ]
    feed = read(result.folder.parent / "site", "en", "feed.atom.xml")
    assert (
        feed.entries[0].id == "tag:www.flemingsbergscience.se,2025-11:en/collaboration-in-science"
    )
