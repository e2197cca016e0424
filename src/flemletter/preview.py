"""``flemletter preview``: a local page that shows the issue as readers will see it, live.

The preview builds the issue into a private folder, serves one page on 127.0.0.1 (both
languages in a desktop and a phone frame, the inbox line, the text part, every problem)
and the files of that build, nothing else. A watcher rebuilds on every save to an article,
the issue, a template, a catalogue or the config, and tells open pages through Server-Sent
Events, so they reload by themselves. A build that fails shows its problems in the page,
above the last build that worked; the server keeps running.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import traceback
import uuid
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles

from flemletter.build import build
from flemletter.checks import check
from flemletter.config import CONFIG_NAME
from flemletter.content import ARTICLES_DIR, issue_path
from flemletter.preview_page import Snapshot, edition_views, render_page
from flemletter.problems import UserError
from flemletter.render.templates import OVERRIDES, THEME

HOST = "127.0.0.1"
DEFAULT_PORT = 8642
KEEPALIVE_SECONDS = 15.0
"""An idle event stream sends a comment this often, so a closed page is noticed."""
WATCH_READY_SECONDS = 10.0
"""How long start-up waits for the file watches to be in place."""
DARK_QUERY = "scheme=dark"
"""Asks for an email with its dark-mode rules in force, whatever the browser's setting."""


