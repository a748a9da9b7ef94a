"""The attachment of a question to the help desk: one PDF, PNG or JPEG file, its type read from its content.

A name ending in `.pdf` proves nothing: the first bytes of the file say what it is (`%PDF-`, the PNG
signature, the JPEG start-of-image marker). Then a PDF must end with its `%%EOF` marker and hold no
JavaScript or launch action; an image must open and verify with Pillow (a truncated or forged image
fails), within a number of pixels. The size limit (`WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES`) is
checked before a byte is read. Every refusal says which file, what is wrong, and what is accepted.

`check_attachment` returns a `CheckedAttachment`: the only kind of file `question_services` stores, under
a random name (the original name, which may hold a person's name, is kept apart and anonymised with the
question).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
STORED_EXTENSION = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"  # the file input's `accept`

MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is a decompression bomb, not a document
PDF_TAIL = 2048  # %%EOF must sit within the last bytes (trailing newlines and padding are allowed)
# Active content of a PDF: scripts and actions that start programs. Names may be written with #hex
# escapes (/J#61vaScript): the check reads them unescaped.
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_NAME_LENGTH = 150

# What a refused file really is, for the message: (leading bytes, description).
_KNOWN_CONTENT: tuple[tuple[bytes, str], ...] = (
    (b"MZ", gettext_noop("a Windows program")),
    (b"\x7fELF", gettext_noop("a Linux program")),
    (b"\xca\xfe\xba\xbe", gettext_noop("a program")),
    (b"\xcf\xfa\xed\xfe", gettext_noop("a program")),
    (b"#!", gettext_noop("a script")),
    (b"PK\x03\x04", gettext_noop("a ZIP archive or an Office document")),
    (b"GIF8", gettext_noop("a GIF image")),
    (b"RIFF", gettext_noop("a WebP image or a media file")),
    (b"{\\rtf", gettext_noop("an RTF document")),
    (b"\xd0\xcf\x11\xe0", gettext_noop("an old Office document")),
)


class AttachmentRefused(ValueError):
    """The file is not accepted; `message` says why, naming the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedAttachment:
    """A file that passed `check_attachment`: its content, type, size and original name."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return STORED_EXTENSION[self.content_type]


def max_bytes() -> int:
    return int(settings.WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES)


def megabytes(size: int) -> str:
    """A size as people read it, in the current language: `5,0 MB`, `12 KB`."""
    return str(filesizeformat(size)).replace("\xa0", " ")


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _describe(head: bytes) -> str:
    for magic, description in _KNOWN_CONTENT:
        if head.startswith(magic):
            return _(description)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<")):
        return _("an HTML or XML page")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return _("a file of another type")
    return _("plain text")


def _type_label(content_type: str) -> str:
    return {PDF: _("a PDF"), PNG: _("a PNG image"), JPEG: _("a JPEG image")}[content_type]


def _check_pdf(content: bytes, name: str) -> None:
    if b"%%EOF" not in content[-PDF_TAIL:]:
        raise AttachmentRefused(
            _("The PDF “%(name)s” is incomplete (it has no end-of-file marker): save or export it again.")
            % {"name": name}
        )
    unescaped = PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), content)
    if PDF_ACTIVE.search(unescaped):
        raise AttachmentRefused(
            _(
                "The PDF “%(name)s” contains scripts or commands that start programs: print it again as "
                "a plain PDF (e.g. “Print to PDF”) and attach that."
            )
            % {"name": name}
        )


def _check_image(content: bytes, content_type: str, name: str) -> None:
    expected = "PNG" if content_type == PNG else "JPEG"
    try:
        with Image.open(io.BytesIO(content), formats=[expected]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise AttachmentRefused(
                    _("The image “%(name)s” is %(width)s × %(height)s pixels: reduce it under 50 megapixels.")
                    % {"name": name, "width": width, "height": height}
                )
            image.verify()
    except AttachmentRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AttachmentRefused(
            _("The image “%(name)s” is damaged or incomplete: save or export it again.") % {"name": name}
        ) from None


def clean_name(name: str) -> str:
    """The original file name, safe to show and store (no folders, no odd characters, not too long)."""
    base = PurePath(name.replace("\\", "/")).name
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # Django refuses names like "." or ".."
        cleaned = "allegato"
    if len(cleaned) > MAX_NAME_LENGTH:
        suffix = PurePath(cleaned).suffix[:10]
        cleaned = cleaned[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return cleaned


def check_attachment(upload: IO[bytes], *, name: str, size: int) -> CheckedAttachment:
    """The file `upload` (`name`, `size` bytes) as a CheckedAttachment, or AttachmentRefused saying why.

    Accepted: a PDF or a PNG/JPEG image whose content is what its name says, within the size limit. A
    PNG named `.jpg` (or the reverse) is accepted and stored under the extension of its content.
    """
    shown = clean_name(name)
    limit = max_bytes()
    if size > limit:
        raise AttachmentRefused(
            _("The attachment “%(name)s” is %(size)s: the limit is %(limit)s. Attach a smaller file.")
            % {"name": shown, "size": megabytes(size), "limit": megabytes(limit)}
        )
    if size == 0:
        raise AttachmentRefused(_("The attachment “%(name)s” is empty.") % {"name": shown})
    named_type = EXTENSIONS.get(PurePath(shown).suffix.lower())
    if named_type is None:
        raise AttachmentRefused(
            _("The attachment “%(name)s” is not a PDF, PNG or JPEG file: only those are accepted.")
            % {"name": shown}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:  # the size announced was not the real one
        raise AttachmentRefused(
            _("The attachment “%(name)s” is larger than %(limit)s. Attach a smaller file.")
            % {"name": shown, "limit": megabytes(limit)}
        )
    real_type = _sniff(content[:16])
    if real_type is None or (real_type == PDF) != (named_type == PDF):
        what = _type_label(real_type) if real_type else _describe(content[:512])
        raise AttachmentRefused(
            _(
                "The attachment “%(name)s” is named as %(named)s but its content is %(what)s: only real "
                "PDF, PNG and JPEG files are accepted."
            )
            % {"name": shown, "named": _type_label(named_type), "what": what}
        )
    if real_type == PDF:
        _check_pdf(content, shown)
    else:
        _check_image(content, real_type, shown)
    return CheckedAttachment(content=content, content_type=real_type, original_name=shown)
