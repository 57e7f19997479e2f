"""Token buckets: at most `rate` actions a second per caller on average, with bursts up to `burst`."""

import time
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    rate: float
    burst: int
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, caller: str, now: float | None = None) -> float:
        """0 when `caller` may go ahead now (a token is spent), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.setdefault(caller, _Bucket(tokens=float(self.burst), at=now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate
