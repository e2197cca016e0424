"""Either CSS inliner: the doctype survives, media queries stay in <style>, nothing is fetched."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from flemletter.build import build
from flemletter.checks import check
from flemletter.render.inline import INLINERS, Inliner, inline_css
from tests.conftest import beyond_sample

Edit = Callable[[str, str, str], None]
PAGE = """<!doctype html><html lang="sv"><head>
<link rel="stylesheet" href="http://127.0.0.1:{port}/fonts.css">
<style type="text/css">@media (prefers-color-scheme: dark) {{ h1 {{ color: #eeeeee !important; }} }}
@media only screen and (max-width: 479px) {{ h1 {{ font-size: 26px !important; }} }}</style>
</head><body><h1 class="lead-title">Hälsovägen</h1><p style="color: red">Text</p></body></html>"""


@pytest.fixture
def listener() -> socket.socket:
    """A port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    return server


@pytest.mark.parametrize("inliner", INLINERS)
def test_inliner_keeps_doctype_and_style_blocks_offline(
    inliner: Inliner, listener: socket.socket
) -> None:
    html = PAGE.format(port=listener.getsockname()[1])
    result = inline_css(html, "h1 { margin: 0; font-size: 32px; } p { margin: 0 0 16px; }", inliner)
    assert result.lower().startswith("<!doctype html>")
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", result, re.DOTALL))
    assert "@media (prefers-color-scheme: dark)" in styles
    assert "max-width: 479px" in styles
    h1 = re.search(r"<h1[^>]*style=\"([^\"]*)\"", result)
    assert h1 is not None and re.search(r"font-size:\s?32px", h1.group(1))
    assert "#eeeeee" not in h1.group(1), "media-query rules are not inlined"
    p = re.search(r"<p[^>]*style=\"([^\"]*)\"", result)
    assert p is not None and re.search(r"color:\s?red", p.group(1)) and "margin" in p.group(1)
    assert "Hälsovägen" in result
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody tried to fetch the stylesheet


def test_premailer_is_chosen_in_the_config(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", "[delivery]", '[email]\ninliner = "premailer"\n\n[delivery]')
    result = check(sample, "2025-11")
    assert beyond_sample(result.problems) == []
    html = (build(sample, "2025-11").folder / "en" / "email.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") or html.startswith("<!DOCTYPE html>")
    assert "@media (prefers-color-scheme: dark)" in html
    assert re.search(r'<h1 class="lead-title" style="[^"]*font-size:\s?32px', html)


def test_an_unknown_inliner_is_a_config_problem(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", "[delivery]", '[email]\ninliner = "juice"\n\n[delivery]')
    (problem,) = beyond_sample(check(sample, "2025-11").problems)
    assert str(problem).startswith("flemletter.toml:")
    assert "email.inliner" in str(problem)
