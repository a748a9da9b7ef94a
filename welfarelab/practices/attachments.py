"""What a practice's attachment may be: a PDF or an image (PNG, JPEG, WebP) of at most MAX_ATTACHMENT_BYTES.

The check trusts neither the file name nor the type the browser declared: the extension must be one of
ALLOWED and the first bytes of the content must be that format's signature. SVG is refused (it can
carry scripts), as is anything else. The size is checked before a byte is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10  # per practice


@dataclass(frozen=True)
class FileType:
    kind: str  # PracticeAttachment.Kind value
    content_type: str
    extension: str  # the one stored files get


_PDF = FileType("pdf", "application/pdf", ".pdf")
_PNG = FileType("image", "image/png", ".png")
_JPEG = FileType("image", "image/jpeg", ".jpg")
_WEBP = FileType("image", "image/webp", ".webp")

ALLOWED: dict[str, FileType] = {".pdf": _PDF, ".png": _PNG, ".jpg": _JPEG, ".jpeg": _JPEG, ".webp": _WEBP}
ALLOWED_LABEL = "PDF, PNG, JPEG, WebP"

WRONG_TYPE = _(
    "“%(name)s” is not a PDF or an image (PNG, JPEG, WebP): only those can be attached. "
    "Attach other documents as links."
)
WRONG_CONTENT = _("“%(name)s” is not really a %(type)s file: its content does not match its name.")
TOO_LARGE = _("“%(name)s” is %(size)s MB: an attachment may be at most %(limit)s MB.")
EMPTY_FILE = _("“%(name)s” is empty.")


class Upload(Protocol):
    name: str | None
    size: int | None

    def seek(self, offset: int, whence: int = ..., /) -> int: ...
    def read(self, size: int = ..., /) -> bytes: ...


def _signature_matches(file_type: FileType, head: bytes) -> bool:
    if file_type is _PDF:
        return head.startswith(b"%PDF-")
    if file_type is _PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if file_type is _JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if file_type is _WEBP:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def check_upload(upload: Upload | IO[bytes]) -> FileType:
    """The type of `upload` if it may be attached; ValidationError naming the file and what is wrong."""
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={
                "name": name,
                "size": f"{size / (1024 * 1024):.1f}",
                "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            },
        )
    if size == 0:
        raise ValidationError(EMPTY_FILE, code="empty", params={"name": name})
    file_type = ALLOWED.get(PurePath(name).suffix.lower())
    if file_type is None:
        raise ValidationError(WRONG_TYPE, code="wrong_type", params={"name": name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _signature_matches(file_type, head):
        raise ValidationError(
            WRONG_CONTENT,
            code="wrong_content",
            params={"name": name, "type": file_type.extension.lstrip(".").upper()},
        )
    return file_type
