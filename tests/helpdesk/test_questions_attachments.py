"""Attachments: a PDF, PNG or JPEG whose content is what its name says, within the size limit."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.utils import translation

from tests.helpdesk.conftest import image_bytes, pdf_bytes
from welfarelab.helpdesk.attachments import JPEG, PDF, PNG, AttachmentRefused, check_attachment, clean_name


@pytest.fixture(autouse=True)
def _english():
    """The messages are compared with their English msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


def check(content: bytes, name: str):
    return check_attachment(BytesIO(content), name=name, size=len(content))


@pytest.fixture(autouse=True)
def _five_megabytes(settings):
    settings.WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("content", "name", "content_type", "extension"),
    [
        (pdf_bytes(), "statuto.pdf", PDF, "pdf"),
        (pdf_bytes(), "STATUTO.PDF", PDF, "pdf"),
        (image_bytes("PNG"), "ricevuta.png", PNG, "png"),
        (image_bytes("JPEG"), "foto.jpeg", JPEG, "jpg"),
        (image_bytes("PNG"), "screenshot.jpg", PNG, "png"),  # an image under the other image extension
    ],
)
def test_real_pdfs_and_images_are_accepted(content, name, content_type, extension):
    checked = check(content, name)

    assert checked.content_type == content_type
    assert checked.extension == extension
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "bilancio.pdf",
            "“bilancio.pdf” is named as a PDF but its content is an HTML or XML page",
        ),
        (
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
            "bilancio.pdf",
            "“bilancio.pdf” is named as a PDF but its content is a Windows program",
        ),
        (
            b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
            "foto.png",
            "named as a PNG image but its content is a Linux program",
        ),
        (b"PK\x03\x04" + b"\x00" * 100, "verbale.pdf", "its content is a ZIP archive or an Office document"),
        (pdf_bytes(), "foto.jpg", "“foto.jpg” is named as a JPEG image but its content is a PDF"),
        (image_bytes("PNG"), "statuto.pdf", "named as a PDF but its content is a PNG image"),
        (b"just some words", "nota.pdf", "its content is plain text"),
        (pdf_bytes(), "programma.exe", "“programma.exe” is not a PDF, PNG or JPEG file"),
        (image_bytes("GIF"), "animazione.gif", "is not a PDF, PNG or JPEG file"),
        (b"", "vuoto.pdf", "“vuoto.pdf” is empty"),
        (pdf_bytes()[:-7], "troncato.pdf", "“troncato.pdf” is incomplete"),
        (
            pdf_bytes(b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj"),
            "modulo.pdf",
            "“modulo.pdf” contains scripts or commands",
        ),
        (pdf_bytes(b"2 0 obj << /S /J#61vaScript >> endobj"), "modulo.pdf", "contains scripts or commands"),
        (
            pdf_bytes(b"2 0 obj << /S /Launch /F (cmd.exe) >> endobj"),
            "modulo.pdf",
            "contains scripts or commands",
        ),
        (image_bytes("PNG")[:40], "tagliata.png", "“tagliata.png” is damaged or incomplete"),
        (
            b"\x89PNG\r\n\x1a\n" + b"<html>not an image</html>",
            "finta.png",
            "“finta.png” is damaged or incomplete",
        ),
    ],
)
def test_disguised_or_broken_files_are_refused_with_what_they_are(content, name, message):
    with pytest.raises(AttachmentRefused) as refused:
        check(content, name)

    assert message in refused.value.message
    if "named as" in message:
        assert "only real PDF, PNG and JPEG files are accepted" in refused.value.message


def test_an_oversized_file_is_refused_before_it_is_read(settings, english):
    settings.WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES = 1024

    class Unreadable(BytesIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    with pytest.raises(AttachmentRefused) as refused:
        check_attachment(Unreadable(), name="bilancio.pdf", size=2 * 1024 * 1024)

    assert (
        refused.value.message
        == "The attachment “bilancio.pdf” is 2.0 MB: the limit is 1.0 KB. Attach a smaller file."
    )


def test_a_file_larger_than_it_said_is_refused(settings):
    settings.WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES = 100

    with pytest.raises(AttachmentRefused, match="larger than 100"):
        check_attachment(BytesIO(pdf_bytes() * 10), name="a.pdf", size=50)


def test_an_image_too_large_in_pixels_is_refused():
    with pytest.raises(AttachmentRefused, match="reduce it under 50 megapixels"):
        check(image_bytes("PNG", size=(10_000, 6_000)), "enorme.png")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Documenti\\Verbale assemblea.pdf", "Verbale_assemblea.pdf"),
        ("a" * 200 + ".pdf", "a" * 146 + ".pdf"),
        ("..", "allegato"),
    ],
)
def test_the_original_name_is_made_safe(name, expected):
    assert clean_name(name) == expected
