"""Tracking numbers: the year, a serial and a check digit that catches a mistyped number before any lookup."""

import pytest

from contracts import PortalSubmission
from intake import domain
from tests import samples


def a_submission(**overrides) -> PortalSubmission:
    return PortalSubmission.model_validate(samples.submission(1, **overrides))


def test_tracking_numbers_carry_the_year_the_serial_and_a_check_digit_that_catches_a_typo():
    number = domain.tracking_number(1234, 2026)
    assert number.startswith("TW26") and len(number) == 12
    assert domain.is_valid_tracking_number(number)
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    assert not domain.is_valid_tracking_number(typo)
    swapped = number[:4] + number[5] + number[4] + number[6:]
    assert number == swapped or not domain.is_valid_tracking_number(swapped)


@pytest.mark.parametrize("value", ["", "TW", "TW26000012349X", "XX26000012349", "TW2600001234"])
def test_malformed_tracking_numbers_are_invalid(value):
    assert not domain.is_valid_tracking_number(value)


def test_distinct_serials_give_distinct_tracking_numbers():
    assert len({domain.tracking_number(serial, 2026) for serial in range(1, 5001)}) == 5000


def test_the_fingerprint_ignores_how_the_json_was_spelled_but_not_what_it_says():
    one = a_submission()
    same = PortalSubmission.model_validate_json(one.model_dump_json())
    assert domain.fingerprint(one) == domain.fingerprint(same)
    assert domain.fingerprint(one) != domain.fingerprint(a_submission(description="Something else 1000000008"))
