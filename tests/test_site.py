"""The web archive: every page the email and the feeds link to exists, each page says where it
lives, in which languages, and where its feeds are; other issues' problems do not stop a build."""

from __future__ import annotations

import email
import subprocess
import sys
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
from PIL import Image as PILImage

from flemletter.build import build

Edit = Callable[[str, str, str], None]
BASE = "https://www.flemingsbergscience.se/newsletter/"


def build_site(root: Path) -> Path:
    return build(root, "2025-11").folder.parent / "site"


def page(site: Path, relative: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / relative).read_bytes())


def file_for(site: Path, url: str) -> Path:
    """The file in the built site that a URL under the base URL is served from."""
    assert url.startswith(BASE), url
    path = site / url[len(BASE) :].split("#")[0]
    return path / "index.html" if url.split("#")[0].endswith("/") else path


def head_links(document: lxml.html.HtmlElement, rel: str) -> list[dict[str, str]]:
    return [dict(link.attrib) for link in document.xpath(f"//head/link[@rel='{rel}']")]


def meta(document: lxml.html.HtmlElement, prop: str) -> str | None:
    found = document.xpath(f"//head/meta[@property='{prop}' or @name='{prop}']/@content")
    return str(found[0]) if found else None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import copy_sample

    return build_site(copy_sample(tmp_path_factory.mktemp("site") / "newsletter"))


def test_the_site_has_every_page(site: Path) -> None:
    expected = {
        "index.html",
        "en/index.html",
        "en/2025-11/index.html",
        "en/feed.atom.xml",
        "en/feed.rss.xml",
        "en/feed.json",
        "en/articles/collaboration-in-science/index.html",
        "en/articles/collaboration-in-science/placeholder-collaboration-in-science.jpg",
        "en/articles/royal-opera-and-idun-loven-art-school/index.html",
        "sv/index.html",
        "sv/2025-11/index.html",
        "sv/articles/karolinska-atmp-centrum/platshallare-karolinska-atmp-centrum.jpg",
        "sv/articles/agnes-torok-scenpoesi/index.html",
        "en/unsubscribe/index.html",
        "sv/unsubscribe/index.html",
    }
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert expected <= built
    assert len([p for p in built if p.endswith("/index.html") and "/articles/" in p]) == 8


def test_the_email_links_lead_to_pages_of_the_site(site: Path) -> None:
    for lang in ("en", "sv"):
        raw = (site.parent / "2025-11" / lang / "message.eml").read_bytes()
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        html = message.get_body(("html",))
        assert html is not None
        document = lxml.html.fromstring(html.get_content())
        links = {str(h) for h in document.xpath("//a/@href | //img/@src") if h.startswith(BASE)}
        assert BASE + f"{lang}/2025-11/" in links  # "View in browser"
        assert len(links) >= 5
        for url in links:
            assert file_for(site, url).is_file(), url


def test_the_site_issue_page_is_the_build_web_version(site: Path) -> None:
    """One renderer: the pages differ only in where the images are looked up."""
    for lang in ("en", "sv"):
        built = (site.parent / "2025-11" / lang / "index.html").read_text(encoding="utf-8")
        published = (site / lang / "2025-11" / "index.html").read_text(encoding="utf-8")
        assert published.replace('src="../articles/', 'src="images/') == built


def test_pages_carry_canonical_hreflang_feeds_and_open_graph(site: Path) -> None:
    issue = page(site, "sv/2025-11/index.html")
    assert head_links(issue, "canonical") == [{"rel": "canonical", "href": BASE + "sv/2025-11/"}]
    alternates = head_links(issue, "alternate")
    languages = {(x.get("hreflang"), x["href"]) for x in alternates if "type" not in x}
    assert languages == {("sv", BASE + "sv/2025-11/"), ("en", BASE + "en/2025-11/")}
    feeds = [(x["type"], x["hreflang"], x["href"]) for x in alternates if "type" in x]
    assert feeds[0] == ("application/atom+xml", "sv", BASE + "sv/feed.atom.xml")
    assert ("application/rss+xml", "sv", BASE + "sv/feed.rss.xml") in feeds
    assert ("application/feed+json", "sv", BASE + "sv/feed.json") in feeds
    for _, _, href in feeds:
        assert file_for(site, href).is_file()
    assert meta(issue, "og:title") == "Nu är Karolinska ATMP Centrum invigt"
    assert meta(issue, "og:url") == BASE + "sv/2025-11/"
    image = meta(issue, "og:image")
    assert image is not None and file_for(site, image).is_file()

    article = page(site, "en/articles/collaboration-in-science/index.html")
    assert article.get("lang") == "en"
    assert head_links(article, "canonical")[0]["href"] == (
        BASE + "en/articles/collaboration-in-science/"
    )
    assert meta(article, "og:type") == "article"
    assert (meta(article, "og:description") or "").startswith("Every two years, Karolinska")
    assert article.xpath("//h1/text()") == [
        "Collaboration in Science promotes research collaborations and the future of Flemingsberg"
    ]
    # no Swedish version of this article: no hreflang link pretending there is
    languages = [x for x in head_links(article, "alternate") if "type" not in x]
    assert [x["hreflang"] for x in languages] == ["en"]


def test_every_link_inside_the_site_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        here = BASE + path.relative_to(site).as_posix().removesuffix("index.html")
        document = lxml.html.fromstring(path.read_bytes())
        for link in document.xpath("//a/@href | //img/@src | //link/@href"):
            url = urljoin(here, str(link))
            if url.startswith(BASE):
                assert file_for(site, url).is_file(), f"{path.relative_to(site)}: {link}"


