"""Class 3 of issue 11, as a property: whatever text a communicator types into any field,
`check` reports it, or `build` succeeds — and the built message has exactly one one-line
Subject and no script. Never a traceback.

Hypothesis writes random text (the whole of Unicode, control characters and line separators
included, mixed with pieces of HTML, Jinja2, MIME and Markdown) into ONE field of a sample
copy, escaped as that file's format requires, so the text arrives in the field as written.
Examples are derandomized: CI tries the same ones on every run.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flemletter.build import build
from flemletter.checks import check
from flemletter.problems import UserError

ISSUE = "issues/2025-11.yaml"
ART = "articles/collaboration-in-science/en.md"
CFG = "flemletter.toml"

EXAMPLES = int(os.environ.get("FLEMLETTER_PROPERTY_EXAMPLES", "6"))
"""Examples per field; raise it for a longer hunt (the examples stay reproducible)."""

HOSTILE = [
    "<script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<ScRiPt>x</sCrIpT>",
    "<!-- x -->",
    "]]>",
    "</mj-text><mj-raw><script>x</script></mj-raw>",
    "{{ 7*7 }}",
    "{{ config }}",
    "{% raw %}",
    "{% endraw %}",
    "{#",
    "=?utf-8?b?SGk=?=",
    "=?iso-8859-1?q?=E4?=",
    "Bcc: x@evil.example",
    "\r\nBcc: x@evil.example",
    '"',
    "'",
    "\\",
    "\\n",
    "&amp;",
    "&",
    "<",
    ">",
    "\u2028",
    "\u2029",
    "\x85",
    "\x00",
    "\x1b[31m",
    "\x0b",
    "\t",
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "😀",
    "👩\u200d👩\u200d👧",
    "e\u0301",
    "%s",
    "${x}",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "![x](file:///etc/passwd)",
    "<https://e.org/>",
    "---",
    "# ",
    "* ",
    "`",
    "|",
    ": ",
    "- ",
    "? ",
    "!tag",
    "&a",
    "*a",
    "~",
    "null",
    "a" * 400,
    " ",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(),  # every code point but surrogates, control characters included
    st.text(st.characters(blacklist_categories=("Cs", "Cc"))),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), min_size=1, max_size=6).map(
        "".join
    ),
)
URL = st.one_of(TEXT, TEXT.map(lambda t: "https://e.org/" + t))
UNSUB_URL = st.one_of(TEXT, TEXT.map(lambda t: "https://e.org/u?t={token}&x=" + t))

_YAML_RAW = re.compile("[\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What YAML lets stand in a double-quoted scalar (c-printable, less the line breaks)."""


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as ``text``."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif _YAML_RAW.fullmatch(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def toml_basic(text: str) -> str:
    """``text`` as a TOML basic string that reads back as ``text``."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char != "\t" and (char < " " or char == "\x7f"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Field:
    path: str
    old: str
    """Text in the sample file that the field's line replaces (or follows, to add it)."""
    new: Callable[[str], str]
    values: st.SearchStrategy[str] = TEXT


def _yaml(key: str) -> Callable[[str], str]:
    return lambda text: f"{key}: {yaml_quoted(text)}"


def _toml(key: str) -> Callable[[str], str]:
    return lambda text: f"{key} = {toml_basic(text)}"


