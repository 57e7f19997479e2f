"""Quiet hours in Riyadh time, across midnight, and the retry backoff."""

from datetime import UTC, datetime, time, timedelta

import pytest

from notify.schedule import is_quiet, retry_delay

NIGHT, MORNING = time(22), time(7)


@pytest.mark.parametrize(("utc_hour", "quiet"), [
    (18, False),  # 21:00 in Riyadh
    (19, True),  # 22:00
    (23, True),  # 02:00
    (3, True),  # 06:00
    (4, False),  # 07:00
    (9, False),  # 12:00
])
def test_quiet_hours_span_midnight_in_riyadh(utc_hour, quiet):
    assert is_quiet(datetime(2026, 11, 22, utc_hour, tzinfo=UTC), NIGHT, MORNING) is quiet


def test_equal_bounds_mean_no_quiet_hours_and_daytime_ranges_work():
    assert not any(is_quiet(datetime(2026, 11, 22, h, tzinfo=UTC), time(0), time(0)) for h in range(24))
    assert is_quiet(datetime(2026, 11, 22, 10, tzinfo=UTC), time(12), time(14))  # 13:00 Riyadh


def test_backoff_doubles_from_the_base_up_to_the_cap():
    delays = [retry_delay(n, base_s=2, cap_s=30) for n in range(1, 7)]
    assert delays == [timedelta(seconds=s) for s in (2, 4, 8, 16, 30, 30)]
