"""A local stand-in for SendGrid's v3 API that checks every request against the official schema.

It validates each ``/v3/mail/send`` body against the vendored OpenAPI schema
(``tests/data/sendgrid``) plus the rules the schema misses (at most 1000 recipients, no address
twice in a request, ``send_at`` at most 72 hours ahead, not both ``reply_to`` and
``reply_to_list``), answers like SendGrid, and records who would have received what.
Faults are scripted per request: ``"429"``, ``"500"``, ``"400"``, ``"413"``, ``"hang"`` (read
the request, never answer in time), ``"drop"`` (read the request, close the connection without
answering).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).parent / "data" / "sendgrid" / "tsg_mail_v3.mock.json"
BODY_SCHEMA = "spec#/components/requestBodies/PostMailSend/content/application~1json/schema"
API_KEY = "SG.test-key-aBcD3fGh.never-printed-0123456789"


def _validator() -> Draft202012Validator:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        "spec", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": BODY_SCHEMA},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


VALIDATOR = _validator()


def rule_errors(body: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """What SendGrid refuses that the schema does not say."""
    errors = []
    addresses: list[str] = []
    for person in body.get("personalizations", []):
        for kind in ("to", "cc", "bcc"):
            addresses += [a["email"].lower() for a in person.get(kind, [])]
        send_at = person.get("send_at", body.get("send_at"))
        if send_at is not None and send_at > now + 72 * 3600:
            errors.append({"field": "send_at", "message": "send_at is more than 72 hours ahead"})
    if len(addresses) > 1000:
        errors.append({"field": "personalizations", "message": "more than 1000 recipients"})
    twice = [a for a, n in Counter(addresses).items() if n > 1]
    if twice:
        errors.append({"field": "personalizations", "message": f"duplicate address {twice[0]}"})
    if "reply_to" in body and "reply_to_list" in body:
        errors.append({"field": "reply_to", "message": "reply_to and reply_to_list together"})
    return errors


@dataclass
class FakeSendGrid:
    faults: list[str] = field(default_factory=list)
    """Scripted answers, one per mail/send request, taken in order; then 202."""
    delay: float = 0.0
    """Seconds to think before answering each mail/send request."""
    hang_for: float = 5.0
    validate: bool = True
    """Off only for benchmarks, which measure the client, not the validator."""
    keep_requests: bool = True
    requests: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[list[dict[str, Any]]] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)
    batches: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, body: dict[str, Any]) -> None:
        for person in body["personalizations"]:
            for to in person["to"]:
                self.delivered[to["email"].lower()] += 1


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def answer(
            self, status: int, body: Any = None, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with fake.lock:
                fake.headers_seen.append(dict(self.headers))
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self.answer(401, {"errors": [{"field": None, "message": "authorization required"}]})
                return
            if self.path == "/v3/mail/batch":
                batch_id = f"batch-{len(fake.batches) + 1}"
                fake.batches.append(batch_id)
                self.answer(201, {"batch_id": batch_id})
            elif self.path == "/v3/user/scheduled_sends":
                fake.cancelled.append(json.loads(raw)["batch_id"])
                self.answer(201, json.loads(raw))
            elif self.path == "/v3/mail/send":
                self.mail_send(json.loads(raw))
            else:
                self.answer(404, {"errors": [{"field": None, "message": "not found"}]})

        def mail_send(self, body: dict[str, Any]) -> None:
            errors = rule_errors(body, time.time())
            if fake.validate:
                errors += [
                    {"field": ".".join(map(str, e.absolute_path)) or None, "message": e.message}
                    for e in VALIDATOR.iter_errors(body)
                ]
            with fake.lock:
                fake.requests.append(body if fake.keep_requests else {})
                fault = fake.faults.pop(0) if fake.faults else None
                if errors:
                    fake.invalid.append(errors)
            if errors:
                self.answer(400, {"errors": errors})
                return
            time.sleep(fake.delay)
            if fault == "429":
                reset = str(int(time.time()) + 1)
                limit = {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0"}
                too_many = {"errors": [{"field": None, "message": "too many requests"}]}
                self.answer(429, too_many, {**limit, "X-RateLimit-Reset": reset})
            elif fault == "500":
                self.answer(500, {"errors": [{"field": None, "message": "internal error"}]})
            elif fault == "400":
                error = {
                    "field": "from.email",
                    "message": "The from address does not match a verified Sender Identity",
                }
                self.answer(400, {"errors": [error]})
            elif fault == "413":
                self.answer(413, {"errors": [{"field": None, "message": "content too large"}]})
            elif fault in ("hang", "drop"):
                with fake.lock:
                    fake.accept(body)  # the worst case: SendGrid took it, the answer was lost
                if fault == "hang":
                    time.sleep(fake.hang_for)
                self.close_connection = True
                self.connection.close()
            elif body.get("mail_settings", {}).get("sandbox_mode", {}).get("enable"):
                self.answer(200)  # sandbox: validated, not delivered
            else:
                with fake.lock:
                    fake.accept(body)
                self.answer(202)

    return Handler


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1 in a thread; yields its base address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def sendgrid_server(fake: FakeSendGrid | None = None) -> Iterator[tuple[str, FakeSendGrid]]:
    fake = fake or FakeSendGrid()
    with loopback_server(_handler(fake)) as address:
        yield address, fake
