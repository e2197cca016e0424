"""The preview server: what it serves, what it refuses, and how it follows saves."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flemletter.preview import RunningPreview, file_inside, running
from flemletter.render.templates import THEME
from tests.conftest import copy_sample

LEAD_EN = "articles/collaboration-in-science/en.md"
WAIT = 20.0  # generous: a slow CI machine must not fail; the benchmark measures speed


@pytest.fixture
def preview(sample: Path) -> Iterator[RunningPreview]:
    """A preview of a private sample, for tests that edit files."""
    with running(sample, "2025-11") as live:
        yield live


@pytest.fixture(scope="module")
def shared_preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPreview]:
    """One preview for the tests that only read."""
    with running(copy_sample(tmp_path_factory.mktemp("shared") / "newsletter"), "2025-11") as live:
        yield live


def get(live: RunningPreview, path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client-side normalisation of ``..``)."""
    port = live.server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", f"{host}:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def save(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_page_shows_both_editions_inbox_lines_and_problems(
    shared_preview: RunningPreview,
) -> None:
    status, body = get(shared_preview, "/")
    page = body.decode()
    assert status == 200
    assert "Collaboration in Science and the future of Flemingsberg" in page
    assert "Nu är Karolinska ATMP Centrum invigt" in page
    assert "Dessutom: Ellen Mäkipiha är ny kommunikatör" in page
    assert 'data-src="/build/2025-11/en/email.html"' in page
    assert 'data-src="/build/2025-11/sv/email.html"' in page
    assert "articles/50-years-of-life-changing-therapies/en.md:7:48" in page
    assert "articles/50-years-of-life-changing-therapies/en.md:7" in page
    assert "Plain-text part" in page and "Unsubscribe: %%unsubscribe_url%%" in page


def test_it_serves_the_build_with_dark_mode_on_request(shared_preview: RunningPreview) -> None:
    status, email = get(shared_preview, "/build/2025-11/en/email.html")
    assert status == 200
    assert b"prefers-color-scheme: dark" in email
    status, dark = get(shared_preview, "/build/2025-11/en/email.html?scheme=dark")
    assert status == 200
    assert b"prefers-color-scheme" not in dark and b"@media all" in dark
    image = re.search(rb'src="(images/[^"]+)"', email)
    assert image is not None
    status, picture = get(shared_preview, "/build/2025-11/en/" + image.group(1).decode())
    assert status == 200 and picture.startswith(b"\xff\xd8")  # a JPEG


@pytest.mark.parametrize(
    "path",
    [
        "/build/../flemletter.toml",
        "/build/" + "../" * 12 + "etc/passwd",
        "/build/" + "%2e%2e/" * 12 + "etc/passwd",
        "/build/" + "..%2f" * 12 + "etc%2fpasswd",
        "/build/" + "..%5c" * 12 + "etc%5cpasswd",
        "/build/%2Fetc%2Fpasswd",
        "/build//etc/passwd",
        "/build/2025-11/en/./../../../../../../../../../../etc/passwd",
        "/build/2025-11/en/email.html%00.txt",
        "/build/" + "%252e%252e/" * 12 + "etc/passwd",
        "/../../../../../../etc/passwd",
        "/etc/passwd",
        "//etc/passwd",
    ],
)
def test_nothing_outside_the_build_can_be_read(shared_preview: RunningPreview, path: str) -> None:
    status, body = get(shared_preview, path)
    assert status == 404
    assert b"root:" not in body and b"[publication]" not in body


def test_a_link_leading_out_of_the_build_is_refused(preview: RunningPreview) -> None:
    (preview.folder / "escape").symlink_to("/etc")
    assert get(preview, "/build/escape/passwd")[0] == 404
    assert file_inside(preview.folder, "escape/passwd") is None


def test_other_host_names_are_refused(shared_preview: RunningPreview) -> None:
    assert get(shared_preview, "/", host="attacker.example")[0] == 403
    assert get(shared_preview, "/", host="localhost")[0] == 200


def test_it_listens_on_loopback_only(shared_preview: RunningPreview) -> None:
    assert shared_preview.server.server_address[0] == "127.0.0.1"


def test_a_save_rebuilds_and_a_broken_file_shows_its_error(
    preview: RunningPreview, sample: Path
) -> None:
    live = preview.preview
    seen = live.snapshot.generation
    save(sample / LEAD_EN, 'title: "Collaboration in Science promotes', 'title: "Edited live:')
    snapshot = live.wait_for_change(seen, WAIT)
    assert snapshot is not None
    assert b"Edited live:" in get(preview, "/build/2025-11/en/email.html")[1]

    save(sample / "issues/2025-11.yaml", "date: 2025-11-20", "date: 2025-11-31")
    while snapshot is not None and not snapshot.errors:
        snapshot = live.wait_for_change(snapshot.generation, WAIT)
    assert snapshot is not None
    status, page = get(preview, "/")
    assert status == 200
    assert "issues/2025-11.yaml:4" in page.decode() and "is not a date" in page.decode()
    assert "from the last build that worked" in page.decode()
    assert b"Edited live:" in get(preview, "/build/2025-11/en/email.html")[1]

    save(sample / "issues/2025-11.yaml", "date: 2025-11-31", "date: 2025-11-20")
    while snapshot is not None and snapshot.errors:
        snapshot = live.wait_for_change(snapshot.generation, WAIT)
    assert snapshot is not None and not snapshot.stale


def test_the_event_stream_announces_rebuilds(preview: RunningPreview, sample: Path) -> None:
    port = preview.server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    connection.request("GET", "/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    first = _next_data(response)
    save(sample / LEAD_EN, "Every two years", "Every second year")
    second = _next_data(response)
    assert first.split("-")[0] == second.split("-")[0]  # the same server
    assert int(second.split("-")[1]) > int(first.split("-")[1])
    connection.close()


def _next_data(response: http.client.HTTPResponse) -> str:
    while True:
        line = response.readline().decode()
        assert line, "the stream ended"
        if line.startswith("data: "):
            return line.removeprefix("data: ").strip()


def test_the_command_prints_its_address_and_stops_cleanly(sample: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "flemletter", "preview", "2025-11", "--port", "0", "--no-open"],
        cwd=sample,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "BROWSER": "false"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, first
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200
        assert b"Collaboration in Science" in response.read()
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_the_page_links_the_built_archive_and_feeds(preview: RunningPreview) -> None:
    page = get(preview, "/")[1].decode()
    assert "the web archive and feeds will show here once the build makes them" not in page
    for href in (
        "site/en/index.html",
        "site/en/2025-11/index.html",
        "site/en/feed.atom.xml",
        "site/sv/feed.rss.xml",
    ):
        assert f'href="/build/{href}"' in page
        assert get(preview, f"/build/{href}")[0] == 200


def test_a_bug_in_flemletter_shows_in_the_page_and_serving_goes_on(
    preview: RunningPreview, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_build(*args: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("flemletter.preview.build", broken_build)
    snapshot = preview.preview.rebuild()
    assert snapshot.bug is not None and "RuntimeError: simulated bug" in snapshot.bug
    status, page = get(preview, "/")
    assert status == 200
    assert "this is a bug in flemletter, not in your files" in page.decode()
    assert "flemletter failed" in page.decode()
    assert get(preview, "/build/2025-11/en/email.html")[0] == 200  # the last good build


def test_saving_the_config_or_a_catalogue_rebuilds_too(sample: Path) -> None:
    locales = sample / "templates" / "locales"
    shutil.copytree(THEME / "locales", locales)
    with running(sample, "2025-11") as live:
        seen = live.preview.snapshot.generation
        save(sample / "flemletter.toml", 'name = "Flemingsberg Science"', 'name = "FS News"')
        snapshot = live.preview.wait_for_change(seen, WAIT)
        assert snapshot is not None
        assert b"FS News" in get(live, "/build/2025-11/en/email.html")[1]

        catalogue = locales / "en" / "LC_MESSAGES" / "messages.po"
        save(catalogue, 'msgstr "Read more"', 'msgstr "Continue reading"')
        while (
            snapshot is not None
            and b"Continue reading" not in (get(live, "/build/2025-11/en/email.html")[1])
        ):
            snapshot = live.preview.wait_for_change(snapshot.generation, WAIT)
        assert snapshot is not None
