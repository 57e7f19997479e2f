"""Intake's settings: the runtime's, and what intake adds (`TAWASUL_*` variables, read once per process)."""

from pathlib import Path
from typing import Literal

from pydantic import Field

from intake.domain import MB, Limits
from services.settings import Settings


class IntakeSettings(Settings):
    attachment_store: Literal["database", "filesystem"] = "database"
    attachments_dir: Path | None = None
    """Where the filesystem store keeps files; `<home>/attachments` when unset."""
    attachment_max_bytes: int = Field(default=5 * MB, ge=1)
    request_attachments_max_bytes: int = Field(default=20 * MB, ge=1)
    request_attachments_max_count: int = Field(default=20, ge=1)
    portal_rate_per_s: float = Field(default=200.0, gt=0)
    """Each portal's sustained submissions (and lookups) per second over HTTP, per intake process."""
    portal_burst: int = Field(default=400, ge=1)
    auth_failure_rate_per_s: float = Field(default=1.0, gt=0)
    """Requests without a valid key each client address may make per second (after a burst), per process."""
    auth_failure_burst: int = Field(default=20, ge=1)
    catalog_version: str = "2026.1"
    """Which `intake/catalogs/<version>.json` requests are checked against."""

    @property
    def limits(self) -> Limits:
        return Limits(file_bytes=self.attachment_max_bytes, request_bytes=self.request_attachments_max_bytes,
                      files=self.request_attachments_max_count)

    @property
    def max_body_bytes(self) -> int:
        """The largest HTTP body intake reads: the attachments' limit as base64, and room for the rest."""
        return self.request_attachments_max_bytes * 4 // 3 + 2 * MB
