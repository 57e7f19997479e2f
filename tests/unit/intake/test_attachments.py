"""Attachments are judged by their bytes, never their names; stored names are safe."""

import pytest

from intake.attachments import safe_name, sniff
from tests import samples

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run in DOS mode"


def test_pdf_jpeg_and_png_are_recognised_by_their_bytes():
    assert sniff(samples.PDF) == "application/pdf"
    assert sniff(samples.JPEG) == "image/jpeg"
    assert sniff(samples.PNG) == "image/png"


@pytest.mark.parametrize("content", [
    EXECUTABLE,
    b"GIF89a\x01\x00\x01\x00",
    b"PK\x03\x04 a zip or office document",
    b"<html><body>%PDF-1.4</body></html>",  # a PDF header hidden further in
    b"",
])
def test_anything_else_is_not_recognised(content):
    assert sniff(content) is None


@pytest.mark.parametrize(("name", "content_type", "safe"), [
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("C:\\Users\\me\\جواز سفر.JPG", "image/jpeg", "جواز سفر.jpg"),
    ("scan\x00<script>.png", "image/png", "scan_script.png"),
    ("report.pdf", "image/png", "report.png"),  # the name follows what the bytes are
    ("...", "application/pdf", "attachment.pdf"),
    ("a" * 300 + ".pdf", "application/pdf", "a" * 115 + ".pdf"),
])
def test_names_are_sanitised(name, content_type, safe):
    assert safe_name(name, content_type) == safe
