"""Every rule a communicator can break, reported as a list of problems.

:func:`check` is what ``flemletter check`` runs and what every build runs first: it loads the
configuration, the issue with its articles, the templates and their catalogues, renders each
edition once, and returns everything it found, errors and warnings, each with file and line.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from gettext import NullTranslations
from pathlib import Path

import jinja2

from flemletter.config import Config, load_config
from flemletter.content import issue_path, load_issue
from flemletter.models import Issue
from flemletter.preflight import preflight
from flemletter.problems import Problem, Severity, display_path, sort_problems
from flemletter.published import load_pictures
from flemletter.render.email import MJMLError, RenderedEmail, render_email
from flemletter.render.email_checks import mjml_problem, output_problems, template_checks
from flemletter.render.i18n import Catalogue, load_catalogue
from flemletter.render.templates import environment, refused_overrides, template_folders


@dataclass
class CheckResult:
    """What ``check`` found, and what it loaded on the way (for the build to reuse)."""

    config: Config | None = None
    issue: Issue | None = None
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    emails: dict[str, RenderedEmail] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check(root: Path, issue: str) -> CheckResult:
    """Load and check everything an issue needs; never raises for a user's mistake."""
    result = CheckResult()
    config, problems = load_config(root)
    result.config = config
    result.problems += problems
    if config is None:
        return _sorted(result)
    result.issue, problems = load_issue(config, issue_path(root, issue))
    result.problems += problems
    result.problems += load_pictures(config)[2]
    for lang in config.languages:
        result.catalogues[lang], problems = load_catalogue(_theme_for(root), lang)
        result.problems += problems
    result.problems += template_problems(root)
    result.problems += template_checks(root, result.catalogues, _theme_for(root))
    if not result.errors and result.issue is not None:
        result.problems += edition_coverage(config, result.issue)
        for lang, edition in result.issue.editions.items():
            try:
                result.emails[lang] = render_email(config, edition, result.catalogues[lang])
            except MJMLError as exc:
                result.problems.append(mjml_problem(root, exc))
            except jinja2.TemplateError as exc:
                result.problems.append(_template_error(root, exc))
        result.problems += output_problems(root, result.issue, result.emails)
        result.problems += preflight(config, result.issue, result.emails, result.catalogues)
    return _sorted(result)


def _sorted(result: CheckResult) -> CheckResult:
    result.problems = sort_problems(dict.fromkeys(result.problems))  # one per template mistake
    return result


def _theme_for(root: Path) -> Path:
    """The folder whose ``locales/`` holds the catalogues: the first that has one."""
    for folder in template_folders(root):
        if (folder / "locales").is_dir():
            return folder
    return template_folders(root)[-1]


def template_problems(root: Path) -> list[Problem]:
    """Syntax errors in any template, with the template's file and line."""
    problems = []
    env = environment(root, Catalogue("", NullTranslations(), frozenset()))
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        assert env.loader is not None
        source, filename, _ = env.loader.get_source(env, name)
        try:
            env.parse(source, name, filename)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(_template_error(root, exc))
    for shown, refused in refused_overrides(root):
        problems.append(Problem(shown, None, refused.reason, hint=refused.hint))
    return problems


def _template_error(root: Path, exc: jinja2.TemplateError) -> Problem:
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename is None:
        # an error while rendering (an undefined name, a failing filter): Jinja2 puts the
        # template's own file and line into the traceback
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                filename, line = frame.filename, frame.lineno
                break
    shown = display_path(Path(filename), root) if filename else "templates"
    return Problem(shown, line, f"template error: {exc.message or exc}")


def edition_coverage(config: Config, issue: Issue) -> list[Problem]:
    """Every configured language should get an edition; a missing one is a warning."""
    return [
        Problem(
            issue.source,
            None,
            f"no '{lang}' edition: subscribers reading '{lang}' get nothing this month",
            severity=Severity.WARNING,
            hint=f"add an edition under 'editions: {lang}:'",
        )
        for lang in config.languages
        if lang not in issue.editions
    ]
