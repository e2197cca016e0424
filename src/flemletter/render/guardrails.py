"""MJML guardrails: the template mistakes mjml-python lets through or reports by byte offset.

mjml-python (MRML) does not validate. Measured traps (see the email reference):

- a bare ``0`` in a padding shorthand (``padding="0 12px"``) is dropped from its width maths,
  so images and Outlook cells come out too wide on phones;
- ``mj-include`` loses the 600 px body width for the sections it includes;
- ``mj-html-attributes`` makes the compiler fail;
- an unknown ``mj-`` tag passes into the HTML untouched.

:func:`lint_templates` finds these in the template sources, with file, line and column.
When the compiler refuses the MJML anyway, :func:`compile_problem` turns its byte offset
(or, for "unexpected end of stream", the first unclosed tag) into the template file and line
that wrote it, and shows the offending line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from flemletter.problems import Problem, did_you_mean, display_path

MJML_SUFFIX = ".mjml.j2"

KNOWN_TAGS = frozenset(
    {
        "mjml", "mj-head", "mj-body", "mj-attributes", "mj-all", "mj-class", "mj-breakpoint",
        "mj-font", "mj-preview", "mj-style", "mj-title", "mj-accordion",
        "mj-accordion-element", "mj-accordion-title", "mj-accordion-text", "mj-button",
        "mj-carousel", "mj-carousel-image", "mj-column", "mj-divider", "mj-group", "mj-hero",
        "mj-image", "mj-navbar", "mj-navbar-link", "mj-raw", "mj-section", "mj-social",
        "mj-social-element", "mj-spacer", "mj-table", "mj-text", "mj-wrapper",
        # MJML knows these, but they break in mjml-python; reported with their own advice:
        "mj-include", "mj-html-attributes", "mj-html-attribute", "mj-selector",
    }
)  # fmt: skip
FORBIDDEN_TAGS = {
    "mj-include": (
        "mj-include loses the 600 px body width in mjml-python",
        'include templates with Jinja2 instead: {% include "email/part.mjml.j2" %}',
    ),
    "mj-html-attributes": (
        "mj-html-attributes makes mjml-python fail",
        "put the attribute in the HTML inside mj-text or mj-raw, or use css-class",
    ),
}

_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_JINJA_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_MJ_TAG = re.compile(r"<(/?)(mjml|mj-[a-zA-Z0-9-]+)\b([^>]*?)(/?)>", re.DOTALL)
_PADDING = re.compile(r"""\b((?:[a-z]+-)?padding)\s*=\s*(["'])(.*?)\2""", re.DOTALL)
_POSITION = re.compile(r"at position (\d+):(\d+)")


@dataclass(frozen=True)
class TemplateSource:
    name: str
    """The name templates include it by, e.g. ``email/lead.mjml.j2``."""
    shown: str
    """Its path as the user sees it."""
    text: str


def mjml_templates(env: jinja2.Environment, root: Path) -> list[TemplateSource]:
    """The MJML templates in effect: a newsletter's own ones hide the theme's."""
    assert env.loader is not None
    sources = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(MJML_SUFFIX)):
        text, filename, _ = env.loader.get_source(env, name)
        shown = display_path(Path(filename), root) if filename else name
        sources.append(TemplateSource(name, shown, text))
    return sources


def lint_templates(templates: Iterable[TemplateSource]) -> list[Problem]:
    """Every guardrail broken in the templates' own text, with file:line:column."""
    problems = []
    for template in templates:
        text = _blank(_JINJA_COMMENT, template.text)
        for match in _MJ_TAG.finditer(text):
            problems += _tag_problems(template, match)
        for match in _PADDING.finditer(_blank(_JINJA_CODE, text)):
            problems += _padding_problems(template, match)
    return problems


def _blank(pattern: re.Pattern[str], text: str) -> str:
    """``text`` with ``pattern``'s matches replaced by spaces, keeping lines and columns."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def _tag_problems(template: TemplateSource, match: re.Match[str]) -> list[Problem]:
    name = match.group(2)
    if match.group(1):  # closing tags are reported at their opening
        return []
    line, column = line_and_column(template.text, match.start())
    if name in FORBIDDEN_TAGS:
        message, hint = FORBIDDEN_TAGS[name]
        return [Problem(template.shown, line, message, hint=hint, column=column)]
    if name not in KNOWN_TAGS:
        hint = did_you_mean(name, KNOWN_TAGS) or "see https://documentation.mjml.io for MJML tags"
        message = f"unknown MJML tag <{name}>: mjml-python would copy it into the email as is"
        return [Problem(template.shown, line, message, hint=hint, column=column)]
    return []


def _padding_problems(template: TemplateSource, match: re.Match[str]) -> list[Problem]:
    attribute, value = match.group(1), match.group(3)
    problems = []
    for token in re.finditer(r"\S+", value):
        if token.group() == "0":
            line, column = line_and_column(template.text, match.start(3) + token.start())
            fixed = " ".join("0px" if part == "0" else part for part in value.split())
            problems.append(
                Problem(
                    template.shown,
                    line,
                    f'bare 0 in {attribute}="{value}": mjml-python then gets the widths wrong',
                    hint=f'write units: {attribute}="{fixed}"',
                    column=column,
                )
            )
    return problems


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def compile_problem(
    message: str, mjml: str, templates: list[TemplateSource], fallback: str
) -> Problem:
    """mjml-python's error as a problem at the template line that wrote the offending MJML."""
    offset = _error_offset(message, mjml)
    if offset is None:
        unbalanced = unbalanced_tag(mjml)
        if unbalanced is None:
            return Problem(fallback, None, f"MJML error: {message}")
        offset, what = unbalanced
        message = f"{message}: {what}"
    return located(f"MJML error: {message}", mjml, offset, templates, fallback)


