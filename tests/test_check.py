"""Every mistake a communicator can make is reported with its file, line and a way out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flemletter.checks import check

Edit = Callable[[str, str, str], None]
ISSUE = "issues/2025-11.yaml"
LEAD_EN = "articles/collaboration-in-science/en.md"
LEAD_SV = "articles/karolinska-atmp-centrum/sv.md"


def problems(root: Path) -> list[str]:
    return [str(p) for p in check(root, "2025-11").problems]


def test_the_sample_issue_is_clean(sample: Path) -> None:
    result = check(sample, "2025-11")
    assert result.errors == []  # its warnings are pinned in test_preflight.py
    assert set(result.emails) == {"en", "sv"}


def test_unknown_article_suggests_the_closest(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "- collaboration-in-science", "- colaboration-in-science")
    assert problems(sample) == [
        f"{ISSUE}:11: unknown article 'colaboration-in-science'"
        " — did you mean 'collaboration-in-science'?"
    ]


def test_duplicate_reference(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "- agnes-torok-scenpoesi", "- ellen-makipiha-ny-kommunikator")
    assert problems(sample) == [
        f"{ISSUE}:23: 'ellen-makipiha-ny-kommunikator' is listed twice — remove one of them"
    ]


def test_article_missing_in_the_edition_language(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "- agnes-torok-scenpoesi", "- limitless-potential")
    assert problems(sample) == [
        f"{ISSUE}:23: article 'limitless-potential' has no version in 'sv'"
        " (articles/limitless-potential/sv.md is missing) — it exists in: en"
    ]


def test_unknown_language(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "  sv:\n", "  sw:\n")
    assert problems(sample) == [
        f"{ISSUE}:16: unknown language 'sw' — the languages in flemletter.toml are en, sv"
    ]


def test_empty_edition(sample: Path, edit: Edit) -> None:
    text = (sample / ISSUE).read_text(encoding="utf-8")
    start = text.index("    articles:\n      - karolinska")
    (sample / ISSUE).write_text(text[:start] + "    articles: []\n", encoding="utf-8")
    assert problems(sample) == [f"{ISSUE}:19: 'editions.sv.articles' is empty — list at least one"]


def test_malformed_yaml(sample: Path, edit: Edit) -> None:
    edit(ISSUE, 'subject: "Nu är', 'subject: "Nu: "är')
    (message,) = problems(sample)
    assert message.startswith(f"{ISSUE}:17: not valid YAML: ")


def test_impossible_date(sample: Path, edit: Edit) -> None:
    edit(LEAD_EN, "date: 2025-11-18", "date: 2025-02-30")
    assert problems(sample) == [
        f"{LEAD_EN}:3: 'date': '2025-02-30' is not a date"
        " — write dates as YYYY-MM-DD, e.g. 2025-11-20"
    ]


def test_misspelt_field_is_one_problem(sample: Path, edit: Edit) -> None:
    edit(LEAD_EN, "title:", "titel:")
    assert problems(sample) == [f"{LEAD_EN}:2: unknown field 'titel' — did you mean 'title'?"]


def test_wrong_type(sample: Path, edit: Edit) -> None:
    edit(LEAD_EN, "tags: [Collaboration in Science, research, Campus Flemingsberg]", "tags: 3")
    assert problems(sample) == [f"{LEAD_EN}:8: 'tags' should be a list"]


def test_missing_front_matter(sample: Path) -> None:
    path = sample / LEAD_EN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("---\n", 2)[2], encoding="utf-8")
    assert problems(sample) == [
        f"{LEAD_EN}:1: the file has no front matter — start the file with a line '---',"
        " the fields (title: ...), then another '---'"
    ]


def test_unclosed_front_matter(sample: Path) -> None:
    path = sample / LEAD_EN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n\n", "\n", 1), encoding="utf-8")
    (message,) = problems(sample)
    assert message.startswith(f"{LEAD_EN}:1: the front matter is never closed")


def test_missing_image_lists_what_is_there(sample: Path, edit: Edit) -> None:
    edit(LEAD_SV, "file: platshallare-karolinska-atmp-centrum.jpg", "file: platshalare.jpg")
    assert problems(sample) == [
        f"{LEAD_SV}:6: image 'platshalare.jpg' not found"
        " — the folder has: platshallare-karolinska-atmp-centrum.jpg"
    ]


def test_not_utf8(sample: Path) -> None:
    path = sample / LEAD_EN
    path.write_bytes(path.read_bytes().replace("Högberg".encode(), "Högberg".encode("latin-1")))
    (message,) = problems(sample)
    assert message == (
        f"{LEAD_EN}:19: the file is not UTF-8 (byte 0xf6 cannot be read)"
        " — save it with the UTF-8 encoding in your editor"
    )


def test_every_problem_is_reported_at_once(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "- collaboration-in-science", "- colaboration-in-science")
    edit(LEAD_SV, "date: 2025-11-17", "date: 2025-13-01")
    edit("articles/limitless-potential/en.md", "title:", "tittle:")
    assert [p.split(" ")[0] for p in problems(sample)] == [
        "articles/karolinska-atmp-centrum/sv.md:3:",
        "articles/limitless-potential/en.md:2:",
        f"{ISSUE}:11:",
    ]


def test_config_unknown_key_and_bad_values(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", 'address = "newsletter@', 'adress = "newsletter@')
    edit("flemletter.toml", 'base_url = "https://', 'base_url = "ftp://')
    assert problems(sample) == [
        "flemletter.toml:7: 'publication.base_url': 'ftp://www.flemingsbergscience.se/newsletter/'"
        " must be an absolute URL starting with https://",
        "flemletter.toml:26: unknown field 'sender.adress' — did you mean 'address'?",
    ]


def test_config_default_language_must_be_listed(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", 'default_language = "en"', 'default_language = "de"')
    assert problems(sample) == [
        "flemletter.toml:10: the default language 'de' is not one of the languages (en, sv)"
        " — add a [languages.de] table or choose one of en, sv"
    ]


def test_config_not_toml(sample: Path, edit: Edit) -> None:
    edit("flemletter.toml", 'name = "Flemingsberg Science"', "name = Flemingsberg Science")
    (message,) = problems(sample)
    assert message.startswith("flemletter.toml:5: not valid TOML: ")


@pytest.mark.parametrize("issue", ["2025-12", "issues/2025-12.yaml"])
def test_unknown_issue(sample: Path, issue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample)
    (problem,) = check(sample, issue).problems
    assert (
        str(problem) == f"{ISSUE.replace('11', '12')}: no such issue file — did you mean '2025-11'?"
    )


def test_a_missing_edition_is_a_warning(sample: Path) -> None:
    path = sample / ISSUE
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  sv:")], encoding="utf-8")
    result = check(sample, "2025-11")
    assert result.errors == []
    assert [str(p) for p in result.warnings if p.path == ISSUE and p.line is None] == [
        f"{ISSUE}: warning: no 'sv' edition: subscribers reading 'sv' get nothing this month"
        " — add an edition under 'editions: sv:'"
    ]


def test_template_syntax_error_names_the_template(sample: Path) -> None:
    templates = sample / "templates" / "email"
    templates.mkdir(parents=True)
    (templates / "teaser.mjml.j2").write_text("<mj-section>\n{% if %}\n", encoding="utf-8")
    (message,) = problems(sample)
    assert message.startswith("templates/email/teaser.mjml.j2:2: template error: ")


def test_template_error_while_rendering_names_the_template_line(sample: Path) -> None:
    from flemletter.render.templates import THEME

    footer = sample / "templates" / "email" / "footer.mjml.j2"
    footer.parent.mkdir(parents=True)
    lines = (THEME / "email" / "footer.mjml.j2").read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(lines, 1) if "{{ publication_name }}" in text)
    lines[number - 1] = lines[number - 1].replace("{{ publication_name }}", "{{ nosuchvar.x }}")
    footer.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = [str(p) for p in check(sample, "2025-11").errors]
    assert errors == [
        f"templates/email/footer.mjml.j2:{number}: template error: 'nosuchvar' is undefined"
    ]


def test_an_issue_field_error_does_not_hide_the_articles_problems(sample: Path, edit: Edit) -> None:
    edit(ISSUE, "date: 2025-11-20", "date: 2025-11-31")
    edit(ISSUE, "- collaboration-in-science", "- colaboration-in-science")
    edit(LEAD_SV, "date: 2025-11-17", "date: 2025-13-17")
    assert [p.split(" ")[0] for p in problems(sample) if "warning" not in p] == [
        f"{LEAD_SV}:3:",
        f"{ISSUE}:4:",
        f"{ISSUE}:11:",
    ]


def test_a_catalogue_line_missing_its_quote_is_named(sample: Path) -> None:
    import shutil

    from flemletter.render.templates import THEME

    shutil.copytree(THEME / "locales", sample / "templates" / "locales")
    po = sample / "templates" / "locales" / "sv" / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    number = lines.index('msgstr "Till toppen"') + 1
    lines[number - 1] = 'msgstr Till toppen"'
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [str(p) for p in check(sample, "2025-11").errors] == [
        f"templates/locales/sv/LC_MESSAGES/messages.po:{number}: not a catalogue line:"
        ' \'msgstr Till toppen"\' — each text is in double quotes: msgstr "Till toppen"'
    ]


def test_an_unknown_field_lists_the_known_ones(sample: Path, edit: Edit) -> None:
    edit(LEAD_EN, "author: Flemingsberg Science", "photographer: Flemingsberg Science")
    assert problems(sample) == [
        f"{LEAD_EN}:7: unknown field 'photographer' — the fields here are: title, date, teaser,"
        " image, url, author, section, tags, updated"
    ]