class Preview:
    """The state of one preview: the build folder, the latest snapshot, who is waiting."""

    def __init__(self, root: Path, issue: str, folder: Path) -> None:
        self.root = root
        self.issue = issue
        self.folder = folder
        self.instance = uuid.uuid4().hex[:8]
        self._changed = threading.Condition()
        self._building = threading.Lock()  # one build at a time writes the folder
        self._closing = False
        self.snapshot = Snapshot(instance=self.instance, issue=issue)

    def rebuild(self) -> Snapshot:
        """Check and build once; problems and bugs end up in the snapshot, never raised."""
        with self._building:
            return self._rebuild()

    def _rebuild(self) -> Snapshot:
        previous = self.snapshot
        try:
            result = check(self.root, self.issue)
            problems = result.problems
            if not result.errors:
                build(self.root, self.issue, self.folder)
                snapshot = previous.built(problems, edition_views(result, self.folder))
            else:
                snapshot = previous.failed(problems)
        except UserError as exc:  # a file changed between check and build
            snapshot = previous.failed(exc.problems)
        except Exception:  # a bug: show it, keep serving
            snapshot = previous.failed([], bug=traceback.format_exc())
        with self._changed:
            self.snapshot = snapshot
            self._changed.notify_all()
        return snapshot

    def watched_paths(self) -> list[Path]:
        paths = [self.root / CONFIG_NAME, self.root / ARTICLES_DIR, THEME]
        paths.append(issue_path(self.root, self.issue).parent)
        if (self.root / OVERRIDES).is_dir():
            paths.append(self.root / OVERRIDES)
        return [p for p in dict.fromkeys(paths) if p.exists()]

    def watch(self, stop: threading.Event, ready: threading.Event) -> None:
        """Rebuild after every batch of saves until ``stop`` is set.

        watchfiles yields an empty batch after each idle ``rust_timeout``: the first one
        means the watches are in place, so ``ready`` is set and no save can slip by unseen.
        """
        for changes in watchfiles.watch(
            *self.watched_paths(),
            stop_event=stop,
            debounce=400,
            step=30,
            rust_timeout=200,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            ready.set()
            if changes:
                self.rebuild()

    def wait_for_change(self, seen: int, timeout: float) -> Snapshot | None:
        """The snapshot once its generation passes ``seen``; ``None`` on timeout or close."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.snapshot.generation > seen or self._closing, timeout
            )
            if self._closing or self.snapshot.generation <= seen:
                return None
            return self.snapshot

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()

    def build_file(self, url_path: str) -> Path | None:
        """The built file at ``url_path`` (below ``/build/``), or ``None`` for anything else."""
        return file_inside(self.folder, url_path)


def file_inside(folder: Path, relative_url: str) -> Path | None:
    """A file strictly inside ``folder`` named by a URL path, or ``None``.

    The path is decoded once; empty, ``.`` and ``..`` segments, backslashes, NUL and absolute
    paths are refused outright, and what remains must still resolve (symlinks followed) inside
    the folder.
    """
    relative = unquote(relative_url)
    parts = relative.split("/")
    if (
        not relative
        or relative.startswith("/")
        or "\\" in relative
        or "\x00" in relative
        or any(part in ("", ".", "..") for part in parts)
    ):
        return None
    base = folder.resolve()
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".mjml": "text/plain; charset=utf-8",
    ".eml": "message/rfc822",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for the preview's own messages."""

    def do_GET(self) -> None:
        if not self._local_host():
            self._send(HTTPStatus.FORBIDDEN, b"preview answers to 127.0.0.1 only", "text/plain")
            return
        url = urlsplit(self.path)
        preview = self.server.preview
        if url.path == "/":
            page = render_page(preview.snapshot).encode()
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
        elif url.path == "/events":
            self._events()
        elif url.path.startswith("/build/"):
            file = preview.build_file(url.path.removeprefix("/build/"))
            if file is None:
                self._send(HTTPStatus.NOT_FOUND, b"not part of this preview's build", "text/plain")
                return
            body = file.read_bytes()
            if file.suffix == ".html" and DARK_QUERY in (url.query or ""):
                body = force_dark(body)
            kind = CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")
            self._send(HTTPStatus.OK, body, kind)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _local_host(self) -> bool:
        """Refuse other Host names, so a web page elsewhere cannot rebind a name to us."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        return host in (HOST, "localhost")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        preview = self.server.preview
        seen = preview.snapshot.generation
        try:
            self._event(f"retry: 500\ndata: {preview.instance}-{seen}\n\n")
            while not self.server.closing.is_set():
                snapshot = preview.wait_for_change(seen, KEEPALIVE_SECONDS)
                if snapshot is None:
                    self._event(": still here\n\n")
                    continue
                seen = snapshot.generation
                self._event(f"data: {preview.instance}-{seen}\n\n")
        except (BrokenPipeError, ConnectionResetError):
            return

    def _event(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, preview: Preview) -> None:
        self.preview = preview
        self.closing = threading.Event()
        super().__init__((HOST, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing a connection early is normal; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def force_dark(html: bytes) -> bytes:
    """The email with its dark-mode rules applied unconditionally (the preview's dark switch)."""
    text = html.decode("utf-8")
    for query in ("(prefers-color-scheme: dark)", "(prefers-color-scheme:dark)"):
        text = text.replace(query, "all")
    return text.encode("utf-8")


@dataclass
class RunningPreview:
    """A preview serving in the background; ``stop()`` ends it and removes its build."""

    preview: Preview
    server: _Server
    stop_watching: threading.Event
    threads: list[threading.Thread]
    folder: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.stop_watching.set()
        self.server.closing.set()
        self.preview.close()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


def start(root: Path, issue: str, port: int = DEFAULT_PORT) -> RunningPreview:
    """Build once, then serve and watch in background threads."""
    folder = Path(tempfile.mkdtemp(prefix="flemletter-preview-"))
    preview = Preview(root, issue, folder)
    try:
        server = _Server(port, preview)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=preview.watch, args=(stop, ready), name="preview-watch", daemon=True
    )
    watcher.start()
    ready.wait(timeout=WATCH_READY_SECONDS)  # watch first, then build: no save goes unseen
    preview.rebuild()
    http = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    http.start()
    return RunningPreview(preview, server, stop, [watcher, http], folder)


@contextmanager
def running(root: Path, issue: str, port: int = 0) -> Iterator[RunningPreview]:
    """A preview for the length of a ``with`` block (tests, scripts)."""
    preview = start(root, issue, port)
    try:
        yield preview
    finally:
        preview.stop()


def serve(root: Path, issue: str, port: int, open_browser: bool) -> RunningPreview:
    """Start the preview and open it in the browser; the caller waits and stops it."""
    preview = start(root, issue, port)
    if open_browser:
        webbrowser.open(preview.url)
    return preview
