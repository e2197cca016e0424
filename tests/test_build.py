"""What `build` writes: every file per language, byte-identical twice, a valid MIME message."""

from __future__ import annotations

import email
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from flemletter.build import build
from flemletter.markup import render_body
from tests.golden import pinned_files

Edit = Callable[[str, str, str], None]


def read_message(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_each_language_gets_every_file(sample: Path) -> None:
    result = build(sample, "2025-11")
    for lang in ("en", "sv"):
        folder = result.folder / lang
        names = {p.name for p in folder.iterdir() if p.is_file()}
        assert names == {"email.mjml", "email.html", "email.txt", "message.eml", "index.html"}
    assert result.folder == sample / "build" / "2025-11"


def test_building_twice_gives_identical_bytes(sample: Path, tmp_path: Path) -> None:
    first = pinned_files(build(sample, "2025-11", tmp_path / "one").folder)
    second = pinned_files(build(sample, "2025-11", tmp_path / "two").folder)
    assert first == second


def test_a_rebuild_removes_what_it_made_and_no_longer_makes(sample: Path) -> None:
    folder = sample / "articles" / "collaboration-in-science"
    old = folder / "placeholder-collaboration-in-science.jpg"
    first = build(sample, "2025-11").folder / "en" / "images" / "collaboration-in-science"
    assert (first / old.name).is_file()
    old.rename(folder / "renamed.jpg")
    article = folder / "en.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace(old.name, "renamed.jpg"), encoding="utf-8"
    )
    build(sample, "2025-11")
    assert not (first / old.name).exists()
    assert (first / "renamed.jpg").is_file()


def test_message_headers_survive_in_utf8(sample: Path, edit: Edit) -> None:
    edit(
        "flemletter.toml",
        'name = "Flemingsberg Science"\naddress',
        'name = "Ellen Mäkipiha"\naddress',
    )
    edit("issues/2025-11.yaml", '"Nu är Karolinska', '"Hadžialić och Török: Nu är Karolinska')
    folder = build(sample, "2025-11").folder
    raw = (folder / "sv" / "message.eml").read_bytes()
    assert raw.isascii(), "headers and bodies must be encoded for 7-bit transport"
    assert b"=?utf-8?" in raw  # RFC 2047 encoded words
    message = read_message(folder / "sv" / "message.eml")
    assert message["Subject"] == "Hadžialić och Török: Nu är Karolinska ATMP Centrum invigt"
    assert message["From"].addresses[0].display_name == "Ellen Mäkipiha"
    assert message["From"].addresses[0].addr_spec == "newsletter@flemingsbergscience.se"
    assert message["Reply-To"] == "info@flemingsbergscience.se"
    assert message["Message-ID"] == "<2025-11.sv@flemingsbergscience.se>"
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Language"] == "sv"
    assert message["Date"] == "Thu, 20 Nov 2025 08:00:00 +0100"


def test_message_has_text_then_html(sample: Path) -> None:
    folder = build(sample, "2025-11").folder
    message = read_message(folder / "en" / "message.eml")
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in message.iter_parts())
    assert text.replace("\r\n", "\n") == (folder / "en" / "email.txt").read_text(encoding="utf-8")
    assert "Collaboration in Science promotes research collaborations" in html
    # the message links images from the web archive; the file on disk uses the local copy
    assert 'src="https://www.flemingsbergscience.se/newsletter/en/articles/collaboration' in html
    local = (folder / "en" / "email.html").read_text(encoding="utf-8")
    assert 'src="images/collaboration-in-science/placeholder-collaboration-in-science.jpg"' in local
    assert (folder / "en" / "images/collaboration-in-science").is_dir()


def test_email_follows_the_seed_shape(sample: Path) -> None:
    html = (build(sample, "2025-11").folder / "sv" / "email.html").read_text(encoding="utf-8")
    order = [
        "Flemingsberg Science",  # header
        "20 november 2025",
        "Visa i webbläsaren",
        "KAROLINSKA ATMP CENTRUM",  # section label
        "En nationell resurs för morgondagens behandlingar",
        "Foto: Fahimeh Hekmatandish",
        "sade Aida Hadžialić",
        "Stiftelsen Flemingsberg Science välkomnar Ellen Mäkipiha",
        "Läs mer",
        "Agnes Török: En Röst för Scenpoesi &amp; Läsfrämjande",
        "Till toppen",
        "Avsluta prenumerationen",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)


def test_web_version_has_no_unsubscribe_or_preheader(sample: Path) -> None:
    folder = build(sample, "2025-11").folder
    page = (folder / "en" / "index.html").read_text(encoding="utf-8")
    assert "Unsubscribe" not in page
    assert "View in browser" not in page
    assert "Also: the Flemingsberg Science Award" not in page
    assert "Go to Top" in page


def test_quotes_keep_speaker_and_role() -> None:
    html = render_body("> “Words.”\n>\n> – Maria Eriksdotter, Professor", str)
    assert html == (
        '<blockquote>\n<p>“Words.”</p>\n<p class="attribution">– '
        '<span class="speaker">Maria Eriksdotter</span>, Professor</p>\n</blockquote>'
    )


def test_hostile_markdown_is_sanitised() -> None:
    html = render_body(
        '<script>alert(1)</script><a href="javascript:alert(1)" onclick="x">a</a>'
        '<iframe src="https://x"></iframe><style>p{}</style><img src="data:image/png;base64,AA">',
        str,
    )
    for bad in ("<script", "javascript:", "onclick", "<iframe", "<style", "data:"):
        assert bad not in html
