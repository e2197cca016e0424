"""How long the site step takes as the archive grows: ``python -m benchmarks.site_build``.

Makes a scratch newsletter with N monthly issues (the sample's articles copied under new
slugs, four per language and issue), then times a whole ``build`` and its parts: loading
every issue, rendering the pages, rendering the feeds. Figures go in reports, not tests.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flemletter.build import build
from flemletter.checks import check
from flemletter.feeds import feed_files
from flemletter.published import load_issues, make_site
from flemletter.render.web import site_pages
from tests.conftest import copy_sample

T = TypeVar("T")
EDITIONS = {
    "en": [
        "collaboration-in-science",
        "limitless-potential",
        "50-years-of-life-changing-therapies",
        "royal-opera-and-idun-loven-art-school",
    ],
    "sv": [
        "karolinska-atmp-centrum",
        "ellen-makipiha-ny-kommunikator",
        "konst-och-kulturliv-i-flemingsberg",
        "agnes-torok-scenpoesi",
    ],
}


def make_newsletter(folder: Path, issues: int) -> Path:
    root = copy_sample(folder)
    (root / "issues" / "2025-11.yaml").unlink()
    for number in range(issues):
        year, month = 2025 - number // 12, 12 - number % 12
        issue_id = f"{year}-{month:02d}"
        lines = [f"date: {issue_id}-15", "editions:"]
        for lang, slugs in EDITIONS.items():
            lines += [f"  {lang}:", f"    subject: Issue {issue_id}", "    articles:"]
            for slug in slugs:
                copy = f"{slug}-{issue_id}"
                shutil.copytree(root / "articles" / slug, root / "articles" / copy)
                lines.append(f"      - {copy}")
        (root / "issues" / f"{issue_id}.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return root


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"  {label:<28} {time.perf_counter() - start:6.2f} s")
    return result


def bench(issues: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = make_newsletter(Path(scratch) / "newsletter", issues)
        latest = max(p.stem for p in (root / "issues").glob("*.yaml"))
        print(f"{issues} issues, {issues * 8} article pages:")
        result = check(root, latest)
        assert result.config is not None and result.issue is not None
        config, named = result.config, result.issue
        loaded, _ = timed("load every issue", lambda: load_issues(config, named))
        site = make_site(config, loaded)
        timed("render pages", lambda: site_pages(config, site, result.catalogues))
        timed("render feeds", lambda: feed_files(config, site, result.catalogues))
        timed("whole build (first)", lambda: build(root, latest))
        timed("whole build (unchanged)", lambda: build(root, latest))
        files = sum(1 for p in (root / "build" / "site").rglob("*") if p.is_file())
        print(f"  {files} files in build/site")


if __name__ == "__main__":
    for size in [int(arg) for arg in sys.argv[1:]] or [1, 12, 60]:
        bench(size)
