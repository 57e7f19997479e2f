"""When to try a notification again, and whether SMS must wait for the morning: pure time arithmetic."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

RIYADH = ZoneInfo("Asia/Riyadh")


def retry_delay(attempt: int, *, base_s: float, cap_s: float) -> timedelta:
    """Exponential backoff after the `attempt`-th failure (1, 2, …): base, 2×base, 4×base … at most `cap_s`."""
    return timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempt - 1)))


def is_quiet(now: datetime, quiet_from: time, quiet_until: time) -> bool:
    """Whether `now` (aware) falls in the quiet hours, read in Riyadh time; the hours may span midnight."""
    local = now.astimezone(RIYADH).time()
    if quiet_from <= quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until
