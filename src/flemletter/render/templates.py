"""The Jinja2 environment for one language: templates, translations, filters.

Templates come from the package's theme; a newsletter may override any of them by putting a
file with the same path in its own ``templates/`` folder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2

from flemletter.files import Refused, inside
from flemletter.render import text
from flemletter.render.i18n import Catalogue

THEME = Path(str(files("flemletter") / "templates"))
OVERRIDES = "templates"


def template_folders(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    own = root / OVERRIDES
    return [own, THEME] if own.is_dir() else [THEME]


class _GatedOverrides(jinja2.FileSystemLoader):
    """The newsletter's own templates, through the file gate: one the gate refuses (a link
    out of the newsletter) is passed over here, and named by :func:`refused_overrides`."""

    def __init__(self, root: Path) -> None:
        super().__init__(root / OVERRIDES)
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        found = super().get_source(environment, template)
        try:
            inside(self.root, Path(found[1]))
        except Refused:
            raise jinja2.TemplateNotFound(template) from None
        return found

    def list_templates(self) -> list[str]:
        refused = {shown.removeprefix(f"{OVERRIDES}/") for shown, _ in refused_overrides(self.root)}
        return [name for name in super().list_templates() if name not in refused]


def refused_overrides(root: Path) -> list[tuple[str, Refused]]:
    """Files in the newsletter's ``templates/`` that the file gate refuses, by shown path."""
    own = root / OVERRIDES
    if not own.is_dir():
        return []
    refused = []
    for path in sorted(own.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        try:
            inside(root, path)
        except Refused as exc:
            refused.append((path.relative_to(root).as_posix(), exc))
    return refused


@cache
def environment(root: Path, catalogue: Catalogue) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([_GatedOverrides(root), jinja2.FileSystemLoader(THEME)]),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("mjml.j2", "html.j2"), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.policies["ext.i18n.trimmed"] = True  # the same whitespace rule as babel.cfg
    env.install_gettext_translations(catalogue.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["wrap"] = text.wrap
    env.filters["heading"] = text.heading
    return env
