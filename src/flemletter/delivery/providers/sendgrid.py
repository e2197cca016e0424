"""The ``sendgrid`` provider: v3 Mail Send through the official ``sendgrid`` library.

One request per batch of at most 1000 recipients of one language: the content is built once,
each recipient is a personalization whose substitution fills in their unsubscribe link and
whose headers carry their ``List-Unsubscribe`` (or, with an unsubscribe group, SendGrid's own
``asm`` link and headers). The library has no timeout and no
retry of its own: timeouts are set here, and retries are the send loop's job, from the
outcomes this provider reports:

- 2xx: every recipient accepted;
- 400/413, 401/403: :class:`StopSending`: SendGrid refused the whole request (the sender not
  verified, the message too large, the API key), so no reader of it is at fault; the send
  stops with SendGrid's words and a sentence on what to do, the batch left to send again;
- 429: retry after ``X-RateLimit-Reset``; 5xx or no connection: retry later;
- a timeout or a dropped connection after the request went out: uncertain (there is no
  idempotency key, so it may have been accepted).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import time
import urllib.error
import urllib.request
from typing import IO, Any, NoReturn
from urllib.parse import urlsplit

import python_http_client
from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient

from flemletter import urls
from flemletter.config import Config
from flemletter.delivery.personal import TEST_PREFIX, list_id, unsubscribe_headers
from flemletter.delivery.providers.base import Batch, Outcome, Result, StopSending
from flemletter.render.email import UNSUBSCRIBE_PLACEHOLDER

API_KEY_ENV = "SENDGRID_API_KEY"
MAX_PERSONALIZATIONS = 1000
ASM_UNSUBSCRIBE = "<%asm_group_unsubscribe_raw_url%>"
KEY_ADVICE = (
    f"check that {API_KEY_ENV} holds a current SendGrid API key with the “Mail Send” "
    "permission (SendGrid → Settings → API Keys)"
)

# python_http_client logs request headers (the API key) and bodies (addresses) at DEBUG.
logging.getLogger("python_http_client").setLevel(logging.WARNING)


class _RefuseRedirects(urllib.request.BaseHandler):
    """A redirect becomes the error it is: following it would send the API key (and the
    readers' addresses) to whatever server the answer names."""

    handler_order = 100  # before urllib's HTTPRedirectHandler, which would follow it

    def _refuse(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any
    ) -> NoReturn:
        raise urllib.error.HTTPError(req.full_url, code, msg, headers, fp)

    http_error_301 = http_error_302 = http_error_303 = _refuse
    http_error_307 = http_error_308 = _refuse


class _Client(python_http_client.Client):  # type: ignore[misc]
    """python_http_client's client, every path below it too, refusing redirects."""

    def _build_client(self, name: str | None = None) -> _Client:
        return _Client(
            host=self.host,
            version=self._version,
            request_headers=self.request_headers,
            url_path=[*self._url_path, name] if name else self._url_path,
            append_slash=self.append_slash,
            timeout=self.timeout,
        )

    def _make_request(
        self, opener: urllib.request.OpenerDirector, request: Any, timeout: float | None = None
    ) -> Any:
        opener.add_handler(_RefuseRedirects())
        return super()._make_request(opener, request, timeout)


def _is_page(body: bytes | str | None) -> bool:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body or ""
    return text.lstrip()[:1] == "<"


def sendgrid_errors(body: bytes | str | None) -> str:
    """SendGrid's ``{"errors": [{"message", "field"}]}`` as one readable line."""
    if _is_page(body):
        return "a web page, not SendGrid's answer; check [sendgrid] base_url"
    try:
        data = json.loads(body or b"{}")
        errors = data.get("errors") or []
        said = [
            f"{e.get('message')}" + (f" (field {e['field']})" if e.get("field") else "")
            for e in errors
        ]
    except (ValueError, AttributeError, TypeError):
        said = []
    return "; ".join(said) or "no explanation given"


class SendGridProvider:
    name = "sendgrid"
    batch_size = MAX_PERSONALIZATIONS

    def __init__(self, config: Config) -> None:
        self.config = config
        self.settings = config.file.sendgrid
        self._client: SendGridAPIClient | None = None

    def _api(self) -> Any:
        if self._client is None:
            key = os.environ.get(API_KEY_ENV, "")
            if not key:
                raise StopSending(
                    f"the environment variable {API_KEY_ENV} is not set; {KEY_ADVICE}"
                )
            self._client = SendGridAPIClient(api_key=key, host=self.settings.base_url.rstrip("/"))
            plain = self._client.client
            self._client.client = _Client(
                host=plain.host,
                request_headers=plain.request_headers,
                version=plain._version,
                timeout=self.settings.read_timeout,
            )
        return self._client

    def _reachable(self) -> bool:
        """Connect once with the connect timeout, so an unreachable API fails fast and unsent."""
        parts = urlsplit(self.settings.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), self.settings.connect_timeout).close()
        except OSError:
            return False
        return True

    def body(self, batch: Batch) -> dict[str, Any]:
        """The Mail Send request of one batch: content once, a personalization per recipient."""
        s, sender = self.settings, self.config.file.sender
        group = s.unsubscribe_group
        link = ASM_UNSUBSCRIBE if group is not None else UNSUBSCRIBE_PLACEHOLDER
        personalizations = []
        seen = set()
        for to in batch.recipients:
            if to.email.lower() in seen:
                continue  # SendGrid refuses the whole request for one address twice
            seen.add(to.email.lower())
            person: dict[str, Any] = {
                "to": [{"email": to.email, **({"name": to.name} if to.name else {})}]
            }
            if group is None:
                person["substitutions"] = {UNSUBSCRIBE_PLACEHOLDER: to.unsubscribe_url}
                person["headers"] = unsubscribe_headers(self.config, to)
            personalizations.append(person)
        email = batch.email
        body: dict[str, Any] = {
            "personalizations": personalizations,
            "from": {"email": sender.address, "name": sender.name},
            "subject": (TEST_PREFIX if batch.test else "") + email.subject,
            "content": [
                {"type": "text/plain", "value": email.text.replace(UNSUBSCRIBE_PLACEHOLDER, link)},
                {"type": "text/html", "value": email.html.replace(UNSUBSCRIBE_PLACEHOLDER, link)},
            ],
            "headers": {
                "List-Id": list_id(self.config, batch.lang),
                "List-Archive": f"<{urls.archive_url(self.config, batch.lang)}>",
                "Content-Language": batch.lang,
            },
            "categories": ["newsletter", batch.issue_id, batch.lang],
            "custom_args": {
                "issue": batch.issue_id,
                "language": batch.lang,
                "batch": batch.batch_key,
            },
        }
        if group is not None:  # SendGrid adds List-Unsubscribe(-Post) to its own endpoint
            body["asm"] = {"group_id": group}
        if sender.reply_to:
            body["reply_to"] = {"email": sender.reply_to}
        if batch.send_at is not None:
            body["send_at"] = int(batch.send_at.timestamp())
        if batch.provider_batch_id:
            body["batch_id"] = batch.provider_batch_id
        if s.sandbox:
            body["mail_settings"] = {"sandbox_mode": {"enable": True}}
        return body

    def send(self, batch: Batch) -> list[Result]:
        api = self._api()
        every = [to.email for to in batch.recipients]

        def all_(outcome: Outcome, reason: str = "", after: float | None = None) -> list[Result]:
            return [Result(e, outcome, reason, after) for e in every]

        body = self.body(batch)
        if not self._reachable():
            return all_(Outcome.RETRY, f"cannot connect to {self.settings.base_url}")
        batch.handed.update(every)
        try:
            response = api.send(body)
        except (http_errors.UnauthorizedError, http_errors.ForbiddenError) as exc:
            raise StopSending(
                f"SendGrid refused the API key ({exc.status_code}: "
                f"{sendgrid_errors(exc.body)}); {KEY_ADVICE}"
            ) from None
        except http_errors.TooManyRequestsError as exc:
            reset = _header(exc.headers, "X-RateLimit-Reset")
            wait = max(1.0, float(reset) - time.time()) if reset else None
            return all_(Outcome.RETRY, "SendGrid: too many requests (429)", wait)
        except http_errors.HTTPError as exc:
            said = f"SendGrid {exc.status_code}: {sendgrid_errors(exc.body)}"
            if 300 <= exc.status_code < 400:
                raise StopSending(self._redirected(exc)) from None
            if exc.status_code >= 500:
                return all_(Outcome.RETRY, said)
            raise StopSending(_refusal(exc.status_code, said)) from None
        except urllib.error.URLError as exc:  # failed while connecting or sending: not accepted
            return all_(Outcome.RETRY, f"cannot reach SendGrid: {exc.reason}")
        except (OSError, http.client.HTTPException) as exc:  # the request went out; no answer
            return all_(Outcome.UNCERTAIN, f"no answer from SendGrid: {exc or type(exc).__name__}")
        if _is_page(response.body):  # a 2xx page: some other server took it, or a proxy
            reason = f"{self.settings.base_url} answered with {sendgrid_errors(response.body)}"
            return all_(Outcome.UNCERTAIN, reason)
        return all_(Outcome.ACCEPTED)

    def _redirected(self, exc: http_errors.HTTPError) -> str:
        where = urlsplit(_header(exc.headers, "Location") or "").hostname or "another address"
        return (
            f"{self.settings.base_url} answered {exc.status_code}, sending the request on to "
            f"{where}; flemletter does not follow it with the API key: set [sendgrid] base_url "
            "to the address SendGrid gives (https://api.sendgrid.com)"
        )

    def new_batch_id(self) -> str:
        """A SendGrid batch id, through which a scheduled send can be cancelled."""
        try:
            response = self._api().client.mail.batch.post()
        except (http_errors.UnauthorizedError, http_errors.ForbiddenError):
            raise StopSending(f"SendGrid refused the API key; {KEY_ADVICE}") from None
        except (http_errors.HTTPError, OSError, http.client.HTTPException) as exc:
            raise StopSending(f"SendGrid gave no batch id: {self._said(exc)}") from None
        try:
            batch_id = json.loads(response.body)["batch_id"]
        except (ValueError, TypeError, KeyError):
            batch_id = None
        if not isinstance(batch_id, str) or not batch_id:
            said = sendgrid_errors(response.body) if response.body else "an empty answer"
            raise StopSending(f"SendGrid gave no batch id ({said}); nothing was sent") from None
        return batch_id

    def cancel(self, batch_id: str) -> None:
        try:
            self._api().client.user.scheduled_sends.post(
                request_body={"batch_id": batch_id, "status": "cancel"}
            )
        except (http_errors.UnauthorizedError, http_errors.ForbiddenError):
            raise StopSending(f"SendGrid refused the API key; {KEY_ADVICE}") from None
        except (http_errors.HTTPError, OSError, http.client.HTTPException) as exc:
            raise StopSending(
                f"SendGrid did not cancel batch {batch_id}: {self._said(exc)}"
            ) from None

    def _said(self, exc: Exception) -> str:
        if isinstance(exc, http_errors.HTTPError) and 300 <= exc.status_code < 400:
            return self._redirected(exc)
        if isinstance(exc, http_errors.HTTPError):
            return f"{exc.status_code}: {sendgrid_errors(exc.body)}"
        return str(exc) or type(exc).__name__

    def close(self) -> None:
        self._client = None


def _refusal(status: int, said: str) -> str:
    """SendGrid's refusal of a whole request, and what to do about it."""
    if status == 413:
        return (
            f"SendGrid refused the request as too large ({said}); make the email smaller "
            "(fewer or smaller images inline)"
        )
    if "sender identity" in said.lower():
        return (
            f"SendGrid refused to send from this address ({said}); verify the [sender] "
            "address or its domain in SendGrid → Settings → Sender Authentication"
        )
    return f"SendGrid refused the request ({said}); nothing of it was sent"


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    return None if value is None else str(value)
