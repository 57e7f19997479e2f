"""Notify's settings: the runtime's, and what notify adds (`TAWASUL_*` variables, read once per process)."""

from datetime import time

from pydantic import Field

from services.settings import Settings


class NotifySettings(Settings):
    smtp_host: str | None = None
    """Where e-mail goes; unset means no e-mail is sent (notifications wait). `tawasul up` starts a local server."""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Tawasul <no-reply@tawasul.gov.example>"
    smtp_deduplicates: bool = False
    """Whether the relay drops a message whose Message-ID it has seen (then a resend after a crash is safe)."""

    local_smtp_port: int = 2525
    local_sms_port: int = 8090
    """Where `tawasul up` runs its local providers when none is configured (0: any free port)."""

    sms_gateway_url: str | None = None
    """The HTTP SMS gateway's URL; unset means no SMS is sent (notifications wait)."""
    sms_gateway_token: str | None = None
    sms_gateway_auth_header: str = "Authorization"
    sms_gateway_auth_scheme: str = "Bearer"
    """The token goes in this header after this scheme (an empty scheme sends the token alone)."""
    sms_gateway_fields: dict[str, str] = Field(default_factory=dict)
    """The provider's names for our fields `to`, `text`, `sender`, `idempotency_key` (JSON), e.g. {"to": "msisdn"}."""
    sms_gateway_id_field: str = "message_id"
    """Where the provider's response names its message id."""
    sms_sender_id: str = "Tawasul"
    sms_deduplicates: bool = True
    """Whether the gateway honours the idempotency key (the local one does)."""
    sms_max_segments: int = Field(default=3, ge=1)
    sms_quiet_from: time = time(22)
    sms_quiet_until: time = time(7)
    """Non-urgent SMS are held between these Riyadh times."""
    sms_urgent_events: list[str] = Field(default_factory=list)
    """Event types whose SMS go out even in quiet hours."""

    notify_sla_breaches: bool = True
    """Whether a beneficiary whose case passed its due time gets an apology with the new expected date."""

    send_attempts: int = Field(default=8, ge=1)
    """Attempts before a temporarily failing notification is given up as NotificationFailed."""
    send_retry_base_s: float = Field(default=2.0, gt=0)
    send_retry_cap_s: float = Field(default=300.0, gt=0)
    send_concurrency: int = Field(default=128, ge=1)
    """Notifications claimed and sent at once in a round (also how many may be in doubt after a crash)."""
    send_lease_s: float = Field(default=30.0, gt=0)
    """A claim older than this belongs to a sender that died: resend it (if the provider deduplicates) or mark it
    in doubt."""
    send_poll_s: float = Field(default=0.25, gt=0)
