"""The template author's own CSS, checked against caniemail.com's support data.

Only the CSS someone wrote by hand is linted: the ``<mj-style>`` block of
``email/styles.mjml.j2`` (kept in a ``<style>`` element, so selectors, at-rules and
properties all matter) and ``email/inline.css.j2`` (inlined at build time, so only properties
and values matter: its selectors never reach a mail client). MJML's own generated CSS is
MJML's business. Each unsupported feature is reported once per file, at its first line,
naming the clients that ignore it (Gmail, Outlook for Windows, Apple Mail).

A feature used on purpose as an enhancement can be acknowledged in the template with a
Jinja comment, which never reaches the email: ``{# caniemail-ok: css-at-media #}``.

The data is vendored from the ``caniemail`` npm package (MIT): ``data/caniemail/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from flemletter.files import Refused, inside
from flemletter.problems import Problem, Severity, display_path
from flemletter.render.templates import THEME, template_folders

STYLE_TEMPLATE = "email/styles.mjml.j2"
INLINE_TEMPLATE = "email/inline.css.j2"

CLIENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Gmail": ("gmail", ("desktop-webmail", "ios", "android")),
    "Outlook for Windows": ("outlook", ("windows",)),
    "Apple Mail": ("apple-mail", ("macos", "ios")),
}
"""The clients linted for: caniemail family and the platforms that count for it."""

ACKNOWLEDGED = re.compile(r"\{#-?\s*caniemail-ok:\s*([^#]*?)-?#\}", re.S)


@dataclass(frozen=True)
class Feature:
    slug: str
    title: str
    stats: dict[str, Any]


@cache
def features() -> dict[str, Feature]:
    """caniemail's features by slug."""
    raw = (files("flemletter") / "data" / "caniemail" / "caniemail.json").read_text("utf-8")
    return {
        item["slug"]: Feature(item["slug"], item["title"], item["stats"])
        for item in json.loads(raw)["data"]
    }


def unsupported_in(feature: Feature) -> list[str]:
    """The linted clients whose latest test says "not supported" (on some of their platforms)."""
    clients = []
    for name, (family, platforms) in CLIENTS.items():
        results = feature.stats.get(family, {})
        failing = [
            platform
            for platform in platforms
            if platform in results
            and results[platform]
            and str(list(results[platform].values())[-1]).startswith("n")
        ]
        if failing == [p for p in platforms if p in results] and failing:
            clients.append(name)
        elif failing:
            clients.append(f"{name} ({', '.join(failing)})")
    return clients


@dataclass(frozen=True)
class Use:
    """One use of a caniemail feature at a line of the template."""

    slug: str
    line: int
    text: str


def lint_templates(root: Path) -> list[Problem]:
    """Warnings for CSS in the author's templates that a linted client does not support."""
    problems: list[Problem] = []
    for name, selectors_matter in ((STYLE_TEMPLATE, True), (INLINE_TEMPLATE, False)):
        path = _find(root, name)
        if path is None:
            continue
        source = path.read_text(encoding="utf-8")
        css = css_of_template(source, only_mj_style=name == STYLE_TEMPLATE)
        problems += lint_css(css, display_path(path, root), selectors_matter, acknowledged(source))
    return problems


def _find(root: Path, name: str) -> Path | None:
    for folder in template_folders(root):
        if (folder / name).is_file():
            try:  # the package's theme, or an override that stays in the folder
                return folder / name if folder == THEME else inside(root, folder / name)
            except Refused:
                return None  # the template loader names it
    return None


def acknowledged(source: str) -> set[str]:
    return {slug for group in ACKNOWLEDGED.findall(source) for slug in re.split(r"[\s,]+", group)}


def lint_css(css: str, shown: str, selectors_matter: bool, ok: set[str]) -> list[Problem]:
    first: dict[str, Use] = {}
    for use in feature_uses(css, selectors_matter):
        if use.slug in features() and use.slug not in ok:
            first.setdefault(use.slug, use)
    problems = []
    for use in first.values():
        feature = features()[use.slug]
        clients = unsupported_in(feature)
        if clients:
            what = feature.title if use.text == feature.title else f"{feature.title} ({use.text})"
            problems.append(
                Problem(
                    shown,
                    use.line,
                    f"CSS {what} is not supported by {', '.join(clients)}",
                    severity=Severity.WARNING,
                    hint=f"see https://www.caniemail.com/features/{use.slug}/; if it is only an "
                    f"enhancement, say so in the template: {{# caniemail-ok: {use.slug} #}}",
                )
            )
    return problems