FIELDS = {
    "issue subject": Field(
        ISSUE,
        '    subject: "Collaboration in Science and the future of Flemingsberg"',
        _yaml("    subject"),
    ),
    "issue preheader": Field(
        ISSUE,
        '    preheader: "Also: the Flemingsberg Science Award 2025, 50 years of stem cell'
        ' therapy, art for the Royal Opera."',
        _yaml("    preheader"),
    ),
    "article title": Field(
        ART,
        'title: "Collaboration in Science promotes research collaborations and the future of'
        ' Flemingsberg"',
        _yaml("title"),
    ),
    "article section": Field(
        ART, "date: 2025-11-18", lambda t: f"date: 2025-11-18\nsection: {yaml_quoted(t)}"
    ),
    "article teaser": Field(
        ART, "date: 2025-11-18", lambda t: f"date: 2025-11-18\nteaser: {yaml_quoted(t)}"
    ),
    "image alt": Field(
        ART,
        '  alt: "Placeholder: stands in for a photo from the Collaboration in Science conference"',
        _yaml("  alt"),
    ),
    "image credit": Field(
        ART,
        "  file: placeholder-collaboration-in-science.jpg",
        lambda t: f"  file: placeholder-collaboration-in-science.jpg\n  credit: {yaml_quoted(t)}",
    ),
    "article author": Field(ART, "author: Flemingsberg Science", _yaml("author")),
    "article tag": Field(
        ART,
        "tags: [Collaboration in Science, research, Campus Flemingsberg]",
        lambda t: f"tags: [{yaml_quoted(t)}, research]",
    ),
    "article body": Field(
        ART,
        "Every two years, Karolinska Institutet and Karolinska University Hospital",
        lambda t: t + " Every two years, Karolinska Institutet and Karolinska University Hospital",
    ),
    "publication name": Field(
        CFG,
        '[publication]\nname = "Flemingsberg Science"',
        lambda t: f"[publication]\n{_toml('name')(t)}",
    ),
    "sender name": Field(
        CFG, '[sender]\nname = "Flemingsberg Science"', lambda t: f"[sender]\n{_toml('name')(t)}"
    ),
    "language name": Field(
        CFG,
        '[languages.sv]\nname = "Flemingsberg Science"',
        lambda t: f"[languages.sv]\n{_toml('name')(t)}",
    ),
    "language description": Field(
        CFG,
        'description = "News from the Flemingsberg Science foundation and Campus Flemingsberg."',
        _toml("description"),
    ),
    "postal address": Field(
        CFG,
        'postal_address = "Stiftelsen Flemingsberg Science, Hälsovägen 11C, 141 57 Huddinge,'
        ' Sweden"',
        _toml("postal_address"),
    ),
    "base_url": Field(
        CFG, 'base_url = "https://www.flemingsbergscience.se/newsletter/"', _toml("base_url"), URL
    ),
    "unsubscribe_url": Field(
        CFG,
        '# unsubscribe_url = "https://example.org/unsubscribe?t={token}"',
        _toml("unsubscribe_url"),
        UNSUB_URL,
    ),
}

# The articles the other editions list are read and checked as well, but they add time to
# every example without adding fields: each edition keeps one other article.
LESS = [
    (ISSUE, "      - 50-years-of-life-changing-therapies\n", ""),
    (ISSUE, "      - royal-opera-and-idun-loven-art-school\n", ""),
    (ISSUE, "      - ellen-makipiha-ny-kommunikator\n", ""),
    (ISSUE, "      - konst-och-kulturliv-i-flemingsberg\n", ""),
    (ISSUE, "      - agnes-torok-scenpoesi\n", ""),
]
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _replace(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    file.write_text(text.replace(old, new), encoding="utf-8")


def built_messages_are_sound(folder: Path) -> None:
    """Each language's message: one Subject on one line; no script element in its HTML."""
    languages = [d for d in folder.iterdir() if (d / "message.eml").is_file()]
    assert languages, list(folder.iterdir())
    for lang in languages:
        message = email.message_from_bytes(
            (lang / "message.eml").read_bytes(), policy=email.policy.default
        )
        subjects = message.get_all("Subject") or []
        assert len(subjects) == 1, subjects
        assert not _BREAKS.search(str(subjects[0])), subjects
        for page in ("email.html", "index.html"):
            tags = _Tags()
            tags.feed((lang / page).read_text(encoding="utf-8"))
            assert "script" not in tags.found, f"{lang.name}/{page}"


class _Tags(HTMLParser):
    """The elements of a page as a browser parses them (text in an attribute is no element)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.add(tag)


def reported_or_built(root: Path, out: Path) -> None:
    """The property: `check` reports the text, or `build` makes sound messages of it."""
    if check(root, "2025-11").errors:
        return
    try:
        result = build(root, "2025-11", out)
    except UserError as exc:  # pragma: no cover (a failure: check accepted it)
        pytest.fail(f"check accepted what build refused:\n{exc}")
    built_messages_are_sound(result.folder)


@pytest.mark.parametrize("name", list(FIELDS))
def test_any_text_in_a_field_is_reported_or_built(sample: Path, tmp_path: Path, name: str) -> None:
    for path, old, new in LESS:
        _replace(sample, path, old, new)
    field = FIELDS[name]
    original = (sample / field.path).read_text(encoding="utf-8")
    assert original.count(field.old) == 1, field.old

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=field.values)
    def reported_or_built_with(text: str) -> None:
        (sample / field.path).write_text(
            original.replace(field.old, field.new(text)), encoding="utf-8"
        )
        reported_or_built(sample, Path(tempfile.mkdtemp(dir=tmp_path)))

    reported_or_built_with()


@pytest.mark.parametrize(
    "text",
    ["", "a", 'a "b" \\ c', "\x00\x85\u2028\u2029\x7f\t\U0001f600", "\ufeffx\ud7ff\ue000\ufffd"],
    ids=["empty", "plain", "quotes", "breaks", "edges"],
)
def test_the_escapes_read_back_as_written(text: str) -> None:
    import tomllib

    from ruamel.yaml import YAML

    assert YAML(typ="safe").load(f"k: {yaml_quoted(text)}")["k"] == text
    assert tomllib.loads(f"k = {toml_basic(text)}")["k"] == text
