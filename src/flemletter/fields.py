"""The kinds of text a communicator writes, checked once where they are read.

Every field of the issue, the articles and ``flemletter.toml`` that ends up in an email header,
a web page or a feed is one of these types, so whatever ``check`` accepts the build, the MIME
writer and the feeds accept too: no line break where one line belongs (a subject with a line
break is a second header), no control characters anywhere, web addresses that are really
absolute ``https://`` addresses, dates that are real dates.

Each rule raises a :class:`FieldError`, which :func:`flemletter.sources.validation_problems`
turns into a problem at the field's file and line with the hint given here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

FIELD_ERROR = "flemletter_field"
"""The pydantic error type of these rules; its context carries ``hint``."""

MAX_LINE = 300
"""Characters in a one-line field (a subject, a title, a name): more is not a line any more."""
MAX_HEADER = 150
"""Characters in a field that becomes an email header (subject, sender name): inboxes show
about 60; RFC 5322 lines stop at 998 bytes, and UTF-8 encoding triples some characters."""
MAX_TEXT = 5_000
"""Characters in a multi-line field of a YAML or TOML file (a teaser, a postal address)."""
MAX_ADDRESS = 2_000
"""Characters in a web address: what browsers and mail clients handle everywhere."""

_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters other than tab and line feed."""
_LINE_BREAK = re.compile(f"[{_BREAKS}]")
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_UNSAFE_IN_ADDRESS = re.compile(r"[\s\"'<>\\`^|]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_error(message: str, hint: str | None = None) -> PydanticCustomError:
    """The error pydantic reports, with ``hint`` for the communicator."""
    return PydanticCustomError(FIELD_ERROR, "{message}", {"message": message, "hint": hint})


_CONTROL_NAMES = {
    "\x00": "NULL",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\n": "LINE FEED",
    "\x0b": "VERTICAL TAB",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}


def printable(text: str) -> str:
    """``text`` with line breaks and control characters written as ``\\x0b`` etc., so that
    echoing it in a message neither breaks the line nor drives the terminal."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode() for c in text
    )


def char_name(char: str) -> str:
    """``U+2028 LINE SEPARATOR``: a character nobody can see, named so one can find it."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else " (a control character)")


def _no_controls(value: str) -> str:
    if found := _CONTROL.search(value.replace("\r", "\n")):
        raise field_error(
            f"contains an invisible control character ({char_name(found.group())})"
            f" at character {found.start() + 1}",
            "delete it and type the text again (it often comes with copying from a PDF or a"
            " terminal)",
        )
    return value


def _one_line(limit: int) -> Any:
    def check(value: str) -> str:
        if found := _LINE_BREAK.search(value):
            what = (
                "a line break"
                if found.group() in "\n\r"
                else f"a line break ({char_name(found.group())})"
            )
            raise field_error(
                f"contains {what} at character {found.start() + 1}: it must be one line",
                "write it on one line, in quotes (in YAML, not as a '|' block)",
            )
        _no_controls(value)
        if "\t" in value:
            raise field_error(
                f"contains a tab at character {value.index(chr(9)) + 1}", "use a space instead"
            )
        if len(value) > limit:
            raise field_error(f"is {len(value)} characters long (at most {limit})", "shorten it")
        return value

    return AfterValidator(check)


def _no_encoded_words(value: str) -> str:
    if found := _ENCODED_WORD.search(value):
        raise field_error(
            f"contains '{found.group()}', which mail programs read as encoded header text",
            "write the text itself: flemletter encodes headers as needed",
        )
    return value


def _text(value: str) -> str:
    _no_controls(value)
    if len(value) > MAX_TEXT:
        raise field_error(f"is {len(value)} characters long (at most {MAX_TEXT})", "shorten it")
    return value


def _web_address(*, https_only: bool, query: bool) -> Any:
    def check(value: str) -> str:
        example = "e.g. https://news.example.org/"
        if found := _UNSAFE_IN_ADDRESS.search(value):
            char = found.group()
            shown = "a space or line break" if char.isspace() else f"'{char}'"
            raise field_error(
                f"'{_shown(value)}' contains {shown}, which a web address cannot hold",
                "remove it (write a space as %20)",
            )
        _no_controls(value)
        if len(value) > MAX_ADDRESS:
            raise field_error(
                f"is {len(value)} characters long (at most {MAX_ADDRESS})", "shorten it"
            )
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises for a port that is not a number)
        except ValueError:
            raise field_error(f"'{_shown(value)}' is not a web address", example) from None
        schemes = ("https",) if https_only else ("https", "http")
        if parts.scheme.lower() not in schemes or not parts.netloc:
            need = "https://" if https_only else "https:// (or http://)"
            raise field_error(
                f"'{_shown(value)}' must be an absolute URL starting with {need}",
            )
        if not parts.hostname or (
            "." not in parts.hostname
            and ":" not in parts.hostname
            and parts.hostname != "localhost"
        ):
            raise field_error(f"'{_shown(value)}' has no host name", example)
        if parts.username is not None or parts.password is not None:
            raise field_error(
                "carries a user name or password (the part before '@'; not shown here)",
                "remove it: a web address in an email or page is public",
            )
        if not query and (parts.query or parts.fragment or "?" in value or "#" in value):
            raise field_error(
                f"'{_shown(value)}' has a '?' or '#' part, which cannot be here",
                f"give only the folder, {example}",
            )
        return value

    return AfterValidator(check)


def shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _shown(value: str) -> str:
    return shorten(printable(value))


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    # reported as pydantic's own date error: "'date': '0' is not a date", with the hint
    not_a_date = PydanticCustomError("date_parsing", "not a date")
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise not_a_date
    try:
        date = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise not_a_date from None
    if not 1900 <= date.year <= 2999:
        raise not_a_date
    return date


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        # never echo it: it may be the very password that belongs in the environment
        raise field_error(
            "must be the NAME of an environment variable (capital letters, digits and '_',"
            " e.g. FLEMLETTER_SMTP_PASSWORD), not the secret itself (the value is not shown)",
            "put the name here and the secret into that environment variable; if a real"
            " password was written here, change it, since the file may be shared",
        )
    return value


OneLine = Annotated[str, _one_line(MAX_LINE)]
"""A title, a section, a tag, an alt text: one line, no control characters."""
HeaderLine = Annotated[str, _one_line(MAX_HEADER), AfterValidator(_no_encoded_words)]
"""Text that becomes an email header (subject, sender name): one line, no encoded words."""
Text = Annotated[str, AfterValidator(_text)]
"""Several lines allowed (a teaser, a postal address), but no control characters."""
WebAddress = Annotated[str, _web_address(https_only=False, query=True)]
"""An absolute http(s) address of a page elsewhere."""
HttpsAddress = Annotated[str, _web_address(https_only=True, query=True)]
"""An absolute https address (an endpoint: a query is fine)."""
BaseAddress = Annotated[str, _web_address(https_only=True, query=False)]
"""Where something is published: https, a host, a path, nothing after it."""
Date = Annotated[dt.date, BeforeValidator(_date)]
"""A real date written YYYY-MM-DD (not ``0``, not ``20251201``)."""
EnvName = Annotated[str, AfterValidator(_env_name)]
"""The name of an environment variable that holds a secret."""

MIN_SECRET_LENGTH = 32
"""Characters of the unsubscribe secret: guessing it must be out of the question."""
MAKE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def weak_secret(value: str) -> str | None:
    """Why ``value`` is too weak to sign links with, or None when it will do."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"is {len(value)} characters long; it must be at least {MIN_SECRET_LENGTH}"
    if len(set(value)) < 8:
        return "repeats a few characters; it must be random"
    return None