def css_of_template(source: str, only_mj_style: bool) -> str:
    """The CSS of a template with Jinja and comments blanked out; lines and columns are kept."""
    text = re.sub(r"\{\{.*?\}\}", lambda m: _blank(m.group(), "x"), source, flags=re.S)
    text = re.sub(r"\{[#%].*?[#%]\}", lambda m: _blank(m.group()), text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", lambda m: _blank(m.group()), text, flags=re.S)
    if not only_mj_style:
        return text
    kept = [" " if c != "\n" else c for c in text]
    for block in re.finditer(r"<mj-style[^>]*>(.*?)</mj-style>", text, flags=re.S):
        kept[block.start(1) : block.end(1)] = block.group(1)
    return "".join(kept)


def _blank(text: str, filler: str = " ") -> str:
    """``text`` replaced by ``filler`` characters, its newlines kept."""
    return "".join(c if c == "\n" else filler for c in text)


_AT_RULES = {
    "media": "css-at-media",
    "font-face": "css-at-font-face",
    "import": "css-at-import",
    "keyframes": "css-at-keyframes",
    "supports": "css-at-supports",
}
_MEDIA_FEATURES = {
    "prefers-color-scheme": "css-at-media-prefers-color-scheme",
    "prefers-reduced-motion": "css-at-media-prefers-reduced-motion",
    "orientation": "css-at-media-orientation",
    "hover": "css-at-media-hover",
    "device-pixel-ratio": "css-at-media-device-pixel-ratio",
}
_BOX_FAMILIES = ("margin", "padding", "border")
_UNITS = {"px": "css-unit-px", "em": "css-unit-em", "rem": "css-unit-rem", "%": "css-unit-percent"}
_UNITS |= {u: f"css-unit-{u}" for u in ("vh", "vw", "ch", "ex", "pt", "cm", "mm", "in", "pc")}
_FUNCTIONS = {
    "rgb": "css-rgb",
    "rgba": "css-rgba",
    "calc": "css-unit-calc",
    "min": "css-function-min",
    "max": "css-function-max",
    "clamp": "css-function-clamp",
    "light-dark": "css-function-light-dark",
    "linear-gradient": "css-linear-gradient",
    "radial-gradient": "css-radial-gradient",
    "conic-gradient": "css-conic-gradient",
}


def feature_uses(css: str, selectors_matter: bool) -> Iterator[Use]:
    """Every caniemail feature ``css`` uses, in order, with its line."""
    start = 0
    for match in re.finditer(r"[{};]", css):
        chunk = css[start : match.start()]
        line = css.count("\n", 0, start + len(chunk) - len(chunk.lstrip())) + 1
        text = " ".join(chunk.split())
        start = match.end()
        if not text:
            continue
        if match.group() == "{":
            if text.startswith("@"):
                yield from _at_rule(text, line)
            elif selectors_matter:
                yield from _selector(text, line)
        elif ":" in text and not text.startswith("@"):
            yield from _declaration(text, line)
        elif text.startswith("@"):
            yield from _at_rule(text, line)


def _at_rule(text: str, line: int) -> Iterator[Use]:
    name = re.match(r"@([\w-]+)", text)
    if name and name.group(1) in _AT_RULES:
        yield Use(_AT_RULES[name.group(1)], line, f"@{name.group(1)}")
    for feature, slug in _MEDIA_FEATURES.items():
        if feature in text:
            yield Use(slug, line, text)


def _selector(text: str, line: int) -> Iterator[Use]:
    if "," in text:
        yield Use("css-selector-grouping", line, text)
    for part in text.split(","):
        part = part.strip()
        compact = re.sub(r"\s*([>+~])\s*", r"\1", re.sub(r"\[[^\]]*\]", "[]", part))
        checks = [
            ("css-selector-child", ">" in compact),
            ("css-selector-adjacent-sibling", "+" in compact),
            ("css-selector-general-sibling", "~" in compact),
            ("css-selector-descendant", " " in compact),
            ("css-selector-attribute", "[" in part),
            ("css-selector-id", re.search(r"#[\w-]", part) is not None),
            ("css-selector-universal", "*" in part),
            ("css-selector-class", "." in compact),
        ]
        for slug, used in checks:
            if used:
                yield Use(slug, line, part)
        for pseudo in re.findall(r"(?<!:):([\w-]+)", part):
            yield Use(f"css-pseudo-class-{pseudo}", line, part)
        for element in re.findall(r"::([\w-]+)", part):
            yield Use(f"css-pseudo-element-{element}", line, part)


def _declaration(text: str, line: int) -> Iterator[Use]:
    prop, _, value = text.partition(":")
    prop = prop.strip().lower()
    value = value.strip()
    slug = f"css-{prop}"
    if slug not in features():
        family = next((f for f in _BOX_FAMILIES if prop.startswith(f + "-")), None)
        slug = f"css-{family}" if family else slug
    yield Use(slug, line, prop)
    if "!important" in value:
        yield Use("css-important", line, "!important")
    if prop == "display":
        yield Use(f"css-display-{value.split()[0]}", line, f"display: {value.split()[0]}")
    for name in re.findall(r"([\w-]+)\(", value):
        if name in _FUNCTIONS:
            yield Use(_FUNCTIONS[name], line, f"{name}()")
    for unit in re.findall(r"\d(%|[a-z]+)", value):
        if unit in _UNITS:
            yield Use(_UNITS[unit], line, unit)
