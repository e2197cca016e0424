"""The ``smtp`` provider: one connection reused across messages, one message per recipient.

Per recipient the SMTP dialogue is driven step by step (MAIL, RCPT, DATA), so the outcome is
exact: a refusal before the message's last line was sent leaves it unsent (4xx: retry later;
5xx at RCPT: that recipient failed, with the server's words); losing the connection after
that is *uncertain*. A 5xx to MAIL FROM or to the message itself (DATA) refuses the sender or
the issue, not the reader: :class:`StopSending`, and the message stays to send again.
"""

from __future__ import annotations

import os
import smtplib
import ssl

from flemletter.config import Config
from flemletter.delivery.personal import personal_message
from flemletter.delivery.providers.base import Batch, Outcome, Recipient, Result, StopSending


def _words(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(said.split())}"


def _by_code(email: str, code: int, text: bytes | str) -> Result:
    if 200 <= code < 300:
        return Result(email, Outcome.ACCEPTED)
    outcome = Outcome.RETRY if 400 <= code < 500 else Outcome.FAILED
    return Result(email, outcome, _words(code, text))


class SMTPProvider:
    name = "smtp"
    batch_size = 1

    def __init__(self, config: Config) -> None:
        self.config = config
        self.settings = config.file.smtp
        self.connection: smtplib.SMTP | None = None

    def _password(self) -> str | None:
        if self.settings.user is None:
            return None
        password = os.environ.get(self.settings.password_env)
        if not password:
            raise StopSending(
                f"the environment variable {self.settings.password_env} is not set: it holds "
                f"the SMTP password of {self.settings.user}"
            )
        return password

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        password = self._password()
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if s.security == "tls":
            connection = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                connection.starttls(context=context)
        connection.ehlo_or_helo_if_needed()  # MAIL is driven by hand, so greet by hand too
        if s.user is not None and password is not None:
            try:
                connection.login(s.user, password)
            except smtplib.SMTPAuthenticationError as exc:
                connection.close()
                raise StopSending(
                    f"the SMTP server {s.host} refused the user name or password ({s.user}, "
                    f"password from {s.password_env}): {_words(exc.smtp_code, exc.smtp_error)}"
                ) from None
            except smtplib.SMTPNotSupportedError:
                connection.close()
                raise StopSending(
                    f"the SMTP server {s.host} does not offer a login here; check `security`"
                ) from None
            except UnicodeEncodeError:  # smtplib sends user and password as ASCII only
                connection.close()
                raise StopSending(
                    f"the user name or the password in {s.password_env} has letters beyond "
                    "ASCII, which the SMTP login cannot carry; use an ASCII password (an app "
                    "password) for sending"
                ) from None
            except smtplib.SMTPException as exc:  # e.g. no login method both sides know
                connection.close()
                raise StopSending(f"the SMTP server {s.host} allowed no login: {exc}") from None
        return connection

    def send(self, batch: Batch) -> list[Result]:
        return [self._send_one(batch, to) for to in batch.recipients]

    def _send_one(self, batch: Batch, to: Recipient) -> Result:
        data = personal_message(self.config, batch, to).as_bytes()
        try:
            if self.connection is None:
                self.connection = self._connect()
            connection = self.connection
            sender = self.config.file.sender.address
            code, text = connection.mail(sender)
            if code >= 500:
                self._reset(code)
                raise StopSending(
                    f"the SMTP server {self.settings.host} refuses to send from {sender} "
                    f"({_words(code, text)}); check that [smtp] user may send as the [sender] "
                    "address"
                )
            if code == 250:
                code, text = connection.rcpt(to.email)
            if code not in (250, 251):
                self._reset(code)
                return _by_code(to.email, code, text)
        except (smtplib.SMTPException, OSError) as exc:
            # Nothing of the message was sent yet: safe to try again on a new connection.
            self.close()
            return Result(to.email, Outcome.RETRY, f"no connection to the SMTP server: {exc}")
        batch.handed.add(to.email)
        try:
            code, text = connection.data(data)
        except smtplib.SMTPDataError as exc:  # refused at DATA, before the message was sent
            self._reset(exc.smtp_code)
            if exc.smtp_code >= 500:
                raise self._refused_message(exc.smtp_code, exc.smtp_error) from None
            return _by_code(to.email, exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            return Result(to.email, Outcome.UNCERTAIN, f"connection lost while sending: {exc}")
        if code == 421:
            self.close()
        if code >= 500:  # the content refused (policy, spam): every reader's copy would be
            raise self._refused_message(code, text)
        return _by_code(to.email, code, text)

    def _refused_message(self, code: int, text: bytes | str) -> StopSending:
        return StopSending(
            f"the SMTP server {self.settings.host} refuses the message itself "
            f"({_words(code, text)}); it would refuse every reader's copy, so the send stops"
        )

    def _reset(self, code: int) -> None:
        if code == 421 or self.connection is None:  # the server is closing the connection
            self.close()
            return
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None
