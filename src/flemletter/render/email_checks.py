"""The email's own checks, called by ``flemletter check``: templates, catalogues, size.

- :func:`template_checks`: the MJML guardrails in the templates, and every translatable
  string of the templates present in each language's catalogue;
- :func:`mjml_problem`: mjml-python's refusal, placed at the template line that caused it;
- :func:`size_problems`: each language's HTML against Gmail's clipping limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

import jinja2
from jinja2.ext import babel_extract

from flemletter.models import Issue
from flemletter.problems import Problem, Severity, display_path
from flemletter.render.email import MJMLError, RenderedEmail
from flemletter.render.guardrails import (
    TemplateSource,
    compile_problem,
    lint_templates,
    mjml_templates,
    structure_problem,
)
from flemletter.render.i18n import Catalogue, catalogue_path
from flemletter.render.templates import environment
from flemletter.sources import load_yaml, read_text

KB = 1024
SIZE_WARNING = 80 * KB
"""Leaves room for the provider's click-tracking links before Gmail's limit."""
SIZE_LIMIT = 102 * KB
"""Gmail clips longer messages ("[Message clipped]") and hides the unsubscribe link."""
MAIN_TEMPLATE = "email/email.mjml.j2"


_UNTRANSLATED = Catalogue("", NullTranslations(), frozenset())


def _plain_environment(root: Path) -> jinja2.Environment:
    """The templates without translations: one environment per root, cached."""
    return environment(root, _UNTRANSLATED)


def template_checks(root: Path, catalogues: Mapping[str, Catalogue], theme: Path) -> list[Problem]:
    """MJML guardrails, and translations missing from a language's catalogue."""
    env = _plain_environment(root)
    problems = lint_templates(mjml_templates(env, root))
    needed = template_message_ids(env)
    for lang, catalogue in catalogues.items():
        missing = sorted(needed - catalogue.message_ids)
        path = catalogue_path(theme, lang)
        if missing and catalogue.readable:
            listed = ", ".join(f"'{m}'" for m in missing)
            problems.append(
                Problem(
                    display_path(path, root),
                    None,
                    f"the '{lang}' catalogue has no translation for {listed}",
                    hint="add msgid/msgstr entries for them (pybabel update, see babel.cfg)",
                )
            )
    return problems


def template_message_ids(env: jinja2.Environment) -> set[str]:
    """Every message id that the templates in effect translate (as ``pybabel extract``)."""
    assert env.loader is not None
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true"}
    ids: set[str] = set()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        source, _, _ = env.loader.get_source(env, name)
        found = babel_extract(BytesIO(source.encode()), ("gettext", "ngettext"), [], options)
        for _, _, message, _ in found:
            if isinstance(message, str):
                ids.add(message)
            elif message and message[0]:
                ids.add(message[0])  # (singular, plural): the catalogue is keyed by the singular
    return ids


def mjml_problem(root: Path, error: MJMLError) -> Problem:
    """mjml-python's error at the template file and line that wrote the offending MJML."""
    templates = mjml_templates(_plain_environment(root), root)
    return compile_problem(error.message, error.mjml, templates, _main(templates))


def _main(templates: list[TemplateSource]) -> str:
    return next((t.shown for t in templates if t.name == MAIN_TEMPLATE), MAIN_TEMPLATE)


def output_problems(root: Path, issue: Issue, emails: Mapping[str, RenderedEmail]) -> list[Problem]:
    """In each rendered email: MJML tags closed by the wrong name, and the size budget."""
    templates = mjml_templates(_plain_environment(root), root)
    problems = []
    for email in emails.values():
        problem = structure_problem(email.mjml, templates, _main(templates))
        if problem is not None and problem not in problems:
            problems.append(problem)
    return problems + size_problems(root, issue, emails)


def size_problems(root: Path, issue: Issue, emails: Mapping[str, RenderedEmail]) -> list[Problem]:
    """Per language: a warning from 80 KB of HTML, an error from 102 KB (Gmail clips there)."""
    problems = []
    for lang, email in emails.items():
        size = len(email.html.encode("utf-8"))
        if size < SIZE_WARNING:
            continue
        severity = Severity.ERROR if size >= SIZE_LIMIT else Severity.WARNING
        edition = issue.editions[lang]
        biggest = max(edition.articles, key=lambda a: len(a.body_html.encode("utf-8")))
        problems.append(
            Problem(
                issue.source,
                _edition_line(root, issue.source, lang),
                f"the '{lang}' email is {size / KB:.1f} KB of HTML; Gmail clips emails over "
                f"{SIZE_LIMIT // KB} KB and hides the rest, unsubscribe link included",
                severity=severity,
                hint=f"shorten the articles or list fewer; the longest is {biggest.source} "
                f"({len(biggest.body_html.encode('utf-8')) / KB:.1f} KB)",
            )
        )
    return problems


def _edition_line(root: Path, shown: str, lang: str) -> int | None:
    source, _ = read_text(root / shown, shown)
    if source is None:
        return None
    _, line_of, _ = load_yaml(source)
    return line_of(("editions", lang))
