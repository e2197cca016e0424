"""The unsubscribe page the emails link to: it exists in the built site in each language and,
on a static host, writes the unsubscribe email (token in the subject) for the reader — with
JavaScript from the link's token, without it by asking them to send it from their address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from flemletter.build import build
from flemletter.config import require_config
from flemletter.delivery.personal import recipient, token_address
from flemletter.screenshot import BROWSER_ARGS
from tests.conftest import copy_sample, require_browser, serve_folder

BASE = "https://www.flemingsbergscience.se/newsletter/"
SECRET = b"test-unsubscribe-secret-0123456789"
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("unsubscribe") / "newsletter")


@pytest.fixture(scope="module")
def site(sample_root: Path) -> Path:
    return build(sample_root, "2025-11").folder.parent / "site"


def mailto_fields(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    assert parts.scheme == "mailto", url
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_each_language_has_the_page_the_emails_link_to(sample_root: Path, site: Path) -> None:
    config = require_config(sample_root)
    for lang in ("en", "sv"):
        link = recipient(config, SECRET, "ellen@example.org", None, lang).unsubscribe_url
        page, _, query = link.partition("?")
        assert page == f"{BASE}{lang}/unsubscribe/"
        assert token_address(SECRET, query.removeprefix("token="), ["ellen@example.org"]) == (
            "ellen@example.org"
        )
        document = lxml.html.fromstring((site / lang / "unsubscribe" / "index.html").read_bytes())
        assert document.get("lang") == lang
        assert document.xpath("//head/meta[@name='robots']/@content") == ["noindex"]


def test_the_page_writes_the_unsubscribe_email_with_and_without_javascript(site: Path) -> None:
    document = lxml.html.fromstring((site / "sv" / "unsubscribe" / "index.html").read_bytes())
    assert document.xpath("string(//h1)") == "Avsluta prenumerationen"
    button = document.get_element_by_id("unsubscribe-email")
    # Without JavaScript the button still writes the email, just without the token ...
    to, fields = mailto_fields(button.get("href"))
    assert to == "newsletter@flemingsbergscience.se"
    assert fields["subject"] == "unsubscribe"
    assert fields["body"] == "Ta bort mig från utskickslistan för Flemingsberg Science."
    # ... and the page says to send it from the subscribed address, and by hand if need be.
    text = document.text_content()
    assert "Skicka det från adressen som får nyhetsbrevet" in text
    assert "newsletter@flemingsbergscience.se" in text
    assert "inom två dagar" in text
    # The script puts the token from the page's address into the subject.
    _, with_token = mailto_fields(button.get("data-mailto"))
    assert with_token["subject"] == "unsubscribe __TOKEN__"
    script = document.xpath("string(//main//script)")
    assert "URLSearchParams(window.location.search)" in script
    assert '.replace("__TOKEN__", token)' in script


def test_an_unsubscribe_address_of_its_own_is_used(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "newsletter")
    config = root / "flemletter.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("[smtp]", '[unsubscribe]\nmailto = "leave@flemingsbergscience.se"\n\n[smtp]'),
        encoding="utf-8",
    )
    site = build(root, "2025-11").folder.parent / "site"
    document = lxml.html.fromstring((site / "en" / "unsubscribe" / "index.html").read_bytes())
    to, fields = mailto_fields(document.get_element_by_id("unsubscribe-email").get("href"))
    assert to == "leave@flemingsbergscience.se"
    assert fields["body"] == "Please take me off the mailing list of Flemingsberg Science."


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


@pytest.mark.browser
def test_in_a_browser_the_button_carries_the_token_and_fits_a_phone(
    sample_root: Path, served: str
) -> None:
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    link = recipient(require_config(sample_root), SECRET, "aida@example.org", None, "sv")
    token = link.unsubscribe_url.partition("token=")[2]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(served + f"sv/unsubscribe/?token={token}")
            _, fields = mailto_fields(page.get_attribute("#unsubscribe-email", "href") or "")
            assert fields["subject"] == f"unsubscribe {token}"
            assert token_address(SECRET, fields["subject"].split()[1], ["aida@example.org"]) == (
                "aida@example.org"
            )
            assert page.inner_text("#unsubscribe-subject") == f"unsubscribe {token}"
            assert not page.is_visible("#send-from-subscribed")  # the token says who
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            size = page.evaluate("getComputedStyle(document.querySelector('main p')).fontSize")
            assert float(size.removesuffix("px")) >= 16
            button = page.locator("#unsubscribe-email").bounding_box()
            assert button is not None and button["height"] >= 44  # a thumb hits it

            page.goto(served + "sv/unsubscribe/?token=<script>alert(1)</script>")
            _, fields = mailto_fields(page.get_attribute("#unsubscribe-email", "href") or "")
            assert fields["subject"] == "unsubscribe"  # not a token: left alone
            assert page.is_visible("#send-from-subscribed")

            quiet = browser.new_page(viewport=PHONE, java_script_enabled=False)
            quiet.goto(served + f"en/unsubscribe/?token={token}")
            assert quiet.is_visible("#send-from-subscribed")
            _, fields = mailto_fields(quiet.get_attribute("#unsubscribe-email", "href") or "")
            assert fields["subject"] == "unsubscribe"
        finally:
            browser.close()
