"""`check` catches what would break the email silently: MJML traps, missing translations, size."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import mjml
import pytest

from flemletter.checks import check
from flemletter.render.email import MJMLError
from flemletter.render.email_checks import mjml_problem
from flemletter.render.templates import THEME
from tests.conftest import beyond_sample

Edit = Callable[[str, str, str], None]
TEASER = "templates/email/teaser.mjml.j2"


def problems(root: Path) -> list[str]:
    return beyond_sample(check(root, "2025-11").problems)


def override(root: Path, name: str, old: str, new: str) -> Path:
    """The newsletter's own copy of a theme template, with ``old`` replaced by ``new``."""
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (THEME / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_bare_zero_in_padding_is_named_with_line_and_column(sample: Path) -> None:
    override(sample, "email/teaser.mjml.j2", 'padding="0px 24px 24px"', 'padding="0 24px 24px"')
    assert problems(sample) == [
        f'{TEASER}:8:23: bare 0 in padding="0 24px 24px": mjml-python then gets the widths'
        ' wrong — write units: padding="0px 24px 24px"'
    ]


def test_mj_include_is_refused(sample: Path) -> None:
    override(
        sample,
        "email/email.mjml.j2",
        '{% include "email/footer.mjml.j2" %}',
        '<mj-include path="./footer.mjml" />',
    )
    assert problems(sample) == [
        "templates/email/email.mjml.j2:25:5: mj-include loses the 600 px body width in"
        ' mjml-python — include templates with Jinja2 instead: {% include "email/part.mjml.j2" %}'
    ]


def test_mj_html_attributes_and_unknown_tags(sample: Path) -> None:
    override(
        sample,
        "email/email.mjml.j2",
        "  </mj-head>",
        "    <mj-html-attributes></mj-html-attributes>\n  </mj-head>",
    )
    override(sample, "email/teaser.mjml.j2", "<mj-divider />", "<mj-divder />")
    assert problems(sample) == [
        "templates/email/email.mjml.j2:17:5: mj-html-attributes makes mjml-python fail"
        " — put the attribute in the HTML inside mj-text or mj-raw, or use css-class",
        f"{TEASER}:3:5: unknown MJML tag <mj-divder>: mjml-python would copy it into the email"
        " as is — did you mean 'mj-divider'?",
    ]


def test_comments_may_mention_what_templates_may_not_use(sample: Path) -> None:
    override(
        sample,
        "email/teaser.mjml.j2",
        "<mj-section",
        '{# no <mj-include>, padding="0" #}<mj-section',
    )
    assert problems(sample) == []


def test_a_tag_closed_by_the_wrong_name_is_placed_in_its_template(sample: Path) -> None:
    override(sample, "email/teaser.mjml.j2", "    </mj-text>", "    </mj-txt>")
    assert problems(sample) == [
        f"{TEASER}:7: MJML tags do not match: </mj-txt> found where </mj-text> was expected"
        " — the line reads: </mj-txt>"
    ]


def test_an_unclosed_tag_is_found_although_mjml_gives_no_position(sample: Path) -> None:
    override(sample, "email/lead.mjml.j2", "  </mj-column>\n", "")
    assert problems(sample) == [
        "templates/email/lead.mjml.j2:3: MJML error: unexpected end of stream in root template:"
        " <mj-column> is never closed — the line reads: <mj-column>"
    ]


def test_mjml_byte_offsets_become_template_lines(sample: Path) -> None:
    """mjml-python counts bytes; the Swedish text before the error must not shift the line."""
    override(
        sample,
        "email/email.mjml.j2",
        "  </mj-head>",
        "    <mj-html-attributes></mj-html-attributes>\n  </mj-head>",
    )
    source = "<mjml><mj-head><mj-title>Hälsovägen, Mäkipiha</mj-title>\n"
    source += "    <mj-html-attributes></mj-html-attributes>\n</mj-head><mj-body></mj-body></mjml>"
    with pytest.raises(ValueError) as raised:
        mjml.mjml2html(source)
    problem = mjml_problem(sample, MJMLError(str(raised.value), source))
    assert "at position" in problem.message
    assert (problem.path, problem.line) == ("templates/email/email.mjml.j2", 17)
    assert problem.hint == "the line reads: <mj-html-attributes></mj-html-attributes>"


def copy_catalogues(root: Path) -> Path:
    target = root / "templates" / "locales"
    shutil.copytree(THEME / "locales", target)
    return target


def test_a_missing_translation_names_the_message_ids(sample: Path) -> None:
    locales = copy_catalogues(sample)
    po = locales / "sv" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Unsubscribe"\nmsgstr "Avsluta prenumerationen"\n', "")
    text = text.replace('msgstr "Till toppen"', 'msgstr ""')
    po.write_text(text, encoding="utf-8")
    assert problems(sample) == [
        "templates/locales/sv/LC_MESSAGES/messages.po: the 'sv' catalogue has no translation"
        " for 'Go to Top', 'Unsubscribe' — add msgid/msgstr entries for them"
        " (pybabel update, see babel.cfg)"
    ]


def test_every_template_string_is_in_every_catalogue(sample: Path) -> None:
    """What pybabel extracts with the project's babel.cfg is translated in en and sv."""
    pot = sample / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    project = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", str(pot), "src/flemletter/templates"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    extracted = {line[7:-1] for line in pot.read_text().splitlines() if line.startswith("msgid ")}
    extracted.discard("")
    assert "Read more about %(title)s" in extracted
    for lang in ("en", "sv"):
        po = (THEME / "locales" / lang / "LC_MESSAGES" / "messages.po").read_text()
        for message in extracted:
            assert f'msgid "{message}"' in po, f"{lang} lacks {message!r}"


def grow_lead(sample: Path, kilobytes: int) -> None:
    path = sample / "articles" / "karolinska-atmp-centrum" / "sv.md"
    paragraph = "Forskning och vård möts i Flemingsberg, varje dag och året runt. " * 8
    with path.open("a", encoding="utf-8") as handle:
        for _ in range(kilobytes * 1024 // len(paragraph.encode()) + 1):
            handle.write("\n\n" + paragraph)


def test_an_email_over_80_kb_is_a_warning(sample: Path) -> None:
    grow_lead(sample, 60)
    result = check(sample, "2025-11")
    assert result.errors == []
    # (the grown text repeats itself: the prose checks rightly say so; only the size matters here)
    (warning,) = [w for w in beyond_sample(result.warnings) if w.startswith("issues/")]
    assert warning.startswith("issues/2025-11.yaml:16: warning: the 'sv' email is ")
    assert "Gmail clips emails over 102 KB" in warning
    assert "the longest is articles/karolinska-atmp-centrum/sv.md" in warning


def test_an_email_over_102_kb_is_an_error(sample: Path) -> None:
    grow_lead(sample, 90)
    (error,) = [e for e in problems(sample) if e.startswith("issues/")]
    assert error.startswith("issues/2025-11.yaml:16: the 'sv' email is ")
    assert "unsubscribe link included" in error
