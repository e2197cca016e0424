"""The Jinja2 environment for one language: templates, translations, filters.

Templates come from the package's theme; a newsletter may override any of them by putting a
file with the same path in its own ``templates/`` folder.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2

from flemletter.render import text
from flemletter.render.i18n import Catalogue

THEME = Path(str(files("flemletter") / "templates"))
OVERRIDES = "templates"


def template_folders(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    own = root / OVERRIDES
    return [own, THEME] if own.is_dir() else [THEME]


@cache
def environment(root: Path, catalogue: Catalogue) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_folders(root)),
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
