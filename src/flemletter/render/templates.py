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


class _Loader(jinja2.FileSystemLoader):
    """Templates from the newsletter's ``templates/`` (through the file gate), then the theme."""

    def __init__(self, root: Path) -> None:
        super().__init__(template_folders(root))
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        path = Path(filename)
        if path.is_relative_to(self.root / OVERRIDES):
            try:
                inside(self.root, path)
            except Refused as refused:
                raise jinja2.TemplateError(
                    f"{OVERRIDES}/{template}: {refused.reason} — {refused.hint}"
                ) from None
        return source, filename, uptodate


@cache
def environment(root: Path, catalogue: Catalogue) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_Loader(root),
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
