"""How long the sample issue takes to build: per stage in process, and cold from the shell.

Run with ``make bench`` (``python -m benchmarks.build_sample [--runs N]``). Prints, for
both languages together, the median milliseconds of each stage (Jinja2, MJML, inlining with
css-inline and with premailer, text part, MIME, write), then the wall time of a cold
``flemletter build`` (a new process) with each inliner. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flemletter.config import Config, require_config
from flemletter.content import issue_path, load_issue
from flemletter.models import Edition
from flemletter.render.email import (
    RenderedEmail,
    compile_mjml,
    published_image_url,
    render_mjml,
    render_text,
)
from flemletter.render.i18n import Catalogue, load_catalogue
from flemletter.render.inline import INLINERS, inline_css
from flemletter.render.mime import build_message
from flemletter.render.templates import THEME, environment
from flemletter.writer import Output

PROJECT = Path(__file__).resolve().parent.parent
ISSUE = "2025-11"
T = TypeVar("T")


def timed(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """Median milliseconds of ``work`` over ``runs`` calls, and its last result."""
    times = []
    result = work()  # warm: caches, first-call imports
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def stages(runs: int) -> list[tuple[str, float]]:
    config = require_config(PROJECT)
    issue, problems = load_issue(config, issue_path(PROJECT, ISSUE))
    assert issue is not None and not problems, problems
    editions = list(issue.editions.values())
    catalogues = {e.lang: load_catalogue(THEME, e.lang)[0] for e in editions}
    image_url = published_image_url(config)

    def each(step: Callable[[Edition, Catalogue], T]) -> Callable[[], list[T]]:
        return lambda: [step(e, catalogues[e.lang]) for e in editions]

    rows: list[tuple[str, float]] = []
    ms, sources = timed(runs, each(lambda e, c: render_mjml(config, e, c, image_url, web=False)))
    rows.append(("Jinja2 (templates → MJML)", ms))
    ms, compiled = timed(runs, lambda: [compile_mjml(s) for s in sources])
    rows.append(("MJML (mjml-python)", ms))
    css = environment(PROJECT, catalogues["en"]).get_template("email/inline.css.j2").render()
    htmls: list[str] = []
    for inliner in INLINERS:
        ms, inlined = timed(runs, lambda i=inliner: [inline_css(h, css, i) for h in compiled])
        rows.append((f"inlining ({inliner})", ms))
        htmls = htmls or inlined
    ms, texts = timed(runs, each(lambda e, c: render_text(config, e, c)))
    rows.append(("text part", ms))
    emails = [
        RenderedEmail(e.lang, e.subject, e.preheader, s, h, t)
        for e, s, h, t in zip(editions, sources, htmls, texts, strict=True)
    ]
    ms, messages = timed(runs, lambda: [_message(config, m) for m in emails])
    rows.append(("MIME message", ms))
    with tempfile.TemporaryDirectory() as scratch:
        rows.append(
            (
                "write (html, txt, eml)",
                timed(runs, lambda: _write(Path(scratch), emails, messages))[0],
            )
        )
    return rows


def _message(config: Config, email: RenderedEmail) -> bytes:
    date = dt.datetime(2025, 11, 20, 8, tzinfo=dt.UTC)
    return build_message(config, email, ISSUE, date).as_bytes()


def _write(folder: Path, emails: list[RenderedEmail], messages: list[bytes]) -> None:
    shutil.rmtree(folder / "out", ignore_errors=True)  # every run writes, none skips unchanged
    output = Output(folder / "out")
    for email, message in zip(emails, messages, strict=True):
        output.add(f"{email.lang}/email.html", email.html)
        output.add(f"{email.lang}/email.txt", email.text)
        output.add(f"{email.lang}/message.eml", message)
    output.write()


def cold_builds(runs: int) -> list[tuple[str, float]]:
    """Wall time of ``flemletter build`` in a fresh process, per inliner (the median)."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for inliner in INLINERS:
            root = Path(scratch) / inliner
            root.mkdir()
            for part in ("articles", "issues"):
                shutil.copytree(PROJECT / part, root / part)
            config = (PROJECT / "flemletter.toml").read_text(encoding="utf-8")
            config += f'\n[email]\ninliner = "{inliner}"\n'
            (root / "flemletter.toml").write_text(config, encoding="utf-8")
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "flemletter", "build", ISSUE],
                    cwd=root,
                    check=True,
                    capture_output=True,
                )
                times.append((time.perf_counter() - start) * 1000)
            rows.append((f"cold `flemletter build` ({inliner})", statistics.median(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per stage (median)")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold builds per inliner")
    args = parser.parse_args()
    print(f"sample issue {ISSUE}, both languages; median of {args.runs} runs per stage")
    for name, ms in stages(args.runs):
        print(f"  {name:<40} {ms:8.2f} ms")
    print(f"median of {args.cold_runs} cold runs (new process, imports included)")
    for name, ms in cold_builds(args.cold_runs):
        print(f"  {name:<40} {ms:8.0f} ms")


if __name__ == "__main__":
    main()
