"""Class 1 of the hostile-input review: only what the author meant is published, and nothing
executable. Every file an article shows or links to passes one gate (flemletter.files); what
it refuses is a check error at the article's line, and the build publishes nothing else."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image as PILImage

from flemletter.build import build
from flemletter.checks import check
from tests.conftest import beyond_sample

ISSUE = "2025-11"
SLUG = "limitless-potential"
PHOTO_ARTICLE = "collaboration-in-science"
PHOTO = "placeholder-collaboration-in-science.jpg"


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    stream = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(stream, "PNG")
    return stream.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    stream = io.BytesIO()
    PILImage.new("RGB", (40, 30), "white").save(stream, "PDF")
    return stream.getvalue().replace(b"%%EOF", extra + b"%%EOF") if extra else stream.getvalue()


def bomb() -> bytes:
    # a few KB on disk, 400 megapixels once decoded
    stream = io.BytesIO()
    PILImage.new("1", (20_000, 20_000)).save(stream, "PNG")
    return stream.getvalue()


def photo_bytes(sample: Path) -> bytes:
    return (sample / "articles" / PHOTO_ARTICLE / PHOTO).read_bytes()


def truncated_jpeg(sample: Path) -> bytes:
    whole = photo_bytes(sample)
    return whole[: len(whole) // 2]


SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)
SCRIPT_HTML = b"<!DOCTYPE html><html><script>fetch('/steal')</script></html>"
SCRIPT_XML = b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">1</x:script>'
Content = Callable[[Path], bytes]

REFUSED_FILES: dict[str, tuple[str, Content, str]] = {
    "svg with a script": ("diagram.svg", lambda s: SCRIPT_SVG, "SVG drawing"),
    "svg named .png": ("diagram.png", lambda s: SCRIPT_SVG, "SVG drawing"),
    "html page": ("report.html", lambda s: SCRIPT_HTML, "web page"),
    "html named .jpg": ("photo.jpg", lambda s: SCRIPT_HTML, "web page"),
    "xml named .png": ("chart.png", lambda s: SCRIPT_XML, "web page or XML"),
    "javascript": ("tool.js", lambda s: b"alert(1)", "not an image or a PDF"),
    "pdf with JavaScript": (
        "report.pdf",
        lambda s: pdf(b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n"),
        "scripts or automatic actions",
    ),
    "pdf with a hex-escaped name": (
        "report.pdf",
        lambda s: pdf(b"9 0 obj << /AA << /O << /S /J#61vaScript >> >> >>\n"),
        "/JavaScript",
    ),
    "pdf header only": ("report.pdf", lambda s: b"%PDF-1.7\n<script>alert(1)</script>", "not a"),
    "png named .pdf": ("report.pdf", lambda s: png(), "is a PNG file, but its name"),
    "jpeg named .png": (
        "photo.png",
        lambda s: (s / "articles" / PHOTO_ARTICLE / PHOTO).read_bytes(),
        "is a JPEG file",
    ),
    "decompression bomb": ("huge.png", lambda s: bomb(), "too large to open safely"),
    "truncated jpeg": ("half.jpg", truncated_jpeg, "damaged or incomplete"),
}


NO_PICTURES = ("javascript", "pdf with JavaScript", "pdf with a hex-escaped name")


def add_to_body(sample: Path, markdown: str, slug: str = SLUG) -> Path:
    article = sample / "articles" / slug / "en.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\n{markdown}\n", encoding="utf-8")
    return article


def errors_of(sample: Path) -> list[str]:
    return [str(p) for p in check(sample, ISSUE).errors]


def has(errors: list[str], start: str, text: str) -> bool:
    return any(e.startswith(start) and text in e for e in errors)


@pytest.mark.parametrize("case", list(REFUSED_FILES))
@pytest.mark.parametrize("how", ["link", "image"])
def test_a_refused_file_is_a_check_error_and_never_published(
    sample: Path, case: str, how: str
) -> None:
    name, content, reason = REFUSED_FILES[case]
    if how == "image" and case in (
        "javascript",
        "pdf with JavaScript",
        "pdf with a hex-escaped name",
    ):
        reason = "not an image that can be published"  # where a picture is shown, PDF is not
    (sample / "articles" / SLUG / name).write_bytes(content(sample))
    markdown = f"[the file]({name})" if how == "link" else f"![the file]({name})"
    add_to_body(sample, markdown)
    errors = errors_of(sample)
    assert any(e.startswith(f"articles/{SLUG}/en.md:") and reason in e for e in errors), errors
    # what check refuses, the build never publishes, even when asked straight
    from flemletter.site import build_site  # the site step alone, past the check

    result = check(sample, "2025-11")
    assert result.config is not None and result.issue is not None
    build_site(result.config, result.issue, result.catalogues, sample / "out")
    assert not list((sample / "out").rglob(name))


@pytest.mark.parametrize(
    "case", ["svg with a script", "decompression bomb", "truncated jpeg", "jpeg named .png"]
)
def test_a_refused_photo_is_a_check_error_at_image_file(sample: Path, case: str) -> None:
    name, content, reason = REFUSED_FILES[case]
    folder = sample / "articles" / PHOTO_ARTICLE
    (folder / name).write_bytes(content(sample))
    article = folder / "en.md"
    article.write_text(article.read_text(encoding="utf-8").replace(PHOTO, name), encoding="utf-8")
    errors = errors_of(sample)
    assert any(
        e.startswith(f"articles/{PHOTO_ARTICLE}/en.md:5: ") and reason in e for e in errors
    ), errors


@pytest.mark.parametrize(
    "written", ["/etc/passwd", "../limitless-potential/en.md", "../../flemletter.toml", "..\\x.jpg"]
)
def test_a_photo_path_outside_the_folder_is_refused(sample: Path, written: str) -> None:
    article = sample / "articles" / PHOTO_ARTICLE / "en.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace(PHOTO, written), encoding="utf-8"
    )
    errors = errors_of(sample)
    assert any(e.startswith(f"articles/{PHOTO_ARTICLE}/en.md:5: ") for e in errors), errors
    assert any("outside the article's folder" in e or "path on this computer" in e for e in errors)


@pytest.mark.parametrize("target", ["/proc/self/environ", "secret-outside"])
@pytest.mark.parametrize("how", ["link", "photo"])
def test_a_link_leading_out_of_the_newsletter_is_refused(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, how: str
) -> None:
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.never-publish-me")
    outside = Path(target) if target.startswith("/") else tmp_path / target
    if not target.startswith("/"):
        outside.write_bytes((sample / "articles" / PHOTO_ARTICLE / PHOTO).read_bytes())
    if how == "link":
        (sample / "articles" / SLUG / "env.jpg").symlink_to(outside)
        add_to_body(sample, "![environment](env.jpg)")
        where = f"articles/{SLUG}/en.md:"
    else:
        folder = sample / "articles" / PHOTO_ARTICLE
        (folder / PHOTO).unlink()
        (folder / PHOTO).symlink_to(outside)
        where = f"articles/{PHOTO_ARTICLE}/en.md:5: "
    errors = errors_of(sample)
    assert any(
        e.startswith(where) and "leads outside the newsletter's folder" in e for e in errors
    ), errors


def test_an_article_file_linked_from_outside_is_refused(sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "private.md"
    article = sample / "articles" / SLUG / "en.md"
    outside.write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    article.unlink()
    article.symlink_to(outside)
    errors = errors_of(sample)
    assert any(e.startswith(f"articles/{SLUG}/en.md: ") and "leads outside" in e for e in errors)


def test_a_template_linked_from_outside_is_refused(sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "email.mjml.j2"
    outside.write_text("{{ secrets }}", encoding="utf-8")
    (sample / "templates").mkdir()
    (sample / "templates" / "email.mjml.j2").symlink_to(outside)
    errors = errors_of(sample)
    assert any("leads outside the newsletter's folder" in e for e in errors), errors


def test_a_fifo_is_refused_without_hanging(sample: Path) -> None:
    os.mkfifo(sample / "articles" / SLUG / "pipe.png")
    add_to_body(sample, "![pipe](pipe.png)")
    errors = errors_of(sample)
    assert any("not a regular file" in e for e in errors), errors


@pytest.mark.parametrize(
    "name",
    ["../collaboration-in-science/x", "a/../../b", "x" * 300, "evil/../../../etc"],
)
def test_an_article_reference_that_is_no_folder_name_is_refused_in_the_issue(
    sample: Path, name: str
) -> None:
    issue = sample / "issues" / f"{ISSUE}.yaml"
    issue.write_text(
        issue.read_text(encoding="utf-8").replace(f"- {SLUG}", f"- '{name}'", 1),
        encoding="utf-8",
    )
    errors = errors_of(sample)
    assert any(
        e.startswith(f"issues/{ISSUE}.yaml:") and "not the name of an article folder" in e
        for e in errors
    ), errors


def test_images_and_plain_pdfs_are_published_byte_for_byte(sample: Path) -> None:
    folder = sample / "articles" / SLUG
    (folder / "chart.png").write_bytes(png())
    report = pdf()
    (folder / "report.pdf").write_bytes(report)
    (folder / "notes.txt").write_text("not linked, never published", encoding="utf-8")
    add_to_body(sample, "![A chart](chart.png)\n\nThe [full report](report.pdf).")
    assert beyond_sample(check(sample, ISSUE).errors) == []
    site = build(sample, ISSUE).site
    assert site is not None
    published = site / "en" / "articles" / SLUG
    assert (published / "chart.png").read_bytes() == png()
    assert (published / "report.pdf").read_bytes() == report
    assert not list(site.rglob("notes.txt"))
    assert not list(site.rglob("*.md"))


@pytest.mark.parametrize("key", ["icon", "logo"])
@pytest.mark.parametrize("content", ["svg", "outside", "missing"])
def test_a_feed_picture_that_cannot_be_published_is_named_by_check(
    sample: Path, tmp_path: Path, key: str, content: str
) -> None:
    config = sample / "flemletter.toml"
    name = {"svg": "icon.svg", "outside": "linked.png", "missing": "nothere.png"}[content]
    if content == "svg":
        (sample / name).write_bytes(SCRIPT_SVG)
    elif content == "outside":
        (tmp_path / "real.png").write_bytes(png())
        (sample / name).symlink_to(tmp_path / "real.png")
    text = config.read_text(encoding="utf-8")
    assert "[feeds]" in text
    config.write_text(text.replace("[feeds]", f'[feeds]\n{key} = "{name}"', 1), encoding="utf-8")
    warnings = [str(p) for p in check(sample, ISSUE).warnings]
    assert any(w.startswith(f"flemletter.toml: warning: feeds.{key}: ") for w in warnings), warnings
    site = build(sample, ISSUE).site
    assert site is not None
    assert not list(site.rglob(name))
