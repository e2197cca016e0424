"""Translations and locale formatting for templates.

UI strings live in gettext catalogues beside the templates
(``templates/locales/<lang>/LC_MESSAGES/messages.po``). They are compiled in memory when a
build starts, so the ``.mo`` files are never stale and never committed. Dates are written
the way each language writes them, by Babel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from flemletter.problems import Problem


@dataclass(frozen=True)
class Catalogue:
    lang: str
    translations: NullTranslations
    message_ids: frozenset[str]
    """Ids with a non-empty translation."""
    readable: bool = True
    """False when the file is missing or broken (its problem is reported already)."""


def catalogue_path(templates: Path, lang: str) -> Path:
    return templates / "locales" / lang / "LC_MESSAGES" / "messages.po"


def load_catalogue(templates: Path, lang: str) -> tuple[Catalogue, list[Problem]]:
    """The compiled catalogue of ``lang``; a missing or broken one is a problem, not a crash."""
    path = catalogue_path(templates, lang)
    shown = f"templates/{path.relative_to(templates).as_posix()}"
    if not path.is_file():
        problem = Problem(shown, None, f"no translation catalogue for '{lang}'")
        return Catalogue(lang, NullTranslations(), frozenset(), readable=False), [problem]
    malformed = _malformed_lines(path, shown)
    if malformed:
        return Catalogue(lang, NullTranslations(), frozenset(), readable=False), malformed
    try:
        return _compile(path, lang), []
    except Exception as exc:  # babel raises assorted errors on malformed .po files
        problem = Problem(shown, getattr(exc, "lineno", None), f"cannot read catalogue: {exc}")
        return Catalogue(lang, NullTranslations(), frozenset(), readable=False), [problem]


# A .po line is blank, a comment, a keyword with a quoted string, or a quoted continuation.
_PO_LINE = re.compile(
    r'^\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"|'
    r'"(?:[^"\\]|\\.)*")?\s*$'
)


def _malformed_lines(path: Path, shown: str) -> list[Problem]:
    """Lines Babel would misread without a word (a missing quote eats a letter)."""
    problems = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not _PO_LINE.match(line):
                problems.append(
                    Problem(
                        shown,
                        number,
                        f"not a catalogue line: {line.strip()!r}",
                        hint='each text is in double quotes: msgstr "Till toppen"',
                    )
                )
    return problems


@cache
def _compile_cached(path: Path, mtime: float, lang: str) -> Catalogue:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    ids = frozenset(
        str(message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and message.string and not message.fuzzy
    )
    return Catalogue(lang, GNUTranslations(buffer), ids)


def _compile(path: Path, lang: str) -> Catalogue:
    return _compile_cached(path, path.stat().st_mtime, lang)


def long_date(date: dt.date, lang: str) -> str:
    """``November 20, 2025`` in English, ``20 november 2025`` in Swedish."""
    return format_date(date, format="long", locale=lang)


def text_direction(lang: str) -> str:
    """``rtl`` for right-to-left scripts, else ``ltr``: the email's ``dir`` attribute."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"
