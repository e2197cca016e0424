"""``flemletter.toml``: the publication's settings, validated, with every bad key reported.

The file lives at the root of the newsletter repository; the folder holding it is the
*root* that articles, issues and the build are found relative to. Secrets never live here:
passwords and API keys come from environment variables named in :mod:`flemletter.delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from flemletter.fields import (
    BaseAddress,
    EnvName,
    HeaderLine,
    HttpsAddress,
    OneLine,
    Text,
    printable,
)
from flemletter.problems import Problem, UserError
from flemletter.sources import MAX_SETTINGS_BYTES, load_toml, read_text, validation_problems

CONFIG_NAME = "flemletter.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_address(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"'{value}' is not an email address ({exc})") from None
    return value


# Where a secret may travel unencrypted: nowhere but this machine.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def _is_loopback(host: str | None) -> bool:
    return host is not None and host.strip("[]").lower() in LOOPBACK_HOSTS


def _check_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not a time zone such as 'Europe/Stockholm'") from None
    return value


class Publication(_Strict):
    name: HeaderLine = Field(min_length=1)
    """The newsletter's name, shown in the email header and the From line."""
    base_url: BaseAddress
    """Where the web archive is published, e.g. ``https://news.example.org/``."""
    postal_address: Text = Field(min_length=1)
    """The sender's postal address, required in the footer of bulk email."""
    default_language: OneLine
    """The language readers arriving at the archive root are sent to."""
    timezone: str = "Europe/Stockholm"
    """The publication's time zone: issue dates are in it, and ``send --at`` for languages
    without a ``timezone`` of their own."""
    tag_authority: OneLine | None = None
    """Domain used in permanent feed ids (``tag:`` URIs); defaults to the base URL's host."""

    @field_validator("base_url")
    @classmethod
    def _folder(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    _known_zone = field_validator("timezone")(_check_zone)


class Language(_Strict):
    name: HeaderLine | None = None
    """The publication's name in this language, if it differs."""
    description: Text = ""
    """One sentence about the newsletter in this language (feeds, archive)."""
    timezone: str | None = None
    """The time zone of this language's readers, e.g. ``America/New_York``: ``send --at``
    times are in it. Default: the publication's ``timezone``."""

    _known_zone = field_validator("timezone")(_check_zone)


class Sender(_Strict):
    name: HeaderLine = Field(min_length=1)
    address: OneLine
    reply_to: OneLine | None = None

    _address = field_validator("address")(_check_address)

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        return None if value is None else _check_address(value)


class Delivery(_Strict):
    provider: Literal["outbox", "smtp", "sendgrid"] = "outbox"
    """Where `flemletter send` hands messages: a local Maildir, an SMTP server, or SendGrid."""
    outbox: OneLine = "outbox"
    """The Maildir the ``outbox`` provider writes to, relative to the root."""
    unsubscribe_url: HttpsAddress | None = None
    """An unsubscribe endpoint of your own, e.g. ``https://example.org/unsubscribe?t={token}``;
    ``{token}`` (and ``{lang}``) are filled in per recipient. It must unsubscribe on an
    RFC 8058 one-click POST (body ``List-Unsubscribe=One-Click``), not only on a visit:
    setting it makes every message promise one-click unsubscribe to Gmail and others.
    Unset, the links lead to the web archive's unsubscribe page, which helps readers send
    the unsubscribe email (see ``[unsubscribe] mailto``)."""

    @field_validator("unsubscribe_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and "{token}" not in value:
            raise ValueError(f"'{value}' has no {{token}}: the endpoint could not tell who left")
        return value


class EmailSettings(_Strict):
    inliner: Literal["css-inline", "premailer"] = "css-inline"
    """The CSS inliner run after MJML: ``css-inline`` (fast, default) or ``premailer``."""


class Feeds(_Strict):
    """``[feeds]``: the Atom, RSS and JSON feeds of each language."""

    max_items: int = Field(default=30, ge=1, le=500)
    """How many of the newest articles each feed carries; the web archive keeps every issue."""
    icon: OneLine | None = None
    """A small square PNG or JPEG (64 to 512 px), relative to the newsletter's folder: shown
    by feed readers beside the items and by browsers in the tab."""
    logo: OneLine | None = None
    """A wider image (about twice as wide as tall), relative to the newsletter's folder, for
    feed readers that show one above the feed."""


class Subscribers(_Strict):
    database: OneLine = "data/flemletter.sqlite3"
    """The SQLite file holding the subscribers and the send ledger, relative to the root."""


class Unsubscribe(_Strict):
    secret_env: EnvName = "FLEMLETTER_UNSUBSCRIBE_SECRET"
    """The environment variable holding the secret that signs personal unsubscribe links."""
    mailto: OneLine | None = None
    """Where unsubscribe emails go (the ``mailto:`` in ``List-Unsubscribe`` and the archive's
    unsubscribe page); default: the sender's address. Someone must read it."""

    @field_validator("mailto")
    @classmethod
    def _mailto(cls, value: str | None) -> str | None:
        return None if value is None else _check_address(value)


class SMTP(_Strict):
    host: OneLine = "localhost"
    """The SMTP server's host name."""
    port: int = Field(default=587, ge=1, le=65535)
    """Its port: usually 587 with STARTTLS, 465 with implicit TLS."""
    security: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls`` (upgrade after connecting), ``tls`` (implicit TLS) or ``none``: no
    encryption, so the password and every recipient would cross the network readable; allowed
    only with ``host`` 127.0.0.1, ::1 or localhost (a test server, a relay on this machine)."""
    user: OneLine | None = None
    """The login name; without it, no login is attempted."""
    password_env: EnvName = "FLEMLETTER_SMTP_PASSWORD"
    """The environment variable holding the password (never the password itself)."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for the server before giving up on a connection or an answer."""

    @field_validator("security")
    @classmethod
    def _encrypted_unless_local(cls, value: str, info: ValidationInfo) -> str:
        host = info.data.get("host")
        if value == "none" and host is not None and not _is_loopback(host):
            raise ValueError(
                f"\"none\" would send the password and the messages to '{host}' unencrypted;"
                ' it is allowed only for 127.0.0.1, ::1 or localhost: use "starttls"'
                ' (port 587) or "tls" (port 465)'
            )
        return value


class SendGrid(_Strict):
    base_url: str = "https://api.sendgrid.com"
    """The API's base URL: ``https://api.eu.sendgrid.com`` for EU accounts, or a test server.
    Always ``https://`` (the API key goes with every request), except a test server on
    ``http://127.0.0.1``, ``http://[::1]`` or ``http://localhost``."""

    @field_validator("base_url")
    @classmethod
    def _encrypted_unless_local(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value
        if parts.scheme == "http" and _is_loopback(parts.hostname):
            return value
        if parts.scheme == "http":
            raise ValueError(
                f"'{value}' would send the API key unencrypted: use https:// (http:// is "
                "allowed only for a test server on 127.0.0.1, ::1 or localhost)"
            )
        raise ValueError(f"'{value}' must be a URL starting with https://")

    unsubscribe_group: int | None = None
    """A SendGrid unsubscribe group id: SendGrid then handles unsubscribes for that group."""
    sandbox: bool = False
    """Validate every request at SendGrid without delivering anything (to try an account)."""
    connect_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait while connecting to SendGrid."""
    read_timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for SendGrid's answer; after that the batch's outcome is uncertain."""


class ConfigFile(_Strict):
    publication: Publication
    languages: dict[str, Language]
    sender: Sender
    delivery: Delivery = Delivery()
    email: EmailSettings = EmailSettings()
    feeds: Feeds = Feeds()
    subscribers: Subscribers = Subscribers()
    unsubscribe: Unsubscribe = Unsubscribe()
    smtp: SMTP = SMTP()
    sendgrid: SendGrid = SendGrid()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: dict[str, Language]) -> dict[str, Language]:
        if not value:
            raise ValueError("name at least one language, e.g. [languages.en]")
        for code in value:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                raise ValueError(
                    f"'{printable(code)}' is not a language code such as 'en' or 'sv'"
                ) from None
        return value


@dataclass(frozen=True)
class Config:
    """The loaded configuration and where it came from."""

    root: Path
    file: ConfigFile

    @property
    def publication(self) -> Publication:
        return self.file.publication

    @property
    def languages(self) -> list[str]:
        """Language codes in the order the config lists them."""
        return list(self.file.languages)

    def publication_name(self, lang: str) -> str:
        return self.file.languages[lang].name or self.publication.name

    def timezone(self, lang: str) -> str:
        """The time zone of ``lang``'s readers: its own, else the publication's."""
        return self.file.languages[lang].timezone or self.publication.timezone


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``flemletter.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_config(root: Path) -> tuple[Config | None, list[Problem]]:
    """Read and validate ``root/flemletter.toml``; on problems, the config is ``None``."""
    source, problems = read_text(
        root / CONFIG_NAME, CONFIG_NAME, max_bytes=MAX_SETTINGS_BYTES, controls=True
    )
    if source is None:
        return None, problems
    data, line_of, problems = load_toml(source)
    if data is None:
        return None, problems
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, CONFIG_NAME, line_of, ConfigFile)
    default = parsed.publication.default_language
    if default not in parsed.languages:
        listed = ", ".join(parsed.languages)
        problem = Problem(
            CONFIG_NAME,
            line_of(("publication", "default_language")),
            f"the default language '{default}' is not one of the languages ({listed})",
            hint=f"add a [languages.{default}] table or choose one of {listed}",
        )
        return None, [problem]
    return Config(root=root, file=parsed), []


def require_config(root: Path) -> Config:
    config, problems = load_config(root)
    if config is None:
        raise UserError(problems)
    return config
