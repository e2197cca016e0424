"""Class 4 of issue 11: bounded cost for any input. YAML that would expand (aliases), run code
(tags) or nest without end is refused before anything is built; files too big are refused
before they are read; the prose checks grow with the article, not with its square."""

from __future__ import annotations

from pathlib import Path

import pytest

from flemletter.checks import check
from flemletter.prose import MAX_WARNINGS, near_repeats

ISSUE = "issues/2025-11.yaml"
ART = "articles/limitless-potential/en.md"
EDITIONS = "editions: {en: {subject: x, articles: [limitless-potential]}}\n"
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def errors(root: Path) -> list[str]:
    return [str(p) for p in check(root, "2025-11").errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB + "date: 2025-11-20\n" + EDITIONS, f"{ISSUE}:1:4: YAML anchors and aliases"),
        ("date: &d 2025-11-20\n" + EDITIONS, "anchors and aliases"),
        ("date: !!python/object/apply:os.system ['true']\n" + EDITIONS, "YAML tags ('!!python"),
        (
            "date: 2025-11-20\n" + EDITIONS.replace("subject: x", "subject: !!binary aGk="),
            "'!!binary'",
        ),
        ("date: !foo 2025-11-20\n" + EDITIONS, "YAML tags ('!foo')"),
        (
            "date: 2025-11-20\nx: " + "[" * 500 + "]" * 500 + "\n" + EDITIONS,
            "nested more than 20 deep",
        ),
    ],
    ids=["billion-laughs", "anchor", "python-tag", "binary-tag", "local-tag", "deep-nesting"],
)
def test_unwanted_yaml_in_the_issue(sample: Path, text: str, expected: str) -> None:
    (sample / ISSUE).write_text(text, encoding="utf-8")
    found = errors(sample)
    assert len(found) == 1 and expected in found[0], found


def test_alias_in_front_matter(sample: Path) -> None:
    file = sample / ART
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("tags: [", "section: &s Award\nauthor: *s\ntags: ["), "utf-8")
    assert any(f"{ART}:4:10:" in e and "anchors and aliases" in e for e in errors(sample))


@pytest.mark.parametrize(
    ("path", "size", "limit"),
    [
        (ART, 1024 * 1024 + 1, "1.0 MB"),
        (ISSUE, 100 * 1024 + 1, "100 KB"),
        ("flemletter.toml", 100 * 1024 + 1, "100 KB"),
    ],
)
def test_too_big_files_are_refused_before_reading(
    sample: Path, path: str, size: int, limit: str
) -> None:
    file = sample / path
    text = file.read_text(encoding="utf-8")
    file.write_text(text + "#" * (size - len(text.encode())), encoding="utf-8")
    found = errors(sample)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}: the file is ")
    assert f"more than the {limit} such a file may have" in found[0]


def test_near_repeats_are_found_without_comparing_every_pair() -> None:
    sentences = [
        tuple(f"w{i} w{i + 1} w{i + 2} same words in every one here".split()) for i in range(3000)
    ]
    sentences.append(sentences[10])
    found = list(near_repeats(sentences, 8))
    assert (10, 3000, 1.0) in found


def test_warnings_per_article_are_capped(sample: Path) -> None:
    body = "".join(
        f"A word word written twice in paragraph {i} of this text.\n\n" for i in range(60)
    )
    file = sample / ART
    head = file.read_text(encoding="utf-8").split("---\n")[1]
    file.write_text(f"---\n{head}---\n\n{body}", encoding="utf-8")
    mine = [p for p in check(sample, "2025-11").warnings if p.path == ART]
    assert len(mine) == MAX_WARNINGS + 1
    assert "more copy-editing warnings from here on" in mine[-1].message


@pytest.mark.parametrize("unit", ["a", "<", "x@", ". ", "](", "https://"], ids=repr)
def test_long_runs_that_made_the_prose_regexes_quadratic(sample: Path, unit: str) -> None:
    file = sample / ART
    head = file.read_text(encoding="utf-8").split("---\n")[1]
    file.write_text(f"---\n{head}---\n\nStart. {unit * (20_000 // len(unit))} End.\n", "utf-8")
    check(sample, "2025-11")  # finishes (it took minutes at 50 KB before)


@pytest.mark.parametrize("run", ["[", "_a", "<", "*a"])
def test_a_paragraph_too_long_to_parse_safely_is_refused_at_its_line(
    sample: Path, run: str
) -> None:
    article = sample / "articles" / "limitless-potential" / "en.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nA short one.\n\n" + run * (60_000 // len(run)) + "\n", "utf-8")
    lines = (text + "\nA short one.\n\n").count("\n") + 1
    errors = [str(p) for p in check(sample, "2025-11").errors]
    assert any(
        e.startswith(f"articles/limitless-potential/en.md:{lines}: this paragraph is more than")
        for e in errors
    ), errors
