"""Token buckets on a clock of the test's own: bursts, refills, callers apart, and a bounded memory."""

from services import ratelimit
from services.ratelimit import RateLimiter


def test_a_burst_then_the_rate_and_each_caller_has_its_own_bucket():
    limiter = RateLimiter(rate=2, burst=3)
    assert [limiter.take("a", now=0.0) for _ in range(4)] == [0, 0, 0, 0.5]
    assert limiter.take("b", now=0.0) == 0
    assert limiter.take("a", now=0.5) == 0  # one token back after half a second
    assert limiter.take("a", now=0.5) == 0.5


def test_full_buckets_are_forgotten_once_there_are_too_many_callers(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_CALLERS", 3)
    limiter = RateLimiter(rate=1, burst=2)
    for caller in "abc":
        limiter.take(caller, now=0.0)
    limiter.take("c", now=0.0)  # c has spent its burst; a and b refill by t = 1
    limiter.take("d", now=1.0)
    assert set(limiter._buckets) == {"c", "d"}
    assert limiter.take("c", now=1.0) == 0 and limiter.take("c", now=1.0) == 1.0  # c's bucket was kept


def test_waiting_tells_when_a_token_comes_and_spends_none():
    limiter = RateLimiter(rate=2, burst=2)
    assert limiter.wait("a", now=0.0) == 0  # an unknown caller has a full bucket
    limiter.take("a", now=0.0)
    limiter.take("a", now=0.0)
    assert limiter.wait("a", now=0.0) == 0.5 and limiter.wait("a", now=0.0) == 0.5  # asking spends nothing
    assert limiter.wait("a", now=0.5) == 0 and limiter.take("a", now=0.5) == 0
