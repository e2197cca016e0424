"""The gate every file of the newsletter folder passes before the build reads or publishes it.

Whatever the build copies to the web archive runs on the foundation's domain, so a file is
published for what it *is*, never for what its name says: raster images Pillow can decode in
full (JPEG, PNG, GIF, WebP) and PDF documents without scripts or actions. SVG, HTML, XML and
everything else is refused, because a browser runs the scripts they may hold. Every path must
stay inside the newsletter folder: no absolute paths, no ``..``, no symlink leading out of it,
nothing but regular files (no ``/proc``, fifos or devices). ``check`` and ``build`` both come
through here, so what one accepts the other publishes.
"""

from __future__ import annotations

import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

MB = 1024 * 1024
MAX_IMAGE_BYTES = 20 * MB
"""A photo straight from a phone is 3-8 MB; bigger is a wrong file."""
MAX_DOCUMENT_BYTES = 50 * MB
MAX_PIXELS = 50_000_000
"""50 megapixels: beyond any camera's photo; a small file decoding to more is a bomb."""

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PDF = "application/pdf"
_SUFFIXES = {
    "JPEG": (".jpg", ".jpeg"),
    "PNG": (".png",),
    "GIF": (".gif",),
    "WEBP": (".webp",),
    "PDF": (".pdf",),
}
_PDF_ACTIVE = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
}
"""PDF names that make a viewer run code, open other files or send data."""
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")


class Refused(Exception):
    """A file the build will not read or publish: why, and what the author can do."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the gate, with what its content is."""

    path: Path
    kind: str
    """``JPEG``, ``PNG``, ``GIF``, ``WEBP`` or ``PDF``."""
    media_type: str
    size: int
    width: int = 0
    height: int = 0


def name_problem(name: str) -> Refused | None:
    """A file name written by the author that cannot name a file beside the article."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name or pure.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return Refused(
            f"'{name}' is a path on this computer, not a file beside the article",
            "put the file in the article's folder and write just its name",
        )
    if ".." in pure.parts:
        return Refused(
            f"'{name}' points outside the article's folder",
            "put the file in the article's folder and write just its name",
        )
    return None


def inside(root: Path, path: Path) -> Path:
    """``path`` resolved, if it is a regular file inside ``root``; else :class:`Refused`."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # missing, or a symlink loop
        raise Refused(f"'{path.name}' cannot be read", "check that the file exists") from exc
    home = root.resolve()
    if not resolved.is_relative_to(home):
        raise Refused(
            f"'{path.name}' leads outside the newsletter's folder (a link to {resolved})",
            "copy the file itself into the newsletter's folder instead of linking to it",
        )
    mode = resolved.stat().st_mode
    if not stat.S_ISREG(mode):
        raise Refused(f"'{path.name}' is not a regular file", "use an ordinary file")
    return resolved


def check_file(root: Path, path: Path, *, images_only: bool = False) -> CheckedFile:
    """What ``path`` holds, if the build may publish it; else :class:`Refused`.

    ``images_only`` for places that show the file as a picture (an article's photo, the feed
    icon): a PDF is refused there too.
    """
    resolved = inside(root, path)
    with resolved.open("rb") as stream:
        head = stream.read(1024)
    if head.startswith(b"%PDF-") and not images_only:
        checked = _check_pdf(path, resolved)
    else:
        checked = _check_image(path, resolved, head, images_only)
    if path.suffix.lower() not in _SUFFIXES[checked.kind]:
        right = _SUFFIXES[checked.kind][0]
        raise Refused(
            f"'{path.name}' is a {checked.kind} file, but its name says otherwise",
            f"rename it to '{path.stem}{right}' (and the reference to it), so browsers and"
            " mail programs treat it as what it is",
        )
    return checked


def publishable(root: Path, path: Path, *, images_only: bool = False) -> bool:
    """Whether the build publishes ``path`` (for places that only need yes or no)."""
    try:
        check_file(root, path, images_only=images_only)
    except Refused:
        return False
    return True


def _check_image(path: Path, resolved: Path, head: bytes, images_only: bool) -> CheckedFile:
    what = "an image" if images_only else "an image or a PDF"
    size = resolved.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise Refused(
            f"'{path.name}' is {size / MB:.0f} MB, more than the {MAX_IMAGE_BYTES // MB} MB an"
            " image may have",
            "save a smaller copy (2000 px wide is plenty for email and web)",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(resolved) as picture:
                kind = picture.format or ""
                width, height = picture.size
                if kind not in IMAGE_TYPES:
                    raise Refused(*_not_publishable(path, head, what))
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(path, width, height)
                picture.load()  # decodes every pixel: a truncated file fails here
    except Refused:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise _too_many_pixels(path, 0, 0) from exc
    except UnidentifiedImageError as exc:
        raise Refused(*_not_publishable(path, head, what)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise Refused(
            f"'{path.name}' is a damaged or incomplete image ({exc})",
            "open it in an image editor and save it again, or export it anew",
        ) from exc
    return CheckedFile(resolved, kind, IMAGE_TYPES[kind], size, width, height)


def _too_many_pixels(path: Path, width: int, height: int) -> Refused:
    shown = f" ({width}×{height} pixels)" if width else ""
    return Refused(
        f"'{path.name}' is too large to open safely{shown}",
        f"save a smaller copy (at most {MAX_PIXELS // 1_000_000} megapixels)",
    )


def _check_pdf(path: Path, resolved: Path) -> CheckedFile:
    size = resolved.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise Refused(
            f"'{path.name}' is {size / MB:.0f} MB, more than the {MAX_DOCUMENT_BYTES // MB} MB"
            " a document may have",
            "save a smaller PDF (most PDF programs can reduce the file size)",
        )
    content = resolved.read_bytes()
    if b"%%EOF" not in content[-2048:] or b"obj" not in content:
        raise Refused(
            f"'{path.name}' starts like a PDF but is not a complete PDF document",
            "export it again as PDF from the program that made it",
        )
    active = sorted({n for n in map(_pdf_name, _PDF_NAME.findall(content)) if n in _PDF_ACTIVE})
    if active:
        raise Refused(
            f"'{path.name}' is a PDF with scripts or automatic actions ({', '.join(active)})",
            "export or print it again as a plain PDF (e.g. 'Print to PDF'), without forms,"
            " attachments or scripts",
        )
    return CheckedFile(resolved, "PDF", PDF, size)


def _pdf_name(raw: bytes) -> str:
    # PDF allows #xx escapes inside names: /J#61vaScript is /JavaScript
    decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return decoded.decode("latin-1")


def _not_publishable(path: Path, head: bytes, what: str) -> tuple[str, str]:
    sniffed = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in sniffed or path.suffix.lower() == ".svg":
        return (
            f"'{path.name}' is an SVG drawing, which can carry scripts that would run on the"
            " foundation's site",
            "export it as PNG (or, for a document, PDF)",
        )
    if sniffed.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        return (
            f"'{path.name}' is a web page or XML file, which can carry scripts that would run"
            " on the foundation's site",
            "link to the page where it is published, or save it as PDF",
        )
    return (
        f"'{path.name}' is not {what} that can be published",
        "publish photos as JPEG or PNG, and documents as PDF",
    )
