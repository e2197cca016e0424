"""How long `check` takes on one very long article (issue 11: the prose checks were quadratic).

    .venv/bin/python -m benchmarks.check_large_article [KB ...]

Writes a generated article of each size (default 100, 500 and 1000 KB: under the 1 MB cap)
plus one of 5 MB (refused by size) into a copy of the sample, and times `check`.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from flemletter.checks import check
from tests.conftest import copy_sample

SLUG = "limitless-potential"
WORDS = [
    "research",
    "campus",
    "foundation",
    "science",
    "cell",
    "therapy",
    "hospital",
    "students",
    "art",
    "culture",
    "future",
    "collaboration",
    "innovation",
    "health",
    "region",
    "university",
    "laboratory",
    "patients",
    "award",
    "youth",
    "city",
    "conference",
    "keynote",
    "posters",
    "professor",
    "clinical",
    "basic",
    "translational",
    "ecosystem",
    "music",
    "opera",
]


def article(size: int, seed: int = 1) -> str:
    """Front matter and about ``size`` bytes of paragraphs of varied sentences."""
    rng = random.Random(seed)
    parts = ['---\ntitle: "A very long article"\ndate: 2025-11-14\n---\n\n']
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = rng.choices(WORDS, k=rng.randint(8, 16))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences) + "\n\n"
        parts.append(paragraph)
        total += len(paragraph)
    return "".join(parts)


def main(sizes_kb: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sample(Path(tmp) / "newsletter")
        for kb in sizes_kb:
            (root / "articles" / SLUG / "en.md").write_text(article(kb * 1024), encoding="utf-8")
            start = time.perf_counter()
            result = check(root, "2025-11")
            seconds = time.perf_counter() - start
            first = result.errors[0] if result.errors else None
            print(
                f"{kb:>6} KB: {seconds:6.1f} s, {len(result.errors)} errors,"
                f" {len(result.warnings)} warnings{f' ({first})' if first else ''}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 500, 1000, 5000])
