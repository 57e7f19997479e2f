"""Token buckets: at most `rate` actions a second per caller on average, with bursts up to `burst`."""

import time
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    at: float


MAX_CALLERS = 10_000
"""Buckets kept at most before the full ones are forgotten (a full bucket is what a new caller gets anyway)."""


@dataclass
class RateLimiter:
    rate: float
    burst: int
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, caller: str, now: float | None = None) -> float:
        """0 when `caller` may go ahead now (a token is spent), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        if caller not in self._buckets and len(self._buckets) >= MAX_CALLERS:
            self._forget_full(now)
        bucket = self._buckets.setdefault(caller, _Bucket(tokens=float(self.burst), at=now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def wait(self, caller: str, now: float | None = None) -> float:
        """Like `take`, but spends nothing: 0 when `caller` has a token, else the seconds until it will."""
        bucket = self._buckets.get(caller)
        if bucket is None:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        full = [caller for caller, bucket in self._buckets.items()
                if bucket.tokens + (now - bucket.at) * self.rate >= self.burst]
        for caller in full:
            del self._buckets[caller]
