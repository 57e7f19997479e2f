"""What an uploaded file really is, judged by its bytes, and a name that is safe to store and show."""

import re
import unicodedata
from pathlib import PurePosixPath

ALLOWED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
"""The only types accepted, with the extension a stored name gets."""

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_UNSAFE = re.compile(r"[^\w.\- ()]+")
MAX_NAME = 120


def sniff(content: bytes) -> str | None:
    """The content type the bytes begin with, when it is one we accept; anything else (an executable named
    `.pdf`, a PDF header hidden further in) is None."""
    return next((content_type for signature, content_type in _SIGNATURES if content.startswith(signature)), None)


def safe_name(name: str, content_type: str) -> str:
    """The file's own name without path parts, control or unusual characters, ending in its real type's extension."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = PurePosixPath(name).name
    stem = PurePosixPath(stem).stem if PurePosixPath(stem).suffix.lower() in {*ALLOWED.values(), ".jpeg"} else stem
    stem = _UNSAFE.sub("_", stem).strip(" ._")[: MAX_NAME - 5] or "attachment"
    return stem + ALLOWED[content_type]
