"""Reading the communicator's text files: UTF-8, YAML with line numbers, front matter, TOML.

Each reader returns plain Python data plus a :class:`Locator` that turns a path inside that
data (``("editions", "en", "articles", 2)``) into the line it came from, so validation
errors found later can still point at the right line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamStartEvent,
)

from flemletter.fields import FIELD_ERROR, char_name, printable, shorten
from flemletter.problems import Problem, did_you_mean

Loc = tuple[int | str, ...]
LineOf = Callable[[Loc], int | None]


@dataclass(frozen=True)
class Source:
    """A text file as read: its display path and text."""

    path: str
    text: str


KB = 1024
MB = 1024 * KB
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no text file of a communicator holds (tab, LF and CR are fine)."""
MAX_CONTROLS_SHOWN = 3
MAX_ARTICLE_BYTES = 1 * MB
"""An article of 1 MB is a short book: anything bigger is a wrong file (or an attack)."""
MAX_SETTINGS_BYTES = 100 * KB
"""An issue file or ``flemletter.toml``: a few KB in practice."""


def read_text(
    path: Path, shown_as: str, *, max_bytes: int | None = None, controls: bool = False
) -> tuple[Source | None, list[Problem]]:
    """Read ``path`` as UTF-8. A file in another encoding is a problem naming the line.

    With ``max_bytes``, a bigger file is refused before it is read; with ``controls``, each
    control character (VT, FF, ESC, NUL, ...) is a problem at its line and column, so it is
    reported in the communicator's file rather than where it breaks the email later."""
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            return None, [_too_big(shown_as, size, max_bytes)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown_as, None, f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                shown_as,
                line,
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be read)",
                hint="save it with the UTF-8 encoding in your editor",
            )
        ]
    text = text.removeprefix("\ufeff")
    if controls and (found := control_problems(shown_as, text)):
        return None, found
    return Source(shown_as, text), []


def _too_big(shown: str, size: int, limit: int) -> Problem:
    return Problem(
        shown,
        None,
        f"the file is {_size(size)}, more than the {_size(limit)} such a file may have",
        hint="is it the right file? Split a long text into several articles",
    )


def _size(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size / KB:.0f} KB"


def control_problems(shown: str, text: str) -> list[Problem]:
    """A problem at line and column for each control character (the first few, then a count)."""
    problems: list[Problem] = []
    matches = _CONTROL.finditer(text)
    for found in matches:
        if len(problems) == MAX_CONTROLS_SHOWN:
            more = 1 + sum(1 for _ in matches)
            problems.append(Problem(shown, None, f"{more} more control characters"))
            break
        start = text.rfind("\n", 0, found.start()) + 1
        problems.append(
            Problem(
                shown,
                text.count("\n", 0, found.start()) + 1,
                f"an invisible control character ({char_name(found.group())})",
                hint="delete it (it often comes with text copied from a PDF or a terminal)",
                column=found.start() - start + 1,
            )
        )
    return problems


class _DatesAsText(RoundTripConstructor):
    """Leaves dates as text: pydantic parses them later, so '2025-02-30' gets a line number."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_scalar)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # round-trip mode keeps line numbers; YAML 1.2, so `no` stays a string
    yaml.Constructor = _DatesAsText
    yaml.allow_duplicate_keys = False
    return yaml


MAX_YAML_DEPTH = 20
"""Lists and groups of fields inside each other: an issue needs four."""


def load_yaml(source: Source, first_line: int = 1) -> tuple[Any, LineOf, list[Problem]]:
    """Parse YAML text; ``first_line`` is where it starts in its file (front matter: 2).

    Anchors and aliases (``&a``, ``*a``) and tags (``!!binary``, ``!!python/...``) are
    refused before anything is built: communicators never need them, and an alias of an
    alias of an alias is the few hundred bytes that grow to gigabytes."""
    try:
        problem = _unwanted_yaml(source, first_line)
        if problem is not None:
            return None, _no_line, [problem]
        data = _yaml().load(source.text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark is not None else None
        what = (exc.problem or exc.context or "not valid YAML").strip()
        hint = (
            "a field may appear only once: remove or rename one of them"
            if isinstance(exc, DuplicateKeyError)
            else "check the indentation and put quotes around text containing ':' or '#'"
        )
        problem = Problem(source.path, line, f"not valid YAML: {what}", hint=hint)
        return None, _no_line, [problem]
    except Exception as exc:  # ruamel raises a few non-marked errors (duplicate keys, ...)
        return None, _no_line, [Problem(source.path, first_line, f"not valid YAML: {exc}")]

    def line_of(loc: Loc) -> int | None:
        line = _yaml_line(data, loc)
        return None if line is None else line + first_line

    return data, line_of, []


def _unwanted_yaml(source: Source, first_line: int) -> Problem | None:
    """The first anchor, alias or tag in ``source``, or nesting deeper than any issue needs.
    Reads the parser's events only, so nothing is expanded (linear in the text)."""
    depth = 0
    for event in _yaml().parse(source.text):
        unwanted: tuple[str, str] | None = None
        tag = getattr(event, "tag", None)
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            unwanted = (
                "YAML anchors and aliases ('&name', '*name') are not accepted here",
                "write the value out in full where it is needed",
            )
        elif tag is not None and not isinstance(event, (DocumentStartEvent, StreamStartEvent)):
            unwanted = (
                f"YAML tags ('{_tag_name(tag)}') are not accepted here",
                "remove the tag: write plain text, a list or fields",
            )
        elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                unwanted = (
                    f"lists and fields are nested more than {MAX_YAML_DEPTH} deep",
                    "an issue or article needs only a few levels: check the brackets",
                )
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            depth -= 1
        if unwanted is not None:
            message, hint = unwanted
            line = event.start_mark.line + first_line
            column = event.start_mark.column + 1
            return Problem(source.path, line, message, hint=hint, column=column)
    return None


