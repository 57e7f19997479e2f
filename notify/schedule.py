"""When to try a notification again, and whether SMS must wait for the morning: pure time arithmetic."""

from datetime import datetime, time, timedelta

from contracts.vocabulary import RIYADH
from services import backoff


def retry_delay(attempt: int, *, base_s: float, cap_s: float) -> timedelta:
    """When to try again after the `attempt`-th temporary failure (1, 2, …): the runtime's backoff formula."""
    return timedelta(seconds=backoff.delay(attempt, first_s=base_s, cap_s=cap_s))


def is_quiet(now: datetime, quiet_from: time, quiet_until: time) -> bool:
    """Whether `now` (aware) falls in the quiet hours, read in Riyadh time; the hours may span midnight."""
    local = now.astimezone(RIYADH).time()
    if quiet_from <= quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until
