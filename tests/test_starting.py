"""Starting a month: new issue and article files that explain themselves and never overwrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flemletter.checks import check
from flemletter.config import require_config
from flemletter.starting import new_article, new_issue
from tests.conftest import run_flemletter


def fill(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def test_new_issue_explains_itself_then_checks_clean_once_filled(sample: Path) -> None:
    run = run_flemletter("new", "2025-12", cwd=sample)
    assert run.returncode == 0, run.stderr
    path = sample / "issues/2025-12.yaml"
    text = path.read_text(encoding="utf-8")
    assert "date: 2025-12-20" in text  # the previous issue's day of the month
    assert "# subject: the email's subject line" in text
    assert "# preheader:" in text and "# articles:" in text
    assert [str(p) for p in check(sample, "2025-12").problems] == [
        "issues/2025-12.yaml:13: 'editions.en.subject' is empty — fill it in",
        "issues/2025-12.yaml:20: 'editions.en.articles' is empty — list at least one",
        "issues/2025-12.yaml:23: 'editions.sv.subject' is empty — fill it in",
        "issues/2025-12.yaml:30: 'editions.sv.articles' is empty — list at least one",
    ]
    fill(
        path,
        ('subject: ""', 'subject: "Stem cells at 50"'),
        ('preheader: ""', 'preheader: "Also: the award winner."'),
        ("articles: []", "articles:\n      - limitless-potential"),
        ('subject: ""', 'subject: "Scenpoesi i Flemingsberg"'),
        ('preheader: ""', 'preheader: "Dessutom: en ny kommunikatör."'),
        ("articles: []", "articles:\n      - agnes-torok-scenpoesi"),
    )
    result = check(sample, "2025-12")
    assert result.problems == []
    assert set(result.emails) == {"en", "sv"}


def test_new_refuses_to_overwrite(sample: Path) -> None:
    path = sample / "issues/2025-11.yaml"
    before = path.read_bytes()
    run = run_flemletter("new", "2025-11", cwd=sample)
    assert run.returncode == 1
    assert "issues/2025-11.yaml: already exists — edit it, or remove it first" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before


def test_new_issue_rejects_a_bad_id(sample: Path) -> None:
    run = run_flemletter("new", "december", cwd=sample)
    assert run.returncode == 1
    assert "december: not an issue id — write it as YYYY-MM" in run.stderr


def test_new_article_has_every_field_explained_and_checks_once_written(sample: Path) -> None:
    config = require_config(sample)
    started = new_article(config, "kulturnatt", "sv", dt.date(2025, 11, 30))
    assert started.shown == "articles/kulturnatt/sv.md"
    text = started.path.read_text(encoding="utf-8")
    for field in ("title", "date", "teaser", "image", "url", "author", "section", "tags"):
        assert f"\n# {field}: " in text and f"\n{field}:" in text, field
    for field in ("file", "alt", "credit"):
        assert f"\n#   {field}: " in text
    issue = sample / "issues/2025-11.yaml"
    fill(issue, ("      - agnes-torok-scenpoesi", "      - kulturnatt"))
    assert [str(p) for p in check(sample, "2025-11").errors] == [
        "articles/kulturnatt/sv.md:7: 'title' is empty — fill it in"
    ]
    fill(started.path, ('title: ""', 'title: "Kulturnatt"'))
    assert [str(p) for p in check(sample, "2025-11").errors] == [
        "articles/kulturnatt/sv.md:32: the article has no text — write it"
    ]
    started.path.write_text(text.replace('title: ""', 'title: "Kulturnatt"') + "Välkomna!\n")
    assert check(sample, "2025-11").errors == []


def test_new_article_refuses_to_overwrite_and_names_bad_input(sample: Path) -> None:
    path = sample / "articles/agnes-torok-scenpoesi/sv.md"
    before = path.read_bytes()
    run = run_flemletter("article", "new", "agnes-torok-scenpoesi", "--lang", "sv", cwd=sample)
    assert run.returncode == 1
    assert "articles/agnes-torok-scenpoesi/sv.md: already exists" in run.stderr
    assert path.read_bytes() == before
    run = run_flemletter("article", "new", "Ny Artikel", "--lang", "de", cwd=sample)
    assert run.returncode == 1
    assert "--lang: unknown language 'de'" in run.stderr
    assert "'Ny Artikel' cannot be a folder name in a web address" in run.stderr
    assert not (sample / "articles/Ny Artikel").exists()


def test_new_issue_without_a_previous_one_uses_the_configured_languages(sample: Path) -> None:
    started = new_issue(require_config(sample), "2025-10")
    text = started.path.read_text(encoding="utf-8")
    assert "date: 2025-10-01" in text
    assert "  en:\n" in text and "  sv:\n" in text