def _tag_name(tag: Any) -> str:
    name = str(getattr(tag, "value", tag))
    return name.replace("tag:yaml.org,2002:", "!!")


def _no_line(loc: Loc) -> int | None:
    return None


def _yaml_line(node: Any, loc: Loc) -> int | None:
    """0-based line of the deepest element of ``loc`` that exists in the parsed YAML."""
    line: int | None = 0
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.value(key)[0] if _is_scalar(node[key]) else node.lc.key(key)[0]
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0]
            node = node[key]
        else:
            break
    return line


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (CommentedMap, CommentedSeq))


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class FrontMatterFile:
    meta: Any
    line_of: LineOf
    body: str
    body_first_line: int


def split_front_matter(source: Source) -> tuple[FrontMatterFile | None, list[Problem]]:
    """Split ``---``-fenced YAML front matter from a Markdown body."""
    match = FRONT_MATTER.match(source.text)
    if not match:
        hint = "start the file with a line '---', the fields (title: ...), then another '---'"
        if source.text.startswith("---"):
            return None, [Problem(source.path, 1, "the front matter is never closed", hint=hint)]
        return None, [Problem(source.path, 1, "the file has no front matter", hint=hint)]
    meta, line_of, problems = load_yaml(Source(source.path, match.group(1)), first_line=2)
    body_first_line = source.text.count("\n", 0, match.end()) + 1
    return FrontMatterFile(meta, line_of, source.text[match.end() :], body_first_line), problems


def load_toml(source: Source) -> tuple[dict[str, Any] | None, LineOf, list[Problem]]:
    """Parse TOML; lines of keys are found by reading the table headers and assignments."""
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, _no_line, [Problem(source.path, line, f"not valid TOML: {message}")]
    lines = _toml_key_lines(source.text)

    def line_of(loc: Loc) -> int | None:
        names = tuple(str(part) for part in loc)
        while names:
            if names in lines:
                return lines[names]
            names = names[:-1]
        return None

    return data, line_of, []


_TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each table and key path to its 1-based line (first occurrence wins)."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TOML_TABLE.match(line):
            table = _toml_dotted(header.group(1))
            found.setdefault(table, number)
        elif key := _TOML_KEY.match(line):
            found.setdefault(table + _toml_dotted(key.group(1)), number)
    return found


def _toml_dotted(name: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in name.split("."))


def validation_problems(
    error: ValidationError, path: str, line_of: LineOf, model: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn pydantic's errors into problems a communicator can act on."""
    items = error.errors(include_url=False)
    problems = []
    for item in items:
        loc: Loc = tuple(item["loc"])
        field = printable(".".join(str(part) for part in loc)) or "(file)"
        kind = item["type"]
        hint = None
        if kind == FIELD_ERROR:
            message = f"'{field}': {item['msg']}"
            hint = (item.get("ctx") or {}).get("hint")
        elif kind == "extra_forbidden":
            message = f"unknown field '{field}'"
            known = _sibling_fields(model, loc)
            hint = did_you_mean(str(loc[-1]), known) or (
                f"the fields here are: {', '.join(known)}" if known else None
            )
        elif kind == "missing":
            if any(_is_typo_of(loc, other) for other in _unknown(items)):
                continue  # reported once, as the misspelt field with its correction
            message = f"'{field}' is missing"
        elif kind.startswith(("date_", "datetime_")):
            message = f"'{field}': '{shorten(printable(str(item['input'])))}' is not a date"
            hint = "write dates as YYYY-MM-DD, e.g. 2025-11-20"
        elif kind == "too_short" and isinstance(item["input"], (list, dict)):
            message = f"'{field}' is empty"
            hint = "list at least one"
        elif kind in ("too_short", "string_too_short") and item["input"] == "":
            message = f"'{field}' is empty"
            hint = "fill it in"
        elif kind in ("string_type", "int_type", "list_type", "dict_type", "model_type"):
            expected = {"string_type": "text", "int_type": "a whole number", "list_type": "a list"}
            message = f"'{field}' should be {expected.get(kind, 'a group of fields')}"
        else:
            message = f"'{field}': {_plain(item['msg'])}"
        problems.append(Problem(path, line_of(loc), message, hint=hint))
    return problems


def _unknown(items: list[Any]) -> list[Loc]:
    return [tuple(i["loc"]) for i in items if i["type"] == "extra_forbidden"]


def _is_typo_of(missing: Loc, unknown: Loc) -> bool:
    """Whether the unknown field ``unknown`` is a misspelling of the missing ``missing``."""
    if missing[:-1] != unknown[:-1]:
        return False
    return did_you_mean(str(unknown[-1]), [str(missing[-1])]) is not None


def _plain(message: str) -> str:
    """pydantic's messages, minus the bits that only make sense to a programmer."""
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else message


def _sibling_fields(model: type[BaseModel] | None, loc: Loc) -> Sequence[str]:
    """Field names valid next to ``loc``'s last element, for 'did you mean'."""
    current: Any = model
    for part in loc[:-1]:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            # a mapping keyed by language etc.: stay on the value model
            continue
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside ``X``, ``X | None`` or ``dict[str, X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def as_plain(data: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (pydantic wants plain data)."""
    if isinstance(data, Mapping):
        return {str(k) if not isinstance(k, str) else k: as_plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_plain(v) for v in data]
    return data