def structure_problem(mjml: str, templates: list[TemplateSource], fallback: str) -> Problem | None:
    """A tag closed by the wrong name, which mjml-python accepts and renders wrongly."""
    unbalanced = unbalanced_tag(mjml)
    if unbalanced is None:
        return None
    offset, what = unbalanced
    return located(f"MJML tags do not match: {what}", mjml, offset, templates, fallback)


def located(
    message: str, mjml: str, offset: int, templates: list[TemplateSource], fallback: str
) -> Problem:
    """A problem at ``offset`` of the rendered MJML, placed at the template line behind it."""
    lines = mjml.splitlines()
    index = mjml.count("\n", 0, offset)
    hint = f"the line reads: {lines[index].strip()[:160]}" if index < len(lines) else None
    found = template_line(lines, index, templates)
    if found is None:
        line, column = line_and_column(mjml, offset)
        return Problem(fallback, None, f"{message} (line {line}:{column} of the MJML)", hint=hint)
    return Problem(found[0], found[1], message, hint=hint)


def _error_offset(message: str, mjml: str) -> int | None:
    """The character offset of mjml-python's ``at position START:END`` (a byte offset)."""
    match = _POSITION.search(message)
    if match is None:
        return None
    start = int(match.group(1))
    return len(mjml.encode("utf-8")[:start].decode("utf-8", errors="ignore"))


def unbalanced_tag(mjml: str) -> tuple[int, str] | None:
    """The first MJML tag left open or closed by the wrong name, with its offset."""
    stack: list[tuple[str, int]] = []
    for match in _MJ_TAG.finditer(mjml):
        closing, name, self_closing = match.group(1), match.group(2), match.group(4)
        if self_closing:
            continue
        if not closing:
            stack.append((name, match.start()))
        elif stack and stack[-1][0] == name:
            stack.pop()
        elif any(opened == name for opened, _ in stack):
            # Closing an outer tag: the tags opened inside it were never closed.
            names = [opened for opened, _ in stack]
            unclosed, offset = stack[len(names) - names[::-1].index(name)]
            return offset, f"<{unclosed}> is never closed"
        else:
            expected = f"</{stack[-1][0]}>" if stack else "nothing"
            return match.start(), f"</{name}> found where {expected} was expected"
    if stack:
        name, offset = stack[-1]
        return offset, f"<{name}> is never closed"
    return None


def template_line(
    rendered: list[str], index: int, templates: list[TemplateSource], context: int = 3
) -> tuple[str, int] | None:
    """The template line most likely to have written ``rendered[index]``.

    Each template line's fixed text is matched against the rendered line, and its
    neighbours against the rendered line's neighbours, so that a common line such as
    ``<mj-column>`` is placed by the lines around it.
    """
    best: tuple[int, str, int] | None = None
    for template in templates:
        patterns = [_line_pattern(line) for line in template.text.splitlines()]
        for number, (pattern, fixed) in enumerate(patterns):
            if fixed < 4 or not pattern.search(rendered[index].strip()):
                continue
            score = fixed
            for step in range(1, context + 1):
                for t, r in ((number - step, index - step), (number + step, index + step)):
                    if 0 <= t < len(patterns) and 0 <= r < len(rendered):
                        near, near_fixed = patterns[t]
                        if near_fixed and near.search(rendered[r].strip()):
                            score += near_fixed
            if best is None or score > best[0]:
                best = (score, template.shown, number + 1)
    return None if best is None else (best[1], best[2])


def _line_pattern(line: str) -> tuple[re.Pattern[str], int]:
    """A template line as a regex: its literal text, with any Jinja code matching anything."""
    parts = _JINJA_CODE.split(_JINJA_COMMENT.sub("", line).strip())
    literal = [re.escape(" ".join(part.split())).replace(r"\ ", r"\s+") for part in parts]
    fixed = sum(len(part.strip()) for part in parts)
    return re.compile(".*?".join(literal)), fixed
