"""Casework's settings: the runtime's, and what casework adds (`TAWASUL_*` variables, read once per process)."""

from pydantic import Field, SecretStr

from services.settings import Settings


class CaseworkSettings(Settings):
    session_secret: SecretStr | None = None
    """Signs session cookies and CSRF tokens. Every casework process of a system needs the same one (`tawasul up`
    keeps one in its home); unset, each process makes its own and its sessions end with it."""
    session_idle_s: int = Field(default=30 * 60, ge=60)
    """A session not used for this long has ended."""
    session_absolute_s: int = Field(default=12 * 60 * 60, ge=60)
    """A session ends this long after sign-in, however busy."""
    public_url: str | None = None
    """Where officers reach casework (e.g. https://casework.example.gov.sa); https makes every cookie `Secure`."""
    signin_failure_burst: int = Field(default=5, ge=1)
    """Failed sign-ins allowed per username, and per client address, before they are throttled."""
    signin_failure_rate_per_s: float = Field(default=1 / 30, gt=0)
    """After the burst, one more attempt per this many seconds (the default: one every 30 s)."""

    intake_url: str = "http://127.0.0.1:8081"
    """Where casework fetches a case's attachments from (intake keeps them)."""
    intake_key: SecretStr | None = None
    """Casework's officer key at intake (`tawasul up` issues one); unset, attachments cannot be opened."""

    @property
    def secure_cookies(self) -> bool:
        return (self.public_url or "").lower().startswith("https://")
