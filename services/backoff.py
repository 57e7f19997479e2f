"""Capped exponential backoff with jitter."""

import random


class Backoff:
    def __init__(self, first_s: float = 0.1, cap_s: float = 5.0) -> None:
        self._first = first_s
        self._cap = cap_s
        self._attempt = 0

    def next(self) -> float:
        delay = min(self._cap, self._first * 2**self._attempt)
        self._attempt += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self._attempt = 0
