"""Capped exponential backoff: the one formula every retry in the system waits by."""

import random


def delay(attempt: int, *, first_s: float, cap_s: float) -> float:
    """Seconds to wait after the `attempt`-th failure (1, 2, …): first, 2×first, 4×first … at most `cap_s`."""
    return min(cap_s, first_s * 2 ** max(0, attempt - 1))


class Backoff:
    """Successive delays by `delay`, with jitter, so retrying clients do not move in step."""

    def __init__(self, first_s: float = 0.1, cap_s: float = 5.0) -> None:
        self._first = first_s
        self._cap = cap_s
        self._attempt = 0

    def next(self) -> float:
        self._attempt += 1
        return delay(self._attempt, first_s=self._first, cap_s=self._cap) * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self._attempt = 0