def test_the_archive_lists_issues_newest_first(sample: Path) -> None:
    older = (sample / "issues" / "2025-11.yaml").read_text(encoding="utf-8")
    older = older.replace("date: 2025-11-20", "date: 2025-10-16")
    older = older.replace("Collaboration in Science and the future", "October: Collaboration")
    (sample / "issues" / "2025-10.yaml").write_text(older, encoding="utf-8")
    site = build_site(sample)
    archive = page(site, "en/index.html")
    assert [h.text_content() for h in archive.xpath("//ol[@class='issues']//h3")] == [
        "Collaboration in Science and the future of Flemingsberg",
        "October: Collaboration of Flemingsberg",
    ]
    assert (site / "en" / "2025-10" / "index.html").is_file()
    assert "20 november 2025" in page(site, "sv/index.html").text_content()


def test_a_later_issue_being_written_is_not_published(sample: Path) -> None:
    draft = (sample / "issues" / "2025-11.yaml").read_text(encoding="utf-8")
    draft = draft.replace("date: 2025-11-20", "date: 2025-12-18")
    draft = draft.replace("Collaboration in Science and the future", "December draft")
    (sample / "issues" / "2025-12.yaml").write_text(draft, encoding="utf-8")
    site = build_site(sample)  # builds 2025-11
    assert not (site / "en" / "2025-12").exists()
    assert "December draft" not in (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "2025-12" not in (site / "en" / "feed.atom.xml").read_text(encoding="utf-8")
    later = build(sample, "2025-12").folder.parent / "site"
    assert (later / "en" / "2025-12" / "index.html").is_file()


def test_a_broken_other_issue_is_reported_and_left_out(sample: Path) -> None:
    (sample / "issues" / "2025-10.yaml").write_text(
        "date: 2025-10-16\neditions:\n  en:\n    subject: Old\n    articles:\n"
        "      - no-such-article\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "flemletter", "build", "2025-11"],
        cwd=sample,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "issues/2025-10.yaml:6: warning: unknown article 'no-such-article'" in run.stderr
    assert "issues/2025-10.yaml: warning: left out of the web archive and the feeds" in run.stderr
    site = sample / "build" / "site"
    assert not (site / "en" / "2025-10").exists()
    assert (site / "en" / "2025-11" / "index.html").is_file()


def test_building_twice_changes_no_byte_of_the_site(sample: Path, tmp_path: Path) -> None:
    def tree(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first = tree(build(sample, "2025-11", tmp_path / "one").folder.parent)
    second = tree(build(sample, "2025-11", tmp_path / "two").folder.parent)
    assert first == second
    assert any(name.startswith("site/") for name in first)


def test_the_front_page_leads_to_each_language(site: Path) -> None:
    front = page(site, "index.html")
    choices = [(a.get("hreflang"), a.get("href")) for a in front.xpath("//main//a")]
    assert choices == [("en", "en/"), ("sv", "sv/")]
    assert [li.get("lang") for li in front.xpath("//main//li")] == ["en", "sv"]


def test_an_article_with_its_own_address_is_canonical_there(sample: Path, edit: Edit) -> None:
    own = "https://www.flemingsbergscience.se/en/news/limitless-potential"
    date = "date: 2025-11-14\n"
    edit("articles/limitless-potential/en.md", date, f"{date}url: {own}\n")
    site = build_site(sample)
    article = page(site, "en/articles/limitless-potential/index.html")
    assert head_links(article, "canonical")[0]["href"] == own
    issue = page(site, "en/2025-11/index.html")
    assert own in issue.xpath("//a/@href")  # "Read more" goes to the article's own address


def test_files_an_article_links_to_are_published_beside_it(sample: Path) -> None:
    folder = sample / "articles" / "limitless-potential"
    PILImage.new("RGB", (40, 30), "white").save(folder / "report.pdf", "PDF")  # a real PDF
    report = (folder / "report.pdf").read_bytes()
    photo = (
        sample
        / "articles"
        / "collaboration-in-science"
        / "placeholder-collaboration-in-science.jpg"
    )
    (folder / "team.jpg").write_bytes(photo.read_bytes())
    path = folder / "en.md"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n![The team](team.jpg)\n\nRead [the report](report.pdf)"
        + " or [elsewhere](../collaboration-in-science/).\n",
        encoding="utf-8",
    )
    site = build_site(sample)
    published = site / "en" / "articles" / "limitless-potential"
    assert (published / "report.pdf").read_bytes() == report
    assert (published / "team.jpg").is_file()
    feed = (site / "en" / "feed.atom.xml").read_text(encoding="utf-8")
    assert f'src="{BASE}en/articles/limitless-potential/team.jpg"' in feed


def test_swedish_pages_speak_swedish(site: Path) -> None:
    for relative in ("sv/index.html", "sv/articles/karolinska-atmp-centrum/index.html"):
        html = (site / relative).read_text(encoding="utf-8")
        for english in ("All issues", "Follow in a feed reader", "Published in", "Photo:"):
            assert english not in html, f"{relative}: {english}"
    article = (site / "sv/articles/karolinska-atmp-centrum/index.html").read_text("utf-8")
    for swedish in ("Alla nummer", "Följ i en flödesläsare:", "Publicerad i:", "Foto: Fahimeh"):
        assert swedish in article
    assert "17 november 2025" in article


def test_the_language_chooser_is_the_x_default_page(site: Path) -> None:
    home = page(site, "index.html")
    assert {
        link.get("hreflang"): link.get("href")
        for link in home.xpath("//head/link[@rel='alternate'][not(@type)]")
    } == {"x-default": BASE, "en": BASE + "en/", "sv": BASE + "sv/"}
